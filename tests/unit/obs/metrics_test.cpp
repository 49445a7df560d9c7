// Prometheus registry: the rendered text obeys the exposition format (0.0.4) rules, checked by a
// strict parser written from the format's specification, including escaping and histogram shape.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "api/health.hpp"
#include "bella/http/router.hpp"
#include "obs/metrics.hpp"

namespace bella::obs {
namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped
  double value = 0;
};

struct Family {
  std::string type = "untyped";
  bool typed = false;  // a TYPE line was seen
  std::optional<std::string> help;  // unescaped
  std::vector<Sample> samples;
};

struct Parsed {
  std::map<std::string, Family> families;
  std::string error;  // empty: the text is valid
};

bool name_char(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':')) return true;
  return !first && c >= '0' && c <= '9';
}

bool valid_name(const std::string& n, bool colon) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i)
    if (!name_char(n[i], i == 0, colon)) return false;
  return true;
}

// Go's strconv.ParseFloat as Prometheus uses it: decimal/exponent floats, +Inf, -Inf, NaN.
std::optional<double> parse_value(const std::string& s) {
  if (s == "+Inf" || s == "Inf") return std::numeric_limits<double>::infinity();
  if (s == "-Inf") return -std::numeric_limits<double>::infinity();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) return std::nullopt;
  std::size_t used = 0;
  try {
    double v = std::stod(s, &used);
    if (used != s.size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The family a sample belongs to: histogram samples are <base>_bucket, _sum, _count.
std::string family_of(const std::string& sample, const std::map<std::string, Family>& families) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s = suffix;
    if (sample.size() > s.size() && sample.compare(sample.size() - s.size(), s.size(), s) == 0) {
      auto base = sample.substr(0, sample.size() - s.size());
      auto it = families.find(base);
      if (it != families.end() && (it->second.type == "histogram" || it->second.type == "summary")) return base;
    }
  }
  return sample;
}

