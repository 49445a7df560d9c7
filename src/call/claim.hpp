// Claim/replay for one webhook turn. Twilio retries a slow webhook; the copies must act once.
// The first copy claims the turn (SET NX) with a short lease; a repeated copy waits for its
// stored reply and replays it. A claim is released (erased) only by the copy that owns it, and a
// crashed copy's claim expires after the lease instead of blocking retries for the session's TTL.
#pragma once
#include <chrono>
#include <optional>
#include <string>

#include "bella/core/asio.hpp"
#include "bella/store/session_store.hpp"

namespace bella::call {

struct ClaimSettings {
  std::chrono::seconds lease{30};            // a few times the turn budget
  std::chrono::seconds reply_ttl{900};       // stored replies live as long as the session
  std::chrono::milliseconds replay_wait{5000};
};

struct Claim {
  std::string key;
  std::string token;  // the pending value this copy wrote
  bool owned = false;
};

/// A claim and what the session key held when it was made.
struct ClaimedTurn {
  Claim claim;
  std::optional<std::string> session;
};

class TurnClaims {
 public:
  TurnClaims(store::SessionStore& store, ClaimSettings settings) : store_(store), settings_(settings) {}

  /// Claims turn `turn` of the call: owned when this copy is the first.
  Task<Claim> claim(const std::string& call_sid, int turn);
  /// The same, and the value of `session_key` read with it: one round trip.
  Task<ClaimedTurn> claim_and_load(const std::string& call_sid, int turn, const std::string& session_key);
  /// For a claim another copy owns: its reply once stored, or nothing after replay_wait (still
  /// running, or it failed and released the claim).
  Task<std::optional<std::string>> wait_for_reply(const Claim& claim);
  /// Writes `session` (when given; it is moved from) and then the reply of an owned claim (for
  /// replays), in one round trip; for a claim not owned, only `session`.
  Task<void> answer(const Claim& claim, const std::string& reply, store::Write* session = nullptr);
  /// Releases an owned claim so a retry can act; never erases a claim another copy holds.
  Task<void> release(const Claim& claim);

  static bool is_pending(std::string_view value);

 private:
  store::SessionStore& store_;
  ClaimSettings settings_;
};

}  // namespace bella::call
