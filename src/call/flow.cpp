// The step machine. Each caller turn absorbs what the step allows from what was understood,
// then asks for whatever is still missing. Checking a slot and booking are effects run by turn.cpp.
#include "bella/call/flow.hpp"

#include <algorithm>

#include "bella/call/prompts.hpp"

namespace bella::call {
namespace {

using std::chrono::minutes;

date::local_seconds local(const FlowContext& ctx, SysSeconds t) { return ctx.calendar.to_local(t); }

std::vector<date::local_seconds> locals(const FlowContext& ctx, const std::vector<SysSeconds>& ts) {
  std::vector<date::local_seconds> out;
  for (auto t : ts) out.push_back(local(ctx, t));
  return out;
}

bool has_word(std::string_view text, std::initializer_list<std::string_view> words) {
  std::string lower(text);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto w : words) {
    std::size_t pos = 0;
    while ((pos = lower.find(w, pos)) != std::string::npos) {
      const bool left = pos == 0 || !std::isalpha(static_cast<unsigned char>(lower[pos - 1]));
      const std::size_t end = pos + w.size();
      const bool right = end >= lower.size() || !std::isalpha(static_cast<unsigned char>(lower[end]));
      if (left && right) return true;
      pos = end;
    }
  }
  return false;
}

Reply ask(std::string line, Reply::Listen listen, std::string hints) {
  Reply r;
  r.lines.push_back(std::move(line));
  r.listen = listen;
  r.hints = std::move(hints);
  return r;
}

void enter(ConversationState& s, Step step) {
  if (s.step != step) s.retries = 0;
  s.step = step;
}

/// The question for the state's current step, at the state's retry count.
Reply question(const ConversationState& s, const FlowContext& ctx) {
  const int attempt = s.retries;
  switch (s.step) {
    case Step::ask_name: return ask(prompts::ask_name(attempt), Reply::Listen::speech, prompts::hints_for_name());
    case Step::ask_last_name:
      return ask(prompts::ask_last_name(prompts::first_name(s.name.value_or("")), attempt), Reply::Listen::speech,
                 prompts::hints_for_name());
    case Step::offer_caller_id:
      return ask(prompts::offer_caller_id(prompts::first_name(s.name.value_or("")), s.caller_id.value_or(""), attempt),
                 Reply::Listen::speech, prompts::hints_for_yes_no());
    case Step::ask_mobile:
      if (s.keypad) return ask(prompts::ask_mobile_keypad(), Reply::Listen::keypad_or_speech, prompts::hints_for_phone());
      return ask(prompts::ask_mobile(attempt), Reply::Listen::speech, prompts::hints_for_phone());
    case Step::ask_time:
      if (s.day && attempt == 0)
        return ask(prompts::ask_time_for_day(*s.day), Reply::Listen::speech, prompts::hints_for_time());
      return ask(prompts::ask_time(attempt), Reply::Listen::speech, prompts::hints_for_time());
    case Step::offer_slot:
      return ask(prompts::pick_offer(locals(ctx, s.offered), attempt), Reply::Listen::speech,
                 prompts::hints_for_yes_no() + ", " + prompts::hints_for_time());
    case Step::confirm:
      return ask(prompts::confirm(s.name.value_or(""), local(ctx, s.start.value_or(ctx.now)), s.mobile.value_or(""),
                                  attempt),
                 Reply::Listen::speech, prompts::hints_for_yes_no());
    case Step::ask_change: return ask(prompts::ask_change(attempt), Reply::Listen::speech, prompts::hints_for_yes_no());
    case Step::booked:
      if (s.start) {
        Reply r = ask(prompts::booked(prompts::first_name(s.name.value_or("")), local(ctx, *s.start)),
                      Reply::Listen::none, "");
        r.hangup = true;
        return r;
      }
      [[fallthrough]];
    case Step::ended: {
      Reply r = ask(prompts::give_up(false), Reply::Listen::none, "");
      r.hangup = true;
      return r;
    }
  }
  return ask(prompts::ask_name(0), Reply::Listen::speech, prompts::hints_for_name());
}

/// Asks for whatever is still missing, in the order name, number, time, then the read-back.
Turn proceed(ConversationState s, const FlowContext& ctx, std::vector<std::string> preface = {}) {
  if (!s.name) {
    enter(s, Step::ask_name);
  } else if (s.name->find(' ') == std::string::npos && !s.last_name_asked && !s.returning) {
    enter(s, Step::ask_last_name);
    s.last_name_asked = true;
  } else if (!s.mobile && s.caller_id && !s.caller_id_offered) {
    enter(s, Step::offer_caller_id);
    s.caller_id_offered = true;
  } else if (!s.mobile) {
    enter(s, Step::ask_mobile);
  } else if (!s.start) {
    enter(s, Step::ask_time);
  } else {
    enter(s, Step::confirm);
  }
  Reply r = question(s, ctx);
  r.lines.insert(r.lines.begin(), preface.begin(), preface.end());
  return Turn{std::move(s), std::move(r), std::nullopt};
}

Turn give_up(ConversationState s, const FlowContext& ctx) {
  enter(s, Step::ended);
  Reply r = ask(prompts::give_up(ctx.front_desk), Reply::Listen::none, "");
  r.transfer = ctx.front_desk;
  r.hangup = !ctx.front_desk;
  return Turn{std::move(s), std::move(r), std::nullopt};
}

/// A no-match or silence: re-ask with other wording, switch the number to the keypad, or give up.
Turn retry(ConversationState s, const Understood& heard, const FlowContext& ctx) {
  ++s.retries;
  if (s.retries >= ctx.max_retries) {
    if ((s.step == Step::ask_mobile || s.step == Step::offer_caller_id) && !s.keypad) {
      s.keypad = true;
      enter(s, Step::ask_mobile);
      s.retries = 0;
      Reply r = question(s, ctx);
      return Turn{std::move(s), std::move(r), std::nullopt};
    }
    return give_up(std::move(s), ctx);
  }
  Reply r = question(s, ctx);
  if (heard.silence) r.lines.insert(r.lines.begin(), prompts::didnt_hear());
  return Turn{std::move(s), std::move(r), std::nullopt};
}

/// Proposes `next` (the next opening) with `line`, or ends the call when there is none.
Turn offer(ConversationState s, std::optional<SysSeconds> next, std::string (*line)(date::local_seconds),
           const FlowContext& ctx) {
  if (!next) {
    Turn t = give_up(std::move(s), ctx);
    t.reply.lines.front() = prompts::no_opening_soon() + " " +
                            (ctx.front_desk ? "Let me connect you with our front desk." : "Please call us back. Goodbye.");
    return t;
  }
  s.start.reset();
  s.offered = {*next};
  s.day = date::year_month_day{date::floor<date::days>(local(ctx, *next))};
  enter(s, Step::offer_slot);
  return Turn{std::move(s),
              ask(line(local(ctx, *next)), Reply::Listen::speech, prompts::hints_for_yes_no() + ", " + prompts::hints_for_time()),
              std::nullopt};
}

/// Tries a start time: past or closed -> offer the next opening; open -> check the slot is free.
Turn try_start(ConversationState s, SysSeconds start, const FlowContext& ctx) {
  const minutes dur{s.duration_minutes};
  if (start <= ctx.now) return offer(std::move(s), ctx.calendar.next_opening(ctx.now, dur), prompts::past_time, ctx);
  if (!ctx.calendar.is_open(start, dur))
    return offer(std::move(s), ctx.calendar.next_opening(start, dur), prompts::closed_then, ctx);
  s.start = start;
  s.offered.clear();
  s.day.reset();
  const CheckSlot check{start, s.duration_minutes};
  return Turn{std::move(s), Reply{}, check};
}

/// Applies a date/time answer.
Turn take_when(ConversationState s, const understand::When& when, const FlowContext& ctx) {
  if (const auto* t = std::get_if<date::local_seconds>(&when)) return try_start(std::move(s), ctx.calendar.to_sys(*t), ctx);
  const auto d = std::get<understand::DateOnly>(when).day;
  const minutes dur{s.duration_minutes};
  auto slots = ctx.calendar.free_slots(d, dur, {});
  std::erase_if(slots, [&](SysSeconds t) { return t <= ctx.now; });
  if (slots.empty()) {
    const SysSeconds from = std::max(ctx.now, ctx.calendar.to_sys(date::local_days{d}));
    return offer(std::move(s), ctx.calendar.next_opening(from, dur), prompts::closed_then, ctx);
  }
  s.start.reset();
  s.day = d;
  enter(s, Step::ask_time);
  s.retries = 0;
  return Turn{s, question(s, ctx), std::nullopt};
}

/// Continues after fields were absorbed: a pending time goes through its checks first.
Turn absorbed(ConversationState s, const std::optional<understand::When>& when, const FlowContext& ctx) {
  s.retries = 0;
  if (when) return take_when(std::move(s), *when, ctx);
  return proceed(std::move(s), ctx);
}

bool is_yes(const Understood& h) { return h.answer && h.answer->answer == understand::YesNo::yes; }
bool is_no(const Understood& h) { return h.answer && h.answer->answer == understand::YesNo::no; }

}  // namespace

