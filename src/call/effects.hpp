// Effects: runs what the flow asked for through the Bookings port and feeds the answers back to
// the flow. An infrastructure failure (bella::Unavailable) becomes Unreachable: the flow keeps the
// call alive and never blames the caller.
#pragma once
#include <string>

#include "bella/call/booking_port.hpp"
#include "bella/call/flow.hpp"
#include "bella/core/asio.hpp"

namespace bella::call {

/// Performs one effect for call `call_sid` (the idempotency key of writes). Never throws.
Task<EffectResult> perform(Bookings& bookings, const Effect& effect, const std::string& call_sid, SysSeconds now);

/// Runs the turn's effects (at most `max_effects`, each answer resumed through the flow).
Task<Turn> run_effects(Bookings& bookings, Turn turn, const FlowContext& ctx, int max_effects = 4);

}  // namespace bella::call
