#include "libs/core/hash_chain.h"

#include <gtest/gtest.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace rentstream::core {
namespace {

std::vector<ChainedEvent> MakeChain(const std::string& tenancy, int n) {
  std::vector<ChainedEvent> chain;
  std::string prev = GenesisHash();
  for (int i = 1; i <= n; ++i) {
    ChainedEvent e;
    e.envelope.event_id = absl::StrCat("evt-", i);
    e.envelope.tenancy_ref = tenancy;
    e.envelope.sequence = static_cast<uint64_t>(i);
    e.envelope.event_type = "rentstream.ledger.v1.PaymentReceived";
    e.envelope.schema_version = 1;
    e.envelope.occurred_at_us = 1764000000000000 + i;
    e.envelope.recorded_at_us = 1764000000000100 + i;
    e.envelope.actor_id = "officer-7";
    e.envelope.actor_role = 2;
    e.envelope.command_id = absl::StrCat("cmd-", i);
    e.envelope.causation_id = absl::StrCat("cmd-", i);
    e.envelope.correlation_id = "corr-1";
    e.envelope.service = "ledger";
    e.envelope.prev_hash = prev;
    e.payload = absl::StrCat("amount=", i * 100);
    Seal(e.envelope, e.payload);
    prev = e.envelope.hash;
    chain.push_back(e);
  }
  return chain;
}

TEST(HashTest, Sha256MatchesKnownVectors) {
  EXPECT_EQ(ToHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(GenesisHash(), std::string(32, '\0'));
}

TEST(HashTest, CanonicalBytesDependOnEveryFieldButTheHash) {
  ChainedEvent base = MakeChain("HA-1", 1)[0];
  const std::string h = ComputeHash(base.envelope, base.payload);
  EXPECT_EQ(h, base.envelope.hash);
  EnvelopeFields f = base.envelope;
  f.hash = "anything";
  EXPECT_EQ(ComputeHash(f, base.payload), h);  // hash is not hashed
  std::vector<void (*)(EnvelopeFields&)> edits = {
      [](EnvelopeFields& e) { e.event_id += "x"; },
      [](EnvelopeFields& e) { e.tenancy_ref += "x"; },
      [](EnvelopeFields& e) { e.sequence++; },
      [](EnvelopeFields& e) { e.event_type += "x"; },
      [](EnvelopeFields& e) { e.schema_version++; },
      [](EnvelopeFields& e) { e.occurred_at_us++; },
      [](EnvelopeFields& e) { e.recorded_at_us++; },
      [](EnvelopeFields& e) { e.actor_id += "x"; },
      [](EnvelopeFields& e) { e.actor_role++; },
      [](EnvelopeFields& e) { e.command_id += "x"; },
      [](EnvelopeFields& e) { e.causation_id += "x"; },
      [](EnvelopeFields& e) { e.correlation_id += "x"; },
      [](EnvelopeFields& e) { e.service += "x"; },
      [](EnvelopeFields& e) { e.prev_hash[0] ^= 1; },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    EnvelopeFields edited = base.envelope;
    edits[i](edited);
    EXPECT_NE(ComputeHash(edited, base.payload), h) << "field edit " << i;
  }
  EXPECT_NE(ComputeHash(base.envelope, base.payload + "x"), h);
  // Length prefixes: moving bytes between adjacent fields changes the hash.
  EnvelopeFields a = base.envelope, b = base.envelope;
  a.actor_id = "ab";
  a.command_id = "c";
  b.actor_id = "a";
  b.command_id = "bc";
  EXPECT_NE(ComputeHash(a, ""), ComputeHash(b, ""));
}

TEST(ChainTest, AnIntactChainVerifies) {
  auto chain = MakeChain("HA-1", 20);
  ChainVerdict v = VerifyChain(chain);
  EXPECT_TRUE(v.ok) << v.detail;
  EXPECT_TRUE(VerifyChain({}).ok);
  // A suffix verifies given where it starts.
  std::span<const ChainedEvent> tail(chain.data() + 5, chain.size() - 5);
  EXPECT_TRUE(VerifyChain(tail, chain[4].envelope.hash, 6).ok);
  EXPECT_FALSE(VerifyChain(tail).ok);
}

TEST(ChainTest, DetectsAnEditedEvent) {
  auto chain = MakeChain("HA-1", 10);
  chain[4].payload = "amount=99999";
  ChainVerdict v = VerifyChain(chain);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.index, 4u);
  EXPECT_EQ(v.problem, ChainProblem::kHashMismatch);

  // Re-sealing the edited event to hide the edit breaks the link of the next one.
  Seal(chain[4].envelope, chain[4].payload);
  v = VerifyChain(chain);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.index, 5u);
  EXPECT_EQ(v.problem, ChainProblem::kBrokenLink);
}

TEST(ChainTest, DetectsADeletedEvent) {
  auto chain = MakeChain("HA-1", 10);
  chain.erase(chain.begin() + 3);
  ChainVerdict v = VerifyChain(chain);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.index, 3u);
  EXPECT_EQ(v.problem, ChainProblem::kSequenceGap);
  // Deleting the last event cannot be seen from the chain alone, but deleting the first can.
  auto head_cut = MakeChain("HA-1", 3);
  head_cut.erase(head_cut.begin());
  EXPECT_FALSE(VerifyChain(head_cut).ok);
}

TEST(ChainTest, DetectsADeletionEvenWhenSequencesAreRewritten) {
  auto chain = MakeChain("HA-1", 6);
  chain.erase(chain.begin() + 2);
  for (size_t i = 2; i < chain.size(); ++i) {
    chain[i].envelope.sequence = i + 1;
    Seal(chain[i].envelope, chain[i].payload);
  }
  ChainVerdict v = VerifyChain(chain);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.index, 2u);
  EXPECT_EQ(v.problem, ChainProblem::kBrokenLink);
}

TEST(ChainTest, DetectsReorderedEvents) {
  auto chain = MakeChain("HA-1", 10);
  std::swap(chain[6], chain[7]);
  ChainVerdict v = VerifyChain(chain);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.index, 6u);
  EXPECT_EQ(v.problem, ChainProblem::kSequenceGap);
}

TEST(ChainTest, DetectsAnEventFromAnotherStream) {
  auto chain = MakeChain("HA-1", 3);
  auto other = MakeChain("HA-2", 3);
  chain[2] = other[2];
  ChainVerdict v = VerifyChain(chain);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem, ChainProblem::kWrongStream);
}

}  // namespace
}  // namespace rentstream::core
