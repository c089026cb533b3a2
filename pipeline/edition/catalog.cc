#include "pipeline/edition/catalog.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>

#include "pipeline/base/clock.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/edition/manifest.h"
#include "pipeline/signing/minisign.h"
#include "pipeline/edition/verify.h"
#include "pipeline/edition/writers.h"

namespace imprint {
namespace fs = std::filesystem;
namespace {

void Sort(std::vector<CatalogEntry>* entries) {
  std::sort(entries->begin(), entries->end(), [](const CatalogEntry& a, const CatalogEntry& b) {
    return std::tie(a.publication, a.volume, a.issue) < std::tie(b.publication, b.volume, b.issue);
  });
}

// "monitor/v05/i077/monitor-v05-i077": an entry's artifacts without extension.
std::string BasePath(const CatalogEntry& e) {
  return e.edition + "/" + EditionBaseName(e.publication, e.volume, e.issue);
}

// The entry of the manifest at `path`, in the folder of edition `folder`
// ("monitor/v05/i077"). Throws imprint::Error naming the manifest unless its
// signature checks out against `trusted` and it is that folder's own.
CatalogEntry FromManifest(const std::string& path, const std::string& folder, const TrustedKeys& trusted) {
  const std::string bytes = ReadRegularFile(path);  // a FIFO planted there is skipped, never waited for
  std::string signer;
  std::string problem;
  try {
    problem = CheckSignature(kManifestName, bytes, ReadRegularFile(path + kSignatureSuffix), trusted, &signer);
  } catch (const Error& e) {
    problem = e.diagnostic().message;
  }
  if (!problem.empty()) throw Error(path, 0, "not listed: the manifest's signature: " + problem);
  Manifest m;
  try {
    m = ParseManifest(bytes, path);
  } catch (const Error& e) {
    throw Error(path, 0, "not listed: " + e.diagnostic().message);
  }
  if (!m.has_issue) throw Error(path, 0, "not listed: the manifest has no 'issue' object");
  const CatalogEntry e{m.issue, m.edition, m.revision, Sha256Hex(bytes),
                       m.corrections.empty() ? "" : m.corrections.back().date, m.embargo};
  if (e.edition != EditionPath(e.publication, e.volume, e.issue) || e.edition != folder) {
    throw Error(path, 0, "not listed: the manifest names edition " + e.edition + ", but its folder is " + folder);
  }
  return e;
}

// A withdrawn entry's "withdrawn": {"date", "notice"} (never the reason:
// the entry has none).
Poco::JSON::Object::Ptr WithdrawnJson(const CatalogEntry& e) {
  Poco::JSON::Object::Ptr w = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  w->set("date", e.withdrawn);
  w->set("notice", e.notice);
  return w;
}

// The page's list of an entry's headlines.
TemplateData HeadlinesData(const CatalogEntry& e) {
  TemplateData headlines = TemplateData::List();
  for (const std::string& h : e.headlines) {
    TemplateData item;
    item.Set("headline", h);
    headlines.Append(std::move(item));
  }
  return headlines;
}

}  // namespace

std::vector<CatalogEntry> ScanEditions(const std::string& out_dir, const TrustedKeys& trusted,
                                       std::vector<std::string>* problems) {
  std::vector<CatalogEntry> entries;
  std::error_code ec;
  // DIR/<pub>/v<VV>/i<III>/manifest.json: exactly three levels down.
  for (const auto& pub : fs::directory_iterator(out_dir, ec)) {
    if (!pub.is_directory() || pub.path().filename().string().front() == '.') continue;
    for (const auto& vol : fs::directory_iterator(pub.path(), ec)) {
      if (!vol.is_directory()) continue;
      for (const auto& iss : fs::directory_iterator(vol.path(), ec)) {
        const fs::path manifest = iss.path() / kManifestName;
        if (!iss.is_directory() || !fs::exists(manifest)) continue;
        try {
          const std::string folder = pub.path().filename().string() + "/" + vol.path().filename().string() + "/" +
                                     iss.path().filename().string();
          entries.push_back(FromManifest(manifest.string(), folder, trusted));
        } catch (const Error& e) {
          problems->push_back(e.diagnostic().ToString());
        }
      }
    }
  }
  Sort(&entries);
  return entries;
}

std::string CatalogJson(std::vector<CatalogEntry> entries) {
  Sort(&entries);
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const CatalogEntry& e : entries) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("edition", e.edition);
    o->set("publication", e.publication);
    o->set("publication_name", e.publication_name);
    o->set("volume", e.volume);
    o->set("issue", e.issue);
    if (!e.withdrawn.empty()) {
      o->set("title", e.title);
      o->set("withdrawn", WithdrawnJson(e));
      list->add(o);
      continue;
    }
    if (!e.date.empty()) o->set("date", e.date);
    o->set("title", e.title);
    Poco::JSON::Array::Ptr headlines = new Poco::JSON::Array;
    for (const std::string& h : e.headlines) headlines->add(h);
    o->set("headlines", headlines);
    Poco::JSON::Object::Ptr files = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const Writer& w : Writers()) files->set(w.format, BasePath(e) + "." + w.extension);
    o->set("files", files);
    o->set("manifest", e.edition + "/" + kManifestName);
    o->set("manifest_sha256", e.manifest_sha256);
    o->set("revision", e.revision);
    if (!e.corrected.empty()) o->set("corrected", e.corrected);
    list->add(o);
  }
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("format", std::string("imprint-catalog/1"));
  root.set("public_key", std::string(kPublicKeyPath));
  root.set("keyring", std::string(kKeyringPath));
  root.set("editions", list);
  std::ostringstream out;
  root.stringify(out, 1);
  out << "\n";
  return out.str();
}

