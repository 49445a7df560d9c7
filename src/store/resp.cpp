// RESP2 framing via hiredis 0.14: only its formatter and reader; its blocking I/O is never used.
#include "store/resp.hpp"

#include <hiredis/hiredis.h>

namespace bella::store::resp {
namespace {

redisReader* as_reader(void* p) { return static_cast<redisReader*>(p); }

Value convert(const redisReply& r) {
  Value v;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      v.type = Value::Type::string;
      v.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      v.type = Value::Type::status;
      v.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      v.type = Value::Type::error;
      v.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      v.type = Value::Type::integer;
      v.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      v.type = Value::Type::array;
      v.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) v.elements.push_back(convert(*r.element[i]));
      break;
    default:
      v.type = Value::Type::nil;
      break;
  }
  return v;
}

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

Parser::Parser() : reader_(redisReaderCreate()) {
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
  std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(static_cast<redisReply*>(raw), &freeReplyObject);
  return convert(*reply);
}

}  // namespace bella::store::resp
