// TwiML reader: strict XML parsing (refuses what Twilio's parser refuses) and verb descriptions.
#include "bella/twilio/twiml_reader.hpp"

#include <charconv>

#include "bella/twilio/twiml.hpp"

namespace bella::twilio {
namespace {

bool name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view doc) : s_(doc) {}

  Result<XmlNode> document() {
    if (xml_clean(s_) != s_) return fail("characters XML 1.0 forbids, or invalid UTF-8");
    if (s_.substr(0, 5) != "<?xml") return fail("the document must start with <?xml");
    const auto end = s_.find("?>");
    if (end == std::string_view::npos) return fail("unterminated XML declaration");
    pos_ = end + 2;
    misc();
    if (!error_.empty()) return fail(error_);
    if (!at("<")) return fail("no root element");
    XmlNode root;
    if (!element(root, 0)) return fail(error_);
    misc();
    if (!error_.empty()) return fail(error_);
    if (pos_ != s_.size()) return fail("content after the root element");
    return root;
  }

 private:
  Error fail(const std::string& what) const {
    return Error{Errc::invalid_input, what + " (at byte " + std::to_string(pos_) + ")"};
  }
  bool at(std::string_view t) const { return s_.substr(pos_, t.size()) == t; }
  void skip_space() {
    while (pos_ < s_.size() && space(s_[pos_])) ++pos_;
  }
  bool set_error(std::string e) {
    if (error_.empty()) error_ = std::move(e);
    return false;
  }
  // Whitespace and comments between top-level constructs.
  void misc() {
    for (;;) {
      skip_space();
      if (at("<!--")) {
        if (!comment()) return;
      } else {
        return;
      }
    }
  }
  bool comment() {
    const auto end = s_.find("-->", pos_ + 4);
    if (end == std::string_view::npos) return set_error("unterminated comment");
    pos_ = end + 3;
    return true;
  }
  bool name(std::string& out) {
    if (pos_ >= s_.size() || !name_start(s_[pos_])) return set_error("expected a name");
    const auto start = pos_;
    while (pos_ < s_.size() && name_char(s_[pos_])) ++pos_;
    out.assign(s_.substr(start, pos_ - start));
    return true;
  }
  // Character data up to `stop`, with references resolved; a raw '<' or '&' is an error.
  bool chars(std::string& out, char stop) {
    while (pos_ < s_.size() && s_[pos_] != stop) {
      const char c = s_[pos_];
      if (c == '<') return set_error("raw '<' in a value");
      if (c == '&') {
        if (!reference(out)) return false;
        continue;
      }
      if (stop == '<' && at("]]>")) return set_error("']]>' in text");
      out += c;
      ++pos_;
    }
    return true;
  }
  bool reference(std::string& out) {
    const auto semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) return set_error("raw '&' (unescaped)");
    const std::string_view ref = s_.substr(pos_ + 1, semi - pos_ - 1);
    if (ref == "amp") out += '&';
    else if (ref == "lt") out += '<';
    else if (ref == "gt") out += '>';
    else if (ref == "quot") out += '"';
    else if (ref == "apos") out += '\'';
    else if (ref.size() > 1 && ref[0] == '#') {
      const bool hex = ref[1] == 'x';
      const std::string_view digits = ref.substr(hex ? 2 : 1);
      unsigned long cp = 0;
      const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (digits.empty() || ec != std::errc{} || p != digits.data() + digits.size() || cp > 0x10FFFF)
        return set_error("bad character reference");
      std::string one;
      append_utf8(one, static_cast<char32_t>(cp));
      if (xml_clean(one) != one) return set_error("character reference to a forbidden character");
      out += one;
    } else {
      return set_error("unknown entity '&" + std::string{ref} + ";'");
    }
    pos_ = semi + 1;
    return true;
  }
  bool element(XmlNode& node, int depth) {
    if (depth > 64) return set_error("nesting too deep");
    ++pos_;  // '<'
    if (!name(node.name)) return false;
    for (;;) {
      const auto before = pos_;
      skip_space();
      if (at("/>")) {
        pos_ += 2;
        return true;
      }
      if (at(">")) {
        ++pos_;
        break;
      }
      if (pos_ == before) return set_error("expected whitespace before an attribute");
      std::string attr_name;
      if (!name(attr_name)) return false;
      if (node.attribute(attr_name) != nullptr) return set_error("duplicate attribute " + attr_name);
      skip_space();
      if (!at("=")) return set_error("expected '=' after " + attr_name);
      ++pos_;
      skip_space();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) return set_error("unquoted attribute value");
      const char quote = s_[pos_++];
      std::string value;
      if (!chars(value, quote)) return false;
      if (pos_ >= s_.size()) return set_error("unterminated attribute value");
      ++pos_;
      node.attributes.emplace_back(std::move(attr_name), std::move(value));
    }
    for (;;) {
      if (pos_ >= s_.size()) return set_error("unclosed <" + node.name + ">");
      if (at("</")) {
        pos_ += 2;
        std::string closing;
        if (!name(closing)) return false;
        if (closing != node.name) return set_error("</" + closing + "> closes <" + node.name + ">");
        skip_space();
        if (!at(">")) return set_error("expected '>'");
        ++pos_;
        return true;
      }
      if (at("<!--")) {
        if (!comment()) return false;
        continue;
      }
      if (at("<![CDATA[") || at("<!") || at("<?")) return set_error("unsupported markup");
      if (at("<")) {
        XmlNode child;
        if (!element(child, depth + 1)) return false;
        node.children.push_back(std::move(child));
        continue;
      }
      XmlNode text;
      if (!chars(text.text, '<')) return false;
      node.children.push_back(std::move(text));
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string error_;
};

