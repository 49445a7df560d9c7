// The staff page's routes: /staff/ and its files, and sign-in / sign-out (/staff/session).
#pragma once
#include <chrono>

#include "bella/http/router.hpp"
#include "web/session.hpp"

namespace bella::web {

struct WebSettings {
  /// How long a wrong key waits before its answer: a brake on guessing the key from a browser.
  std::chrono::milliseconds wrong_key_delay{1000};
};

/// `sessions` must outlive the router.
void add_web_routes(http::Router& router, const StaffSessions& sessions, WebSettings settings);

}  // namespace bella::web
