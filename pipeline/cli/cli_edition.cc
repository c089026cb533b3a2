// The edition commands: build, publish, catalog, verify, rights check.
#include "pipeline/cli/cli_support.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <sstream>
#include <thread>

#include "pipeline/edition/build.h"
#include "pipeline/edition/catalog.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/file_system.h"
#include "pipeline/edition/manifest.h"
#include "pipeline/edition/revisions.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/edition/template_check.h"
#include "pipeline/server/personalize.h"
#include "pipeline/edition/template_set.h"
#include "pipeline/edition/verify.h"
#include "pipeline/edition/withdrawals.h"

namespace imprint::cli {
namespace {

// FNV-1a of an input's key: the same part on every machine and every run.
int ShardOf(const std::string& key, int parts) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return static_cast<int>(h % static_cast<uint64_t>(parts));
}

// ---- build ------------------------------------------------------------------

// Why the catalog leaves an edition out, for editors: "monitor/v05/i090 is
// embargoed until 2030-01-01T06:00:00Z: not in the catalog until then", or
// "" when it is released (docs/editions.md "Embargo").
std::string EmbargoNote(const std::string& edition, const std::string& embargo) {
  if (!UnderEmbargo(embargo, Now())) return "";
  return edition + " is embargoed until " + embargo + ": not in the catalog until then";
}

// The JSON report of --report FILE ("-": standard output).
void WriteReport(const std::string& path, const BuildSummary& summary, std::ostream& standard_output) {
  Poco::JSON::Array::Ptr inputs = new Poco::JSON::Array;
  for (const InputResult& r : summary.results) {
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    entry->set("input", r.input);
    entry->set("status", std::string(r.status == InputStatus::kBuilt       ? "built"
                                     : r.status == InputStatus::kUnchanged ? "unchanged"
                                     : r.status == InputStatus::kWithdrawn ? "withdrawn"
                                                                           : "failed"));
    if (!r.edition.empty()) entry->set("edition", r.edition);
    if (!r.embargo.empty()) entry->set("embargo", r.embargo);
    Poco::JSON::Array::Ptr outputs = new Poco::JSON::Array;
    for (const std::string& o : r.outputs) outputs->add(o);
    entry->set("outputs", outputs);
    Poco::JSON::Array::Ptr diagnostics = new Poco::JSON::Array;
    for (const Diagnostic& d : r.diagnostics) {
      Poco::JSON::Object::Ptr diag = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
      diag->set("severity", std::string(
          d.severity == Diagnostic::Severity::kError ? "error" : "warning"));
      diag->set("file", d.file);
      diag->set("line", d.line);
      diag->set("message", d.message);
      diagnostics->add(diag);
    }
    entry->set("diagnostics", diagnostics);
    inputs->add(entry);
  }
  Poco::JSON::Object report(Poco::JSON_PRESERVE_KEY_ORDER);
  report.set("built", summary.built);
  report.set("unchanged", summary.unchanged);
  report.set("failed", summary.failed);
  report.set("withdrawn", summary.withdrawn);
  report.set("seconds", summary.seconds);
  report.set("warnings", summary.warnings);
  report.set("inputs", inputs);
  std::ostringstream out;
  report.stringify(out, 2);
  out << '\n';
  WriteTo(path, out.str(), standard_output);
}

// Shows how far a build has come: on a terminal a bar redrawn in place, else a
// plain line every few seconds (for Jenkins' log). Runs on its own thread.
class ProgressReporter {
 public:
  ProgressReporter(size_t total, std::ostream& err)
      : total_(total), err_(err), tty_(isatty(STDERR_FILENO) == 1),
        start_(std::chrono::steady_clock::now()), thread_([this] { Loop(); }) {}
  ~ProgressReporter() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
    if (tty_ && shown_) err_ << "\r\033[K" << std::flush;
  }
  std::atomic<size_t>* counter() { return &done_; }

