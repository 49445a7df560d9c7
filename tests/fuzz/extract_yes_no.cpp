// extract_yes_no on any utterance. Oracle: no crash, no exception.
#include "fuzz_util.hpp"

#include "bella/understand/extract.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)bella::understand::extract_yes_no(text);
  } catch (const std::exception& e) {
    bella::fuzz::fail("the yes/no extractor threw", e.what());
  }
  return 0;
}
