// Accuracy over the corpus (../shared/corpus, else the snapshot in tests/corpus; see CMakeLists.txt): per-file, per-source and per-tag scores, failing below the bars.
//
// Bars (issue 12, acceptance 1): time >= 92% of positives exact (date-only expected: right date)
// with <= 5% false positives; phone >= 97% strict with <= 3% false positives; name >= 90% exact
// (and >= 95% loose) with <= 5% false positives. They hold on the shared corpus snapshot and on
// this room's own cases in tests/corpus/dev.
//
// Excluded from the bars (still scored and printed), by tag:
//  * time `same_weekday_as_ref`: the two sources disagree (Duckling: the weekday a week on;
//    chrono: today). We chose Duckling's reading for a booking line ("tuesday" said on a Tuesday
//    is next week's; a caller meaning today says "today"), so chrono's cases cannot all pass.
//  * phone `npa_not_in_service`: 555 is not an assigned area code. The issue asks that invalid
//    area codes give nothing, so we return nothing where the corpus's digits-only answer has one.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "bella/understand/extract.hpp"
#include "understand/extract_line.hpp"
#include "understand/numbers.hpp"

namespace bella::understand {
namespace {

using nlohmann::json;

const std::set<std::string> kExcludedTags{"same_weekday_as_ref", "npa_not_in_service"};

// The shared corpus snapshot (tests/corpus) and this room's own development cases (tests/corpus/dev,
// other public sources; see tests/corpus/dev/README.md).
const std::string kShared = BELLA_CORPUS_DIR;
const std::string kDev = std::string(BELLA_CORPUS_DIR) + "/dev";

json load(const std::string& path) {
  std::ifstream in(path);
  if (!in) ADD_FAILURE() << "cannot read " << path;
  return in ? json::parse(in) : json::array();
}

std::string source_of(const json& c) {
  const std::string s = c.value("source", "");
  return s.substr(0, s.find(':'));
}

struct Tally {
  int pos = 0, pos_ok = 0, pos_loose = 0, nulls = 0, false_pos = 0;
  void add(bool positive, bool ok, bool loose) {
    if (positive) {
      ++pos;
      pos_ok += ok;
      pos_loose += loose;
    } else {
      ++nulls;
      false_pos += !ok;
    }
  }
  double exact() const { return pos == 0 ? 1.0 : static_cast<double>(pos_ok) / pos; }
  double loose() const { return pos == 0 ? 1.0 : static_cast<double>(pos_loose) / pos; }
  double fp() const { return nulls == 0 ? 0.0 : static_cast<double>(false_pos) / nulls; }
};

struct Report {
  std::string file;
  Tally scored;    // the bars apply here
  Tally all;       // everything, excluded tags included
  std::map<std::string, Tally> by_source, by_tag;
  std::vector<std::string> misses;

  void add(const json& c, bool positive, bool ok, bool loose, const std::string& got) {
    bool excluded = false;
    for (const auto& t : c["tags"]) excluded = excluded || kExcludedTags.count(t.get<std::string>()) > 0;
    all.add(positive, ok, loose);
    if (!excluded) scored.add(positive, ok, loose);
    by_source[source_of(c)].add(positive, ok, loose);
    for (const auto& t : c["tags"]) by_tag[t.get<std::string>()].add(positive, ok, loose);
    if (!ok) misses.push_back(c.value("id", "?") + (excluded ? " [excluded]" : "") + " " + c["text"].dump() +
                              " expected=" + c["expected"].dump() + " got=" + got);
  }

  void print() const {
    auto line = [](const std::string& name, const Tally& t) {
      std::printf("  %-34s positives %3d exact %6.1f%% loose %6.1f%% | nulls %3d false+ %5.1f%%\n", name.c_str(), t.pos,
                  100 * t.exact(), 100 * t.loose(), t.nulls, 100 * t.fp());
    };
    std::printf("== %s\n", file.c_str());
    line("SCORED (bars apply)", scored);
    line("all cases", all);
    std::printf(" per source:\n");
    for (const auto& [k, t] : by_source) line(k, t);
    std::printf(" per tag:\n");
    for (const auto& [k, t] : by_tag) line(k, t);
    for (const auto& m : misses) std::printf("  miss: %s\n", m.c_str());
  }
};

// The loose name score compares case-, accent- and punctuation-insensitive letters.
std::string loose_form(std::string_view s) { return understand::fold_letters(s); }

const calendar::BusinessCalendar& clinic() {
  static const calendar::BusinessCalendar cal(date::locate_zone("America/Edmonton"),
                                              calendar::OpeningHours::parse("Mon-Fri 09:00-17:00"));
  return cal;
}

std::optional<date::local_seconds> parse_ref(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) < 5) return std::nullopt;
  return date::local_days{date::year{y} / date::month{static_cast<unsigned>(mo)} / date::day{static_cast<unsigned>(d)}} +
         std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{sec};
}

