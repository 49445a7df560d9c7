// PgBookingRepository and the migration runner against a real PostgreSQL (a fresh database per test).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <pqxx/pqxx>

#include "db/migrate.hpp"
#include "db/pg_booking_repository.hpp"
#include "support/pg_test_db.hpp"

namespace bella::db {
namespace {

using testing::TestDatabase;

template <class T>
T run(Task<T> task) {
  asio::io_context ioc;
  std::optional<T> out;
  std::exception_ptr error;
  // Result<T> has no default constructor, which co_spawn's value handler would need.
  asio::co_spawn(
      ioc, [&]() -> Task<void> { out.emplace(co_await std::move(task)); },
      [&](std::exception_ptr e) { error = e; });
  ioc.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

TimePoint at(long long s) { return TimePoint(std::chrono::seconds(s)); }
constexpr long long kT0 = 1'900'000'000;  // 2030-03-17

class PgRepository : public ::testing::Test {
 protected:
  void SetUp() override {
    migrate(db_.url(), BELLA_MIGRATIONS_DIR);
    pool_ = std::make_unique<PgPool>(PgSettings{.url = db_.url(), .size = 2});
    repo_ = std::make_unique<PgBookingRepository>(*pool_);
  }
  void TearDown() override {
    repo_.reset();
    pool_.reset();
  }
  booking::NewAppointment appt(std::int64_t user, long long start, std::optional<std::string> sid = std::nullopt) {
    booking::NewAppointment n;
    n.user_id = user;
    n.starts_at_utc = at(start);
    n.duration = std::chrono::minutes(30);
    n.call_sid = std::move(sid);
    return n;
  }
  TestDatabase db_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgBookingRepository> repo_;
};

TEST_F(PgRepository, AnotherNameOnAKnownMobileIsAnotherPatientNeverARename) {
  const std::string name1 = "Sarah Johnson", name2 = "Sarah J. Johnson", mobile = "+14035550123";
  auto a = run(repo_->find_or_create_user(name1, mobile));
  ASSERT_TRUE(a.ok());
  auto b = run(repo_->find_or_create_user(name2, mobile));
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->id, b->id);
  EXPECT_EQ(run(repo_->get_user(a->id))->full_name, name1);  // not renamed
  const std::string shouted = "SARAH JOHNSON";
  auto again = run(repo_->find_or_create_user(shouted, mobile));
  EXPECT_EQ(again->id, a->id);                // the same patient, names compared case-insensitively
  EXPECT_EQ(again->full_name, name1);         // and still not renamed
  auto found = run(repo_->find_user(shouted, mobile));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, a->id);
  const std::string other = "+14035550999";
  EXPECT_FALSE(run(repo_->find_user(name1, other)));
  EXPECT_EQ(run(repo_->create_user(name1, mobile)).error().code, Errc::conflict);
  const std::string name3 = "Tom Johnson";
  EXPECT_TRUE(run(repo_->create_user(name3, mobile)).ok());
  booking::UserFilter household;
  household.mobile = mobile;
  auto all = run(repo_->list_users(household));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, a->id);  // oldest first
  booking::UserPatch clash;
  clash.full_name = "sarah johnson";
  EXPECT_EQ(run(repo_->update_user(b->id, clash)).error().code, Errc::conflict);
}

TEST_F(PgRepository, CheckViolationsAreInputErrorsWithoutTheRow) {
  // A name the table refuses (empty after libpq's NUL cut, control characters, too long) is an
  // input error, never an exception carrying "DETAIL: Failing row contains (…)".
  const std::string mobile = "+14035550123";
  for (const std::string& bad : {std::string("\0x", 2), std::string("a\x01" "b"), std::string(201, 'x')}) {
    auto created = run(repo_->create_user(bad, mobile));
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.error().code, Errc::invalid_input);
    EXPECT_EQ(created.error().message.find("Failing row"), std::string::npos);
    auto upserted = run(repo_->find_or_create_user(bad, mobile));
    ASSERT_FALSE(upserted.ok());
    EXPECT_EQ(upserted.error().code, Errc::invalid_input);
    booking::NewAppointment n = appt(0, kT0);
    n.full_name = bad;
    n.mobile = mobile;
    auto booked = run(repo_->book(n));
    ASSERT_FALSE(booked.ok());
    EXPECT_EQ(booked.error().code, Errc::invalid_input);
  }
  const std::string good = "Ann", bad_mobile = "+0123";
  EXPECT_EQ(run(repo_->create_user(good, bad_mobile)).error().code, Errc::invalid_input);
  auto ann = run(repo_->create_user(good, mobile));
  ASSERT_TRUE(ann.ok());
  booking::UserPatch patch;
  patch.full_name = std::string("x\ty");
  EXPECT_EQ(run(repo_->update_user(ann->id, patch)).error().code, Errc::invalid_input);
  EXPECT_TRUE(run(repo_->list_users({})).size() == 1u);
}

