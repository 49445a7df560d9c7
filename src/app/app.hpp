// The composition root: builds every component from Config and runs until SIGTERM/SIGINT.
#pragma once
#include "app/config.hpp"

namespace bella::app {

/// Runs the service; returns the process exit code (0 after a clean drain).
int run(const Config& config);

}  // namespace bella::app
