#include "services/ledger/app/ledger_logic.h"

#include <algorithm>
#include <memory>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "rentstream/ledger/v1/commands.pb.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/domain/correction_roles.h"

namespace rentstream::ledger::app {
namespace {

using common::v1::Rejection;

Rejection MakeRejection(common::v1::RejectionCode code, std::string field, std::string reason) {
  Rejection r;
  r.set_code(code);
  r.set_field(std::move(field));
  r.set_reason(std::move(reason));
  return r;
}

// "field: reason" (a codec error) as a rejection naming the field.
Rejection FromStatus(const absl::Status& st) {
  const std::string message(st.message());
  const size_t colon = message.find(": ");
  if (colon == std::string::npos) {
    return MakeRejection(common::v1::REJECTION_CODE_INVALID_ARGUMENT, "payload", message);
  }
  return MakeRejection(common::v1::REJECTION_CODE_INVALID_ARGUMENT, message.substr(0, colon),
                       message.substr(colon + 2));
}

Rejection FromRefusal(const Refusal& r) {
  common::v1::RejectionCode code = common::v1::REJECTION_CODE_INVALID_ARGUMENT;
  switch (r.kind) {
    case Refusal::Kind::kInvalidArgument:
      break;
    case Refusal::Kind::kFailedPrecondition:
      code = common::v1::REJECTION_CODE_FAILED_PRECONDITION;
      break;
    case Refusal::Kind::kNotFound:
      code = common::v1::REJECTION_CODE_NOT_FOUND;
      break;
    case Refusal::Kind::kAlreadyExists:
      code = common::v1::REJECTION_CODE_ALREADY_EXISTS;
      break;
    case Refusal::Kind::kPermissionDenied:
      code = common::v1::REJECTION_CODE_PERMISSION_DENIED;
      break;
  }
  return MakeRejection(code, r.field, r.reason);
}

template <typename ProtoCommand>
absl::StatusOr<ProtoCommand> Parse(std::string_view payload) {
  ProtoCommand c;
  if (!c.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("payload: not a ", ProtoCommand::descriptor()->full_name()));
  }
  return c;
}

// Parses and converts the payload of `type` into its domain command, then calls `use` with it.
template <typename Use>
absl::Status WithCommand(const std::string& type, const std::string& tenancy,
                         std::string_view payload, Use use) {
  auto run = [&](auto parsed, auto convert) -> absl::Status {
    if (!parsed.ok()) return parsed.status();
    auto command = convert(*parsed);
    if (!command.ok()) return command.status();
    use(*command);
    return absl::OkStatus();
  };
  if (type == v1::OpenAccount::descriptor()->full_name()) {
    return run(Parse<v1::OpenAccount>(payload),
               [&](const v1::OpenAccount& c) { return FromProto(c, tenancy); });
  }
  if (type == v1::ChangeRentSchedule::descriptor()->full_name()) {
    return run(Parse<v1::ChangeRentSchedule>(payload),
               [](const v1::ChangeRentSchedule& c) { return FromProto(c); });
  }
  if (type == v1::PostCharges::descriptor()->full_name()) {
    return run(Parse<v1::PostCharges>(payload),
               [](const v1::PostCharges& c) { return FromProto(c); });
  }
  if (type == v1::RecordPayment::descriptor()->full_name()) {
    return run(Parse<v1::RecordPayment>(payload),
               [](const v1::RecordPayment& c) { return FromProto(c); });
  }
  if (type == v1::ReversePayment::descriptor()->full_name()) {
    return run(Parse<v1::ReversePayment>(payload),
               [](const v1::ReversePayment& c) { return FromProto(c); });
  }
  if (type == v1::TerminateTenancy::descriptor()->full_name()) {
    return run(Parse<v1::TerminateTenancy>(payload),
               [](const v1::TerminateTenancy& c) { return FromProto(c); });
  }
  if (type == v1::SetBenefitAward::descriptor()->full_name()) {
    return run(Parse<v1::SetBenefitAward>(payload),
               [](const v1::SetBenefitAward& c) { return FromProto(c); });
  }
  if (type == v1::EndBenefitAward::descriptor()->full_name()) {
    return run(Parse<v1::EndBenefitAward>(payload),
               [](const v1::EndBenefitAward& c) { return FromProto(c); });
  }
  if (type == v1::IssueRefund::descriptor()->full_name()) {
    return run(Parse<v1::IssueRefund>(payload),
               [](const v1::IssueRefund& c) { return FromProto(c); });
  }
  if (type == v1::PostAdjustment::descriptor()->full_name()) {
    return run(Parse<v1::PostAdjustment>(payload),
               [](const v1::PostAdjustment& c) { return FromProto(c); });
  }
  if (type == v1::PostSundryCharge::descriptor()->full_name()) {
    return run(Parse<v1::PostSundryCharge>(payload),
               [](const v1::PostSundryCharge& c) { return FromProto(c); });
  }
  if (type == v1::RequestWriteOff::descriptor()->full_name()) {
    return run(Parse<v1::RequestWriteOff>(payload),
               [](const v1::RequestWriteOff& c) { return FromProto(c); });
  }
  if (type == v1::ApproveWriteOff::descriptor()->full_name()) {
    return run(Parse<v1::ApproveWriteOff>(payload),
               [](const v1::ApproveWriteOff& c) { return FromProto(c); });
  }
  if (type == v1::RejectWriteOff::descriptor()->full_name()) {
    return run(Parse<v1::RejectWriteOff>(payload),
               [](const v1::RejectWriteOff& c) { return FromProto(c); });
  }
  if (type == v1::SuspendPayment::descriptor()->full_name()) {
    return run(Parse<v1::SuspendPayment>(payload),
               [](const v1::SuspendPayment& c) { return FromProto(c); });
  }
  if (type == v1::ReleaseFromSuspense::descriptor()->full_name()) {
    return run(Parse<v1::ReleaseFromSuspense>(payload),
               [](const v1::ReleaseFromSuspense& c) { return FromProto(c); });
  }
  if (type == v1::ReverseHeldPayment::descriptor()->full_name()) {
    return run(Parse<v1::ReverseHeldPayment>(payload),
               [](const v1::ReverseHeldPayment& c) { return FromProto(c); });
  }
  if (type == v1::ReceiveFromSuspense::descriptor()->full_name()) {
    return run(Parse<v1::ReceiveFromSuspense>(payload),
               [](const v1::ReceiveFromSuspense& c) { return FromProto(c); });
  }
  if (type == v1::TransferOut::descriptor()->full_name()) {
    return run(Parse<v1::TransferOut>(payload),
               [](const v1::TransferOut& c) { return FromProto(c); });
  }
  if (type == v1::TransferIn::descriptor()->full_name()) {
    return run(Parse<v1::TransferIn>(payload),
               [](const v1::TransferIn& c) { return FromProto(c); });
  }
  return absl::InvalidArgumentError(absl::StrCat("command_type: unknown ledger command ", type));
}

// The payments and held payments (by posting id) folding the event records or changes.
struct RecordIds {
  std::vector<std::string> payments;
  std::vector<std::string> suspended;
};
RecordIds RecordsChangedBy(const LedgerEvent& event) {
  RecordIds ids;
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, PaymentReceived>) {
          ids.payments.push_back(e.posting.id);
        } else if constexpr (std::is_same_v<T, PaymentReversed>) {
          ids.payments.push_back(e.original_posting_id);
        } else if constexpr (std::is_same_v<T, TransferredOut>) {
          if (!e.payment_posting_id.empty()) ids.payments.push_back(e.payment_posting_id);
        } else if constexpr (std::is_same_v<T, PaymentSuspended>) {
          ids.suspended.push_back(e.posting.id);
        } else if constexpr (std::is_same_v<T, SuspenseReleased> ||
                             std::is_same_v<T, HeldPaymentReversed>) {
          ids.suspended.push_back(e.suspended_posting_id);
        }
      },
      event);
  return ids;
}

