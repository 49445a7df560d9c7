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

class TurnClaims {
 public:
  TurnClaims(store::SessionStore& store, ClaimSettings settings) : store_(store), settings_(settings) {}

  /// Claims turn `turn` of the call: owned when this copy is the first.
  Task<Claim> claim(const std::string& call_sid, int turn);
  /// For a claim another copy owns: its reply once stored, or nothing after replay_wait (still
  /// running, or it failed and released the claim).
  Task<std::optional<std::string>> wait_for_reply(const Claim& claim);
  /// Stores the reply of an owned claim (for replays).
  Task<void> answer(const Claim& claim, const std::string& reply);
  /// Releases an owned claim so a retry can act; never erases a claim another copy holds.
  Task<void> release(const Claim& claim);

  static bool is_pending(std::string_view value);

 private:
  store::SessionStore& store_;
  ClaimSettings settings_;
};

}  // namespace bella::call
