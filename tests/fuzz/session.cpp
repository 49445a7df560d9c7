// The JSON session decoder (call::state_from_json): a session read back from Redis, possibly
// written by another version or corrupted. Oracle: malformed documents throw the documented
// exceptions only; a decoded state writes and reads back to the same JSON.
#include "fuzz_util.hpp"

#include <nlohmann/json.hpp>

#include "bella/call/session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  bella::call::ConversationState state;
  try {
    state = bella::call::state_from_json(j);
  } catch (const nlohmann::json::exception&) {
    return 0;
  } catch (const std::invalid_argument&) {
    return 0;
  }
  std::string once, twice;
  try {
    once = bella::call::to_json(state).dump();
    twice = bella::call::to_json(bella::call::state_from_json(nlohmann::json::parse(once))).dump();
  } catch (const std::exception& e) {
    bella::fuzz::fail("a decoded session does not write and read back", e.what());
  }
  if (once != twice) bella::fuzz::fail("session JSON round trip differs", once + "\n" + twice);
  return 0;
}
