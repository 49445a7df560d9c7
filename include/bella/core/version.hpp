// Which build is running: the CMake project version and the git commit it was built from.
#pragma once
#include <string_view>

namespace bella {

/// "0.1.0" (CMakeLists.txt's project(VERSION)).
std::string_view version();
/// Short git commit of the build ("unknown" outside a checkout unless -DBELLA_COMMIT was given).
std::string_view commit();

}  // namespace bella