// A ledger event the logic decided, handed back to its fold (runtime::NewEvent::decoded).
struct DecodedLedgerEvent : runtime::DecodedEvent {
  explicit DecodedLedgerEvent(LedgerEvent e) : event(std::move(e)) {}
  LedgerEvent event;
};

// The contract's event payload, carrying the domain event it was made from.
runtime::NewEvent Decided(LedgerEvent event) {
  runtime::NewEvent out = ToNewEvent(event);
  out.decoded = std::make_shared<const DecodedLedgerEvent>(std::move(event));
  return out;
}

const LedgerEvent* DecodedOf(const runtime::DecodedEvent* decoded) {
  return decoded != nullptr ? &static_cast<const DecodedLedgerEvent*>(decoded)->event : nullptr;
}

// The ledger a stream's state decodes to without its movements and keyed records: what
// decisions and folds start from, kept between them as the stream's memo — all of it, or only
// what payments read (StateParts::kForPayments: an import's one payment per account).
struct LedgerMemo : runtime::StreamMemo {
  TenancyLedger ledger;
  StateParts parts = StateParts::kWhole;
  // The charge parts as decoded, for the fold's encode (ToProto); null when not kept.
  KeptChargeParts charge_parts;
};

// The stream's ledger (no movements, no keyed records) with at least `parts`: the memo's when the
// host keeps one and it has them, else decoded into `scratch` (and moved into the memo when the
// host keeps one, replacing one with less).
absl::StatusOr<TenancyLedger*> LedgerOf(const state::v1::TenancyLedgerState& state,
                                        const std::string& tenancy,
                                        std::unique_ptr<runtime::StreamMemo>* memo,
                                        TenancyLedger& scratch,
                                        StateParts parts = StateParts::kWhole) {
  if (memo != nullptr && *memo != nullptr) {
    auto& kept = static_cast<LedgerMemo&>(**memo);
    if (kept.parts == StateParts::kWhole || parts == StateParts::kForPayments) return &kept.ledger;
  }
  auto filled = memo != nullptr ? std::make_unique<LedgerMemo>() : nullptr;
  auto decoded = FromProto(state, tenancy, /*with_movements=*/false, parts,
                           filled != nullptr ? &filled->charge_parts : nullptr);
  if (!decoded.ok()) return decoded.status();
  if (memo == nullptr) {
    scratch = *std::move(decoded);
    return &scratch;
  }
  filled->ledger = *std::move(decoded);
  filled->parts = parts;
  TenancyLedger* out = &filled->ledger;
  *memo = std::move(filled);
  return out;
}

