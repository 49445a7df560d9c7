// Prometheus registry and its text rendering.
#include "obs/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace bella::obs {
namespace {

bool valid_name(std::string_view n, bool allow_colon) {
  auto head = [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
  };
  if (n.empty() || !head(n[0])) return false;
  for (char c : n.substr(1))
    if (!head(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

// HELP text escapes only backslash and newline (a quote is literal there, unlike in label values).
std::string escape_help(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

std::string escape_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

// Merges an extra label (le="...") into a rendered label key.
std::string with_label(const std::string& key, std::string_view name, std::string_view value) {
  std::string extra = fmt::format("{}=\"{}\"", name, value);
  if (key.empty()) return "{" + extra + "}";
  return key.substr(0, key.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string Family::label_key(Labels labels) {
  if (labels.empty()) return {};
  std::sort(labels.begin(), labels.end());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    // Names starting with "__" are reserved for Prometheus itself.
    if (!valid_name(labels[i].first, false) || labels[i].first.rfind("__", 0) == 0)
      throw std::invalid_argument("invalid metric label name: " + labels[i].first);
    if (i && labels[i].first == labels[i - 1].first)
      throw std::invalid_argument("metric label given twice: " + labels[i].first);
  }
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out.push_back(',');
    out += labels[i].first;
    out += "=\"";
    out += escape_label(labels[i].second);
    out += '"';
  }
  out.push_back('}');
  return out;
}

void Family::header(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, escape_help(help_), name_, type_);
}

void Counter::inc(const Labels& labels, double by) {
  auto key = label_key(labels);
  // A counter only goes up; a negative or NaN step would break rate() for every reader.
  if (!(by >= 0)) return;
  std::lock_guard lock(mutex_);
  values_[bounded_key(values_, std::move(key), labels)] += by;
}

double Counter::value(const Labels& labels) const {
  auto key = label_key(labels);
  std::lock_guard lock(mutex_);
  auto it = values_.find(key);
  return it == values_.end() ? 0.0 : it->second;
}

void Counter::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  header(out);
  for (const auto& [k, v] : values_) out += fmt::format("{}{} {}\n", name_, k, number(v));
}

void Gauge::set(const Labels& labels, double v) {
  auto key = label_key(labels);
  std::lock_guard lock(mutex_);
  values_[bounded_key(values_, std::move(key), labels)] = v;
}

void Gauge::add(const Labels& labels, double by) {
  auto key = label_key(labels);
  std::lock_guard lock(mutex_);
  values_[bounded_key(values_, std::move(key), labels)] += by;
}

double Gauge::value(const Labels& labels) const {
  auto key = label_key(labels);
  std::lock_guard lock(mutex_);
  auto it = values_.find(key);
  return it == values_.end() ? 0.0 : it->second;
}

void Gauge::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  header(out);
  for (const auto& [k, v] : values_) out += fmt::format("{}{} {}\n", name_, k, number(v));
}

Histogram::Histogram(std::string name, std::string help, std::vector<double> bounds)
    : Family(std::move(name), std::move(help), "histogram"), bounds_(std::move(bounds)) {
  // The exposition format wants le ascending and unique, ending in one +Inf bucket.
  std::erase_if(bounds_, [](double b) { return !std::isfinite(b); });
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
}

void Histogram::observe(const Labels& labels, double v) {
  for (const auto& l : labels)
    if (l.first == "le") throw std::invalid_argument("histogram label 'le' is reserved: " + name_);
  auto key = label_key(labels);
  std::lock_guard lock(mutex_);
  auto& s = series_[bounded_key(series_, std::move(key), labels)];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size() + 1, 0);
  // NaN compares false with every bound: count it in +Inf only, as the Go client does.
  auto idx = std::isnan(v) ? bounds_.size()
                           : static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                                      bounds_.begin());
  ++s.buckets[idx];
  s.sum += v;
  ++s.count;
}

void Histogram::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  header(out);
  for (const auto& [k, s] : series_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      out += fmt::format("{}_bucket{} {}\n", name_, with_label(k, "le", number(bounds_[i])), cumulative);
    }
    cumulative += s.buckets.back();
    out += fmt::format("{}_bucket{} {}\n", name_, with_label(k, "le", "+Inf"), cumulative);
    out += fmt::format("{}_sum{} {}\n", name_, k, number(s.sum));
    out += fmt::format("{}_count{} {}\n", name_, k, s.count);
  }
}

void Sampled::render(std::string& out) const {
  header(out);
  out += fmt::format("{} {}\n", name_, number(read_ ? read_() : 0.0));
}

template <class T, class... A>
T& Registry::get(const std::string& name, A&&... args) {
  if (!valid_name(name, true)) throw std::invalid_argument("invalid metric name: " + name);
  std::lock_guard lock(mutex_);
  for (auto& f : families_) {
    if (f->name() == name) {
      if (auto* t = dynamic_cast<T*>(f.get())) return *t;
      throw std::logic_error("metric registered twice with different types: " + name);
    }
  }
  families_.push_back(std::make_unique<T>(name, std::forward<A>(args)...));
  return static_cast<T&>(*families_.back());
}

Counter& Registry::counter(const std::string& name, const std::string& help) { return get<Counter>(name, help); }
Gauge& Registry::gauge(const std::string& name, const std::string& help) { return get<Gauge>(name, help); }
Histogram& Registry::histogram(const std::string& name, const std::string& help, std::vector<double> bounds) {
  return get<Histogram>(name, help, std::move(bounds));
}

Sampled& Registry::sampled(const std::string& name, const std::string& help, const std::string& type,
                           std::function<double()> read) {
  if (type != "counter" && type != "gauge") throw std::invalid_argument("sampled metric type: " + type);
  return get<Sampled>(name, help, type, std::move(read));
}

std::vector<std::string> Registry::names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& f : families_) out.push_back(f->name());
  return out;
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& f : families_) f->render(out);
  return out;
}

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace bella::obs
