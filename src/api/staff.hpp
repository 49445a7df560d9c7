// Staff JSON API: /appointments, /users, /availability behind X-API-Key.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "bella/booking/repository.hpp"
#include "bella/http/router.hpp"
#include "booking/service.hpp"
#include "bella/notify/message_log.hpp"

namespace bella::calendar {
class BusinessCalendar;
}

namespace bella::api {

class BrowserSessions;

/// "any common format" -> E.164, or nullopt when it is not a valid phone number
/// (understand::normalize_phone: the same rules as for a number a caller types).
using PhoneNormalizer = std::function<std::optional<std::string>(std::string_view)>;

struct StaffApiDeps {
  booking::BookingService& service;
  booking::BookingRepository& repository;
  const calendar::BusinessCalendar& calendar;
  PhoneNormalizer normalize_phone;
  std::string api_key;  // empty: every staff route answers 503
  notify::MessageLog* messages = nullptr;  // set: appointments show their texts, GET /messages lists them
  /// The staff page's cookie sessions, accepted besides X-API-Key (null: X-API-Key only).
  const BrowserSessions* browser_sessions = nullptr;
};

/// Registers every staff route (documented in docs/openapi.yaml). `deps` referents must outlive
/// the router.
void add_staff_routes(http::Router& router, const StaffApiDeps& deps);


}  // namespace bella::api