bool KeptInState(const google::protobuf::RepeatedPtrField<state::v1::PaymentRecord>& kept,
                 const std::string& id) {
  return std::any_of(kept.begin(), kept.end(),
                     [&](const state::v1::PaymentRecord& r) { return r.posting_id() == id; });
}
bool KeptInState(const google::protobuf::RepeatedPtrField<state::v1::SuspendedPayment>& kept,
                 const std::string& id) {
  return std::any_of(kept.begin(), kept.end(),
                     [&](const state::v1::SuspendedPayment& r) { return r.posting_id() == id; });
}

// The suspense stream takes only suspense commands (an account opened on it would mix a tenant's
// postings with payments held for no one): a command of type T on `tenancy` is refused when it
// is not one of them.
template <typename T>
std::optional<Rejection> MisplacedOnSuspense(std::string_view tenancy) {
  if (tenancy != kSuspenseStream || std::is_same_v<T, SuspendPayment> ||
      std::is_same_v<T, ReleaseFromSuspense> || std::is_same_v<T, ReverseHeldPayment>) {
    return std::nullopt;
  }
  return MakeRejection(common::v1::REJECTION_CODE_INVALID_ARGUMENT, "tenancy_ref",
                       absl::StrCat(kSuspenseStream,
                                    " is reserved for payments held in suspense: only "
                                    "SuspendPayment, ReleaseFromSuspense and ReverseHeldPayment "
                                    "go there"));
}

}  // namespace

bool LedgerLogic::RecallsOutcomeOf(std::string_view event_type) const {
  static const std::string& kPayment = v1::PaymentReceived::descriptor()->full_name();
  return event_type == kPayment;
}

std::unique_ptr<google::protobuf::Message> LedgerLogic::NewState() const {
  return std::make_unique<state::v1::TenancyLedgerState>();
}

