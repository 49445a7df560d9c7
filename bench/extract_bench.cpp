// Per-utterance cost of each extractor over the corpus: one iteration = one utterance, cycling.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bella/calendar/calendar.hpp"
#include "bella/understand/extract.hpp"
#include "understand/numbers.hpp"

namespace {

using namespace bella;

struct Utterance {
  std::string text;
  std::chrono::sys_seconds now;
};

const calendar::BusinessCalendar& clinic() {
  static const calendar::BusinessCalendar cal(date::locate_zone("America/Edmonton"),
                                              calendar::OpeningHours::parse("Mon-Fri 09:00-17:00"));
  return cal;
}

// The shared snapshot's file and this room's development cases (tests/corpus/dev) together.
std::vector<Utterance> load(const std::string& file) {
  std::vector<Utterance> out;
  for (const std::string& dir : {std::string(BELLA_CORPUS_DIR), std::string(BELLA_CORPUS_DIR) + "/dev"}) {
  std::ifstream in(dir + "/" + file);
  if (!in) {
    if (dir == BELLA_CORPUS_DIR) throw std::runtime_error("cannot read corpus file " + file);
    continue;
  }
  for (const auto& c : nlohmann::json::parse(in)) {
    Utterance u{c["text"].get<std::string>(), {}};
    const std::string ref = c.value("ref", "2013-02-12T04:30:00");
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    std::sscanf(ref.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s);
    u.now = clinic().to_sys(date::local_days{date::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi});
    out.push_back(std::move(u));
  }
  }
  return out;
}

// Hostile inputs (issue 12 point 7): the slowest of them bounds what any turn can cost.
std::vector<Utterance> hostile() {
  std::vector<Utterance> out;
  const auto now = clinic().to_sys(date::local_days{date::year{2026} / 12 / 2} + std::chrono::hours{12});
  for (const char* unit : {"a", "my name is ", "John ", "J-", "J O H N ", "3 ", "at 3 pm tomorrow ", "4035550123 ",
                           "four oh three ", "just ", "pin ", "the 15th ", "<b>", "\xff", "\xef\xbc\x93", "((((",
                           "403-555-0123, sorry, "}) {
    std::string s;
    while (s.size() < 64 * 1024) s += unit;
    out.push_back({s, now});
  }
  return out;
}

template <class Fn>
void run(benchmark::State& state, const std::vector<Utterance>& corpus, Fn fn) {
  std::size_t i = 0;
  for (auto _ : state) {
    fn(corpus[i]);
    if (++i == corpus.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["utterances"] = static_cast<double>(corpus.size());
}

void BM_ExtractDatetime(benchmark::State& state) {
  static const auto corpus = load("time_cases.json");
  run(state, corpus, [](const Utterance& u) {
    const understand::TimeContext ctx{u.now, &clinic()};
    benchmark::DoNotOptimize(understand::extract_datetime(u.text, ctx));
  });
}
void BM_ExtractPhone(benchmark::State& state) {
  static const auto corpus = load("phone_cases.json");
  run(state, corpus, [](const Utterance& u) { benchmark::DoNotOptimize(understand::extract_phone(u.text)); });
}
void BM_ExtractName(benchmark::State& state) {
  static const auto corpus = load("name_cases.json");
  run(state, corpus, [](const Utterance& u) { benchmark::DoNotOptimize(understand::extract_name(u.text)); });
}
void BM_ExtractYesNo(benchmark::State& state) {
  // Confirmations are short; the name corpus gives realistic mixed turns too.
  static const auto corpus = [] {
    auto v = load("name_cases.json");
    for (const char* s : {"yes", "yeah that's right", "nope, make it Thursday", "no, don't book it", "correct"}) {
      v.push_back({s, {}});
    }
    return v;
  }();
  run(state, corpus, [](const Utterance& u) { benchmark::DoNotOptimize(understand::extract_yes_no(u.text)); });
}
void BM_NormalizeNumbers(benchmark::State& state) {
  static const auto corpus = load("phone_cases.json");
  run(state, corpus, [](const Utterance& u) { benchmark::DoNotOptimize(understand::normalize_numbers(u.text)); });
}
void BM_IsOpen(benchmark::State& state) {
  const auto t = clinic().to_sys(date::local_days{date::year{2026} / 3 / 10} + std::chrono::hours{10});
  for (auto _ : state) benchmark::DoNotOptimize(clinic().is_open(t, std::chrono::minutes{30}));
}

// Median / p90 / p99 / max over utterances of each utterance's own mean cost (kReps runs each):
// the figure the performance target is stated in. Reported as counters in microseconds.
template <class Fn>
void per_utterance(benchmark::State& state, const std::vector<Utterance>& corpus, Fn fn) {
  constexpr int kReps = 200;
  std::vector<double> us;
  for (auto _ : state) {
    us.clear();
    for (const auto& u : corpus) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int r = 0; r < kReps; ++r) fn(u);
      const auto t1 = std::chrono::steady_clock::now();
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / kReps);
    }
  }
  std::sort(us.begin(), us.end());
  state.counters["median_us"] = us[us.size() / 2];
  state.counters["p90_us"] = us[us.size() * 9 / 10];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  state.counters["max_us"] = us.back();
  state.counters["utterances"] = static_cast<double>(us.size());
}

