// bella-calls: a closed-loop load driver of whole phone calls against a local bella (issue 14).
// Loopback only, bounded by --seconds and/or --calls: it stops by itself.
//
// N callers (--callers) each hold one keep-alive connection and place one call after another, as
// Twilio would: signed form webhooks (X-Twilio-Signature over --public-base + path), the TwiML's
// <Gather action> or <Redirect> followed, each question answered by a persona:
//   plain     name, caller ID yes, a time, yes: booked
//   retry     the same, with one turn posted twice with identical params (a Twilio retry): the
//             second reply must be the first one replayed byte for byte
//   fix_time  at the read-back "no, make it <another time>", then yes
//   fix_name  at the read-back "no, the name is <another name>", then yes
//   taken     two consecutive calls ask for the same slot; the loser hears "already taken" and
//             accepts the first alternative offered
//   cancel    a caller who booked earlier in the run calls back and cancels (more often once the
//             calendar is three-quarters full, so a long run keeps finding free slots)
// Every booking caller has a number of its own, and slots are drawn at random over --days days
// from --first-day on, --open-hour to --close-hour every --slot-minutes (these must match the
// server's BUSINESS_HOURS / APPOINTMENT_MINUTES / BELLA_FAKE_NOW: see scripts/bench).
//
// --floor: the same connections and request shapes (a call's five webhooks, signed; the
// requests built and signed once per caller), without reading the dialogue: for a server answering
// fixed TwiML (bella-floor).
//
// --database-url: afterwards, new appointment rows must equal the calls that heard "You're all
// set", and scheduled ones that minus the calls that heard "is cancelled"; exit 3 if not.
//
//   bella-calls --port 8000 --token T [--public-base http://127.0.0.1:8000] [--callers 64]
//               [--seconds 20] [--calls K] [--threads 1] [--timeout-ms 5000] [--floor]
//               [--database-url postgresql://...] [--first-day 2030-03-06 --days 13
//                --open-hour 0 --close-hour 24 --slot-minutes 5] [--seed N] [--trace N]
// --trace N prints the first N calls' dialogues to stderr.
// Exit: 0 clean run, 1 errors, 2 bad usage, 3 database check failed.
#include <utility>  // GCC 12: before Asio's coroutine headers

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <sys/resource.h>

#include <date/date.h>
#include <fmt/format.h>
#include <pqxx/pqxx>

#include "bella/call/prompts.hpp"
#include "bella/core/asio.hpp"
#include "sim/call_simulator.hpp"
#include "sim/twiml_reader.hpp"
#include "twilio/signature.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using bella::twilio::Params;

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8000";
  int callers = 64;
  int seconds = 0;  // 0 with no --calls: 20
  long calls = 0;   // 0: no bound
  int threads = 1;
  int timeout_ms = 5000;
  bool floor = false;
  std::string token;
  std::string public_base;
  std::string database_url;
  std::string first_day = "2030-03-06";
  int days = 13;
  int open_hour = 0;
  int close_hour = 24;
  int slot_minutes = 5;
  int trace = 0;  // print the dialogues of the first N calls
  std::uint64_t seed = std::random_device{}();
};

// ---- the calendar as the callers see it ------------------------------------------------------

