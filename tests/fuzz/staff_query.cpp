// The staff API's request parsing: the JSON body check, query strings, cursors, limits, ids and
// ISO 8601 values. Oracle: no crash and no exception (each is answered 4xx by the routes).
#include "fuzz_util.hpp"

#include "api/staff_common.hpp"

// staff_common.cpp's add_staff_routes() names every staff route file; the fuzz build compiles only
// the parsing it tests, so the route registrations (never called here) are empty.
namespace bella::api::staff {
void add_appointment_routes(http::Router&, const std::shared_ptr<Context>&, const std::string&) {}
void add_user_routes(http::Router&, const std::shared_ptr<Context>&, const std::string&) {}
void add_message_routes(http::Router&, const std::shared_ptr<Context>&, const std::string&) {}
void add_availability_routes(http::Router&, const std::shared_ptr<Context>&, const std::string&) {}
void add_schedule_routes(http::Router&, const std::shared_ptr<Context>&, const std::string&) {}
}  // namespace bella::api::staff

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto p = bella::fuzz::parts(data, size, 4);  // target, body, content type, cursor
  namespace s = bella::api::staff;
  bella::http::Request req;
  try {
    req.method(bella::http::Verb::post);
    req.target("/appointments?" + p[0]);
    req.set(bella::http::Field::content_type, p[2].empty() ? std::string("application/json") : p[2]);
  } catch (const std::exception&) {
    return 0;  // bytes Beast refuses in a field: no server receives them
  }
  req.body() = p[1];
  try {
    (void)s::json_body(req);
    const auto q = s::query_of(req);
    std::size_t limit = 0;
    bella::api::staff::FieldErrors errors;
    s::read_limit(q, limit, errors);
    for (const char* kind : {"a", "u", "m"}) (void)s::decode_cursor(kind, p[3]);
    (void)s::parse_id(p[3]);
    (void)s::parse_iso_datetime(p[3]);
    (void)s::parse_date(p[3]);
    if (const auto* c = q.get("cursor")) (void)s::decode_cursor("a", *c);
    const auto round = s::decode_cursor("a", s::encode_cursor("a", static_cast<long long>(size), -7));
    if (!round || round->first != static_cast<long long>(size) || round->second != -7)
      bella::fuzz::fail("encode_cursor/decode_cursor round trip");
  } catch (const std::exception& e) {
    bella::fuzz::fail("staff request parsing threw", e.what());
  }
  return 0;
}
