// A simulated Twilio caller (bella-call): webhook params, form encoding, signing, TwiML playback.
#include "sim/call_simulator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <istream>
#include <ostream>
#include <stdexcept>

#include "sim/twiml_reader.hpp"

namespace bella::twilio {
namespace {

std::string trim_slashes(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string{s};
}

/// "scheme://authority" of an absolute URL, or empty.
std::string_view origin(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return {};
  const auto end = url.find_first_of("/?#", sep + 3);
  return url.substr(0, end == std::string_view::npos ? url.size() : end);
}

bool has_scheme(std::string_view ref) {
  const auto colon = ref.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (char c : ref.substr(0, colon))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
      return false;
  return true;
}

}  // namespace

std::string make_sid(std::string_view prefix, std::uint64_t hi, std::uint64_t lo) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out{prefix};
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(hi >> shift) & 0x0F];
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(lo >> shift) & 0x0F];
  return out;
}

std::string resolve_url(std::string_view document_url, std::string_view ref) {
  if (ref.empty()) return std::string{document_url.substr(0, document_url.find('#'))};
  if (has_scheme(ref)) return std::string{ref};
  if (ref.substr(0, 2) == "//") {
    const auto sep = document_url.find("://");
    return std::string{document_url.substr(0, sep == std::string_view::npos ? 0 : sep + 1)} + std::string{ref};
  }
  const std::string_view base_origin = origin(document_url);
  if (ref.front() == '/') return std::string{base_origin} + std::string{ref};
  const std::string_view no_query = document_url.substr(0, document_url.find_first_of("?#"));
  if (ref.front() == '?') return std::string{no_query} + std::string{ref};
  // A relative path replaces the last segment of the document's path.
  const auto slash = no_query.rfind('/');
  if (slash == std::string_view::npos || slash < base_origin.size())
    return std::string{base_origin} + "/" + std::string{ref};
  return std::string{no_query.substr(0, slash + 1)} + std::string{ref};
}

CallSimulator::CallSimulator(CallerOptions options, Transport transport)
    : options_(std::move(options)), transport_(std::move(transport)) {
  options_.url = trim_slashes(options_.url);
  options_.public_base_url = trim_slashes(options_.public_base_url.empty() ? options_.url : options_.public_base_url);
}

Params CallSimulator::base_params(std::string_view call_status) const {
  return {
      {"AccountSid", options_.account_sid}, {"ApiVersion", "2010-04-01"},  {"CallSid", options_.call_sid},
      {"CallStatus", std::string{call_status}}, {"Called", options_.to},   {"Caller", options_.from},
      {"Direction", "inbound"},              {"From", options_.from},      {"To", options_.to},
  };
}

std::string CallSimulator::to_server_url(const std::string& public_target) const {
  // The server is reached at --url while Twilio would use the public base URL: map one onto the other.
  if (public_target.rfind(options_.public_base_url, 0) == 0)
    return options_.url + public_target.substr(options_.public_base_url.size());
  return public_target;
}

Result<std::string> CallSimulator::post(const std::string& public_target, const Params& params, std::ostream& out) {
  HttpPost req;
  req.url = to_server_url(public_target.substr(0, public_target.find('#')));
  req.body = form_encode(params);
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.headers.emplace_back("User-Agent", "TwilioProxy/1.1 (bella-call)");
  if (!options_.auth_token.empty())
    // Twilio signs the URL it requested, fragment excluded (fragments never reach the server).
    req.headers.emplace_back("X-Twilio-Signature",
                             sign(options_.auth_token, public_target.substr(0, public_target.find('#')), params));
  HttpReply reply;
  try {
    reply = transport_(req);
  } catch (const std::exception& e) {
    return Error{Errc::unavailable, std::string{"[cannot reach "} + req.url + ": " + e.what() + "; Twilio error 11205]"};
  }
  if (reply.status != 200) {
    // Show the start of the body: a problem+json detail says why (e.g. a bad signature).
    std::string detail = reply.body.substr(0, 300);
    std::replace(detail.begin(), detail.end(), '\n', ' ');
    return Error{Errc::invalid_input, "[HTTP " + std::to_string(reply.status) + " from " + req.url +
                                          ": the caller hears \"an application error has occurred\" (11200)]" +
                                          (detail.empty() ? "" : "\n[body: " + detail + "]")};
  }
  const std::string_view type = std::string_view{reply.content_type}.substr(0, reply.content_type.find(';'));
  if (type != "text/xml" && type != "application/xml")
    out << "[warning: Content-Type is '" << reply.content_type << "', Twilio wants text/xml (12300)]\n";
  return reply.body;
}

int CallSimulator::run(std::istream& in, std::ostream& out) {
  out << "[calling " << options_.public_base_url << options_.voice_path << " from " << options_.from
      << ", CallSid " << options_.call_sid << (options_.auth_token.empty() ? ", unsigned" : ", signed") << "]\n";
  std::string document_url = options_.public_base_url + options_.voice_path;
  auto body = post(document_url, base_params("ringing"), out);
  int requests_without_input = 1;
  while (true) {
    if (!body) {
      out << body.error().message << "\n";
      return 1;
    }
    auto verbs = parse_twiml(*body);
    if (!verbs) {
      out << "[TwiML rejected (Twilio error 12100): " << verbs.error().message << "]\n";
      return 1;
    }
    std::optional<std::pair<std::string, Params>> next;  // (public URL, params) of the next request
    bool user_spoke = false;
    for (const TwimlVerb& verb : *verbs) {
      for (const auto& line : describe(verb)) out << line << "\n";
      if (verb.kind == TwimlVerb::Kind::hangup) return 0;
      if (verb.kind == TwimlVerb::Kind::dial) {
        out << "[the call continues with a person; bella-call stops here]\n";
        return 0;
      }
      if (verb.kind == TwimlVerb::Kind::redirect) {
        next.emplace(resolve_url(document_url, verb.text), base_params("in-progress"));
        break;
      }
      if (verb.kind != TwimlVerb::Kind::gather) continue;
      out << "you> " << std::flush;
      std::string line;
      if (!std::getline(in, line)) {
        out << "\n[end of input: caller hangs up]\n";
        return 0;
      }
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (options_.echo_input) out << (line.empty() ? "(silence)" : line) << "\n";
      Params params = base_params("in-progress");
      const bool empty_result = line.empty() || line == "#";
      if (empty_result && verb.attr("actionOnEmptyResult") != "true") {
        out << "[silence: Twilio continues after the <Gather>]\n";
        continue;
      }
      const std::string input = verb.attr("input", "dtmf");
      if (!line.empty() && line.front() == '#') {
        params.emplace_back("Digits", line.substr(1));
      } else if (line.empty()) {
        params.emplace_back(input.find("speech") != std::string::npos ? "SpeechResult" : "Digits", "");
      } else {
        params.emplace_back("SpeechResult", line);
        params.emplace_back("Confidence", fmt::format("{:g}", options_.confidence));
      }
      user_spoke = true;
      next.emplace(resolve_url(document_url, verb.attr("action")), std::move(params));
      break;
    }
    if (!next) {
      out << "[end of TwiML: Twilio hangs up]\n";
      return 0;
    }
    requests_without_input = user_spoke ? 1 : requests_without_input + 1;
    if (requests_without_input > options_.max_requests_without_input) {
      out << "[" << options_.max_requests_without_input << " requests without caller input: stopping a redirect loop]\n";
      return 1;
    }
    document_url = next->first;
    body = post(document_url, next->second, out);
  }
}

}  // namespace bella::twilio