/// The slots callers ask for, which are free as far as the driver knows, and who booked which.
/// Shared by every caller (mutex: --threads may be above 1).
class Slots {
 public:
  Slots(const Options& opt, std::uint64_t seed) {
    date::year_month_day first{};
    std::istringstream in(opt.first_day);
    in >> date::parse("%F", first);
    if (in.fail()) throw std::invalid_argument("--first-day must be YYYY-MM-DD");
    const date::local_days day0{first};
    for (int d = 0; d < opt.days; ++d) {
      for (int m = opt.open_hour * 60; m + opt.slot_minutes <= opt.close_hour * 60; m += opt.slot_minutes) {
        const date::local_seconds t = day0 + date::days{d} + std::chrono::minutes{m};
        by_text_.emplace(bella::call::prompts::when(t), static_cast<int>(times_.size()));
        times_.push_back(t);
      }
    }
    std::vector<int> order(times_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    free_.assign(order.begin(), order.end());
  }

  [[nodiscard]] std::size_t capacity() const { return times_.size(); }

  /// A slot for a booking call; nullopt when the driver believes the calendar is full.
  std::optional<int> take() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return std::nullopt;
    const int s = free_.front();
    free_.pop_front();
    return s;
  }
  /// A free slot that stays free (a time the caller will correct away from).
  std::optional<int> peek(std::size_t nth) {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return std::nullopt;
    return free_[nth % free_.size()];
  }
  void give_back(int slot) {
    std::lock_guard lock(mutex_);
    free_.push_back(slot);
  }
  /// The slot the taken pair shares: the first of the pair takes a fresh one, the second gets it.
  std::optional<int> shared_slot(bool& first_of_pair) {
    std::lock_guard lock(mutex_);
    if (shared_) {
      first_of_pair = false;
      return std::exchange(shared_, std::nullopt);
    }
    first_of_pair = true;
    if (free_.empty()) return std::nullopt;
    shared_ = free_.front();
    free_.pop_front();
    return shared_;
  }
  /// Records a booking heard as "Your appointment is on <when>, for ...".
  void booked(const std::string& from, const std::string& booked_text) {
    int slot = -1;
    const auto a = booked_text.find("appointment is on ");
    if (a != std::string::npos) {
      const auto b = booked_text.find(", for ", a);
      const auto it = by_text_.find(booked_text.substr(a + 18, b == std::string::npos ? std::string::npos : b - a - 18));
      if (it != by_text_.end()) slot = it->second;
    }
    std::lock_guard lock(mutex_);
    booked_.emplace_back(from, slot);
    // An alternative bella offered (after "already taken") may be one the driver would hand out.
    if (slot >= 0) std::erase(free_, slot);
  }
  /// A booked caller to call back and cancel, when the calendar is filling or by chance.
  std::optional<std::pair<std::string, int>> to_cancel(bool nearly_full_only, std::uint64_t r) {
    std::lock_guard lock(mutex_);
    if (booked_.empty()) return std::nullopt;
    if (nearly_full_only && free_.size() * 4 > times_.size()) return std::nullopt;
    const std::size_t i = r % booked_.size();
    auto out = booked_[i];
    booked_[i] = booked_.back();
    booked_.pop_back();
    return out;
  }
  void uncancel(std::pair<std::string, int> who) {
    std::lock_guard lock(mutex_);
    booked_.push_back(std::move(who));
  }

  /// What a caller says for a slot: "March 7 at 3:05 pm", "March 7 at noon".
  [[nodiscard]] std::string spoken(int slot) const {
    static constexpr std::array<const char*, 12> kMonths = {"January", "February", "March",     "April",
                                                            "May",     "June",     "July",      "August",
                                                            "September", "October", "November", "December"};
    const date::local_seconds t = times_[static_cast<std::size_t>(slot)];
    const auto day = date::floor<date::days>(t);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss hms{std::chrono::duration_cast<std::chrono::minutes>(t - day)};
    const int h = static_cast<int>(hms.hours().count());
    const int m = static_cast<int>(hms.minutes().count());
    std::string clock;
    if (h == 12 && m == 0) clock = "noon";
    else if (h == 0 && m == 0) clock = "midnight";
    else {
      const int h12 = h % 12 == 0 ? 12 : h % 12;
      clock = m == 0 ? fmt::format("{} {}", h12, h < 12 ? "am" : "pm")
                     : fmt::format("{}:{:02} {}", h12, m, h < 12 ? "am" : "pm");
    }
    return fmt::format("{} {} at {}", kMonths[static_cast<unsigned>(ymd.month()) - 1],
                       static_cast<unsigned>(ymd.day()), clock);
  }

 private:
  std::vector<date::local_seconds> times_;
  std::unordered_map<std::string, int> by_text_;  // prompts::when(t), as bella says it
  std::deque<int> free_;
  std::vector<std::pair<std::string, int>> booked_;  // (From, slot or -1 when not recognised)
  std::optional<int> shared_;
  std::mutex mutex_;
};

// ---- the run's counters --------------------------------------------------------------------

enum class Persona { plain, retry, fix_time, fix_name, taken, cancel };
constexpr std::array<const char*, 6> kPersonaNames = {"plain", "retry", "fix_time", "fix_name", "taken", "cancel"};

enum class Fault { transport, timeout, bad_twiml, unexpected_prompt, unexpected_hangup, retry_mismatch, too_many_turns };
constexpr std::array<const char*, 7> kFaultNames = {"transport",         "timeout",        "bad_twiml",
                                                    "unexpected_prompt", "unexpected_hangup", "retry_mismatch",
                                                    "too_many_turns"};

