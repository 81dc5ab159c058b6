#include "services/escalation/domain/pause.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace rentstream::escalation {
namespace {

using core::Date;

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

PauseRequest Request(std::string id, PauseKind kind, Date from,
                     std::optional<Date> until = std::nullopt) {
  return PauseRequest{std::move(id), kind, "officer-7", "tenant asked for time", from, until};
}

std::vector<std::string> Ids(const std::vector<Pause>& pauses) {
  std::vector<std::string> ids;
  for (const Pause& p : pauses) ids.push_back(p.id);
  return ids;
}

void ExpectRefused(const absl::Status& s, absl::StatusCode code, absl::string_view text) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), text)) << s.message() << " lacks " << text;
}

TEST(PauseValidationTest, RefusesEachBadFieldNamingIt) {
  struct Case {
    std::string name;
    PauseRequest request;
    std::string field;
  };
  const Date from = D(2026, 5, 4);
  PauseRequest no_actor = Request("p1", PauseKind::kDispute, from);
  no_actor.actor_id = "";
  PauseRequest no_reason = Request("p1", PauseKind::kDispute, from);
  no_reason.reason = "";
  PauseRequest long_reason = Request("p1", PauseKind::kDispute, from);
  long_reason.reason = std::string(kMaxReasonLength + 1, 'x');
  const std::vector<Case> cases = {
      {"empty id", Request("", PauseKind::kDispute, from), "pause.id:"},
      {"long id", Request(std::string(kMaxPauseIdLength + 1, 'a'), PauseKind::kDispute, from),
       "pause.id:"},
      {"no actor", no_actor, "pause.actor_id:"},
      {"no reason", no_reason, "pause.reason:"},
      {"long reason", long_reason, "pause.reason:"},
      {"unknown kind", Request("p1", static_cast<PauseKind>(42), from), "pause.kind:"},
      {"until before from", Request("p1", PauseKind::kDispute, from, from.AddDays(-1)),
       "pause.until: is before from"},
      {"officer without end", Request("p1", PauseKind::kOfficer, from), "pause.until:"},
      {"officer for 12 months", Request("p1", PauseKind::kOfficer, from, D(2027, 5, 4)),
       "pause.until:"},
      {"mental-health with until",
       Request("p1", PauseKind::kBreathingSpaceMentalHealth, from, from.AddDays(10)),
       "pause.until:"},
      {"standard breathing space of 61 days",
       Request("p1", PauseKind::kBreathingSpaceStandard, from, from.AddDays(60)), "pause.until:"},
      {"dated vulnerability pause of 2 years",
       Request("p1", PauseKind::kVulnerability, from, D(2028, 5, 4)), "pause.until:"},
  };
  for (const Case& c : cases) {
    PauseBook book;
    ExpectRefused(book.CheckAdd(c.request), absl::StatusCode::kInvalidArgument, c.field);
    ExpectRefused(book.Add(c.request), absl::StatusCode::kInvalidArgument, c.field);
    EXPECT_TRUE(book.pauses().empty()) << c.name;
  }
}

TEST(PauseValidationTest, AcceptsTheBoundaries) {
  PauseBook book;
  const Date from = D(2026, 5, 4);
  EXPECT_TRUE(book.Add(Request("officer", PauseKind::kOfficer, from, D(2027, 5, 3))).ok());
  EXPECT_TRUE(
      book.Add(Request("bs", PauseKind::kBreathingSpaceStandard, from, from.AddDays(59))).ok());
  EXPECT_TRUE(book.Add(Request("one-day", PauseKind::kDispute, from, from)).ok());
  EXPECT_TRUE(book.Add(Request("deceased", PauseKind::kDeceasedTenant, from)).ok());
  ExpectRefused(book.Add(Request("deceased", PauseKind::kBenefitClaimPending, from)),
                absl::StatusCode::kAlreadyExists, "pause.id: deceased");
}

