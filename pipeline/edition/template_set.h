// Templates: the page chrome, footers and package files in templates/.
//
// Every `NAME.mustache` file of the folder is read once, at load, with its
// partials expanded, and parsed once per thread that renders it (kainjow
// mustache). A markup template (NAME ending in
// .html, .xhtml, .xml, .opf, ...) escapes {{values}} for HTML and XML; a .txt,
// .md or .css one leaves them as they are, since its writer escapes for its
// own format. Partials
// ({{> NAME}}) name other templates of the set and escape as the template
// that includes them. TemplateData is this unit's
// own context type, so no other unit sees the mustache library. A loaded
// TemplateSet is immutable; Render() is thread-safe.
//
// Templates are strict: loading refuses an unclosed tag (`{{name}`, which
// mustache would read as text up to the next `}}`), a malformed one (`{{#}}`,
// `{{a b}}`, a set-delimiter tag) and a section not closed where it opens,
// naming the file and line. CheckNames() refuses a name the template's
// renderer does not give (a misspelt variable renders as nothing otherwise);
// each renderer owns the list of names its data holds (a TemplateUse).
#ifndef IMPRINT_PIPELINE_EDITION_TEMPLATE_SET_H_
#define IMPRINT_PIPELINE_EDITION_TEMPLATE_SET_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace imprint {

// A mustache context: a string, a boolean, a list or an object.
class TemplateData {
 public:
  enum class Kind { kString, kBool, kList, kObject };

  TemplateData() : kind_(Kind::kObject) {}
  TemplateData(std::string s) : kind_(Kind::kString), string_(std::move(s)) {}
  TemplateData(const char* s) : kind_(Kind::kString), string_(s) {}
  TemplateData(bool b) : kind_(Kind::kBool), bool_(b) {}
  static TemplateData List() { TemplateData d; d.kind_ = Kind::kList; return d; }

  // REQUIRES: kind() == kObject.
  TemplateData& Set(const std::string& key, TemplateData value);
  // REQUIRES: kind() == kList.
  TemplateData& Append(TemplateData value);

  Kind kind() const { return kind_; }
  const std::string& string() const { return string_; }
  bool boolean() const { return bool_; }
  const std::vector<TemplateData>& items() const { return items_; }
  const std::vector<std::pair<std::string, TemplateData>>& fields() const { return fields_; }

 private:
  Kind kind_;
  std::string string_;
  bool bool_ = false;
  std::vector<TemplateData> items_;
  std::vector<std::pair<std::string, TemplateData>> fields_;
};

// What one renderer gives one template: the template's name in the set and
// every name its data holds, sections' names and their items' names included
// (mustache looks a name up through the enclosing sections).
struct TemplateUse {
  std::string template_name;
  std::vector<std::string> names;
};

class TemplateSet {
 public:
  // Parses every *.mustache file in `dir`. Throws imprint::Error naming the
  // file of a template that does not parse, or the folder when unreadable.
  static TemplateSet Load(const std::string& dir);
  // One template from its text, for tests and for wording held in rights/.
  static TemplateSet FromString(const std::string& name, const std::string& text);

  TemplateSet();
  ~TemplateSet();
  TemplateSet(TemplateSet&&) noexcept;
  TemplateSet& operator=(TemplateSet&&) noexcept;

  // TemplateData converted once for the template engine, for rendering
  // several templates from the same values (an EPUB's pages).
  class Context {
   public:
    Context(Context&&) noexcept;
    ~Context();

   private:
    friend class TemplateSet;
    struct Data;
    explicit Context(std::unique_ptr<Data> data);
    std::unique_ptr<Data> data_;
  };
  static Context Prepare(const TemplateData& data);

  // `text` as a markup template renders a {{value}}: &, <, >, " and '
  // escaped. For checks that look for a value in rendered markup.
  static std::string EscapeMarkup(const std::string& text);

  bool Has(const std::string& name) const;
  // The file template `name` came from (its name for FromString()).
  std::string Path(const std::string& name) const;
  // Throws imprint::Error naming the file and line of the first variable or
  // section of use.template_name (or of a partial it includes) whose name is
  // not in use.names, or when the template is not in the set.
  void CheckNames(const TemplateUse& use) const;
  // Throws imprint::Error when `name` is not in the set or fails to render.
  std::string Render(const std::string& name, const TemplateData& data) const;
  std::string Render(const std::string& name, const Context& context) const;

  const std::string& dir() const { return dir_; }
  // SHA-256 (hex) over every template's name and text: changes with any edit.
  std::string Fingerprint() const;
  std::vector<std::string> Names() const;

 private:
  struct Compiled;
  const Compiled& Find(const std::string& name) const;
  void CheckNames(const Compiled& compiled, const TemplateUse& use, int depth) const;
  static TemplateSet FromSources(const std::map<std::string, std::string>& sources,
                                 const std::string& dir);
  std::string dir_;
  std::map<std::string, std::unique_ptr<Compiled>> templates_;
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_TEMPLATE_SET_H_