 private:
  void Loop() {
    const auto period = tty_ ? std::chrono::milliseconds(200) : std::chrono::seconds(5);
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, period, [this] { return stop_; })) Show();
  }
  void Show() {
    const size_t done = done_.load();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = seconds > 0 ? done / seconds : 0;
    const double eta = rate > 0 ? (total_ - done) / rate : 0;
    char line[160];
    if (tty_) {
      const int width = 30;
      const int filled = total_ ? static_cast<int>(width * done / total_) : width;
      std::snprintf(line, sizeof line, "\r[%-*s] %zu/%zu  %.0f issues/s  ETA %.0f s\033[K", width,
                    std::string(filled, '#').c_str(), done, total_, rate, eta);
    } else {
      std::snprintf(line, sizeof line, "imprint build: %zu/%zu done, %.0f issues/s, ETA %.0f s\n",
                    done, total_, rate, eta);
    }
    err_ << line << std::flush;
    shown_ = true;
  }

  const size_t total_;
  std::ostream& err_;
  const bool tty_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<size_t> done_{0};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool shown_ = false;
  std::thread thread_;
};

// "K/N": this run builds the K-th of N stable parts of the inputs.
std::pair<int, int> ParseShard(const std::string& spec);

std::vector<InputFile> Shard(std::vector<InputFile> inputs, const std::string& spec) {
  const auto [k, n] = ParseShard(spec);
  std::vector<InputFile> mine;
  for (InputFile& input : inputs) {
    if (ShardOf(input.key, n) == k - 1) mine.push_back(std::move(input));
  }
  return mine;
}

std::pair<int, int> ParseShard(const std::string& spec) {
  const size_t slash = spec.find('/');
  int k = 0, n = 0;
  try {
    k = std::stoi(spec.substr(0, slash));
    n = std::stoi(spec.substr(slash + 1));
  } catch (const std::exception&) {
    k = n = 0;
  }
  if (slash == std::string::npos || n < 1 || k < 1 || k > n) {
    throw UsageError("--shard takes K/N with 1 <= K <= N, not '" + spec + "'");
  }
  return {k, n};
}

// --out DIR: "-" means standard output for a file, never a folder.
std::string OutDir(const Args& args) {
  const std::string dir = args.Get("out", "output");
  if (dir == kStandardOutput || dir.empty()) throw UsageError("--out takes a folder, not '" + dir + "'");
  return dir;
}

BuildOptions BuildOptionsFrom(const Args& args, std::vector<std::string> inputs) {
  BuildOptions options;
  options.out_dir = OutDir(args);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.jobs = PositiveInt(args, "jobs", cores);
  options.force = args.Has("force");
  options.inputs = std::move(inputs);
  return options;
}

void PrintSummary(const BuildSummary& summary, const std::string& out_dir, std::ostream& out) {
  char rate[96];
  std::snprintf(rate, sizeof rate, "%.2f s, %.0f issues/s", summary.seconds,
                summary.seconds > 0 ? summary.results.size() / summary.seconds : 0.0);
  out << "imprint build: " << summary.built << " built, " << summary.unchanged << " unchanged, "
      << summary.failed << " failed, "
      << (summary.withdrawn ? std::to_string(summary.withdrawn) + " withdrawn, " : "") << summary.warnings << " warning"
      << (summary.warnings == 1 ? "" : "s") << " in " << rate << "; " << summary.editions
      << " editions in " << out_dir << "/\n";
}

int RunBuildCommand(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.empty()) throw UsageError("no INPUT given");
  BuildOptions options = BuildOptionsFrom(args, {});
  const std::string shard = args.Get("shard", "1/1");
  ParseShard(shard);  // a usage error before any work
  CheckWritable(args, "report");  // and a report that could not be written
  for (const InputFile& f : Shard(FindInputs(args.positional), shard)) {
    options.inputs.push_back(f.path);
    if (!f.error.empty()) options.unreadable[f.path] = f.error;
  }
  const Keystore keystore = BuildKeystore(options.out_dir, err);
  const BuildContext context = MakeBuildContext(RightsDir(args), TemplatesDir(args), keystore);

  BuildSummary summary;
  {
    ProgressReporter progress(options.inputs.size(), err);
    options.progress = progress.counter();
    summary = RunBuild(options, context);
  }
  for (const InputResult& r : summary.results) {
    for (const Diagnostic& d : r.diagnostics) PrintDiagnostic(d, err);
  }
  keystore.ExportPublicKeys(options.out_dir);
  if (args.Has("report")) WriteReport(args.Get("report"), summary, out);
  // With the report on standard output, the summary goes to stderr.
  std::ostream& summary_out = args.Get("report") == kStandardOutput ? err : out;
  for (const InputResult& r : summary.results) {
    if (const std::string note = EmbargoNote(r.edition, r.embargo); !note.empty()) {
      summary_out << "imprint build: " << note << "\n";
    }
  }
  PrintSummary(summary, options.out_dir, summary_out);
  const bool indexed = UpdateSearchIndex(options.out_dir, keystore.Trusted(), summary_out, err);
  return summary.failed == 0 && indexed ? kExitOk : kExitFailure;
}

