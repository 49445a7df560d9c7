// The phone line's bookings adapter (booking::ServiceBookings) over the memory repository.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "bella/calendar/calendar.hpp"
#include "booking/call_bookings.hpp"
#include "booking/service.hpp"
#include "support/memory_booking_repository.hpp"

namespace bella::booking {
namespace {

using namespace std::chrono_literals;
using call::Done;
using call::Refusal;
using call::SlotRefused;
using call::SysSeconds;

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

// Clinic-local wall time in March 2030 (2030-03-04 is a Monday; DST starts on Sunday the 10th).
SysSeconds local(int day, int hour, int minute = 0) {
  const date::local_seconds t =
      date::local_days{date::year{2030} / 3 / day} + std::chrono::hours(hour) + std::chrono::minutes(minute);
  return date::locate_zone("America/Edmonton")->to_sys(t, date::choose::earliest);
}

class CallBookings : public ::testing::Test {
 protected:
  const SysSeconds now_ = local(4, 8);  // Monday 08:00, before opening
  OffsetClock clock_{now_};
  testing::MemoryBookingRepository repo_{&clock_};
  calendar::BusinessCalendar cal_{date::locate_zone("America/Edmonton"), calendar::OpeningHours::parse("Mon-Fri 09:00-17:00")};
  BookingService service_{repo_, cal_, clock_, 30min};
  ServiceBookings bookings_{service_};

  call::NewBooking booking(std::string name, SysSeconds start, std::string sid, std::string mobile = "+14035550100") {
    return call::NewBooking{.patient_id = std::nullopt, .name = std::move(name), .mobile = std::move(mobile),
                            .start = start, .minutes = 30, .call_sid = std::move(sid)};
  }
  Done book_ok(const call::NewBooking& b) {
    auto out = run(bookings_.book(b, now_));
    EXPECT_TRUE(std::holds_alternative<Done>(out));
    return std::holds_alternative<Done>(out) ? std::get<Done>(out) : Done{};
  }
};

TEST_F(CallBookings, AnotherNameOnAKnownMobileIsANewPatientNeverARename) {
  const Done tom = book_ok(booking("Tom Baker", local(5, 9), "CA1"));
  const Done jane = book_ok(booking("Jane Baker", local(5, 10), "CA2"));
  EXPECT_NE(tom.patient_id, jane.patient_id);
  const Done tom_again = book_ok(booking("tom baker", local(6, 9), "CA3"));
  EXPECT_EQ(tom_again.patient_id, tom.patient_id);  // same name (any case): the same patient

  const std::string mobile = "+14035550100";
  auto patients = run(bookings_.patients_for_mobile(mobile));
  ASSERT_EQ(patients.size(), 2u);
  EXPECT_EQ(patients[0].name, "Tom Baker");  // oldest first, never renamed
  EXPECT_EQ(patients[1].name, "Jane Baker");

  auto upcoming = run(bookings_.upcoming_for_mobile(mobile, now_));
  ASSERT_EQ(upcoming.size(), 3u);  // everyone on the phone, earliest first
  EXPECT_EQ(upcoming[0].patient_name, "Tom Baker");
  EXPECT_EQ(upcoming[1].patient_name, "Jane Baker");
  EXPECT_EQ(upcoming[2].start, local(6, 9));
  const std::string stranger = "+14035550999";
  EXPECT_TRUE(run(bookings_.patients_for_mobile(stranger)).empty());

  // A picked patient books under their id whatever name is passed.
  auto picked = booking("ignored", local(6, 10), "CA4");
  picked.patient_id = jane.patient_id;
  EXPECT_EQ(book_ok(picked).patient_id, jane.patient_id);
  EXPECT_EQ(repo_.users().size(), 2u);
}

TEST_F(CallBookings, CheckSaysWhyAClosedOrPastTimeIsNeverTaken) {
  book_ok(booking("Tom", local(5, 9), "CA1"));
  EXPECT_FALSE(run(bookings_.check(local(5, 9, 30), 30, now_)));  // free

  auto taken = run(bookings_.check(local(5, 9), 30, now_));
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->why, Refusal::taken);
  ASSERT_EQ(taken->alternatives.size(), 3u);
  for (auto t : taken->alternatives) EXPECT_NE(t, local(5, 9));

  auto closed = run(bookings_.check(local(9, 10), 30, now_));  // a Saturday
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->why, Refusal::closed);
  ASSERT_FALSE(closed->alternatives.empty());
  EXPECT_EQ(closed->alternatives.front(), local(11, 9));  // Monday's first slot

  // Saturday's "next opening" must be free: Monday 9:00 taken -> not offered.
  book_ok(booking("Ann", local(11, 9), "CA2", "+14035550101"));
  auto closed2 = run(bookings_.check(local(9, 10), 30, now_));
  ASSERT_TRUE(closed2);
  EXPECT_EQ(closed2->alternatives.front(), local(11, 9, 30));

