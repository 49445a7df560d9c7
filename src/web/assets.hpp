// The staff page's static files, embedded in the binary at build time (cmake/embed_assets.cmake
// turns src/web/assets/* into a generated .cpp), so the page works with no web server and no CDN.
#pragma once
#include <span>
#include <string_view>

namespace bella::web {

struct Asset {
  std::string_view name;  // file name under src/web/assets/, e.g. "app.js"
  std::string_view body;
};

/// Every embedded file, sorted by name.
std::span<const Asset> embedded_assets();

}  // namespace bella::web