// ---- publish --------------------------------------------------------------------

int RunPublish(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one raw issue FILE");
  BuildOptions options = BuildOptionsFrom(args, {args.positional[0]});
  options.guard_inputs = true;
  options.replace = args.Has("replace");
  const Keystore keystore = BuildKeystore(options.out_dir, err);
  const BuildContext context = MakeBuildContext(RightsDir(args), TemplatesDir(args), keystore);
  const BuildSummary summary = RunBuild(options, context);
  const InputResult& result = summary.results.at(0);
  for (const Diagnostic& d : result.diagnostics) PrintDiagnostic(d, err);
  if (result.status == InputStatus::kFailed) return kExitFailure;
  keystore.ExportPublicKeys(options.out_dir);
  std::ostringstream index_note;  // said last
  const int indexed = UpdateSearchIndex(options.out_dir, keystore.Trusted(), index_note, err) ? kExitOk : kExitFailure;
  if (result.status == InputStatus::kWithdrawn) {
    out << "not published: " << result.edition << " was withdrawn on "
        << context.withdrawals.Find(result.edition)->date << " (" << RightsDir(args) << "/" << kWithdrawalsName
        << ")\n" << index_note.str();
    return indexed;
  }

  // Check what was published as a subscriber will: every signature and hash.
  const std::string folder = options.out_dir + "/" + result.edition;
  bool ok = true;
  for (const Verdict& v : VerifyPaths({folder}, keystore.Trusted())) {
    if (!v.ok) {
      err << v.path << ": error: " << v.reason << "\n";
      ok = false;
    }
  }
  if (!ok) return kExitFailure;
  const Manifest manifest = ParseManifest(ReadFile(folder + "/" + kManifestName), folder + "/" + kManifestName);
  out << (result.status == InputStatus::kBuilt ? "published " : "unchanged, already published ") << result.edition
      << " revision " << manifest.revision
      << (manifest.corrections.empty() ? "" : ", corrected " + manifest.corrections.back().date)
      << " (checked: signatures and manifest)\n";
  if (!result.replaced.empty()) out << "replaced " << result.replaced << "\n";
  if (const std::string note = EmbargoNote(result.edition, result.embargo); !note.empty()) {
    out << "  " << note << " (the server answers 404 for its files until then)\n";
  }
  for (const std::string& f : FilesIn(folder)) {
    if (f != kRevisionsFolder) out << "  " << folder << "/" << f << "\n";
  }
  for (const std::string& r : FilesIn(folder + "/" + kRevisionsFolder)) {
    out << "  " << folder << "/" << kRevisionsFolder << "/" << r << "/ (revision " << r.substr(1) << ", kept)\n";
  }
  for (const char* file : {kCatalogPageName, kCatalogJsonName, kPublicKeyPath}) {
    out << "  " << options.out_dir << "/" << file << "\n";
  }
  out << index_note.str();
  return indexed;
}

// ---- catalog --------------------------------------------------------------------

// The withdrawn editions (rights/withdrawals.xml) into `entries`, each
// listed as withdrawn, never live: a folder of one that came back is
// removed. Returns the number of live editions.
size_t ListWithdrawn(const Args& args, const std::string& out_dir, std::vector<CatalogEntry>* entries,
                     std::ostream& out) {
  const Withdrawals withdrawals = LoadWithdrawals(RightsDir(args));
  if (withdrawals.list.empty()) return entries->size();
  for (const CatalogEntry& e : *entries) {
    if (withdrawals.Find(e.edition) == nullptr) continue;
    RemoveTree(out_dir + "/" + e.edition);
    out << "removed " << out_dir << "/" << e.edition << ": the edition is withdrawn\n";
  }
  ApplyWithdrawals(withdrawals, LoadRightsPolicy(RightsDir(args)), entries);
  return entries->size() - withdrawals.list.size();
}

