#include "pipeline/edition/build_state.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "pipeline/base/error.h"
#include "pipeline/base/json_string.h"
#include "pipeline/base/file_system.h"

namespace imprint {
namespace {

// /3: a row ends with the headlines (a state of /2 only costs a rebuild).
constexpr char kHeader[] = "# imprint-state/3";

// Tabs and line breaks cannot stand in a field; none of ours should hold them.
std::string Field(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    const size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

// Headlines as one field: a JSON array of strings, whose escaping leaves no
// tab or line break in it, whatever a headline holds.
std::string HeadlinesField(const std::vector<std::string>& headlines) {
  std::string out = "[";
  for (const std::string& h : headlines) {
    if (out.size() > 1) out += ',';
    AppendJsonString(h, &out);
  }
  return out + "]";
}

// Throws (any std::exception) when `field` is not such an array.
std::vector<std::string> ParseHeadlines(const std::string& field) {
  Poco::JSON::Parser parser;
  const Poco::JSON::Array::Ptr list = parser.parse(field).extract<Poco::JSON::Array::Ptr>();
  std::vector<std::string> headlines;
  for (unsigned i = 0; i < list->size(); ++i) {
    if (!list->get(i).isString()) throw std::invalid_argument("a headline is not a string");
    headlines.push_back(list->get(i).convert<std::string>());
  }
  return headlines;
}

}  // namespace

std::string BuildState::PathIn(const std::string& out_dir) { return out_dir + "/.imprint/state.tsv"; }

BuildState BuildState::Load(const std::string& out_dir) {
  BuildState state;
  std::string text;
  try {
    text = ReadRegularFile(PathIn(out_dir));  // a FIFO planted there never blocks
  } catch (const Error&) {
    return state;
  }
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kHeader) return state;
  while (std::getline(in, line)) {
    const auto f = Split(line);
    if (f.size() != 17) return BuildState();  // damaged: start afresh
    try {
      StateRow row;
      row.input = f[0];
      row.size = std::stoull(f[1]);
      row.mtime_ns = std::stoll(f[2]);
      row.raw_sha256 = f[3];
      row.inputs_sha256 = f[4];
      row.edition = {{f[6], f[7], std::stoi(f[8]), std::stoi(f[9]), f[10], f[11]}, f[5], std::stoi(f[12]),
                     f[13], f[14], f[15]};
      row.edition.headlines = ParseHeadlines(f[16]);
      state.Put(std::move(row));
    } catch (const std::exception&) {  // Poco's exceptions are std::exceptions too
      return BuildState();
    }
  }
  return state;
}

void BuildState::Save(const std::string& out_dir) const {
  std::string out = std::string(kHeader) + "\n";
  for (const auto& [input, r] : rows_) {
    const CatalogEntry& e = r.edition;
    out += Field(r.input) + '\t' + std::to_string(r.size) + '\t' + std::to_string(r.mtime_ns) + '\t' +
           r.raw_sha256 + '\t' + r.inputs_sha256 + '\t' + e.edition + '\t' + e.publication + '\t' +
           Field(e.publication_name) + '\t' + std::to_string(e.volume) + '\t' +
           std::to_string(e.issue) + '\t' + e.date + '\t' + Field(e.title) + '\t' + std::to_string(e.revision) +
           '\t' + e.manifest_sha256 + '\t' + e.corrected + '\t' + e.embargo + '\t' + HeadlinesField(e.headlines) + '\n';
  }
  RemoveUnlessRegular(PathIn(out_dir));  // a FIFO planted in its place would block the write
  WriteFileAtomic(PathIn(out_dir), out);
}

const StateRow* BuildState::Find(const std::string& input) const {
  auto it = rows_.find(input);
  return it == rows_.end() ? nullptr : &it->second;
}

const StateRow* BuildState::FindEdition(const std::string& edition) const {
  auto it = inputs_.find(edition);
  return it == inputs_.end() ? nullptr : Find(it->second);
}

void BuildState::Put(StateRow row) {
  if (auto old = rows_.find(row.input); old != rows_.end()) {  // with its claim on an edition
    inputs_.erase(old->second.edition.edition);
    rows_.erase(old);
  }
  auto [owner, inserted] = inputs_.emplace(row.edition.edition, row.input);
  if (!inserted) {  // another input built it before: this one built it last
    rows_.erase(owner->second);
    owner->second = row.input;
  }
  const std::string key = row.input;
  rows_[key] = std::move(row);
}

std::vector<CatalogEntry> BuildState::Editions() const {
  std::vector<CatalogEntry> entries;
  for (const auto& [input, r] : rows_) entries.push_back(r.edition);
  return entries;
}

}  // namespace imprint
