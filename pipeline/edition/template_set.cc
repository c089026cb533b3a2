#include "pipeline/edition/template_set.h"

#include <kainjow/mustache.hpp>

#include <dirent.h>

#include <algorithm>
#include <unordered_map>
#include <fstream>
#include <sstream>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"

namespace imprint {

namespace mustache = kainjow::mustache;

struct TemplateSet::Compiled {
  std::string path;
  std::string text;       // with partials expanded
  bool escape_html = false;
};

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

mustache::data ToMustache(const TemplateData& d) {
  switch (d.kind()) {
    case TemplateData::Kind::kString:
      return mustache::data(d.string());
    case TemplateData::Kind::kBool:
      return mustache::data(d.boolean());
    case TemplateData::Kind::kList: {
      mustache::data list(mustache::data::type::list);
      for (const TemplateData& item : d.items()) list.push_back(ToMustache(item));
      return list;
    }
    case TemplateData::Kind::kObject:
      break;
  }
  mustache::data object(mustache::data::type::object);
  for (const auto& [key, value] : d.fields()) object.set(key, ToMustache(value));
  return object;
}

std::string Identity(const std::string& s) { return s; }

// kainjow's mustache objects are parsed once per thread and reused: parsing
// costs more than rendering, and render() is not documented as thread-safe.
// Keyed by the text itself, so a set made and dropped again and again (a
// watermark per personalised copy) reuses one parse instead of adding one.
mustache::mustache& Parsed(const std::string& text, bool escape_html) {
  thread_local std::unordered_map<std::string, std::unique_ptr<mustache::mustache>> cache[2];
  std::unique_ptr<mustache::mustache>& slot = cache[escape_html ? 1 : 0][text];
  if (!slot) {
    slot = std::make_unique<mustache::mustache>(text);
    if (!escape_html) slot->set_custom_escape(&Identity);
  }
  return *slot;
}

// Replaces each {{> NAME}} in `text` by the partial's text, recursively, so a
// render never parses a partial again.
std::string ExpandPartials(const std::string& text, const std::map<std::string, std::string>& sources,
                           const std::string& path, int depth = 0) {
  if (depth > 8) throw Error(path, 0, "partials nest too deeply (a cycle?)");
  std::string out;
  size_t pos = 0;
  for (size_t open; (open = text.find("{{>", pos)) != std::string::npos;) {
    const size_t close = text.find("}}", open);
    if (close == std::string::npos) break;
    std::string name = text.substr(open + 3, close - open - 3);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    auto it = sources.find(name);
    if (it == sources.end()) throw Error(path, 0, "no partial template '" + name + "'");
    out.append(text, pos, open - pos);
    out += ExpandPartials(it->second, sources, path, depth + 1);
    pos = close + 2;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

// Markup templates (HTML, XHTML, XML, OPF, ...) escape their values; plain
// text, Markdown and CSS do not, since their writers escape for themselves.
bool EscapesMarkup(const std::string& name) {
  return !(EndsWith(name, ".txt") || EndsWith(name, ".md") || EndsWith(name, ".css"));
}

}  // namespace

TemplateData& TemplateData::Set(const std::string& key, TemplateData value) {
  fields_.emplace_back(key, std::move(value));
  return *this;
}

TemplateData& TemplateData::Append(TemplateData value) {
  items_.push_back(std::move(value));
  return *this;
}

TemplateSet::TemplateSet() = default;
TemplateSet::~TemplateSet() = default;
TemplateSet::TemplateSet(TemplateSet&&) noexcept = default;
TemplateSet& TemplateSet::operator=(TemplateSet&&) noexcept = default;

TemplateSet TemplateSet::Load(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) throw Error(dir, 0, "cannot read the templates folder");
  std::vector<std::string> files;
  while (dirent* entry = readdir(d)) {
    const std::string name = entry->d_name;
    if (EndsWith(name, ".mustache")) files.push_back(name);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  std::map<std::string, std::string> sources;
  for (const std::string& file : files) {
    const std::string path = dir + "/" + file;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) throw Error(path, 0, "cannot read the template");
    sources[file.substr(0, file.size() - 9)] = text.str();
  }
  TemplateSet set = FromSources(sources, dir);
  set.dir_ = dir;
  return set;
}

TemplateSet TemplateSet::FromString(const std::string& name, const std::string& text) {
  return FromSources({{name, text}}, "");
}

TemplateSet TemplateSet::FromSources(const std::map<std::string, std::string>& sources,
                                     const std::string& dir) {
  TemplateSet set;
  for (const auto& [name, text] : sources) {
    auto compiled = std::make_unique<Compiled>();
    compiled->path = dir.empty() ? name : dir + "/" + name + ".mustache";
    compiled->text = ExpandPartials(text, sources, compiled->path);
    compiled->escape_html = EscapesMarkup(name);
    mustache::mustache parsed(compiled->text);
    if (!parsed.is_valid()) throw Error(compiled->path, 0, parsed.error_message());
    set.templates_[name] = std::move(compiled);
  }
  return set;
}

bool TemplateSet::Has(const std::string& name) const {
  return templates_.count(name) > 0;
}

std::string TemplateSet::Fingerprint() const {
  std::string all;
  for (const auto& [name, compiled] : templates_) {
    all += name + '\0' + std::to_string(compiled->text.size()) + '\0' + compiled->text;
  }
  return Sha256Hex(all);
}

std::vector<std::string> TemplateSet::Names() const {
  std::vector<std::string> names;
  for (const auto& entry : templates_) names.push_back(entry.first);
  return names;
}

struct TemplateSet::Context::Data {
  mustache::data value;
};

TemplateSet::Context::Context(std::unique_ptr<Data> data) : data_(std::move(data)) {}
TemplateSet::Context::Context(Context&&) noexcept = default;
TemplateSet::Context::~Context() = default;

TemplateSet::Context TemplateSet::Prepare(const TemplateData& data) {
  return Context(std::make_unique<Context::Data>(Context::Data{ToMustache(data)}));
}

std::string TemplateSet::Render(const std::string& name, const TemplateData& data) const {
  return Render(name, Prepare(data));
}

std::string TemplateSet::Render(const std::string& name, const Context& context) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) {
    throw Error(dir_.empty() ? name : dir_ + "/" + name + ".mustache", 0, "no such template");
  }
  const Compiled& compiled = *it->second;
  mustache::mustache& tmpl = Parsed(compiled.text, compiled.escape_html);
  std::string out = tmpl.render(context.data_->value);
  if (!tmpl.is_valid()) throw Error(compiled.path, 0, tmpl.error_message());
  return out;
}

}  // namespace imprint