struct Run {
  const Options& opt;
  Slots& slots;
  Clock::time_point start;
  Clock::time_point deadline;
  std::atomic<long> started{0};
  std::atomic<long> completed{0};
  std::atomic<long> booked{0};
  std::atomic<long> cancelled{0};
  std::atomic<long> abandoned{0};  // in progress at the deadline
  std::atomic<long> no_slot{0};    // waits of 2 ms for a free slot (the driver's calendar was full)
  std::atomic<long> slot_taken{0};
  std::atomic<long> replays{0};
  std::atomic<long> turns{0};
  std::atomic<long> reply_bytes{0};
  std::array<std::atomic<long>, 6> by_persona{};
  std::array<std::atomic<long>, 7> faults{};
  std::mutex status_mutex;
  std::map<int, long> http_status;  // non-200 answers
  std::vector<std::string> samples;  // the first few unexpected replies, for the report
  std::atomic<long> sid_counter{0};
  std::atomic<long> number_counter{0};
  std::atomic<Clock::rep> last_answer{0};
  std::atomic<int> traced{0};

  [[nodiscard]] bool time_up() const { return Clock::now() >= deadline; }
  void fault(Fault f, const std::string& detail = {}) {
    // The first two of each kind are kept for the report.
    if (++faults[static_cast<std::size_t>(f)] > 2 || detail.empty()) return;
    std::lock_guard lock(status_mutex);
    samples.push_back(std::string(kFaultNames[static_cast<std::size_t>(f)]) + ": " + detail);
  }
  void http_error(int status, const std::string& body) {
    std::lock_guard lock(status_mutex);
    ++http_status[status];
    if (http_status[status] <= 2) samples.push_back(fmt::format("HTTP {}: {}", status, body.substr(0, 200)));
  }
  [[nodiscard]] long error_count() {
    long n = 0;
    for (const auto& f : faults) n += f.load();
    std::lock_guard lock(status_mutex);
    for (const auto& [status, count] : http_status) n += count;
    return n;
  }
};

// ---- one connection, one webhook -----------------------------------------------------------

struct Conn {
  explicit Conn(const asio::any_io_executor& exec) : stream(exec) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool open = false;
};

enum class Posted { ok, http_error, transport, timeout };

using Request = http::request<http::string_body>;

/// The signed webhook Twilio would send to `public_url` (on the server at the same path).
Request webhook(const Run& run, const std::string& public_url, const Params& params) {
  const std::string_view base = run.opt.public_base;
  std::string target = public_url.rfind(base, 0) == 0 ? public_url.substr(base.size()) : public_url;
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  Request req{http::verb::post, target, 11};
  req.set(http::field::host, run.opt.host + ":" + run.opt.port);
  req.set(http::field::user_agent, "TwilioProxy/1.1 (bella-calls)");
  req.set(http::field::content_type, "application/x-www-form-urlencoded");
  req.set(http::field::accept, "*/*");
  if (!run.opt.token.empty()) req.set("X-Twilio-Signature", bella::twilio::sign(run.opt.token, public_url, params));
  req.keep_alive(true);
  req.body() = bella::twilio::form_encode(params);
  req.prepare_payload();
  return req;
}

/// Sends `req` and reads the reply into `reply`. Reconnects first when the connection is closed.
asio::awaitable<Posted> send(Conn& conn, Run& run, const tcp::resolver::results_type& endpoints, const Request& req,
                             std::string& reply, double& latency_us) {
  beast::error_code ec;
  if (!conn.open) {
    conn.stream.expires_after(std::chrono::milliseconds(run.opt.timeout_ms));
    co_await conn.stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec == beast::error::timeout ? Posted::timeout : Posted::transport;
    conn.open = true;
    conn.buffer.clear();
  }
  const auto t0 = Clock::now();
  conn.stream.expires_after(std::chrono::milliseconds(run.opt.timeout_ms));
  co_await http::async_write(conn.stream, req, asio::redirect_error(asio::use_awaitable, ec));
  http::response<http::string_body> res;
  if (!ec) co_await http::async_read(conn.stream, conn.buffer, res, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    conn.stream.socket().close(ec);
    conn.open = false;
    co_return ec == beast::error::timeout ? Posted::timeout : Posted::transport;
  }
  const auto t1 = Clock::now();
  latency_us = std::chrono::duration<double, std::micro>(t1 - t0).count();
  run.last_answer = t1.time_since_epoch().count();
  ++run.turns;
  if (!res.keep_alive()) {
    conn.stream.socket().close(ec);
    conn.open = false;
  }
  run.reply_bytes += static_cast<long>(res.body().size());
  reply = std::move(res.body());
  if (res.result_int() != 200) {
    run.http_error(res.result_int(), reply);
    co_return Posted::http_error;
  }
  co_return Posted::ok;
}

/// POSTs one signed webhook (built for this turn: signing and encoding are part of the driver's cost).
asio::awaitable<Posted> post(Conn& conn, Run& run, const tcp::resolver::results_type& endpoints,
                             const std::string& public_url, const Params& params, std::string& reply,
                             double& latency_us) {
  const Request req = webhook(run, public_url, params);
  co_return co_await send(conn, run, endpoints, req, reply, latency_us);
}

