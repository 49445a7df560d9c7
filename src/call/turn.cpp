// One turn of a call, with its I/O. Repeated webhook requests (Twilio retries a slow one) are
// answered from the stored reply of that turn; the turn is claimed (SET NX) before it is acted on.
#include "call/turn.hpp"


#include "bella/understand/extract.hpp"
#include "llm/validate.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"

namespace bella::call {
namespace {

constexpr std::string_view kPending = "pending";

std::string session_key(const std::string& sid) { return "bella:call:" + sid; }
std::string turn_key(const std::string& sid, int turn) { return "bella:turn:" + sid + ":" + std::to_string(turn); }

SysSeconds now_of(const Clock& clock) {
  return std::chrono::time_point_cast<std::chrono::seconds>(clock.now());
}

struct CallMetrics {
  obs::Counter& started = obs::registry().counter("bella_calls_started_total", "Calls answered");
  obs::Counter& booked = obs::registry().counter("bella_calls_booked_total", "Calls that ended with a booking");
  obs::Counter& abandoned =
      obs::registry().counter("bella_calls_abandoned_total", "Calls we ended without a booking (retries exhausted)");
  obs::Counter& retries = obs::registry().counter("bella_call_retries_total", "No-match or silent turns, by step");
  obs::Counter& replays = obs::registry().counter("bella_call_turn_replays_total", "Repeated webhook turns answered from the stored reply");
  obs::Counter& layer =
      obs::registry().counter("bella_extraction_total", "Which layer understood the expected field (parser, llm, none)");
};

CallMetrics& metrics() {
  static CallMetrics m;
  return m;
}

// Interim shim (branch households): the booking port's answers mapped onto the flow's old effect
// results, until the flow is rewritten over the port.
Task<std::optional<std::string>> name_for_mobile(Bookings& bookings, const std::string& e164) {
  auto patients = co_await bookings.patients_for_mobile(e164);
  if (patients.size() != 1) co_return std::nullopt;  // none, or a household: nobody to greet by name
  co_return patients.front().name;
}

Task<EffectResult> check_slot(Bookings& bookings, const CheckSlot& slot, SysSeconds now) {
  auto refused = co_await bookings.check(slot.start, slot.minutes, now);
  if (!refused) co_return SlotFree{};
  co_return SlotTaken{std::move(refused->alternatives)};
}

Task<EffectResult> book_slot(Bookings& bookings, const Book& book, const std::string& call_sid, SysSeconds now) {
  const NewBooking booking{.patient_id = std::nullopt, .name = book.name, .mobile = book.mobile, .start = book.start,
                           .minutes = book.minutes, .call_sid = call_sid};
  auto outcome = co_await bookings.book(booking, now);
  if (const auto* done = std::get_if<Done>(&outcome)) co_return Booked{done->appointment_id, done->start};
  co_return SlotTaken{std::move(std::get<SlotRefused>(outcome).alternatives)};
}

const char* field_name(Expecting e) {
  switch (e) {
    case Expecting::name: return "name";
    case Expecting::surname: return "surname";
    case Expecting::phone: return "phone";
    case Expecting::time: return "time";
    case Expecting::yes_no: return "yes_no";
    case Expecting::nothing: return "nothing";
  }
  return "nothing";
}

bool has_expected(const Understood& u, Expecting e) {
  switch (e) {
    case Expecting::name: return u.name.has_value();
    case Expecting::surname: return u.surname.has_value() || u.name.has_value();
    case Expecting::phone: return u.mobile.has_value();
    case Expecting::time: return u.when.has_value();
    case Expecting::yes_no: return u.answer.has_value() || u.when.has_value() || u.mobile.has_value();
    case Expecting::nothing: return true;
  }
  return true;
}

/// Extracts a date/time. When the session already holds a day ("Thursday" earlier, or offered
/// times on one day), an utterance whose date only came from `now` ("at 3") is read on that day.
std::optional<understand::When> when_for(const ConversationState& state, std::string_view text, SysSeconds now,
                                         const calendar::BusinessCalendar& calendar) {
  const understand::TimeContext real{now, &calendar};
  auto first = understand::extract_datetime(text, real);
  if (!state.day) return first;
  const SysSeconds day_start = calendar.to_sys(date::local_days{*state.day});
  if (day_start <= now) return first;  // the held day is today: real now already reads it right
  const understand::TimeContext held{day_start, &calendar};
  auto on_day = understand::extract_datetime(text, held);
  if (!on_day) return first;
  const auto* t_day = std::get_if<date::local_seconds>(&*on_day);
  if (!t_day) return first;
  if (date::year_month_day{date::floor<date::days>(*t_day)} != *state.day) return first;
  if (!first) return on_day;
  const auto* t_now = std::get_if<date::local_seconds>(&*first);
  // Same reading either way: the utterance named its date. Different: the date came from `now`.
  if (t_now && *t_now == *t_day) return first;
  return on_day;
}

}  // namespace

Understood understand_utterance(const ConversationState& state, const TurnInput& input, SysSeconds now,
                                const calendar::BusinessCalendar& calendar) {
  Understood u;
  u.text = input.speech;
  u.silence = input.speech.find_first_not_of(" \t\r\n.,") == std::string::npos && input.digits.empty();
  if (!input.digits.empty()) {
    u.mobile = understand::normalize_phone(input.digits);
    if (!u.mobile && input.digits.size() == 1) {
      // A single key at a yes/no question: 1 is yes, 2 is no (as the prompts never say otherwise,
      // this only helps callers who press keys by habit).
      if (input.digits == "1") u.answer = understand::Confirmation{understand::YesNo::yes, {}};
      if (input.digits == "2") u.answer = understand::Confirmation{understand::YesNo::no, {}};
    }
  }
  if (input.speech.empty()) return u;
  if (!u.mobile) u.mobile = understand::extract_phone(input.speech, input.from);
  u.name = understand::extract_name(input.speech);
  if (state.step == Step::ask_last_name) u.surname = understand::extract_surname(input.speech);
  u.answer = understand::extract_yes_no(input.speech);
  // A spoken phone number is digits, not a time: do not read "four oh three five five five…" as one.
  if (!u.mobile || state.step == Step::ask_time || state.step == Step::offer_slot)
    u.when = when_for(state, input.speech, now, calendar);
  return u;
}

CallHandler::CallHandler(store::SessionStore& sessions, Bookings& bookings, llm::LlmClient& llm,
                         const calendar::BusinessCalendar& calendar, const Clock& clock, TurnSettings settings)
    : sessions_(sessions), bookings_(bookings), llm_(llm), calendar_(calendar), clock_(clock), settings_(settings) {}

FlowContext CallHandler::context(SysSeconds now) const {
  return FlowContext{.now = now, .calendar = calendar_, .front_desk = settings_.front_desk, .max_retries = 3};
}

Task<std::optional<ConversationState>> CallHandler::load(const std::string& call_sid) {
  auto raw = co_await sessions_.load(session_key(call_sid));
  if (!raw) co_return std::nullopt;
  try {
    co_return state_from_json(nlohmann::json::parse(*raw));
  } catch (const std::exception& e) {
    obs::warn("discarding unreadable session", {{"call_sid", call_sid}, {"error", e.what()}});
    co_return std::nullopt;
  }
}

Task<void> CallHandler::save(const ConversationState& state) {
  co_await sessions_.save(session_key(state.call_sid), to_json(state).dump(), settings_.session_ttl);
}

Task<std::optional<std::string>> CallHandler::wait_for_reply(const std::string& key) {
  auto exec = co_await asio::this_coro::executor;
  asio::steady_timer timer(exec);
  const auto deadline = std::chrono::steady_clock::now() + settings_.replay_wait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto v = co_await sessions_.load(key);
    if (!v) co_return std::nullopt;  // the first copy failed and released its claim
    if (*v != kPending) co_return v;
    timer.expires_after(std::chrono::milliseconds(50));
    error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  co_return std::nullopt;
}

Task<std::string> CallHandler::start(const TurnInput& input, const Render& render) {
  const SysSeconds now = now_of(clock_);
  const auto key = turn_key(input.call_sid, 0);
  if (!co_await sessions_.claim(key, std::string(kPending), settings_.session_ttl)) {
    if (auto replay = co_await wait_for_reply(key)) {
      metrics().replays.inc();
      co_return *replay;
    }
  }
  std::exception_ptr failure;
  try {
    const auto caller_id = understand::normalize_phone(input.from);
    std::optional<std::string> known_name;
    if (caller_id) {
      try {
        known_name = co_await name_for_mobile(bookings_, *caller_id);
      } catch (const std::exception& e) {
        // Not knowing the caller only costs the shortcut; the call goes on.
        obs::warn("returning-caller lookup failed", {{"error", e.what()}});
      }
    }
    Turn t = start_call(input.call_sid, caller_id, known_name, settings_.appointment_minutes, context(now));
    co_await save(t.state);
    metrics().started.inc();
    obs::info("call started", {{"call_sid", input.call_sid},
                               {"from", obs::redact_phone(input.from)},
                               {"returning", t.state.returning}});
    std::string twiml = render(t.reply, t.state.turn + 1);
    co_await sessions_.save(key, twiml, settings_.session_ttl);
    co_return twiml;
  } catch (...) {
    failure = std::current_exception();
  }
  // Release the claim (no co_await is allowed inside a handler) so a retry can act.
  co_await sessions_.erase(key);
  std::rethrow_exception(failure);
}

Task<std::string> CallHandler::collect(const TurnInput& input, const Render& render) {
  int turn = input.turn.value_or(0);
  if (turn <= 0) {
    // No turn number in the URL: no replay protection is possible, but the call goes on.
    auto state = co_await load(input.call_sid);
    turn = (state ? state->turn : 0) + 1;
    obs::annotate("turn", turn);
  }
  const auto key = turn_key(input.call_sid, turn);
  if (!co_await sessions_.claim(key, std::string(kPending), settings_.session_ttl)) {
    if (auto replay = co_await wait_for_reply(key)) {
      metrics().replays.inc();
      obs::info("turn replayed", {{"call_sid", input.call_sid}, {"turn", turn}});
      co_return *replay;
    }
    // The first copy is still running (or failed): re-ask without advancing anything.
    auto state = co_await load(input.call_sid);
    if (state) co_return render(repeat_question(*state, context(now_of(clock_))).reply, state->turn + 1);
  }
  std::exception_ptr failure;
  try {
    std::string twiml = co_await claimed_turn(input, turn, render);
    co_await sessions_.save(key, twiml, settings_.session_ttl);
    co_return twiml;
  } catch (...) {
    failure = std::current_exception();
  }
  // Release the claim so Twilio's retry of this turn can act on it.
  co_await sessions_.erase(key);
  std::rethrow_exception(failure);
}

Task<std::string> CallHandler::claimed_turn(const TurnInput& input, int turn, const Render& render) {
  const SysSeconds now = now_of(clock_);
  auto loaded = co_await load(input.call_sid);
  ConversationState state;
  if (loaded) {
    state = std::move(*loaded);
  } else {
    // No session: it expired, or /twilio/voice never reached us. Start over, treating this
    // utterance as the answer to the first question.
    state = start_call(input.call_sid, understand::normalize_phone(input.from), std::nullopt,
                       settings_.appointment_minutes, context(now))
                .state;
    metrics().started.inc();
  }
  if (turn <= state.turn) {
    // An old turn whose stored reply is gone: ask the current question again.
    co_return render(repeat_question(state, context(now)).reply, state.turn + 1);
  }

  Understood heard = understand_utterance(state, input, now, calendar_);
  const Expecting want = expecting(state);
  if (want != Expecting::nothing) {
    if (has_expected(heard, want)) {
      metrics().layer.inc({{"field", field_name(want)}, {"layer", "parser"}});
    } else if (!heard.silence && llm_.enabled()) {
      co_await llm_fallback(state, input, heard, now);
      metrics().layer.inc({{"field", field_name(want)}, {"layer", has_expected(heard, want) ? "llm" : "none"}});
    } else if (!heard.silence) {
      metrics().layer.inc({{"field", field_name(want)}, {"layer", "none"}});
    }
  }

  Turn t = advance(state, heard, context(now));
  t.state.turn = turn;
  t = co_await run_effects(std::move(t), now);
  t.state.turn = turn;
  if (t.state.retries > state.retries && t.state.step == state.step)
    metrics().retries.inc({{"step", to_string(state.step)}});
  if (t.state.step == Step::ended && state.step != Step::ended) metrics().abandoned.inc();
  if (t.state.step == Step::booked && state.step != Step::booked) metrics().booked.inc();
  co_await save(t.state);
  obs::info("turn", {{"call_sid", input.call_sid},
                     {"turn", turn},
                     {"step", to_string(state.step)},
                     {"next", to_string(t.state.step)},
                     {"speech_chars", input.speech.size()}});
  co_return render(t.reply, turn + 1);
}

Task<Turn> CallHandler::run_effects(Turn t, SysSeconds now) {
  // At most two effects per turn (check a slot, then nothing; or book).
  for (int i = 0; i < 2 && t.effect; ++i) {
    EffectResult result = BookFailed{};
    if (const auto* check = std::get_if<CheckSlot>(&*t.effect)) {
      try {
        result = co_await check_slot(bookings_, *check, now);
      } catch (const std::exception& e) {
        // Cannot look: carry on optimistically; the booking itself is the real guard.
        obs::warn("slot check failed", {{"call_sid", t.state.call_sid}, {"error", e.what()}});
        result = SlotFree{};
      }
    } else if (const auto* book = std::get_if<Book>(&*t.effect)) {
      try {
        result = co_await book_slot(bookings_, *book, t.state.call_sid, now);
      } catch (const std::exception& e) {
        obs::error("booking failed", {{"call_sid", t.state.call_sid}, {"error", e.what()}});
        result = BookFailed{};
      }
    }
    t = resume(t.state, result, context(now));
  }
  co_return t;
}

Task<void> CallHandler::llm_fallback(const ConversationState& state, const TurnInput& input, Understood& heard,
                                     SysSeconds now) {
  const understand::TimeContext ctx{now, &calendar_};
  llm::Field field = llm::Field::name;
  switch (expecting(state)) {
    case Expecting::name: field = llm::Field::name; break;
    case Expecting::phone: field = llm::Field::phone; break;
    case Expecting::time: field = llm::Field::time; break;
    case Expecting::yes_no: field = llm::Field::yes_no; break;
    case Expecting::surname:  // a lone surname is one word: the parser's answer or none
    case Expecting::nothing: co_return;
  }
  // Named local: the request must outlive the awaited call (and no temporaries into coroutines).
  const llm::LlmRequest request = llm::make_request(field, input.speech, ctx);
  auto answer = co_await llm_.extract(request, settings_.llm_timeout);
  if (!answer) co_return;
  // Whatever the model said is checked exactly as parser output is.
  switch (field) {
    case llm::Field::name: heard.name = llm::validate_name(*answer); break;
    case llm::Field::phone: heard.mobile = llm::validate_phone(*answer); break;
    case llm::Field::time: heard.when = llm::validate_datetime(*answer, ctx); break;
    case llm::Field::yes_no: heard.answer = llm::validate_yes_no(*answer); break;
  }
}

}  // namespace bella::call