void time_accuracy(const std::string& dir) {
  Report r{dir + "/time_cases.json", {}, {}, {}, {}, {}};
  const json cases = load(dir + "/time_cases.json");
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const auto ref = parse_ref(c.value("ref", "2013-02-12T04:30:00"));
    ASSERT_TRUE(ref.has_value()) << c;
    const TimeContext ctx{clinic().to_sys(*ref), &clinic()};
    const auto when = extract_datetime(c["text"].get<std::string>(), ctx);
    std::string got = "null";
    std::string got_day;
    if (when) {
      if (const auto* t = std::get_if<date::local_seconds>(&*when)) {
        got = format_local_minute(*t);
        got_day = got.substr(0, 10);
      } else {
        got_day = date::format("%F", std::get<DateOnly>(*when).day);
        got = "date:" + got_day;
      }
    }
    const json& e = c["expected"];
    bool ok = false;
    if (e.is_null()) ok = !when.has_value();
    else if (e.is_object()) ok = when.has_value() && got_day == e["date"].get<std::string>();
    else ok = got == e.get<std::string>();
    r.add(c, !e.is_null(), ok, ok, got);
  }
  r.print();
  EXPECT_GE(r.scored.exact(), 0.92);
  EXPECT_LE(r.scored.fp(), 0.05);
}

TEST(Corpus, TimeAccuracy) { time_accuracy(kShared); }
TEST(Corpus, TimeAccuracyDev) { time_accuracy(kDev); }

TEST(Corpus, PhoneAccuracy) {
  Report r{"phone_cases.json", {}, {}, {}, {}, {}};
  Tally lenient;
  const json cases = load(kShared + "/phone_cases.json");
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const auto got = extract_phone(c["text"].get<std::string>());
    const json& e = c["expected"];
    const bool ok = e.is_null() ? !got.has_value() : got == e.get<std::string>();
    r.add(c, !e.is_null(), ok, ok, got.value_or("null"));
    // Digits-only policy, for the report: lenient_expected where present.
    const json& le = c.contains("lenient_expected") ? c["lenient_expected"] : e;
    const bool lok = le.is_null() ? !got.has_value() : got == le.get<std::string>();
    lenient.add(!le.is_null(), lok, lok);
  }
  r.print();
  std::printf("  lenient (digits-only) policy: positives %d exact %.1f%% (we are strict by design)\n", lenient.pos,
              100 * lenient.exact());
  EXPECT_GE(r.scored.exact(), 0.97);
  EXPECT_LE(r.scored.fp(), 0.03);
}

void name_accuracy(const std::string& dir) {
  Report r{dir + "/name_cases.json", {}, {}, {}, {}, {}};
  const json cases = load(dir + "/name_cases.json");
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const auto got = extract_name(c["text"].get<std::string>());
    const json& e = c["expected"];
    bool ok = false;
    bool loose = false;
    if (e.is_null()) {
      ok = loose = !got.has_value();
    } else if (got) {
      ok = *got == e.get<std::string>();
      loose = loose_form(*got) == loose_form(e.get<std::string>());
    }
    r.add(c, !e.is_null(), ok, loose, got.value_or("null"));
  }
  r.print();
  EXPECT_GE(r.scored.exact(), 0.90);
  EXPECT_GE(r.scored.loose(), 0.95);
  EXPECT_LE(r.scored.fp(), 0.05);
}

TEST(Corpus, NameAccuracy) { name_accuracy(kShared); }
TEST(Corpus, NameAccuracyDev) { name_accuracy(kDev); }

}  // namespace
}  // namespace bella::understand
