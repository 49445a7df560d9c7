// Outcomes that depend on the input: an Errc with a message, carried in Result<T>.
#pragma once
#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace bella {

enum class Errc {
  invalid_input = 1,
  not_found,
  conflict,
  outside_hours,
  unavailable,
  not_allowed,  // the change is not allowed from the current state (e.g. a cancelled appointment)
};

const std::error_category& bella_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), bella_category()}; }

/// Infrastructure that cannot answer now (PostgreSQL, Redis, ...): thrown by every adapter whose
/// backend is down or timed out, whatever the input. The router answers it with one 503 problem;
/// the phone line keeps the call and asks the caller to try again. Input-dependent failures are
/// never this: they travel as Result<T> with an Errc.
struct Unavailable : std::runtime_error {
  /// `backend` names what is down ("postgres", "redis"); `detail` is for the log only.
  Unavailable(std::string backend_name, const std::string& detail)
      : std::runtime_error(backend_name + ": " + detail), backend(std::move(backend_name)) {}
  std::string backend;
};

struct Error {
  Errc code;
  std::string message;
  /// What to offer instead, when the refusal has an answer: Errc::conflict, the nearest free
  /// starts; Errc::outside_hours, the next opening.
  std::vector<std::chrono::sys_seconds> alternatives = {};
};

/// A value or an Error. Deliberately small: std::expected is C++23.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)
  Result(Errc code, std::string message) : v_(Error{code, std::move(message)}) {}

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  [[nodiscard]] const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace bella

template <>
struct std::is_error_code_enum<bella::Errc> : std::true_type {};
