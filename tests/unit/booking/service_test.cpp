// BookingService over the memory repository: hours, past, conflicts with suggestions, replay, reschedule.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "bella/calendar/calendar.hpp"
#include "booking/service.hpp"
#include "support/memory_booking_repository.hpp"

namespace bella::booking {
namespace {

using namespace std::chrono_literals;

template <class T>
T run(Task<T> task) {
  asio::io_context ioc;
  std::optional<T> out;
  asio::co_spawn(ioc, [&]() -> Task<void> { out.emplace(co_await std::move(task)); }, asio::detached);
  ioc.run();
  return std::move(*out);
}

// Edmonton is UTC-7 in early March 2030; 2030-03-05 is a Tuesday.
std::chrono::sys_seconds local(int day, int hour, int minute = 0) {
  return date::sys_days{date::year{2030} / 3 / day} + std::chrono::hours(hour + 7) + std::chrono::minutes(minute);
}

class Service : public ::testing::Test {
 protected:
  // "now" is Monday 2030-03-04 08:00 local (OffsetClock: advances only by the test's run time).
  OffsetClock clock_{local(4, 8)};
  testing::MemoryBookingRepository repo_{&clock_};
  calendar::BusinessCalendar cal_{date::locate_zone("America/Edmonton"), calendar::OpeningHours::parse("Mon-Fri 09:00-17:00")};
  BookingService service_{repo_, cal_, clock_, 30min};

  Result<Booking> book(std::string mobile, std::chrono::sys_seconds start, std::optional<std::string> sid = std::nullopt) {
    BookRequest r;
    r.full_name = "Pat";
    r.mobile = std::move(mobile);
    r.start = start;
    r.call_sid = std::move(sid);
    return run(service_.book(r));
  }
};

TEST_F(Service, BooksInsideHours) {
  auto out = book("+14035550100", local(5, 10));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->appointment.starts_at_utc, local(5, 10));
  EXPECT_EQ(out->appointment.duration_minutes, 30);
  EXPECT_FALSE(out->replayed);
}

TEST_F(Service, RefusesOutsideHoursWithTheNextOpening) {
  auto out = book("+14035550100", local(5, 18));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::outside_hours);
  ASSERT_EQ(out.error().alternatives.size(), 1u);  // the next opening
  EXPECT_EQ(out.error().alternatives[0], local(6, 9));
  EXPECT_TRUE(repo_.appointments().empty());
}

TEST_F(Service, RefusesThePast) {
  auto out = book("+14035550100", local(1, 10));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::invalid_input);
}

TEST_F(Service, ConflictSuggestsTheNearestFreeSlots) {
  ASSERT_TRUE(book("+14035550100", local(5, 10)).ok());
  auto out = book("+14035550101", local(5, 10));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::conflict);
  ASSERT_EQ(out.error().alternatives.size(), 3u);
  for (auto s : out.error().alternatives) EXPECT_NE(s, local(5, 10));
  EXPECT_EQ(repo_.appointments().size(), 1u);
}

TEST_F(Service, SameCallSidReplaysTheFirstBooking) {
  auto first = book("+14035550100", local(5, 10), "CA1");
  auto again = book("+14035550100", local(5, 11), "CA1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->appointment.id, first->appointment.id);
  EXPECT_EQ(repo_.appointments().size(), 1u);
}

TEST_F(Service, AnotherNameOnAKnownMobileIsANewPatientNeverARename) {
  auto pat = book("+14035550100", local(5, 10));
  ASSERT_TRUE(pat.ok());
  BookRequest r;
  r.full_name = "Pat Q";
  r.mobile = "+14035550100";
  r.start = local(5, 11);
  auto other = run(service_.book(r));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->user.id, pat->user.id);
  ASSERT_EQ(repo_.users().size(), 2u);
  EXPECT_EQ(repo_.users()[0].full_name, "Pat");
  r.full_name = "PAT";
  r.start = local(5, 12);
  auto same = run(service_.book(r));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->user.id, pat->user.id);
  EXPECT_EQ(repo_.users()[0].full_name, "Pat");
  // By id: that patient, whatever the name says.
  BookRequest by_id;
  by_id.user_id = other->user.id;
  by_id.start = local(5, 13);
  auto picked = run(service_.book(by_id));
  ASSERT_TRUE(picked.ok());
  EXPECT_EQ(picked->user.id, other->user.id);
  // A refused booking creates nobody.
  r.full_name = "Newcomer";
  r.start = local(5, 10);
  EXPECT_EQ(run(service_.book(r)).error().code, Errc::conflict);
  EXPECT_EQ(repo_.users().size(), 2u);
  r.full_name = std::string("Bad\0Name", 8);
  r.start = local(5, 14);
  EXPECT_EQ(run(service_.book(r)).error().code, Errc::invalid_input);
}

TEST_F(Service, FreeSlotsSkipBookingsAndRescheduleKeepsTheConstraint) {
  auto a = book("+14035550100", local(5, 9));
  auto b = book("+14035550101", local(5, 10));
  const date::year_month_day day = date::year{2030} / 3 / 5;  // named: no brace temporaries into coroutines
  auto slots = run(service_.free_slots(day, 30min));
  EXPECT_EQ(slots.size(), 14u);
  EXPECT_EQ(slots.front(), local(5, 9, 30));
  auto clash = run(service_.reschedule(b->appointment.id, local(5, 9), std::nullopt));
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, Errc::conflict);
  auto moved = run(service_.reschedule(b->appointment.id, local(5, 15), std::nullopt));
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->appointment.starts_at_utc, local(5, 15));
  auto cancelled = run(service_.cancel(a->appointment.id));
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->appointment.status, AppointmentStatus::cancelled);
}

}  // namespace
}  // namespace bella::booking
