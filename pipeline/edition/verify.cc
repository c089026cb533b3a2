#include "pipeline/edition/verify.h"

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "pipeline/base/clock.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "pipeline/edition/manifest.h"
#include "pipeline/edition/revisions.h"
#include "pipeline/edition/snapshot_check.h"
#include "pipeline/edition/writers.h"
#include "pipeline/signing/minisign.h"

namespace imprint {
namespace fs = std::filesystem;
namespace {

// Checks PATH.minisig over `bytes`; "" when good, else why not.
std::string CheckSignatureFile(const std::string& path, const std::string& bytes,
                               const TrustedKeys& trusted, std::string* signer) {
  const std::string name = fs::path(path).filename().string();
  std::string signature;
  try {
    signature = ReadRegularFile(path + kSignatureSuffix);
  } catch (const Error&) {
    return "no signature file " + name + kSignatureSuffix;
  }
  return CheckSignature(name, bytes, signature, trusted, signer);
}

// `read`: the file's bytes when the caller has read them already.
Verdict CheckFile(const std::string& path, const TrustedKeys& trusted,
                  const ManifestArtifact* listed, const std::string* read = nullptr) {
  Verdict v{path, false, ""};
  std::string bytes;
  try {
    bytes = read != nullptr ? *read : ReadRegularFile(path);  // a FIFO would block a read
  } catch (const Error& e) {
    v.reason = "missing or unreadable: " + e.diagnostic().message;
    return v;
  }
  if (listed != nullptr) {
    v.reason = CheckListed(bytes, *listed);
    if (!v.reason.empty()) return v;
  }
  std::string signer;
  v.reason = CheckSignatureFile(path, bytes, trusted, &signer);
  v.ok = v.reason.empty();
  if (v.ok) v.reason = "signed by " + signer;
  return v;
}

// The edition a path claims: its last three components when the last two
// read as v<digits>/i<digits> (an output tree's layout), or "" when it makes
// no claim (a folder copied elsewhere).
std::string ClaimedEdition(const fs::path& path) {
  std::vector<std::string> parts;
  for (const fs::path& p : path) {
    if (!p.empty() && p != "/") parts.push_back(p.string());
  }
  if (parts.size() < 3) return "";
  const std::string& v = parts[parts.size() - 2];
  const std::string& i = parts[parts.size() - 1];
  const auto numbered = [](const std::string& s, char prefix) {
    return s.size() >= 2 && s[0] == prefix && s.find_first_not_of("0123456789", 1) == std::string::npos;
  };
  if (!numbered(v, 'v') || !numbered(i, 'i')) return "";
  return parts[parts.size() - 3] + "/" + v + "/" + i;
}

// The editions a folder claims: by the path it was named by, and by the path
// it really has (a symbolic link resolved), each when it makes a claim.
std::vector<std::string> ClaimedEditions(const std::string& folder) {
  std::error_code ec;
  std::vector<std::string> claims;
  for (const fs::path& p : {fs::absolute(folder, ec).lexically_normal(), fs::weakly_canonical(folder, ec)}) {
    if (const std::string claim = ClaimedEdition(p); !claim.empty()) claims.push_back(claim);
  }
  return claims;
}

// Why the manifest's edition is not the folder's, or "": the manifest names
// an edition in its canonical spelling, and a folder that claims one by its
// path claims the same.
std::string EditionMismatch(const std::string& folder, const Manifest& manifest) {
  const auto parts = ParseEditionRef(manifest.edition);
  // Unverified text reaches the terminal only when it reads as an edition.
  if (!parts) return "the manifest's edition is not an edition path like monitor/v05/i077";
  if (parts->Path() != manifest.edition) {
    return "the manifest's edition '" + manifest.edition + "' is not an edition path like monitor/v05/i077";
  }
  for (const std::string& claimed : ClaimedEditions(folder)) {
    if (claimed != manifest.edition) {
      return "the manifest is edition " + manifest.edition + ", but the folder is " + claimed;
    }
  }
  return "";
}

// `text` (a name from a manifest not yet trusted) with every control
// character as '?': what it says reaches a terminal, not what it does.
std::string Printable(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return text;
}

// Why `name` is not one of the edition's artifacts' names, or "".
std::string ArtifactNameMismatch(const std::string& name, const Manifest& manifest) {
  const auto parts = ParseEditionRef(manifest.edition);
  if (!parts) return "the manifest names no edition";
  const std::string base = parts->BaseName();
  std::string names = base;  // "monitor-v05-i077.md, .html or .epub"
  const std::vector<Writer>& writers = Writers();
  for (size_t i = 0; i < writers.size(); ++i) {
    if (name == base + "." + writers[i].extension) return "";
    names += (i == 0 ? "" : i + 1 == writers.size() ? " or " : ", ") + std::string(".") + writers[i].extension;
  }
  return "the file is not named for edition " + manifest.edition + " (" + names + ")";
}

// Why `name`, a file checked alone (no manifest beside it), is not of the
// edition its folder's path claims, or "" (also when it claims none).
std::string LoneFileMismatch(const std::string& folder, const std::string& name) {
  for (const std::string& claimed : ClaimedEditions(folder)) {
    const auto parts = ParseEditionRef(claimed);
    if (!parts || parts->Path() != claimed) return "the folder " + claimed + " is no edition's";
    Manifest claim;
    claim.edition = claimed;
    if (const std::string mismatch = ArtifactNameMismatch(name, claim); !mismatch.empty()) return mismatch;
  }
  return "";
}

void VerifyRevisions(const std::string& folder, const Manifest& top, const std::string& top_path,
                     const TrustedKeys& trusted, std::vector<Verdict>* out);

// `revision`: the folder is revisions/r<N> of another, which holds no
// revisions/ of its own.
// `read`: the manifest's bytes when the caller has read them already.
void VerifyEdition(const std::string& folder, const TrustedKeys& trusted, std::vector<Verdict>* out,
                   bool revision = false, const std::string* read = nullptr) {
  const std::string manifest_path = (fs::path(folder) / kManifestName).string();
  if (read == nullptr && !fs::exists(manifest_path)) {
    out->push_back({folder, false, "no manifest.json: not an edition folder"});
    return;
  }
  out->push_back(CheckFile(manifest_path, trusted, nullptr, read));
  Manifest manifest;
  try {
    manifest = ParseManifest(read != nullptr ? *read : ReadRegularFile(manifest_path), manifest_path);
  } catch (const Error& e) {
    out->push_back({manifest_path, false, e.diagnostic().message});
    return;
  }
  if (const std::string mismatch = EditionMismatch(folder, manifest); !mismatch.empty()) {
    out->push_back({folder, false, mismatch});
  }
  std::set<std::string> known = {kManifestName, std::string(kManifestName) + kSignatureSuffix};
  for (const ManifestArtifact& a : manifest.artifacts) {
    known.insert(a.name);
    known.insert(a.name + kSignatureSuffix);
    const std::string path = (fs::path(folder) / a.name).string();
    if (const std::string mismatch = ArtifactNameMismatch(a.name, manifest); !mismatch.empty()) {
      out->push_back({Printable(path), false, mismatch});
    } else {
      out->push_back(CheckFile(path, trusted, &a));
    }
  }
  std::set<std::string> stray;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name == kRevisionsFolder && !revision && entry.is_directory() && !entry.is_symlink()) {
      VerifyRevisions(entry.path().string(), manifest, manifest_path, trusted, out);
    } else if (known.count(name) == 0) {
      stray.insert(entry.path().string());
    }
  }
  for (const std::string& path : stray) out->push_back({path, false, "not listed in the manifest"});
}