std::string collapse_space(std::string_view s) {
  std::string out;
  bool pending = false;
  for (char c : s) {
    if (space(c)) {
      pending = !out.empty();
    } else {
      if (pending) out += ' ';
      pending = false;
      out += c;
    }
  }
  return out;
}

TwimlVerb to_verb(const XmlNode& e) {
  TwimlVerb v;
  v.name = e.name;
  v.attributes = e.attributes;
  if (e.name == "Say") v.kind = TwimlVerb::Kind::say;
  else if (e.name == "Pause") v.kind = TwimlVerb::Kind::pause;
  else if (e.name == "Gather") v.kind = TwimlVerb::Kind::gather;
  else if (e.name == "Redirect") v.kind = TwimlVerb::Kind::redirect;
  else if (e.name == "Dial") v.kind = TwimlVerb::Kind::dial;
  else if (e.name == "Hangup") v.kind = TwimlVerb::Kind::hangup;
  v.text = collapse_space(e.inner_text());
  if (v.kind == TwimlVerb::Kind::gather) {
    v.text.clear();
    for (const XmlNode* child : e.elements())
      if (child->name == "Say" || child->name == "Play") v.prompts.push_back(collapse_space(child->inner_text()));
  }
  return v;
}

}  // namespace

const std::string* XmlNode::attribute(std::string_view attr_name) const {
  for (const auto& [k, v] : attributes)
    if (k == attr_name) return &v;
  return nullptr;
}

std::string XmlNode::inner_text() const {
  std::string out = text;
  for (const auto& c : children) out += c.inner_text();
  return out;
}

std::vector<const XmlNode*> XmlNode::elements() const {
  std::vector<const XmlNode*> out;
  for (const auto& c : children)
    if (!c.name.empty()) out.push_back(&c);
  return out;
}

Result<XmlNode> parse_xml(std::string_view doc) { return Parser{doc}.document(); }

std::string TwimlVerb::attr(std::string_view attr_name, std::string_view fallback) const {
  for (const auto& [k, v] : attributes)
    if (k == attr_name) return v;
  return std::string{fallback};
}

Result<std::vector<TwimlVerb>> parse_twiml(std::string_view doc) {
  auto root = parse_xml(doc);
  if (!root) return root.error();
  if (root->name != "Response") return Error{Errc::invalid_input, "root element is <" + root->name + ">, not <Response>"};
  std::vector<TwimlVerb> verbs;
  for (const XmlNode* e : root->elements()) verbs.push_back(to_verb(*e));
  return verbs;
}

std::vector<std::string> describe(const TwimlVerb& v) {
  using K = TwimlVerb::Kind;
  switch (v.kind) {
    case K::say:
      return {"Bella: " + v.text};
    case K::pause:
      return {"[pause " + v.attr("length", "1") + " s]"};
    case K::redirect:
      return {"[redirect to " + v.text + "]"};
    case K::dial:
      return {"[transfer to " + v.text + "]"};
    case K::hangup:
      return {"[hangs up]"};
    case K::gather: {
      std::vector<std::string> lines;
      for (const auto& p : v.prompts) lines.push_back("Bella: " + p);
      std::string note = "[listening: " + v.attr("input", "dtmf");
      if (const auto digits = v.attr("numDigits"); !digits.empty()) note += ", " + digits + " digit(s)";
      if (const auto hints = v.attr("hints"); !hints.empty()) note += ", hints " + hints;
      note += "]";
      lines.push_back(std::move(note));
      return lines;
    }
    case K::other:
      break;
  }
  return {"[unsupported verb <" + v.name + ">]"};
}

}  // namespace bella::twilio
