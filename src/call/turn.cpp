// One turn of a call, with its I/O: claim the turn and load the session (one round trip),
// understand, advance, run the effects, then save the session and the answer (one round trip);
// or replay the answer of a repeated turn.
#include "call/turn.hpp"

#include <nlohmann/json.hpp>

#include "bella/understand/extract.hpp"
#include "call/effects.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"

namespace bella::call {
namespace {

std::string session_key(const std::string& sid) { return "bella:call:" + sid; }

SysSeconds now_of(const Clock& clock) { return std::chrono::time_point_cast<std::chrono::seconds>(clock.now()); }

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

/// The answer to a turn that could not run (another copy holds it, and no session to re-ask from).
Reply say_again() {
  Reply r;
  r.lines.push_back(Prompt{PromptId::say_again});
  r.listen = Reply::Listen::speech;
  return r;
}

}  // namespace

CallHandler::CallHandler(store::SessionStore& sessions, Bookings& bookings, llm::LlmClient& llm,
                         const calendar::BusinessCalendar& calendar, const Clock& clock, TurnSettings settings)
    : sessions_(sessions),
      bookings_(bookings),
      llm_(llm),
      calendar_(calendar),
      clock_(clock),
      settings_(std::move(settings)),
      claims_(sessions, ClaimSettings{.lease = settings_.claim_lease,
                                      .reply_ttl = settings_.session_ttl,
                                      .replay_wait = settings_.replay_wait}) {
  if (settings_.types.empty()) settings_.types = {{"standard", 30}};
}

FlowContext CallHandler::context(SysSeconds now) const {
  return FlowContext{.now = now,
                     .calendar = calendar_,
                     .front_desk = settings_.front_desk,
                     .max_retries = 3,
                     .max_failures = 6,
                     .types = settings_.types};
}

std::optional<ConversationState> CallHandler::parse_session(const std::optional<std::string>& raw,
                                                            const std::string& call_sid, bool* unreadable) {
  if (!raw) return std::nullopt;
  try {
    return state_from_json(nlohmann::json::parse(*raw));
  } catch (const std::exception& e) {
    // An old session shape (written before a deploy) or a damaged one: the call starts the step over.
    obs::warn("discarding unreadable session", {{"call_sid", call_sid}, {"error", e.what()}});
    if (unreadable) *unreadable = true;
    return std::nullopt;
  }
}

Task<std::optional<ConversationState>> CallHandler::load(const std::string& call_sid) {
  auto raw = co_await sessions_.load(session_key(call_sid));
  co_return parse_session(raw, call_sid, nullptr);
}

store::Write CallHandler::session_write(const ConversationState& state) const {
  // Every string in the state came through sanitised(); replace, never throw, on anything else.
  return store::Write{session_key(state.call_sid),
                      to_json(state).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                      settings_.session_ttl};
}

Task<std::vector<Patient>> CallHandler::patients_for(const std::optional<std::string>& caller_id) {
  if (!caller_id) co_return std::vector<Patient>{};
  try {
    co_return co_await bookings_.patients_for_mobile(*caller_id);
  } catch (const std::exception&) {
    // Not knowing the caller only costs the greeting by name; the call goes on.
    obs::warn("returning-caller lookup failed", {});
  }
  co_return std::vector<Patient>{};
}

Task<std::string> CallHandler::start(const TurnInput& raw, const Render& render) {
  const TurnInput input = sanitised(raw);
  const SysSeconds now = now_of(clock_);
  const Claim claim = co_await claims_.claim(input.call_sid, 0);
  if (!claim.owned) {
    if (auto replay = co_await claims_.wait_for_reply(claim)) {
      metrics().replays.inc();
      co_return *replay;
    }
  }
  std::exception_ptr failure;
  try {
    const auto caller_id = understand::normalize_phone(input.from);
    const std::vector<Patient> patients = co_await patients_for(caller_id);
    Turn t = start_call(input.call_sid, caller_id, patients, context(now));
    store::Write session = session_write(t.state);
    metrics().started.inc();
    obs::info("call started", {{"call_sid", input.call_sid},
                               {"from", obs::redact_phone(input.from)},
                               {"returning", t.state.returning},
                               {"household", t.state.household.size()}});
    std::string twiml = render(t.reply, t.state.turn + 1);
    co_await claims_.answer(claim, twiml, &session);  // one round trip: the session, then the reply
    co_return twiml;
  } catch (...) {
    failure = std::current_exception();
  }
  // Release the claim (no co_await is allowed inside a handler) so a retry can act.
  co_await claims_.release(claim);
  std::rethrow_exception(failure);
}

Task<std::string> CallHandler::collect(const TurnInput& raw, const Render& render) {
  const TurnInput input = sanitised(raw);
  int turn = input.turn.value_or(0);
  if (turn <= 0) {
    // No turn number in the URL: no replay protection is possible, but the call goes on.
    auto state = co_await load(input.call_sid);
    turn = (state ? state->turn : 0) + 1;
    obs::annotate("turn", turn);
  }
  // One round trip: the claim, and the session read with it.
  const std::string key = session_key(input.call_sid);
  ClaimedTurn claimed = co_await claims_.claim_and_load(input.call_sid, turn, key);
  const Claim& claim = claimed.claim;
  if (!claim.owned) {
    if (auto replay = co_await claims_.wait_for_reply(claim)) {
      metrics().replays.inc();
      obs::info("turn replayed", {{"call_sid", input.call_sid}, {"turn", turn}});
      co_return *replay;
    }
    // The first copy is still running (or crashed holding its lease): never run the turn twice
    // and never erase a claim this copy does not own. Re-ask without advancing anything.
    auto state = co_await load(input.call_sid);
    if (state) co_return render(repeat_question(*state, context(now_of(clock_))).reply, state->turn + 1);
    co_return render(say_again(), turn);
  }
  std::exception_ptr failure;
  try {
    Outcome out = co_await claimed_turn(input, turn, claimed.session, render);
    // One round trip: the session, then the reply.
    co_await claims_.answer(claim, out.twiml, out.session ? &*out.session : nullptr);
    co_return std::move(out.twiml);
  } catch (...) {
    failure = std::current_exception();
  }
  // Release the claim so Twilio's retry of this turn can act on it.
  co_await claims_.release(claim);
  std::rethrow_exception(failure);
}

Task<CallHandler::Outcome> CallHandler::claimed_turn(const TurnInput& input, int turn,
                                                     const std::optional<std::string>& raw, const Render& render) {
  const SysSeconds now = now_of(clock_);
  const FlowContext ctx = context(now);
  bool unreadable = false;
  auto loaded = parse_session(raw, input.call_sid, &unreadable);
  ConversationState state;
  if (loaded) {
    state = std::move(*loaded);
  } else {
    // No session: it expired, /twilio/voice never reached us, or it could not be read. Start over.
    const auto caller_id = understand::normalize_phone(input.from);
    const std::vector<Patient> patients = co_await patients_for(caller_id);
    Turn fresh = start_call(input.call_sid, caller_id, patients, ctx);
    metrics().started.inc();
    if (unreadable) {
      // The question the caller answered is unknown: ask the first one again, politely.
      fresh.state.turn = turn;
      co_return Outcome{render(fresh.reply, turn + 1), session_write(fresh.state)};
    }
    // Treat this utterance as the answer to the first question.
    state = std::move(fresh.state);
  }
  if (turn <= state.turn) {
    // An old turn whose stored reply is gone: ask the current question again.
    co_return Outcome{render(repeat_question(state, ctx).reply, state.turn + 1), std::nullopt};
  }

  Understood heard = understand_utterance(state, input, now, calendar_);
  const Expecting want = expecting(state);
  if (want != Expecting::nothing && !heard.intent) {
    if (has_expected(heard, want)) {
      metrics().layer.inc({{"field", field_name(want)}, {"layer", "parser"}});
    } else if (!heard.silence && llm_.enabled()) {
      co_await llm_fallback(llm_, state, input, heard, now, calendar_, settings_.llm_timeout);
      metrics().layer.inc({{"field", field_name(want)}, {"layer", has_expected(heard, want) ? "llm" : "none"}});
    } else if (!heard.silence) {
      metrics().layer.inc({{"field", field_name(want)}, {"layer", "none"}});
    }
  }

  Turn t = advance(state, heard, ctx);
  t = co_await run_effects(bookings_, std::move(t), ctx);
  t.state.turn = turn;
  if (t.state.retries > state.retries && t.state.step == state.step)
    metrics().retries.inc({{"step", to_string(state.step)}});
  if (t.state.step == Step::ended && state.step != Step::ended && !t.reply.transfer) metrics().abandoned.inc();
  if (t.state.step == Step::booked && state.step != Step::booked) metrics().booked.inc();
  obs::info("turn", {{"call_sid", input.call_sid},
                     {"turn", turn},
                     {"step", to_string(state.step)},
                     {"next", to_string(t.state.step)},
                     {"task", to_string(t.state.task)},
                     {"intent", heard.intent ? std::string(understand::to_string(*heard.intent)) : std::string()},
                     {"speech_chars", input.speech.size()}});
  co_return Outcome{render(t.reply, turn + 1), session_write(t.state)};
}

}  // namespace bella::call
