// docs/api.html (the OpenAPI reference rendered by the pinned redocly, Redoc inlined) compiled
// into the binary, so GET /docs/ needs no file at run time and no CDN in the browser.
#include "api_reference.hpp"

#ifdef BELLA_API_HTML
// The assembler copies the file into .rodata; the symbols bracket it.
asm(".section .rodata\n"
    ".balign 16\n"
    ".global bella_api_html_begin\n"
    "bella_api_html_begin:\n"
    ".incbin \"" BELLA_API_HTML "\"\n"
    ".global bella_api_html_end\n"
    "bella_api_html_end:\n"
    ".byte 0\n"
    ".previous\n");
extern "C" const char bella_api_html_begin[];
extern "C" const char bella_api_html_end[];
#endif

namespace bella::api {

std::string_view api_reference_html() {
#ifdef BELLA_API_HTML
  return {bella_api_html_begin, static_cast<std::size_t>(bella_api_html_end - bella_api_html_begin)};
#else
  return {};
#endif
}

}  // namespace bella::api
