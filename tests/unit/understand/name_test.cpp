// Name extraction: carriers, casing, particles, spelled letters, non-names.
#include <gtest/gtest.h>

#include "bella/understand/extract.hpp"

namespace bella::understand {
namespace {

TEST(ExtractName, CarrierPhrases) {
  EXPECT_EQ(extract_name("my name is jessie maglione"), "Jessie Maglione");
  EXPECT_EQ(extract_name("This is Kim Vanderveen"), "Kim Vanderveen");
  EXPECT_EQ(extract_name("it's Robert Weir"), "Robert Weir");
  EXPECT_EQ(extract_name("I'm Virginia Mason"), "Virginia Mason");
  EXPECT_EQ(extract_name("my name's Kabir Sandhu"), "Kabir Sandhu");
  EXPECT_EQ(extract_name("You can call me Amrita Dhillon"), "Amrita Dhillon");
  EXPECT_EQ(extract_name("um, yeah, hi, this is Priya Sharma"), "Priya Sharma");
  EXPECT_EQ(extract_name("My name is manuel"), "Manuel");
}

TEST(ExtractName, CasingRules) {
  EXPECT_EQ(extract_name("RONALD MACDONALD"), "Ronald MacDonald");
  EXPECT_EQ(extract_name("i'm ciaran mccarthy"), "Ciaran McCarthy");
  EXPECT_EQ(extract_name("It's siobhan o'brien"), "Siobhan O'Brien");
  EXPECT_EQ(extract_name("I'm La'tanya O'connor"), "La'tanya O'connor");  // the transcript's own case kept
  EXPECT_EQ(extract_name("mack johnson"), "Mack Johnson");
  EXPECT_EQ(extract_name("it's jean-françois bélanger"), "Jean-François Bélanger");
  EXPECT_EQ(extract_name("ÉMILIE BERGERON"), "Émilie Bergeron");
}

TEST(ExtractName, ParticlesTitlesSuffixesNicknames) {
  EXPECT_EQ(extract_name("my name's Mike van der Velt"), "Mike van der Velt");
  EXPECT_EQ(extract_name("my name is pennie von bergen wessels"), "Pennie von Bergen Wessels");
  EXPECT_EQ(extract_name("van nguyen"), "Van Nguyen");
  EXPECT_EQ(extract_name("it is Yin Le"), "Yin Le");
  EXPECT_EQ(extract_name("Dr. John Scott"), "John Scott");
  EXPECT_EQ(extract_name("George Costanza, IV"), "George Costanza");
  EXPECT_EQ(extract_name("Benjamin (Ben) Franklin"), "Benjamin Franklin");
  EXPECT_EQ(extract_name("This is Jane Doctor"), "Jane Doctor");
}

TEST(ExtractName, OrderAndSpelling) {
  EXPECT_EQ(extract_name("Ma, Jack"), "Jack Ma");
  EXPECT_EQ(extract_name("last name Sharma, first name Priya"), "Priya Sharma");
  EXPECT_EQ(extract_name("my first name is Aarav and my last name is Patel, P-A-T-E-L"), "Aarav Patel");
  EXPECT_EQ(extract_name("My name is Wei Zhang, W-E-I Z-H-A-N-G"), "Wei Zhang");
  EXPECT_EQ(extract_name("my name is way zang, W-E-I Z-H-A-N-G"), "Wei Zhang");  // letters beat ASR
  EXPECT_EQ(extract_name("my name is W-E-I Z-H-A-N-G"), "Wei Zhang");
  EXPECT_EQ(extract_name("J-O-H-N S-M-I-T-H"), "John Smith");
  EXPECT_EQ(extract_name("last name is Nguyen first name is Linh"), "Linh Nguyen");
  EXPECT_EQ(extract_name("um my name is uh Lisa Wong"), "Lisa Wong");
  EXPECT_EQ(extract_name("Sam Lee here"), "Sam Lee");
}

TEST(ExtractName, SpellingInterleavedWithTheWords) {
  EXPECT_EQ(extract_name("uh my name's Wei, W-E-I, Zhang"), "Wei Zhang");
  EXPECT_EQ(extract_name("my name is Wei, W-E-I, Zhang, Z-H-A-N-G"), "Wei Zhang");
  EXPECT_EQ(extract_name("it's Shawn, S-E-A-N, Murphy"), "Sean Murphy");  // the letters win
  EXPECT_EQ(extract_name("Sarah, S-A-R-A-H, Johnson"), "Sarah Johnson");
  EXPECT_EQ(extract_name("my name is Sarah Johnson, J-O-H-N-S-O-N"), "Sarah Johnson");
  // Words after the letters continue the name only when they are name words.
  EXPECT_EQ(extract_name("my name is Wei, W-E-I, thanks"), "Wei");
  // A name may be followed by other content in the same turn.
  EXPECT_EQ(extract_name("Sarah, S-A-R-A-H, and I'd like tomorrow"), "Sarah");
}

TEST(ExtractSurname, AnswersToAndYourLastName) {
  EXPECT_EQ(extract_surname("Garcia"), "Garcia");
  EXPECT_EQ(extract_surname("garcia."), "Garcia");
  EXPECT_EQ(extract_surname("uh it's Garcia"), "Garcia");
  EXPECT_EQ(extract_surname("my last name is Garcia"), "Garcia");
  EXPECT_EQ(extract_surname("last name's o'neil"), "O'Neil");
  EXPECT_EQ(extract_surname("the surname is de la cruz"), "de la Cruz");
  EXPECT_EQ(extract_surname("Gagnon-Pelletier"), "Gagnon-Pelletier");
  EXPECT_EQ(extract_surname("Garcia, G-A-R-C-I-A"), "Garcia");
  EXPECT_EQ(extract_surname("gracia, G-A-R-C-I-A"), "Garcia");  // the letters win
  EXPECT_EQ(extract_surname("G-A-R-C-I-A"), "Garcia");
}

TEST(ExtractSurname, NotSurnames) {
  for (const char* text : {"yes", "no", "no thanks", "I don't have one", "tomorrow at three", "what", "",
                           "I'd like to book an appointment", "four oh three five five five"}) {
    EXPECT_EQ(extract_surname(text), std::nullopt) << text;
  }
}

TEST(ExtractName, NotNames) {
  for (const char* s : {"I want to book an appointment", "yes", "tomorrow at three", "I am a Data Scientist",
                        "Could I talk to Tyrone King?", "who is Sharon Zeches", "Steven Carter's company",
                        "it's for my son", "hi there", "I don't think so", "tuesday at 2 pm", "hello is anybody there",
                        "I'm calling to book", "I'm good thanks", "okay", ""}) {
    EXPECT_FALSE(extract_name(s).has_value()) << s;
  }
}

TEST(LooksLikeName, ValidatesCandidates) {
  EXPECT_TRUE(looks_like_name("Jean-François Bélanger"));
  EXPECT_TRUE(looks_like_name("Siobhan O'Brien"));
  EXPECT_TRUE(looks_like_name("Mike van der Velt"));
  EXPECT_FALSE(looks_like_name("I want to book"));
  EXPECT_FALSE(looks_like_name("John 123"));
  EXPECT_FALSE(looks_like_name(""));
  EXPECT_FALSE(looks_like_name("null"));
}

}  // namespace
}  // namespace bella::understand