Parsed parse(const std::string& text) {
  Parsed p;
  auto fail = [&](std::size_t line_no, const std::string& why) {
    p.error = "line " + std::to_string(line_no) + ": " + why;
    return p;
  };
  if (!text.empty() && text.back() != '\n') return fail(0, "text does not end with a newline");
  std::set<std::string> closed;       // families whose samples are done (samples must be grouped)
  std::string current;                // family of the previous sample or metadata line
  std::set<std::string> series_seen;  // name + label set, each at most once
  std::istringstream in(text);
  std::string line;
  std::size_t no = 0;
  auto enter = [&](const std::string& fam) -> bool {
    if (fam == current) return true;
    if (closed.count(fam)) return false;
    if (!current.empty()) closed.insert(current);
    current = fam;
    return true;
  };
  while (std::getline(in, line)) {
    ++no;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream ls(line.substr(1));
      std::string kw, name;
      ls >> kw >> name;
      if (kw != "HELP" && kw != "TYPE") continue;  // a plain comment
      if (line.compare(0, 2 + kw.size() + 1, "# " + kw + " ") != 0) return fail(no, "bad metadata spacing");
      if (!valid_name(name, true)) return fail(no, "invalid metric name in " + kw + ": " + name);
      std::string rest = line.substr(2 + kw.size() + 1 + name.size());
      if (!rest.empty()) {
        if (rest[0] != ' ') return fail(no, "no space after name");
        rest.erase(0, 1);
      }
      if (!enter(name)) return fail(no, kw + " for a family whose samples already ended: " + name);
      auto& fam = p.families[name];
      if (kw == "HELP") {
        if (fam.help) return fail(no, "second HELP for " + name);
        std::string help;
        for (std::size_t i = 0; i < rest.size(); ++i) {
          if (rest[i] != '\\') {
            help.push_back(rest[i]);
            continue;
          }
          if (++i == rest.size()) return fail(no, "dangling backslash in HELP");
          if (rest[i] == '\\') help.push_back('\\');
          else if (rest[i] == 'n') help.push_back('\n');
          else return fail(no, "invalid escape in HELP");
        }
        fam.help = help;
      } else {
        static const std::set<std::string> types{"counter", "gauge", "histogram", "summary", "untyped"};
        if (!types.count(rest)) return fail(no, "unknown TYPE '" + rest + "'");
        if (!fam.samples.empty()) return fail(no, "TYPE after samples of " + name);
        if (fam.typed) return fail(no, "second TYPE for " + name);
        fam.type = rest;
        fam.typed = true;
      }
      continue;
    }
    // sample: name [{labels}] value [timestamp]
    std::size_t i = 0;
    while (i < line.size() && name_char(line[i], i == 0, true)) ++i;
    Sample s;
    s.name = line.substr(0, i);
    if (!valid_name(s.name, true)) return fail(no, "invalid sample name");
    std::string canon = s.name + "{";
    if (i < line.size() && line[i] == '{') {
      ++i;
      bool first = true;
      while (true) {
        if (i >= line.size()) return fail(no, "unterminated label set");
        if (line[i] == '}') {
          ++i;
          break;
        }
        if (!first) {
          if (line[i] != ',') return fail(no, "expected ',' between labels");
          ++i;
          if (i < line.size() && line[i] == '}') {  // a trailing comma is allowed
            ++i;
            break;
          }
        }
        first = false;
        std::size_t start = i;
        while (i < line.size() && name_char(line[i], i == start, false)) ++i;
        std::string lname = line.substr(start, i - start);
        if (!valid_name(lname, false)) return fail(no, "invalid label name");
        if (lname.rfind("__", 0) == 0) return fail(no, "reserved label name " + lname);
        if (i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') return fail(no, "expected =\" after label name");
        i += 2;
        std::string value;
        bool closed_quote = false;
        while (i < line.size()) {
          char c = line[i++];
          if (c == '"') {
            closed_quote = true;
            break;
          }
          if (c != '\\') {
            value.push_back(c);
            continue;
          }
          if (i >= line.size()) return fail(no, "dangling backslash in label value");
          char e = line[i++];
          if (e == '\\') value.push_back('\\');
          else if (e == '"') value.push_back('"');
          else if (e == 'n') value.push_back('\n');
          else return fail(no, std::string("invalid escape \\") + e + " in label value");
        }
        if (!closed_quote) return fail(no, "unterminated label value");
        if (!s.labels.emplace(lname, value).second) return fail(no, "duplicate label " + lname);
      }
    }
    for (const auto& [k, v] : s.labels) canon += k + "=" + v + "\x1f";
    if (i >= line.size() || line[i] != ' ') return fail(no, "expected a space before the value");
    std::istringstream rest(line.substr(i + 1));
    std::string value, ts, extra;
    rest >> value >> ts >> extra;
    auto v = parse_value(value);
    if (!v) return fail(no, "invalid value '" + value + "'");
    if (!ts.empty() && !parse_value(ts)) return fail(no, "invalid timestamp");
    if (!extra.empty()) return fail(no, "trailing text after the timestamp");
    s.value = *v;
    if (!series_seen.insert(canon).second) return fail(no, "series repeated: " + s.name);
    auto fam_name = family_of(s.name, p.families);
    if (!enter(fam_name)) return fail(no, "samples of " + fam_name + " are not grouped together");
    auto& fam = p.families[fam_name];
    if (fam.type == "counter" && (std::isnan(s.value) || s.value < 0)) return fail(no, "negative or NaN counter");
    if (fam.type == "histogram" && s.name == fam_name) return fail(no, "histogram sample without a suffix");
    fam.samples.push_back(std::move(s));
  }
  // Histograms: per label set, buckets with le ascending, cumulative, ending at +Inf == _count; _sum present.
  for (const auto& [name, fam] : p.families) {
    if (fam.type != "histogram") continue;
    struct Series {
      std::vector<std::pair<double, double>> buckets;
      std::optional<double> sum, count;
    };
    std::map<std::map<std::string, std::string>, Series> series;
    for (const auto& s : fam.samples) {
      auto labels = s.labels;
      if (s.name == name + "_bucket") {
        auto le = labels.find("le");
        if (le == labels.end()) return fail(0, name + "_bucket without le");
        auto bound = parse_value(le->second);
        if (!bound || std::isnan(*bound)) return fail(0, name + " le is not a number: " + le->second);
        labels.erase(le);
        series[labels].buckets.emplace_back(*bound, s.value);
      } else {
        if (labels.count("le")) return fail(0, name + " le on a non-bucket sample");
        (s.name == name + "_sum" ? series[labels].sum : series[labels].count) = s.value;
      }
    }
    for (const auto& [labels, s] : series) {
      if (s.buckets.empty()) return fail(0, name + " has a series without buckets");
      if (!s.sum) return fail(0, name + "_sum missing");
      if (!s.count) return fail(0, name + "_count missing");
      for (std::size_t k = 1; k < s.buckets.size(); ++k) {
        if (!(s.buckets[k - 1].first < s.buckets[k].first)) return fail(0, name + " le not strictly ascending");
        if (s.buckets[k - 1].second > s.buckets[k].second) return fail(0, name + " bucket counts not cumulative");
      }
      if (!std::isinf(s.buckets.back().first) || s.buckets.back().first < 0) return fail(0, name + " does not end in +Inf");
      if (s.buckets.back().second != *s.count) return fail(0, name + " +Inf bucket differs from _count");
    }
  }
  return p;
}

