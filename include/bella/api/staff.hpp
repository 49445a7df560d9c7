// Staff JSON API: /appointments, /users, /availability behind X-API-Key.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "bella/booking/repository.hpp"
#include "bella/booking/service.hpp"
#include "bella/http/router.hpp"

namespace bella::calendar {
class BusinessCalendar;
}

namespace bella::api {

class BrowserSessions;

/// "any common format" -> E.164, or nullopt when it is not a valid phone number.
using PhoneNormalizer = std::function<std::optional<std::string>(std::string_view)>;

struct StaffApiDeps {
  booking::BookingService& service;
  booking::BookingRepository& repository;
  const calendar::BusinessCalendar& calendar;
  PhoneNormalizer normalize_phone;
  std::string api_key;  // empty: every staff route answers 503
  /// The staff page's cookie sessions, accepted besides X-API-Key (null: X-API-Key only).
  const BrowserSessions* browser_sessions = nullptr;
};

/// Registers every staff route (documented in docs/openapi.yaml). `deps` referents must outlive
/// the router.
void add_staff_routes(http::Router& router, const StaffApiDeps& deps);

/// A libphonenumber-based normaliser (default region CA) for the API until the understand room's
/// normalize_phone is wired in.
std::optional<std::string> normalize_phone_ca(std::string_view text);

/// ISO 8601 date-time with a required offset ("2026-12-01T09:30:00-07:00", "...Z"), as the API reads it.
std::optional<TimePoint> parse_iso8601(std::string_view text);

}  // namespace bella::api
