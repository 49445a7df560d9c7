// The outbox side of PgBookingRepository and PgOutbox against a real PostgreSQL: texts are written
// with the change that causes them (or not at all), once per key, and claimed by one claimer only.
#include <gtest/gtest.h>

#include <set>

#include <boost/asio/io_context.hpp>
#include <pqxx/pqxx>

#include "bella/booking/change_texts.hpp"
#include "db/migrate.hpp"
#include "db/pg_booking_repository.hpp"
#include "notify/pg_outbox.hpp"
#include "support/pg_test_db.hpp"

namespace bella::db {
namespace {

using testing::TestDatabase;

template <class T>
T run(Task<T> task) {
  asio::io_context ioc;
  std::optional<T> out;
  std::exception_ptr error;
  asio::co_spawn(
      ioc, [&]() -> Task<void> { out.emplace(co_await std::move(task)); },
      [&](std::exception_ptr e) { error = e; });
  ioc.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

constexpr long long kT0 = 1'900'000'000;  // 2030-03-17
void run_void(Task<void> task) {
  asio::io_context ioc;
  std::exception_ptr error;
  asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e) { error = e; });
  ioc.run();
  if (error) std::rethrow_exception(error);
}

TimePoint at(long long s) { return TimePoint(std::chrono::seconds(s)); }

// One text per change, named after it, due at the start minus an hour.
class OneTextPerChange final : public booking::ChangeTexts {
 public:
  [[nodiscard]] std::vector<booking::OutgoingText> texts_for(const booking::BookingChange& c) const override {
    const char* kind = c.kind == booking::ChangeKind::booked        ? "confirmation"
                       : c.kind == booking::ChangeKind::rescheduled ? "rescheduled"
                                                                    : "cancelled";
    std::vector<booking::OutgoingText> out{{.kind = kind, .to = c.after.user.mobile, .body = "hi", .due = at(kT0 - 7200),
                                            .drop_after = c.after.appointment.starts_at_utc}};
    if (c.kind != booking::ChangeKind::cancelled)
      out.push_back({.kind = "reminder", .to = c.after.user.mobile, .body = "soon", .due = c.after.appointment.starts_at_utc - std::chrono::hours(1),
                     .drop_after = c.after.appointment.starts_at_utc});
    return out;
  }
};

class Outbox : public ::testing::Test {
 protected:
  void SetUp() override {
    migrate(db_.url(), BELLA_MIGRATIONS_DIR);
    pool_ = std::make_unique<PgPool>(PgSettings{.url = db_.url(), .size = 2});
    repo_ = std::make_unique<PgBookingRepository>(*pool_, &texts_);
    outbox_ = std::make_unique<notify::PgOutbox>(*pool_);
    const std::string name = "Sarah Johnson", mobile = "+14035550123";
    user_ = run(repo_->find_or_create_user(name, mobile))->id;
  }
  long long count(const std::string& where) {
    pqxx::connection c(db_.url());
    pqxx::nontransaction tx(c);
    return tx.exec1("SELECT count(*) FROM messages WHERE " + where)[0].as<long long>();
  }
  booking::NewAppointment appt(long long start) {
    booking::NewAppointment n;
    n.user_id = user_;
    n.starts_at_utc = at(start);
    n.call_sid = "CA" + std::to_string(start);
    return n;
  }
  OneTextPerChange texts_;
  TestDatabase db_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgBookingRepository> repo_;
  std::unique_ptr<notify::PgOutbox> outbox_;
  std::int64_t user_ = 0;
};

TEST_F(Outbox, ABookingWritesItsTextsAndARefusedOneWritesNone) {
  const auto n = appt(kT0);
  auto b = run(repo_->book(n));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(count("true"), 2);
  // The replayed CallSid and an overlapping booking add nothing.
  EXPECT_TRUE(run(repo_->book(n))->replayed);
  auto clash = appt(kT0 + 600);
  EXPECT_EQ(run(repo_->book(clash)).error().code, Errc::conflict);
  EXPECT_EQ(count("true"), 2);
}

TEST_F(Outbox, CancelTwiceSendsOneNoticeAndDropsTheReminder) {
  const auto n = appt(kT0);
  const auto id = run(repo_->book(n))->appointment.id;
  ASSERT_TRUE(run(repo_->cancel(id, std::nullopt)).ok());
  ASSERT_TRUE(run(repo_->cancel(id, std::nullopt)).ok());
  EXPECT_EQ(count("kind = 'cancelled'"), 1);
  EXPECT_EQ(count("kind = 'reminder' AND status = 'dropped'"), 1);
  // Notes alone send nothing.
  booking::AppointmentPatch notes;
  notes.notes = "bring forms";
  ASSERT_TRUE(run(repo_->update_appointment(id, notes)).ok());
  EXPECT_EQ(count("true"), 3);
}

TEST_F(Outbox, TwoClaimersNeverShareARow) {
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(run(repo_->book(appt(kT0 + 3600 * i))).ok());
  const double now = static_cast<double>(kT0 - 5000);  // confirmations due, reminders not yet
  auto first = run(outbox_->claim(now, 4, std::chrono::seconds(60)));
  auto second = run(outbox_->claim(now, 4, std::chrono::seconds(60)));
  EXPECT_EQ(first.claims.size(), 4u);
  EXPECT_EQ(second.claims.size(), 2u);
  std::set<std::int64_t> ids;
  for (const auto& c : first.claims) ids.insert(c.id);
  for (const auto& c : second.claims) EXPECT_TRUE(ids.insert(c.id).second) << "claimed twice: " << c.id;
  EXPECT_TRUE(run(outbox_->claim(now, 4, std::chrono::seconds(60))).claims.empty());
  // A claim whose lease lapsed is taken again.
  EXPECT_EQ(run(outbox_->claim(now + 61, 10, std::chrono::seconds(60))).claims.size(), 6u);
}

TEST_F(Outbox, OptedOutAndTooLateTextsAreDropped) {
  const auto id = run(repo_->book(appt(kT0)))->appointment.id;
  const std::string mobile = "+14035550123";
  run_void(outbox_->opt_out(mobile));
  EXPECT_TRUE(run(outbox_->opted_out(mobile)));
  auto batch = run(outbox_->claim(static_cast<double>(kT0 - 3600), 10, std::chrono::seconds(60)));
  EXPECT_TRUE(batch.claims.empty());
  EXPECT_EQ(batch.dropped.size(), 2u);  // confirmation and (now due) reminder
  run_void(outbox_->opt_in(mobile));
  EXPECT_FALSE(run(outbox_->opted_out(mobile)));
  // A move queues new texts; past the start they are dropped, not sent.
  booking::AppointmentPatch move;
  move.starts_at_utc = at(kT0 + 7200);
  ASSERT_TRUE(run(repo_->update_appointment(id, move)).ok());
  auto late = run(outbox_->claim(static_cast<double>(kT0 + 7200), 10, std::chrono::seconds(60)));
  EXPECT_TRUE(late.claims.empty());
  EXPECT_EQ(late.dropped.size(), 2u);
  EXPECT_EQ(count("status = 'dropped'"), 4);
}

}  // namespace
}  // namespace bella::db