// One kept revision, revisions/r<N>: a complete edition folder of the same
// edition at revision N. Returns its manifest's SHA-256 and what it
// supersedes, or nothing when it is not one (the reason is in `out`).
std::optional<std::pair<std::string, std::string>> VerifyRevision(const std::string& sub, int n, const Manifest& top,
                                                                  const TrustedKeys& trusted,
                                                                  std::vector<Verdict>* out) {
  const size_t before = out->size();
  VerifyEdition(sub, trusted, out, true);
  for (size_t i = before; i < out->size(); ++i) {
    if (!(*out)[i].ok) return std::nullopt;
  }
  const std::string path = (fs::path(sub) / kManifestName).string();
  const std::string bytes = ReadFile(path);
  const Manifest m = ParseManifest(bytes, path);
  if (m.edition != top.edition || m.revision != n) {
    out->push_back({sub, false, "holds " + m.edition + " revision " + std::to_string(m.revision) + ", not " +
                                    top.edition + " revision " + std::to_string(n)});
    return std::nullopt;
  }
  return std::make_pair(Sha256Hex(bytes), m.supersedes);
}

// DIR/<edition>/revisions/: only r<N> folders below the top's revision, each
// a verified edition folder, chained: wherever revisions N and N+1 are both
// present (the top counting as its own revision), N+1 supersedes N's
// manifest. A fresh rebuild keeps no revisions, so a gap is no failure.
void VerifyRevisions(const std::string& folder, const Manifest& top, const std::string& top_path,
                     const TrustedKeys& trusted, std::vector<Verdict>* out) {
  std::map<int, std::pair<std::string, std::string>> chain;  // N -> (manifest SHA-256, supersedes)
  std::map<int, std::string> paths;
  std::set<std::string> stray;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const int n = RevisionOfFolderName(entry.path().filename().string());
    if (n == 0 || n >= top.revision || !entry.is_directory() || entry.is_symlink()) {
      stray.insert(entry.path().string());
      continue;
    }
    paths[n] = (entry.path() / kManifestName).string();
    if (auto link = VerifyRevision(entry.path().string(), n, top, trusted, out)) chain[n] = *link;
  }
  for (const std::string& path : stray) {
    out->push_back({path, false, "not a revision folder r<N> below revision " + std::to_string(top.revision)});
  }
  for (const auto& [n, link] : chain) {
    const auto next = chain.find(n + 1);
    const bool top_next = n + 1 == top.revision;
    if (next == chain.end() && !top_next) continue;
    const std::string& supersedes = top_next ? top.supersedes : next->second.second;
    if (supersedes != link.first) {
      out->push_back({top_next ? top_path : paths[n + 1], false,
                      "supersedes " + supersedes + ", but revision " + std::to_string(n) + "'s manifest is " +
                          link.first});
    }
  }
}

