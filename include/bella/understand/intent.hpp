// Why the caller is calling, or what they want right now, from one utterance. Pure, no I/O.
// The phrases are data (a table in src/understand/intent.cpp), matched on whole words after the
// text is lower-cased and stripped of punctuation.
#pragma once
#include <optional>
#include <string_view>

namespace bella::understand {

enum class Intent {
  book,          // "I'd like to book an appointment"
  cancel,        // "I want to cancel my appointment"
  reschedule,    // "can I move my appointment", "change my appointment"
  look_up,       // "when is my appointment?"
  availability,  // "what do you have on Friday?", "what's the earliest?"
  person,        // "can I talk to someone", "operator", "receptionist"
  decline,       // "never mind", "I changed my mind", "that's all, bye"
  repeat,        // "sorry, can you repeat that?"
};

std::string_view to_string(Intent i) noexcept;

/// The intent the text states, or nothing. When several match, the more specific one wins, in
/// this order: person, repeat, decline, reschedule, cancel, look_up, availability, book.
std::optional<Intent> detect_intent(std::string_view text);

}  // namespace bella::understand