std::optional<Rejection> LedgerLogic::Validate(const common::v1::CommandEnvelope& envelope,
                                               std::string_view payload) const {
  std::optional<Rejection> misplaced;
  absl::Status st =
      WithCommand(envelope.command_type(), envelope.tenancy_ref(), payload, [&](const auto& c) {
        misplaced = MisplacedOnSuspense<std::decay_t<decltype(c)>>(envelope.tenancy_ref());
      });
  if (!st.ok()) return FromStatus(st);
  return misplaced;
}

runtime::Decision LedgerLogic::DecideCommand(const runtime::StreamView& stream,
                                             const common::v1::CommandEnvelope& envelope,
                                             std::string_view payload) {
  const std::string tenancy(stream.tenancy_ref);
  runtime::Decision out;
  TenancyLedger scratch;
  TenancyLedger* ledger = nullptr;
  // The keyed records join the ledger for this decision only (the memo is the state's ledger).
  absl::Cleanup keyed_out = [&] {
    if (ledger != nullptr) RemoveKeyedRecords(stream.keyed, *ledger);
  };
  absl::Status fault;
  Decision decision;
  std::optional<common::v1::CommandResult> recalled;
  // Everything Validate refuses is refused here alike, before the stored state is read
  // (DecisionValidates): the processor does not validate a command it is about to decide, whose
  // payload this decodes anyway.
  std::optional<Rejection> misplaced;
  absl::Status st = WithCommand(envelope.command_type(), tenancy, payload, [&](const auto& c) {
    using T = std::decay_t<decltype(c)>;
    misplaced = MisplacedOnSuspense<T>(tenancy);
    if (misplaced.has_value()) return;
    // What the store holds does not decode: no answer is made up from it. A payment reads
    // neither the schedule nor the periods charged.
    auto found = LedgerOf(
        static_cast<const state::v1::TenancyLedgerState&>(stream.state), tenancy, stream.memo,
        scratch, std::is_same_v<T, RecordPayment> ? StateParts::kForPayments : StateParts::kWhole);
    if (!found.ok()) {
      fault = found.status();
      return;
    }
    ledger = *found;
    if (absl::Status added = AddKeyedRecords(stream.keyed, *ledger); !added.ok()) {
      fault = added;
      return;
    }
    if constexpr (std::is_same_v<T, RecordPayment>) {
      // A repeat of the command that recorded this payment: answered as the first time.
      auto first = RecallReceipt(stream.keyed, PaymentPostingId(c.source, c.external_reference),
                                 envelope.command_id());
      if (!first.ok()) {
        fault = first.status();
        return;
      }
      recalled = *std::move(first);
      if (recalled.has_value()) return;
    }
    const Actor actor = ActorFromProto(envelope.actor());
    if (std::optional<Correction> correction = CorrectionOf<T>()) {
      if (std::optional<Refusal> refused = CheckCorrectionRole(actor, *correction)) {
        decision = *std::move(refused);
        return;
      }
    }
    if constexpr (std::is_same_v<T, RecordPayment> || std::is_same_v<T, PostAdjustment> ||
                  std::is_same_v<T, PostSundryCharge> || std::is_same_v<T, SuspendPayment>) {
      decision = Decide(*ledger, c, limits_);
    } else if constexpr (std::is_same_v<T, ApproveWriteOff> || std::is_same_v<T, TransferOut> ||
                         std::is_same_v<T, TransferIn>) {
      decision = Decide(*ledger, c, actor, limits_);
    } else if constexpr (std::is_same_v<T, RequestWriteOff> || std::is_same_v<T, RejectWriteOff>) {
      decision = Decide(*ledger, c, actor);
    } else {
      decision = Decide(*ledger, c);
    }
  });
  if (!fault.ok()) return runtime::Decision::Fault(fault);
  if (!st.ok()) {
    out.rejection = FromStatus(st);
    return out;
  }
  if (misplaced.has_value()) {
    out.rejection = std::move(misplaced);
    return out;
  }
  if (recalled.has_value()) return runtime::Decision::Recall(*std::move(recalled));
  if (const Refusal* refusal = std::get_if<Refusal>(&decision)) {
    out.rejection = FromRefusal(*refusal);
    return out;
  }
  for (LedgerEvent& e : std::get<std::vector<LedgerEvent>>(decision)) {
    out.events.push_back(Decided(std::move(e)));
  }
  return out;
}