namespace bella::understand {
namespace {

TEST(ExtractName, OrdinaryWordsNeedEvidence) {
  for (const char* s : {"blah blah blah", "Absolutely wonderful", "it's gonna snow", "I'm hungry", "sounds good",
                        "arriving sometime", "nothing, I changed my mind, goodbye", "never mind", "operator"}) {
    EXPECT_FALSE(extract_name(s).has_value()) << s;
  }
  // Names that are also words stay names; a strong carrier is evidence by itself.
  EXPECT_EQ(extract_name("will baker"), "Will Baker");
  EXPECT_EQ(extract_name("it's Rose Young"), "Rose Young");
  EXPECT_EQ(extract_name("Hope Solo"), "Hope Solo");
  EXPECT_EQ(extract_name("my name is Hope"), "Hope");
  EXPECT_FALSE(extract_name("my name is blah blah blah").has_value());  // a repetition never is
}

TEST(ExtractName, SuffixesPostNominalsAndSurnamesThatAreSuffixWords) {
  EXPECT_EQ(extract_name("Robert Smith Jr."), "Robert Smith");
  EXPECT_EQ(extract_name("Mary Jones, MD"), "Mary Jones");
  EXPECT_EQ(extract_name("Peter Parker D.O."), "Peter Parker");
  EXPECT_EQ(extract_name("Henry Ford III"), "Henry Ford");
  EXPECT_EQ(extract_name("John Senior"), "John Senior");  // the only surname
  EXPECT_EQ(extract_name("my name is Jack Ma"), "Jack Ma");
  EXPECT_EQ(extract_name("Sarah Jane Connor"), "Sarah Jane Connor");  // middle names kept
}

TEST(ExtractName, NameFollowedByOtherContent) {
  EXPECT_EQ(extract_name("Dana Wu, my PIN is 4421"), "Dana Wu");
  EXPECT_EQ(extract_name("ravi iyer 4167 I forgot my card"), "Ravi Iyer");
}

TEST(ExtractName, SpellingAfterAGivenNameFillsTheSurname) {
  EXPECT_EQ(extract_name("John, J O H N S O N"), "John Johnson");
  EXPECT_EQ(extract_name("my name is John, J-O-H-N-S-O-N"), "John Johnson");
  EXPECT_EQ(extract_name("it's Shawn, S-E-A-N"), "Sean");  // close to what was heard: a correction
  const auto h = hear_name("Priya");
  ASSERT_TRUE(h.has_value());
  EXPECT_TRUE(h->given_only);  // a first name alone comes back as it is; the call asks for the rest
}

}  // namespace
}  // namespace bella::understand