Expecting expecting(const ConversationState& s) {
  switch (s.step) {
    case Step::ask_name: return Expecting::name;
    case Step::ask_last_name: return Expecting::surname;
    case Step::ask_mobile: return Expecting::phone;
    case Step::ask_time: return Expecting::time;
    case Step::offer_caller_id:
    case Step::offer_slot:
    case Step::confirm: return Expecting::yes_no;
    default: return Expecting::nothing;
  }
}

Turn start_call(const std::string& call_sid, const std::optional<std::string>& caller_id,
                const std::optional<std::string>& known_name, int duration_minutes, const FlowContext& ctx) {
  ConversationState s;
  s.call_sid = call_sid;
  s.caller_id = caller_id;
  s.duration_minutes = duration_minutes;
  s.created_at = ctx.now;
  if (known_name && caller_id) {
    s.name = known_name;
    s.mobile = caller_id;
    s.returning = true;
    return proceed(std::move(s), ctx, {prompts::welcome_back(prompts::first_name(*known_name))});
  }
  return proceed(std::move(s), ctx, {prompts::greeting()});
}

Turn repeat_question(const ConversationState& state, const FlowContext& ctx) {
  return Turn{state, question(state, ctx), std::nullopt};
}

Turn advance(const ConversationState& state, const Understood& heard, const FlowContext& ctx) {
  ConversationState s = state;
  ++s.turn;
  switch (s.step) {
    case Step::ask_name: {
      if (!heard.name && !heard.mobile && !heard.when) return retry(std::move(s), heard, ctx);
      // Anything useful is kept; without a name, proceed() asks for the name again.
      if (heard.name) s.name = heard.name;
      if (heard.mobile) s.mobile = heard.mobile;
      return absorbed(std::move(s), heard.when, ctx);
    }
    case Step::ask_last_name: {
      // A full name restated, or the surname; anything else keeps the given name alone (the
      // surname is worth one more ask, not a failed call).
      if (heard.name && heard.name->find(' ') != std::string::npos) {
        s.name = heard.name;
      } else if (heard.surname) {
        s.name = *s.name + " " + *heard.surname;
      } else if (!heard.mobile && !heard.when && !is_no(heard) && s.retries == 0) {
        return retry(std::move(s), heard, ctx);
      }
      if (heard.mobile) s.mobile = heard.mobile;
      return absorbed(std::move(s), heard.when, ctx);
    }
    case Step::offer_caller_id: {
      if (heard.mobile) {
        s.mobile = heard.mobile;
      } else if (is_yes(heard)) {
        s.mobile = s.caller_id;
      } else if (is_no(heard)) {
        enter(s, Step::ask_mobile);
        return Turn{s, question(s, ctx), std::nullopt};
      } else {
        return retry(std::move(s), heard, ctx);
      }
      return absorbed(std::move(s), heard.when, ctx);
    }
    case Step::ask_mobile: {
      if (!heard.mobile) return retry(std::move(s), heard, ctx);
      s.mobile = heard.mobile;
      s.keypad = false;
      return absorbed(std::move(s), std::nullopt, ctx);
    }
    case Step::ask_time: {
      if (!heard.when) return retry(std::move(s), heard, ctx);
      return absorbed(std::move(s), heard.when, ctx);
    }
    case Step::offer_slot: {
      if (heard.when) {
        if (const auto* t = std::get_if<date::local_seconds>(&*heard.when)) {
          const SysSeconds picked = ctx.calendar.to_sys(*t);
          if (std::find(s.offered.begin(), s.offered.end(), picked) != s.offered.end())
            return try_start(std::move(s), picked, ctx);
        }
        return absorbed(std::move(s), heard.when, ctx);
      }
      if (is_yes(heard) && !s.offered.empty()) return try_start(std::move(s), s.offered.front(), ctx);
      if (is_no(heard)) {
        s.offered.clear();
        s.day.reset();
        enter(s, Step::ask_time);
        return Turn{s, question(s, ctx), std::nullopt};
      }
      return retry(std::move(s), heard, ctx);
    }
    case Step::confirm:
    case Step::ask_change: {
      const bool correction = heard.when || heard.mobile || (heard.name && heard.name != s.name);
      if (correction) {
        if (heard.mobile) s.mobile = heard.mobile;
        if (heard.name) s.name = heard.name;
        if (heard.when) s.start.reset();
        return absorbed(std::move(s), heard.when, ctx);
      }
      if (is_yes(heard) && s.name && s.mobile && s.start) {
        Book book{*s.name, *s.mobile, *s.start, s.duration_minutes};
        return Turn{std::move(s), Reply{}, std::move(book)};
      }
      if (s.step == Step::ask_change || is_no(heard)) {
        // Which field? Clear it and ask for it again.
        if (has_word(heard.text, {"name"})) {
          s.name.reset();
          return proceed(std::move(s), ctx);
        }
        if (has_word(heard.text, {"number", "phone", "mobile", "cell"})) {
          s.mobile.reset();
          s.caller_id_offered = true;  // they want a different number than the one offered
          return proceed(std::move(s), ctx);
        }
        if (has_word(heard.text, {"time", "day", "date", "when", "appointment"})) {
          s.start.reset();
          return proceed(std::move(s), ctx);
        }
        if (is_no(heard) && s.step == Step::confirm) {
          enter(s, Step::ask_change);
          return Turn{s, question(s, ctx), std::nullopt};
        }
      }
      return retry(std::move(s), heard, ctx);
    }
    case Step::booked:
    case Step::ended: return Turn{s, question(s, ctx), std::nullopt};
  }
  return retry(std::move(s), heard, ctx);
}

