#include "call/claim.hpp"

#include <random>

#include <fmt/format.h>

namespace bella::call {
namespace {

constexpr std::string_view kPending = "pending:";

std::string turn_key(const std::string& sid, int turn) { return "bella:turn:" + sid + ":" + std::to_string(turn); }

std::string new_token() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{}{:016x}", kPending, rng());
}

}  // namespace

bool TurnClaims::is_pending(std::string_view value) {
  return value.substr(0, kPending.size()) == kPending || value == "pending";
}

Task<Claim> TurnClaims::claim(const std::string& call_sid, int turn) {
  Claim c{turn_key(call_sid, turn), new_token(), false};
  c.owned = co_await store_.claim(c.key, c.token, settings_.lease);
  co_return c;
}

Task<ClaimedTurn> TurnClaims::claim_and_load(const std::string& call_sid, int turn, const std::string& session_key) {
  ClaimedTurn out{Claim{turn_key(call_sid, turn), new_token(), false}, std::nullopt};
  auto found = co_await store_.claim_then_load(out.claim.key, out.claim.token, settings_.lease, session_key);
  out.claim.owned = found.claimed;
  out.session = std::move(found.value);
  co_return out;
}

Task<std::optional<std::string>> TurnClaims::wait_for_reply(const Claim& claim) {
  auto exec = co_await asio::this_coro::executor;
  asio::steady_timer timer(exec);
  const auto deadline = std::chrono::steady_clock::now() + settings_.replay_wait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto v = co_await store_.load(claim.key);
    if (!v) co_return std::nullopt;  // the first copy failed and released its claim (or it expired)
    if (!is_pending(*v)) co_return v;
    timer.expires_after(std::chrono::milliseconds(50));
    error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  co_return std::nullopt;
}

Task<void> TurnClaims::answer(const Claim& claim, const std::string& reply, store::Write* session) {
  std::vector<store::Write> writes;
  if (session) writes.push_back(std::move(*session));
  if (claim.owned) writes.push_back(store::Write{claim.key, reply, settings_.reply_ttl});
  if (!writes.empty()) co_await store_.save_all(std::move(writes));
}

Task<void> TurnClaims::release(const Claim& claim) {
  if (!claim.owned) co_return;
  // Our lease may have ended and another copy may hold the turn now: erase only our own token.
  auto v = co_await store_.load(claim.key);
  if (v && *v != claim.token) co_return;
  co_await store_.erase(claim.key);
}

}  // namespace bella::call