  auto past = run(bookings_.check(local(4, 7), 30, now_));  // booked-over AND past: past wins
  ASSERT_TRUE(past);
  EXPECT_EQ(past->why, Refusal::past);
  ASSERT_FALSE(past->alternatives.empty());
  EXPECT_EQ(past->alternatives.front(), local(4, 9));  // the next free slot from now

  auto far = run(bookings_.check(local(4, 10) + date::days{15}, 30, now_));
  ASSERT_TRUE(far);
  EXPECT_EQ(far->why, Refusal::too_far);

  auto closed_hour = run(bookings_.check(local(5, 16, 45), 30, now_));  // runs past closing
  ASSERT_TRUE(closed_hour);
  EXPECT_EQ(closed_hour->why, Refusal::closed);
}

TEST_F(CallBookings, FreeSlotsAreFreeWithinHoursNotPastEarliestFirstAtMostMax) {
  book_ok(booking("Tom", local(4, 9), "CA1"));
  book_ok(booking("Ann", local(4, 10), "CA2", "+14035550101"));
  const SysSeconds later = local(4, 9, 10);  // "now" mid-morning: 9:00 has started
  call::SlotQuery q{.from = local(4, 0), .to = local(6, 0), .minutes = 30, .max = 3};
  auto slots = run(bookings_.free_slots(q, later));
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[0], local(4, 9, 30));
  EXPECT_EQ(slots[1], local(4, 10, 30));  // 10:00 taken
  EXPECT_EQ(slots[2], local(4, 11));

  call::SlotQuery weekend{.from = local(9, 0), .to = local(11, 0), .minutes = 30, .max = 3};
  EXPECT_TRUE(run(bookings_.free_slots(weekend, later)).empty());
  call::SlotQuery hour{.from = local(5, 16), .to = local(7, 0), .minutes = 60, .max = 5};
  auto long_slots = run(bookings_.free_slots(hour, later));
  ASSERT_EQ(long_slots.size(), 5u);
  EXPECT_EQ(long_slots[0], local(5, 16));
  EXPECT_EQ(long_slots[1], local(6, 9));  // 16:30 would run past 17:00; next day from opening
  EXPECT_EQ(long_slots[2], local(6, 10));
}

TEST_F(CallBookings, BookIsIdempotentOnCallSidAndRefusesWithReasons) {
  const Done first = book_ok(booking("Tom", local(5, 9), "CA1"));
  const Done again = book_ok(booking("Tom", local(5, 11), "CA1"));  // a retried turn
  EXPECT_EQ(again.appointment_id, first.appointment_id);
  EXPECT_EQ(again.start, local(5, 9));
  EXPECT_EQ(repo_.appointments().size(), 1u);
  // Retried after the time passed: still the booking, not "past".
  auto late = run(bookings_.book(booking("Tom", local(5, 9), "CA1"), local(5, 9, 5)));
  ASSERT_TRUE(std::holds_alternative<Done>(late));
  EXPECT_EQ(std::get<Done>(late).appointment_id, first.appointment_id);

  auto taken = run(bookings_.book(booking("Jane", local(5, 9), "CA2"), now_));
  ASSERT_TRUE(std::holds_alternative<SlotRefused>(taken));
  EXPECT_EQ(std::get<SlotRefused>(taken).why, Refusal::taken);
  EXPECT_EQ(std::get<SlotRefused>(taken).alternatives.size(), 3u);
  EXPECT_EQ(repo_.users().size(), 1u);  // the refused booking created nobody

  auto closed = run(bookings_.book(booking("Jane", local(9, 9), "CA3"), now_));
  ASSERT_TRUE(std::holds_alternative<SlotRefused>(closed));
  EXPECT_EQ(std::get<SlotRefused>(closed).why, Refusal::closed);
  auto past = run(bookings_.book(booking("Jane", local(4, 7), "CA4"), now_));
  ASSERT_TRUE(std::holds_alternative<SlotRefused>(past));
  EXPECT_EQ(std::get<SlotRefused>(past).why, Refusal::past);

  // A spoken name with control characters or too long is stored clean, not refused by the table.
  const Done odd = book_ok(booking(std::string("Jo\0e\tSmith", 10) + std::string(300, 'h'), local(5, 13), "CA5"));
  auto users = repo_.users();
  const auto& stored = users.back();
  EXPECT_EQ(stored.id, odd.patient_id);
  EXPECT_EQ(stored.full_name.rfind("Jo e Smith", 0), 0u);
  EXPECT_EQ(stored.full_name.size(), 200u);
}

TEST_F(CallBookings, InfrastructureFailureThrowsUnavailable) {
  repo_.set_unavailable(true);
  const std::string mobile = "+14035550100";
  EXPECT_THROW(run(bookings_.patients_for_mobile(mobile)), Unavailable);
  EXPECT_THROW(run(bookings_.check(local(5, 9), 30, now_)), Unavailable);
  EXPECT_THROW(run(bookings_.book(booking("Tom", local(5, 9), "CA1"), now_)), Unavailable);
  EXPECT_THROW(run(bookings_.cancel(1, "CA1", now_)), Unavailable);
}

