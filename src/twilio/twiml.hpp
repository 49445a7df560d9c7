// TwiML writer: the <Response> documents Bella answers Twilio with, every value XML-escaped.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bella/core/error.hpp"

namespace bella::twilio {

/// How Bella speaks and listens. Defaults follow TWILIO.md: no Polly/Google voice speaks en-CA, so
/// an en-US neural voice speaks while <Gather> listens in en-CA.
struct VoiceSettings {
  std::string voice = "Polly.Joanna-Neural";
  std::string say_language = "en-US";   // <Say language>; must be one the voice speaks
  std::string language = "en-CA";       // <Gather language>: what the recogniser listens for
  std::string speech_model = "phone_call";
  std::string speech_timeout = "2";     // seconds; "auto" only without a speech model (13335;
                                        // TWILIO_SPEECH_TIMEOUT is checked in app/config.cpp)
  int timeout = 5;                      // seconds of silence before the Gather gives up
  bool profanity_filter = false;        // explicit: Twilio's default stars out some surnames
  bool enhanced = true;                 // premium model; only meaningful with phone_call
};

/// The locale `voice` speaks for <Say language>: an invalid voice/language pair fails the verb, and
/// no Polly or Google voice speaks en-CA, so the listening language cannot simply be reused.
std::string say_language_for(std::string_view voice, std::string_view listening);

/// One <Gather>. Speech attributes are written only when `input` includes speech, keypad ones
/// only when it includes dtmf.
struct Gather {
  std::string input = "speech";            // "speech", "dtmf" or "dtmf speech"
  std::string action;                      // URL the result is POSTed to
  std::vector<std::string> prompts;        // each a nested <Say>, played while listening
  std::vector<std::string> hints;          // joined with ','; words and phrases to bias recognition
  bool action_on_empty_result = true;      // silence comes back to us instead of falling through
  std::optional<int> num_digits;           // keypad: stop after this many keys
  std::string finish_on_key;               // keypad: empty = Twilio's default '#'
  std::optional<int> timeout;              // overrides VoiceSettings::timeout
  std::optional<std::string> speech_model; // overrides VoiceSettings::speech_model
};

/// Builds one TwiML document. Text and attribute values are escaped (& < > " ') and stripped of
/// characters XML 1.0 forbids (control characters, invalid UTF-8), since speech is caller-controlled.
class Twiml {
 public:
  explicit Twiml(VoiceSettings settings = {});

  Twiml& say(std::string_view text);
  Twiml& gather(const Gather& g);
  Twiml& pause(int seconds = 1);
  Twiml& redirect(std::string_view url);  // method="POST"
  Twiml& dial(std::string_view number, int timeout_seconds = 20, std::string_view caller_id = {});
  Twiml& hangup();

  /// The whole document: `<?xml version="1.0" encoding="UTF-8"?>` first, nothing before it.
  [[nodiscard]] std::string str() const;

 private:
  void write_say(std::string_view text);
  VoiceSettings settings_;
  std::string body_;
};

/// Content-Type for TwiML answers.
inline constexpr std::string_view kTwimlContentType = "text/xml";  // encoding is in the prolog

/// `s` with characters XML 1.0 does not allow removed (C0 controls but tab/LF/CR, DEL, C1
/// controls, U+FFFE/U+FFFF, surrogates, invalid UTF-8 bytes).
std::string xml_clean(std::string_view s);
/// xml_clean(s) with & < > " ' escaped; safe in text and in either kind of quoted attribute.
std::string xml_escape(std::string_view s);

}  // namespace bella::twilio