TEST_F(PgRepository, OverlapIsAConflictAndCallSidReplays) {
  const std::string name = "A", mobile = "+14035550100";
  auto user = run(repo_->find_or_create_user(name, mobile));
  auto first_req = appt(user->id, kT0, "CA123");
  auto first = run(repo_->book(first_req));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->replayed);
  auto overlap_req = appt(user->id, kT0 + 15 * 60);
  auto overlap = run(repo_->book(overlap_req));
  ASSERT_FALSE(overlap.ok());
  EXPECT_EQ(overlap.error().code, Errc::conflict);
  auto adjacent_req = appt(user->id, kT0 + 30 * 60);
  EXPECT_TRUE(run(repo_->book(adjacent_req)).ok());  // [start, end) ranges touch, not overlap
  auto replay_req = appt(user->id, kT0 + 3600 * 5, "CA123");
  auto replay = run(repo_->book(replay_req));
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->appointment.id, first->appointment.id);
  auto unknown_user_req = appt(999999, kT0 + 3600 * 9);
  EXPECT_EQ(run(repo_->book(unknown_user_req)).error().code, Errc::not_found);

  // Cancelling frees the slot; rescheduling onto a taken one is refused.
  auto cancelled = run(repo_->cancel(first->appointment.id, std::nullopt));
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->appointment.status, AppointmentStatus::cancelled);
  auto again_req = appt(user->id, kT0);
  EXPECT_TRUE(run(repo_->book(again_req)).ok());
  booking::AppointmentPatch back;
  back.status = AppointmentStatus::scheduled;
  // Cancelled is terminal (issue 13, defect 14).
  EXPECT_EQ(run(repo_->update_appointment(first->appointment.id, back)).error().code, Errc::not_allowed);
  EXPECT_EQ(run(repo_->cancel(424242, std::nullopt)).error().code, Errc::not_found);

  auto booked = run(repo_->booked_between(at(kT0 - 3600), at(kT0 + 3600 * 2)));
  ASSERT_EQ(booked.size(), 2u);
  EXPECT_EQ(booked[0].start, at(kT0));
  EXPECT_EQ(booked[1].end, at(kT0 + 60 * 60));
}

TEST_F(PgRepository, ListFiltersAndPagesByStartThenId) {
  const std::string name = "A", mobile = "+14035550100", name2 = "B", mobile2 = "+14035550101";
  auto u1 = run(repo_->find_or_create_user(name, mobile));
  auto u2 = run(repo_->find_or_create_user(name2, mobile2));
  for (int i = 0; i < 5; ++i) {
    auto n = appt(i % 2 ? u2->id : u1->id, kT0 + i * 3600);
    ASSERT_TRUE(run(repo_->book(n)).ok());
  }
  booking::AppointmentFilter f;
  f.limit = 2;
  auto p1 = run(repo_->list_appointments(f));
  ASSERT_EQ(p1.size(), 2u);
  f.after = booking::AppointmentCursor{p1[1].appointment.starts_at_utc, p1[1].appointment.id};
  auto p2 = run(repo_->list_appointments(f));
  ASSERT_EQ(p2.size(), 2u);
  EXPECT_EQ(p2[0].appointment.starts_at_utc, at(kT0 + 2 * 3600));
  booking::AppointmentFilter by_mobile;
  by_mobile.mobile = mobile2;
  EXPECT_EQ(run(repo_->list_appointments(by_mobile)).size(), 2u);
  booking::AppointmentFilter window;
  window.from = at(kT0 + 3600);
  window.to = at(kT0 + 3 * 3600);
  EXPECT_EQ(run(repo_->list_appointments(window)).size(), 2u);
}

TEST(PgMigrations, RerunIsANoOpAndConcurrentRunsAreSafe) {
  TestDatabase db;
  std::vector<std::vector<std::string>> results(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] { results[i] = migrate(db.url(), BELLA_MIGRATIONS_DIR); });
  for (auto& t : threads) t.join();
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(BELLA_MIGRATIONS_DIR))
    if (e.path().extension() == ".sql") ++files;
  int applied = 0, appliers = 0;
  for (const auto& r : results) {
    applied += static_cast<int>(r.size());
    appliers += r.empty() ? 0 : 1;
  }
  EXPECT_EQ(applied, files);  // every migration applied once...
  EXPECT_EQ(appliers, 1);     // ...by exactly one instance
  EXPECT_TRUE(migrate(db.url(), BELLA_MIGRATIONS_DIR).empty());
  pqxx::connection c(db.url());
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(), files);
}

TEST(PgMigrations, AFailedMigrationRollsBackEverythingAndNamesTheFile) {
  TestDatabase db;
  auto dir = std::filesystem::temp_directory_path() / ("bella_mig_" + db.name());
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(std::filesystem::path(BELLA_MIGRATIONS_DIR) / "0001_init.sql", dir / "0001_init.sql");
  std::ofstream(dir / "0002_broken.sql") << "CREATE TABLE oops (;\n";
  try {
    migrate(db.url(), dir);
    ADD_FAILURE() << "a broken migration must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("0002_broken.sql"), std::string::npos) << e.what();
  }
  pqxx::connection c(db.url());
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_tables WHERE tablename IN ('users', 'schema_migrations')")[0].as<int>(), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bella::db
