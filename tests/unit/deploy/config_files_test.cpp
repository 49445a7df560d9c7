// Deployment files parse: every JSON under deploy/ and docker/ through nlohmann::json, every YAML
// through a small structural checker (no YAML library in the dependency set), plus the facts the
// ECS task definition must keep (Fargate size, secrets, health check, stop timeout).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bella::deploy {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> files_with(const std::set<std::string>& extensions) {
  std::vector<fs::path> out;
  for (const char* dir : {"deploy", "docker", ".github"}) {
    fs::path root = fs::path(BELLA_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (e.is_regular_file() && extensions.count(e.path().extension().string())) out.push_back(e.path());
  }
  return out;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(' ');
  auto e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Strips a trailing " # comment" outside quotes.
std::string strip_comment(const std::string& s) {
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      if (i == 0 || s[i - 1] == ' ' || s[i - 1] == '[' || s[i - 1] == ',' || s[i - 1] == ':') quote = c;
    } else if (c == '#' && (i == 0 || s[i - 1] == ' ')) {
      return s.substr(0, i);
    }
  }
  return s;
}

// A scalar or flow value: quotes closed, brackets balanced, only CloudFormation's tags.
std::string check_value(const std::string& raw) {
  static const std::set<std::string> kTags{"!Ref", "!Sub", "!GetAtt", "!Join", "!Select", "!Split", "!If",
                                           "!Equals", "!Not", "!And", "!Or", "!Condition", "!FindInMap",
                                           "!GetAZs", "!ImportValue", "!Base64", "!Cidr", "!Transform"};
  std::string v = trim(raw);
  std::size_t pos = 0;
  while (pos < v.size() && v[pos] == '!') {
    auto end = v.find(' ', pos);
    std::string tag = v.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (!kTags.count(tag)) return "unknown tag " + tag;
    pos = end == std::string::npos ? v.size() : end + 1;
  }
  std::vector<char> stack;
  char quote = 0;
  for (std::size_t i = pos; i < v.size(); ++i) {
    char c = v[i];
    if (quote) {
      if (c == '\\' && quote == '"') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    bool at_token_start = i == pos || v[i - 1] == ' ' || v[i - 1] == '[' || v[i - 1] == ',' || v[i - 1] == '{';
    if ((c == '"' || c == '\'') && at_token_start) quote = c;
    else if (c == '[' || c == '{') stack.push_back(c);
    else if (c == ']' || c == '}') {
      if (stack.empty() || stack.back() != (c == ']' ? '[' : '{')) return "unbalanced brackets";
      stack.pop_back();
    }
  }
  if (quote) return "unterminated quote";
  if (!stack.empty()) return "unclosed bracket";
  if (!v.empty() && pos < v.size() && (v[pos] == '@' || v[pos] == '`')) return "reserved indicator";
  return "";
}

bool plain_key(const std::string& k) {
  if (k.empty()) return false;
  if ((k.front() == '"' && k.back() == '"' && k.size() > 1) || (k.front() == '\'' && k.back() == '\'' && k.size() > 1))
    return true;
  for (char c : k)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/' || c == '$' ||
          c == ':' || c == '{' || c == '}'))
      return false;
  return true;
}

