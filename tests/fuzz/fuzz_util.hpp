// Helpers shared by the libFuzzer targets: split one input into several strings.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace bella::fuzz {

/// Splits the input at NUL bytes into at most `max` parts (the last part keeps the rest).
inline std::vector<std::string> parts(const std::uint8_t* data, std::size_t size, std::size_t max) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0 && out.size() < max) out.emplace_back();
    else out.back().push_back(static_cast<char>(data[i]));
  }
  while (out.size() < max) out.emplace_back();
  return out;
}

/// The oracle failed: print why and abort, so libFuzzer keeps the input as a crash.
[[noreturn]] inline void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz oracle failed: %s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace bella::fuzz