const Sample* find(const Parsed& p, const std::string& family, const std::string& sample,
                   const std::map<std::string, std::string>& labels) {
  auto it = p.families.find(family);
  if (it == p.families.end()) return nullptr;
  for (const auto& s : it->second.samples)
    if (s.name == sample && s.labels == labels) return &s;
  return nullptr;
}

// --- the checker itself must reject what the format forbids (else the tests below prove nothing)

TEST(PrometheusChecker, AcceptsAWellFormedExposition) {
  const std::string ok =
      "# HELP a_total Things \\\\ done\\n twice\n# TYPE a_total counter\n"
      "a_total{x=\"q\\\"\\\\\\n\",y=\"\"} 3\na_total 1e+20 1700000000000\n"
      "# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1.25\nh_count 2\n";
  auto p = parse(ok);
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(*p.families["a_total"].help, "Things \\ done\n twice");
  ASSERT_NE(find(p, "a_total", "a_total", {{"x", "q\"\\\n"}, {"y", ""}}), nullptr);
}

TEST(PrometheusChecker, RejectsEachViolation) {
  const std::vector<std::string> bad = {
      "1abc 1\n",                                                     // name starts with a digit
      "a{b=\"1\"} x\n",                                               // value not a number
      "a{b=\"1} 1\n",                                                 // unterminated label value
      "a{b=\"\\t\"} 1\n",                                             // invalid escape
      "a{b=\"1\",b=\"2\"} 1\n",                                       // duplicate label
      "a{__b=\"1\"} 1\n",                                             // reserved label name
      "a{b-c=\"1\"} 1\n",                                             // invalid label name
      "a 1\na 2\n",                                                   // repeated series
      "a 1\nb 1\na{x=\"1\"} 1\n",                                     // family not grouped
      "# TYPE a counter\n# TYPE a counter\na 1\n",                    // TYPE twice
      "# TYPE a wibble\na 1\n",                                       // unknown type
      "a 1\n# TYPE a gauge\n",                                        // TYPE after samples
      "# HELP a x\\y\na 1\n",                                         // bad HELP escape
      "# TYPE a counter\na -1\n",                                     // negative counter
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"0.5\"} 2\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n",
      "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n",
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",  // no +Inf
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n",     // no _sum
      "a 1",                                                          // no final newline
  };
  for (const auto& text : bad) EXPECT_NE(parse(text).error, "") << text;
}

// --- the registry's output

