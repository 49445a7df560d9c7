// TwiML reader: strict XML parsing and the verbs a simulated caller acts on (bella-call, tests).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bella/core/error.hpp"

namespace bella::twilio {

/// An element (name set) or a text node (name empty, text set).
struct XmlNode {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<XmlNode> children;
  std::string text;

  [[nodiscard]] const std::string* attribute(std::string_view attr_name) const;
  /// Text of this node and all its descendants, in document order.
  [[nodiscard]] std::string inner_text() const;
  /// Child elements (text nodes skipped).
  [[nodiscard]] std::vector<const XmlNode*> elements() const;
};

/// Parses a whole document with libxml2, refusing what Twilio's parser refuses (12100): anything
/// not well-formed XML 1.0 (one root, matching tags, quoted and unique attributes, only defined
/// entities, no raw '<' or '&', no forbidden characters), and any byte before the `<?xml ...?>`
/// declaration. Comments are allowed and skipped. No network access (no external entities).
Result<XmlNode> parse_xml(std::string_view doc);

/// One TwiML verb, as a simulated caller needs it.
struct TwimlVerb {
  enum class Kind { say, pause, gather, redirect, dial, hangup, other };
  Kind kind = Kind::other;
  std::string name;                   // element name, for `other`
  std::string text;                   // Say text, Redirect/Dial target
  std::vector<std::string> prompts;   // Gather: nested Say texts
  std::vector<std::pair<std::string, std::string>> attributes;

  [[nodiscard]] std::string attr(std::string_view attr_name, std::string_view fallback = {}) const;
};

/// The verbs under <Response>, or invalid_input when the document is not well-formed TwiML.
Result<std::vector<TwimlVerb>> parse_twiml(std::string_view doc);

/// What the caller notices of one verb, as terminal lines: `Bella: <text>` for speech, and
/// bracketed notes such as "[listening: speech, hints Monday,Tuesday]", "[pause 1 s]",
/// "[transfer to +14035550100]", "[hangs up]". A Gather yields its prompts then the note.
std::vector<std::string> describe(const TwimlVerb& verb);

}  // namespace bella::twilio