// Structural YAML check for the block style these files use. Returns "" or "line N: why".
std::string check_yaml(const std::string& text) {
  struct Level {
    int indent;
    bool sequence;                // the block at this indent is a "- " list
    std::set<std::string> keys;   // mapping keys seen at this level
  };
  std::vector<Level> levels;      // open blocks, innermost last
  std::istringstream in(text);
  std::string line;
  int no = 0;
  int block_scalar_parent = -1;   // inside "key: |": lines indented deeper than this are text
  bool expect_child = false;      // the previous line opened a block ("key:" or "- key:")
  auto fail = [&](const std::string& why) { return "line " + std::to_string(no) + ": " + why; };
  while (std::getline(in, line)) {
    ++no;
    if (!line.empty() && line.back() == '\r') return fail("CRLF line ending");
    std::size_t indent_sz = line.find_first_not_of(' ');
    if (indent_sz == std::string::npos) continue;  // blank
    int indent = static_cast<int>(indent_sz);
    if (line[indent_sz] == '\t') return fail("tab in indentation");
    if (block_scalar_parent >= 0) {
      if (indent > block_scalar_parent) continue;
      block_scalar_parent = -1;
    }
    std::string body = line.substr(indent_sz);
    if (body[0] == '#') continue;
    if (line.find('\t') != std::string::npos) return fail("tab character");
    body = trim(strip_comment(body));
    if (body.empty()) continue;
    if (body == "---" && indent == 0) {
      levels.clear();
      expect_child = false;
      continue;
    }
    // Close deeper blocks; an indent must match an open level or open a new, deeper one.
    // ("key:" followed by a sibling is an empty value, which YAML allows.)
    while (!levels.empty() && levels.back().indent > indent) levels.pop_back();
    bool is_item = body == "-" || body.rfind("- ", 0) == 0;
    // A compact list ("key:" then "- x" at the key's indent) ends at the next key of that mapping.
    while (!is_item && levels.size() >= 2 && levels.back().sequence && levels.back().indent == indent &&
           levels[levels.size() - 2].indent == indent)
      levels.pop_back();
    if (levels.empty() || levels.back().indent < indent) {
      if (!levels.empty() && !expect_child) return fail("indentation increases without an opening key");
      levels.push_back({indent, is_item, {}});
    } else if (levels.back().sequence != is_item) {
      // "key:" followed by "- item" at the same indent is valid YAML (compact sequence).
      if (!(is_item && !levels.back().sequence && expect_child)) return fail("list item and mapping key mixed at one indent");
      levels.push_back({indent, true, {}});
    }
    expect_child = false;
    std::string rest = body;
    int content_indent = indent;
    if (is_item) {
      levels.back().keys.clear();  // each item is a new mapping
      rest = trim(body.substr(1));
      content_indent = indent + 2;
      if (rest.empty()) {
        expect_child = true;
        continue;
      }
    }
    // key: value | key: | - key: value | - scalar
    std::size_t colon = std::string::npos;
    char quote = 0;
    for (std::size_t i = 0; i < rest.size(); ++i) {
      char c = rest[i];
      if (quote) {
        if (c == quote) quote = 0;
      } else if ((c == '"' || c == '\'') && i == 0) {
        quote = c;
      } else if (c == '[' || c == '{' || c == '!') {
        break;  // a flow collection or tagged scalar, not a key
      } else if (c == ':' && (i + 1 == rest.size() || rest[i + 1] == ' ')) {
        colon = i;
        break;
      }
    }
    if (colon == std::string::npos) {
      if (!is_item) return fail("expected 'key: value'");
      if (auto e = check_value(rest); !e.empty()) return fail(e);
      // "- !If" alone: its arguments follow as a nested list.
      if (rest.front() == '!' && rest.find(' ') == std::string::npos) {
        expect_child = true;
      }
      continue;
    }
    std::string key = trim(rest.substr(0, colon));
    std::string value = trim(rest.substr(colon + 1));
    if (!plain_key(key)) return fail("invalid key '" + key + "'");
    if (is_item) {
      // The item's mapping continues at indent + 2: track it as its own level.
      levels.push_back({content_indent, false, {}});
    }
    if (!levels.back().keys.insert(key).second) return fail("duplicate key '" + key + "'");
    if (value.empty()) {
      expect_child = true;
      continue;
    }
    if (value == "|" || value == ">" || value == "|-" || value == ">-" || value == "|+" || value == ">+") {
      block_scalar_parent = content_indent;
      continue;
    }
    if (value.rfind("!", 0) == 0 && value.find(' ') == std::string::npos) {
      // "- !If" alone on a line: its arguments follow as a nested list.
      if (auto e = check_value(value); !e.empty()) return fail(e);
      expect_child = true;
      continue;
    }
    if (auto e = check_value(value); !e.empty()) return fail(e + " in value of '" + key + "'");
  }
  return "";
}

