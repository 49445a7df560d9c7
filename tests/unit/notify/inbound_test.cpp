// Carrier keywords in patients' replies.
#include <gtest/gtest.h>

#include "notify/inbound.hpp"

namespace bella::notify {
namespace {

TEST(InboundKeyword, OptOutWords) {
  for (const char* w : {"STOP", "stop", " Stop. ", "STOPALL", "unsubscribe", "CANCEL", "end", "QUIT", "ARRET", "arrêt", "ARRÊT"})
    EXPECT_EQ(classify_keyword(w), Keyword::opt_out) << w;
}

TEST(InboundKeyword, OptInAndHelp) {
  for (const char* w : {"START", "start", "UNSTOP", "yes"}) EXPECT_EQ(classify_keyword(w), Keyword::opt_in) << w;
  for (const char* w : {"HELP", "help!", "INFO", "aide"}) EXPECT_EQ(classify_keyword(w), Keyword::help) << w;
}

TEST(InboundKeyword, SentencesAreNotKeywords) {
  for (const char* w : {"", "please stop calling me at work", "stop it", "Can I cancel my appointment?", "STOPP", "thanks"})
    EXPECT_EQ(classify_keyword(w), Keyword::other) << w;
}

}  // namespace
}  // namespace bella::notify
