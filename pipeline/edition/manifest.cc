#include "pipeline/edition/manifest.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "pipeline/base/canonical_json.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"

namespace imprint {
namespace {

constexpr char kFormat[] = "imprint-manifest/1";

}  // namespace

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
  std::ostringstream json;
  root->stringify(json);
  return Canonicalize(json.str(), kManifestName);
}

Manifest ParseManifest(const std::string& text, const std::string& file) {
  try {
    Poco::JSON::Parser parser;
    const auto root = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    if (root->optValue<std::string>("format", "") != kFormat) {
      throw Error(file, 0, "not an imprint manifest");
    }
    Manifest m;
    m.edition = root->getValue<std::string>("edition");
    m.key_id = root->getValue<std::string>("key_id");
    m.inputs_sha256 = root->getValue<std::string>("inputs_sha256");
    const auto list = root->getArray("artifacts");
    for (unsigned i = 0; list && i < list->size(); ++i) {
      const auto o = list->getObject(i);
      m.artifacts.push_back({o->getValue<std::string>("name"),
                             static_cast<uint64_t>(o->getValue<Poco::Int64>("size")),
                             o->getValue<std::string>("sha256")});
    }
    return m;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(file, 0, std::string("not a valid manifest: ") + e.what());
  }
}

}  // namespace imprint
