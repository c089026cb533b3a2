#include "pipeline/edition/build.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <mutex>
#include <thread>
#include <utility>

#include "pipeline/base/clock.h"
#include "pipeline/edition/build_state.h"
#include "pipeline/edition/catalog.h"
#include "pipeline/base/clock.h"
#include "pipeline/base/crypto.h"
#include "pipeline/edition/document.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/file_system.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/edition/manifest.h"
#include "pipeline/signing/minisign.h"
#include "pipeline/edition/raw_reader.h"
#include "pipeline/edition/revisions.h"
#include "pipeline/edition/rights_stage.h"
#include "pipeline/edition/template_check.h"
#include "pipeline/edition/verify.h"
#include "pipeline/edition/writers.h"

namespace imprint {
namespace fs = std::filesystem;
namespace {

// Which input builds which edition: two inputs must not write the same files.
class EditionClaims {
 public:
  // Returns "" when `input` now owns `edition`, else the input that owns it.
  std::string Claim(const std::string& edition, const std::string& input) {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, inserted] = owners_.emplace(edition, input);
    return inserted ? "" : it->second;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::string> owners_;
};

// This process's staging folder, DIR/.imprint/staging/<pid>; folders of
// processes that are gone (a killed build) are removed when a build starts.
class Staging {
 public:
  explicit Staging(const std::string& out_dir)
      : root_(out_dir + "/.imprint/staging"), dir_(root_ + "/" + std::to_string(::getpid())) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_, ec)) {
      const std::string name = entry.path().filename().string();
      const pid_t pid = static_cast<pid_t>(std::atol(name.c_str()));
      if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) RemoveTree(entry.path().string());
    }
    fs::create_directories(dir_, ec);
    if (ec) throw Error(out_dir, 0, "cannot create the build's staging folder in it: " + ec.message());
  }
  ~Staging() {
    RemoveTree(dir_);
    std::error_code ec;
    fs::remove(root_, ec);  // only when empty: other builds may be running
  }
  std::string NewFolder() {
    const std::string path = dir_ + "/" + std::to_string(next_++);
    std::error_code ec;
    fs::create_directory(path, ec);
    if (ec) throw Error(path, 0, "cannot create: " + ec.message());
    return path;
  }

 private:
  std::string root_;
  std::string dir_;
  std::atomic<unsigned> next_{0};
};

struct Signed {
  std::string name;
  std::string bytes;
};

bool StatFile(const std::string& path, uint64_t* size, int64_t* mtime_ns) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  *size = static_cast<uint64_t>(st.st_size);
  *mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

std::string InputsDigest(const BuildContext& context, const std::string& raw_sha256) {
  return Sha256Hex(context.fingerprint + raw_sha256);
}

// The SHA-256 of the catalog's manifests, read once, when first needed (an
// edition the state does not know).
class CatalogRecord {
 public:
  std::string ManifestOf(const std::string& out_dir, const TrustedKeys& trusted, const std::string& edition) {
    std::call_once(once_, [&] { snapshot_ = CatalogSnapshot(out_dir, trusted); });
    auto it = snapshot_.find(edition);
    return it == snapshot_.end() ? "" : it->second;
  }

 private:
  std::once_flag once_;
  std::map<std::string, std::string> snapshot_;
};

// The worker's view of one run.
struct Run {
  const BuildOptions& options;
  const BuildContext& context;
  const BuildState& old_state;
  EditionClaims claims;
  Staging staging;
  CatalogRecord catalog;
};

// Whether the edition's manifest in place is the one `row` built: a folder
// rolled back or overwritten since is damage, never "unchanged". Reads one
// small file; no signature is checked (the digest is the state's own).
bool ManifestIsRows(const Run& run, const StateRow& row) {
  try {
    const std::string bytes = ReadRegularFile(run.options.out_dir + "/" + row.edition.edition + "/" + kManifestName);
    return !row.edition.manifest_sha256.empty() && Sha256Hex(bytes) == row.edition.manifest_sha256;
  } catch (const Error&) {
    return false;
  }
}

