// rentstream: the command-line tool. Subcommands grow with the services.
#include <CLI/CLI.hpp>

#include "tools/rentstream/demo.h"
#include "tools/rentstream/ledger_import.h"
#include "tools/rentstream/ledger_query.h"
#include "tools/rentstream/policy_cli.h"
#include "tools/rentstream/policy_simulate.h"

int main(int argc, char** argv) {
  CLI::App app{"Rentstream: rent-arrears management on an event-sourced suite"};
  app.require_subcommand(1);

  std::string demo_dir;
  CLI::App* demo = app.add_subcommand("demo", "Run the tour on the embedded log (no broker)");
  demo->add_option("--data-dir", demo_dir, "Keep the demo's data here (default: a temp dir)");
  std::string demo_policy_dir = rentstream::cli::RentstreamPolicyDir();
  demo->add_option("--policy-dir", demo_policy_dir, "Escalation policies for the demo");

  std::string bus = "local", location, service = "counter";
  CLI::App* verify = app.add_subcommand("verify", "Verify the hash chains of a service's events");
  verify->add_option("--bus", bus, "local or kafka")->check(CLI::IsMember({"local", "kafka"}));
  verify->add_option("--at", location, "LocalBus log directory, or Kafka bootstrap servers")
      ->required();
  verify->add_option("--service", service, "Service whose events topic to verify");

  std::string tick_bus = "local", tick_at, tick_service = "counter", tick_date;
  CLI::App* tick =
      app.add_subcommand("tick", "Open a business day: a clock tick on every partition");
  tick->add_option("--bus", tick_bus, "local or kafka")->check(CLI::IsMember({"local", "kafka"}));
  tick->add_option("--at", tick_at, "LocalBus log directory, or Kafka bootstrap servers")
      ->required();
  tick->add_option("--service", tick_service, "Service whose command topic gets the tick");
  tick->add_option("--date", tick_date, "The business day, YYYY-MM-DD (Europe/London)")->required();

  CLI::App* ledger = app.add_subcommand("ledger", "Ledger operations");
  std::string charge_bus = "local", charge_at, charge_through;
  CLI::App* charge_run = ledger->add_subcommand(
      "charge-run", "Post every rent charge due up to a date (idempotent per account and period)");
  charge_run->add_option("--bus", charge_bus, "local or kafka")
      ->check(CLI::IsMember({"local", "kafka"}));
  charge_run->add_option("--at", charge_at, "LocalBus log directory, or Kafka bootstrap servers")
      ->required();
  charge_run
      ->add_option("--through", charge_through,
                   "Charge periods starting on or before "
                   "this date, YYYY-MM-DD")
      ->required();

  std::string import_file;
  rentstream::cli::ImportOptions import_options;
  CLI::App* import = ledger->add_subcommand("import", "Import a payment file (CSV) line by line");
  import->add_option("file", import_file, "The payment file (format: services/ledger/README.md)")
      ->required();
  import->add_option("--ledger", import_options.ledger_address, "The ledger's gRPC host:port")
      ->required();
  import
      ->add_option("--source", import_options.source,
                   "Where the file comes from, e.g. allpay-2026-11-25 (with each reference, "
                   "the idempotency key)")
      ->required();
  import->add_option("--concurrency", import_options.concurrency, "Requests in flight")
      ->check(CLI::Range(1, 64));
  import
      ->add_option("--lines-per-request", import_options.lines_per_request,
                   "Payment lines per ImportPayments request")
      ->check(CLI::Range(1, 10000));

  rentstream::cli::StatementOptions statement_options;
  CLI::App* statement = ledger->add_subcommand("statement", "A rent statement for a date range");
  statement->add_option("--ledger", statement_options.ledger_address, "The ledger's host:port")
      ->required();
  statement->add_option("--tenancy", statement_options.tenancy, "Tenancy reference")->required();
  statement->add_option("--from", statement_options.from, "First day, YYYY-MM-DD")->required();
  statement->add_option("--to", statement_options.to, "Last day, YYYY-MM-DD")->required();
  statement->add_option("--format", statement_options.format, "json, csv or pdf")
      ->check(CLI::IsMember({"json", "csv", "pdf"}));
  statement->add_option("--out", statement_options.out, "Write to this file (required for pdf)");
  statement->add_option("--landlord", statement_options.landlord, "Name printed on the PDF");
  rentstream::cli::BalanceOptions balance_options;
  CLI::App* balance = ledger->add_subcommand("balance", "Balance and arrears of a tenancy");
  balance->add_option("--ledger", balance_options.ledger_address, "The ledger's host:port")
      ->required();
  balance->add_option("--tenancy", balance_options.tenancy, "Tenancy reference")->required();
  balance->add_option("--as-of", balance_options.as_of, "YYYY-MM-DD (default: today)");
  balance->add_flag("--json", balance_options.json, "JSON output");

  rentstream::cli::KpiOptions kpi_options;
  rentstream::cli::SuspenseOptions suspense_options;
  CLI::App* suspense =
      ledger->add_subcommand("suspense", "Payments held in suspense, oldest first (JSON)");
  suspense->add_option("--ledger", suspense_options.ledger_address, "The ledger's host:port")
      ->required();
  suspense->add_flag("--all", suspense_options.all, "Also those allocated or reversed");
  std::string audit_bus = "local", audit_at;
  bool audit_json = false;
  CLI::App* credited_twice = ledger->add_subcommand(
      "credited-twice", "Audit: payments credited to accounts twice (exit 1 if any)");
  credited_twice->add_option("--bus", audit_bus, "local or kafka")
      ->check(CLI::IsMember({"local", "kafka"}));
  credited_twice->add_option("--at", audit_at, "LocalBus log directory, or Kafka bootstrap servers")
      ->required();
  credited_twice->add_flag("--json", audit_json, "JSON output");
  CLI::App* kpis = ledger->add_subcommand("kpis", "Income KPIs and aged debt (JSON)");
  kpis->add_option("--ledger", kpi_options.ledger_address, "The ledger's host:port")->required();
  kpis->add_option("--patch", kpi_options.patch, "One patch (default: all)");
  kpis->add_option("--as-of", kpi_options.as_of, "YYYY-MM-DD (default: today)");

  CLI::App* policy = app.add_subcommand("policy", "Escalation policy files");
  policy->require_subcommand(1);
  std::string check_file;
  CLI::App* check = policy->add_subcommand("check", "Validate a policy file (all its versions)");
  check->add_option("file", check_file, "The policy YAML file")->required();
  rentstream::cli::PolicyEvalOptions eval_options;
  CLI::App* eval = policy->add_subcommand("eval", "Evaluate a case snapshot (JSON) with a policy");
  eval->add_option("--policy", eval_options.policy_file, "The policy YAML file")->required();
  eval->add_option("--case", eval_options.case_file, "The case snapshot JSON file")->required();
  eval->add_option("--today", eval_options.today, "Business day, YYYY-MM-DD (overrides the case)");
  rentstream::cli::PolicySimulateOptions sim_options;
  CLI::App* simulate = policy->add_subcommand(
      "simulate", "Replay recorded history through a policy; compare with the recorded decisions");
  simulate->add_option("--bus", sim_options.bus, "local or kafka")
      ->check(CLI::IsMember({"local", "kafka"}));
  simulate->add_option("--at", sim_options.at, "LocalBus log directory, or Kafka bootstrap servers")
      ->required();
  simulate->add_option("--ledger-at", sim_options.ledger_at,
                       "The ledger's LocalBus log directory if not --at");
  simulate->add_option("--policy", sim_options.policy_file, "The policy YAML file")->required();
  simulate->add_option("--from", sim_options.from, "First business day, YYYY-MM-DD")->required();
  simulate->add_option("--to", sim_options.to, "Last business day, YYYY-MM-DD")->required();
  simulate->add_option("--tenancy", sim_options.tenancy, "Only this tenancy reference");
  simulate->add_option("--max-differences", sim_options.max_differences, "Differences listed")
      ->check(CLI::Range(0, 100000));
  simulate->add_flag("--json", sim_options.json, "JSON output");

  CLI11_PARSE(app, argc, argv);
  if (check->parsed()) return rentstream::cli::RunPolicyCheck(check_file);
  if (eval->parsed()) return rentstream::cli::RunPolicyEval(eval_options);
  if (simulate->parsed()) return rentstream::cli::RunPolicySimulate(sim_options);
  if (kpis->parsed()) return rentstream::cli::RunLedgerKpis(kpi_options);
  if (suspense->parsed()) return rentstream::cli::RunLedgerSuspense(suspense_options);
  if (credited_twice->parsed()) {
    return rentstream::cli::RunLedgerCreditedTwice(audit_bus, audit_at, audit_json);
  }
  if (statement->parsed()) return rentstream::cli::RunLedgerStatement(statement_options);
  if (balance->parsed()) return rentstream::cli::RunLedgerBalance(balance_options);
  if (import->parsed()) return rentstream::cli::RunLedgerImport(import_file, import_options);
  // The charge run is the ledger's business-day tick: each account posts what is due by then.
  if (charge_run->parsed()) {
    return rentstream::cli::RunTick(charge_bus, charge_at, "ledger", charge_through);
  }
  if (tick->parsed()) return rentstream::cli::RunTick(tick_bus, tick_at, tick_service, tick_date);
  if (demo->parsed()) return rentstream::cli::RunDemo(demo_dir, demo_policy_dir);
  if (verify->parsed()) return rentstream::cli::RunVerify(bus, location, service);
  return 2;
}
