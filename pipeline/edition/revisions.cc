#include "pipeline/edition/revisions.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>

#include "pipeline/base/crypto.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/edition/catalog.h"
#include "pipeline/edition/verify.h"

namespace imprint {
namespace fs = std::filesystem;
namespace {

std::string Slash(const std::string& folder, const std::string& name) { return folder + "/" + name; }

// The files of an edition folder its manifest vouches for: the manifest, the
// artifacts it lists, and each one's signature.
std::vector<std::string> ListedFiles(const Manifest& manifest) {
  std::vector<std::string> names = {kManifestName, std::string(kManifestName) + kSignatureSuffix};
  for (const ManifestArtifact& a : manifest.artifacts) {
    names.push_back(a.name);
    names.push_back(a.name + kSignatureSuffix);
  }
  return names;
}

// The bytes of a file kept from the folder in place: a plain file, never
// what a symbolic link planted there leads to (that would be published).
std::string ReadKept(const std::string& path) {
  std::error_code ec;
  if (fs::symlink_status(path, ec).type() != fs::file_type::regular) {
    throw Error(path, 0, "cannot keep this earlier revision's file: not a plain file");
  }
  return ReadRegularFile(path);
}

// Every plain file directly in `folder`, by name (links and folders are not
// kept; `imprint verify` fails a kept revision that lacks a file).
void AddFolder(const std::string& folder, const std::string& as, std::vector<KeptFile>* kept) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.symlink_status(ec).type() != fs::file_type::regular) continue;
    const std::string name = entry.path().filename().string();
    kept->push_back({as + "/" + name, ReadKept(entry.path().string())});
  }
}

}  // namespace

std::string RevisionFolder(int n) { return std::string(kRevisionsFolder) + "/r" + std::to_string(n); }

int RevisionOfFolderName(const std::string& name) {
  if (name.size() < 2 || name.size() > 6 || name[0] != 'r' || name[1] == '0') return 0;
  if (name.find_first_not_of("0123456789", 1) != std::string::npos) return 0;
  return std::stoi(name.substr(1));
}

InPlace ReadInPlace(const std::string& folder, const std::string& edition, const std::string& expected_sha256,
                    const TrustedKeys& trusted) {
  InPlace place;
  place.folder = folder;
  const std::string path = Slash(folder, kManifestName);
  std::error_code ec;
  if (!fs::exists(path, ec)) return place;
  place.kind = InPlace::Kind::kDamaged;
  std::string bytes;
  try {
    bytes = ReadRegularFile(path);  // a FIFO planted there is damage, never waited for
  } catch (const Error& e) {
    place.why = "its manifest cannot be read";
    return place;
  }
  place.manifest_sha256 = Sha256Hex(bytes);
  if (expected_sha256.empty() || place.manifest_sha256 != expected_sha256) {
    place.why = "its manifest " + place.manifest_sha256 + " is not the current one (" +
                (expected_sha256.empty() ? std::string("none recorded") : expected_sha256) + ")";
    return place;
  }
  try {
    std::string signer;
    const std::string bad =
        CheckSignature(kManifestName, bytes, ReadRegularFile(path + kSignatureSuffix), trusted, &signer);
    if (!bad.empty()) {
      place.why = "its manifest's signature fails: " + bad;
      return place;
    }
    place.manifest = ParseManifest(bytes, path);
    if (place.manifest.edition != edition) {
      place.why = "it holds " + place.manifest.edition + "'s manifest";
      return place;
    }
  } catch (const Error& e) {
    place.why = e.diagnostic().message;
    return place;
  }
  place.kind = InPlace::Kind::kCurrent;
  return place;
}

