// A strict reader of the Prometheus text exposition format 0.0.4, for the
// metrics tests (metrics_test, server_metrics_test): every line a HELP, a
// TYPE or a sample; metric and label names of the format's characters; label
// values quoted with only its three escapes; a sample's family TYPEd before
// it, once; no series twice; a histogram's buckets cumulative, their le
// ascending, ending with +Inf equal to _count. Throws std::runtime_error
// naming the line and problem; returns each series ("name{labels}" as
// written) with its value.
#ifndef IMPRINT_TESTS_EXPOSITION_H_
#define IMPRINT_TESTS_EXPOSITION_H_

#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

namespace imprint::testing {

inline bool NameChar(char c, bool first, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
         (!first && c >= '0' && c <= '9');
}

inline size_t ReadName(const std::string& s, size_t at, bool colon) {
  size_t i = at;
  while (i < s.size() && NameChar(s[i], i == at, colon)) ++i;
  return i;
}

struct Exposition {
  std::map<std::string, double> series;        // "name{labels}" -> value
  std::map<std::string, std::string> types;    // family -> type
  double Get(const std::string& key, double fallback = -1) const {
    const auto it = series.find(key);
    return it == series.end() ? fallback : it->second;
  }
};

// The family a sample belongs to: its name, less a histogram's suffix.
inline std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      const auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

// Reads the labels after "{" from `i` to past "}", the le label apart;
// returns where it stopped.
template <typename Fail>
size_t ReadLabels(const std::string& line, size_t i, std::string* labels, std::string* le, const Fail& fail) {
  while (i < line.size() && line[i] != '}') {
    const size_t name_end = ReadName(line, i, false);
    if (name_end == i || line.compare(name_end, 2, "=\"") != 0) fail("bad label");
    const std::string label = line.substr(i, name_end - i);
    std::string value;
    for (i = name_end + 2; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] != '\\') {
        value += line[i];
        continue;
      }
      if (++i >= line.size() || (line[i] != '\\' && line[i] != '"' && line[i] != 'n')) fail("bad escape");
      value += line[i] == 'n' ? '\n' : line[i];
    }
    if (i >= line.size()) fail("unterminated label value");
    ++i;
    if (label == "le") {
      *le = value;
    } else {
      *labels += (labels->empty() ? "" : ",") + label + "=\"" + value + "\"";
    }
    if (i < line.size() && line[i] == ',') ++i;
  }
  if (i >= line.size()) fail("unterminated labels");
  return i + 1;
}

// Checks a TYPE or HELP line; false when `line` is neither.
inline bool ReadComment(const std::string& line, Exposition* e, std::set<std::string>* helped,
                        const std::function<void(const std::string&)>& fail) {
  if (line.rfind("# HELP ", 0) != 0 && line.rfind("# TYPE ", 0) != 0) return false;
  const size_t end = ReadName(line, 7, true);
  if (end == 7 || end >= line.size() || line[end] != ' ') fail("bad metric name");
  const std::string name = line.substr(7, end - 7), rest = line.substr(end + 1);
  if (line[2] == 'H' && !helped->insert(name).second) fail("a second HELP");
  if (line[2] == 'T') {
    if (rest != "counter" && rest != "gauge" && rest != "histogram") fail("unknown type");
    if (!e->types.emplace(name, rest).second) fail("a second TYPE");
  }
  return true;
}

inline Exposition ParseExposition(const std::string& text) {
  Exposition e;
  std::set<std::string> helped;
  std::map<std::string, double> last_bucket;  // histogram series (labels less le) -> last cumulative count
  std::map<std::string, double> last_le;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  const std::function<void(const std::string&)> fail = [&](const std::string& why) {
    throw std::runtime_error("line " + std::to_string(n) + ": " + why + ": " + line);
  };
  if (text.empty() || text.back() != '\n') throw std::runtime_error("the exposition does not end with a newline");
  while (std::getline(in, line)) {
    ++n;
    if (ReadComment(line, &e, &helped, fail)) continue;
    if (line.empty() || line[0] == '#') fail("not a HELP, TYPE or sample line");
    size_t i = ReadName(line, 0, true);
    if (i == 0) fail("bad metric name");
    const std::string name = line.substr(0, i);
    std::string labels, le;
    if (i < line.size() && line[i] == '{') i = ReadLabels(line, i + 1, &labels, &le, fail);
    if (i >= line.size() || line[i] != ' ') fail("no value");
    const std::string value_text = line.substr(i + 1);
    char* end = nullptr;
    const double value = value_text == "+Inf" ? INFINITY : std::strtod(value_text.c_str(), &end);
    if (value_text != "+Inf" && (value_text.empty() || *end != '\0')) fail("bad value");
    const std::string family = FamilyOf(name, e.types);
    if (!e.types.count(family)) fail("a sample before its TYPE");
    if (e.types[family] == "counter" && name.size() > 6 && name.compare(name.size() - 6, 6, "_total") != 0) {
      fail("a counter not named _total");
    }
    const std::string key = name + "{" + labels + (le.empty() ? "" : (labels.empty() ? "" : ",") + ("le=\"" + le + "\"")) + "}";
    if (!e.series.emplace(key, value).second) fail("a series twice");
    if (name == family + "_bucket") {
      const std::string h = family + "{" + labels + "}";
      const double bound = le == "+Inf" ? INFINITY : std::strtod(le.c_str(), nullptr);
      if (last_le.count(h) && (bound <= last_le[h] || value < last_bucket[h])) fail("buckets out of order");
      last_le[h] = bound;
      last_bucket[h] = value;
    } else if (name == family + "_count" && e.types[family] == "histogram") {
      const std::string h = family + "{" + labels + "}";
      if (!std::isinf(last_le[h]) || last_bucket[h] != value) fail("_count is not the +Inf bucket");
    }
  }
  return e;
}

}  // namespace imprint::testing

#endif  // IMPRINT_TESTS_EXPOSITION_H_