bool IsUnchanged(const Run& run, const StateRow* row, const std::string& raw_sha256) {
  return row != nullptr && !run.options.force && row->raw_sha256 == raw_sha256 &&
         row->inputs_sha256 == InputsDigest(run.context, raw_sha256) && ManifestIsRows(run, *row);
}

// What is in place of `edition`, judged against the manifest the state (or,
// when the state has no row for it, the signed catalog) names. When nothing
// names one (state and catalog lost, an embargoed edition), the manifest's
// signature alone vouches for it.
InPlace PlaceOf(Run* run, const std::string& edition) {
  const std::string folder = run->options.out_dir + "/" + edition;
  const StateRow* row = run->old_state.FindEdition(edition);
  std::string expected = row != nullptr ? row->edition.manifest_sha256
                                        : run->catalog.ManifestOf(run->options.out_dir, run->context.trusted, edition);
  if (expected.empty() && row == nullptr) {
    try {
      expected = Sha256Hex(ReadRegularFile(folder + "/" + kManifestName));
    } catch (const Error&) {
    }
  }
  return ReadInPlace(folder, edition, expected, run->context.trusted);
}

// The guard of publish and the revision rules, over a published revision.
void CheckPlace(const Run& run, const std::string& input, const Document& doc, const std::string& edition,
                const InPlace& place, InputResult* result) {
  const StateRow* owner = run.old_state.FindEdition(edition);
  if (place.kind == InPlace::Kind::kDamaged && owner != nullptr && owner->input != input &&
      run.options.guard_inputs && !run.options.replace) {  // its text unknown: the guard holds
    throw Error(input, doc.header_line, "the folder of " + edition + " is damaged and was last built from " +
                                            owner->input + ": publish that file, or --replace to replace it");
  }
  if (place.kind != InPlace::Kind::kCurrent) return;
  const std::string revision = std::to_string(place.manifest.revision);
  const bool other_text = !place.manifest.text_sha256.empty() && place.manifest.text_sha256 != TextSha256(doc);
  // Another file that would lift or move the embargo is no copy of the same edition either.
  const bool other_embargo = place.manifest.embargo != doc.embargo;
  const bool other_input =
      owner != nullptr && owner->input != input && (other_text || other_embargo) && run.options.guard_inputs;
  if (other_input && !run.options.replace) {
    throw Error(input, doc.header_line, edition + " revision " + revision + " was built from " + owner->input +
                                            (other_text ? ", with other text" : ", with another embargo") +
                                            ": publish --replace to replace it");
  }
  CheckRevision(doc, input, edition, place, Now());
  if (other_input) result->replaced = edition + " revision " + revision + ", built from " + owner->input;
}

// A withdrawn edition (withdrawals.h) is not built: its input is reported
// withdrawn, and its folder, if it came back, is removed.
bool SkipWithdrawn(Run* run, const std::string& edition, InputResult* result) {
  if (run->context.withdrawals.Find(edition) == nullptr) return false;
  result->edition = edition;
  result->status = InputStatus::kWithdrawn;
  RemoveTree(run->options.out_dir + "/" + edition);
  return true;
}

void MarkUnchanged(Run* run, const StateRow& row, InputResult* result) {
  if (SkipWithdrawn(run, row.edition.edition, result)) return;
  result->edition = row.edition.edition;
  const std::string owner = run->claims.Claim(row.edition.edition, result->input);
  if (!owner.empty()) {
    throw Error(result->input, 0, "edition " + row.edition.edition + " is also built from " + owner);
  }
  result->status = InputStatus::kUnchanged;
}

// Whether `doc` may replace what is in place of `edition` (throws when not),
// and the earlier revisions its folder keeps.
std::vector<KeptFile> JudgePlace(Run* run, const std::string& input, const Document& doc, const std::string& edition,
                                 InputResult* result) {
  const InPlace place = PlaceOf(run, edition);
  CheckPlace(*run, input, doc, edition, place, result);
  if (place.kind == InPlace::Kind::kDamaged) {
    result->diagnostics.push_back(
        Warning(input, 0, "the folder of " + edition + " was damaged (" + place.why + "); rebuilt from this input"));
  }
  return place.kind == InPlace::Kind::kCurrent ? KeptRevisions(place, Revision(doc)) : std::vector<KeptFile>{};
}

