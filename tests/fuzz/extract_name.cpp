// extract_name / hear_name / extract_surname / looks_like_name. Oracle: no crash, no exception,
// and a name found is valid UTF-8 without control characters (it is spoken back and stored).
#include "fuzz_util.hpp"

#include <nlohmann/json.hpp>

#include "bella/understand/extract.hpp"

namespace {
void check(const std::optional<std::string>& n) {
  if (!n) return;
  for (unsigned char c : *n)
    if (c < 0x20 || c == 0x7f) bella::fuzz::fail("a control character in a name", *n);
  try {
    (void)nlohmann::json(*n).dump();  // strict: throws on invalid UTF-8
  } catch (const nlohmann::json::exception&) {
    bella::fuzz::fail("a name that is not valid UTF-8", *n);
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    check(bella::understand::extract_name(text));
    if (const auto heard = bella::understand::hear_name(text)) (void)heard;
    check(bella::understand::extract_surname(text));
    (void)bella::understand::looks_like_name(text);
  } catch (const std::exception& e) {
    bella::fuzz::fail("the name extractor threw", e.what());
  }
  return 0;
}