TEST(Metrics, TrickyLabelValuesAreEscapedAndRoundTrip) {
  Registry r;
  const std::string nasty = "say \"hi\"\\ now\nplease";
  r.counter("t_requests_total", "Requests").inc({{"route", nasty}, {"status", "200"}});
  r.counter("t_requests_total", "Requests").inc({{"status", "200"}, {"route", nasty}}, 2);
  r.gauge("t_in_use", "In \"use\" \\ now\nsecond line").set({{"pool", "a\\\"b"}}, -1.5);
  r.gauge("t_empty", "Never set");
  auto p = parse(r.render());
  ASSERT_EQ(p.error, "") << r.render();
  const auto* s = find(p, "t_requests_total", "t_requests_total", {{"route", nasty}, {"status", "200"}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 3);  // label order does not create a second series
  EXPECT_EQ(p.families["t_requests_total"].type, "counter");
  EXPECT_EQ(*p.families["t_in_use"].help, "In \"use\" \\ now\nsecond line");
  ASSERT_NE(find(p, "t_in_use", "t_in_use", {{"pool", "a\\\"b"}}), nullptr);
  EXPECT_EQ(find(p, "t_in_use", "t_in_use", {{"pool", "a\\\"b"}})->value, -1.5);
}

TEST(Metrics, HistogramIsCumulativeAscendingAndEndsAtCount) {
  Registry r;
  // Unsorted, duplicated and infinite bounds are normalised.
  auto& h = r.histogram("t_latency_seconds", "Latency", {1, 0.1, 0.5, 0.1, std::numeric_limits<double>::infinity()});
  const Labels route{{"route", "/twilio/voice"}};
  for (double v : {0.05, 0.1, 0.3, 0.7, 2.0, 1.0}) h.observe(route, v);
  h.observe(route, std::numeric_limits<double>::quiet_NaN());
  h.observe({{"route", "q\"x"}}, 0.2);
  auto p = parse(r.render());
  ASSERT_EQ(p.error, "") << r.render();
  auto bucket = [&](const std::string& le) {
    const auto* s = find(p, "t_latency_seconds", "t_latency_seconds_bucket", {{"route", "/twilio/voice"}, {"le", le}});
    return s ? s->value : -1.0;
  };
  EXPECT_EQ(bucket("0.1"), 2);  // le is inclusive: 0.1 falls in le="0.1"
  EXPECT_EQ(bucket("0.5"), 3);
  EXPECT_EQ(bucket("1"), 5);
  EXPECT_EQ(bucket("+Inf"), 7);  // NaN is counted only in +Inf
  EXPECT_EQ(find(p, "t_latency_seconds", "t_latency_seconds_count", {{"route", "/twilio/voice"}})->value, 7);
  ASSERT_NE(find(p, "t_latency_seconds", "t_latency_seconds_sum", {{"route", "q\"x"}}), nullptr);
}

TEST(Metrics, CounterIgnoresNegativeSteps) {
  Registry r;
  auto& c = r.counter("t_calls_total", "Calls");
  c.inc({}, 2);
  c.inc({}, -5);
  EXPECT_EQ(c.value(), 2);
  EXPECT_EQ(parse(r.render()).error, "");
}

TEST(Metrics, InvalidNamesAreRefused) {
  Registry r;
  EXPECT_THROW(r.counter("9lives", "x"), std::invalid_argument);
  EXPECT_THROW(r.gauge("has space", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter("ok_total", "x").inc({{"bad-label", "1"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok_total", "x").inc({{"__reserved", "1"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok_total", "x").inc({{"a", "1"}, {"a", "2"}}), std::invalid_argument);
  EXPECT_THROW(r.histogram("ok_seconds", "x", {1}).observe({{"le", "1"}}, 1), std::invalid_argument);
  EXPECT_THROW(r.gauge("ok_total", "x"), std::logic_error);  // one name, one type
  EXPECT_EQ(parse(r.render()).error, "");
}

// GET /metrics as served: the process-wide registry, after the router has counted requests.
TEST(Metrics, MetricsRouteServesValidExposition) {
  http::Router router;
  api::add_health_routes(router, api::HealthDeps{.metrics_token = "t0ken"});
  asio::io_context ioc;
  http::Response health, metrics;
  http::Request health_req{http::Verb::get, "/healthz", 11};
  http::Request metrics_req{http::Verb::get, "/metrics", 11};
  metrics_req.set(http::Field::authorization, "Bearer t0ken");
  http::RequestContext c1, c2;
  asio::co_spawn(
      ioc,
      [&]() -> Task<void> {
        health = co_await router.dispatch(health_req, c1);
        metrics = co_await router.dispatch(metrics_req, c2);
      },
      asio::detached);
  ioc.run();
  ASSERT_EQ(metrics.result(), http::Status::ok);
  EXPECT_EQ(metrics[http::Field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  auto p = parse(metrics.body());
  ASSERT_EQ(p.error, "") << metrics.body();
  EXPECT_EQ(p.families.count("bella_http_requests_total"), 1u) << metrics.body();
  EXPECT_EQ(p.families.count("bella_http_request_duration_seconds"), 1u);
}

TEST(Metrics, AFamilyNeverHoldsMoreThanItsBoundOfSeries) {
  Registry r;
  auto& c = r.counter("bella_test_unbounded_total", "x");
  auto& h = r.histogram("bella_test_unbounded_seconds", "x", {0.1, 1});
  for (int i = 0; i < 5000; ++i) {
    c.inc({{"what", std::to_string(i)}});
    h.observe({{"what", std::to_string(i)}}, 0.5);
  }
  const auto text = r.render();
  std::size_t lines = 0;
  for (char ch : text) lines += ch == '\n';
  EXPECT_LE(lines, 6 * ::bella::obs::Family::kMaxSeries + 10) << "rendered " << lines << " lines";
  EXPECT_EQ(c.value({{"what", "0"}}), 1);  // the first series are kept as they are
  EXPECT_EQ(c.value({{"what", "other"}}), 5000 - static_cast<double>(::bella::obs::Family::kMaxSeries));
  auto p = parse(text);
  EXPECT_EQ(p.error, "") << text.substr(0, 400);
}

}  // namespace
}  // namespace bella::obs
