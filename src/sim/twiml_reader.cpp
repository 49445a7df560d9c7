// TwiML reader: strict XML parsing through libxml2 (refuses what Twilio's parser refuses) and verb descriptions.
#include "sim/twiml_reader.hpp"

#include <charconv>
#include <limits>
#include <memory>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "twilio/twiml.hpp"

namespace bella::twilio {
namespace {

// libxml2 is the well-formedness oracle: it refuses everything XML 1.0 forbids (raw '&' and '<',
// undefined entities, forbidden characters and character references, duplicate or unquoted
// attributes, mismatched tags, several roots). What XML allows but Twilio does not (12100) is
// checked before it: the declaration must be the very first bytes (no BOM, no white space).
constexpr std::string_view kDeclaration = "<?xml";

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

XmlNode convert(const xmlNode* element) {
  XmlNode out;
  out.name = reinterpret_cast<const char*>(element->name);
  for (const xmlAttr* a = element->properties; a; a = a->next) {
    xmlChar* value = xmlNodeListGetString(element->doc, a->children, 1);
    out.attributes.emplace_back(reinterpret_cast<const char*>(a->name), value ? reinterpret_cast<const char*>(value) : "");
    xmlFree(value);
  }
  for (const xmlNode* c = element->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      out.children.push_back(convert(c));
    } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      XmlNode text;
      text.text = reinterpret_cast<const char*>(c->content);
      out.children.push_back(std::move(text));
    }
  }
  return out;
}

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

Result<XmlNode> parse_xml(std::string_view doc) {
  if (doc.substr(0, kDeclaration.size()) != kDeclaration)
    return Error{Errc::invalid_input, "the document must start with <?xml (Twilio 12100)"};
  if (doc.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return Error{Errc::invalid_input, "document too large"};
  const std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> parsed(
      xmlReadMemory(doc.data(), static_cast<int>(doc.size()), "twiml.xml", "UTF-8",
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      &xmlFreeDoc);
  if (!parsed) {
    const xmlError* e = xmlGetLastError();
    std::string why = e && e->message ? e->message : "not well-formed";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Error{Errc::invalid_input, "not well-formed XML: " + why};
  }
  const xmlNode* root = xmlDocGetRootElement(parsed.get());
  if (!root) return Error{Errc::invalid_input, "no root element"};
  return convert(root);
}

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
