// The API reference page (docs/api.html) embedded at build time; empty when it was not there.
#pragma once
#include <string_view>

namespace bella::api {

std::string_view api_reference_html();

}  // namespace bella::api
