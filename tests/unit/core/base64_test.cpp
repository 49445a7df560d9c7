#include "bella/core/base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bella {
namespace {

// RFC 4648 §10's test vectors.
TEST(Base64, RfcVectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(Base64, UrlAlphabetHasNoPaddingAndNoPlusOrSlash) {
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("fo"), "Zm8");
  EXPECT_EQ(base64url("foobar"), "Zm9vYmFy");
  const std::string high("\xfb\xff\xfe", 3);
  EXPECT_EQ(base64(high), "+//+");
  EXPECT_EQ(base64url(high), "-__-");
}

TEST(Base64, UrlRoundTripsEveryByteAndEveryLength) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    const std::string in = bytes.substr(bytes.size() - n);
    const auto out = from_base64url(base64url(in));
    ASSERT_TRUE(out) << n;
    EXPECT_EQ(*out, in) << n;
  }
}

TEST(Base64, UrlDecodingRefusesCharactersOutsideTheAlphabet) {
  EXPECT_FALSE(from_base64url("Zg=="));
  EXPECT_FALSE(from_base64url("Zm9v+"));
  EXPECT_FALSE(from_base64url("Zm9v/"));
  EXPECT_FALSE(from_base64url(std::string("Zm\0v", 4)));
  EXPECT_FALSE(from_base64url("Zm 9v"));
  EXPECT_EQ(from_base64url(""), std::string());
}

}  // namespace
}  // namespace bella
