// bella-extract's JSON-lines driver: each kind, ref/tz handling, malformed lines.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "understand/extract_line.hpp"

namespace bella::understand {
namespace {

using namespace std::chrono_literals;

class ExtractLine : public ::testing::Test {
 protected:
  LineExtractor ex{calendar::OpeningHours::parse("Mon-Fri 09:00-17:00")};
  std::chrono::sys_seconds now = date::sys_days{date::year{2026} / 3 / 10} + 18h;  // 12:00 MDT
};

TEST_F(ExtractLine, EachKind) {
  EXPECT_EQ(ex.run(R"({"kind":"time","text":"at 3","ref":"2013-02-12T04:30:00"})", now), R"({"value":"2013-02-12T15:00"})");
  EXPECT_EQ(ex.run(R"({"kind":"time","text":"tomorrow","ref":"2013-02-12T04:30:00"})", now),
            R"({"value":{"date":"2013-02-13"}})");
  EXPECT_EQ(ex.run(R"({"kind":"phone","text":"four oh three five five five oh one two three"})", now),
            R"({"value":"+14035550123"})");
  EXPECT_EQ(ex.run(R"({"kind":"phone","text":"this number","from":"+14035550123"})", now), R"({"value":"+14035550123"})");
  EXPECT_EQ(ex.run(R"({"kind":"name","text":"my name is jean-françois bélanger"})", now),
            R"({"value":"Jean-François Bélanger"})");
  EXPECT_EQ(ex.run(R"({"kind":"yesno","text":"nope"})", now), R"({"value":"no"})");
  EXPECT_EQ(ex.run(R"({"kind":"name","text":"yes"})", now), R"({"value":null})");
}

TEST_F(ExtractLine, RefDefaultsToNowAndTzIsHonoured) {
  EXPECT_EQ(ex.run(R"({"kind":"time","text":"tomorrow"})", now), R"({"value":{"date":"2026-03-11"}})");
  // 2026-03-10 23:30 in Toronto is already the 11th there.
  const auto late = date::sys_days{date::year{2026} / 3 / 11} + 3h + 30min;
  EXPECT_EQ(ex.run(R"({"kind":"time","text":"today","tz":"America/Toronto"})", late), R"({"value":{"date":"2026-03-10"}})");
  EXPECT_EQ(ex.run(R"({"kind":"time","text":"today"})", late), R"({"value":{"date":"2026-03-10"}})");
}

TEST_F(ExtractLine, MalformedLinesGetAnError) {
  for (const char* bad : {"not json", "[1,2]", R"({"text":"x"})", R"({"kind":"time"})", R"({"kind":"colour","text":"x"})",
                          R"({"kind":"time","text":"x","ref":"yesterday"})", R"({"kind":"time","text":"x","tz":"Mars/Base"})",
                          R"({"kind":"time","text":5})", R"({"kind":"phone","text":"x","from":7})"}) {
    const std::string out = ex.run(bad, now);
    EXPECT_EQ(out.rfind(R"({"error":)", 0), 0U) << bad << " -> " << out;
  }
  // And the extractor keeps working afterwards.
  EXPECT_EQ(ex.run(R"({"kind":"yesno","text":"yes"})", now), R"({"value":"yes"})");
}

TEST_F(ExtractLine, ExplainNamesTheRule) {
  ex.set_explain(true);
  const auto t = nlohmann::json::parse(ex.run(R"({"kind":"time","text":"friday between 2 and 3 pm","ref":"2026-03-10T09:00:00"})", now));
  EXPECT_EQ(t["value"], "2026-03-13T14:00");
  EXPECT_EQ(t["rule"], "clock.range_start");
  EXPECT_EQ(t["date_rule"], "date.weekday");
  EXPECT_EQ(t["said"]["range"], true);
  EXPECT_EQ(t["said"]["date"], true);
  const auto past = nlohmann::json::parse(ex.run(R"({"kind":"time","text":"today at 8am","ref":"2026-03-10T09:00:00"})", now));
  EXPECT_TRUE(past["value"].is_null());  // the value stays extract_datetime's
  EXPECT_EQ(past["past"], "2026-03-10T08:00");
  const auto span = nlohmann::json::parse(ex.run(R"({"kind":"time","text":"next week","ref":"2026-03-10T09:00:00"})", now));
  EXPECT_EQ(span["rule"], "span.week");
  EXPECT_EQ(span["span"]["first"], "2026-03-16");
  const auto n = nlohmann::json::parse(ex.run(R"({"kind":"name","text":"my name is Dana Wu"})", now));
  EXPECT_EQ(n["value"], "Dana Wu");
  EXPECT_EQ(n["rule"], "name.strong_carrier");
  EXPECT_EQ(n["carrier"], true);
  const auto p = nlohmann::json::parse(ex.run(R"({"kind":"phone","text":"not 403 555 0100, it's 0199"})", now));
  EXPECT_EQ(p["value"], "+14035550199");
  EXPECT_EQ(p["rule"], "phone.correction_tail");
  const auto none = nlohmann::json::parse(ex.run(R"({"kind":"name","text":"blah blah blah"})", now));
  EXPECT_TRUE(none["value"].is_null());
  EXPECT_TRUE(none["rule"].is_null());
  // Without explain the reply is the value alone.
  ex.set_explain(false);
  EXPECT_EQ(ex.run(R"({"kind":"name","text":"my name is Dana Wu"})", now), R"({"value":"Dana Wu"})");
}

}  // namespace
}  // namespace bella::understand
