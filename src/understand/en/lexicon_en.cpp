// English (Canada) vocabulary for the deterministic extractors. Data only: no grammar here.
#include <algorithm>
#include <array>

#include "bella/calendar/named_days.hpp"
#include "understand/lexicon.hpp"

namespace bella::understand {
namespace {

using calendar::NamedDay;
constexpr int nd(NamedDay d) { return static_cast<int>(d); }
constexpr int pc(PartCode p) { return static_cast<int>(p); }

constexpr auto kUnits = std::to_array<Phrase>({{"zero", 0},      {"one", 1},        {"two", 2},        {"three", 3},
                                             {"four", 4},      {"five", 5},       {"six", 6},        {"seven", 7},
                                             {"eight", 8},     {"nine", 9},       {"ten", 10},       {"eleven", 11},
                                             {"twelve", 12},   {"thirteen", 13},  {"fourteen", 14},  {"fifteen", 15},
                                             {"sixteen", 16},  {"seventeen", 17}, {"eighteen", 18},  {"nineteen", 19}});
constexpr auto kTens = std::to_array<Phrase>({{"twenty", 20}, {"thirty", 30},  {"forty", 40},  {"fifty", 50},
                                            {"sixty", 60},  {"seventy", 70}, {"eighty", 80}, {"ninety", 90}});
constexpr auto kOrdinals = std::to_array<Phrase>({
    {"first", 1},       {"second", 2},      {"third", 3},       {"fourth", 4},      {"fifth", 5},
    {"sixth", 6},       {"seventh", 7},     {"eighth", 8},      {"ninth", 9},       {"tenth", 10},
    {"eleventh", 11},   {"twelfth", 12},    {"thirteenth", 13}, {"fourteenth", 14}, {"fifteenth", 15},
    {"sixteenth", 16},  {"seventeenth", 17}, {"eighteenth", 18}, {"nineteenth", 19}, {"twentieth", 20},
    {"thirtieth", 30},  {"fortieth", 40},   {"fiftieth", 50},   {"sixtieth", 60},   {"seventieth", 70},
    {"eightieth", 80},  {"ninetieth", 90}});

constexpr auto kWeekdays = std::to_array<Phrase>({
    {"sunday", 0}, {"monday", 1}, {"tuesday", 2}, {"wednesday", 3}, {"thursday", 4}, {"friday", 5}, {"saturday", 6},
    {"sundays", 0}, {"mondays", 1}, {"tuesdays", 2}, {"wednesdays", 3}, {"thursdays", 4}, {"fridays", 5},
    {"saturdays", 6}, {"wensday", 3}, {"wednsday", 3}, {"thurday", 4}, {"tuseday", 2}, {"saterday", 6}});
constexpr auto kWeekdayAbbrevs = std::to_array<Phrase>({{"sun", 0},   {"mon", 1},   {"tue", 2},  {"tues", 2},
                                                        {"wed", 3},   {"weds", 3},  {"thu", 4},  {"thur", 4},
                                                        {"thurs", 4}, {"fri", 5},   {"sat", 6}});
constexpr auto kMonths = std::to_array<Phrase>({
    {"january", 1}, {"february", 2}, {"march", 3}, {"april", 4}, {"may", 5}, {"june", 6}, {"july", 7},
    {"august", 8}, {"september", 9}, {"october", 10}, {"november", 11}, {"december", 12}, {"jan", 1},
    {"feb", 2}, {"febuary", 2}, {"mar", 3}, {"apr", 4}, {"jun", 6}, {"jul", 7}, {"aug", 8}, {"sep", 9},
    {"sept", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}});
constexpr auto kNamedDays = std::to_array<Phrase>({
    {"christmas", nd(NamedDay::christmas_day)},
    {"christmas day", nd(NamedDay::christmas_day)},
    {"xmas", nd(NamedDay::christmas_day)},
    {"xmas day", nd(NamedDay::christmas_day)},
    {"christmas eve", nd(NamedDay::christmas_eve)},
    {"xmas eve", nd(NamedDay::christmas_eve)},
    {"boxing day", nd(NamedDay::boxing_day)},
    {"new year's eve", nd(NamedDay::new_years_eve)},
    {"new years eve", nd(NamedDay::new_years_eve)},
    {"new year eve", nd(NamedDay::new_years_eve)},
    {"new year's day", nd(NamedDay::new_years_day)},
    {"new years day", nd(NamedDay::new_years_day)},
    {"new year day", nd(NamedDay::new_years_day)},
    {"valentine's day", nd(NamedDay::valentines_day)},
    {"valentines day", nd(NamedDay::valentines_day)},
    {"valentine day", nd(NamedDay::valentines_day)},
    {"halloween", nd(NamedDay::halloween)},
    {"easter", nd(NamedDay::easter_sunday)},
    {"easter sunday", nd(NamedDay::easter_sunday)},
    {"easter day", nd(NamedDay::easter_sunday)},
    {"easter monday", nd(NamedDay::easter_monday)},
    {"good friday", nd(NamedDay::good_friday)},
    {"canada day", nd(NamedDay::canada_day)},
    {"victoria day", nd(NamedDay::victoria_day)},
    {"patriots day", nd(NamedDay::victoria_day)},
    {"patriots' day", nd(NamedDay::victoria_day)},
    {"family day", nd(NamedDay::family_day)},
    {"louis riel day", nd(NamedDay::family_day)},
    {"islander day", nd(NamedDay::family_day)},
    {"labour day", nd(NamedDay::labour_day)},
    {"labor day", nd(NamedDay::labour_day)},
    {"thanksgiving", nd(NamedDay::thanksgiving)},
    {"thanksgiving day", nd(NamedDay::thanksgiving)},
    {"remembrance day", nd(NamedDay::remembrance_day)},
    {"civic holiday", nd(NamedDay::civic_holiday)},
    {"heritage day", nd(NamedDay::civic_holiday)},
    {"natal day", nd(NamedDay::civic_holiday)},
    {"simcoe day", nd(NamedDay::civic_holiday)},
    {"saskatchewan day", nd(NamedDay::civic_holiday)},
    {"new brunswick day", nd(NamedDay::civic_holiday)},
    {"british columbia day", nd(NamedDay::civic_holiday)},
    {"terry fox day", nd(NamedDay::civic_holiday)},
    {"mother's day", nd(NamedDay::mothers_day)},
    {"mothers day", nd(NamedDay::mothers_day)},
    {"father's day", nd(NamedDay::fathers_day)},
    {"fathers day", nd(NamedDay::fathers_day)},
});
constexpr auto kParts = std::to_array<Phrase>({{"morning", pc(PartCode::morning)},
                                               {"mornings", pc(PartCode::morning)},
                                               {"afternoon", pc(PartCode::afternoon)},
                                               {"afternoons", pc(PartCode::afternoon)},
                                               {"evening", pc(PartCode::evening)},
                                               {"evenings", pc(PartCode::evening)},
                                               {"eve", pc(PartCode::evening)},
                                               {"night", pc(PartCode::night)},
                                               {"lunch", pc(PartCode::lunch)},
                                               {"lunchtime", pc(PartCode::lunch)}});
constexpr auto kApproximate = std::to_array<std::string_view>({"around", "about", "approximately", "roughly",
                                                               "approx", "circa", "ish"});
constexpr auto kTimeCues = std::to_array<std::string_view>({"at", "@", "for", "by", "till", "til", "until", "between",
                                                            "from"});
constexpr auto kCueFillers = std::to_array<std::string_view>({"like", "say", "maybe", "just"});
constexpr auto kNamingVerbs = std::to_array<std::string_view>({"make", "move", "change", "push", "put"});
constexpr auto kTimeUnits = std::to_array<Phrase>({
    {"minute", 1}, {"minutes", 1}, {"min", 1}, {"mins", 1}, {"hour", 2}, {"hours", 2}, {"hr", 2}, {"hrs", 2},
    {"h", 2}, {"day", 3}, {"days", 3}, {"week", 4}, {"weeks", 4}, {"fortnight", 5}, {"fortnights", 5},
    {"month", 6}, {"months", 6}, {"year", 7}, {"years", 7}});
constexpr auto kMeasures = std::to_array<std::string_view>({
    "people", "person", "persons", "patients", "adults", "adult", "kids", "children", "guests", "percent", "%",
    "dollars", "dollar", "bucks", "cents", "mg", "milligrams", "milligram", "mcg", "kg", "kilograms", "kilos",
    "pounds", "lbs", "lb", "grams", "g", "ml", "millilitres", "milliliters", "litres", "liters", "units", "unit",
    "tablets", "tablet", "pills", "pill", "doses", "times", "mmol", "cm", "centimetres", "inches", "feet", "km",
    "kilometres", "miles", "degrees", "year-old", "yrs", "stars", "points", "copies",
    "boxes", "refills", "puffs", "drops", "sessions", "visits", "steps", "floors", "bpm"});
constexpr auto kIdWords = std::to_array<std::string_view>({"pin", "id", "code", "card", "account", "policy",
                                                           "member", "membership", "extension", "ext", "room", "unit",
                                                           "apartment", "apt", "suite", "postal", "zip", "password",
                                                           "reference", "confirmation", "order", "invoice", "ticket",
                                                           "claim", "chart", "#"});
constexpr auto kMeals = std::to_array<std::string_view>({"lunch", "lunchtime", "breakfast", "brunch", "dinner",
                                                         "supper"});

constexpr auto kDigitHomophones = std::to_array<Phrase>({{"to", 2}, {"too", 2}, {"for", 4}, {"fore", 4},
                                                         {"ate", 8}, {"won", 1}});
constexpr auto kPhoneJoiners = std::to_array<std::string_view>({"dash", "hyphen"});
constexpr auto kCorrections = std::to_array<std::string_view>({"sorry", "no", "actually", "correction", "wait", "mean",
                                                               "oops", "rather", "not"});
constexpr auto kMobileWords = std::to_array<std::string_view>({"cell", "cellphone", "mobile", "cellular", "text"});
constexpr auto kOtherLineWords = std::to_array<std::string_view>({"work", "office", "home", "landline", "business",
                                                                  "fax", "desk"});

constexpr auto kYesWords = std::to_array<std::string_view>({
    "yes", "yeah", "yep", "yup", "ya", "yea", "sure", "correct", "right", "ok", "okay", "absolutely", "definitely",
    "certainly", "perfect", "great", "affirmative", "exactly", "alright", "fine", "uh-huh", "yess", "aye", "good",
    "sounds", "confirm", "please"});
constexpr auto kNoWords = std::to_array<std::string_view>({"no", "nope", "nah", "not", "don't", "dont", "wrong",
                                                           "incorrect", "negative", "never", "cancel", "isn't",
                                                           "doesn't", "can't", "cannot", "won't", "wouldn't"});

constexpr auto kFillers = std::to_array<std::string_view>({
    "um", "uh", "umm", "uhm", "uhh", "hmm", "er", "erm", "ah", "eh", "yeah", "yes", "yep", "hi", "hello", "hey",
    "so", "well", "oh", "okay", "ok", "sure", "good", "morning", "afternoon", "evening", "there", "alright", "like"});
constexpr auto kHesitations = std::to_array<std::string_view>({"um", "uh", "umm", "uhm", "uhh", "er", "erm", "hmm",
                                                               "ah"});
constexpr auto kTitles = std::to_array<std::string_view>({"mr", "mrs", "ms", "miss", "mister", "dr", "doctor", "prof",
                                                          "professor", "sir", "madam", "mx", "rev", "reverend",
                                                          "father", "sister", "pastor", "captain", "judge"});
// Generational suffixes and post-nominal letters, as the tokenizer sees them ("D.O." -> d . o .).
constexpr auto kSuffixes = std::to_array<std::string_view>({
    "jr", "sr", "junior", "senior", "ii", "iii", "iv", "v", "vi", "2nd", "3rd", "phd", "md", "cpa", "esq", "dds",
    "dmd", "rn", "lpn", "np", "mba", "jd", "do", "pa", "dvm", "od", "pharmd", "msw", "lcsw", "cfa", "pe", "ma",
    "ms", "msc", "bsc", "ba", "bsn", "frcpc", "mph", "qc", "kc", "cd", "obe", "mbe", "mp", "mpp", "mla", "clu",
    "cfp", "lutc", "chfc"});
constexpr auto kGenerational = std::to_array<std::string_view>({"jr", "sr", "ii", "iii", "iv", "v", "vi", "2nd",
                                                                "3rd"});
constexpr auto kParticles = std::to_array<std::string_view>({"van", "der", "den", "de", "la", "le", "da", "das",
                                                             "dos", "do", "du", "von", "ben", "bin", "al", "del",
                                                             "della", "di", "ter", "y", "st"});
constexpr auto kMacNames = std::to_array<std::string_view>({
    "macdonald",  "macleod",   "mackenzie", "macmillan", "macgregor",  "macintyre",  "mackay",    "maclean",
    "macpherson", "macarthur", "macneil",   "macaulay",  "maclachlan", "macrae",     "macdougall", "macfarlane",
    "mackinnon",  "macinnes",  "maclennan", "macaskill", "mackintosh", "macneill",   "macphail",  "macdonnell",
    "maccallum",  "maccormack", "macdougal", "macewan",  "maclaren",   "macisaac"});
// Words that are never part of the caller's name. Given names and surnames that are also words
// (Will, May, Rose, King, Baker, Hope, Young, Grace...) are deliberately absent; ordinary words
// beyond this list are told apart with the word list (ordinary_words.hpp) and the evidence rules.
constexpr auto kNonNameWords = std::to_array<std::string_view>({
    "a", "an", "the", "and", "or", "but", "for", "to", "of", "in", "on", "at", "with", "from", "about", "by", "is",
    "are", "was", "were", "be", "been", "i", "i'm", "im", "i'd", "i'll", "i've", "me", "my", "mine", "you", "your",
    "he", "she", "it", "it's", "its", "we", "they", "them", "him", "her", "his", "our", "their", "this", "that",
    "these", "those", "there", "here", "what", "who", "whom", "why", "how", "when", "where", "which", "yes", "yeah",
    "yep", "yup", "no", "nope", "nah", "not", "sure", "okay", "ok", "hi", "hello", "hey", "thanks", "thank",
    "please", "sorry", "um", "uh", "umm", "hmm", "just", "calling", "looking", "trying", "wondering", "hoping",
    "interested", "going", "want", "wanted", "would", "could", "can", "should", "like", "need", "book", "booking",
    "schedule", "appointment", "call", "talk", "speak", "know", "think", "have", "has", "don't", "does", "did",
    "get", "make", "today", "tomorrow", "tonight", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "am", "pm", "anybody", "somebody", "someone", "anyone", "nobody", "son", "daughter",
    "wife", "husband", "mom", "dad", "kid", "child", "friend", "company", "business", "called", "patient", "fine",
    "great", "also", "still", "only", "really", "very", "back", "again", "some", "any", "time", "name", "number",
    "phone", "email", "available", "free", "busy", "speaking", "good", "well", "glad", "happy", "new", "ready",
    "sick", "doing", "actually", "so", "first", "last", "null", "none", "unknown", "anonymous", "n/a", "here's",
    "that's", "there's", "one", "blah", "correct", "right", "wrong", "absolutely", "definitely", "maybe", "cancel",
    "reschedule", "morning", "afternoon", "evening", "night", "noon", "week", "month", "next", "o'clock", "oclock",
    "nothing", "never", "mind", "bye", "goodbye", "operator", "receptionist", "repeat", "what's", "who's", "let",
    "let's", "do", "go", "see", "give", "take", "tell", "said", "say", "says", "wait", "hold", "on", "cool",
    "alright", "awesome", "wonderful", "perfect", "exactly", "indeed", "certainly", "done", "works", "work"});
// Carrier phrases: 2 = strong (anywhere in the turn), 1 = weak (only at the start, after fillers).
constexpr auto kCarriers = std::to_array<Phrase>({
    {"my name is", 2}, {"my name's", 2}, {"name's", 2}, {"name is", 2}, {"the name is", 2}, {"the name's", 2},
    {"my full name is", 2}, {"my name", 2}, {"the name", 2}, {"you can call me", 2}, {"call me", 2},
    {"this is", 1}, {"it is", 1}, {"it's", 1}, {"its", 1}, {"i am", 1}, {"i'm", 1}, {"im", 1}, {"i'm called", 2},
    {"i am called", 2}, {"they call me", 2}, {"the patient is", 2}, {"patient name is", 2},
    {"patient's name is", 2}, {"this is for", 1}, {"it's for", 1}, {"it is for", 1}, {"under", 1}, {"under the name", 2},
    {"booking for", 1}, {"for", 1}});
constexpr auto kNameTailOk = std::to_array<std::string_view>({"here", "speaking", "calling", "thanks", "thank",
                                                              "please", "you"});

}  // namespace

const Lexicon& english() {
  static const Lexicon lex{
      .number_units = kUnits,
      .number_tens = kTens,
      .number_ordinals = kOrdinals,
      .weekdays = kWeekdays,
      .weekday_abbrevs = kWeekdayAbbrevs,
      .months = kMonths,
      .named_days = kNamedDays,
      .parts_of_day = kParts,
      .approximate = kApproximate,
      .time_cues = kTimeCues,
      .cue_fillers = kCueFillers,
      .naming_verbs = kNamingVerbs,
      .time_units = kTimeUnits,
      .measures = kMeasures,
      .id_words = kIdWords,
      .meals = kMeals,
      .digit_homophones = kDigitHomophones,
      .phone_joiners = kPhoneJoiners,
      .corrections = kCorrections,
      .mobile_words = kMobileWords,
      .other_line_words = kOtherLineWords,
      .yes_words = kYesWords,
      .no_words = kNoWords,
      .fillers = kFillers,
      .hesitations = kHesitations,
      .titles = kTitles,
      .suffixes = kSuffixes,
      .generational = kGenerational,
      .particles = kParticles,
      .mac_surnames = kMacNames,
      .non_name_words = kNonNameWords,
      .carriers = kCarriers,
      .name_tail_ok = kNameTailOk,
  };
  return lex;
}

int lookup(std::span<const Phrase> table, std::string_view w) {
  for (const Phrase& p : table) {
    if (p.words == w) return p.value;
  }
  return -1;
}

bool contains(std::span<const std::string_view> list, std::string_view w) {
  return std::find(list.begin(), list.end(), w) != list.end();
}

}  // namespace bella::understand