TEST(BreathingSpaceTest, StandardLastsSixtyDaysInclusive) {
  PauseBook book;
  const Date from = D(2026, 3, 2);
  ASSERT_TRUE(book.Add(Request("bs", PauseKind::kBreathingSpaceStandard, from)).ok());
  EXPECT_EQ(book.Find("bs")->until, D(2026, 4, 30));  // the 60th day
  EXPECT_FALSE(InForceOn(*book.Find("bs"), D(2026, 3, 1)));
  EXPECT_TRUE(InForceOn(*book.Find("bs"), from));
  EXPECT_TRUE(InForceOn(*book.Find("bs"), D(2026, 4, 30)));
  EXPECT_FALSE(InForceOn(*book.Find("bs"), D(2026, 5, 1)));  // the 61st day
  EXPECT_EQ(book.NextReviewDate(D(2026, 3, 15)), D(2026, 5, 1));
  EXPECT_EQ(book.NextReviewDate(D(2026, 2, 1)), from);
  EXPECT_FALSE(book.NextReviewDate(D(2026, 5, 1)).has_value());
}

TEST(BreathingSpaceTest, OnlyOneStandardMoratoriumInTwelveMonths) {
  struct Row {
    Date second;
    bool accepted;
  };
  const Date first = D(2026, 3, 2);
  const std::vector<Row> rows = {
      {D(2026, 5, 1), false},  // right after the first lapses
      {D(2027, 3, 1), false},  // a day short of 12 months
      {D(2027, 3, 2), true},   // exactly 12 months
      {D(2025, 3, 3), false},  // recorded out of order, 12 months less a day before
      {D(2025, 3, 2), true},   // exactly 12 months before
  };
  for (const Row& r : rows) {
    PauseBook book;
    ASSERT_TRUE(book.Add(Request("first", PauseKind::kBreathingSpaceStandard, first)).ok());
    const absl::Status s =
        book.Add(Request("second", PauseKind::kBreathingSpaceStandard, r.second));
    if (r.accepted) {
      EXPECT_TRUE(s.ok()) << r.second.ToIso() << " " << s;
    } else {
      ExpectRefused(s, absl::StatusCode::kFailedPrecondition,
                    "only one standard Breathing Space per 12 months");
    }
  }
}

TEST(BreathingSpaceTest, TwelveMonthsFromTheLeapDayEndsOnTheLastOfFebruary) {
  PauseBook book;
  ASSERT_TRUE(book.Add(Request("first", PauseKind::kBreathingSpaceStandard, D(2024, 2, 29))).ok());
  EXPECT_FALSE(
      book.CheckAdd(Request("x", PauseKind::kBreathingSpaceStandard, D(2025, 2, 27))).ok());
  EXPECT_TRUE(book.CheckAdd(Request("x", PauseKind::kBreathingSpaceStandard, D(2025, 2, 28))).ok());
  EXPECT_EQ(book.Find("first")->until, D(2024, 4, 28));  // 29 Feb + 59 days in a leap year
}

TEST(BreathingSpaceTest, AMoratoriumWithdrawnBeforeItBeganDoesNotCount) {
  PauseBook book;
  ASSERT_TRUE(book.Add(Request("first", PauseKind::kBreathingSpaceStandard, D(2026, 3, 2))).ok());
  ASSERT_TRUE(book.Lift("first", D(2026, 3, 2), "officer-7", "entered in error").ok());
  EXPECT_TRUE(book.Add(Request("real", PauseKind::kBreathingSpaceStandard, D(2026, 3, 9))).ok());
}

