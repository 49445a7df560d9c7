// RESP2 framing via hiredis 0.14: only its formatter and reader; its blocking I/O is never used.
#include "store/resp.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>

namespace bella::store::resp {
namespace {

redisReader* as_reader(void* p) { return static_cast<redisReader*>(p); }

// hiredis builds replies through these callbacks, so a reply is decoded straight into Values
// (no redisReply tree to copy from). Its own createArray callocs a slot per declared element
// before any arrives: a "*333333331" header from the wire took 2.6 GB (found by fuzz_resp). Here an
// array grows as its elements arrive, so memory follows the bytes actually received.
//
// A root value is heap-owned by the reader until redisReaderGetReply hands it over (or freeObject
// drops it on error); every other value lives inside its parent's `elements`. Only the last element
// of each open array can be open, so push_back never moves a value hiredis still points at.
// Exceptions must not cross hiredis's C frames: any failure returns nullptr, which hiredis
// reports as an error.
constexpr std::size_t kReserveAtMost = 16;

template <class Build>
void* place(const redisReadTask* task, Build build) noexcept {
  try {
    Value v = build();
    if (task->parent == nullptr) return new Value(std::move(v));
    auto* parent = static_cast<Value*>(task->parent->obj);
    if (static_cast<std::size_t>(task->idx) != parent->elements.size()) return nullptr;
    parent->elements.push_back(std::move(v));
    return &parent->elements.back();
  } catch (...) {
    return nullptr;
  }
}

void* create_string(const redisReadTask* task, char* str, std::size_t len) noexcept {
  return place(task, [&] {
    Value v;
    v.type = task->type == REDIS_REPLY_ERROR    ? Value::Type::error
             : task->type == REDIS_REPLY_STATUS ? Value::Type::status
                                                : Value::Type::string;
    v.text.assign(str, len);
    return v;
  });
}

void* create_array(const redisReadTask* task, int elements) noexcept {
  return place(task, [&] {
    Value v;
    v.type = Value::Type::array;
    v.elements.reserve(std::min(static_cast<std::size_t>(elements), kReserveAtMost));
    return v;
  });
}

void* create_integer(const redisReadTask* task, long long n) noexcept {
  return place(task, [&] {
    Value v;
    v.type = Value::Type::integer;
    v.integer = n;
    return v;
  });
}

void* create_nil(const redisReadTask* task) noexcept {
  return place(task, [] { return Value{}; });
}

void free_object(void* root) noexcept { delete static_cast<Value*>(root); }

redisReplyObjectFunctions value_functions{create_string, create_array, create_integer, create_nil, free_object};

}  // namespace

std::string format_command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  char* cmd = nullptr;
  const int n = redisFormatCommandArgv(&cmd, static_cast<int>(args.size()), argv.data(), lens.data());
  if (n < 0 || cmd == nullptr) throw std::bad_alloc();
  std::string out(cmd, static_cast<std::size_t>(n));
  redisFreeCommand(cmd);
  return out;
}

void Parser::Deleter::operator()(void* reader) const { redisReaderFree(as_reader(reader)); }

Parser::Parser() : reader_(redisReaderCreateWithFunctions(&value_functions)) {
  if (!reader_) throw std::bad_alloc();
}

Parser::~Parser() = default;

void Parser::feed(std::string_view bytes) {
  if (bytes.empty()) return;
  if (redisReaderFeed(as_reader(reader_.get()), bytes.data(), bytes.size()) != REDIS_OK) {
    throw ProtocolError(std::string("RESP: ") + as_reader(reader_.get())->errstr);
  }
}

std::optional<Value> Parser::next() {
  void* raw = nullptr;
  if (redisReaderGetReply(as_reader(reader_.get()), &raw) != REDIS_OK) {
    throw ProtocolError(std::string("RESP: ") + as_reader(reader_.get())->errstr);
  }
  if (raw == nullptr) return std::nullopt;
  const std::unique_ptr<Value> reply(static_cast<Value*>(raw));
  return std::move(*reply);
}

}  // namespace bella::store::resp