void BM_Median_Datetime(benchmark::State& state) {
  static const auto corpus = load("time_cases.json");
  per_utterance(state, corpus, [](const Utterance& u) {
    const understand::TimeContext ctx{u.now, &clinic()};
    benchmark::DoNotOptimize(understand::extract_datetime(u.text, ctx));
  });
}
void BM_Median_Phone(benchmark::State& state) {
  static const auto corpus = load("phone_cases.json");
  per_utterance(state, corpus, [](const Utterance& u) { benchmark::DoNotOptimize(understand::extract_phone(u.text)); });
}
void BM_Median_Name(benchmark::State& state) {
  static const auto corpus = load("name_cases.json");
  per_utterance(state, corpus, [](const Utterance& u) { benchmark::DoNotOptimize(understand::extract_name(u.text)); });
}
void BM_Median_YesNo(benchmark::State& state) {
  static const auto corpus = load("name_cases.json");
  per_utterance(state, corpus, [](const Utterance& u) { benchmark::DoNotOptimize(understand::extract_yes_no(u.text)); });
}

void BM_Median_HearDatetime(benchmark::State& state) {
  static const auto corpus = load("time_cases.json");
  per_utterance(state, corpus, [](const Utterance& u) {
    const understand::TimeContext ctx{u.now, &clinic()};
    benchmark::DoNotOptimize(understand::hear_datetime(u.text, ctx));
  });
}
void BM_Median_HearName(benchmark::State& state) {
  static const auto corpus = load("name_cases.json");
  per_utterance(state, corpus, [](const Utterance& u) { benchmark::DoNotOptimize(understand::hear_name(u.text)); });
}
// Every extractor on each 64 KiB hostile input: max_us must stay below 1000.
void BM_Hostile(benchmark::State& state) {
  static const auto corpus = hostile();
  per_utterance(state, corpus, [](const Utterance& u) {
    const understand::TimeContext ctx{u.now, &clinic()};
    benchmark::DoNotOptimize(understand::hear_datetime(u.text, ctx));
    benchmark::DoNotOptimize(understand::extract_phone(u.text, "+14035550123"));
    benchmark::DoNotOptimize(understand::hear_name(u.text));
    benchmark::DoNotOptimize(understand::extract_surname(u.text));
    benchmark::DoNotOptimize(understand::extract_yes_no(u.text));
  });
}

BENCHMARK(BM_Median_HearDatetime)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Median_HearName)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Hostile)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Median_Datetime)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Median_Phone)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Median_Name)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Median_YesNo)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractDatetime);
BENCHMARK(BM_ExtractPhone);
BENCHMARK(BM_ExtractName);
BENCHMARK(BM_ExtractYesNo);
BENCHMARK(BM_NormalizeNumbers);
BENCHMARK(BM_IsOpen);

}  // namespace

BENCHMARK_MAIN();