// Kept beside the data they name (CatalogHtml()).
TemplateUse CatalogTemplateUse() {
  return {"catalog.html",
          {"publications", "slug", "name", "count", "volumes", "volume", "issues", "issue", "title",
           "has_date", "date", "corrected", "corrected_date", "revision", "manifest", "files", "format", "href",
           "editions", "example", "withdrawn", "withdrawn_date", "notice", "has_headlines", "headlines", "headline"}};
}

std::string CatalogHtml(std::vector<CatalogEntry> entries, const TemplateSet& templates) {
  Sort(&entries);
  TemplateData publications = TemplateData::List();
  for (size_t i = 0; i < entries.size();) {
    const std::string pub = entries[i].publication;
    TemplateData volumes = TemplateData::List();
    int count = 0;
    while (i < entries.size() && entries[i].publication == pub) {
      const int volume = entries[i].volume;
      TemplateData issues = TemplateData::List();
      for (; i < entries.size() && entries[i].publication == pub && entries[i].volume == volume; ++i) {
        const CatalogEntry& e = entries[i];
        TemplateData files = TemplateData::List();
        for (const Writer& w : Writers()) {
          TemplateData f;
          f.Set("format", w.format).Set("href", BasePath(e) + "." + w.extension);
          files.Append(std::move(f));
        }
        TemplateData issue;
        issue.Set("has_headlines", !e.headlines.empty())
            .Set("headlines", HeadlinesData(e))
            .Set("issue", std::to_string(e.issue))
            .Set("title", e.title)
            .Set("has_date", !e.date.empty())
            .Set("date", e.date)
            .Set("corrected", !e.corrected.empty())
            .Set("corrected_date", e.corrected)
            .Set("revision", std::to_string(e.revision))
            .Set("manifest", e.edition + "/" + kManifestName)
            .Set("files", std::move(files))
            .Set("withdrawn", !e.withdrawn.empty())
            .Set("withdrawn_date", e.withdrawn)
            .Set("notice", e.notice);
        issues.Append(std::move(issue));
        ++count;
      }
      TemplateData v;
      v.Set("volume", std::to_string(volume)).Set("issues", std::move(issues));
      volumes.Append(std::move(v));
    }
    TemplateData p;
    p.Set("slug", pub)
        .Set("name", entries[i - 1].publication_name)
        .Set("count", std::to_string(count))
        .Set("volumes", std::move(volumes));
    publications.Append(std::move(p));
  }
  // The files offered: a withdrawn edition has none.
  const auto live = std::find_if(entries.begin(), entries.end(), [](const CatalogEntry& e) { return e.withdrawn.empty(); });
  TemplateData data;
  data.Set("publications", std::move(publications))
      .Set("editions", std::to_string(std::count_if(entries.begin(), entries.end(),
                                                    [](const CatalogEntry& e) { return e.withdrawn.empty(); })))
      .Set("example", live == entries.end() ? "FILE" : BasePath(*live) + ".epub");
  return templates.Render("catalog.html", data);
}

bool UnderEmbargo(const std::string& embargo, int64_t now) {
  if (embargo.empty()) return false;
  const std::optional<int64_t> release = ParseTime(embargo);
  return !release || *release > now;
}

std::vector<CatalogEntry> ReleasedEditions(std::vector<CatalogEntry> entries, int64_t now) {
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [now](const CatalogEntry& e) { return UnderEmbargo(e.embargo, now); }),
                entries.end());
  return entries;
}

void WriteReleasedCatalog(const std::string& out_dir, const std::vector<CatalogEntry>& entries,
                          const TemplateSet& templates, const SigningKey& key) {
  int64_t as_of = Now();
  for (;;) {
    WriteCatalog(out_dir, ReleasedEditions(entries, as_of), templates, key);
    const int64_t now = Now();
    const bool released_meanwhile = std::any_of(entries.begin(), entries.end(), [&](const CatalogEntry& e) {
      return UnderEmbargo(e.embargo, as_of) && !UnderEmbargo(e.embargo, now);
    });
    if (!released_meanwhile) return;
    as_of = now;
  }
}

void WriteCatalog(const std::string& out_dir, const std::vector<CatalogEntry>& entries,
                  const TemplateSet& templates, const SigningKey& key) {
  auto write_signed = [&](const std::string& name, const std::string& bytes) {
    const std::string path = out_dir + "/" + name;
    RemoveUnlessRegular(path);  // a FIFO planted in its place would block the write
    RemoveUnlessRegular(path + kSignatureSuffix);
    std::error_code ec;
    // Unchanged, and signed by the current key (not one rotated out or revoked since): kept.
    if (fs::file_size(path, ec) == bytes.size() && !ec && fs::exists(path + kSignatureSuffix)) {
      try {
        if (ReadFile(path) == bytes && VerifyMinisign(ReadFile(path + kSignatureSuffix), bytes, {key.key}).ok) return;
      } catch (const Error&) {
      }
    }
    WriteFileAtomic(path, bytes);
    WriteFileAtomic(path + kSignatureSuffix,
                    SignMinisign(key.signer, key.key.id, bytes,
                                 TrustedComment(name, "catalog", Sha256Hex(bytes))));
  };
  write_signed(kCatalogJsonName, CatalogJson(entries));
  write_signed(kCatalogPageName, CatalogHtml(entries, templates));
}

}  // namespace imprint