int RunCatalog(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  const std::string out_dir = OutDir(args);
  std::vector<std::string> problems;
  const Keystore keystore = BuildKeystore(out_dir, err);
  std::vector<CatalogEntry> entries = ScanEditions(out_dir, keystore.Trusted(), &problems);
  for (const std::string& p : problems) err << p << "\n";
  ListWithdrawn(args, out_dir, &entries, out);
  WriteReleasedCatalog(out_dir, entries, TemplateSet::Load(TemplatesDir(args)), keystore.LoadSigningKey());
  keystore.ExportPublicKeys(out_dir);
  const bool indexed = UpdateSearchIndex(out_dir, keystore.Trusted(), out, err);
  for (const CatalogEntry& e : entries) {
    if (const std::string note = EmbargoNote(e.edition, e.embargo); !note.empty()) {
      out << "imprint catalog: " << note << "\n";
    }
  }
  const std::vector<CatalogEntry> listed = ReleasedEditions(entries, Now());
  const auto live = std::count_if(listed.begin(), listed.end(), [](const CatalogEntry& e) { return e.withdrawn.empty(); });
  out << "imprint catalog: " << live << " editions in " << out_dir << "/index.html and " << out_dir
      << "/catalog.json\n";
  return problems.empty() && indexed ? kExitOk : kExitFailure;
}

// ---- rights check -------------------------------------------------------------

int RunRightsCheck(const Args& args, std::ostream& out, std::ostream& err) {
  const RightsPolicy policy = LoadRightsPolicy(RightsDir(args));
  const TemplateSet templates = TemplateSet::Load(TemplatesDir(args));
  CheckTemplates(policy, templates);
  CheckWatermarks(policy);
  out << "rights policy " << policy.source << ": valid\n"
      << "templates " << templates.dir() << ": valid (names known, footers carry the rights)\n"
      << "holder: " << policy.holder << " <" << policy.holder_url << ">\n"
      << "notice: " << policy.notice << "\n"
      << "license: " << policy.license_url << "\n"
      << "EPUB accessibility: " << policy.accessibility.conforms_to << ", certified by "
      << policy.accessibility.certified_by << "\n"
      << "publications:\n";
  for (const auto& [slug, pub] : policy.publications) {
    out << "  " << slug << ": " << pub.name << " (" << pub.language << "), since "
        << pub.first_year << ", volume " << pub.first_volume << " = " << pub.first_year
        << ", footer " << pub.footer_template << ", tiers";
    for (const std::string& t : pub.tiers) out << " " << t;
    out << "\n";
  }
  out << "tiers:\n";
  for (const auto& [id, tier] : policy.tiers) {
    out << "  " << id << " (" << tier.title << "):";
    for (const Rule& r : tier.permissions) {
      out << " permit " << r.action;
      if (!r.formats.empty()) {
        out << " [";
        for (size_t i = 0; i < r.formats.size(); ++i) out << (i ? " " : "") << r.formats[i];
        out << "]";
      }
      for (const std::string& d : r.duties) out << " (duty: " << d << ")";
      out << ";";
    }
    for (const Rule& r : tier.prohibitions) out << " prohibit " << r.action << ";";
    out << "\n";
  }
  return kExitOk;
}

// ---- verify -------------------------------------------------------------------

int RunVerify(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.empty()) throw UsageError("no PATH given");
  const TrustedKeys trusted = TrustedFrom(args);
  bool all_ok = true;
  for (const Verdict& v : VerifyPaths(args.positional, trusted)) {
    all_ok = all_ok && v.ok;
    out << (v.ok ? "OK      " : "FAILED  ") << v.path << (v.ok ? " (" : ": ") << v.reason
        << (v.ok ? ")" : "") << "\n";
  }
  return all_ok ? kExitOk : kExitFailure;
}