runtime::Decision LedgerLogic::DecideTick(const runtime::StreamView& stream, int64_t day) {
  runtime::Decision out;
  TenancyLedger scratch;
  auto found = LedgerOf(static_cast<const state::v1::TenancyLedgerState&>(stream.state),
                        std::string(stream.tenancy_ref), stream.memo, scratch);
  if (!found.ok()) return runtime::Decision::Fault(found.status());
  const TenancyLedger* ledger = *found;
  const std::optional<core::Date> due = NextChargeDue(*ledger);
  const core::Date today = core::Date::FromDaysSinceEpoch(day);
  if (!due.has_value() || *due > today) return out;
  Decision decision = Decide(*ledger, PostCharges{*due, today});
  if (std::holds_alternative<Refusal>(decision)) return out;  // nothing to answer on a tick
  for (LedgerEvent& e : std::get<std::vector<LedgerEvent>>(decision)) {
    out.events.push_back(Decided(std::move(e)));
  }
  return out;
}

int64_t LedgerLogic::NextReviewDay(const google::protobuf::Message& state,
                                   const runtime::StreamMemo* memo) const {
  const auto* kept = static_cast<const LedgerMemo*>(memo);
  if (kept != nullptr && kept->parts == StateParts::kWhole) {  // already decoded, schedule and all
    const std::optional<core::Date> due = NextChargeDue(kept->ledger);
    return due.has_value() ? due->days_since_epoch() : 0;
  }
  const auto& proto = static_cast<const state::v1::TenancyLedgerState&>(state);
  auto ledger = ChargeStateFromProto(proto);
  if (!ledger.ok()) return 0;
  const std::optional<core::Date> due = NextChargeDue(*ledger);
  return due.has_value() ? due->days_since_epoch() : 0;
}

bool LedgerLogic::MovesReviewDay(std::string_view event_type) const {
  static const std::string& kPayment = v1::PaymentReceived::descriptor()->full_name();
  return event_type != kPayment;
}

absl::Status LedgerLogic::Evolve(google::protobuf::Message& state, const common::v1::Event& event) {
  return Fold(state, event, nullptr);
}

// The keys are read from the protobuf payloads alone (no conversion to the domain's types: this
// runs for every command and event); they match what RecordsChangedBy and the decisions use.
std::vector<std::string> LedgerLogic::KeysToDecide(const common::v1::CommandEnvelope& envelope,
                                                   std::string_view payload) const {
  const std::string& type = envelope.command_type();
  std::vector<std::string> keys;
  // A payload that does not parse names no keys (its decision refuses it).
  if (type == v1::RecordPayment::descriptor()->full_name()) {
    if (auto c = Parse<v1::RecordPayment>(payload); c.ok()) {
      keys.push_back(PaymentKey(PaymentPostingId(c->source(), c->external_reference())));
    }
  } else if (type == v1::ReversePayment::descriptor()->full_name()) {
    if (auto c = Parse<v1::ReversePayment>(payload); c.ok()) {
      keys.push_back(PaymentKey(c->original_posting_id()));
    }
  } else if (type == v1::TransferOut::descriptor()->full_name()) {
    if (auto c = Parse<v1::TransferOut>(payload); c.ok() && !c->payment_posting_id().empty()) {
      keys.push_back(PaymentKey(c->payment_posting_id()));
    }
  } else if (type == v1::SuspendPayment::descriptor()->full_name()) {
    if (auto c = Parse<v1::SuspendPayment>(payload); c.ok()) {
      keys.push_back(SuspendedKey(SuspendedPostingId(c->source(), c->external_reference())));
    }
  } else if (type == v1::ReleaseFromSuspense::descriptor()->full_name()) {
    if (auto c = Parse<v1::ReleaseFromSuspense>(payload); c.ok()) {
      keys.push_back(SuspendedKey(c->suspended_posting_id()));
    }
  } else if (type == v1::ReverseHeldPayment::descriptor()->full_name()) {
    if (auto c = Parse<v1::ReverseHeldPayment>(payload); c.ok()) {
      keys.push_back(SuspendedKey(c->suspended_posting_id()));
    }
  } else if (type == v1::ReceiveFromSuspense::descriptor()->full_name()) {
    // The account's record of the same payment, if it was recorded there too.
    if (auto c = Parse<v1::ReceiveFromSuspense>(payload); c.ok()) {
      if (auto paid = PaymentPostingIdOfHeld(c->suspended_posting_id())) {
        keys.push_back(PaymentKey(*paid));
      }
    }
  }
  return keys;
}