void VerifySingle(std::string path, const TrustedKeys& trusted, std::vector<Verdict>* out) {
  constexpr size_t kSuffixSize = sizeof kSignatureSuffix - 1;
  if (path.size() > kSuffixSize && path.compare(path.size() - kSuffixSize, kSuffixSize, kSignatureSuffix) == 0) {
    path.resize(path.size() - kSuffixSize);
  }
  const fs::path manifest_path = fs::path(path).parent_path() / kManifestName;
  const std::string name = fs::path(path).filename().string();
  const std::string folder = manifest_path.parent_path().empty() ? "." : manifest_path.parent_path().string();
  if (name == kManifestName || !fs::exists(manifest_path)) {
    Verdict v = CheckFile(path, trusted, nullptr);
    if (v.ok) {  // its folder's claim holds for it alone too
      try {
        const std::string mismatch =
            name == kManifestName ? EditionMismatch(folder, ParseManifest(ReadRegularFile(path), path))
                                  : LoneFileMismatch(folder, name);
        if (!mismatch.empty()) v = {path, false, mismatch};
      } catch (const Error& e) {
        v = {path, false, e.diagnostic().message};
      }
    }
    out->push_back(v);
    return;
  }
  const Verdict manifest_verdict = CheckFile(manifest_path.string(), trusted, nullptr);
  if (!manifest_verdict.ok) {
    out->push_back({path, false, "its manifest fails: " + manifest_verdict.reason});
    return;
  }
  const Manifest manifest = ParseManifest(ReadRegularFile(manifest_path.string()), manifest_path.string());
  if (const std::string mismatch = EditionMismatch(folder, manifest); !mismatch.empty()) {
    out->push_back({path, false, mismatch});
    return;
  }
  for (const ManifestArtifact& a : manifest.artifacts) {
    if (a.name == name) {
      const std::string mismatch = ArtifactNameMismatch(a.name, manifest);
      out->push_back(mismatch.empty() ? CheckFile(path, trusted, &a) : Verdict{path, false, mismatch});
      return;
    }
  }
  out->push_back({path, false, "not listed in the manifest"});
}

// An output folder: its catalog, then each edition folder against the
// catalog and by its own verification (one bad folder never stops the
// others), then the listed editions that have no folder.
void VerifyOutputFolder(const std::string& dir, const TrustedKeys& trusted, std::vector<Verdict>* out) {
  const SnapshotReport report = CheckSnapshot(dir, trusted, Now());
  out->insert(out->end(), report.catalog.begin(), report.catalog.end());
  for (const SnapshotFolder& folder : report.folders) {
    if (folder.verdict) out->push_back(*folder.verdict);
    VerifyEdition(folder.path, trusted, out, false, folder.manifest ? &*folder.manifest : nullptr);
  }
  out->insert(out->end(), report.absent.begin(), report.absent.end());
}

}  // namespace

std::string CheckSignature(const std::string& name, std::string_view bytes, std::string_view signature,
                           const TrustedKeys& trusted, std::string* signer) {
  const SignatureCheck check = VerifyMinisign(signature, bytes, trusted.Usable());
  if (!check.ok) {
    if (const KeyEntry* key = trusted.Find(check.key_id); key != nullptr && key->status == KeyStatus::kRevoked) {
      return "signed by revoked key " + key->key.IdText() + " (" + key->reason + ")";
    }
    return check.reason;
  }
  const std::string signed_file = ParseTrustedComment(check.trusted_comment).file;
  if (signed_file != name) return "signature is for file '" + signed_file + "', not " + name;
  *signer = PublicKey{check.key_id, ""}.IdText();
  return "";
}

std::string CheckListed(std::string_view bytes, const ManifestArtifact& listed) {
  if (bytes.size() != listed.size) {
    return "size " + std::to_string(bytes.size()) + " differs from the manifest's " + std::to_string(listed.size);
  }
  if (!ConstantTimeEquals(Sha256Hex(bytes), listed.sha256)) return "SHA-256 differs from the manifest's";
  return "";
}

std::string TrustedComment(const std::string& name, const std::string& edition,
                           const std::string& inputs_sha256) {
  return FormatTrustedComment({name, edition, inputs_sha256, ""});
}

std::vector<Verdict> VerifyPaths(const std::vector<std::string>& paths, const TrustedKeys& trusted) {
  std::vector<Verdict> verdicts;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec) && IsOutputFolder(path)) {
      VerifyOutputFolder(path, trusted, &verdicts);
    } else if (fs::is_directory(path, ec)) {
      VerifyEdition(path, trusted, &verdicts);
    } else if (fs::exists(path, ec) || fs::exists(path + kSignatureSuffix, ec)) {
      VerifySingle(path, trusted, &verdicts);
    } else {
      verdicts.push_back({path, false, "no such file or folder"});
    }
  }
  return verdicts;
}

}  // namespace imprint
