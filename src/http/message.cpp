// Response builders and form/query decoding shared by every handler.
#include "bella/http/message.hpp"

namespace bella::http {

Response make_response(const Request& req, Status status, std::string body, std::string_view content_type) {
  Response res{status, req.version()};
  res.set(Field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(const Request& req, Status status, const nlohmann::json& body) {
  return make_response(req, status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
}

Response problem(const Request& req, Status status, std::string_view title, std::string_view detail,
                 const nlohmann::json& extra) {
  nlohmann::json body = {{"type", "about:blank"},
                         {"title", std::string(title)},
                         {"status", static_cast<unsigned>(status)}};
  if (!detail.empty()) body["detail"] = std::string(detail);
  if (extra.is_object()) {
    for (const auto& [k, v] : extra.items()) body[k] = v;
  }
  return make_response(req, status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/problem+json");
}

std::string_view target_path(std::string_view target) noexcept {
  return target.substr(0, target.find('?'));
}

std::string_view target_query(std::string_view target) noexcept {
  auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
}

namespace {
int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);  // a stray '%' is kept literally, as browsers and Twilio's libraries do
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!body.empty()) {
    auto amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(url_decode(pair), std::string{});
    } else {
      out.emplace_back(url_decode(pair.substr(0, eq)), url_decode(pair.substr(eq + 1)));
    }
  }
  return out;
}

const std::string* form_value(const std::vector<std::pair<std::string, std::string>>& form, std::string_view name) {
  for (const auto& [k, v] : form)
    if (k == name) return &v;
  return nullptr;
}

}  // namespace bella::http
