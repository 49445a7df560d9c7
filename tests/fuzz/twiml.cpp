// TwiML writer with caller-controlled text everywhere. Oracle: the document is well-formed XML
// (libxml2, as src/sim reads it), starts with the XML declaration, and its root is <Response>.
#include "fuzz_util.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "twilio/twiml.hpp"

namespace {
void silent(void*, const char*, ...) {}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool init = [] {
    xmlSetGenericErrorFunc(nullptr, silent);
    return true;
  }();
  (void)init;
  auto p = bella::fuzz::parts(data, size, 6);  // say, prompt, hint, action, number, voice
  bella::twilio::VoiceSettings v;
  if (!p[5].empty()) v.voice = p[5];
  bella::twilio::Twiml doc(v);
  doc.say(p[0]);
  bella::twilio::Gather g;
  g.action = p[3];
  g.prompts = {p[1], p[0]};
  g.hints = {p[2], p[1]};
  g.input = size % 3 == 0 ? "dtmf speech" : "speech";
  g.finish_on_key = p[2].substr(0, 1);
  doc.gather(g);
  doc.redirect(p[3]);
  doc.pause(static_cast<int>(size % 5));
  doc.dial(p[4], 20, p[4]);
  doc.hangup();
  const std::string xml = doc.str();
  if (xml.rfind("<?xml", 0) != 0) bella::fuzz::fail("something before <?xml", xml);
  xmlDocPtr parsed = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "twiml.xml", "UTF-8", XML_PARSE_NONET);
  if (!parsed) bella::fuzz::fail("TwiML is not well-formed XML", xml);
  const xmlNode* root = xmlDocGetRootElement(parsed);
  const bool ok = root && std::string_view(reinterpret_cast<const char*>(root->name)) == "Response";
  xmlFreeDoc(parsed);
  if (!ok) bella::fuzz::fail("the root is not <Response>", xml);
  return 0;
}
