#include "pipeline/edition/manifest.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>
#include <type_traits>

#include "pipeline/base/canonical_json.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"

namespace imprint {
namespace {

constexpr char kFormat[] = "imprint-manifest/1";

}  // namespace

std::string TextSha256(const Document& doc) {
  // One line a field; no field holds a line break (raw_reader), so the lines
  // cannot run into each other.
  std::string text = "imprint-text/1\n" + doc.publication.slug + '\n' + std::to_string(doc.volume) + '\n' +
                     std::to_string(doc.issue) + '\n' + doc.date + '\n';
  for (const Article& a : doc.articles) {
    text += "A\t" + a.headline + '\n';
    for (const Paragraph& p : a.paragraphs) text += "P\t" + p.text + '\n';
  }
  return Sha256Hex(text);
}

ManifestArtifact DescribeArtifact(const std::string& name, const std::string& bytes) {
  return ManifestArtifact{name, bytes.size(), Sha256Hex(bytes)};
}

std::string ManifestJson(const Document& doc, const std::string& edition,
                         const std::vector<ManifestArtifact>& artifacts,
                         const std::string& key_id, const std::string& inputs_sha256) {
  using Poco::JSON::Array;
  using Poco::JSON::Object;
  Array::Ptr list = new Array;
  for (const ManifestArtifact& a : artifacts) {
    Object::Ptr o = new Object;
    o->set("name", a.name);
    o->set("size", static_cast<Poco::Int64>(a.size));
    o->set("sha256", a.sha256);
    list->add(o);
  }
  Object::Ptr issue = new Object;
  issue->set("publication", doc.publication.slug);
  issue->set("publication_name", doc.publication.display_name);
  issue->set("volume", doc.volume);
  issue->set("issue", doc.issue);
  issue->set("title", doc.title);
  issue->set("language", doc.publication.language);
  if (!doc.date.empty()) issue->set("date", doc.date);
  issue->set("headlines", [&doc] {
    Array::Ptr headlines = new Array;
    for (const Article& a : doc.articles) {
      if (!a.headline.empty()) headlines->add(a.headline);
    }
    return headlines;
  }());
  Object::Ptr rights = new Object;
  rights->set("holder", doc.rights.holder);
  rights->set("copyright", doc.rights.copyright);
  rights->set("year", doc.rights.year);
  rights->set("statement", doc.rights.statement);
  rights->set("license", doc.rights.license_url);

  Object::Ptr root = new Object;
  root->set("format", std::string(kFormat));
  root->set("edition", edition);
  root->set("artifacts", list);
  root->set("issue", issue);
  root->set("rights", rights);
  root->set("key_id", key_id);
  root->set("inputs_sha256", inputs_sha256);
  root->set("text_sha256", TextSha256(doc));
  root->set("revision", Revision(doc));
  if (!doc.corrections.empty()) {
    Array::Ptr corrections = new Array;
    for (const Correction& c : doc.corrections) {
      Object::Ptr o = new Object;
      o->set("date", c.date);
      o->set("note", c.note);
      corrections->add(o);
    }
    root->set("corrections", corrections);
    root->set("supersedes", doc.corrections.back().supersedes);
  }
  if (!doc.embargo.empty()) root->set("embargo", doc.embargo);
  std::ostringstream json;
  root->stringify(json);
  return Canonicalize(json.str(), kManifestName);
}

namespace {

using Poco::JSON::Object;

// The manifest's text as a JSON object; Poco's exceptions become
// imprint::Error naming `file`.
Object::Ptr ParseObject(const std::string& text, const std::string& file) {
  Poco::Dynamic::Var root;
  try {
    Poco::JSON::Parser parser;
    root = parser.parse(text);
  } catch (const Poco::Exception& e) {
    throw Error(file, 0, "the manifest is not valid JSON: " + e.displayText());
  }
  if (root.type() != typeid(Object::Ptr)) throw Error(file, 0, "the manifest is not a JSON object");
  return root.extract<Object::Ptr>();
}

// Member `name` of `object` as a T (std::string, int or int64_t), or an
// Error naming the member.
template <typename T>
T Member(const Object::Ptr& object, const std::string& name, const std::string& file) {
  const Poco::Dynamic::Var value = object->get(name);
  if (value.isEmpty()) throw Error(file, 0, "the manifest has no '" + name + "'");
  constexpr bool kText = std::is_same<T, std::string>::value;
  if (kText ? !value.isString() : !value.isInteger()) {
    throw Error(file, 0, "the manifest's '" + name + "' is not " + (kText ? "a string" : "an integer"));
  }
  try {
    return value.convert<T>();
  } catch (const Poco::Exception& e) {
    throw Error(file, 0, "the manifest's '" + name + "': " + e.displayText());
  }
}

// Member `name` of `object` when it is an object (or an array), else null;
// an Error when it is there but of another type.
template <typename Ptr>
Ptr Part(const Object::Ptr& object, const std::string& name, const char* kind, const std::string& file) {
  const Poco::Dynamic::Var value = object->get(name);
  if (value.isEmpty()) return nullptr;
  if (value.type() != typeid(Ptr)) throw Error(file, 0, "the manifest's '" + name + "' is not " + kind);
  return value.extract<Ptr>();
}

// The members of an edition's life: revision, what it supersedes, its
// corrections, text digest and embargo; a manifest without them is revision 1.
void ParseHistory(const Object::Ptr& root, const std::string& file, Manifest* m) {
  m->text_sha256 = root->has("text_sha256") ? Member<std::string>(root, "text_sha256", file) : "";
  m->embargo = root->has("embargo") ? Member<std::string>(root, "embargo", file) : "";
  m->revision = root->has("revision") ? Member<int>(root, "revision", file) : 1;
  if (m->revision < 1) throw Error(file, 0, "the manifest's 'revision' is not a whole number from 1");
  if (m->revision == 1) return;
  m->supersedes = Member<std::string>(root, "supersedes", file);
  const auto list = Part<Poco::JSON::Array::Ptr>(root, "corrections", "an array", file);
  for (unsigned i = 0; list && i < list->size(); ++i) {
    const Object::Ptr o = list->getObject(i);
    if (!o) throw Error(file, 0, "the manifest's correction " + std::to_string(i + 1) + " is not an object");
    m->corrections.push_back({Member<std::string>(o, "date", file), Member<std::string>(o, "note", file)});
  }
  if (m->corrections.size() != static_cast<size_t>(m->revision - 1)) {
    throw Error(file, 0, "the manifest is revision " + std::to_string(m->revision) + " but lists " +
                             std::to_string(m->corrections.size()) + " corrections");
  }
}

// The issue's `headlines`, when it has them: an array of strings.
std::vector<std::string> Headlines(const Object::Ptr& issue, const std::string& file) {
  std::vector<std::string> headlines;
  if (!issue->has("headlines")) return headlines;
  const Poco::JSON::Array::Ptr list = issue->getArray("headlines");
  if (!list) throw Error(file, 0, "the manifest's 'headlines' is not an array");
  for (unsigned i = 0; i < list->size(); ++i) {
    const Poco::Dynamic::Var v = list->get(i);
    if (!v.isString()) throw Error(file, 0, "the manifest's headline " + std::to_string(i + 1) + " is not a string");
    headlines.push_back(v.convert<std::string>());
  }
  return headlines;
}

}  // namespace

Manifest ParseManifest(const std::string& text, const std::string& file) {
  const Object::Ptr root = ParseObject(text, file);
  if (root->optValue<std::string>("format", "") != kFormat) throw Error(file, 0, "not an imprint manifest");
  Manifest m;
  m.edition = Member<std::string>(root, "edition", file);
  m.key_id = Member<std::string>(root, "key_id", file);
  m.inputs_sha256 = Member<std::string>(root, "inputs_sha256", file);
  if (const Object::Ptr issue = Part<Object::Ptr>(root, "issue", "an object", file)) {
    m.has_issue = true;
    m.issue.publication = Member<std::string>(issue, "publication", file);
    m.issue.publication_name = Member<std::string>(issue, "publication_name", file);
    m.issue.volume = Member<int>(issue, "volume", file);
    m.issue.issue = Member<int>(issue, "issue", file);
    m.issue.date = issue->has("date") ? Member<std::string>(issue, "date", file) : "";
    m.issue.title = Member<std::string>(issue, "title", file);
    m.issue.headlines = Headlines(issue, file);
  }
  const auto list = Part<Poco::JSON::Array::Ptr>(root, "artifacts", "an array", file);
  for (unsigned i = 0; list && i < list->size(); ++i) {
    const Object::Ptr o = list->getObject(i);
    if (!o) throw Error(file, 0, "the manifest's artifact " + std::to_string(i + 1) + " is not an object");
    const int64_t size = Member<int64_t>(o, "size", file);
    if (size < 0) throw Error(file, 0, "the manifest's artifact " + std::to_string(i + 1) + " has a negative size");
    m.artifacts.push_back({Member<std::string>(o, "name", file), static_cast<uint64_t>(size),
                           Member<std::string>(o, "sha256", file)});
  }
  ParseHistory(root, file, &m);
  return m;
}

}  // namespace imprint