TEST(ConfigFiles, YamlCheckerAcceptsTheBlockStyleWeUse) {
  const std::string ok =
      "# comment\nA:\n  B: !Sub \"x-${Y}\" # trailing\n  C: [a, \"b\", !Ref D]\n  E:\n    - F: 1\n      G: 'two'\n"
      "    - plain\n  H: |\n    text: with colon\n      deeper\n  I:\n  - compact\n  J: !If\n    - Cond\n    - 1\n";
  EXPECT_EQ(check_yaml(ok), "");
}

TEST(ConfigFiles, YamlCheckerRejectsBrokenFiles) {
  const std::vector<std::string> bad = {
      "a:\n\tb: 1\n",                 // tab indentation
      "a: 1\n  b: 2\n",               // indentation without an opening key
      "a:\n  b: 1\n  b: 2\n",         // duplicate key
      "a: \"open\n",                  // unterminated quote
      "a: [1, 2\n",                   // unclosed flow sequence
      "a: !Bogus x\n",                // unknown tag
      "a:\n  - 1\n  b: 2\n",          // list and mapping mixed
      "just a sentence\n",            // not key: value
      "a b c: 1\n",                   // invalid key
  };
  for (const auto& text : bad) EXPECT_NE(check_yaml(text), "") << text;
}

TEST(ConfigFiles, EveryYamlFileIsStructurallyValid) {
  auto files = files_with({".yml", ".yaml"});
  ASSERT_GE(files.size(), 3u) << "expected the compose file, the stack template and the CI workflow";
  for (const auto& f : files) EXPECT_EQ(check_yaml(slurp(f)), "") << f;
}

TEST(ConfigFiles, EveryJsonFileParses) {
  auto files = files_with({".json"});
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    EXPECT_TRUE(nlohmann::json::accept(slurp(f))) << f;
  }
}

TEST(ConfigFiles, TaskDefinitionIsFargateSizedWithSecretsAndHealthCheck) {
  auto td = nlohmann::json::parse(slurp(fs::path(BELLA_SOURCE_DIR) / "deploy/task-definition.json"));
  EXPECT_EQ(td["requiresCompatibilities"], nlohmann::json::array({"FARGATE"}));
  EXPECT_EQ(td["networkMode"], "awsvpc");
  EXPECT_EQ(td["cpu"], "256");
  EXPECT_EQ(td["memory"], "512");
  const auto& c = td["containerDefinitions"].at(0);
  EXPECT_EQ(c["stopTimeout"], 30);
  EXPECT_EQ(c["portMappings"].at(0)["containerPort"], 8000);
  EXPECT_EQ(c["logConfiguration"]["logDriver"], "awslogs");
  EXPECT_NE(c["healthCheck"]["command"].dump().find("/healthz"), std::string::npos);
  std::set<std::string> secrets, env;
  for (const auto& s : c["secrets"]) secrets.insert(s["name"].get<std::string>());
  for (const auto& e : c["environment"]) env.insert(e["name"].get<std::string>());
  for (const char* name : {"DATABASE_URL", "REDIS_URL", "TWILIO_AUTH_TOKEN", "OPENAI_API_KEY", "API_KEY"}) {
    EXPECT_TRUE(secrets.count(name)) << name << " must come from Secrets Manager";
    EXPECT_FALSE(env.count(name)) << name << " must not be a plain environment value";
  }
  EXPECT_TRUE(env.count("PUBLIC_BASE_URL"));
}

TEST(ConfigFiles, ComposeCommitsNoSecret) {
  // Secrets come from docker/.env (git-ignored) or the caller's environment, never the file.
  auto compose = slurp(fs::path(BELLA_SOURCE_DIR) / "docker/docker-compose.yml");
  for (const char* var : {"POSTGRES_PASSWORD:", "TWILIO_AUTH_TOKEN:", "API_KEY:", "OPENAI_API_KEY:"}) {
    auto at = compose.find(var);
    ASSERT_NE(at, std::string::npos) << var;
    auto line_end = compose.find('\n', at);
    EXPECT_NE(compose.substr(at, line_end - at).find("${"), std::string::npos) << var << " must be a ${...} reference";
  }
}

}  // namespace
}  // namespace bella::deploy
