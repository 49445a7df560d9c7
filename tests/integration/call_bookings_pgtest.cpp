// The phone line's bookings adapter, the households migration and the pool's stale connections,
// against a real PostgreSQL (a fresh database per test).
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <pqxx/pqxx>

#include "bella/calendar/calendar.hpp"
#include "booking/call_bookings.hpp"
#include "booking/service.hpp"
#include "db/migrate.hpp"
#include "db/pg_booking_repository.hpp"
#include "support/pg_test_db.hpp"

namespace bella::db {
namespace {

using namespace std::chrono_literals;
using call::Done;
using call::Refusal;
using call::SlotRefused;
using call::SysSeconds;
using testing::TestDatabase;

template <class T>
T run(Task<T> task) {
  asio::io_context ioc;
  std::optional<T> out;
  std::exception_ptr error;
  asio::co_spawn(
      ioc, [&]() -> Task<void> { out.emplace(co_await std::move(task)); }, [&](std::exception_ptr e) { error = e; });
  ioc.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

// Clinic-local wall time in March 2030 (2030-03-04 is a Monday).
SysSeconds local(int day, int hour, int minute = 0) {
  const date::local_seconds t =
      date::local_days{date::year{2030} / 3 / day} + std::chrono::hours(hour) + std::chrono::minutes(minute);
  return date::locate_zone("America/Edmonton")->to_sys(t, date::choose::earliest);
}

long long scalar(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec1(sql)[0].as<long long>();
}

class PgCallBookings : public ::testing::Test {
 protected:
  void SetUp() override {
    migrate(db_.url(), BELLA_MIGRATIONS_DIR);
    pool_ = std::make_unique<PgPool>(PgSettings{.url = db_.url(), .size = pool_size_});
    repo_ = std::make_unique<PgBookingRepository>(*pool_);
    service_ = std::make_unique<booking::BookingService>(*repo_, cal_, clock_, 30min);
    bookings_ = std::make_unique<booking::ServiceBookings>(*service_);
  }
  void TearDown() override {
    bookings_.reset();
    service_.reset();
    repo_.reset();
    pool_.reset();
  }
  call::NewBooking booking(std::string name, SysSeconds start, std::string sid, std::string mobile = "+14035550100") {
    return call::NewBooking{.patient_id = std::nullopt, .name = std::move(name), .mobile = std::move(mobile),
                            .start = start, .minutes = 30, .call_sid = std::move(sid)};
  }
  Done book_ok(const call::NewBooking& b) {
    auto out = run(bookings_->book(b, now_));
    EXPECT_TRUE(std::holds_alternative<Done>(out));
    return std::holds_alternative<Done>(out) ? std::get<Done>(out) : Done{};
  }
  long long count(const std::string& sql) { return scalar(db_.url(), sql); }

  const SysSeconds now_ = local(4, 8);
  OffsetClock clock_{now_};
  calendar::BusinessCalendar cal_{date::locate_zone("America/Edmonton"), calendar::OpeningHours::parse("Mon-Fri 09:00-17:00")};
  unsigned pool_size_ = 2;
  TestDatabase db_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgBookingRepository> repo_;
  std::unique_ptr<booking::BookingService> service_;
  std::unique_ptr<booking::ServiceBookings> bookings_;
};

TEST_F(PgCallBookings, HouseholdBookingsNeverRenameAndARefusalCreatesNobody) {
  const Done tom = book_ok(booking("Tom Baker", local(5, 9), "CA1"));
  const Done jane = book_ok(booking("Jane Baker", local(5, 10), "CA2"));
  EXPECT_NE(tom.patient_id, jane.patient_id);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE full_name = 'Tom Baker'"), 1);
  EXPECT_EQ(book_ok(booking("TOM BAKER", local(5, 11), "CA3")).patient_id, tom.patient_id);

  const std::string mobile = "+14035550100";
  auto patients = run(bookings_->patients_for_mobile(mobile));
  ASSERT_EQ(patients.size(), 2u);
  EXPECT_EQ(patients[0].name, "Tom Baker");
  auto upcoming = run(bookings_->upcoming_for_mobile(mobile, now_));
  ASSERT_EQ(upcoming.size(), 3u);
  EXPECT_EQ(upcoming[1].patient_name, "Jane Baker");

  // Taken: refused with free alternatives, and the new patient was rolled back with it.
  auto taken = run(bookings_->book(booking("Amy Baker", local(5, 9), "CA4"), now_));
  ASSERT_TRUE(std::holds_alternative<SlotRefused>(taken));
  EXPECT_EQ(std::get<SlotRefused>(taken).why, Refusal::taken);
  EXPECT_EQ(std::get<SlotRefused>(taken).alternatives.size(), 3u);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE full_name = 'Amy Baker'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM users"), 2);

  // Replays: the same call_sid answers with its booking, also after the time passed.
  const Done replay = book_ok(booking("Tom Baker", local(6, 9), "CA1"));
  EXPECT_EQ(replay.appointment_id, tom.appointment_id);
  auto late = run(bookings_->book(booking("Tom Baker", local(5, 9), "CA1"), local(5, 9, 5)));
  ASSERT_TRUE(std::holds_alternative<Done>(late));
  EXPECT_EQ(count("SELECT count(*) FROM appointments"), 3);

  auto closed = run(bookings_->check(local(9, 10), 30, now_));  // Saturday
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->why, Refusal::closed);
  auto past = run(bookings_->check(local(5, 9), 30, local(5, 12)));  // taken AND past: past
  ASSERT_TRUE(past);
  EXPECT_EQ(past->why, Refusal::past);
  call::SlotQuery q{.from = local(5, 0), .to = local(6, 0), .minutes = 30, .max = 3};
  auto free = run(bookings_->free_slots(q, now_));
  ASSERT_EQ(free.size(), 3u);
  EXPECT_EQ(free[0], local(5, 9, 30));
  EXPECT_EQ(free[1], local(5, 10, 30));
  EXPECT_EQ(free[2], local(5, 11, 30));
}

TEST_F(PgCallBookings, EightCopiesOfOneTurnBookOnce) {
  std::vector<std::thread> threads;
  std::vector<std::int64_t> ids(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      auto out = run(bookings_->book(booking("Tom", local(5, 9), "CA-race"), now_));
      if (auto* d = std::get_if<Done>(&out)) ids[static_cast<std::size_t>(i)] = d->appointment_id;
    });
  for (auto& t : threads) t.join();
  for (auto id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(count("SELECT count(*) FROM appointments"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM users"), 1);
}

TEST_F(PgCallBookings, RescheduleIsOneTransactionThatKeepsTheOldSlotOnARefusal) {
  const Done tom = book_ok(booking("Tom", local(5, 9), "CA1"));
  book_ok(booking("Ann", local(5, 10), "CA2", "+14035550101"));
  const std::string sid = "CA3";
  auto clash = run(bookings_->reschedule(tom.appointment_id, local(5, 10), 30, sid, now_));
  ASSERT_TRUE(std::holds_alternative<SlotRefused>(clash));
  EXPECT_EQ(std::get<SlotRefused>(clash).why, Refusal::taken);
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE starts_at_utc = to_timestamp(" +
                  std::to_string(local(5, 9).time_since_epoch().count()) + ") AND status = 'scheduled'"),
            1);
  auto moved = run(bookings_->reschedule(tom.appointment_id, local(5, 9, 15), 30, sid, now_));  // overlaps itself only
  ASSERT_TRUE(std::holds_alternative<Done>(moved));
  auto repeat = run(bookings_->reschedule(tom.appointment_id, local(5, 9, 15), 30, sid, now_));
  ASSERT_TRUE(std::holds_alternative<Done>(repeat));
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE status = 'scheduled'"), 2);

  auto cancelled = run(bookings_->cancel(tom.appointment_id, sid, now_));
  ASSERT_TRUE(cancelled);
  EXPECT_TRUE(run(bookings_->cancel(tom.appointment_id, sid, now_)));    // the retried turn
  const std::string other = "CA4";
  EXPECT_FALSE(run(bookings_->cancel(tom.appointment_id, other, now_)));  // not this call's
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE cancel_call_sid = 'CA3'"), 1);
  auto gone = run(bookings_->reschedule(tom.appointment_id, local(6, 9), 30, sid, now_));
  ASSERT_TRUE(std::holds_alternative<SlotRefused>(gone));
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE status = 'cancelled'"), 1);
}

// Issue 14 point 5 (PostgreSQL part): a booking is ONE transaction; reads are single statements
// with no BEGIN / SET TRANSACTION READ ONLY / ROLLBACK around them. Counted by PostgreSQL itself
// (pg_stat_database of this test's own database, read from another database).
class PgRoundTrips : public PgCallBookings {
 protected:
  PgRoundTrips() { pool_size_ = 1; }
  struct Xacts {
    long long commits = 0, rollbacks = 0;
  };
  Xacts xacts() {
    // A backend publishes its counts when idle, at most once a second.
    std::this_thread::sleep_for(1500ms);
    pqxx::connection c(testing::with_database(db_.url(), "postgres"));
    pqxx::nontransaction tx(c);
    auto r = tx.exec_params1("SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = $1", db_.name());
    return {r[0].as<long long>(), r[1].as<long long>()};
  }
};

TEST_F(PgRoundTrips, ABookingIsOneTransactionAndReadsAreSingleStatements) {
  const std::string mobile = "+14035550100";
  call::SlotQuery q{.from = local(5, 0), .to = local(6, 0), .minutes = 30, .max = 3};
  // Warm-up: opens the pool's one connection and prepares every statement used below (a first
  // use sends Parse on its own, which PostgreSQL counts as a transaction too).
  const Done warm = book_ok(booking("Warm Up", local(6, 9), "CA0", "+14035550109"));
  run(bookings_->patients_for_mobile(mobile));
  run(bookings_->upcoming_for_mobile(mobile, now_));
  EXPECT_TRUE(run(repo_->get_appointment(warm.appointment_id)).ok());
  run(bookings_->free_slots(q, now_));
  const auto before = xacts();
  const Done tom = book_ok(booking("Tom Baker", local(5, 9), "CA1"));  // new patient + appointment
  const auto booked = xacts();
  EXPECT_EQ(booked.commits - before.commits, 1);
  EXPECT_EQ(booked.rollbacks - before.rollbacks, 0);

  run(bookings_->patients_for_mobile(mobile));
  run(bookings_->upcoming_for_mobile(mobile, now_));
  EXPECT_TRUE(run(repo_->get_appointment(tom.appointment_id)).ok());
  run(bookings_->free_slots(q, now_));
  const auto read = xacts();
  EXPECT_EQ(read.commits - booked.commits, 4);  // four statements, each its own implicit transaction
  EXPECT_EQ(read.rollbacks - booked.rollbacks, 0);  // no read-only transaction wrappers

  const Done replay = book_ok(booking("Tom Baker", local(5, 9), "CA1"));  // a retried turn
  EXPECT_EQ(replay.appointment_id, tom.appointment_id);
  const auto replayed = xacts();
  EXPECT_EQ(replayed.commits + replayed.rollbacks - read.commits - read.rollbacks, 1);
}

// Issue 13 defect 12: a pooled connection that died while idle (PostgreSQL restarted) is replaced
// before use: the first query after it succeeds, and so does the first ping.
TEST_F(PgCallBookings, StalePooledConnectionsAreReplacedNotFailed) {
  // Two idle connections in the pool.
  std::thread other([&] { run(repo_->list_users({})); });
  run(repo_->list_users({}));
  other.join();
  for (int round = 0; round < 3; ++round) {
    {
      pqxx::connection admin(testing::with_database(db_.url(), "postgres"));
      pqxx::nontransaction tx(admin);
      tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", db_.name());
    }
    std::this_thread::sleep_for(200ms);
    if (round == 1) {
      EXPECT_EQ(run(pool_->ping(2000ms)), std::nullopt);
    } else {
      EXPECT_NO_THROW(run(repo_->list_users({})));
    }
    EXPECT_NO_THROW(run(repo_->list_users({})));
  }
}

// 0003 keeps the rows written under the one-user-per-mobile rule and lifts it.
TEST(PgHouseholdsMigration, ExistingRowsAreKeptAndAMobileMayHaveSeveralPatients) {
  TestDatabase db;
  auto dir = std::filesystem::temp_directory_path() / ("bella_mig3_" + db.name());
  std::filesystem::create_directories(dir);
  for (const char* f : {"0001_init.sql", "0002_outbox.sql"})
    std::filesystem::copy_file(std::filesystem::path(BELLA_MIGRATIONS_DIR) / f, dir / f);
  migrate(db.url(), dir);
  {
    pqxx::connection c(db.url());
    pqxx::work tx(c);
    tx.exec("INSERT INTO users (full_name, mobile) VALUES ('Tom Baker', '+14035550100'), ('Ann Lee', '+14035550101')");
    tx.exec("INSERT INTO appointments (user_id, starts_at_utc) SELECT id, '2030-03-05 16:00Z' FROM users WHERE full_name = 'Tom Baker'");
    EXPECT_THROW(tx.exec("INSERT INTO users (full_name, mobile) VALUES ('Jane Baker', '+14035550100')"), pqxx::unique_violation);
  }
  std::filesystem::copy_file(std::filesystem::path(BELLA_MIGRATIONS_DIR) / "0003_households.sql", dir / "0003_households.sql");
  EXPECT_EQ(migrate(db.url(), dir), std::vector<std::string>{"0003_households"});
  pqxx::connection c(db.url());
  pqxx::work tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM users")[0].as<int>(), 2);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM appointments")[0].as<int>(), 1);
  tx.exec("INSERT INTO users (full_name, mobile) VALUES ('Jane Baker', '+14035550100')");
  EXPECT_THROW(tx.exec("INSERT INTO users (full_name, mobile) VALUES ('JANE BAKER', '+14035550100')"), pqxx::unique_violation);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bella::db
