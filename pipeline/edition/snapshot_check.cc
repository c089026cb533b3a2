#include "pipeline/edition/snapshot_check.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "pipeline/base/crypto.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/edition/manifest.h"

namespace imprint {
namespace fs = std::filesystem;
namespace {

using Poco::JSON::Object;

constexpr char kCatalogFormat[] = "imprint-catalog/1";
// No manifest or catalog Imprint writes comes near these.
constexpr size_t kMaxManifest = size_t{1} << 24;
constexpr size_t kMaxCatalog = size_t{1} << 28;

// ---- reading catalog.json ------------------------------------------------------

// Reads one entry; `where` is "the catalog's entry N" for messages.
class EntryReader {
 public:
  EntryReader(const Object::Ptr& o, std::string where, const std::string& file)
      : o_(o), where_(std::move(where)), file_(file) {}

  [[noreturn]] void Fail(const std::string& why) const { throw Error(file_, 0, where_ + " " + why); }

  std::string Text(const std::string& name) const {
    const Poco::Dynamic::Var v = o_->get(name);
    if (v.isEmpty()) Fail("has no '" + name + "'");
    if (!v.isString()) Fail("'" + name + "' is not a string");
    return v.convert<std::string>();
  }

  SnapshotEntry Read() {
    SnapshotEntry e;
    e.edition = Text("edition");
    const auto ref = ParseEditionRef(e.edition);
    if (!ref || ref->Path() != e.edition) {
      Fail("'" + e.edition + "' is not an edition path like monitor/v05/i077 (in its canonical spelling)");
    }
    where_ += " (" + e.edition + ")";
    Shown(*ref, &e);
    if (o_->has("withdrawn")) return Withdrawn(e);
    const Poco::Dynamic::Var revision = o_->get("revision");
    if (revision.isEmpty()) Fail("has no 'revision'");
    if (!revision.isInteger() || revision.convert<int64_t>() < 1 || revision.convert<int64_t>() > 1000000) {
      Fail("'revision' is not a whole number from 1");
    }
    e.revision = revision.convert<int>();
    e.manifest_sha256 = Text("manifest_sha256");
    if (e.manifest_sha256.size() != 64 || e.manifest_sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
      Fail("'manifest_sha256' is not a SHA-256 (64 lower-case hex digits)");
    }
    CheckFiles(*ref, &e);
    return e;
  }

 private:
  std::string Optional(const std::string& name) const { return o_->has(name) ? Text(name) : ""; }

  // The members feeds show; the edition's identity is its path's.
  void Shown(const EditionRef& ref, SnapshotEntry* e) const {
    e->publication = ref.publication;
    e->volume = ref.volume;
    e->issue = ref.issue;
    e->publication_name = Optional("publication_name");
    e->title = Optional("title");
    e->date = Optional("date");
    e->corrected = Optional("corrected");
    if (!o_->has("headlines")) return;
    const Poco::JSON::Array::Ptr list = o_->getArray("headlines");
    if (!list) Fail("'headlines' is not an array");
    for (unsigned i = 0; i < list->size(); ++i) {
      if (!list->get(i).isString()) Fail("headline " + std::to_string(i + 1) + " is not a string");
      e->headlines.push_back(list->get(i).convert<std::string>());
    }
  }

  SnapshotEntry Withdrawn(SnapshotEntry e) const {
    for (const char* listed : {"files", "manifest", "manifest_sha256", "revision"}) {
      if (o_->has(listed)) Fail("is withdrawn but has '" + std::string(listed) + "'");
    }
    const Object::Ptr w = o_->getObject("withdrawn");
    if (!w) Fail("'withdrawn' is not an object");
    e.withdrawn = true;
    e.withdrawn_date = EntryReader(w, where_ + "'s 'withdrawn'", file_).Text("date");
    if (!IsCalendarDate(e.withdrawn_date)) Fail("'withdrawn' 'date' is not a date (YYYY-MM-DD)");
    e.notice = EntryReader(w, where_ + "'s 'withdrawn'", file_).Text("notice");
    return e;
  }

  // `manifest` and every link in `files` are the edition's own: a catalog is
  // followed by readers and mirrors, so no entry may point elsewhere.
  void CheckFiles(const EditionRef& ref, SnapshotEntry* e) const {
    if (o_->has("manifest") && Text("manifest") != ref.Path() + "/" + kManifestName) {
      Fail("'manifest' is '" + Text("manifest") + "', not " + ref.Path() + "/" + kManifestName);
    }
    if (!o_->has("files")) return;
    const Object::Ptr files = o_->getObject("files");
    if (!files) Fail("'files' is not an object");
    for (const auto& [format, value] : *files) {
      const std::string link = value.isString() ? value.convert<std::string>() : "";
      const auto artifact = ParseArtifactPath(link);
      if (!artifact || artifact->signature || artifact->edition.Path() != ref.Path()) {
        Fail("file '" + link + "' (" + format + ") is not one of " + ref.Path() + "'s files");
      }
      e->files.emplace_back(format, link);
    }
  }