// `build`'s table entry (its description is long).
Command BuildCommand() {
  return {"build", "build [--out DIR] [--jobs N] [--report FILE] [--shard K/N] [--force] INPUT...",
       "build raw issues into signed Markdown, HTML and EPUB editions",
       "Builds every raw issue given (files, or folders searched recursively for\n"
       "*.txt) into DIR/<pub>/v<VV>/i<III>/. Each input is read, given its\n"
       "publication's canonical footer and rights from rights/ and templates/,\n"
       "written in every format with a minisign signature beside each file and a\n"
       "signed manifest.json, atomically. The signing key comes from $IMPRINT_KEYS\n"
       "(a development key is made when there is none); its public half is copied\n"
       "to DIR/keys/imprint.pub. A bad input is reported as\n"
       "FILE:LINE: error: WHAT and leaves no file behind; the other inputs are\n"
       "still built. Only regular files (or links to them) are read: a FIFO, socket,\n"
       "device, dangling link or link loop, named or found, is that input's error.\n"
       "An edition whose raw text, templates, rights, key and program\n"
       "version are unchanged since it was built is not rebuilt (the state lives in\n"
       "DIR/.imprint/). Each edition is replaced as a whole, so a killed build leaves\n"
       "old or new editions, never a mix. Writes DIR/index.html and DIR/catalog.json.\n"
       "Exit status 1 when any input failed.",
       "imprint build --out output samples/archive",
       [](OptionSet& set) {
         set.addOption(ValueOption("out", "o", "output folder (default: output)", "DIR"));
         set.addOption(ValueOption("jobs", "j", "threads (default: the number of cores)", "N"));
         set.addOption(ValueOption("report", "", "write a JSON report, one entry per input (- for standard "
                                   "output)", "FILE"));
         set.addOption(ValueOption("shard", "", "build only the K-th of N stable parts of the inputs", "K/N"));
         set.addOption(Option("force", "", "rebuild editions even when nothing changed").required(false));
         AddResourceOptions(set);
       },
       &RunBuildCommand};
}

}  // namespace

void AddEditionCommands(std::vector<Command>* commands) {
  const std::vector<Command> mine = {
      BuildCommand(),
      {"publish", "publish [--out DIR] [--replace] FILE", "build, check and catalog one new issue",
       "The editor's command: builds one raw issue into DIR (default output), checks\n"
       "the edition as a subscriber would (every signature, the manifest's hashes),\n"
       "adds it to the catalog and prints where each file is. An edition last built\n"
       "from another file, with other text, is replaced only with --replace, which\n"
       "says what it replaced. Changed text, from any file, is a correction: a new\n"
       "revision with its Correction: line (docs/editions.md).",
       "imprint publish incoming/monitor-v05-i078.txt",
       [](OptionSet& set) {
         set.addOption(ValueOption("out", "o", "output folder (default: output)", "DIR"));
         set.addOption(Option("replace", "", "replace an edition built from another file with other text")
                           .required(false));
         AddResourceOptions(set);
       },
       &RunPublish},
      {"catalog", "catalog [--out DIR]", "rebuild DIR/index.html and catalog.json from the editions",
       "Scans DIR for edition manifests and writes the catalog page and catalog.json\n"
       "listing all of them: the step that merges the outputs of sharded builds.",
       "imprint catalog --out output",
       [](OptionSet& set) {
         set.addOption(ValueOption("out", "o", "output folder (default: output)", "DIR"));
         AddResourceOptions(set);
       },
       &RunCatalog},
      {"verify", "verify [--pubkey FILE]... PATH...",
       "check signatures and manifests of editions or single files",
       "PATH is an edition folder (checked through its manifest.json: the manifest's\n"
       "signature, then every artifact's size, SHA-256 and signature, and no unlisted\n"
       "file but revisions/r<N>/, earlier revisions each checked as an edition folder\n"
       "and chained by `supersedes`) or a single artifact (its .minisig, and its hash\n"
       "in the manifest beside it). An output folder (one holding catalog.json) is\n"
       "checked against its signed catalog: every edition folder's manifest must be\n"
       "the one the catalog names (no older revision, no other edition's files), no\n"
       "listed edition may be missing and no unlisted one present unless embargoed;\n"
       "then every edition folder as above. Trusted keys come from --pubkey (minisign\n"
       ".pub files or a keyring.json, which also carries revocations), else from the\n"
       "keystore's keyring. Prints one line per file, OK or FAILED and why; exit\n"
       "status 1 when any failed.",
       "imprint verify --pubkey output/keys/keyring.json output",
       [](OptionSet& set) {
         AddPubkeyOption(set);
       },
       &RunVerify},
      {"rights check", "rights check [--rights DIR] [--templates DIR]",
       "validate rights/ and templates/ and summarise the policy",
       "Loads the rights policy, validating it against its RELAX NG schema, checks\n"
       "the templates (every tag closed and well formed, every name one its renderer\n"
       "gives, each publication's footer and the EPUB rights page carrying its\n"
       "copyright notice, holder and license link), and prints the policy:\n"
       "holder, publications, and what each license tier permits and prohibits.",
       "imprint rights check",
       [](OptionSet& set) { AddResourceOptions(set); },
       &RunRightsCheck},
  };
  commands->insert(commands->end(), mine.begin(), mine.end());
}

}  // namespace imprint::cli