TEST(BreathingSpaceTest, MentalHealthCrisisRunsUntilThirtyDaysAfterTreatment) {
  PauseBook book;
  const Date from = D(2026, 1, 12);
  ASSERT_TRUE(book.Add(Request("mh", PauseKind::kBreathingSpaceMentalHealth, from)).ok());
  EXPECT_TRUE(InForceOn(*book.Find("mh"), D(2030, 1, 1)));  // no fixed limit
  EXPECT_FALSE(book.NextReviewDate(D(2026, 6, 1)).has_value());
  ExpectRefused(book.NotifyTreatmentEnded("mh", D(2026, 1, 11)), absl::StatusCode::kInvalidArgument,
                "pause.treatment_ended_on:");
  ASSERT_TRUE(book.NotifyTreatmentEnded("mh", D(2026, 9, 30)).ok());
  EXPECT_EQ(book.Find("mh")->until, D(2026, 10, 30));
  EXPECT_TRUE(InForceOn(*book.Find("mh"), D(2026, 10, 30)));
  EXPECT_FALSE(InForceOn(*book.Find("mh"), D(2026, 10, 31)));
  EXPECT_EQ(book.NextReviewDate(D(2026, 10, 1)), D(2026, 10, 31));
  ExpectRefused(book.NotifyTreatmentEnded("mh", D(2026, 10, 5)),
                absl::StatusCode::kFailedPrecondition, "already");
  ASSERT_TRUE(book.Add(Request("bs", PauseKind::kBreathingSpaceStandard, D(2027, 1, 4))).ok());
  ExpectRefused(book.NotifyTreatmentEnded("bs", D(2027, 1, 10)),
                absl::StatusCode::kFailedPrecondition, "not a mental-health");
  ExpectRefused(book.NotifyTreatmentEnded("nope", D(2027, 1, 10)), absl::StatusCode::kNotFound,
                "nope");
}

TEST(PauseBookTest, OverlapsOfTheSameKindAreRefusedOthersStack) {
  PauseBook book;
  ASSERT_TRUE(book.Add(Request("d1", PauseKind::kDispute, D(2026, 5, 4), D(2026, 5, 31))).ok());
  ExpectRefused(book.Add(Request("d2", PauseKind::kDispute, D(2026, 5, 31))),
                absl::StatusCode::kFailedPrecondition, "overlaps pause d1");
  ExpectRefused(book.Add(Request("d3", PauseKind::kDispute, D(2026, 4, 1), D(2026, 5, 4))),
                absl::StatusCode::kFailedPrecondition, "overlaps pause d1");
  EXPECT_TRUE(book.Add(Request("d4", PauseKind::kDispute, D(2026, 6, 1))).ok());  // adjacent
  EXPECT_TRUE(book.Add(Request("v", PauseKind::kVulnerability, D(2026, 5, 10))).ok());
  // Breathing Space kinds are one family: not both at once.
  ASSERT_TRUE(book.Add(Request("mh", PauseKind::kBreathingSpaceMentalHealth, D(2026, 5, 4))).ok());
  ExpectRefused(book.Add(Request("bs", PauseKind::kBreathingSpaceStandard, D(2026, 7, 1))),
                absl::StatusCode::kFailedPrecondition, "overlaps pause mh");
  EXPECT_EQ(Ids(book.ActiveOn(D(2026, 5, 20))), (std::vector<std::string>{"d1", "v", "mh"}));
  EXPECT_EQ(Ids(book.ActiveOn(D(2026, 6, 1))), (std::vector<std::string>{"d4", "v", "mh"}));
}

