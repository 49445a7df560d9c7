// bella: read configuration, run the service, exit with its code. Nothing else lives here.
#include <cstdio>
#include <exception>
#include <string_view>

#include "app/app.hpp"
#include "app/config.hpp"
#include "app/app.hpp"
#include "app/config.hpp"
#include "bella/core/version.hpp"

int main(int argc, char** argv) {
  // Options only answer questions about the build; configuration comes from the environment.
  if (argc > 1) {
    const std::string_view arg = argv[1];
    if (arg == "--version" || arg == "-V") {
      std::printf("bella %.*s (commit %.*s)\n", static_cast<int>(bella::version().size()), bella::version().data(),
                  static_cast<int>(bella::commit().size()), bella::commit().data());
      return 0;
    }
    if (arg == "--help" || arg == "-h") {
      std::printf("usage: bella [--version]\nConfiguration comes from the environment (see README.md).\n");
      return 0;
    }
    std::fprintf(stderr, "bella: unknown option '%s' (try --help; settings come from the environment)\n", argv[1]);
    return 2;
  }
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
