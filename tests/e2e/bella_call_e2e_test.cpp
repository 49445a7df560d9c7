// bella-call, the terminal caller, against the real bella over HTTP: typed lines become signed
// webhooks, what the caller would hear is printed, and the booking lands in PostgreSQL.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <pqxx/pqxx>

#include "support/pg_test_db.hpp"
#include "support/server_process.hpp"

#ifndef BELLA_CALL_BINARY
#error "BELLA_CALL_BINARY must name the bella-call executable"
#endif

namespace bella::testing {
namespace {

constexpr const char* kToken = "bella-call-token";
constexpr const char* kPublicBase = "https://bella.example.test";

struct Run {
  int exit_code = -1;
  std::string output;
};

/// Runs bella-call with `args`, typing `input` (one utterance per line), until it exits.
Run bella_call(const std::string& args, const std::string& input) {
  const std::filesystem::path typed =
      std::filesystem::temp_directory_path() / ("bella-call-input-" + std::to_string(::getpid()));
  std::ofstream(typed) << input;
  const std::string cmd = std::string(BELLA_CALL_BINARY) + " " + args + " < " + typed.string() + " 2>&1";
  Run run;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed");
  std::array<char, 4096> buf{};
  while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) run.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::filesystem::remove(typed);
  return run;
}

class BellaCallE2E : public ::testing::Test {
 protected:
  TestDatabase db;
  ServerProcess server{EnvVars{{"DATABASE_URL", db.url()},
                               {"TWILIO_AUTH_TOKEN", kToken},
                               {"PUBLIC_BASE_URL", kPublicBase},
                               {"BELLA_FAKE_NOW", "2030-03-05T10:00:00-07:00"},
                               {"LOG_LEVEL", "info"}}};
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server.port()); }
};

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

TEST_F(BellaCallE2E, TypedLinesBookAnAppointment) {
  // Name, silence (empty line), keypad digits, a time, yes.
  const auto run = bella_call("--url " + url() + " --from anonymous --token " + kToken + " --public-base-url " +
                                  kPublicBase,
                              "my name is Omar Haddad\n\n#7805550142\nThursday at 11\nyes\n");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "signed")) << run.output;
  EXPECT_TRUE(contains(run.output, "Bella: May I have your first and last name?")) << run.output;
  EXPECT_TRUE(contains(run.output, "you> (silence)")) << run.output;
  EXPECT_TRUE(contains(run.output, "Omar Haddad, Thursday, March 7 at 11 AM, for 30 minutes, and we'll reach you "
                                   "at the number ending in 0 1 4 2. Shall I book it?"))
      << run.output;
  EXPECT_TRUE(contains(run.output, "You're all set, Omar.")) << run.output;
  EXPECT_TRUE(contains(run.output, "[hangs up]")) << run.output;

  pqxx::connection conn(db.url());
  pqxx::read_transaction tx(conn);
  const auto row = tx.exec1(
      "SELECT u.full_name, u.mobile, to_char(a.starts_at_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') "
      "FROM appointments a JOIN users u ON u.id = a.user_id");
  EXPECT_EQ(row[0].as<std::string>(), "Omar Haddad");
  EXPECT_EQ(row[1].as<std::string>(), "+17805550142");
  EXPECT_EQ(row[2].as<std::string>(), "2030-03-07 18:00");  // 11:00 MST
}

TEST_F(BellaCallE2E, AWrongTokenIsRefusedAndReported) {
  const auto run = bella_call("--url " + url() + " --token not-the-token --public-base-url " + kPublicBase,
                              "my name is Omar Haddad\n");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run.output, "403")) << run.output;
  EXPECT_FALSE(contains(run.output, "Bella:")) << run.output;
}

TEST_F(BellaCallE2E, AnUnreachableServerIsReported) {
  const auto run = bella_call("--url http://127.0.0.1:1 --token " + std::string(kToken), "");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run.output, "cannot reach")) << run.output;
}

}  // namespace
}  // namespace bella::testing