TEST(PauseBookTest, LiftingEndsAPauseFromThatDay) {
  PauseBook book;
  ASSERT_TRUE(book.Add(Request("o", PauseKind::kOfficer, D(2026, 5, 4), D(2026, 6, 30))).ok());
  ExpectRefused(book.Lift("o", D(2026, 5, 3), "officer-7", "early"),
                absl::StatusCode::kFailedPrecondition, "not in force on 2026-05-03");
  ExpectRefused(book.Lift("o", D(2026, 7, 1), "officer-7", "late"),
                absl::StatusCode::kFailedPrecondition, "not in force");
  ExpectRefused(book.Lift("x", D(2026, 5, 10), "officer-7", "who"), absl::StatusCode::kNotFound,
                "no pause x");
  ExpectRefused(book.Lift("o", D(2026, 5, 10), "", "no actor"), absl::StatusCode::kInvalidArgument,
                "pause.lift.actor_id:");
  ExpectRefused(book.Lift("o", D(2026, 5, 10), "officer-7", ""), absl::StatusCode::kInvalidArgument,
                "pause.lift.reason:");
  ASSERT_TRUE(book.CheckLift("o", D(2026, 5, 10), "officer-7", "paid in full").ok());
  EXPECT_FALSE(book.Find("o")->lifted_on.has_value());  // Check* changes nothing
  ASSERT_TRUE(book.Lift("o", D(2026, 5, 10), "officer-7", "paid in full").ok());
  EXPECT_TRUE(InForceOn(*book.Find("o"), D(2026, 5, 9)));
  EXPECT_FALSE(InForceOn(*book.Find("o"), D(2026, 5, 10)));
  EXPECT_EQ(LastDayInForce(*book.Find("o")), D(2026, 5, 9));
  EXPECT_EQ(book.Find("o")->lifted_by, "officer-7");
  ExpectRefused(book.Lift("o", D(2026, 5, 9), "officer-7", "again"),
                absl::StatusCode::kFailedPrecondition, "already lifted on 2026-05-10");
  // The freed days can take a new pause of the same kind.
  EXPECT_TRUE(book.Add(Request("o2", PauseKind::kOfficer, D(2026, 5, 10), D(2026, 5, 20))).ok());
}

TEST(PauseBookTest, BreathingSpaceBlocksTheStatutoryListOtherPausesAllEscalation) {
  struct Row {
    PauseKind kind;
    Blocked blocked;
  };
  const Blocked statutory = Blocked::kDemand | Blocked::kNotice | Blocked::kCourt |
                            Blocked::kWarrant | Blocked::kDeduction | Blocked::kFeesAndInterest;
  const std::vector<Row> rows = {
      {PauseKind::kBreathingSpaceStandard, statutory},
      {PauseKind::kBreathingSpaceMentalHealth, statutory},
      {PauseKind::kBenefitClaimPending, Blocked::kAllEscalation},
      {PauseKind::kVulnerability, Blocked::kAllEscalation},
      {PauseKind::kDispute, Blocked::kAllEscalation},
      {PauseKind::kDeceasedTenant, Blocked::kAllEscalation},
      {PauseKind::kOfficer, Blocked::kAllEscalation},
  };
  for (const Row& r : rows) {
    PauseBook book;
    const bool open_ended = r.kind == PauseKind::kBreathingSpaceMentalHealth;
    const std::optional<Date> until = open_ended ? std::nullopt : std::optional(D(2026, 5, 31));
    ASSERT_TRUE(book.Add(Request("p", r.kind, D(2026, 5, 4), until)).ok());
    EXPECT_EQ(book.BlockedOn(D(2026, 5, 3)), Blocked::kNone) << static_cast<int>(r.kind);
    EXPECT_EQ(book.BlockedOn(D(2026, 5, 4)), r.blocked) << static_cast<int>(r.kind);
    EXPECT_EQ(book.BlockedOn(D(2026, 6, 1)) == Blocked::kNone, !open_ended);
    EXPECT_TRUE(Blocks(book.BlockedOn(D(2026, 5, 4)), Blocked::kNotice | Blocked::kCourt));
  }
  EXPECT_FALSE(Blocks(Blocked::kAllEscalation, Blocked::kFeesAndInterest));
  EXPECT_FALSE(Blocks(Blocked::kAllEscalation, Blocked::kNone));
  EXPECT_TRUE(Blocks(statutory, Blocked::kAllEscalation));
}