// Stages the edition's files and puts them in place. A failure (a full disk)
// is the input's error: the staging path means nothing to the user.
void WriteEdition(Run* run, const std::string& input, const std::string& edition,
                  const std::vector<Signed>& files, const std::vector<KeptFile>& kept) {
  const std::string target = run->options.out_dir + "/" + edition;
  try {
    const std::string staged = run->staging.NewFolder();
    try {
      for (const Signed& f : files) WriteNewFile(staged + "/" + f.name, f.bytes);
      for (const KeptFile& f : kept) {
        std::error_code ec;
        fs::create_directories(fs::path(staged + "/" + f.name).parent_path(), ec);
        if (ec) throw Error(f.name, 0, "cannot create its folder: " + ec.message());
        WriteNewFile(staged + "/" + f.name, f.bytes);
      }
      ReplaceDirectory(staged, target);
    } catch (...) {
      RemoveTree(staged);
      throw;
    }
  } catch (const Error& e) {
    throw Error(input, 0, "cannot write edition " + edition + " into " + run->options.out_dir + "/ (" +
                              e.diagnostic().message + ")");
  }
}

// Every format of `doc`, edition `edition`, and its manifest, each with its
// signature beside it, in memory.
std::vector<Signed> RenderAndSign(const BuildContext& context, const Document& doc, const std::string& edition,
                                  const std::string& inputs_sha256) {
  const std::string base = EditionBaseName(doc.publication.slug, doc.volume, doc.issue);
  std::vector<Signed> files;
  std::vector<ManifestArtifact> listed;
  auto add_signed = [&](const std::string& name, std::string bytes) {
    std::string signature = SignMinisign(context.key.signer, context.key.key.id, bytes,
                                         TrustedComment(name, edition, inputs_sha256));
    files.push_back({name, std::move(bytes)});
    files.push_back({name + kSignatureSuffix, std::move(signature)});
  };
  for (const Writer& writer : Writers()) {
    const std::string name = base + "." + writer.extension;
    std::string bytes = writer.write(doc, context.templates);
    listed.push_back(DescribeArtifact(name, bytes));
    add_signed(name, std::move(bytes));
  }
  add_signed(kManifestName, ManifestJson(doc, edition, listed, context.key.key.IdText(), inputs_sha256));
  return files;
}

// An input named like an edition ("monitor-v05-i079.txt") is that edition:
// a file saved under a new name with the old header would replace another
// issue. A name of no edition's shape says nothing.
void RequireNameAgrees(const std::string& input, int header_line, const std::string& edition) {
  std::string stem = std::filesystem::path(input).filename().string();
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".txt") == 0) stem.resize(stem.size() - 4);
  const std::optional<EditionRef> named = ParseEditionBaseName(stem);
  if (named && named->Path() != edition) {
    throw Error(input, header_line, "the file name says " + named->Path() + ", the header " + edition +
                                        ": rename the file or correct the header");
  }
}

// The catalog's entry of the edition just rendered into `files`.
CatalogEntry CatalogEntryOf(const Document& doc, const std::string& edition, const std::vector<Signed>& files) {
  const auto manifest = std::find_if(files.begin(), files.end(), [](const Signed& f) { return f.name == kManifestName; });
  std::vector<std::string> headlines;
  for (const Article& a : doc.articles) {
    if (!a.headline.empty()) headlines.push_back(a.headline);  // as the manifest lists them
  }
  return CatalogEntry{{doc.publication.slug, doc.publication.display_name, doc.volume, doc.issue, doc.date, doc.title,
                       std::move(headlines)},
                      edition,
                      Revision(doc),
                      Sha256Hex(manifest->bytes),
                      doc.corrections.empty() ? "" : doc.corrections.back().date,
                      doc.embargo};
}

