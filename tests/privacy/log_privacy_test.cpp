// Runs after the whole e2e suite (a CTest fixture cleanup): no log line of any bella the suite
// started, at any level, holds a phone number or a name from the tests' own data. The numbers and
// names are read from the test sources, so a new test's data is covered without a list to keep.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct TestData {
  std::set<std::string> numbers;  // national significant numbers (10 digits): +1 and 1 forms contain them
  std::set<std::string> names;    // full names ("Sarah Johnson")
};

TestData collect(const fs::path& root) {
  TestData d;
  const std::regex e164(R"re((?:\+|%2B|#)1?(\d{10})\b)re");
  const std::regex spoken_name(R"re(name is ([A-Z][a-z'-]+(?: [A-Z][A-Za-z.'-]+)+))re");
  const std::regex json_name(R"re(full_name\\?"\s*[:,]\s*\\?"([A-Z][^"\\]*? [^"\\]+))re");
  const std::regex expected_name(R"re(full_name"\]\s*,\s*"([A-Z][^"]*? [^"]+)")re");
  for (const char* dir : {"tests/e2e", "tests/faults"}) {
    if (!fs::is_directory(root / dir)) continue;
    for (const auto& f : fs::directory_iterator(root / dir)) {
      if (f.path().extension() != ".cpp") continue;
      const std::string text = read(f.path());
      for (std::sregex_iterator it(text.begin(), text.end(), e164), e; it != e; ++it) d.numbers.insert((*it)[1]);
      for (const auto* re : {&spoken_name, &json_name, &expected_name})
        for (std::sregex_iterator it(text.begin(), text.end(), *re), e; it != e; ++it) d.names.insert((*it)[1]);
    }
  }
  return d;
}

TEST(LogPrivacy, NoPhoneNumberOrNameOfTheTestDataInAnyBellaLog) {
  const char* dir = std::getenv("BELLA_TEST_LOG_DIR");
  if (!dir || !*dir || !fs::is_directory(dir)) GTEST_SKIP() << "BELLA_TEST_LOG_DIR is not set (scripts/test sets it)";
  const TestData data = collect(BELLA_SOURCE_DIR);
  ASSERT_GE(data.numbers.size(), 5u) << "the test data's phone numbers were not found in tests/e2e";
  ASSERT_GE(data.names.size(), 3u) << "the test data's names were not found in tests/e2e";
  ASSERT_TRUE(data.names.count("Sarah Johnson"));
  std::size_t logs = 0, bytes = 0;
  for (const auto& f : fs::directory_iterator(dir)) {
    if (f.path().extension() != ".log") continue;
    ++logs;
    const std::string log = read(f.path());
    bytes += log.size();
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      for (const auto& n : data.numbers)
        EXPECT_EQ(line.find(n), std::string::npos) << "phone number " << n << " in " << f.path().filename() << ": " << line;
      for (const auto& n : data.names)
        EXPECT_EQ(line.find(n), std::string::npos) << "name '" << n << "' in " << f.path().filename() << ": " << line;
    }
  }
  // Half the suite may have been filtered out (-R), but some bella must have run for this to mean anything.
  if (logs == 0) GTEST_SKIP() << "no bella ran in this test run";
  RecordProperty("logs", static_cast<int>(logs));
  std::cout << "checked " << logs << " bella logs (" << bytes << " bytes) for " << data.numbers.size()
            << " phone numbers and " << data.names.size() << " names\n";
}

}  // namespace
