// Staff route GET /messages: texts by status (e.g. ?status=failed), newest first, cursor-paginated.
#include "staff_common.hpp"

namespace bella::api::staff {
namespace {

constexpr std::string_view kStatuses[] = {"pending", "sending", "sent", "delivered", "failed", "dropped"};

Task<Response> handle_list_messages(const Request& req, RequestContext&, const Context& ctx) {
  if (!ctx.messages) co_return http::problem(req, Status::service_unavailable, "Unavailable", "Texts are not recorded here.");
  const auto q = query_of(req);
  FieldErrors errors;
  std::size_t limit = kDefaultLimit;
  read_limit(q, limit, errors);
  std::string status = "failed";
  if (const auto* s = q.get("status")) {
    bool known = false;
    for (auto k : kStatuses) known = known || *s == k;
    if (known) status = *s;
    else errors.add("status", "must be one of pending, sending, sent, delivered, failed, dropped");
  }
  std::optional<std::int64_t> before;
  if (const auto* c = q.get("cursor")) {
    if (auto d = decode_cursor("m", *c)) before = d->first;
    else errors.add("cursor", "is not a cursor returned by this API");
  }
  if (!errors.empty()) co_return errors.response(req);
  const std::size_t ask = limit + 1;
  const auto rows = co_await ctx.messages->with_status(status, ask, before);
  const auto* zone = ctx.zone();
  auto body = page_json(
      rows, limit, [zone](const notify::MessageRecord& m) { return message_json(m, zone); },
      [](const notify::MessageRecord& m) { return encode_cursor("m", m.id, 0); });
  co_return http::json_response(req, Status::ok, body);
}

}  // namespace

void add_message_routes(http::Router& router, const std::shared_ptr<Context>& ctx, const std::string& api_key) {
  router.add(http::Verb::get, "/messages", guarded(api_key, ctx, handle_list_messages));
}

}  // namespace bella::api::staff