void BuildOne(Run* run, const std::string& input, InputResult* result, StateRow* new_row) {
  const BuildContext& context = run->context;
  result->input = input;
  try {
    const StateRow* row = run->old_state.Find(input);
    uint64_t size = 0;
    int64_t mtime = 0;
    const bool stat_ok = StatFile(input, &size, &mtime);
    // The fast path: same size and time as last built, nothing else changed.
    if (stat_ok && row != nullptr && row->size == size && row->mtime_ns == mtime &&
        IsUnchanged(*run, row, row->raw_sha256)) {
      MarkUnchanged(run, *row, result);  // its row stays as it is
      return;
    }
    if (auto why = run->options.unreadable.find(input); why != run->options.unreadable.end()) {
      throw Error(input, 0, why->second);
    }
    const std::string raw = ReadRegularFile(input);
    const std::string raw_sha256 = Sha256Hex(raw);
    if (IsUnchanged(*run, row, raw_sha256)) {  // touched, not changed: a new time
      MarkUnchanged(run, *row, result);
      *new_row = *row;
      new_row->size = size;
      new_row->mtime_ns = mtime;
      return;
    }

    Document doc = ReadRawIssue(raw, input);
    result->diagnostics = doc.warnings;
    ApplyRights(context.policy, context.templates, &doc);
    const std::string edition = EditionPath(doc.publication.slug, doc.volume, doc.issue);
    RequireNameAgrees(input, doc.header_line, edition);
    result->edition = edition;
    if (SkipWithdrawn(run, edition, result)) return;
    const std::string owner = run->claims.Claim(edition, input);
    if (!owner.empty()) {
      throw Error(input, doc.header_line, "edition " + edition + " is also built from " + owner);
    }
    const std::vector<KeptFile> kept = JudgePlace(run, input, doc, edition, result);
    const std::string inputs_sha256 = InputsDigest(context, raw_sha256);
    // Render and sign everything before writing anything: a failure must
    // leave no file of this issue behind.
    const std::vector<Signed> files = RenderAndSign(context, doc, edition, inputs_sha256);
    WriteEdition(run, input, edition, files, kept);
    for (const Signed& f : files) result->outputs.push_back(run->options.out_dir + "/" + edition + "/" + f.name);
    result->status = InputStatus::kBuilt;
    *new_row = StateRow{input, size, mtime, raw_sha256, inputs_sha256, CatalogEntryOf(doc, edition, files)};
  } catch (const Error& e) {
    result->status = InputStatus::kFailed;
    result->diagnostics.push_back(e.diagnostic());
  } catch (const std::exception& e) {
    result->status = InputStatus::kFailed;
    result->diagnostics.push_back(Error(input, 0, e.what()).diagnostic());
  }
}

// The one list of editions a build reports: what the catalog lists and the
// summary counts. The state knows each edition's catalog data, once per
// edition (no manifest is parsed, no tree walked); the output folder decides
// which are there. `known` are editions already seen in place in this run,
// so a no-op build of the whole archive looks at no manifest twice.
std::vector<CatalogEntry> EditionsInPlace(const BuildState& state, const std::string& out_dir,
                                          const std::unordered_set<std::string>& known) {
  std::vector<CatalogEntry> editions = state.Editions();
  editions.erase(std::remove_if(editions.begin(), editions.end(),
                                [&](const CatalogEntry& e) {
                                  return known.count(e.edition) == 0 &&
                                         !fs::exists(out_dir + "/" + e.edition + "/" + kManifestName);
                                }),
                 editions.end());
  return editions;
}

// Whether the catalog in place is what this build would write, without
// writing it: nothing built, both files there, and no edition it lists
// released since they were last written (WriteReleasedCatalog() writes
// every release up to then). Two stats: a no-op build stays cheap.
bool CatalogCurrent(const std::string& out_dir, bool state_changed, const std::vector<CatalogEntry>& editions) {
  int64_t written_ns = 0;
  for (const char* name : {kCatalogPageName, kCatalogJsonName}) {
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    if (!StatFile(out_dir + "/" + name, &size, &mtime_ns)) return false;
    written_ns = written_ns == 0 ? mtime_ns : std::min(written_ns, mtime_ns);
  }
  if (state_changed) return false;
  const int64_t now = Now();
  return std::none_of(editions.begin(), editions.end(), [&](const CatalogEntry& e) {
    const std::optional<int64_t> release = e.embargo.empty() ? std::nullopt : ParseTime(e.embargo);
    return release && *release <= now && *release * 1000000000 > written_ns;
  });
}