namespace {

// Throws unless the input's first corrections are the ones `place` was
// published with: the same dates and notes in the same order, the last one
// superseding the manifest the one in place supersedes. A signed record of
// what was corrected changes only by a new correction below it.
void CheckPublishedCorrections(const Document& doc, const std::string& input, const InPlace& place,
                               const std::string& published) {
  const std::vector<ManifestCorrection>& had = place.manifest.corrections;
  for (size_t k = 0; k < had.size() && k < doc.corrections.size(); ++k) {
    const Correction& c = doc.corrections[k];
    const bool last = k + 1 == had.size();
    if (c.date != had[k].date || c.note != had[k].note || (last && c.supersedes != place.manifest.supersedes)) {
      throw Error(input, c.line, "correction " + std::to_string(k + 1) + " is not the one " + published +
                                     " records (its date, digest or note changed): a published correction is "
                                     "never rewritten; add a new one below it");
    }
  }
}

// Throws when `doc` would put `place`, already released (no embargo, or one
// past at `today`), under embargo again: that would take it from the catalog
// and the server with no record; withdrawal is the recorded way.
void CheckNoEmbargoAfterRelease(const Document& doc, const std::string& input, const InPlace& place,
                                const std::string& published, int64_t today) {
  if (!UnderEmbargo(doc.embargo, today) || UnderEmbargo(place.manifest.embargo, today)) return;
  throw Error(input, doc.header_line,
              published + " was released" +
                  (place.manifest.embargo.empty() ? "" : " (its embargo ended " + place.manifest.embargo + ")") +
                  "; an embargo cannot take it back: remove the Embargo line, or withdraw the edition "
                  "(imprint withdraw)");
}

}  // namespace

void CheckRevision(const Document& doc, const std::string& input, const std::string& edition,
                   const InPlace& place, int64_t today) {
  const int revision = Revision(doc);
  const int in_place = place.manifest.revision;
  const std::string published = edition + " revision " + std::to_string(in_place) + " as published";
  if (revision < in_place) {
    throw Error(input, doc.header_line, "the input is revision " + std::to_string(revision) + ", older than " +
                                            published + ": a rebuild never reverts a correction");
  }
  CheckPublishedCorrections(doc, input, place, published);
  CheckNoEmbargoAfterRelease(doc, input, place, published, today);
  if (revision == in_place) {
    if (place.manifest.text_sha256.empty() || place.manifest.text_sha256 == TextSha256(doc)) return;
    throw Error(input, doc.header_line,
                "the text differs from " + published + "; a change to published text is a correction: "
                "add to the header 'Correction: " + FormatDate(today) + " " + place.manifest_sha256 +
                " WHAT WAS CORRECTED'");
  }
  const Correction& c = doc.corrections.at(static_cast<size_t>(in_place - 1));
  if (c.supersedes != place.manifest_sha256) {
    throw Error(input, c.line, "correction " + std::to_string(in_place) + " supersedes manifest " + c.supersedes +
                                   ", but " + published + " has manifest " + place.manifest_sha256);
  }
}

std::vector<KeptFile> KeptRevisions(const InPlace& place, int revision) {
  std::vector<KeptFile> kept;
  const std::string revisions = Slash(place.folder, kRevisionsFolder);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(revisions, ec)) {
    const int n = RevisionOfFolderName(entry.path().filename().string());
    if (n >= 1 && n < revision && n != place.manifest.revision &&
        entry.symlink_status(ec).type() == fs::file_type::directory) {
      AddFolder(entry.path().string(), RevisionFolder(n), &kept);
    }
  }
  if (revision > place.manifest.revision) {
    for (const std::string& name : ListedFiles(place.manifest)) {
      kept.push_back({RevisionFolder(place.manifest.revision) + "/" + name, ReadKept(Slash(place.folder, name))});
    }
  }
  return kept;
}

std::map<std::string, std::string> CatalogSnapshot(const std::string& out_dir, const TrustedKeys& trusted) {
  std::map<std::string, std::string> snapshot;
  const std::string path = Slash(out_dir, kCatalogJsonName);
  try {
    const std::string bytes = ReadRegularFile(path);
    std::string signer;
    if (!CheckSignature(kCatalogJsonName, bytes, ReadRegularFile(path + kSignatureSuffix), trusted, &signer).empty()) {
      return snapshot;
    }
    Poco::JSON::Parser parser;
    const auto root = parser.parse(bytes).extract<Poco::JSON::Object::Ptr>();
    const Poco::JSON::Array::Ptr editions = root->getArray("editions");
    for (size_t i = 0; editions && i < editions->size(); ++i) {
      const Poco::JSON::Object::Ptr e = editions->getObject(static_cast<unsigned>(i));
      if (e && e->has("edition") && e->has("manifest_sha256")) {
        snapshot[e->getValue<std::string>("edition")] = e->getValue<std::string>("manifest_sha256");
      }
    }
  } catch (const Error&) {
    return {};
  } catch (const Poco::Exception&) {
    return {};
  } catch (const std::exception&) {
    return {};
  }
  return snapshot;
}

}  // namespace imprint
