// The intent detector: a phrase table, matched on whole words. Order in kPhrases is priority.
#include "bella/understand/intent.hpp"

#include <array>
#include <cctype>
#include <string>

namespace bella::understand {
namespace {

struct Phrase {
  Intent intent;
  std::string_view words;  // lower case, single spaces; matched on word boundaries
};

// Priority order: a person request or a decline beats everything; "move"/"change" an appointment
// beats "cancel" ("cancel and rebook" is a move); a question about availability beats "book".
constexpr std::array kPhrases = {
    Phrase{Intent::person, "talk to someone"},     Phrase{Intent::person, "speak to someone"},
    Phrase{Intent::person, "speak with someone"},  Phrase{Intent::person, "talk with someone"},
    Phrase{Intent::person, "talk to a person"},    Phrase{Intent::person, "speak to a person"},
    Phrase{Intent::person, "talk to somebody"},    Phrase{Intent::person, "speak to somebody"},
    Phrase{Intent::person, "real person"},         Phrase{Intent::person, "a human"},
    Phrase{Intent::person, "operator"},            Phrase{Intent::person, "receptionist"},
    Phrase{Intent::person, "front desk"},          Phrase{Intent::person, "representative"},
    Phrase{Intent::person, "talk to a human"},     Phrase{Intent::person, "someone at the clinic"},

    Phrase{Intent::repeat, "repeat that"},         Phrase{Intent::repeat, "say that again"},
    Phrase{Intent::repeat, "can you repeat"},      Phrase{Intent::repeat, "could you repeat"},
    Phrase{Intent::repeat, "pardon"},              Phrase{Intent::repeat, "come again"},
    Phrase{Intent::repeat, "what did you say"},    Phrase{Intent::repeat, "repeat please"},
    Phrase{Intent::repeat, "say it again"},

    Phrase{Intent::decline, "never mind"},         Phrase{Intent::decline, "nevermind"},
    Phrase{Intent::decline, "changed my mind"},    Phrase{Intent::decline, "change my mind"},
    Phrase{Intent::decline, "that's all"},         Phrase{Intent::decline, "that is all"},
    Phrase{Intent::decline, "goodbye"},            Phrase{Intent::decline, "good bye"},
    Phrase{Intent::decline, "bye"},                Phrase{Intent::decline, "bye bye"},
    Phrase{Intent::decline, "forget it"},          Phrase{Intent::decline, "no thanks"},
    Phrase{Intent::decline, "no thank you"},       Phrase{Intent::decline, "don't want to book"},
    Phrase{Intent::decline, "not interested"},     Phrase{Intent::decline, "hang up"},

    Phrase{Intent::reschedule, "reschedule"},      Phrase{Intent::reschedule, "re schedule"},
    Phrase{Intent::reschedule, "move my appointment"}, Phrase{Intent::reschedule, "move the appointment"},
    Phrase{Intent::reschedule, "move my booking"},  Phrase{Intent::reschedule, "change my appointment"},
    Phrase{Intent::reschedule, "change the appointment"}, Phrase{Intent::reschedule, "change my booking"},
    Phrase{Intent::reschedule, "move it"},         Phrase{Intent::reschedule, "push my appointment"},
    Phrase{Intent::reschedule, "different time for my appointment"}, Phrase{Intent::reschedule, "rebook"},

    Phrase{Intent::cancel, "cancel"},              Phrase{Intent::cancel, "cancellation"},
    Phrase{Intent::cancel, "can't make it"},       Phrase{Intent::cancel, "cannot make it"},
    Phrase{Intent::cancel, "call off my appointment"},

    Phrase{Intent::look_up, "when is my appointment"}, Phrase{Intent::look_up, "when's my appointment"},
    Phrase{Intent::look_up, "what time is my appointment"}, Phrase{Intent::look_up, "check my appointment"},
    Phrase{Intent::look_up, "do i have an appointment"}, Phrase{Intent::look_up, "my appointments"},
    Phrase{Intent::look_up, "when am i booked"},   Phrase{Intent::look_up, "confirm my appointment"},
    Phrase{Intent::look_up, "look up my appointment"}, Phrase{Intent::look_up, "when is my next appointment"},

    Phrase{Intent::availability, "what do you have"}, Phrase{Intent::availability, "what times"},
    Phrase{Intent::availability, "what time do you have"}, Phrase{Intent::availability, "earliest"},
    Phrase{Intent::availability, "soonest"},       Phrase{Intent::availability, "first available"},
    Phrase{Intent::availability, "next available"}, Phrase{Intent::availability, "any openings"},
    Phrase{Intent::availability, "anything"},      Phrase{Intent::availability, "availability"},
    Phrase{Intent::availability, "available"},     Phrase{Intent::availability, "what's open"},
    Phrase{Intent::availability, "openings"},      Phrase{Intent::availability, "do you have any"},
    Phrase{Intent::availability, "when can i come"}, Phrase{Intent::availability, "free slots"},

    Phrase{Intent::book, "book"},                  Phrase{Intent::book, "booking"},
    Phrase{Intent::book, "make an appointment"},   Phrase{Intent::book, "new appointment"},
    Phrase{Intent::book, "schedule"},              Phrase{Intent::book, "an appointment"},
    Phrase{Intent::book, "come in"},               Phrase{Intent::book, "see the doctor"},
};

/// Lower case, apostrophes kept ("that's"), every other non-alphanumeric run one space.
std::string normalise(std::string_view text) {
  std::string out = " ";
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      out.push_back(static_cast<char>(std::tolower(c)));
    } else if (c == '\'' && out.back() != ' ') {
      out.push_back('\'');
    } else if (out.back() != ' ') {
      out.push_back(' ');
    }
  }
  if (out.back() != ' ') out.push_back(' ');
  return out;
}

}  // namespace

std::string_view to_string(Intent i) noexcept {
  switch (i) {
    case Intent::book: return "book";
    case Intent::cancel: return "cancel";
    case Intent::reschedule: return "reschedule";
    case Intent::look_up: return "look_up";
    case Intent::availability: return "availability";
    case Intent::person: return "person";
    case Intent::decline: return "decline";
    case Intent::repeat: return "repeat";
  }
  return "book";
}

std::optional<Intent> detect_intent(std::string_view text) {
  const std::string norm = normalise(text);
  for (const auto& p : kPhrases) {
    std::string needle = " ";
    needle += p.words;
    needle += ' ';
    if (norm.find(needle) != std::string::npos) return p.intent;
  }
  return std::nullopt;
}

}  // namespace bella::understand
