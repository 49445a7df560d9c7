#include "call/effects.hpp"

#include "bella/core/error.hpp"
#include "obs/log.hpp"

namespace bella::call {
namespace {

const char* effect_name(const Effect& e) {
  switch (e.index()) {
    case 0: return "find_patients";
    case 1: return "find_slots";
    case 2: return "check";
    case 3: return "book";
    case 4: return "cancel";
    case 5: return "reschedule";
  }
  return "effect";
}

Task<EffectResult> perform_unguarded(Bookings& bookings, const Effect& effect, const std::string& call_sid,
                                     SysSeconds now) {
  if (const auto* find = std::get_if<FindPatients>(&effect)) {
    PatientsFound found;
    found.patients = co_await bookings.patients_for_mobile(find->mobile);
    // Appointments belong to patients: a mobile with none has no upcoming ones to read.
    if (!found.patients.empty()) found.upcoming = co_await bookings.upcoming_for_mobile(find->mobile, now);
    co_return found;
  }
  if (const auto* slots = std::get_if<FindSlots>(&effect)) {
    SlotsFound found;
    found.slots = co_await bookings.free_slots(slots->query, now);
    co_return found;
  }
  if (const auto* check = std::get_if<CheckSlot>(&effect)) {
    auto refused = co_await bookings.check(check->start, check->minutes, now);
    if (!refused) co_return SlotFree{};
    co_return std::move(*refused);
  }
  if (const auto* book = std::get_if<BookIt>(&effect)) {
    auto outcome = co_await bookings.book(book->booking, now);
    if (auto* done = std::get_if<Done>(&outcome)) co_return *done;
    co_return std::get<SlotRefused>(std::move(outcome));
  }
  if (const auto* cancel = std::get_if<CancelIt>(&effect)) {
    auto done = co_await bookings.cancel(cancel->appointment_id, call_sid, now);
    if (!done) co_return Missing{};
    co_return *done;
  }
  const auto& move = std::get<MoveIt>(effect);
  auto outcome = co_await bookings.reschedule(move.appointment_id, move.start, move.minutes, call_sid, now);
  if (auto* done = std::get_if<Done>(&outcome)) co_return *done;
  co_return std::get<SlotRefused>(std::move(outcome));
}

}  // namespace

Task<EffectResult> perform(Bookings& bookings, const Effect& effect, const std::string& call_sid, SysSeconds now) {
  try {
    co_return co_await perform_unguarded(bookings, effect, call_sid, now);
  } catch (const Unavailable& e) {
    // The backend's own text may quote row values: only its name is logged.
    obs::warn("bookings unavailable", {{"effect", effect_name(effect)}, {"backend", e.backend}});
  } catch (const std::exception&) {
    obs::error("bookings failed", {{"effect", effect_name(effect)}});
  }
  co_return Unreachable{};
}

Task<Turn> run_effects(Bookings& bookings, Turn t, const FlowContext& ctx, int max_effects) {
  for (int i = 0; i < max_effects && t.effect; ++i) {
    const Effect effect = *t.effect;
    const EffectResult result = co_await perform(bookings, effect, t.state.call_sid, ctx.now);
    Turn next = resume(t.state, effect, result, ctx);
    // Lines said before the effect (e.g. "Okay, an appointment of one hour.") come first.
    next.reply.lines.insert(next.reply.lines.begin(), t.reply.lines.begin(), t.reply.lines.end());
    t = std::move(next);
  }
  co_return t;
}

}  // namespace bella::call
