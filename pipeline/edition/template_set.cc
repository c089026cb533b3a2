#include "pipeline/edition/template_set.h"

#include <kainjow/mustache.hpp>

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"

namespace imprint {

namespace mustache = kainjow::mustache;

namespace {

// One mustache tag of a template's own text (partials not expanded).
struct Tag {
  char kind = 0;  // 0 a variable, '{' or '&' unescaped, '#' '^' '/' sections, '>' a partial, '!' a comment
  std::string name;
  int line = 0;
};

}  // namespace

struct TemplateSet::Compiled {
  std::string path;
  std::string text;       // with partials expanded
  bool escape_html = false;
  std::vector<Tag> tags;  // of the template's own text, for CheckNames()
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

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// The tag at `open` as written, for a message: up to its first '}' (or the
// next '{' or the end of its line), at most 40 characters.
std::string Excerpt(const std::string& text, size_t open) {
  const size_t body = text.find_first_not_of('{', open);
  size_t end = std::min(text.find_first_of("{}\n", body), text.size());
  if (end < text.size() && text[end] == '}') ++end;
  return text.substr(open, std::min<size_t>(end - open, 40));
}

std::string_view Trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads the tag opening at `open` (on `line`) and sets *end past it. A tag
// must close on its own line with a plain name: mustache itself would read
// `{{holder_url}.` as a variable named by everything up to the next `}}`.
Tag ReadTag(const std::string& text, size_t open, int line, const std::string& path, size_t* end) {
  const bool triple = text.compare(open, 3, "{{{") == 0;
  const std::string closer = triple ? "}}}" : "}}";
  const size_t body = open + closer.size();
  const size_t close = text.find(closer, body);
  if (close == std::string::npos) {
    throw Error(path, line, "unclosed tag '" + Excerpt(text, open) + "': no '" + closer + "' follows");
  }
  *end = close + closer.size();
  Tag tag{triple ? '{' : '\0', "", line};
  std::string_view inner(text.data() + body, close - body);
  // A comment holds no tag: "{{! {{>x}} }}" would still have its partial
  // spliced in (ExpandPartials) and render what was not checked.
  if (!triple && !inner.empty() && inner.front() == '!') {
    if (inner.find("{{") != std::string_view::npos) {
      throw Error(path, line, "a comment holds a tag: '" + Excerpt(text, open) + "'");
    }
    return Tag{'!', "", line};
  }
  if (!triple && !inner.empty() && std::string_view("#^/&>=").find(inner.front()) != std::string_view::npos) {
    tag.kind = inner.front();
    inner.remove_prefix(1);
  }
  if (inner.find_first_of("{}\n") != std::string_view::npos) {
    throw Error(path, line, "unclosed tag '" + Excerpt(text, open) + "': a tag ends with '" + closer + "'");
  }
  const std::string written = text.substr(open, *end - open);
  if (tag.kind == '=') {
    throw Error(path, line, "set-delimiter tag '" + written + "' is not supported: tags are {{ }}");
  }
  inner = Trimmed(inner);
  if (inner.empty()) throw Error(path, line, "malformed tag '" + written + "': no name");
  if (!std::all_of(inner.begin(), inner.end(), IsNameChar)) {
    throw Error(path, line, "malformed tag '" + written + "': a name is letters, digits, '_', '-' and '.'");
  }
  tag.name = std::string(inner);
  return tag;
}

// Keeps the open sections of a scan: each {{/name}} closes the innermost.
void NestSection(const Tag& tag, const std::string& path, std::vector<Tag>* open) {
  if (tag.kind == '#' || tag.kind == '^') open->push_back(tag);
  if (tag.kind != '/') return;
  if (open->empty()) throw Error(path, tag.line, "'{{/" + tag.name + "}}' closes no open section");
  if (open->back().name != tag.name) {
    throw Error(path, tag.line,
                "'{{/" + tag.name + "}}' closes no open section: '{{" + std::string(1, open->back().kind) +
                    open->back().name + "}}' opened on line " + std::to_string(open->back().line) +
                    " is still open");
  }
  open->pop_back();
}

// Every tag of `text`, checked: closed, well formed, sections nested. Throws
// imprint::Error naming `path` and the line of the first bad tag.
std::vector<Tag> ScanTags(const std::string& text, const std::string& path) {
  std::vector<Tag> tags;
  std::vector<Tag> open_sections;
  int line = 1;
  size_t counted = 0;
  size_t pos = 0;
  for (size_t open; (open = text.find("{{", pos)) != std::string::npos;) {
    line += static_cast<int>(std::count(text.begin() + counted, text.begin() + open, '\n'));
    counted = open;
    tags.push_back(ReadTag(text, open, line, path, &pos));
    NestSection(tags.back(), path, &open_sections);
  }
  if (!open_sections.empty()) {
    const Tag& tag = open_sections.back();
    throw Error(path, tag.line,
                "unclosed section '{{" + std::string(1, tag.kind) + tag.name + "}}': no '{{/" + tag.name +
                    "}}' follows");
  }
  return tags;
}

// The line of kainjow's "... at OFFSET" in `text`, 0 when it names none.
int LineOfMessage(const std::string& text, const std::string& message) {
  const size_t at = message.rfind(" at ");
  if (at == std::string::npos) return 0;
  const size_t offset = std::strtoul(message.c_str() + at + 4, nullptr, 10);
  if (offset > text.size()) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

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

constexpr size_t kMaxExpanded = 1 << 20;

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
  // Partials used many times on each level would multiply beyond any page.
  if (out.size() > kMaxExpanded) throw Error(path, 0, "the template and its partials exceed 1 MB");
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
    compiled->tags = ScanTags(text, compiled->path);
    for (const Tag& tag : compiled->tags) {
      if (tag.kind == '>' && sources.count(tag.name) == 0) {
        throw Error(compiled->path, tag.line, "no partial template '" + tag.name + "'");
      }
    }
    compiled->text = ExpandPartials(text, sources, compiled->path);
    compiled->escape_html = EscapesMarkup(name);
    mustache::mustache parsed(compiled->text);
    if (!parsed.is_valid()) {
      const int line = compiled->text == text ? LineOfMessage(text, parsed.error_message()) : 0;
      throw Error(compiled->path, line, parsed.error_message());
    }
    set.templates_[name] = std::move(compiled);
  }
  return set;
}

bool TemplateSet::Has(const std::string& name) const {
  return templates_.count(name) > 0;
}

const TemplateSet::Compiled& TemplateSet::Find(const std::string& name) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) {
    throw Error(dir_.empty() ? name : dir_ + "/" + name + ".mustache", 0, "no such template");
  }
  return *it->second;
}

