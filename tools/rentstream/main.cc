// rentstream: the command-line tool. Subcommands grow with the services.
#include <CLI/CLI.hpp>

#include "tools/rentstream/demo.h"

int main(int argc, char** argv) {
  CLI::App app{"Rentstream: rent-arrears management on an event-sourced suite"};
  app.require_subcommand(1);

  std::string demo_dir;
  CLI::App* demo = app.add_subcommand("demo", "Run the tour on the embedded log (no broker)");
  demo->add_option("--data-dir", demo_dir, "Keep the demo's data here (default: a temp dir)");

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

  CLI11_PARSE(app, argc, argv);
  // The charge run is the ledger's business-day tick: each account posts what is due by then.
  if (charge_run->parsed()) {
    return rentstream::cli::RunTick(charge_bus, charge_at, "ledger", charge_through);
  }
  if (tick->parsed()) return rentstream::cli::RunTick(tick_bus, tick_at, tick_service, tick_date);
  if (demo->parsed()) return rentstream::cli::RunDemo(demo_dir);
  if (verify->parsed()) return rentstream::cli::RunVerify(bus, location, service);
  return 2;
}