std::vector<std::string> LedgerLogic::KeysToFold(const common::v1::Event& event,
                                                 const runtime::DecodedEvent* decoded) const {
  if (const LedgerEvent* e = DecodedOf(decoded)) {  // just decided: no payload to parse
    const RecordIds ids = RecordsChangedBy(*e);
    std::vector<std::string> keys;
    for (const std::string& id : ids.payments) keys.push_back(PaymentKey(id));
    for (const std::string& id : ids.suspended) keys.push_back(SuspendedKey(id));
    return keys;
  }
  const std::string& type = event.envelope().event_type();
  const std::string& payload = event.payload();
  // A payload that does not parse names no keys: the fold reports it.
  if (type == v1::PaymentReceived::descriptor()->full_name()) {
    if (auto e = Parse<v1::PaymentReceived>(payload); e.ok()) {
      return {PaymentKey(e->posting().posting_id())};
    }
  } else if (type == v1::PaymentReversed::descriptor()->full_name()) {
    if (auto e = Parse<v1::PaymentReversed>(payload); e.ok()) {
      return {PaymentKey(e->original_posting_id())};
    }
  } else if (type == v1::TransferredOut::descriptor()->full_name()) {
    if (auto e = Parse<v1::TransferredOut>(payload); e.ok() && !e->payment_posting_id().empty()) {
      return {PaymentKey(e->payment_posting_id())};
    }
  } else if (type == v1::PaymentSuspended::descriptor()->full_name()) {
    if (auto e = Parse<v1::PaymentSuspended>(payload); e.ok()) {
      return {SuspendedKey(e->posting().posting_id())};
    }
  } else if (type == v1::SuspenseReleased::descriptor()->full_name()) {
    if (auto e = Parse<v1::SuspenseReleased>(payload); e.ok()) {
      return {SuspendedKey(e->suspended_posting_id())};
    }
  } else if (type == v1::HeldPaymentReversed::descriptor()->full_name()) {
    if (auto e = Parse<v1::HeldPaymentReversed>(payload); e.ok()) {
      return {SuspendedKey(e->suspended_posting_id())};
    }
  }
  return {};
}

absl::Status LedgerLogic::EvolveStream(google::protobuf::Message& state,
                                       const common::v1::Event& event, runtime::FoldSide& side) {
  return Fold(state, event, &side);
}