  Object::Ptr o_;
  std::string where_;
  const std::string& file_;
};

}  // namespace

std::vector<SnapshotEntry> ParseCatalogSnapshot(const std::string& text, const std::string& file) {
  Poco::Dynamic::Var root;
  try {
    Poco::JSON::Parser parser;
    root = parser.parse(text);
  } catch (const Poco::Exception& e) {
    throw Error(file, 0, "the catalog is not valid JSON: " + e.displayText());
  }
  if (root.type() != typeid(Object::Ptr)) throw Error(file, 0, "the catalog is not a JSON object");
  const Object::Ptr o = root.extract<Object::Ptr>();
  if (o->optValue<std::string>("format", "") != kCatalogFormat) {
    throw Error(file, 0, std::string("not an imprint catalog (format ") + kCatalogFormat + ")");
  }
  const Poco::JSON::Array::Ptr list = o->getArray("editions");
  if (!list) throw Error(file, 0, "the catalog has no 'editions' array");
  std::vector<SnapshotEntry> entries;
  std::set<std::string> seen;
  for (unsigned i = 0; i < list->size(); ++i) {
    const std::string where = "the catalog's entry " + std::to_string(i + 1);
    const Object::Ptr entry = list->getObject(i);
    if (!entry) throw Error(file, 0, where + " is not an object");
    entries.push_back(EntryReader(entry, where, file).Read());
    if (!seen.insert(entries.back().edition).second) {
      throw Error(file, 0, "the catalog lists " + entries.back().edition + " twice");
    }
  }
  return entries;
}

bool IsOutputFolder(const std::string& dir) {
  std::error_code ec;  // whatever is there, even a FIFO or a dangling link: the check then fails on it
  return fs::symlink_status(fs::path(dir) / kCatalogJsonName, ec).type() != fs::file_type::not_found;
}

namespace {

// "ab12cd34ef56...": enough of a digest to tell revisions apart in a line.
std::string Short(const std::string& sha256) { return sha256.substr(0, 12) + "..."; }

std::string Expected(const SnapshotEntry& e) {
  return "the catalog names revision " + std::to_string(e.revision) + " (" + Short(e.manifest_sha256) + ")";
}

// PATH (and its .minisig) as a verdict.
Verdict SignedFile(const std::string& path, const std::string& name, const TrustedKeys& trusted,
                   std::string* bytes) {
  std::string signature;
  try {
    *bytes = ReadRegularFile(path, kMaxCatalog, name);
  } catch (const Error& e) {
    return {path, false, "missing or unreadable: " + e.diagnostic().message};
  }
  try {
    signature = ReadRegularFile(path + kSignatureSuffix);
  } catch (const Error&) {
    return {path, false, "no signature file " + name + kSignatureSuffix};
  }
  std::string signer;
  const std::string problem = CheckSignature(name, *bytes, signature, trusted, &signer);
  return problem.empty() ? Verdict{path, true, "signed by " + signer} : Verdict{path, false, problem};
}

// Every folder three levels under `dir` that has a manifest.json or whose
// path reads as an edition, by its path relative to `dir`.
std::map<std::string, std::string> EditionFolders(const std::string& dir) {
  std::map<std::string, std::string> found;
  const auto folders = [](const fs::path& p) {
    std::vector<fs::path> list;
    std::error_code ec;
    for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code kind;
      const std::string name = it->path().filename().string();
      if (!name.empty() && name[0] != '.' && it->is_directory(kind)) list.push_back(it->path());
    }
    return list;
  };
  for (const fs::path& pub : folders(dir)) {
    for (const fs::path& vol : folders(pub)) {
      for (const fs::path& iss : folders(vol)) {
        const std::string relative = pub.filename().string() + "/" + vol.filename().string() + "/" +
                                     iss.filename().string();
        std::error_code ec;
        if (fs::exists(iss / kManifestName, ec) || ParseEditionRef(relative)) found[relative] = iss.string();
      }
    }
  }
  return found;
}

std::optional<Manifest> Parsed(const std::string& bytes) {
  try {
    return ParseManifest(bytes, kManifestName);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// What is in place of a folder's manifest, for a message: "revision 1
// (manifest sha256 ab12...)", with the edition when it is another's (an
// unverified manifest's text is printed only when it reads as an edition).
std::string InPlace(const std::string& edition, const std::optional<Manifest>& m, const std::string& sha256) {
  if (!m) return "a manifest that does not read (sha256 " + Short(sha256) + ")";
  const auto ref = ParseEditionRef(m->edition);
  const std::string other = m->edition == edition ? "" : ref ? ref->Path() + " " : "another edition's ";
  return other + "revision " + std::to_string(m->revision) + " (manifest sha256 " + Short(sha256) + ")";
}

// A folder the catalog does not list: good only while its manifest's embargo
// is in the future (its signature is the folder verification's to check).
Verdict Unlisted(const std::string& path, const std::optional<std::string>& manifest, int64_t now) {
  const std::optional<Manifest> m = manifest ? Parsed(*manifest) : std::nullopt;
  const std::optional<int64_t> until = m && !m->embargo.empty() ? ParseTime(m->embargo) : std::nullopt;
  if (until && *until > now) return {path, true, "not in the catalog: embargoed until " + FormatTime(*until)};
  if (until) {
    return {path, false, "not in the catalog, and its embargo ended at " + FormatTime(*until) +
                             " (the next `imprint catalog` lists it)"};
  }
  return {path, false, "not in the catalog"};
}

Verdict AgainstEntry(const std::string& path, const SnapshotEntry& e, const std::optional<std::string>& manifest) {
  if (e.withdrawn) return {path, false, "withdrawn on " + e.withdrawn_date + ", but its folder is in place"};
  if (!manifest) return {path, false, "no readable manifest.json; " + Expected(e)};
  const std::string sha256 = Sha256Hex(*manifest);
  const std::optional<Manifest> m = Parsed(*manifest);
  if (sha256 != e.manifest_sha256) return {path, false, InPlace(e.edition, m, sha256) + " is in place, " + Expected(e)};
  // The catalog's digest, but a revision or edition it does not say: a
  // catalog that contradicts itself is no snapshot to trust.
  if (!m || m->edition != e.edition || m->revision != e.revision) {
    return {path, false, InPlace(e.edition, m, sha256) + " is in place, with the digest the catalog names for revision " +
                             std::to_string(e.revision)};
  }
  return {path, true, "revision " + std::to_string(e.revision) + ", as the catalog names"};
}

// The catalog's entries, or nullopt when either catalog file fails (each
// failure a verdict in `report`).
std::optional<std::vector<SnapshotEntry>> TrustedCatalog(const std::string& dir, const TrustedKeys& trusted,
                                                         SnapshotReport* report) {
  const std::string root = (fs::path(dir) / "").string();
  std::string json, page;
  report->catalog.push_back(SignedFile(root + kCatalogJsonName, kCatalogJsonName, trusted, &json));
  report->catalog.push_back(SignedFile(root + kCatalogPageName, kCatalogPageName, trusted, &page));
  if (!report->catalog[0].ok) return std::nullopt;
  try {
    return ParseCatalogSnapshot(json, root + kCatalogJsonName);
  } catch (const Error& e) {
    report->catalog[0] = {root + kCatalogJsonName, false, e.diagnostic().message};
    return std::nullopt;
  }
}

}  // namespace

SnapshotReport CheckSnapshot(const std::string& dir, const TrustedKeys& trusted, int64_t now) {
  SnapshotReport report;
  const auto entries = TrustedCatalog(dir, trusted, &report);
  std::map<std::string, const SnapshotEntry*> listed;
  for (size_t i = 0; entries && i < entries->size(); ++i) listed[(*entries)[i].edition] = &(*entries)[i];
  const std::string root = (fs::path(dir) / "").string();
  for (const auto& [relative, path] : EditionFolders(dir)) {
    SnapshotFolder folder{root + relative, std::nullopt, std::nullopt};
    try {
      std::error_code ec;
      if (fs::is_regular_file(fs::path(path) / kManifestName, ec)) {
        folder.manifest = ReadRegularFile(path + "/" + kManifestName, kMaxManifest, kManifestName);
      }
    } catch (const Error&) {
    }
    if (entries) {
      const auto it = listed.find(relative);
      folder.verdict = it == listed.end() ? Unlisted(folder.path, folder.manifest, now)
                                          : AgainstEntry(folder.path, *it->second, folder.manifest);
      if (it != listed.end()) listed.erase(it);
    }
    report.folders.push_back(std::move(folder));
  }
  for (const auto& [edition, e] : listed) {
    report.absent.push_back(e->withdrawn ? Verdict{root + edition, true, "withdrawn on " + e->withdrawn_date + ", no folder"}
                                         : Verdict{root + edition, false, "missing: " + Expected(*e)});
  }
  return report;
}

}  // namespace imprint