std::string TemplateSet::Path(const std::string& name) const {
  auto it = templates_.find(name);
  if (it != templates_.end()) return it->second->path;
  return dir_.empty() ? name : dir_ + "/" + name + ".mustache";
}

void TemplateSet::CheckNames(const TemplateUse& use) const {
  CheckNames(Find(use.template_name), use, 0);
}

// A partial is checked against the names of the template that includes it,
// and its errors name the partial's own file.
void TemplateSet::CheckNames(const Compiled& compiled, const TemplateUse& use, int depth) const {
  for (const Tag& tag : compiled.tags) {
    if (tag.kind == '>') {
      if (depth < 8) CheckNames(Find(tag.name), use, depth + 1);
      continue;
    }
    if (tag.kind == '!' || tag.kind == '/' || tag.name == ".") continue;
    // A dotted name must be listed whole: no renderer gives nested objects,
    // so `{{copyright.x}}` would render as nothing.
    if (std::find(use.names.begin(), use.names.end(), tag.name) != use.names.end()) continue;
    throw Error(compiled.path, tag.line,
                std::string(tag.kind == '#' || tag.kind == '^' ? "unknown section '" : "unknown variable '") +
                    tag.name + "': what renders " + use.template_name + " gives " + Joined(use.names));
  }
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

std::string TemplateSet::EscapeMarkup(const std::string& text) {
  return mustache::html_escape<std::string>(text);
}

TemplateSet::Context TemplateSet::Prepare(const TemplateData& data) {
  return Context(std::make_unique<Context::Data>(Context::Data{ToMustache(data)}));
}

std::string TemplateSet::Render(const std::string& name, const TemplateData& data) const {
  return Render(name, Prepare(data));
}

std::string TemplateSet::Render(const std::string& name, const Context& context) const {
  const Compiled& compiled = Find(name);
  mustache::mustache& tmpl = Parsed(compiled.text, compiled.escape_html);
  std::string out = tmpl.render(context.data_->value);
  if (!tmpl.is_valid()) throw Error(compiled.path, 0, tmpl.error_message());
  return out;
}

}  // namespace imprint
