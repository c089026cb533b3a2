#include "pipeline/template_set.h"

#include <kainjow/mustache.hpp>

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "pipeline/crypto.h"
#include "pipeline/error.h"

namespace imprint {

namespace mustache = kainjow::mustache;

struct TemplateSet::Compiled {
  std::string path;
  std::string text;
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
  TemplateSet set;
  set.dir_ = dir;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) throw Error(dir, 0, "cannot read the templates folder");
  std::vector<std::string> files;
  while (dirent* entry = readdir(d)) {
    const std::string name = entry->d_name;
    if (EndsWith(name, ".mustache")) files.push_back(name);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  for (const std::string& file : files) {
    const std::string path = dir + "/" + file;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) throw Error(path, 0, "cannot read the template");
    auto compiled = std::make_unique<Compiled>();
    compiled->path = path;
    compiled->text = text.str();
    const std::string name = file.substr(0, file.size() - 9);
    compiled->escape_html = EscapesMarkup(name);
    mustache::mustache parsed(compiled->text);
    if (!parsed.is_valid()) throw Error(path, 0, parsed.error_message());
    set.templates_[name] = std::move(compiled);
  }
  return set;
}

TemplateSet TemplateSet::FromString(const std::string& name, const std::string& text) {
  TemplateSet set;
  auto compiled = std::make_unique<Compiled>();
  compiled->path = name;
  compiled->text = text;
  compiled->escape_html = EscapesMarkup(name);
  mustache::mustache parsed(text);
  if (!parsed.is_valid()) throw Error(name, 0, parsed.error_message());
  set.templates_[name] = std::move(compiled);
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

std::string TemplateSet::Render(const std::string& name, const TemplateData& data) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) {
    throw Error(dir_.empty() ? name : dir_ + "/" + name + ".mustache", 0,
                "no such template");
  }
  const Compiled& compiled = *it->second;
  // kainjow's render mutates the template object, so each call parses its own
  // copy: that keeps Render() thread-safe, and parsing is cheap next to I/O.
  mustache::mustache tmpl(compiled.text);
  if (!compiled.escape_html) tmpl.set_custom_escape(&Identity);
  mustache::data context = ToMustache(data);
  for (const auto& [partial_name, partial] : templates_) {
    const std::string text = partial->text;
    context.set(partial_name, mustache::partial([text] { return text; }));
  }
  std::string out = tmpl.render(context);
  if (!tmpl.is_valid()) throw Error(compiled.path, 0, tmpl.error_message());
  return out;
}

}  // namespace imprint
