// RESP2 framing without I/O: hiredis 0.14's formatter and reader behind value types.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bella::store::resp {

/// One decoded reply. `text` holds bulk strings, status lines and error messages.
struct Value {
  enum class Type { string, array, integer, nil, status, error };
  Type type = Type::nil;
  std::string text;
  long long integer = 0;
  std::vector<Value> elements;

  [[nodiscard]] bool is_nil() const { return type == Type::nil; }
  [[nodiscard]] bool is_error() const { return type == Type::error; }
  /// True for the +OK status line.
  [[nodiscard]] bool is_ok() const { return type == Type::status && text == "OK"; }
};

/// The stream is not RESP (or a reply exceeded hiredis's limits); the connection must be dropped.
struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Encodes one command as a RESP array of bulk strings (binary-safe).
std::string format_command(const std::vector<std::string>& args);

/// Incremental decoder: feed bytes as they arrive, take whole replies out in order.
/// Not thread-safe: one parser per connection, used on that connection's strand.
class Parser {
 public:
  Parser();
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  void feed(std::string_view bytes);
  /// The next complete reply, or nullopt until more bytes arrive. Throws ProtocolError.
  std::optional<Value> next();

 private:
  struct Deleter {
    void operator()(void* reader) const;
  };
  std::unique_ptr<void, Deleter> reader_;
};

}  // namespace bella::store::resp