TEST(PauseBookTest, NextReviewIsTheNextStartOrLapse) {
  PauseBook book;
  ASSERT_TRUE(book.Add(Request("o", PauseKind::kOfficer, D(2026, 5, 4), D(2026, 5, 31))).ok());
  ASSERT_TRUE(book.Add(Request("c", PauseKind::kBenefitClaimPending, D(2026, 5, 20))).ok());
  EXPECT_EQ(book.NextReviewDate(D(2026, 5, 1)), D(2026, 5, 4));
  EXPECT_EQ(book.NextReviewDate(D(2026, 5, 4)), D(2026, 5, 20));
  EXPECT_EQ(book.NextReviewDate(D(2026, 5, 20)), D(2026, 6, 1));
  EXPECT_FALSE(book.NextReviewDate(D(2026, 6, 1)).has_value());  // only the open-ended claim
  ASSERT_TRUE(book.Lift("c", D(2026, 7, 6), "officer-7", "UC award made").ok());
  EXPECT_EQ(book.NextReviewDate(D(2026, 6, 1)), D(2026, 7, 6));
}

TEST(NoticeVoidTest, ANoticeServedDuringBreathingSpaceIsVoid) {
  PauseBook book;
  ASSERT_TRUE(book.Add(Request("o", PauseKind::kOfficer, D(2026, 1, 5), D(2026, 1, 31))).ok());
  ASSERT_TRUE(book.Add(Request("bs", PauseKind::kBreathingSpaceStandard, D(2026, 3, 2))).ok());
  ASSERT_TRUE(book.Add(Request("mh", PauseKind::kBreathingSpaceMentalHealth, D(2026, 9, 1))).ok());
  ASSERT_TRUE(book.Lift("mh", D(2026, 10, 1), "officer-7", "moratorium cancelled").ok());
  struct Row {
    Date served;
    bool void_notice;
  };
  const std::vector<Row> rows = {
      {D(2026, 1, 10), false},  // an officer pause does not void a notice
      {D(2026, 3, 1), false},  {D(2026, 3, 2), true},  {D(2026, 4, 30), true},
      {D(2026, 5, 1), false},  {D(2026, 9, 30), true},  // lifted later: still void
      {D(2026, 10, 1), false},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(NoticeVoidForBreathingSpace(book, r.served), r.void_notice) << r.served.ToIso();
  }
}

// Between a date and the book's next review date, the pauses in force do not change, so the
// service may sleep until then; and nothing blocks on a day with no pause in force.
RC_GTEST_PROP(PauseBookProperty, NothingChangesBeforeTheNextReviewDate, ()) {
  PauseBook book;
  const Date base = D(2026, 1, 1);
  const int n = *rc::gen::inRange(0, 12);
  for (int i = 0; i < n; ++i) {
    const auto kind = static_cast<PauseKind>(*rc::gen::inRange(0, 7));
    const Date from = base.AddDays(*rc::gen::inRange(0, 300));
    std::optional<Date> until;
    if (kind == PauseKind::kOfficer || *rc::gen::arbitrary<bool>()) {
      until = from.AddDays(*rc::gen::inRange(0, 59));
    }
    if (kind == PauseKind::kBreathingSpaceMentalHealth) until.reset();
    const std::string id = "p" + std::to_string(i);
    if (!book.Add(Request(id, kind, from, until)).ok()) continue;
    if (*rc::gen::arbitrary<bool>()) {
      const Date on = from.AddDays(*rc::gen::inRange(0, 40));
      const bool in_force = InForceOn(*book.Find(id), on);
      RC_ASSERT(book.Lift(id, on, "officer-7", "done").ok() == in_force);
    }
  }
  const Date as_of = base.AddDays(*rc::gen::inRange(-10, 400));
  const std::optional<Date> next = book.NextReviewDate(as_of);
  const Date horizon = next ? next->AddDays(-1) : as_of.AddDays(400);
  RC_ASSERT(!next || *next > as_of);
  const std::vector<std::string> now = Ids(book.ActiveOn(as_of));
  for (Date d = as_of; d <= horizon; d = d.AddDays(1)) {
    RC_ASSERT(Ids(book.ActiveOn(d)) == now);
    RC_ASSERT((book.BlockedOn(d) == Blocked::kNone) == now.empty());
  }
  if (next) RC_ASSERT(Ids(book.ActiveOn(*next)) != now);
}

}  // namespace
}  // namespace rentstream::escalation