Turn resume(const ConversationState& state, const EffectResult& result, const FlowContext& ctx) {
  ConversationState s = state;
  if (std::holds_alternative<SlotFree>(result)) return proceed(std::move(s), ctx);
  if (const auto* taken = std::get_if<SlotTaken>(&result)) {
    const auto wanted = s.start.value_or(ctx.now);
    s.start.reset();
    if (taken->alternatives.empty())
      return offer(std::move(s), ctx.calendar.next_opening(wanted + minutes(s.duration_minutes), minutes(s.duration_minutes)),
                   prompts::closed_then, ctx);
    s.offered = taken->alternatives;
    s.day = date::year_month_day{date::floor<date::days>(local(ctx, s.offered.front()))};
    enter(s, Step::offer_slot);
    return Turn{s,
                ask(prompts::slot_taken(local(ctx, wanted), locals(ctx, s.offered)), Reply::Listen::speech,
                    prompts::hints_for_time()),
                std::nullopt};
  }
  if (const auto* booked = std::get_if<Booked>(&result)) {
    s.appointment_id = booked->appointment_id;
    s.start = booked->start;
    enter(s, Step::booked);
    return Turn{s, question(s, ctx), std::nullopt};
  }
  // BookFailed: nothing was written. Offer to try again, a limited number of times.
  ++s.booking_failures;
  if (s.booking_failures >= 2) return give_up(std::move(s), ctx);
  enter(s, Step::confirm);
  s.retries = 0;
  return Turn{s, ask(prompts::booking_failed(), Reply::Listen::speech, prompts::hints_for_yes_no()), std::nullopt};
}

}  // namespace bella::call
