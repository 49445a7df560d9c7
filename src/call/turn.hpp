// One caller turn with its I/O, put together from small parts: claim/replay (claim.hpp),
// understanding (understanding.hpp), the pure flow (flow.hpp) and its effects (effects.hpp).
#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bella/calendar/calendar.hpp"
#include "bella/call/booking_port.hpp"
#include "bella/call/flow.hpp"
#include "bella/core/asio.hpp"
#include "bella/core/clock.hpp"
#include "bella/llm/llm_client.hpp"
#include "bella/store/session_store.hpp"
#include "call/claim.hpp"
#include "call/understanding.hpp"

namespace bella::call {

/// Renders a Reply as the document Twilio gets; `next_turn` goes into the Gather action URL.
using Render = std::function<std::string(const Reply& reply, int next_turn)>;

struct TurnSettings {
  std::chrono::seconds session_ttl{900};
  std::vector<AppointmentType> types = {{"standard", 30}};  // APPOINTMENT_TYPES; the first is the default
  bool front_desk = false;
  std::chrono::milliseconds llm_timeout{1500};
  /// How long a repeated turn waits for the first copy's answer before re-asking.
  std::chrono::milliseconds replay_wait{5000};
  /// How long a turn's claim holds while its first copy runs (a crashed copy blocks no longer).
  std::chrono::seconds claim_lease{30};
};

/// Thread-safe: many calls (and repeated copies of one turn) may run at once.
class CallHandler {
 public:
  CallHandler(store::SessionStore& sessions, Bookings& bookings, llm::LlmClient& llm,
              const calendar::BusinessCalendar& calendar, const Clock& clock, TurnSettings settings);

  /// POST /twilio/voice: greets the caller (by name when From is a known patient) and asks the first question.
  Task<std::string> start(const TurnInput& input, const Render& render);
  /// POST /twilio/voice/collect: one step of the conversation.
  Task<std::string> collect(const TurnInput& input, const Render& render);

 private:
  /// A claimed turn's answer and the session to write with it (none when nothing changed).
  struct Outcome {
    std::string twiml;
    std::optional<store::Write> session;
  };
  /// `raw`: what the session key held when the turn was claimed.
  Task<Outcome> claimed_turn(const TurnInput& input, int turn, const std::optional<std::string>& raw,
                             const Render& render);
  [[nodiscard]] store::Write session_write(const ConversationState& state) const;
  static std::optional<ConversationState> parse_session(const std::optional<std::string>& raw,
                                                        const std::string& call_sid, bool* unreadable);
  Task<std::optional<ConversationState>> load(const std::string& call_sid);
  Task<std::vector<Patient>> patients_for(const std::optional<std::string>& caller_id);
  FlowContext context(SysSeconds now) const;

  store::SessionStore& sessions_;
  Bookings& bookings_;
  llm::LlmClient& llm_;
  const calendar::BusinessCalendar& calendar_;
  const Clock& clock_;
  TurnSettings settings_;
  TurnClaims claims_;
};

}  // namespace bella::call
