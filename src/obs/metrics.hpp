// A small Prometheus registry: counters, gauges and histograms with labels, rendered as text 0.0.4.
// Thread-safe: every method may be called from any thread. Metric and label names must match
// Prometheus' syntax (std::invalid_argument otherwise: they are constants, so this is a bug).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace bella::obs {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Family {
 public:
  Family(std::string name, std::string help, std::string type)
      : name_(std::move(name)), help_(std::move(help)), type_(std::move(type)) {}
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;
  virtual void render(std::string& out) const = 0;
  [[nodiscard]] const std::string& name() const { return name_; }
  /// Label values should come from closed sets; this bounds /metrics if one does not.
  static constexpr std::size_t kMaxSeries = 256;

 protected:
  static std::string label_key(Labels labels);  // checked, sorted, escaped: {a="1",b="2"}
  /// `key` if the family may hold it, else the family's overflow series (every label "other"):
  /// a family never holds more than kMaxSeries series, whatever values callers pass. Mutex held.
  template <class Map>
  std::string bounded_key(const Map& series, std::string key, const Labels& labels) const {
    if (key.empty() || series.size() < kMaxSeries || series.count(key)) return key;
    Labels other = labels;
    for (auto& l : other) l.second = "other";
    return label_key(std::move(other));
  }
  void header(std::string& out) const;
  std::string name_, help_, type_;
  mutable std::mutex mutex_;
};

class Counter final : public Family {
 public:
  Counter(std::string name, std::string help) : Family(std::move(name), std::move(help), "counter") {}
  void inc(const Labels& labels = {}, double by = 1.0);
  [[nodiscard]] double value(const Labels& labels = {}) const;
  void render(std::string& out) const override;

 private:
  std::map<std::string, double> values_;
};

class Gauge final : public Family {
 public:
  Gauge(std::string name, std::string help) : Family(std::move(name), std::move(help), "gauge") {}
  void set(const Labels& labels, double v);
  void set(double v) { set({}, v); }
  void add(const Labels& labels, double by);
  [[nodiscard]] double value(const Labels& labels = {}) const;
  void render(std::string& out) const override;

 private:
  std::map<std::string, double> values_;
};

class Histogram final : public Family {
 public:
  /// `bounds` are the finite upper bounds; they are sorted and de-duplicated, +Inf is implicit.
  Histogram(std::string name, std::string help, std::vector<double> bounds);
  void observe(const Labels& labels, double v);
  void observe(double v) { observe({}, v); }
  void render(std::string& out) const override;

 private:
  struct Series {
    std::vector<std::uint64_t> buckets;  // non-cumulative counts per bound, last = +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  std::vector<double> bounds_;
  std::map<std::string, Series> series_;
};

/// One unlabelled sample read when /metrics is rendered (process_* figures from /proc).
class Sampled final : public Family {
 public:
  Sampled(std::string name, std::string help, std::string type, std::function<double()> read)
      : Family(std::move(name), std::move(help), std::move(type)), read_(std::move(read)) {}
  void render(std::string& out) const override;

 private:
  std::function<double()> read_;
};

class Registry {
 public:
  /// Returns the family with this name, creating it on first use. Names are unique per type.
  Counter& counter(const std::string& name, const std::string& help);
  Gauge& gauge(const std::string& name, const std::string& help);
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<double> bounds);
  /// `type` is "counter" or "gauge"; `read` is called on every render (it must not use the registry).
  Sampled& sampled(const std::string& name, const std::string& help, const std::string& type,
                   std::function<double()> read);
  /// Names of every registered family, in registration order.
  [[nodiscard]] std::vector<std::string> names() const;
  /// Prometheus text exposition format 0.0.4.
  [[nodiscard]] std::string render() const;

 private:
  template <class T, class... A>
  T& get(const std::string& name, A&&... args);
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
};

/// The process-wide registry behind GET /metrics.
Registry& registry();

}  // namespace bella::obs
