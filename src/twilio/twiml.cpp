// TwiML writer: escaping, XML 1.0 character filtering, and the verbs Bella uses.
#include "twilio/twiml.hpp"

#include <charconv>

namespace bella::twilio {
namespace {

bool is_integer_seconds(std::string_view s) {
  int v = 0;
  const auto* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  return !s.empty() && ec == std::errc{} && ptr == end && v >= 1 && v <= 60;
}

bool allowed_code_point(char32_t cp) {
  if (cp == 0x09 || cp == 0x0A || cp == 0x0D) return true;
  if (cp < 0x20) return false;
  if (cp >= 0x7F && cp <= 0x9F) return false;  // DEL and C1 controls: legal but never speech
  if (cp >= 0xD800 && cp <= 0xDFFF) return false;
  if (cp == 0xFFFE || cp == 0xFFFF) return false;
  return cp <= 0x10FFFF;
}

void attr(std::string& out, std::string_view name, std::string_view value) {
  out.append(" ").append(name).append("=\"").append(xml_escape(value)).append("\"");
}

const char* boolean(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string say_language_for(std::string_view voice, std::string_view listening) {
  if (voice.rfind("Google.", 0) == 0) {
    const auto locale = voice.substr(7, 5);  // Google.fr-CA-Neural2-A -> fr-CA
    if (locale.size() == 5 && locale[2] == '-') return std::string{locale};
  }
  if (voice.rfind("Polly.", 0) == 0) {
    for (std::string_view fr : {"Polly.Chantal", "Polly.Gabrielle", "Polly.Liam"})
      if (voice.rfind(fr, 0) == 0) return "fr-CA";
    return "en-US";  // Joanna, Matthew, ... (an en-GB/en-AU voice needs an explicit setting)
  }
  return std::string{listening};  // man/woman/alice take the listening language
}

std::string xml_clean(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
      len = 1;
      cp = b0;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      cp = b0 & 0x07;
    } else {
      ++i;  // stray continuation byte or invalid lead byte: drop it
      continue;
    }
    bool valid = i + len <= s.size();
    for (std::size_t k = 1; valid && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) valid = false;
      cp = (cp << 6) | (b & 0x3F);
    }
    // Overlong 3- and 4-byte forms are invalid UTF-8 too.
    if (valid && ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))) valid = false;
    if (!valid) {
      ++i;
      continue;
    }
    if (allowed_code_point(cp)) out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string xml_escape(std::string_view s) {
  const std::string clean = xml_clean(s);
  std::string out;
  out.reserve(clean.size() + 16);
  for (char c : clean) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

Twiml::Twiml(VoiceSettings settings) : settings_(std::move(settings)) {}

void Twiml::write_say(std::string_view text) {
  body_ += "<Say";
  attr(body_, "voice", settings_.voice);
  if (!settings_.say_language.empty()) attr(body_, "language", settings_.say_language);
  body_ += ">";
  body_ += xml_escape(text);
  body_ += "</Say>";
}

Twiml& Twiml::say(std::string_view text) {
  write_say(text);
  return *this;
}

Twiml& Twiml::gather(const Gather& g) {
  const bool speech = g.input.find("speech") != std::string::npos;
  const bool dtmf = g.input.find("dtmf") != std::string::npos;
  const std::string& model = g.speech_model ? *g.speech_model : settings_.speech_model;
  body_ += "<Gather";
  attr(body_, "input", g.input);
  if (!g.action.empty()) attr(body_, "action", g.action);
  attr(body_, "method", "POST");
  attr(body_, "timeout", std::to_string(g.timeout.value_or(settings_.timeout)));
  if (speech) {
    // "auto" with a model fails the call (13335): fall back to a fixed 2 s end-of-speech pause.
    const bool auto_ok = settings_.speech_timeout == "auto" && model.empty();
    const bool int_ok = is_integer_seconds(settings_.speech_timeout);
    attr(body_, "speechTimeout", auto_ok || int_ok ? settings_.speech_timeout : std::string{"2"});
    attr(body_, "language", settings_.language);
    if (!model.empty()) attr(body_, "speechModel", model);
    if (model == "phone_call") attr(body_, "enhanced", boolean(settings_.enhanced));
    attr(body_, "profanityFilter", boolean(settings_.profanity_filter));
    if (!g.hints.empty()) {
      std::string joined;
      for (const auto& h : g.hints) {
        if (h.empty()) continue;
        if (!joined.empty()) joined += ',';
        joined += h;
      }
      if (!joined.empty()) attr(body_, "hints", joined);
    }
  }
  attr(body_, "actionOnEmptyResult", boolean(g.action_on_empty_result));
  if (dtmf) {
    if (g.num_digits) attr(body_, "numDigits", std::to_string(*g.num_digits));
    if (!g.finish_on_key.empty()) attr(body_, "finishOnKey", g.finish_on_key);
  }
  if (g.prompts.empty()) {
    body_ += "/>";
  } else {
    body_ += ">";
    for (const auto& p : g.prompts) write_say(p);
    body_ += "</Gather>";
  }
  return *this;
}

Twiml& Twiml::pause(int seconds) {
  body_ += "<Pause";
  attr(body_, "length", std::to_string(seconds < 1 ? 1 : seconds));
  body_ += "/>";
  return *this;
}

Twiml& Twiml::redirect(std::string_view url) {
  body_ += "<Redirect method=\"POST\">";
  body_ += xml_escape(url);
  body_ += "</Redirect>";
  return *this;
}

Twiml& Twiml::dial(std::string_view number, int timeout_seconds, std::string_view caller_id) {
  body_ += "<Dial";
  attr(body_, "timeout", std::to_string(timeout_seconds));
  if (!caller_id.empty()) attr(body_, "callerId", caller_id);
  body_ += ">";
  body_ += xml_escape(number);
  body_ += "</Dial>";
  return *this;
}

Twiml& Twiml::hangup() {
  body_ += "<Hangup/>";
  return *this;
}

std::string Twiml::str() const {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out += "\n<Response>";
  out += body_;
  out += "</Response>\n";
  return out;
}

}  // namespace bella::twilio
