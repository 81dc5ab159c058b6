#pragma once
// The ledger logic's test fixture: commands decided and their events folded as the processor host
// does it — in the state (plain Evolve), or as the runtime does with a history and keyed-record
// store and a memo (set `history_`). Shared by ledger_logic_test.cc and ledger_side_test.cc.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "rentstream/ledger/v1/commands.pb.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic.h"

namespace rentstream::ledger::app {

inline constexpr char kTenancy[] = "HA-000123";

inline v1::OpenAccount OpenCommand() {
  v1::OpenAccount c;
  c.set_tenancy_type(v1::TENANCY_TYPE_SECURE);
  c.set_jurisdiction(v1::JURISDICTION_ENGLAND);
  c.set_patch("EAST-2");
  c.add_tenant_ids("person-1");
  *c.mutable_start_date() = ProtoDate(2026, 4, 6);
  v1::RentSchedule& s = *c.mutable_schedule();
  s.set_frequency(v1::FREQUENCY_WEEKLY);
  *s.mutable_anchor() = ProtoDate(2026, 4, 6);
  v1::RentRate& rate = *s.add_rates();
  *rate.mutable_effective_from() = ProtoDate(2026, 4, 6);
  v1::ChargeLine& line = *rate.add_lines();
  line.set_kind(v1::CHARGE_KIND_NET_RENT);
  line.set_code("RNT");
  *line.mutable_amount() = ProtoPence(11050);
  return c;
}

class LedgerLogicTest : public ::testing::Test {
 protected:
  // Decides a command (with a new command id) and folds its events, as the processor host does.
  runtime::Decision Run(const google::protobuf::Message& payload, const std::string& actor = "",
                        common::v1::ActorRole role = common::v1::ACTOR_ROLE_OFFICER) {
    return RunWithId(absl::StrCat("cmd-", ++commands_), payload, actor, role);
  }
  runtime::Decision RunWithId(const std::string& command_id,
                              const google::protobuf::Message& payload,
                              const std::string& actor = "",
                              common::v1::ActorRole role = common::v1::ACTOR_ROLE_OFFICER) {
    common::v1::CommandEnvelope env;
    env.set_command_id(command_id);
    env.mutable_actor()->set_id(actor);
    env.mutable_actor()->set_role(role);
    env.set_tenancy_ref(tenancy_);
    env.set_command_type(payload.GetDescriptor()->full_name());
    const std::string bytes = payload.SerializeAsString();
    if (auto rejection = logic_.Validate(env, bytes)) {
      // The processor does not validate before deciding (DecisionValidates): the decision
      // refuses it alike, and changes nothing.
      runtime::StreamView view{tenancy_, sequence_, *state_, runtime::kNoKeyedRecords, nullptr};
      runtime::Decision decided = logic_.DecideCommand(view, env, bytes);
      EXPECT_TRUE(logic_.DecisionValidates());
      EXPECT_TRUE(decided.fault.ok()) << decided.fault;
      EXPECT_TRUE(decided.events.empty());
      EXPECT_TRUE(decided.rejection.has_value() &&
                  decided.rejection->SerializeAsString() == rejection->SerializeAsString())
          << "Validate: " << rejection->ShortDebugString() << "; DecideCommand: "
          << (decided.rejection.has_value() ? decided.rejection->ShortDebugString() : "none");
      runtime::Decision d;
      d.rejection = *rejection;
      return d;
    }
    // As the runtime does with a history store: only the keyed records named are loaded.
    const runtime::KeyedRecords named =
        history_ != nullptr ? Named(logic_.KeysToDecide(env, bytes)) : runtime::KeyedRecords();
    // As the runtime does: the logic's memo of the state kept between calls.
    if (forget_memo_) memo_.reset();
    runtime::StreamView view{tenancy_, sequence_, *state_, named,
                             history_ != nullptr ? &memo_ : nullptr};
    runtime::Decision d = logic_.DecideCommand(view, env, bytes);
    EXPECT_TRUE(d.fault.ok()) << d.fault;
    for (const runtime::NewEvent& ne : d.events) {
      common::v1::Event ev;
      ev.mutable_envelope()->set_tenancy_ref(tenancy_);
      ev.mutable_envelope()->set_event_type(ne.event_type);
      // As the host seals it: the command's id, an event id, the stream's next sequence.
      ev.mutable_envelope()->set_command_id(command_id);
      ev.mutable_envelope()->set_event_id(absl::StrCat("evt-", sequence_ + 1));
      ev.mutable_envelope()->set_sequence(sequence_ + 1);
      ev.set_payload(ne.payload);
      if (history_ != nullptr) {
        // As the runtime folds the event from the topic (catch-up, rebuild): decoded from its
        // payload, without a memo — and here encoding the whole state after it, so that the
        // comparison below also checks what a fold leaves unencoded.
        std::unique_ptr<google::protobuf::Message> from_topic(state_->New());
        from_topic->CopyFrom(*state_);
        runtime::FoldSide topic_side;
        topic_side.keyed = Named(whole_logic_.KeysToFold(ev, nullptr));
        EXPECT_TRUE(whole_logic_.EvolveStream(*from_topic, ev, topic_side).ok());
        const int64_t review_day_before = logic_.NextReviewDay(*state_, nullptr);
        // As the runtime folds what the logic has just decided: its decoded event, the memo.
        EXPECT_NE(ne.decoded, nullptr) << ne.event_type;
        runtime::FoldSide side;
        side.memo = &memo_;
        side.decoded = ne.decoded.get();
        side.keyed = Named(logic_.KeysToFold(ev, side.decoded));
        EXPECT_EQ(side.keyed, topic_side.keyed) << ne.event_type;
        EXPECT_TRUE(logic_.EvolveStream(*state_, ev, side).ok());
        // Both folds come to the same state and records: live and replayed projections agree.
        EXPECT_EQ(state_->SerializeAsString(), from_topic->SerializeAsString()) << ne.event_type;
        EXPECT_EQ(side.history, topic_side.history) << ne.event_type;
        EXPECT_EQ(side.keyed_writes, topic_side.keyed_writes) << ne.event_type;

        // As the runtime asks after each event: from the memo, the state's review day — and
        // after an event the logic says cannot move it, the day it was before.
        const int64_t review_day = logic_.NextReviewDay(*state_, memo_.get());
        EXPECT_EQ(review_day, logic_.NextReviewDay(*state_, nullptr)) << ne.event_type;
        if (!logic_.MovesReviewDay(ne.event_type)) {
          EXPECT_EQ(review_day, review_day_before) << ne.event_type << " moved the review day";
        }
        history_->insert(history_->end(), side.history.begin(), side.history.end());
        for (auto& [key, record] : side.keyed_writes) keyed_[key] = record;
      } else {
        EXPECT_TRUE(logic_.Evolve(*state_, ev).ok());
      }
      ++sequence_;
    }
    return d;
  }
  runtime::KeyedRecords Named(const std::vector<std::string>& keys) const {
    runtime::KeyedRecords out;
    for (const std::string& k : keys) {
      if (auto it = keyed_.find(k); it != keyed_.end()) out.insert(*it);
    }
    return out;
  }
  const state::v1::TenancyLedgerState& state() const {
    return static_cast<const state::v1::TenancyLedgerState&>(*state_);
  }
  int64_t RentBalance() const {
    for (const auto& b : state().balances()) {
      if (b.kind() == v1::ACCOUNT_KIND_RENT) return b.balance().pence();
    }
    return 0;
  }

  LedgerLogic logic_;
  // Folds as logic_ does, encoding the whole state after every event.
  LedgerLogic whole_logic_ = [] {
    LedgerLogic l;
    l.set_encode_changes_only(false);
    return l;
  }();
  std::unique_ptr<google::protobuf::Message> state_ = logic_.NewState();
  uint64_t sequence_ = 0;
  int commands_ = 0;                             // commands Run gave an id
  std::vector<std::string>* history_ = nullptr;  // set: fold as the runtime does
  runtime::KeyedRecords keyed_;                  // the stream's keyed records, then
  std::string tenancy_ = kTenancy;
  std::unique_ptr<runtime::StreamMemo> memo_;  // only used with history_, reset with state_
  bool forget_memo_ = false;                   // set: decode the state for every command
};

}  // namespace rentstream::ledger::app
