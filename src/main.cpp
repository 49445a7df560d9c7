// bella: read configuration, run the service, exit with its code. Nothing else lives here.
#include <cstdio>
#include <exception>

#include "app/app.hpp"
#include "app/config.hpp"

int main() {
  bella::app::Config config;
  try {
    config = bella::app::Config::from_env();
  } catch (const bella::app::ConfigError& e) {
    std::fprintf(stderr, "bella: configuration error: %s\n", e.what());
    return 2;
  }
  try {
    return bella::app::run(config);
  } catch (const bella::app::ConfigError& e) {
    std::fprintf(stderr, "bella: configuration error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bella: fatal: %s\n", e.what());
    return 1;
  }
}
