// HTTP message aliases and the problem+json (RFC 9457) / JSON response helpers.
#pragma once
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace bella::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;
using Verb = beast_http::verb;
using Field = beast_http::field;

/// A response with `body` of `content_type`, same HTTP version and keep-alive as the request.
Response make_response(const Request& req, Status status, std::string body, std::string_view content_type);

/// application/json response.
Response json_response(const Request& req, Status status, const nlohmann::json& body);

/// application/problem+json response. `extra` members are merged into the problem object
/// (e.g. "errors" on 422, "suggested_slots" on 409).
Response problem(const Request& req, Status status, std::string_view title, std::string_view detail = {},
                 const nlohmann::json& extra = nlohmann::json::object());

/// The path part of a request target (before '?').
std::string_view target_path(std::string_view target) noexcept;
/// The query part of a request target (after '?', empty if none).
std::string_view target_query(std::string_view target) noexcept;

/// Decodes application/x-www-form-urlencoded ('+' is space, %XX escapes). Repeated names are kept.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body);
/// Percent-decodes one component; '+' becomes space when `plus_is_space`.
std::string url_decode(std::string_view s, bool plus_is_space = true);
/// The first value for `name` in a decoded form, or nullptr.
const std::string* form_value(const std::vector<std::pair<std::string, std::string>>& form, std::string_view name);

}  // namespace bella::http
