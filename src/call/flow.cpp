// The step machine. Each caller turn first honours what the caller asked for (a person, goodbye,
// a repeat, another task, an availability question, a length), then absorbs what the step allows
// from what was understood, then asks for whatever is still missing. Looking things up, checking
// a slot, booking, cancelling and moving are effects run by turn.cpp through the Bookings port.
#include "bella/call/flow.hpp"

#include <algorithm>
#include <cctype>

namespace bella::call {
namespace {

using std::chrono::minutes;
using understand::Intent;

constexpr auto kDay = std::chrono::hours(24);
constexpr int kOffers = static_cast<int>(calendar::kSuggestions);

date::local_seconds local(const FlowContext& ctx, SysSeconds t) { return ctx.calendar.to_local(t); }

std::vector<date::local_seconds> locals(const FlowContext& ctx, const std::vector<SysSeconds>& ts) {
  std::vector<date::local_seconds> out;
  for (auto t : ts) out.push_back(local(ctx, t));
  return out;
}

date::year_month_day local_day(const FlowContext& ctx, SysSeconds t) {
  return date::year_month_day{date::floor<date::days>(local(ctx, t))};
}

SysSeconds day_start(const FlowContext& ctx, date::year_month_day d) { return ctx.calendar.to_sys(date::local_days{d}); }

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool has_word(std::string_view text, std::initializer_list<std::string_view> words) {
  const std::string low = lower(text);
  for (auto w : words) {
    std::size_t pos = 0;
    while ((pos = low.find(w, pos)) != std::string::npos) {
      const bool left = pos == 0 || !std::isalpha(static_cast<unsigned char>(low[pos - 1]));
      const std::size_t end = pos + w.size();
      const bool right = end >= low.size() || !std::isalpha(static_cast<unsigned char>(low[end]));
      if (left && right) return true;
      pos = end;
    }
  }
  return false;
}

std::string first_name(const std::optional<std::string>& name) { return prompts::first_name(name.value_or("")); }

Prompt say(PromptId id, PromptArgs args = {}) { return Prompt{id, std::move(args)}; }

void enter(ConversationState& s, Step step) {
  if (s.step != step) s.retries = 0;
  s.step = step;
}

const KnownAppointment* target_of(const ConversationState& s) {
  for (const auto& a : s.upcoming)
    if (s.target && a.id == *s.target) return &a;
  return nullptr;
}

Reply::Listen listen_for(const ConversationState& s) {
  switch (s.step) {
    case Step::ask_mobile:
    case Step::ask_lookup_mobile: return Reply::Listen::phone;
    case Step::offer_caller_id:
    case Step::confirm:
    case Step::confirm_cancel:
    case Step::ask_go_on: return Reply::Listen::yes_no;
    case Step::offer_slot: return s.offered.size() == 1 ? Reply::Listen::yes_no : Reply::Listen::speech;
    case Step::booked:
    case Step::ended: return Reply::Listen::none;
    default: return Reply::Listen::speech;
  }
}

prompts::Hints hints_for(const ConversationState& s) {
  switch (s.step) {
    case Step::ask_name:
    case Step::ask_last_name:
    case Step::ask_who: return prompts::Hints::name;
    case Step::ask_mobile:
    case Step::ask_lookup_mobile: return prompts::Hints::phone;
    case Step::ask_time: return prompts::Hints::time;
    case Step::offer_slot:
    case Step::pick_appointment: return prompts::Hints::offer;
    case Step::ask_go_on: return prompts::Hints::intent;
    case Step::booked:
    case Step::ended: return prompts::Hints::none;
    default: return prompts::Hints::yes_no;
  }
}

/// The question for the state's current step, at the state's retry count.
Prompt question_prompt(const ConversationState& s, const FlowContext& ctx) {
  PromptArgs a;
  a.attempt = s.retries;
  switch (s.step) {
    case Step::ask_name:
      return say(!s.household.empty() && !s.patient_id ? PromptId::ask_who_calling : PromptId::ask_name, a);
    case Step::ask_last_name: a.name = first_name(s.name); return say(PromptId::ask_last_name, a);
    case Step::offer_caller_id:
      a.name = first_name(s.name);
      a.digits = prompts::last_four(s.caller_id.value_or(""));
      return say(PromptId::offer_caller_id, a);
    case Step::ask_mobile: return say(PromptId::ask_mobile, a);
    case Step::ask_lookup_mobile: return say(PromptId::ask_lookup_mobile, a);
    case Step::ask_time:
      if (s.day && a.attempt == 0) {
        a.day = s.day;
        return say(PromptId::ask_time_for_day, a);
      }
      a.flag = s.task == Purpose::reschedule;
      return say(PromptId::ask_time, a);
    case Step::offer_slot: a.times = locals(ctx, s.offered); return say(PromptId::pick_offer, a);
    case Step::confirm:
      a.when = local(ctx, s.start.value_or(ctx.now));
      a.minutes = s.duration_minutes;
      if (s.task == Purpose::reschedule) {
        if (const auto* t = target_of(s)) a.from = local(ctx, t->start);
        return say(PromptId::confirm_move, a);
      }
      a.name = s.name.value_or("");
      a.digits = prompts::last_four(s.mobile.value_or(""));
      return say(PromptId::confirm, a);
    case Step::ask_change: return say(PromptId::ask_change, a);
    case Step::ask_who:
      for (const auto& p : s.household) a.names.push_back(p.name);
      return say(PromptId::ask_who, a);
    case Step::pick_appointment:
      for (const auto& u : s.upcoming) a.times.push_back(local(ctx, u.start));
      return say(PromptId::which_appointment, a);
    case Step::confirm_cancel:
      if (const auto* t = target_of(s)) a.when = local(ctx, t->start);
      return say(PromptId::confirm_cancel, a);
    case Step::ask_go_on: return say(PromptId::anything_else, a);
    case Step::booked:
      a.name = first_name(s.name);
      a.when = local(ctx, s.start.value_or(ctx.now));
      a.minutes = s.duration_minutes;
      return say(PromptId::booked, a);
    case Step::ended: return say(PromptId::goodbye_done, a);
  }
  return say(PromptId::say_again, a);
}

Reply question(const ConversationState& s, const FlowContext& ctx, std::vector<Prompt> preface = {}) {
  Reply r;
  r.lines = std::move(preface);
  r.lines.push_back(question_prompt(s, ctx));
  r.listen = listen_for(s);
  r.hints = hints_for(s);
  r.hangup = s.step == Step::booked || s.step == Step::ended;
  return r;
}

Turn ask_now(ConversationState s, const FlowContext& ctx, std::vector<Prompt> preface = {}) {
  Reply r = question(s, ctx, std::move(preface));
  return Turn{std::move(s), std::move(r), std::nullopt};
}

Turn end_call(ConversationState s, Prompt line, bool transfer) {
  enter(s, Step::ended);
  Reply r;
  r.lines.push_back(std::move(line));
  r.listen = Reply::Listen::none;
  r.transfer = transfer;
  r.hangup = !transfer;
  return Turn{std::move(s), std::move(r), std::nullopt};
}

Turn give_up(ConversationState s, const FlowContext& ctx) {
  PromptArgs a;
  a.flag = ctx.front_desk;
  return end_call(std::move(s), say(PromptId::give_up, a), ctx.front_desk);
}

/// A no-match or silence: re-ask with other wording, or give up after too many failures.
Turn retry(ConversationState s, const Understood& heard, const FlowContext& ctx) {
  ++s.retries;
  ++s.failures;
  if (s.retries >= ctx.max_retries || s.failures >= ctx.max_failures) return give_up(std::move(s), ctx);
  return ask_now(std::move(s), ctx, {say(heard.silence ? PromptId::didnt_hear : PromptId::didnt_catch)});
}

Turn try_start(ConversationState s, SysSeconds start, const FlowContext& ctx);

/// Asks for whatever is still missing, in the order name, number, time, then the read-back. A
/// start already chosen is checked again (free, open, not past) before it is read back.
Turn proceed(ConversationState s, const FlowContext& ctx, std::vector<Prompt> preface = {}) {
  s.retries = 0;
  if (s.task == Purpose::reschedule && s.target) {
    enter(s, s.start ? Step::confirm : Step::ask_time);
  } else if (s.task != Purpose::book) {
    enter(s, Step::ask_go_on);
  } else if (!s.name) {
    enter(s, Step::ask_name);
  } else if (s.name->find(' ') == std::string::npos && !s.last_name_asked && !s.returning && !s.patient_id) {
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
  return ask_now(std::move(s), ctx, std::move(preface));
}

SlotQuery query(const FlowContext& ctx, const ConversationState& s, SysSeconds from, SysSeconds to, int max = kOffers) {
  return SlotQuery{.from = std::max(from, ctx.now), .to = to, .minutes = s.duration_minutes, .max = max};
}

SysSeconds horizon(const FlowContext& ctx) { return ctx.now + calendar::kLookAheadDays * kDay; }

Turn find_slots(ConversationState s, SlotQuery q, OfferReason why, std::optional<understand::PartOfDay> part,
                std::vector<Prompt> preface = {}) {
  if (part) q.max = 60;  // filtered to the part of day afterwards
  Reply r;
  r.lines = std::move(preface);
  return Turn{std::move(s), std::move(r), FindSlots{q, why, part}};
}

/// Offers `slots` (at most three) with the line for `why`.
Turn offer(ConversationState s, std::vector<SysSeconds> slots, PromptId line, const FlowContext& ctx,
           std::optional<date::local_seconds> wanted = std::nullopt) {
  if (slots.size() > calendar::kSuggestions) slots.resize(calendar::kSuggestions);
  s.start.reset();
  s.day.reset();
  if (slots.empty()) {
    PromptArgs a;
    if (wanted) a.day = date::year_month_day{date::floor<date::days>(*wanted)};
    enter(s, Step::ask_time);
    s.offered.clear();
    return ask_now(std::move(s), ctx, {say(PromptId::no_openings, a)});
  }
  s.offered = std::move(slots);
  enter(s, Step::offer_slot);
  PromptArgs a;
  a.times = locals(ctx, s.offered);
  a.when = wanted;
  Reply r;
  r.lines.push_back(say(line, a));
  r.listen = listen_for(s);
  r.hints = hints_for(s);
  return Turn{std::move(s), std::move(r), std::nullopt};
}

/// A start time: past -> "that time has already passed" and the next free slots; closed -> the
/// free slots from then; open -> check it is free (the port answers from PostgreSQL).
Turn try_start(ConversationState s, SysSeconds start, const FlowContext& ctx) {
  const minutes dur{s.duration_minutes};
  if (start <= ctx.now) {
    s.start.reset();
    auto q = query(ctx, s, ctx.now, horizon(ctx));
    return find_slots(std::move(s), q, OfferReason::past, std::nullopt);
  }
  if (!ctx.calendar.is_open(start, dur)) {
    s.start.reset();
    auto q = query(ctx, s, start, horizon(ctx));
    return find_slots(std::move(s), q, OfferReason::closed, std::nullopt);
  }
  s.start = start;
  s.offered.clear();
  s.day.reset();
  return Turn{std::move(s), Reply{}, CheckSlot{start, s.duration_minutes}};
}

bool in_part(const FlowContext& ctx, SysSeconds t, understand::PartOfDay part) {
  const auto l = local(ctx, t);
  const auto h = std::chrono::duration_cast<std::chrono::hours>(l - date::floor<date::days>(l)).count();
  switch (part) {
    case understand::PartOfDay::morning: return h < 12;
    case understand::PartOfDay::afternoon: return h >= 12 && h < 17;
    case understand::PartOfDay::evening:
    case understand::PartOfDay::night: return h >= 17;
  }
  return true;
}

/// Applies what the caller said about a date/time. A part the caller did not say is kept from the
/// time already chosen: "make it Thursday" keeps 2 PM (a time alone was already read on the focus
/// day by the extractor, so "make it 3 pm" keeps the date).
Turn take_time(ConversationState s, const understand::HeardTime& h, const FlowContext& ctx) {
  if (h.past) {
    s.start.reset();
    auto q = query(ctx, s, ctx.now, horizon(ctx));
    return find_slots(std::move(s), q, OfferReason::past, std::nullopt);
  }
  if (!h.when) {
    // Only a span ("next week", "in the morning"): answer with what is free then.
    SysSeconds from = ctx.now;
    SysSeconds to = horizon(ctx);
    if (h.span) {
      from = day_start(ctx, h.span->first);
      to = from + h.span->days * kDay;
    }
    auto q = query(ctx, s, from, to);
    return find_slots(std::move(s), q, OfferReason::answer, h.part);
  }
  if (const auto* t = std::get_if<date::local_seconds>(&*h.when)) return try_start(std::move(s), ctx.calendar.to_sys(*t), ctx);
  const auto d = std::get<understand::DateOnly>(*h.when).day;
  if (s.start && !h.said.time && !h.said.part_of_day) {
    // A new day for the time already chosen.
    const auto kept = local(ctx, *s.start);
    const auto tod = kept - date::floor<date::days>(kept);
    return try_start(std::move(s), ctx.calendar.to_sys(date::local_days{d} + tod), ctx);
  }
  const SysSeconds from = day_start(ctx, d);
  if (h.part) {
    auto q = query(ctx, s, from, from + kDay);
    return find_slots(std::move(s), q, OfferReason::answer, h.part);
  }
  auto grid = ctx.calendar.free_slots(d, minutes(s.duration_minutes), {});
  std::erase_if(grid, [&](SysSeconds t) { return t <= ctx.now; });
  if (grid.empty()) {
    auto q = query(ctx, s, from, horizon(ctx));
    return find_slots(std::move(s), q, OfferReason::closed, std::nullopt);
  }
  s.start.reset();
  s.offered.clear();
  s.day = d;
  enter(s, Step::ask_time);
  s.retries = 0;
  return ask_now(std::move(s), ctx);
}

/// "What do you have on Friday?", "what's the earliest?", "anything next week in the morning?"
Turn answer_availability(ConversationState s, const Understood& heard, const FlowContext& ctx) {
  if (heard.time && !heard.time->past) {
    const auto& h = *heard.time;
    if (h.when) {
      if (const auto* t = std::get_if<date::local_seconds>(&*h.when))
        return try_start(std::move(s), ctx.calendar.to_sys(*t), ctx);
      const SysSeconds from = day_start(ctx, std::get<understand::DateOnly>(*h.when).day);
      auto q = query(ctx, s, from, from + kDay);
      return find_slots(std::move(s), q, OfferReason::answer, h.part);
    }
    return take_time(std::move(s), h, ctx);
  }
  auto q = query(ctx, s, ctx.now, horizon(ctx));
  return find_slots(std::move(s), q, OfferReason::answer, heard.time ? heard.time->part : std::nullopt);
}

bool is_yes(const Understood& h) { return h.answer && h.answer->answer == understand::YesNo::yes; }
bool is_no(const Understood& h) { return h.answer && h.answer->answer == understand::YesNo::no; }

bool same_name(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

/// The household member a said name means: the full name, else a unique first name.
std::optional<KnownPatient> match_patient(const std::vector<KnownPatient>& household, const std::string& said) {
  for (const auto& p : household)
    if (same_name(p.name, said)) return p;
  if (said.find(' ') != std::string::npos) return std::nullopt;  // a different full name: someone else
  std::optional<KnownPatient> found;
  for (const auto& p : household) {
    if (!same_name(prompts::first_name(p.name), said)) continue;
    if (found) return std::nullopt;  // ambiguous
    found = p;
  }
  return found;
}

/// Takes a name heard for the booking: "it's Jane, not Jan" keeps the surname; a different name on
/// a known number is another patient (the household's, or a new one), never a rename. False when
/// it is the name already held.
bool adopt_name(ConversationState& s, const understand::HeardName& heard) {
  if (same_name(heard.full, s.name.value_or(""))) return false;
  std::string name = heard.full;
  if (heard.given_only && s.name && s.name->find(' ') != std::string::npos)
    name += s.name->substr(s.name->find(' '));
  s.name = name;
  if (auto p = match_patient(s.household, name)) {
    s.patient_id = p->id;
    s.name = p->name;
  } else {
    s.patient_id.reset();
  }
  return true;
}

/// Starts a cancel, a move or a look-up: find the patient by the number (caller ID or said).
Turn begin_task(ConversationState s, Purpose task, const FlowContext& ctx, std::vector<Prompt> preface = {}) {
  s.task = task;
  s.start.reset();
  s.offered.clear();
  s.day.reset();
  s.target.reset();
  if (!s.mobile && s.caller_id) s.mobile = s.caller_id;
  if (!s.mobile) {
    enter(s, Step::ask_lookup_mobile);
    return ask_now(std::move(s), ctx, std::move(preface));
  }
  Reply r;
  r.lines = std::move(preface);
  FindPatients find{*s.mobile};
  return Turn{std::move(s), std::move(r), std::move(find)};
}

/// A booking (after a lookup found nobody, or when the caller asks to book after another task).
Turn begin_booking(ConversationState s, const FlowContext& ctx, std::vector<Prompt> preface = {}) {
  s.task = Purpose::book;
  s.start.reset();
  s.target.reset();
  s.offered.clear();
  s.day.reset();
  return proceed(std::move(s), ctx, std::move(preface));
}

/// The task continues with one patient: read back, ask which, or ask for yes.
Turn with_patient(ConversationState s, const KnownPatient& p, const FlowContext& ctx, std::vector<Prompt> preface) {
  s.patient_id = p.id;
  s.name = p.name;
  std::erase_if(s.upcoming, [&](const KnownAppointment& a) { return a.patient_id != p.id; });
  if (s.upcoming.empty()) {
    PromptArgs a;
    a.name = prompts::first_name(p.name);
    preface.push_back(say(PromptId::no_upcoming, a));
    s.task = Purpose::book;  // "yes" books one
    enter(s, Step::ask_go_on);
    Reply r;
    r.lines = std::move(preface);
    r.listen = Reply::Listen::yes_no;
    r.hints = prompts::Hints::yes_no;
    return Turn{std::move(s), std::move(r), std::nullopt};
  }
  PromptArgs list;
  for (const auto& u : s.upcoming) list.times.push_back(local(ctx, u.start));
  if (s.task == Purpose::look_up || s.upcoming.size() > 1) preface.push_back(say(PromptId::you_have, list));
  if (s.task == Purpose::look_up) {
    enter(s, Step::ask_go_on);
    return ask_now(std::move(s), ctx, std::move(preface));
  }
  if (s.upcoming.size() > 1) {
    enter(s, Step::pick_appointment);
    return ask_now(std::move(s), ctx, std::move(preface));
  }
  s.target = s.upcoming.front().id;
  if (s.task == Purpose::cancel) {
    enter(s, Step::confirm_cancel);
    return ask_now(std::move(s), ctx, std::move(preface));
  }
  preface.push_back(say(PromptId::you_have, list));
  s.duration_minutes = s.upcoming.front().minutes;
  enter(s, Step::ask_time);
  return ask_now(std::move(s), ctx, std::move(preface));
}

/// The target appointment is chosen: cancel asks for yes, a move asks for the new time.
Turn with_target(ConversationState s, std::int64_t id, const FlowContext& ctx) {
  s.target = id;
  if (s.task == Purpose::cancel) {
    enter(s, Step::confirm_cancel);
    return ask_now(std::move(s), ctx);
  }
  if (const auto* t = target_of(s)) s.duration_minutes = t->minutes;
  s.start.reset();
  enter(s, Step::ask_time);
  return ask_now(std::move(s), ctx);
}

/// "I need an hour", "a long appointment": the type whose length was asked for.
std::optional<AppointmentType> type_for(const Understood& heard, const FlowContext& ctx) {
  if (heard.minutes) {
    for (const auto& t : ctx.types)
      if (t.minutes == *heard.minutes) return t;
    return std::nullopt;
  }
  for (const auto& t : ctx.types)
    if (t.name == "long") return t;
  const AppointmentType* longest = nullptr;
  for (const auto& t : ctx.types)
    if (!longest || t.minutes > longest->minutes) longest = &t;
  if (longest && longest->minutes > ctx.types.front().minutes) return *longest;
  return std::nullopt;
}

/// The step's own handling of an utterance (after intents and lengths).
Turn on_step(ConversationState s, const Understood& heard, const FlowContext& ctx);

Turn on_intent(ConversationState s, Intent intent, const Understood& heard, const FlowContext& ctx, bool& handled) {
  handled = true;
  switch (intent) {
    case Intent::person:
      if (ctx.front_desk) return end_call(std::move(s), say(PromptId::transferring), true);
      return ask_now(std::move(s), ctx, {say(PromptId::no_front_desk)});
    case Intent::decline:
      return end_call(std::move(s), say(s.task == Purpose::book && s.step != Step::ask_go_on ? PromptId::goodbye
                                                                                            : PromptId::goodbye_done),
                      false);
    case Intent::repeat: return ask_now(std::move(s), ctx);
    case Intent::cancel:
    case Intent::reschedule:
    case Intent::look_up: {
      const Purpose task = intent == Intent::cancel       ? Purpose::cancel
                        : intent == Intent::reschedule ? Purpose::reschedule
                                                       : Purpose::look_up;
      // "move it to 3" at a read-back is a correction, not a new task.
      const bool correcting = (s.step == Step::confirm || s.step == Step::ask_change) && heard.time;
      if (!correcting && (s.task != task || s.step == Step::ask_go_on)) return begin_task(std::move(s), task, ctx);
      break;
    }
    case Intent::availability:
      if (s.step == Step::offer_slot && (heard.later || heard.another_day || heard.position)) break;
      if (s.step == Step::confirm_cancel || s.step == Step::pick_appointment || s.step == Step::ask_who ||
          s.step == Step::ask_lookup_mobile)
        break;
      if (s.task != Purpose::book && s.task != Purpose::reschedule) s.task = Purpose::book;
      if (s.task == Purpose::reschedule && !s.target) s.task = Purpose::book;
      return answer_availability(std::move(s), heard, ctx);
    case Intent::book:
      if (s.step == Step::ask_go_on || (s.task != Purpose::book && s.task != Purpose::reschedule))
        return begin_booking(std::move(s), ctx);
      break;
  }
  handled = false;
  return Turn{std::move(s), Reply{}, std::nullopt};
}

}  // namespace

Expecting expecting(const ConversationState& s) {
  switch (s.step) {
    case Step::ask_name:
    case Step::ask_who: return Expecting::name;
    case Step::ask_last_name: return Expecting::surname;
    case Step::ask_mobile:
    case Step::ask_lookup_mobile: return Expecting::phone;
    case Step::ask_time: return Expecting::time;
    case Step::offer_caller_id:
    case Step::offer_slot:
    case Step::confirm:
    case Step::confirm_cancel:
    case Step::ask_go_on: return Expecting::yes_no;
    default: return Expecting::nothing;
  }
}

std::optional<date::year_month_day> focus_day(const ConversationState& s, const calendar::BusinessCalendar& cal) {
  if (s.start) return date::year_month_day{date::floor<date::days>(cal.to_local(*s.start))};
  if (s.day) return s.day;
  if (!s.offered.empty()) return date::year_month_day{date::floor<date::days>(cal.to_local(s.offered.front()))};
  return std::nullopt;
}

Turn start_call(const std::string& call_sid, const std::optional<std::string>& caller_id,
                const std::vector<Patient>& patients, const FlowContext& ctx) {
  ConversationState s;
  s.call_sid = call_sid;
  s.caller_id = caller_id;
  s.duration_minutes = ctx.types.front().minutes;
  s.type = ctx.types.front().name;
  s.created_at = ctx.now;
  if (caller_id) {
    for (const auto& p : patients) s.household.push_back(KnownPatient{p.id, p.name});
  }
  if (s.household.size() == 1) {
    s.name = s.household.front().name;
    s.patient_id = s.household.front().id;
    s.mobile = caller_id;
    s.returning = true;
    PromptArgs a;
    a.name = prompts::first_name(*s.name);
    return proceed(std::move(s), ctx, {say(PromptId::welcome_back, a)});
  }
  if (s.household.size() > 1) {
    s.mobile = caller_id;
    s.returning = true;
    return proceed(std::move(s), ctx, {say(PromptId::welcome_household)});
  }
  return proceed(std::move(s), ctx, {say(PromptId::greeting)});
}

Turn repeat_question(const ConversationState& state, const FlowContext& ctx) { return ask_now(state, ctx); }

Turn advance(const ConversationState& state, const Understood& heard, const FlowContext& ctx) {
  ConversationState s = state;
  ++s.turn;
  if (s.step == Step::booked || s.step == Step::ended) return ask_now(std::move(s), ctx);

  if (heard.intent) {
    bool handled = false;
    Turn t = on_intent(s, *heard.intent, heard, ctx, handled);
    if (handled) return t;
  }

  // A length asked for applies at once; the rest of the utterance goes on to the step.
  std::vector<Prompt> preface;
  bool length_heard = false;
  if ((heard.minutes || heard.long_type) && s.task != Purpose::cancel && s.task != Purpose::look_up) {
    length_heard = true;
    if (auto type = type_for(heard, ctx)) {
      s.duration_minutes = type->minutes;
      s.type = type->name;
      PromptArgs a;
      a.minutes = type->minutes;
      preface.push_back(say(PromptId::length_set, a));
    } else {
      PromptArgs a;
      a.minutes = heard.minutes.value_or(0);
      for (const auto& t : ctx.types) a.lengths.push_back(t.minutes);
      preface.push_back(say(PromptId::length_not_offered, a));
    }
  }

  Turn t = on_step(s, heard, ctx);
  const bool nothing_else = t.state.step == s.step && t.state.retries > s.retries;
  if (heard.intent && !length_heard && nothing_else) {
    // "I'd like to book an appointment" at the name question: understood, not a failed try.
    return ask_now(std::move(s), ctx);
  }
  if (length_heard) {
    if (nothing_else) {
      // Only the length was said: a chosen start is checked again for the new length.
      if (s.start && (s.step == Step::confirm || s.step == Step::ask_change)) t = try_start(s, *s.start, ctx);
      else t = ask_now(s, ctx);
    }
    t.reply.lines.insert(t.reply.lines.begin(), preface.begin(), preface.end());
  }
  return t;
}

namespace {

Turn on_step(ConversationState s, const Understood& heard, const FlowContext& ctx) {
  switch (s.step) {
    case Step::ask_name: {
      if (!heard.name && !heard.mobile && !heard.time) return retry(std::move(s), heard, ctx);
      if (heard.name) {
        s.name = heard.name->full;
        if (!s.household.empty()) {
          // A known number: the member who is calling, or someone new (never a rename).
          if (auto p = match_patient(s.household, heard.name->full)) {
            s.patient_id = p->id;
            s.name = p->name;
          } else {
            s.patient_id.reset();
          }
        }
      }
      if (heard.mobile) s.mobile = heard.mobile;
      if (heard.time) return take_time(std::move(s), *heard.time, ctx);
      return proceed(std::move(s), ctx);
    }
    case Step::ask_last_name: {
      // A full name restated, or the surname; anything else keeps the given name alone (the
      // surname is worth one more ask, not a failed call).
      if (heard.name && !heard.name->given_only) {
        s.name = heard.name->full;
      } else if (heard.surname) {
        s.name = *s.name + " " + *heard.surname;
      } else if (!heard.mobile && !heard.time && !is_no(heard) && s.retries == 0) {
        return retry(std::move(s), heard, ctx);
      }
      if (heard.mobile) s.mobile = heard.mobile;
      if (heard.time) return take_time(std::move(s), *heard.time, ctx);
      return proceed(std::move(s), ctx);
    }
    case Step::offer_caller_id: {
      if (heard.mobile && !heard.keypad) {
        s.mobile = heard.mobile;
      } else if (heard.mobile) {
        s.mobile = heard.mobile;
      } else if (is_yes(heard)) {
        s.mobile = s.caller_id;
      } else if (is_no(heard)) {
        enter(s, Step::ask_mobile);
        return ask_now(std::move(s), ctx);
      } else {
        return retry(std::move(s), heard, ctx);
      }
      if (heard.time) return take_time(std::move(s), *heard.time, ctx);
      return proceed(std::move(s), ctx);
    }
    case Step::ask_mobile: {
      if (!heard.mobile) return retry(std::move(s), heard, ctx);
      s.mobile = heard.mobile;
      return proceed(std::move(s), ctx);
    }
    case Step::ask_lookup_mobile: {
      if (!heard.mobile) return retry(std::move(s), heard, ctx);
      s.mobile = heard.mobile;
      return begin_task(std::move(s), s.task, ctx);
    }
    case Step::ask_time: {
      // Someone else on a known phone ("this is Jane Baker"): the booking is theirs, never a rename.
      if (heard.name && heard.name->carrier && !heard.name->given_only && s.task == Purpose::book &&
          adopt_name(s, *heard.name) && !heard.time) {
        PromptArgs a;
        a.name = first_name(s.name);
        return ask_now(std::move(s), ctx, {say(PromptId::thanks_name, a)});
      }
      if (!heard.time) return retry(std::move(s), heard, ctx);
      return take_time(std::move(s), *heard.time, ctx);
    }
    case Step::offer_slot: {
      if (heard.position) {
        const int n = static_cast<int>(s.offered.size());
        const int i = *heard.position < 0 ? n - 1 : *heard.position;
        if (i >= 0 && i < n) return try_start(std::move(s), s.offered[static_cast<std::size_t>(i)], ctx);
        return retry(std::move(s), heard, ctx);
      }
      if (heard.later && !s.offered.empty()) {
        const SysSeconds after = s.offered.back() + std::chrono::seconds(1);
        auto q = query(ctx, s, after, horizon(ctx));
        return find_slots(std::move(s), q, OfferReason::later, std::nullopt);
      }
      if (heard.another_day && !s.offered.empty()) {
        const SysSeconds next = day_start(ctx, local_day(ctx, s.offered.front())) + kDay;
        auto q = query(ctx, s, next, horizon(ctx));
        return find_slots(std::move(s), q, OfferReason::answer, std::nullopt);
      }
      if (heard.time) {
        if (heard.time->when && !heard.time->past) {
          if (const auto* t = std::get_if<date::local_seconds>(&*heard.time->when)) {
            const SysSeconds picked = ctx.calendar.to_sys(*t);
            if (std::find(s.offered.begin(), s.offered.end(), picked) != s.offered.end())
              return try_start(std::move(s), picked, ctx);
          }
        }
        return take_time(std::move(s), *heard.time, ctx);
      }
      if (is_yes(heard) && s.offered.size() == 1) return try_start(std::move(s), s.offered.front(), ctx);
      if (is_no(heard)) {
        s.offered.clear();
        s.day.reset();
        enter(s, Step::ask_time);
        return ask_now(std::move(s), ctx);
      }
      return retry(std::move(s), heard, ctx);
    }
    case Step::confirm:
    case Step::ask_change: {
      // Corrections replace only what they name, then the appointment is checked again.
      bool corrected = false;
      if (heard.mobile && s.task == Purpose::book) {
        s.mobile = heard.mobile;
        corrected = true;
      }
      const bool name_evidence = heard.name && (heard.name->carrier || s.step == Step::ask_change);
      if (name_evidence && s.task == Purpose::book && adopt_name(s, *heard.name)) corrected = true;
      if (heard.time) return take_time(std::move(s), *heard.time, ctx);
      if (corrected) {
        if (s.start) return try_start(std::move(s), *s.start, ctx);
        return proceed(std::move(s), ctx);
      }
      if (is_yes(heard) && s.start) {
        if (s.task == Purpose::reschedule && s.target) {
          MoveIt move{*s.target, *s.start, s.duration_minutes};
          return Turn{std::move(s), Reply{}, move};
        }
        if (s.name && s.mobile) {
          NewBooking b;
          b.patient_id = s.patient_id;
          b.name = *s.name;
          b.mobile = *s.mobile;
          b.start = *s.start;
          b.minutes = s.duration_minutes;
          b.call_sid = s.call_sid;
          return Turn{std::move(s), Reply{}, BookIt{std::move(b)}};
        }
      }
      if (s.step == Step::ask_change || is_no(heard)) {
        // Which field? Clear it and ask for it again.
        if (s.task == Purpose::book && has_word(heard.text, {"name"})) {
          s.name.reset();
          s.patient_id.reset();
          return proceed(std::move(s), ctx);
        }
        if (s.task == Purpose::book && has_word(heard.text, {"number", "phone", "mobile", "cell"})) {
          s.mobile.reset();
          s.caller_id_offered = true;  // they want a different number than the one offered
          return proceed(std::move(s), ctx);
        }
        if (has_word(heard.text, {"time", "day", "date", "when", "appointment"})) {
          s.start.reset();
          return proceed(std::move(s), ctx);
        }
        if (is_no(heard) && s.step == Step::confirm) {
          if (s.task == Purpose::reschedule) {
            s.start.reset();
            return proceed(std::move(s), ctx);
          }
          enter(s, Step::ask_change);
          return ask_now(std::move(s), ctx);
        }
      }
      // Neither yes, no nor a correction: nothing changes, the question is asked again.
      return retry(std::move(s), heard, ctx);
    }
    case Step::ask_who: {
      if (!heard.name) return retry(std::move(s), heard, ctx);
      if (auto p = match_patient(s.household, heard.name->full)) return with_patient(std::move(s), *p, ctx, {});
      // Someone not on file for this number.
      s.name = heard.name->full;
      s.patient_id.reset();
      s.upcoming.clear();
      PromptArgs a;
      a.name = prompts::first_name(heard.name->full);
      s.task = Purpose::book;
      enter(s, Step::ask_go_on);
      Reply r;
      r.lines.push_back(say(PromptId::no_upcoming, a));
      r.listen = Reply::Listen::yes_no;
      r.hints = prompts::Hints::yes_no;
      return Turn{std::move(s), std::move(r), std::nullopt};
    }
    case Step::pick_appointment: {
      const int n = static_cast<int>(s.upcoming.size());
      if (heard.position) {
        const int i = *heard.position < 0 ? n - 1 : *heard.position;
        if (i >= 0 && i < n) return with_target(std::move(s), s.upcoming[static_cast<std::size_t>(i)].id, ctx);
        return retry(std::move(s), heard, ctx);
      }
      if (heard.time && heard.time->when) {
        std::vector<std::int64_t> matches;
        for (const auto& u : s.upcoming) {
          const auto l = local(ctx, u.start);
          if (const auto* t = std::get_if<date::local_seconds>(&*heard.time->when)) {
            if (*t == l || (!heard.time->said.date && (*t - date::floor<date::days>(*t)) == (l - date::floor<date::days>(l))))
              matches.push_back(u.id);
          } else if (std::get<understand::DateOnly>(*heard.time->when).day == local_day(ctx, u.start)) {
            matches.push_back(u.id);
          }
        }
        if (matches.size() == 1) return with_target(std::move(s), matches.front(), ctx);
      }
      if (n == 1 && is_yes(heard)) return with_target(std::move(s), s.upcoming.front().id, ctx);
      return retry(std::move(s), heard, ctx);
    }
    case Step::confirm_cancel: {
      if (is_yes(heard) && s.target) {
        CancelIt cancel{*s.target};
        return Turn{std::move(s), Reply{}, cancel};
      }
      if (is_no(heard)) {
        PromptArgs a;
        if (const auto* t = target_of(s)) a.when = local(ctx, t->start);
        s.target.reset();
        enter(s, Step::ask_go_on);
        return ask_now(std::move(s), ctx, {say(PromptId::kept, a)});
      }
      return retry(std::move(s), heard, ctx);
    }
    case Step::ask_go_on: {
      if (is_yes(heard)) {
        if (s.task == Purpose::book) return begin_booking(std::move(s), ctx);
        s.task = Purpose::book;
        s.retries = 0;
        Reply r;
        r.lines.push_back(say(PromptId::how_can_i_help));
        r.listen = Reply::Listen::speech;
        r.hints = prompts::Hints::intent;
        return Turn{std::move(s), std::move(r), std::nullopt};
      }
      if (is_no(heard)) return end_call(std::move(s), say(PromptId::goodbye_done), false);
      if (heard.time) {
        s.task = Purpose::book;
        return take_time(std::move(s), *heard.time, ctx);
      }
      return retry(std::move(s), heard, ctx);
    }
    case Step::booked:
    case Step::ended: return ask_now(std::move(s), ctx);
  }
  return retry(std::move(s), heard, ctx);
}

/// Why a wanted time cannot be had, with what to offer instead.
Turn refused(ConversationState s, SysSeconds wanted, const SlotRefused& r, const FlowContext& ctx) {
  PromptId line = PromptId::slot_taken;
  switch (r.why) {
    case Refusal::taken: line = PromptId::slot_taken; break;
    case Refusal::closed: line = PromptId::closed_then; break;
    case Refusal::past: line = PromptId::past_time; break;
    case Refusal::too_far: line = PromptId::too_far; break;
  }
  return offer(std::move(s), r.alternatives, line, ctx, local(ctx, wanted));
}

}  // namespace

Turn resume(const ConversationState& state, const Effect& effect, const EffectResult& result, const FlowContext& ctx) {
  ConversationState s = state;
  const bool down = std::holds_alternative<Unreachable>(result);

  if (const auto* find = std::get_if<FindPatients>(&effect)) {
    if (down) {
      enter(s, Step::ask_go_on);
      s.task = Purpose::book;
      Reply r;
      r.lines = {say(PromptId::lookup_failed)};
      r.listen = Reply::Listen::speech;
      r.hints = prompts::Hints::intent;
      return Turn{std::move(s), std::move(r), std::nullopt};
    }
    (void)find;
    const auto& found = std::get<PatientsFound>(result);
    s.looked_up = true;
    s.household.clear();
    for (const auto& p : found.patients) s.household.push_back(KnownPatient{p.id, p.name});
    s.upcoming.clear();
    for (const auto& u : found.upcoming)
      s.upcoming.push_back(KnownAppointment{u.appointment_id, u.patient_id, u.patient_name, u.start, u.minutes});
    if (s.household.empty()) {
      PromptArgs a;
      a.digits = prompts::last_four(s.mobile.value_or(""));
      s.task = Purpose::book;  // "yes" books
      s.patient_id.reset();
      enter(s, Step::ask_go_on);
      Reply r;
      r.lines = {say(PromptId::no_patient, a)};
      r.listen = Reply::Listen::yes_no;
      r.hints = prompts::Hints::yes_no;
      return Turn{std::move(s), std::move(r), std::nullopt};
    }
    std::optional<KnownPatient> who;
    for (const auto& p : s.household)
      if (s.patient_id && p.id == *s.patient_id) who = p;
    if (!who && s.household.size() == 1) who = s.household.front();
    if (!who && s.name) who = match_patient(s.household, *s.name);
    if (who) return with_patient(std::move(s), *who, ctx, {});
    enter(s, Step::ask_who);
    return ask_now(std::move(s), ctx);
  }

  if (const auto* find = std::get_if<FindSlots>(&effect)) {
    if (down) {
      enter(s, Step::ask_time);
      return ask_now(std::move(s), ctx, {say(PromptId::lookup_failed)});
    }
    auto slots = std::get<SlotsFound>(result).slots;
    if (find->part) std::erase_if(slots, [&](SysSeconds t) { return !in_part(ctx, t, *find->part); });
    std::erase_if(slots, [&](SysSeconds t) { return t <= ctx.now; });
    PromptId line = PromptId::offer_times;
    if (find->reason == OfferReason::closed) line = PromptId::closed_then;
    if (find->reason == OfferReason::past) line = PromptId::past_time;
    std::optional<date::local_seconds> wanted;
    if (find->reason == OfferReason::answer && find->query.to - find->query.from <= kDay)
      wanted = local(ctx, find->query.from);
    return offer(std::move(s), std::move(slots), line, ctx, wanted);
  }

  if (const auto* check = std::get_if<CheckSlot>(&effect)) {
    // Cannot look: carry on; the booking itself is the real guard.
    if (down || std::holds_alternative<SlotFree>(result)) return proceed(std::move(s), ctx);
    if (const auto* r = std::get_if<SlotRefused>(&result)) return refused(std::move(s), check->start, *r, ctx);
    return proceed(std::move(s), ctx);
  }

  if (down) {
    // Nothing was written. The call goes on: the same yes tries again (the turn can be retried).
    ++s.save_failures;
    s.retries = 0;
    Reply r;
    r.lines = {say(PromptId::save_failed)};
    r.listen = Reply::Listen::yes_no;
    r.hints = prompts::Hints::yes_no;
    return Turn{std::move(s), std::move(r), std::nullopt};
  }

  if (const auto* book = std::get_if<BookIt>(&effect)) {
    if (const auto* done = std::get_if<Done>(&result)) {
      s.appointment_id = done->appointment_id;
      s.patient_id = done->patient_id;
      s.start = done->start;
      s.duration_minutes = done->minutes;
      enter(s, Step::booked);
      return ask_now(std::move(s), ctx);
    }
    if (const auto* r = std::get_if<SlotRefused>(&result)) return refused(std::move(s), book->booking.start, *r, ctx);
  }

  if (std::holds_alternative<CancelIt>(effect)) {
    PromptArgs a;
    if (const auto* t = target_of(s)) a.when = local(ctx, t->start);
    const bool done = std::holds_alternative<Done>(result);
    if (done) {
      s.appointment_id = s.target;
      std::erase_if(s.upcoming, [&](const KnownAppointment& u) { return s.target && u.id == *s.target; });
    }
    s.target.reset();
    enter(s, Step::ask_go_on);
    return ask_now(std::move(s), ctx, {say(done ? PromptId::cancelled : PromptId::appointment_gone, a)});
  }

  if (const auto* move = std::get_if<MoveIt>(&effect)) {
    if (const auto* done = std::get_if<Done>(&result)) {
      PromptArgs a;
      a.when = local(ctx, done->start);
      a.minutes = done->minutes;
      s.appointment_id = done->appointment_id;
      for (auto& u : s.upcoming)
        if (u.id == done->appointment_id) u.start = done->start;
      s.start.reset();
      s.target.reset();
      enter(s, Step::ask_go_on);
      return ask_now(std::move(s), ctx, {say(PromptId::moved, a)});
    }
    if (const auto* r = std::get_if<SlotRefused>(&result)) return refused(std::move(s), move->start, *r, ctx);
    if (std::holds_alternative<Missing>(result)) {
      s.target.reset();
      enter(s, Step::ask_go_on);
      return ask_now(std::move(s), ctx, {say(PromptId::appointment_gone)});
    }
  }
  return ask_now(std::move(s), ctx);
}

}  // namespace bella::call
