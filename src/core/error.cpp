// The error category for bella::Errc.
#include "bella/core/error.hpp"

namespace bella {
namespace {
class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "bella"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::invalid_input: return "invalid input";
      case Errc::not_found: return "not found";
      case Errc::conflict: return "conflict";
      case Errc::outside_hours: return "outside business hours";
      case Errc::unavailable: return "unavailable";
      case Errc::not_allowed: return "not allowed";
    }
    return "unknown";
  }
};
}  // namespace

const std::error_category& bella_category() noexcept {
  static const Category category;
  return category;
}
}  // namespace bella