TEST_F(CallBookings, CancelIsIdempotentForTheCallThatCancelled) {
  const Done tom = book_ok(booking("Tom", local(5, 9), "CA1"));
  const std::string sid = "CA9", other = "CA10";
  auto cancelled = run(bookings_.cancel(tom.appointment_id, sid, now_));
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->appointment_id, tom.appointment_id);
  EXPECT_EQ(repo_.appointments().front().status, AppointmentStatus::cancelled);
  EXPECT_TRUE(run(bookings_.cancel(tom.appointment_id, sid, now_)));     // the retried turn
  EXPECT_FALSE(run(bookings_.cancel(tom.appointment_id, other, now_)));  // nothing upcoming for another call
  EXPECT_FALSE(run(bookings_.cancel(4242, sid, now_)));
  EXPECT_TRUE(run(bookings_.upcoming_for_mobile("+14035550100", now_)).empty());

  const Done ann = book_ok(booking("Ann", local(5, 10), "CA2"));
  EXPECT_FALSE(run(bookings_.cancel(ann.appointment_id, sid, local(5, 10, 5))));  // already started
}

TEST_F(CallBookings, RescheduleKeepsTheOldSlotWhenTheNewOneIsTaken) {
  const Done tom = book_ok(booking("Tom", local(5, 9), "CA1"));
  book_ok(booking("Ann", local(5, 10), "CA2", "+14035550101"));
  const std::string sid = "CA3";

  auto clash = run(bookings_.reschedule(tom.appointment_id, local(5, 10), 30, sid, now_));
  ASSERT_TRUE(std::holds_alternative<SlotRefused>(clash));
  EXPECT_EQ(std::get<SlotRefused>(clash).why, Refusal::taken);
  EXPECT_FALSE(std::get<SlotRefused>(clash).alternatives.empty());
  EXPECT_EQ(repo_.appointments()[0].starts_at_utc, local(5, 9));  // kept

  auto overlap_self = run(bookings_.reschedule(tom.appointment_id, local(5, 9, 15), 30, sid, now_));
  ASSERT_TRUE(std::holds_alternative<Done>(overlap_self));  // its own slot is not "taken"

  auto moved = run(bookings_.reschedule(tom.appointment_id, local(6, 14), 30, sid, now_));
  ASSERT_TRUE(std::holds_alternative<Done>(moved));
  EXPECT_EQ(std::get<Done>(moved).start, local(6, 14));
  auto repeat = run(bookings_.reschedule(tom.appointment_id, local(6, 14), 30, sid, now_));
  ASSERT_TRUE(std::holds_alternative<Done>(repeat));  // idempotent
  EXPECT_EQ(repo_.appointments()[0].starts_at_utc, local(6, 14));

  auto closed = run(bookings_.reschedule(tom.appointment_id, local(9, 10), 30, sid, now_));
  ASSERT_TRUE(std::holds_alternative<SlotRefused>(closed));
  EXPECT_EQ(std::get<SlotRefused>(closed).why, Refusal::closed);
  auto past = run(bookings_.reschedule(tom.appointment_id, local(4, 7), 30, sid, now_));
  ASSERT_TRUE(std::holds_alternative<SlotRefused>(past));
  EXPECT_EQ(std::get<SlotRefused>(past).why, Refusal::past);

  // A cancelled appointment cannot be moved (and stays cancelled).
  ASSERT_TRUE(run(bookings_.cancel(tom.appointment_id, sid, now_)));
  auto gone = run(bookings_.reschedule(tom.appointment_id, local(6, 15), 30, sid, now_));
  ASSERT_TRUE(std::holds_alternative<SlotRefused>(gone));
  EXPECT_EQ(repo_.appointments()[0].status, AppointmentStatus::cancelled);
  EXPECT_EQ(repo_.appointments()[0].starts_at_utc, local(6, 14));
}

TEST(StorableName, NamesAreCheckedAndCleaned) {
  EXPECT_FALSE(name_problem("Jane Baker"));
  EXPECT_FALSE(name_problem("Zoë O'Brien-Łukasz"));
  EXPECT_TRUE(name_problem(""));
  EXPECT_TRUE(name_problem(std::string("\0x", 2)));
  EXPECT_TRUE(name_problem("a\x7f"));
  EXPECT_TRUE(name_problem("a\xc2\x85z"));  // C1 control NEL
  EXPECT_TRUE(name_problem("\xff\xfe"));
  EXPECT_TRUE(name_problem(std::string(201, 'x')));
  EXPECT_FALSE(name_problem(std::string(200, 'x')));
  std::string e200;
  for (int i = 0; i < 200; ++i) e200 += "é";  // 200 characters, 400 bytes: fits
  EXPECT_FALSE(name_problem(e200));
  EXPECT_EQ(storable_name(std::string(" Jo\0\n e  ", 9)), "Jo e");
  EXPECT_EQ(storable_name(e200 + "é"), e200);
}

}  // namespace
}  // namespace bella::booking
