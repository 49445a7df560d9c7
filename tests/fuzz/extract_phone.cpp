// extract_phone / normalize_phone / wants_callers_number. Oracle: no crash, no exception, and a
// number found is E.164 (+ and 11 to 15 digits).
#include "fuzz_util.hpp"

#include "bella/understand/extract.hpp"

namespace {
void check(const std::optional<std::string>& n) {
  if (!n) return;
  const bool e164 = n->size() >= 9 && n->size() <= 16 && (*n)[0] == '+' &&
                    n->find_first_not_of("0123456789", 1) == std::string::npos;
  if (!e164) bella::fuzz::fail("not an E.164 number", *n);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto p = bella::fuzz::parts(data, size, 2);  // utterance, caller's From
  try {
    check(bella::understand::extract_phone(p[0], p[1]));
    check(bella::understand::extract_phone(p[0]));
    check(bella::understand::normalize_phone(p[0]));
    (void)bella::understand::wants_callers_number(p[0]);
  } catch (const std::exception& e) {
    bella::fuzz::fail("the phone extractor threw", e.what());
  }
  return 0;
}
