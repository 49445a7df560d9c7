// The catalogue of Bella's metrics: every family docs/OPERATIONS.md names, registered (at zero)
// at start-up, plus process_* figures read from /proc and bella_build_info.
#pragma once
#include <string>
#include <vector>

namespace bella::obs {

/// Latency buckets shared by the code that observes and the catalogue that pre-registers.
inline const std::vector<double> kHttpLatencyBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,    0.25,  0.5,    1,     2.5,   5};
inline const std::vector<double> kLlmLatencyBounds = {0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 5.0};

/// Registers every Bella metric family in the process registry, with its known label values at
/// zero, and the process collectors. Idempotent; call once at start-up.
void register_metrics();

}  // namespace bella::obs
