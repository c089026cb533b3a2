// The project's structure, as the build enforces it (issue 14): the layers of
// pipeline/ include only downwards, project headers include no cycle, no
// source file is over 500 lines, no function over 60, nothing points
// outside the project, and no regular expression library is used (issue
// 12). Reads the source tree named by IMPRINT_SOURCE.
#define BOOST_TEST_MODULE structure
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support.h"

namespace imprint {
namespace {

namespace fs = std::filesystem;
using namespace testing;

constexpr size_t kMaxFileLines = 500;
constexpr int kMaxFunctionLines = 60;
// pipeline/'s layers, lowest first: each includes only its own and lower ones.
const std::vector<std::string> kLayers = {"base", "signing", "edition", "search", "license", "server", "cli"};

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The project's C++ sources, relative to the root: pipeline/, tests/ (not
// its data or node_modules), fuzz/ and bench/.
std::vector<std::string> Sources() {
  std::vector<std::string> out;
  const fs::path root = SourceDir();
  for (const char* top : {"pipeline", "tests", "fuzz", "bench"}) {
    for (auto it = fs::recursive_directory_iterator(root / top); it != fs::recursive_directory_iterator(); ++it) {
      const std::string name = it->path().filename().string();
      if (it->is_directory() && (name == "node_modules" || name == "data")) {
        it.disable_recursion_pending();
        continue;
      }
      const std::string ext = it->path().extension().string();
      if (it->is_regular_file() && (ext == ".cc" || ext == ".h")) {
        out.push_back(fs::relative(it->path(), root).string());
      }
    }
  }
  BOOST_REQUIRE_GT(out.size(), 50u);
  return out;
}

// The code with comments, string and character literals blanked (line breaks
// kept), so that braces and quotes inside them count for nothing.
std::string CodeOnly(const std::string& text) {
  std::string out = text;
  size_t i = 0;
  auto blank = [&out](size_t from, size_t to) {
    for (size_t k = from; k < to && k < out.size(); ++k) {
      if (out[k] != '\n') out[k] = ' ';
    }
  };
  while (i < text.size()) {
    if (text.compare(i, 2, "//") == 0) {
      const size_t end = text.find('\n', i);
      blank(i, end == std::string::npos ? text.size() : end);
      i = end == std::string::npos ? text.size() : end;
    } else if (text.compare(i, 2, "/*") == 0) {
      const size_t end = text.find("*/", i + 2);
      const size_t stop = end == std::string::npos ? text.size() : end + 2;
      blank(i, stop);
      i = stop;
    } else if (text.compare(i, 2, "R\"") == 0 && (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      const size_t open = text.find('(', i);
      const std::string close = ")" + text.substr(i + 2, open - i - 2) + "\"";
      const size_t end = text.find(close, open);
      const size_t stop = end == std::string::npos ? text.size() : end + close.size();
      blank(i, stop);
      i = stop;
    } else if (text[i] == '"' || (text[i] == '\'' && (i == 0 || !std::isxdigit(static_cast<unsigned char>(text[i - 1]))))) {
      const char quote = text[i];
      size_t k = i + 1;
      while (k < text.size() && text[k] != quote && text[k] != '\n') k += text[k] == '\\' ? 2 : 1;
      blank(i, k + 1);
      i = k + 1;
    } else {
      ++i;
    }
  }
  return out;
}

struct Function {
  int line = 0;   // of its opening brace
  int lines = 0;  // from its opening brace to its closing one
  std::string head;
};

bool IsWord(const std::string& head, const std::string& word) {
  for (size_t at = head.find(word); at != std::string::npos; at = head.find(word, at + 1)) {
    const bool start = at == 0 || !std::isalnum(static_cast<unsigned char>(head[at - 1]));
    const size_t end = at + word.size();
    const bool stop = end == head.size() || !std::isalnum(static_cast<unsigned char>(head[end]));
    if (start && stop) return true;
  }
  return false;
}

// Every block that opens where a function may be defined (in a namespace or a
// class) and reads as a function body: a head with parentheses that is not an
// initializer (a table) and not a type.
std::vector<Function> Functions(const std::string& code) {
  std::vector<Function> out;
  std::vector<bool> scope_stack;  // per open brace: a namespace or type
  size_t head_start = 0;
  int line = 1, open_line = 0;
  int body_depth = -1;  // depth of the function being measured, or -1
  std::string open_head;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '\n') ++line;
    if (c == ';') head_start = i + 1;
    if (c == '{') {
      const std::string head = code.substr(head_start, i - head_start);
      const bool in_scope = body_depth < 0;
      bool scope = false;
      if (in_scope) {
        const size_t last = head.find_last_not_of(" \n\t");
        const bool initializer = last != std::string::npos && (head[last] == '=' || head[last] == ',');
        const bool type = IsWord(head, "namespace") ||
                          ((IsWord(head, "extern") || IsWord(head, "class") || IsWord(head, "struct") || IsWord(head, "enum") ||
                            IsWord(head, "union")) &&
                           head.find('(') == std::string::npos);
        scope = type;
        if (!type && !initializer && head.find('(') != std::string::npos) {
          body_depth = static_cast<int>(scope_stack.size());
          open_line = line;
          open_head = head;
        }
      }
      scope_stack.push_back(scope);
      head_start = i + 1;
    } else if (c == '}') {
      if (!scope_stack.empty()) scope_stack.pop_back();
      if (body_depth == static_cast<int>(scope_stack.size())) {
        body_depth = -1;
        out.push_back({open_line, line - open_line + 1, open_head});
      }
      head_start = i + 1;
    }
  }
  return out;
}

std::vector<std::string> Includes(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream lines(text);
  for (std::string l; std::getline(lines, l);) {
    const std::string directive = "#include \"";
    if (l.rfind(directive, 0) != 0) continue;
    const size_t end = l.find('"', directive.size());
    if (end != std::string::npos) out.push_back(l.substr(directive.size(), end - directive.size()));
  }
  return out;
}

// "edition" for "pipeline/edition/build.cc"; "" outside the layers.
std::string LayerOf(const std::string& path) {
  if (path.rfind("pipeline/", 0) != 0) return "";
  const size_t slash = path.find('/', 9);
  return slash == std::string::npos ? "" : path.substr(9, slash - 9);
}

int Rank(const std::string& layer) {
  for (size_t i = 0; i < kLayers.size(); ++i) {
    if (kLayers[i] == layer) return static_cast<int>(i);
  }
  return -1;
}

BOOST_AUTO_TEST_CASE(no_source_file_is_over_500_lines) {
  for (const std::string& file : Sources()) {
    const std::string text = Slurp(fs::path(SourceDir()) / file);
    const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    BOOST_TEST(lines <= kMaxFileLines, file << " has " << lines << " lines");
  }
}

BOOST_AUTO_TEST_CASE(no_function_is_over_60_lines) {
  // The scanner itself, on code it must measure.
  const std::vector<Function> seen = Functions(CodeOnly(
      "namespace a {\nconst int kTable[] = {\n1,\n2};\nstruct S {\n  int F() {\n    if (x) { y(\"}\"); }\n"
      "    return 1;\n  }\n};\nvoid G(int v) {\n  auto f = [] { return '{'; };\n}\n}  // namespace a\n"));
  BOOST_REQUIRE_EQUAL(seen.size(), 2u);
  BOOST_TEST(seen[0].line == 6);
  BOOST_TEST(seen[0].lines == 4);
  BOOST_TEST(seen[1].lines == 3);
  for (const std::string& file : Sources()) {
    for (const Function& f : Functions(CodeOnly(Slurp(fs::path(SourceDir()) / file)))) {
      BOOST_TEST(f.lines <= kMaxFunctionLines, file << ":" << f.line << ": a function of " << f.lines << " lines");
    }
  }
}

BOOST_AUTO_TEST_CASE(layers_include_only_their_own_and_lower_layers) {
  int checked = 0;
  for (const std::string& file : Sources()) {
    const std::string layer = LayerOf(file);
    if (layer.empty()) continue;
    BOOST_TEST(Rank(layer) >= 0, file << " is in no known layer");
    for (const std::string& include : Includes(Slurp(fs::path(SourceDir()) / file))) {
      if (include.rfind("pipeline/", 0) != 0) continue;
      ++checked;
      BOOST_TEST(Rank(LayerOf(include)) <= Rank(layer),
                 file << " (" << layer << ") includes " << include << ", a layer above it");
    }
  }
  BOOST_TEST(checked > 100);
}

BOOST_AUTO_TEST_CASE(project_headers_include_no_cycle) {
  std::map<std::string, std::vector<std::string>> graph;
  for (const std::string& file : Sources()) graph[file] = Includes(Slurp(fs::path(SourceDir()) / file));
  std::map<std::string, int> state;  // 1: on the path, 2: done
  std::vector<std::string> path;
  std::function<void(const std::string&)> visit = [&](const std::string& node) {
    state[node] = 1;
    path.push_back(node);
    for (const std::string& next : graph[node]) {
      if (!graph.count(next)) continue;
      if (state[next] == 1) {
        std::string cycle;
        for (auto it = std::find(path.begin(), path.end(), next); it != path.end(); ++it) cycle += *it + " -> ";
        BOOST_ERROR("include cycle: " << cycle << next);
      } else if (state[next] == 0) {
        visit(next);
      }
    }
    path.pop_back();
    state[node] = 2;
  };
  for (const auto& entry : graph) {
    if (state[entry.first] == 0) visit(entry.first);
  }
}

// Issue 12, point 4: `imprint trace` overflowed its stack in a backtracking
// regular expression on a 100 KB file of "license" and a's. No regular
// expression library (std::regex, Boost.Regex or Xpressive, POSIX regcomp,
// PCRE) is used in the program or the fuzz targets: scanners are written by
// hand. The tests may use one as a referee on inputs they make themselves.
BOOST_AUTO_TEST_CASE(no_backtracking_regular_expression_in_the_program) {
  const std::vector<std::string> kWords = {"regex", "regcomp", "regexec", "pcre", "xpressive"};
  const auto uses = [&kWords](const std::string& code) {
    for (const std::string& word : kWords) {
      if (code.find(word) != std::string::npos) return word;
    }
    return std::string();
  };
  // The check sees a use, and not a comment or a string that names one.
  BOOST_TEST(uses(CodeOnly("#include <regex>\nint x;\n")) == "regex");
  BOOST_TEST(uses(CodeOnly("#include <boost/xpressive/xpressive.hpp>\n")) == "xpressive");
  BOOST_TEST(uses(CodeOnly("// decoded by hand (no regex)\nconst char* k = \"regex\";\n")).empty());
  int checked = 0;
  for (const std::string& file : Sources()) {
    if (file.rfind("tests/", 0) == 0) continue;
    ++checked;
    const std::string word = uses(CodeOnly(Slurp(fs::path(SourceDir()) / file)));
    BOOST_TEST(word.empty(), file << " uses a regular expression library (" << word << ")");
  }
  BOOST_TEST(checked > 50);
}

BOOST_AUTO_TEST_CASE(nothing_points_outside_the_project) {
  const std::string needle = std::string("../") + "shared";
  const fs::path root = SourceDir();
  for (const char* top : {"README.md", "docs", "pipeline", "tests", "scripts", "bench", "fuzz", ".ci"}) {
    if (!fs::exists(root / top)) continue;
    std::vector<fs::path> files;
    if (fs::is_regular_file(root / top)) {
      files.push_back(root / top);
    } else {
      for (auto it = fs::recursive_directory_iterator(root / top); it != fs::recursive_directory_iterator(); ++it) {
        if (it->is_directory() && it->path().filename() == "node_modules") it.disable_recursion_pending();
        if (it->is_regular_file()) files.push_back(it->path());
      }
    }
    for (const fs::path& file : files) {
      BOOST_TEST(Slurp(file).find(needle) == std::string::npos, file.string() << " points at " << needle);
    }
  }
}

}  // namespace
}  // namespace imprint
