// RESP reader (hiredis underneath): whatever a server (or an attacker on the path) sends, fed in
// arbitrary chunks. Oracle: no crash; and a command formatted by format_command reads back whole.
#include "fuzz_util.hpp"

#include "store/resp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  bella::store::resp::Parser parser;
  try {
    std::size_t at = 0, step = 1;
    while (at < in.size()) {
      const auto n = std::min(step, in.size() - at);
      parser.feed(in.substr(at, n));
      at += n;
      step = step * 2 + 1;
      for (int i = 0; i < 64; ++i)
        if (!parser.next()) break;
    }
    while (parser.next()) {
    }
  } catch (const bella::store::resp::ProtocolError&) {
    // refused: the connection would be dropped
  }
  const auto args = bella::fuzz::parts(data, size, 4);
  bella::store::resp::Parser again;
  again.feed(bella::store::resp::format_command(args));
  const auto v = again.next();
  if (!v || v->type != bella::store::resp::Value::Type::array || v->elements.size() != args.size())
    bella::fuzz::fail("format_command did not read back as an array");
  for (std::size_t i = 0; i < args.size(); ++i)
    if (v->elements[i].text != args[i]) bella::fuzz::fail("format_command changed an argument", args[i]);
  return 0;
}