absl::Status LedgerLogic::Fold(google::protobuf::Message& state, const common::v1::Event& event,
                               runtime::FoldSide* side) {
  auto& proto = static_cast<state::v1::TenancyLedgerState&>(state);
  const std::string& tenancy = event.envelope().tenancy_ref();
  if (side == nullptr && (proto.history_movements() > 0 || proto.keyed_records())) {
    // Its newer movements would come before the older ones in the history, and its payments
    // are keyed records this fold cannot read.
    return absl::FailedPreconditionError(
        absl::StrCat("ledger state of ", tenancy,
                     " keeps its movements as history and its payments as keyed records: fold "
                     "it with EvolveStream"));
  }
  // The event as the logic decided it, or decoded from the topic.
  absl::StatusOr<LedgerEvent> from_payload;
  const LedgerEvent* e = side != nullptr ? DecodedOf(side->decoded) : nullptr;
  if (e == nullptr) {
    from_payload = EventFromProto(event.envelope().event_type(), event.payload());
    if (!from_payload.ok()) return from_payload.status();
    e = &*from_payload;
  }
  // Without its movements (the memo's, or decoded), the ledger's `movements` are exactly the
  // event's new ones.
  std::unique_ptr<runtime::StreamMemo>* memo = side != nullptr ? side->memo : nullptr;
  const auto* payment = std::get_if<PaymentReceived>(e);
  // A payment into a keyed state changes nothing of the state but its balances (the payment is a
  // keyed record, its movements history): it is folded into the ledger as far as payments read
  // it (no schedule, no periods charged), and only the balances are encoded again.
  const bool payment_in_balances_only =
      encode_changes_only_ && side != nullptr && payment != nullptr && proto.opened() &&
      proto.keyed_records() && !KeptInState(proto.payments(), payment->posting.id);
  TenancyLedger scratch;
  auto found = LedgerOf(proto, tenancy, memo, scratch,
                        payment_in_balances_only ? StateParts::kForPayments : StateParts::kWhole);
  if (!found.ok()) return found.status();
  TenancyLedger* ledger = *found;
  // Whatever fails from here leaves no memo behind that might differ from the state.
  absl::Cleanup forget = [&] {
    if (memo != nullptr) memo->reset();
  };
  if (side != nullptr) {
    if (absl::Status st = AddKeyedRecords(side->keyed, *ledger); !st.ok()) return st;
  }
  ledger::Evolve(*ledger, *e);
  if (side != nullptr) {
    // The records the event changed go back as keyed records, unless the state kept them
    // (written before keyed records): those stay where they are.
    const RecordIds changed = RecordsChangedBy(*e);
    for (const std::string& id : changed.payments) {
      if (KeptInState(proto.payments(), id)) continue;
      auto bytes = PaymentRecordAfter(id, ledger->payments[id], event, side->keyed);
      if (!bytes.ok()) return bytes.status();
      side->keyed_writes[PaymentKey(id)] = *std::move(bytes);
    }
    for (const std::string& id : changed.suspended) {
      if (KeptInState(proto.suspended(), id)) continue;
      side->keyed_writes[SuspendedKey(id)] = SuspendedRecordBytes(id, ledger->suspended[id]);
    }
    // Only what the state kept goes back into it: none of the keyed records read or written
    // (besides those the state kept, the ledger holds just these).
    RemoveKeyedRecords(side->keyed, *ledger);
    for (const std::string& id : changed.payments) {
      if (!KeptInState(proto.payments(), id)) ledger->payments.erase(id);
    }
    for (const std::string& id : changed.suspended) {
      if (!KeptInState(proto.suspended(), id)) ledger->suspended.erase(id);
    }
  }
  // As a decode of the state names it (the envelope's tenancy, not an event payload's).
  ledger->info.tenancy_ref = tenancy;
  std::vector<AccountMovement> added = std::move(ledger->movements);
  ledger->movements.clear();
  ledger->movements_before += added.size();  // as a decode of the new state would count them
  uint64_t in_history = proto.history_movements();
  if (payment_in_balances_only) {
    // A payment into a keyed state changes nothing of the state but its balances (the payment
    // is a keyed record, its movements history): the rest is not encoded again.
    BalancesToProto(*ledger, &proto);
  } else {
    // Movements in the state (folded without a history store, or before there was one) stay.
    google::protobuf::RepeatedPtrField<state::v1::Movement> kept;
    kept.Swap(proto.mutable_movements());
    ToProto(*ledger, &proto,
            memo != nullptr && *memo != nullptr
                ? static_cast<LedgerMemo&>(**memo).charge_parts.get()
                : nullptr);
    proto.mutable_movements()->Swap(&kept);
  }
  for (const AccountMovement& m : added) {
    if (side != nullptr) {
      side->history.push_back(MovementToProto(m).SerializeAsString());
      ++in_history;
    } else {
      *proto.add_movements() = MovementToProto(m);
    }
  }
  proto.set_history_movements(in_history);
  if (side != nullptr) proto.set_keyed_records(true);
  std::move(forget).Cancel();  // the memo (if kept) is the new state's ledger
  return absl::OkStatus();
}

}  // namespace rentstream::ledger::app