// Each input's edition's embargo, from the state, for the caller to say why
// the catalog leaves the edition out.
void NoteEmbargoes(const BuildState& state, std::vector<InputResult>* results) {
  for (InputResult& r : *results) {
    const StateRow* row = r.status == InputStatus::kFailed ? nullptr : state.Find(r.input);
    if (row != nullptr) r.embargo = row->edition.embargo;
  }
}

// Rewrites the catalog after a build, when it is not already what it would
// be, and counts the editions in place.
void UpdateCatalog(const BuildOptions& options, const BuildContext& context, const BuildState& state,
                   bool state_changed, BuildSummary* summary) {
  std::unordered_set<std::string> in_place;  // this run's editions: built, or checked unchanged
  for (const InputResult& r : summary->results) {
    if (r.status == InputStatus::kBuilt || r.status == InputStatus::kUnchanged) in_place.insert(r.edition);
  }
  std::vector<CatalogEntry> editions = EditionsInPlace(state, options.out_dir, in_place);
  ApplyWithdrawals(context.withdrawals, context.policy, &editions);
  // Nothing built and the catalog in place: it is already what it would be
  // (the templates are part of every row's digest), so a no-op build stays
  // cheap; unless an embargo passed since it was written (CatalogCurrent).
  // With withdrawals, the catalog is recomputed (and written only if it changed).
  if (!context.withdrawals.list.empty() || !CatalogCurrent(options.out_dir, state_changed, editions)) {
    WriteReleasedCatalog(options.out_dir, editions, context.templates, context.key);
  }
  NoteEmbargoes(state, &summary->results);
  summary->editions = editions.size() - context.withdrawals.list.size();
}

}  // namespace

BuildContext MakeBuildContext(const std::string& rights_dir, const std::string& templates_dir,
                              const Keystore& keystore) {
  BuildContext context{LoadRightsPolicy(rights_dir), TemplateSet::Load(templates_dir),
                       keystore.LoadSigningKey(), LoadWithdrawals(rights_dir), "", keystore.Trusted()};
  CheckTemplates(context.policy, context.templates);  // strict templates: before anything is signed
  context.fingerprint = Sha256Hex(std::string(IMPRINT_VERSION) + '\0' + context.policy.fingerprint +
                                  '\0' + context.templates.Fingerprint() + '\0' +
                                  context.key.key.IdText());
  return context;
}

BuildSummary RunBuild(const BuildOptions& options, const BuildContext& context) {
  const auto start = std::chrono::steady_clock::now();
  BuildSummary summary;
  summary.results.resize(options.inputs.size());
  BuildState state = BuildState::Load(options.out_dir);
  std::vector<StateRow> rows(options.inputs.size());
  {
    Run run{options, context, state, {}, Staging(options.out_dir), {}};
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next++) < options.inputs.size();) {
        BuildOne(&run, options.inputs[i], &summary.results[i], &rows[i]);
        if (options.progress != nullptr) ++*options.progress;
      }
    };
    const size_t threads = std::min<size_t>(std::max(options.jobs, 1), options.inputs.size());
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
  }

  bool state_changed = false;
  for (size_t i = 0; i < summary.results.size(); ++i) {
    const InputResult& r = summary.results[i];
    switch (r.status) {
      case InputStatus::kBuilt: ++summary.built; break;
      case InputStatus::kUnchanged: ++summary.unchanged; break;
      case InputStatus::kFailed: ++summary.failed; break;
      case InputStatus::kWithdrawn: ++summary.withdrawn; break;
    }
    for (const Diagnostic& d : r.diagnostics) {
      if (d.severity == Diagnostic::Severity::kWarning) ++summary.warnings;
    }
    // A failed input keeps its row: its old edition, if any, is still in place.
    // An unchanged one keeps it too, unless only its time changed.
    if (r.status == InputStatus::kFailed || rows[i].input.empty()) continue;
    const StateRow* old = state.Find(r.input);
    state_changed = state_changed || old == nullptr || old->size != rows[i].size ||
                    old->mtime_ns != rows[i].mtime_ns || old->inputs_sha256 != rows[i].inputs_sha256;
    state.Put(std::move(rows[i]));
  }
  if (state_changed) state.Save(options.out_dir);
  UpdateCatalog(options, context, state, state_changed, &summary);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace imprint
