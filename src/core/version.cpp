// The version and commit CMake passes to this one file (so a new commit recompiles nothing else).
#include "bella/core/version.hpp"

#ifndef BELLA_VERSION
#define BELLA_VERSION "0.0.0"
#endif
#ifndef BELLA_COMMIT
#define BELLA_COMMIT "unknown"
#endif

namespace bella {

std::string_view version() { return BELLA_VERSION; }
std::string_view commit() { return BELLA_COMMIT; }

}  // namespace bella