/// Records a failed post as an error of its kind; true when it was one.
bool failed(Run& run, Posted p) {
  if (p == Posted::ok) return false;
  if (p == Posted::transport) run.fault(Fault::transport);
  if (p == Posted::timeout) run.fault(Fault::timeout);
  return true;  // HTTP errors were counted by post()
}

// ---- callers -------------------------------------------------------------------------------

constexpr std::array<const char*, 14> kFirst = {"Sarah",  "Kenneth", "Brian", "Susan",   "Sandra", "Christina", "Robert",
                                                "Virginia", "Charles", "David", "Tabitha", "Greg",  "Jane",     "Monica"};
constexpr std::array<const char*, 12> kLast = {"Johnson",  "Sherman", "Leung",  "Crandall", "Hernandez", "Sullivan",
                                               "Starks",   "Pfeffer", "Carter", "Baker",    "Schoenthal", "Parker"};
constexpr std::array<const char*, 5> kAreas = {"403", "587", "780", "825", "368"};

/// A caller ID of its own for every booking call: +1 <Alberta area code> NXX XXXX, never N11.
std::string fresh_number(Run& run) {
  const long k = run.number_counter++ + static_cast<long>(run.opt.seed % 1000) * 1'000'000;
  const long rest = k / static_cast<long>(kAreas.size());
  int exchange = 200 + static_cast<int>((rest / 10'000) % 790);
  if (exchange % 100 == 11) ++exchange;
  return fmt::format("+1{}{}{:04}", kAreas[static_cast<std::size_t>(k) % kAreas.size()], exchange, rest % 10'000);
}

struct Plan {
  Persona persona = Persona::plain;
  std::string from;
  std::string name;
  std::string other_name;  // fix_name: the name after the correction
  int slot = -1;           // the time that ends up booked (as asked; an alternative if taken)
  int first_slot = -1;     // fix_time: the time said first
  int retry_turn = -1;     // retry: this turn is posted twice
  bool cancelled = false;  // cancel: bella said "is cancelled"
};

std::optional<Plan> plan_call(Run& run, std::mt19937_64& rng) {
  Plan p;
  const std::uint64_t r = rng();
  if (auto who = run.slots.to_cancel(true, r); who || (r % 100 >= 90 && (who = run.slots.to_cancel(false, r)))) {
    p.persona = Persona::cancel;
    p.from = who->first;
    p.slot = who->second;
    return p;
  }
  const int pick = static_cast<int>(r % 90);
  p.persona = pick < 40 ? Persona::plain
              : pick < 55 ? Persona::retry
              : pick < 67 ? Persona::fix_time
              : pick < 79 ? Persona::fix_name
                          : Persona::taken;
  p.from = fresh_number(run);
  const std::uint64_t n = rng();
  p.name = fmt::format("{} {}", kFirst[n % kFirst.size()], kLast[(n >> 8) % kLast.size()]);
  p.other_name = fmt::format("{} {}", kFirst[(n >> 16) % kFirst.size()], kLast[((n >> 24) + 1) % kLast.size()]);
  if (p.other_name == p.name) p.other_name = "Jane Baker";
  std::optional<int> slot;
  if (p.persona == Persona::taken) {
    bool first = false;
    slot = run.slots.shared_slot(first);
  } else {
    slot = run.slots.take();
  }
  if (!slot) return std::nullopt;
  p.slot = *slot;
  if (p.persona == Persona::fix_time) p.first_slot = run.slots.peek(static_cast<std::size_t>(n >> 32)).value_or(p.slot);
  if (p.persona == Persona::retry) p.retry_turn = static_cast<int>((n >> 40) % 5);
  return p;
}

bool has(std::string_view text, std::string_view what) { return text.find(what) != std::string_view::npos; }

/// What the caller says to the question in `prompt`; nullopt for a question no persona expects.
struct Said {
  bool corrected = false;
  bool time_given = false;
};
std::optional<std::string> answer(const Plan& p, const Slots& slots, const std::string& prompt, Said& st, Run& run) {
  if (has(prompt, "Shall I book it?") || has(prompt, "Should I book it?")) {
    if (p.persona == Persona::fix_time && !st.corrected) {
      st.corrected = true;
      return "no, make it " + slots.spoken(p.slot);
    }
    if (p.persona == Persona::fix_name && !st.corrected) {
      st.corrected = true;
      return "no, the name is " + p.other_name;
    }
    return std::string("yes");
  }
  if (has(prompt, "is already taken")) {
    ++run.slot_taken;
    return std::string("the first one");
  }
  if (has(prompt, " work for you?")) return std::string("yes");
  if (has(prompt, "Which would you like")) return std::string("the first one");
  if (has(prompt, "the best one to reach you")) return std::string("yes");
  if (has(prompt, "first and last name")) return "my name is " + p.name;
  if (has(prompt, "your last name")) return p.name.substr(p.name.find(' ') + 1);
  if (has(prompt, "Shall I cancel")) return std::string("yes");
  if (has(prompt, "anything else")) return std::string("no thanks");
  if (has(prompt, "What day and time") || has(prompt, "Which day, and what time") || has(prompt, "a day and a time")) {
    if (p.persona == Persona::cancel) return std::string("I want to cancel my appointment");
    if (st.time_given) return std::nullopt;  // asked again: the time was not understood
    st.time_given = true;
    return slots.spoken(p.persona == Persona::fix_time ? p.first_slot : p.slot);
  }
  return std::nullopt;
}

Params base_params(const Plan& p, const std::string& sid, const char* status) {
  // Twilio's voice webhook fields (the ones src/sim/call_simulator.cpp sends, and a few more).
  return {{"AccountSid", "AC" + sid.substr(2)},
          {"ApiVersion", "2010-04-01"},
          {"CallSid", sid},
          {"CallStatus", status},
          {"Called", "+15875550100"},
          {"CalledCountry", "CA"},
          {"Caller", p.from},
          {"CallerCountry", "CA"},
          {"Direction", "inbound"},
          {"From", p.from},
          {"FromCountry", "CA"},
          {"To", "+15875550100"},
          {"ToCountry", "CA"}};
}

enum class Ended { completed, failed, abandoned };

/// One whole call, following the TwiML until bella hangs up.
asio::awaitable<Ended> one_call(Conn& conn, Run& run, const tcp::resolver::results_type& endpoints, Plan& plan,
                                std::vector<double>& latencies) {
  const std::string sid = bella::twilio::make_sid("CA", run.opt.seed, static_cast<std::uint64_t>(++run.sid_counter));
  std::string document_url = run.opt.public_base + "/twilio/voice";
  Params params = base_params(plan, sid, "ringing");
  Said said;
  bool booked = false;
  bool cancelled = false;
  std::string reply;
  std::string replay;
  std::string transcript;  // --trace
  const bool trace = run.traced++ < run.opt.trace;
  struct Print {  // the transcript goes out in one piece however the call ends
    const bool& on;
    const std::string& text;
    ~Print() {
      if (on) std::fprintf(stderr, "%s\n", text.c_str());
    }
  } print{trace, transcript};
  if (trace) transcript = fmt::format("[{} call from {}, {}]\n", kPersonaNames[static_cast<std::size_t>(plan.persona)], plan.from, sid);
  for (int turn = 0; turn < 16; ++turn) {
    if (run.time_up()) co_return Ended::abandoned;
    double us = 0;
    if (failed(run, co_await post(conn, run, endpoints, document_url, params, reply, us))) co_return Ended::failed;
    latencies.push_back(us);
    if (turn == plan.retry_turn) {
      // Twilio retries a webhook it got no answer to: the same URL, the same parameters.
      if (failed(run, co_await post(conn, run, endpoints, document_url, params, replay, us))) co_return Ended::failed;
      latencies.push_back(us);
      if (replay != reply) {
        run.fault(Fault::retry_mismatch, "turn " + std::to_string(turn) + ": " + replay.substr(0, 300));
        co_return Ended::failed;
      }
      ++run.replays;
      if (trace) transcript += "  (the same turn posted again: replayed identically)\n";
    }
    auto verbs = bella::twilio::parse_twiml(reply);
    if (!verbs) {
      run.fault(Fault::bad_twiml, verbs.error().message);
      co_return Ended::failed;
    }
    std::optional<std::pair<std::string, Params>> next;
    bool hung_up = false;
    std::string heard;
    for (const auto& verb : *verbs) {
      using K = bella::twilio::TwimlVerb::Kind;
      if (verb.kind == K::say) {
        heard += verb.text + " ";
        if (!booked && has(verb.text, "You're all set")) {
          booked = true;
          ++run.booked;
          run.slots.booked(plan.from, verb.text);
        }
      }
      if (verb.kind == K::hangup || verb.kind == K::dial) {
        hung_up = true;
        break;
      }
      if (verb.kind == K::redirect) {
        next.emplace(bella::twilio::resolve_url(document_url, verb.text), base_params(plan, sid, "in-progress"));
        break;
      }
      if (verb.kind != K::gather) continue;
      std::string prompt;
      for (const auto& line : verb.prompts) prompt += line + " ";
      heard += prompt;
      if (!cancelled && has(prompt, "is cancelled")) {
        cancelled = true;
        plan.cancelled = true;
        ++run.cancelled;
      }
      auto utterance = answer(plan, run.slots, prompt, said, run);
      if (!utterance) {
        run.fault(Fault::unexpected_prompt, std::string(kPersonaNames[static_cast<std::size_t>(plan.persona)]) + ": " + prompt);
        co_return Ended::failed;
      }
      Params p = base_params(plan, sid, "in-progress");
      p.emplace_back("SpeechResult", *utterance);
      p.emplace_back("Confidence", "0.92");
      next.emplace(bella::twilio::resolve_url(document_url, verb.attr("action")), std::move(p));
      break;
    }
    if (trace) {
      transcript += "  bella: " + heard + "\n";
      if (next && next->second.size() > 0 && next->second.back().first == "Confidence")
        transcript += "  caller: " + next->second[next->second.size() - 2].second + "\n";
      if (hung_up) transcript += "  [hangs up]\n";
    }
    const bool expected_end = plan.persona == Persona::cancel ? cancelled && has(heard, "Goodbye") : booked;
    if (hung_up || !next) {
      if (expected_end) co_return Ended::completed;
      run.fault(Fault::unexpected_hangup, std::string(kPersonaNames[static_cast<std::size_t>(plan.persona)]) + ": " + heard);
      co_return Ended::failed;
    }
    document_url = std::move(next->first);
    params = std::move(next->second);
  }
  run.fault(Fault::too_many_turns, std::string(kPersonaNames[static_cast<std::size_t>(plan.persona)]) + ", last heard: " + reply.substr(0, 400));
  co_return Ended::failed;
}

/// --floor: a call's five webhooks with the same shapes, answers not read beyond the status. The
/// requests are built and signed once per caller, so the driver's own cost stays below the
/// server's (the floor server checks no signature and keeps no session).
std::vector<Request> floor_requests(Run& run) {
  Plan plan;
  plan.from = fresh_number(run);
  const std::string sid = bella::twilio::make_sid("CA", run.opt.seed, static_cast<std::uint64_t>(++run.sid_counter));
  static constexpr std::array<const char*, 5> kSaid = {"", "my name is Sarah Johnson", "yes", "March 7 at 3:05 pm", "yes"};
  std::vector<Request> out;
  for (std::size_t turn = 0; turn < kSaid.size(); ++turn) {
    Params params = base_params(plan, sid, turn == 0 ? "ringing" : "in-progress");
    std::string url = run.opt.public_base + "/twilio/voice";
    if (turn > 0) {
      url += "/collect?turn=" + std::to_string(turn);
      params.emplace_back("SpeechResult", kSaid[turn]);
      params.emplace_back("Confidence", "0.92");
    }
    out.push_back(webhook(run, url, params));
  }
  return out;
}

asio::awaitable<Ended> floor_call(Conn& conn, Run& run, const tcp::resolver::results_type& endpoints,
                                  const std::vector<Request>& requests, std::vector<double>& latencies) {
  std::string reply;
  for (const Request& req : requests) {
    if (run.time_up()) co_return Ended::abandoned;
    double us = 0;
    if (failed(run, co_await send(conn, run, endpoints, req, reply, us))) co_return Ended::failed;
    latencies.push_back(us);
    if (reply.empty()) {
      run.fault(Fault::bad_twiml, "empty body");
      co_return Ended::failed;
    }
  }
  co_return Ended::completed;
}

asio::awaitable<void> caller(Run& run, const tcp::resolver::results_type& endpoints, int index,
                             std::vector<double>& latencies) {
  Conn conn(co_await asio::this_coro::executor);
  std::mt19937_64 rng(run.opt.seed * 1'000'003 + static_cast<std::uint64_t>(index));
  const std::vector<Request> floor = run.opt.floor ? floor_requests(run) : std::vector<Request>{};
  while (!run.time_up()) {
    if (run.opt.calls > 0 && run.started.fetch_add(1) >= run.opt.calls) break;
    if (run.opt.calls == 0) ++run.started;
    Ended end = Ended::failed;
    Plan plan;
    if (run.opt.floor) {
      end = co_await floor_call(conn, run, endpoints, floor, latencies);
    } else {
      auto planned = plan_call(run, rng);
      while (!planned && !run.time_up()) {
        // Every slot is taken or promised and every booked caller is already calling to cancel:
        // wait for one of those cancels rather than ask for a slot that is not free.
        ++run.no_slot;
        asio::steady_timer wait(co_await asio::this_coro::executor, std::chrono::milliseconds(2));
        beast::error_code ec;
        co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        planned = plan_call(run, rng);
      }
      if (!planned) break;
      plan = std::move(*planned);
      ++run.by_persona[static_cast<std::size_t>(plan.persona)];
      end = co_await one_call(conn, run, endpoints, plan, latencies);
    }
    if (end == Ended::completed) ++run.completed;
    if (end == Ended::abandoned) ++run.abandoned;
    if (end == Ended::failed && conn.open) {
      // A failed call leaves the connection as it was; a fresh one for the next call is cheap.
      beast::error_code ec;
      conn.stream.socket().close(ec);
      conn.open = false;
    }
    if (!run.opt.floor && plan.persona == Persona::cancel) {
      if (plan.cancelled && plan.slot >= 0) run.slots.give_back(plan.slot);        // free again
      else if (!plan.cancelled) run.slots.uncancel({plan.from, plan.slot});  // still booked
    }
  }
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto idx = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(idx), v.end());
  return v[idx];
}

struct Counts {
  long rows = 0;
  long scheduled = 0;
};

Counts count_appointments(const std::string& url) {
  pqxx::connection c(url);
  pqxx::read_transaction tx(c);
  const auto row = tx.exec1("SELECT count(*), count(*) FILTER (WHERE status = 'scheduled') FROM appointments");
  return {row[0].as<long>(), row[1].as<long>()};
}

int usage(const char* why) {
  std::fprintf(stderr, "bella-calls: %s (see the comment at the top of bench/calls.cpp)\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (const char* t = std::getenv("TWILIO_AUTH_TOKEN")) opt.token = t;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--floor") {
      opt.floor = true;
      continue;
    }
    if (i + 1 >= argc) return usage(("missing value for " + k).c_str());
    const std::string v = argv[++i];
    if (k == "--host") opt.host = v;
    else if (k == "--port") opt.port = v;
    else if (k == "--callers") opt.callers = std::clamp(std::atoi(v.c_str()), 1, 4096);
    else if (k == "--seconds") opt.seconds = std::clamp(std::atoi(v.c_str()), 1, 3600);
    else if (k == "--calls") opt.calls = std::clamp(std::atol(v.c_str()), 1L, 100'000'000L);
    else if (k == "--threads") opt.threads = std::clamp(std::atoi(v.c_str()), 1, 64);
    else if (k == "--timeout-ms") opt.timeout_ms = std::clamp(std::atoi(v.c_str()), 10, 600'000);
    else if (k == "--token") opt.token = v;
    else if (k == "--public-base") opt.public_base = v;
    else if (k == "--database-url") opt.database_url = v;
    else if (k == "--first-day") opt.first_day = v;
    else if (k == "--days") opt.days = std::clamp(std::atoi(v.c_str()), 1, 366);
    else if (k == "--open-hour") opt.open_hour = std::clamp(std::atoi(v.c_str()), 0, 23);
    else if (k == "--close-hour") opt.close_hour = std::clamp(std::atoi(v.c_str()), 1, 24);
    else if (k == "--slot-minutes") opt.slot_minutes = std::clamp(std::atoi(v.c_str()), 5, 480);
    else if (k == "--trace") opt.trace = std::clamp(std::atoi(v.c_str()), 0, 1000);
    else if (k == "--seed") opt.seed = std::strtoull(v.c_str(), nullptr, 10);
    else return usage(("unknown option " + k).c_str());
  }
  if (opt.host != "127.0.0.1" && opt.host != "localhost" && opt.host != "::1")
    return usage("only targets loopback (--host 127.0.0.1, localhost or ::1)");
  if (opt.close_hour <= opt.open_hour) return usage("--close-hour must be after --open-hour");
  if (opt.seconds == 0 && opt.calls == 0) opt.seconds = 20;
  if (opt.public_base.empty()) opt.public_base = "http://" + opt.host + ":" + opt.port;
  while (!opt.public_base.empty() && opt.public_base.back() == '/') opt.public_base.pop_back();

  std::optional<Slots> slots;
  try {
    slots.emplace(opt, opt.seed);
  } catch (const std::exception& e) {
    return usage(e.what());
  }
  Counts before;
  if (!opt.database_url.empty()) {
    try {
      before = count_appointments(opt.database_url);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bella-calls: cannot count appointments: %s\n", e.what());
      return 2;
    }
  }

  asio::io_context ioc(opt.threads);
  tcp::resolver::results_type endpoints;
  try {
    endpoints = tcp::resolver(ioc).resolve(opt.host, opt.port);
  } catch (const std::exception& e) {
    return usage(e.what());
  }
  Run run{.opt = opt, .slots = *slots, .start = Clock::now(), .deadline = Clock::time_point::max()};
  if (opt.seconds > 0) run.deadline = run.start + std::chrono::seconds(opt.seconds);
  std::vector<std::vector<double>> per_caller(static_cast<std::size_t>(opt.callers));
  for (int i = 0; i < opt.callers; ++i)
    asio::co_spawn(ioc, caller(run, endpoints, i, per_caller[static_cast<std::size_t>(i)]), asio::detached);
  std::vector<std::thread> extra;
  for (int i = 1; i < opt.threads; ++i) extra.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : extra) t.join();

  const auto end = std::max(run.start + std::chrono::microseconds(1),
                            Clock::time_point(Clock::duration(run.last_answer.load())));
  const double elapsed = std::chrono::duration<double>(end - run.start).count();
  std::vector<double> all;
  for (auto& v : per_caller) all.insert(all.end(), v.begin(), v.end());
  const double turns_per_s = static_cast<double>(all.size()) / elapsed;
  const double calls_per_s = static_cast<double>(run.completed.load()) / elapsed;
  const double p50 = percentile(all, 50) / 1000, p90 = percentile(all, 90) / 1000, p99 = percentile(all, 99) / 1000;
  const double max = all.empty() ? 0.0 : *std::max_element(all.begin(), all.end()) / 1000;
  const long errors = run.error_count();

  std::printf("bella-calls: mode=%s callers=%d threads=%d seconds=%.2f slots=%zu\n", opt.floor ? "floor" : "calls",
              opt.callers, opt.threads, elapsed, slots->capacity());
  std::printf("calls: started=%ld completed=%ld booked=%ld cancelled=%ld abandoned_at_end=%ld waits_for_a_free_slot=%ld\n",
              run.started.load() > run.opt.calls && run.opt.calls > 0 ? run.opt.calls : run.started.load(),
              run.completed.load(), run.booked.load(), run.cancelled.load(), run.abandoned.load(), run.no_slot.load());
  if (!opt.floor) {
    std::printf("personas:");
    for (std::size_t i = 0; i < kPersonaNames.size(); ++i) std::printf(" %s=%ld", kPersonaNames[i], run.by_persona[i].load());
    std::printf("  slot_taken_heard=%ld retries_replayed=%ld\n", run.slot_taken.load(), run.replays.load());
  }
  std::printf("turns: n=%zu turns_per_s=%.0f calls_per_s=%.1f latency_ms p50=%.2f p90=%.2f p99=%.2f max=%.2f "
              "reply_bytes_mean=%.0f\n",
              all.size(), turns_per_s, calls_per_s, p50, p90, p99, max,
              all.empty() ? 0.0 : static_cast<double>(run.reply_bytes.load()) / static_cast<double>(all.size()));
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::printf("driver: cpu_s=%.2f (%.0f%% of one core over the run)\n", cpu_s, 100.0 * cpu_s / elapsed);
  std::printf("errors: total=%ld", errors);
  for (std::size_t i = 0; i < kFaultNames.size(); ++i) std::printf(" %s=%ld", kFaultNames[i], run.faults[i].load());
  for (const auto& [status, count] : run.http_status) std::printf(" http_%d=%ld", status, count);
  std::printf("\n");
  for (const auto& s : run.samples) std::printf("  sample: %s\n", s.c_str());

  int rc = errors == 0 ? 0 : 1;
  std::string db = "unchecked";
  if (!opt.database_url.empty()) {
    try {
      const Counts after = count_appointments(opt.database_url);
      const long rows = after.rows - before.rows;
      const long scheduled = after.scheduled - before.scheduled;
      const bool ok = rows == run.booked.load() && scheduled == run.booked.load() - run.cancelled.load();
      db = ok ? "ok" : "mismatch";
      std::printf("database: new_appointments=%ld booked_calls=%ld scheduled_delta=%ld expected=%ld %s\n", rows,
                  run.booked.load(), scheduled, run.booked.load() - run.cancelled.load(), ok ? "OK" : "MISMATCH");
      if (!ok) rc = 3;
    } catch (const std::exception& e) {
      std::printf("database: cannot count appointments: %s\n", e.what());
      db = "error";
      rc = 3;
    }
  }
  std::printf("RESULT mode=%s turns=%zu turns_per_s=%.0f calls_per_s=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f "
              "max_ms=%.2f errors=%ld completed=%ld booked=%ld cancelled=%ld db=%s\n",
              opt.floor ? "floor" : "calls", all.size(), turns_per_s, calls_per_s, p50, p90, p99, max, errors,
              run.completed.load(), run.booked.load(), run.cancelled.load(), db.c_str());
  return rc;
}
