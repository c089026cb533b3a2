#include "pipeline/cli.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>
#include <Poco/Util/OptionSet.h>
#include <malloc.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "pipeline/build.h"
#include "pipeline/catalog.h"
#include "pipeline/crypto.h"
#include "pipeline/decision.h"
#include "pipeline/license.h"
#include "pipeline/license_store.h"
#include "pipeline/error.h"
#include "pipeline/file_system.h"
#include "pipeline/keystore.h"
#include "pipeline/minisign.h"
#include "pipeline/personalize.h"
#include "pipeline/server.h"
#include "pipeline/verify.h"
#include "pipeline/rights_policy.h"
#include "pipeline/template_set.h"

namespace imprint {
namespace {

namespace fs = std::filesystem;
using Poco::Util::Option;
using Poco::Util::OptionSet;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  std::map<std::string, std::vector<std::string>> values;  // by full option name
  std::vector<std::string> positional;
  bool Has(const std::string& name) const { return values.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second.back();
  }
  std::vector<std::string> GetAll(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? std::vector<std::string>{} : it->second;
  }
};

// One subcommand: its words, what it is for, and how to run it.
struct Command {
  std::string name;      // "build", "rights check"
  std::string synopsis;  // the usage line after "imprint "
  std::string summary;   // one line for `imprint --help`
  std::string description;
  std::string example;
  std::function<void(OptionSet&)> options;
  std::function<int(const Args&, std::ostream&, std::ostream&)> run;
};

Option ValueOption(const std::string& name, const std::string& shortName,
                   const std::string& description, const std::string& arg) {
  return Option(name, shortName, description).required(false).repeatable(false).argument(arg);
}

void AddCommonOptions(OptionSet& set) {
  set.addOption(Option("help", "h", "show this help and exit").required(false).repeatable(false));
}

void AddResourceOptions(OptionSet& set) {
  set.addOption(ValueOption("templates", "", "templates folder (default: $IMPRINT_TEMPLATES, "
                            "else the project's templates/)", "DIR"));
  set.addOption(ValueOption("rights", "", "rights policy folder (default: $IMPRINT_RIGHTS, "
                            "else the project's rights/)", "DIR"));
}

Args Parse(const OptionSet& set, const std::vector<std::string>& args) {
  Args parsed;
  Poco::Util::OptionProcessor processor(set);
  processor.setUnixStyle(true);
  bool only_positional = false;
  try {
    for (const std::string& arg : args) {
      std::string name, value;
      if (only_positional || arg == "-" || !processor.process(arg, name, value)) {
        parsed.positional.push_back(arg);
        continue;
      }
      if (arg == "--") only_positional = true;
      if (!name.empty()) parsed.values[name].push_back(value);
    }
    processor.checkRequired();
  } catch (const Poco::Util::OptionException& e) {
    throw UsageError(e.displayText());
  }
  return parsed;
}

std::string ResourceDir(const Args& args, const std::string& option,
                        const char* env, const std::string& subdir) {
  if (args.Has(option)) return args.Get(option);
  if (const char* value = std::getenv(env); value != nullptr && *value != '\0') return value;
  return std::string(IMPRINT_SOURCE_DIR) + "/" + subdir;
}

// The names of the files in a folder, sorted.
std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// FNV-1a of an input's key: the same part on every machine and every run.
int ShardOf(const std::string& key, int parts) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return static_cast<int>(h % static_cast<uint64_t>(parts));
}

int PositiveInt(const Args& args, const std::string& option, int fallback) {
  if (!args.Has(option)) return fallback;
  const std::string text = args.Get(option);
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n < 1 || n > 1024) {
    throw UsageError("--" + option + " takes a whole number from 1 to 1024, not '" + text + "'");
  }
  return static_cast<int>(n);
}

void PrintDiagnostic(const Diagnostic& d, std::ostream& err) {
  err << d.ToString() << '\n';
}

// ---- build ------------------------------------------------------------------

void WriteReport(const std::string& path, const BuildSummary& summary) {
  Poco::JSON::Array::Ptr inputs = new Poco::JSON::Array;
  for (const InputResult& r : summary.results) {
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    entry->set("input", r.input);
    entry->set("status", std::string(r.status == InputStatus::kBuilt       ? "built"
                                     : r.status == InputStatus::kUnchanged ? "unchanged"
                                                                           : "failed"));
    if (!r.edition.empty()) entry->set("edition", r.edition);
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
  report.set("seconds", summary.seconds);
  report.set("warnings", summary.warnings);
  report.set("inputs", inputs);
  std::ostringstream out;
  report.stringify(out, 2);
  out << '\n';
  WriteFileAtomic(path, out.str());
}

std::string RightsDir(const Args& args) {
  return ResourceDir(args, "rights", "IMPRINT_RIGHTS", "rights");
}
std::string TemplatesDir(const Args& args) {
  return ResourceDir(args, "templates", "IMPRINT_TEMPLATES", "templates");
}

// The keystore a build signs with; a development key is made when there is
// none, and the keystore may never sit inside the output.
Keystore BuildKeystore(const std::string& out_dir, std::ostream& err) {
  Keystore keystore(Keystore::DefaultDir());
  const fs::path keys = fs::weakly_canonical(fs::absolute(keystore.dir()));
  const fs::path out = fs::weakly_canonical(fs::absolute(out_dir));
  const auto mismatch = std::mismatch(out.begin(), out.end(), keys.begin(), keys.end());
  if (mismatch.first == out.end()) {
    throw Error(keystore.dir(), 0,
                "the keystore is inside the output folder " + out_dir +
                    "; secrets never go there: set IMPRINT_KEYS elsewhere");
  }
  if (!keystore.Exists()) {
    const KeyEntry key = keystore.Init(/*development=*/true);
    err << "imprint: no signing key in " << keystore.dir() << "; made a development key "
        << key.key.IdText() << " (for the foundation's key, run 'imprint keys init' with "
        << "IMPRINT_KEYS naming a new folder)\n";
  }
  return keystore;
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

BuildOptions BuildOptionsFrom(const Args& args, std::vector<std::string> inputs) {
  BuildOptions options;
  options.out_dir = args.Get("out", "output");
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
      << summary.failed << " failed, " << summary.warnings << " warning"
      << (summary.warnings == 1 ? "" : "s") << " in " << rate << "; " << summary.editions
      << " editions in " << out_dir << "/\n";
}

int RunBuildCommand(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.empty()) throw UsageError("no INPUT given");
  BuildOptions options = BuildOptionsFrom(args, {});
  const std::string shard = args.Get("shard", "1/1");
  ParseShard(shard);  // a usage error before any work
  for (const InputFile& f : Shard(FindInputs(args.positional), shard)) options.inputs.push_back(f.path);
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
  if (args.Has("report")) WriteReport(args.Get("report"), summary);
  PrintSummary(summary, options.out_dir, out);
  return summary.failed == 0 ? kExitOk : kExitFailure;
}

// ---- publish --------------------------------------------------------------------

int RunPublish(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one raw issue FILE");
  BuildOptions options = BuildOptionsFrom(args, {args.positional[0]});
  const Keystore keystore = BuildKeystore(options.out_dir, err);
  const BuildContext context = MakeBuildContext(RightsDir(args), TemplatesDir(args), keystore);
  const BuildSummary summary = RunBuild(options, context);
  const InputResult& result = summary.results.at(0);
  for (const Diagnostic& d : result.diagnostics) PrintDiagnostic(d, err);
  if (result.status == InputStatus::kFailed) return kExitFailure;
  keystore.ExportPublicKeys(options.out_dir);

  // Check what was published as a subscriber will: every signature and hash.
  const std::string folder = options.out_dir + "/" + result.edition;
  bool ok = true;
  for (const Verdict& v : VerifyPaths({folder}, LoadTrustedKeys({keystore.dir() + "/keyring.json"}))) {
    if (!v.ok) {
      err << v.path << ": error: " << v.reason << "\n";
      ok = false;
    }
  }
  if (!ok) return kExitFailure;
  out << (result.status == InputStatus::kBuilt ? "published " : "unchanged, already published ")
      << result.edition << " (checked: signatures and manifest)\n";
  std::vector<std::string> files = FilesIn(folder);
  for (const std::string& f : files) out << "  " << folder << "/" << f << "\n";
  out << "  " << options.out_dir << "/index.html\n  " << options.out_dir << "/catalog.json\n  "
      << options.out_dir << "/keys/imprint.pub\n";
  return kExitOk;
}

// ---- catalog --------------------------------------------------------------------

int RunCatalog(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  const std::string out_dir = args.Get("out", "output");
  std::vector<std::string> problems;
  const std::vector<CatalogEntry> entries = ScanEditions(out_dir, &problems);
  for (const std::string& p : problems) err << p << "\n";
  const Keystore keystore = BuildKeystore(out_dir, err);
  WriteCatalog(out_dir, entries, TemplateSet::Load(TemplatesDir(args)), keystore.LoadSigningKey());
  keystore.ExportPublicKeys(out_dir);
  out << "imprint catalog: " << entries.size() << " editions in " << out_dir << "/index.html and "
      << out_dir << "/catalog.json\n";
  return problems.empty() ? kExitOk : kExitFailure;
}

// ---- rights check -------------------------------------------------------------

int RunRightsCheck(const Args& args, std::ostream& out, std::ostream& err) {
  const RightsPolicy policy = LoadRightsPolicy(RightsDir(args));
  const TemplateSet templates = TemplateSet::Load(TemplatesDir(args));
  for (const auto& [slug, pub] : policy.publications) {
    if (!templates.Has(pub.footer_template)) {
      throw Error(policy.source, pub.line,
                  "publication '" + slug + "' names footer template '" +
                      pub.footer_template + "', which is not in " + templates.dir());
    }
  }
  out << "rights policy " << policy.source << ": valid\n"
      << "holder: " << policy.holder << " <" << policy.holder_url << ">\n"
      << "notice: " << policy.notice << "\n"
      << "license: " << policy.license_url << "\n"
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

// ---- keys ---------------------------------------------------------------------

void PrintKey(const KeyEntry& e, std::ostream& out) {
  out << e.key.IdText() << "  " << e.status << (e.development ? " (development)" : "");
  if (!e.reason.empty()) out << ": " << e.reason;
  out << "\n";
}

int RunKeysInit(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  Keystore keystore(Keystore::DefaultDir());
  const KeyEntry key = keystore.Init(args.Has("dev"));
  out << "made signing key " << key.key.IdText() << " in " << keystore.dir()
      << " (secret: owner-only)\npublic key:\n" << FormatPublicKey(key.key);
  return kExitOk;
}

int RunKeysRotate(const Args& args, std::ostream& out, std::ostream& err) {
  Keystore keystore(Keystore::DefaultDir());
  const KeyEntry key = keystore.Rotate();
  out << "new signing key " << key.key.IdText()
      << "; older keys stay in the keyring so their editions still verify\n"
      << FormatPublicKey(key.key);
  return kExitOk;
}

int RunKeysRevoke(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one KEYID");
  Keystore keystore(Keystore::DefaultDir());
  PrintKey(keystore.Revoke(args.positional[0], args.Get("reason")), out);
  return kExitOk;
}

int RunKeysList(const Args& args, std::ostream& out, std::ostream& err) {
  Keystore keystore(Keystore::DefaultDir());
  for (const KeyEntry& e : keystore.Keys()) PrintKey(e, out);
  return kExitOk;
}

// ---- verify -------------------------------------------------------------------

int RunVerify(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.empty()) throw UsageError("no PATH given");
  std::vector<std::string> key_files = args.GetAll("pubkey");
  if (key_files.empty()) {
    const Keystore keystore(Keystore::DefaultDir());
    if (!keystore.Exists()) {
      throw UsageError("no trusted key: pass --pubkey DIR/keys/imprint.pub (or keyring.json)");
    }
    key_files.push_back(keystore.dir() + "/keyring.json");
  }
  const TrustedKeys trusted = LoadTrustedKeys(key_files);
  bool all_ok = true;
  for (const Verdict& v : VerifyPaths(args.positional, trusted)) {
    all_ok = all_ok && v.ok;
    out << (v.ok ? "OK      " : "FAILED  ") << v.path << (v.ok ? " (" : ": ") << v.reason
        << (v.ok ? ")" : "") << "\n";
  }
  return all_ok ? kExitOk : kExitFailure;
}

// ---- license ------------------------------------------------------------------

int64_t Now() { return static_cast<int64_t>(::time(nullptr)); }

void AddDbOption(OptionSet& set) {
  set.addOption(ValueOption("db", "", "the license store: sqlite:PATH or postgresql://USER@HOST:PORT/DB "
                            "(default: sqlite:imprint.db beside the output folder)", "URL"));
}

// The store named by --db, else the SQLite file beside `out_dir`.
std::unique_ptr<LicenseStore> OpenStore(const Args& args, const std::string& out_dir = "output") {
  return LicenseStore::Open(args.Get("db", LicenseStore::DefaultUrl(out_dir)));
}

std::string Required(const Args& args, const std::string& option) {
  if (!args.Has(option) || args.Get(option).empty()) throw UsageError("--" + option + " is required");
  return args.Get(option);
}

// The keys a license or edition is checked against: --pubkey files, else the
// keystore's keyring.
TrustedKeys TrustedFrom(const Args& args) {
  std::vector<std::string> files = args.GetAll("pubkey");
  if (files.empty()) {
    const Keystore keystore(Keystore::DefaultDir());
    if (!keystore.Exists()) throw UsageError("no trusted key: pass --pubkey DIR/keys/keyring.json");
    files.push_back(keystore.dir() + "/keyring.json");
  }
  return LoadTrustedKeys(files);
}

int RunLicenseIssue(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  License l;
  l.subscriber_id = Required(args, "subscriber");
  l.subscriber_name = Required(args, "name");
  l.subscriber_email = args.Get("email");
  l.tier = Required(args, "tier");
  const std::string from = Required(args, "from"), until = Required(args, "until");
  const auto start = ParseTime(from), end = ParseTime(until, /*end_of_day=*/true);
  if (!start) throw UsageError("--from takes a date (YYYY-MM-DD) or an RFC 3339 time, not '" + from + "'");
  if (!end) throw UsageError("--until takes a date (YYYY-MM-DD) or an RFC 3339 time, not '" + until + "'");
  if (*end < *start) throw UsageError("--until is before --from");
  const RightsPolicy policy = LoadRightsPolicy(RightsDir(args));
  if (policy.tiers.count(l.tier) == 0) {
    std::string known;
    for (const auto& [id, tier] : policy.tiers) known += (known.empty() ? "" : ", ") + id;
    throw UsageError("unknown tier '" + l.tier + "'; the rights policy has " + known);
  }
  std::istringstream pubs(Required(args, "publications"));
  for (std::string p; std::getline(pubs, p, ',');) {
    if (policy.FindPublication(p) == nullptr) throw UsageError("unknown publication '" + p + "'");
    l.publications.push_back(p);
  }
  l.id = NewLicenseId();
  l.issued = FormatTime(Now());
  l.provider = policy.holder_url;
  l.start = FormatTime(*start);
  l.end = FormatTime(*end);

  const Keystore keystore = BuildKeystore("output", err);
  const std::string document = SignLicense(l, keystore.LoadSigningKey());
  OpenStore(args)->AddLicense({l, document}, Now());
  if (args.Has("out")) {
    WriteFileAtomic(args.Get("out"), document);
    out << "issued license " << l.id << " to " << l.subscriber_name << " (" << l.tier << "), written to "
        << args.Get("out") << "\n";
  } else {
    out << document;
  }
  return kExitOk;
}

License ReadVerifiedLicense(const Args& args, const std::string& path, std::string* text) {
  *text = ReadFile(path);
  switch (VerifyLicense(*text, TrustedFrom(args))) {
    case SignatureVerdict::kGood: break;
    case SignatureVerdict::kUnknownKey: throw Error(path, 0, "license signed by an unknown key");
    case SignatureVerdict::kRevokedKey: throw Error(path, 0, "license signed by a revoked key");
    case SignatureVerdict::kBad: throw Error(path, 0, "bad signature: the license was changed or is not one");
  }
  return ParseLicense(*text, path);
}

int RunLicenseShow(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one license FILE");
  std::string text;
  const License l = ReadVerifiedLicense(args, args.positional[0], &text);
  std::string pubs;
  for (const std::string& p : l.publications) pubs += (pubs.empty() ? "" : ", ") + p;
  out << "license:      " << l.id << " (signature good, key " << l.key_id << ")\n"
      << "subscriber:   " << l.subscriber_name << " <" << l.subscriber_email << ">, id " << l.subscriber_id << "\n"
      << "tier:         " << l.tier << "\n"
      << "publications: " << pubs << "\n"
      << "valid:        " << l.start << " to " << l.end << "\n"
      << "issued:       " << l.issued << " by " << l.provider << "\n"
      << "status:       " << LicenseStatus(*OpenStore(args), l, Now()) << "\n";
  return kExitOk;
}

int RunLicenseCheck(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 2) throw UsageError("give a license FILE and an EDITION");
  const auto edition = ParseEditionRef(args.positional[1]);
  if (!edition) throw UsageError("EDITION looks like monitor/v05/i077, not '" + args.positional[1] + "'");
  const std::string action = Required(args, "action");
  const std::string format = args.Get("format");
  if (!format.empty() && format != "md" && format != "html" && format != "epub") {
    throw UsageError("--format is md, html or epub, not '" + format + "'");
  }
  int64_t at = Now();
  if (args.Has("at")) {
    const auto parsed = ParseTime(args.Get("at"));
    if (!parsed) throw UsageError("--at takes an RFC 3339 time or a date, not '" + args.Get("at") + "'");
    at = *parsed;
  }
  const std::string text = ReadFile(args.positional[0]);
  const RightsPolicy policy = LoadRightsPolicy(RightsDir(args));
  const auto store = OpenStore(args);
  const Decision d = Decide({&text, *edition, action, format, at}, policy, TrustedFrom(args),
                            [&store](const std::string& id, int64_t when) -> std::optional<std::string> {
                              const auto r = store->FindRevocation(id);
                              if (r && r->at <= when) return r->reason;
                              return std::nullopt;
                            });
  out << (d.permit ? "permit" : "deny: " + d.reason) << " (" << d.detail << ")\n";
  return d.permit ? kExitOk : kExitFailure;
}

int RunLicenseRevoke(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one license ID");
  const std::string reason = args.Get("reason", "revoked by the foundation");
  if (!OpenStore(args)->Revoke(args.positional[0], reason, Now())) {
    throw Error(args.positional[0], 0, "no such license in the store");
  }
  out << "revoked license " << args.positional[0] << ": " << reason << "\n";
  return kExitOk;
}

int RunLicenseRenew(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one license ID");
  const std::string until = Required(args, "until");
  const auto end = ParseTime(until, /*end_of_day=*/true);
  if (!end) throw UsageError("--until takes a date (YYYY-MM-DD) or an RFC 3339 time, not '" + until + "'");
  const auto store = OpenStore(args);
  auto stored = store->FindLicense(args.positional[0]);
  if (!stored) throw Error(args.positional[0], 0, "no such license in the store");
  if (store->FindRevocation(stored->license.id)) throw Error(args.positional[0], 0, "the license is revoked");
  License& l = stored->license;
  if (*end <= *ParseTime(l.end)) throw UsageError("--until must be after the license's end, " + l.end);
  l.end = FormatTime(*end);
  const Keystore keystore = BuildKeystore("output", err);
  stored->document = SignLicense(l, keystore.LoadSigningKey());
  store->RenewLicense(*stored, Now());
  if (args.Has("out")) {
    WriteFileAtomic(args.Get("out"), stored->document);
    out << "renewed license " << l.id << " until " << l.end << ", written to " << args.Get("out") << "\n";
  } else {
    out << stored->document;
  }
  return kExitOk;
}

int RunLicenseList(const Args& args, std::ostream& out, std::ostream& err) {
  const auto store = OpenStore(args);
  const int64_t now = Now();
  for (const StoredLicense& s : store->ListLicenses()) {
    const License& l = s.license;
    std::string pubs;
    for (const std::string& p : l.publications) pubs += (pubs.empty() ? "" : ",") + p;
    out << l.id << "  " << LicenseStatus(*store, l, now) << "  " << l.tier << "  " << pubs << "  "
        << l.start.substr(0, 10) << ".." << l.end.substr(0, 10) << "  " << l.subscriber_name << " ("
        << l.subscriber_id << ")\n";
  }
  return kExitOk;
}

int RunLicenseStatus(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one license ID");
  out << LicenseStatusDocument(*OpenStore(args), args.positional[0], Now());
  return kExitOk;
}

// ---- serve, audit, trace --------------------------------------------------------

int RunServe(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  ServerOptions options;
  options.bind = args.Get("bind", "127.0.0.1");
  if (args.Has("port")) {
    const std::string port = args.Get("port");
    char* end = nullptr;
    const long n = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || n < 0 || n > 65535) {
      throw UsageError("--port takes a number from 0 to 65535, not '" + port + "'");
    }
    options.port = static_cast<int>(n);
  }
  options.out_dir = args.Get("out", "output");
  options.db_url = args.Get("db", LicenseStore::DefaultUrl(options.out_dir));
  const Keystore keystore = BuildKeystore(options.out_dir, err);
  DownloadServer server(options, LoadRightsPolicy(RightsDir(args)), TemplateSet::Load(TemplatesDir(args)),
                        keystore.LoadSigningKey(), LoadTrustedKeys({keystore.dir() + "/keyring.json"}));
  // Handler threads inherit a mask without SIGINT and SIGTERM: only this
  // thread takes them, and stops the server cleanly.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  server.Start();
  out << "imprint serve: listening on http://" << options.bind << ":" << server.port() << "/ (editions from "
      << options.out_dir << "/)" << std::endl;
  int signal = 0;
  sigwait(&stop, &signal);
  server.Stop();
  out << "imprint serve: stopped" << std::endl;
  return kExitOk;
}

int RunAudit(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  for (const AuditRow& r : OpenStore(args)->Audit(args.Get("license"))) {
    out << r.id << "  " << FormatTime(r.at) << "  " << r.decision << "  " << r.reason << "  "
        << (r.license_id.empty() ? "-" : r.license_id) << "  " << (r.subscriber_id.empty() ? "-" : r.subscriber_id)
        << "  " << r.edition << "  " << r.format << "  " << (r.sha256.empty() ? "-" : r.sha256) << "\n";
  }
  return kExitOk;
}

int RunAuditVerify(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  const std::vector<AuditRow> rows = OpenStore(args)->Audit();
  if (const int64_t bad = FirstBrokenAuditRow(rows); bad != 0) {
    out << "audit log broken at row " << bad << ": edited, deleted or out of order\n";
    return kExitFailure;
  }
  out << "audit log intact: " << rows.size() << " rows\n";
  return kExitOk;
}

int RunTrace(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one FILE");
  const std::string path = args.positional[0];
  const std::string bytes = ReadFile(path);
  const std::string ext = path.substr(path.rfind('.') + 1);
  const std::string id = FindLicenseId(ext, bytes);
  if (id.empty()) throw Error(path, 0, "names no license: not a personalised copy");
  const auto store = OpenStore(args);
  const auto stored = store->FindLicense(id);
  out << "license:    " << id << (stored ? "" : " (not in this store)") << "\n";
  if (stored) {
    out << "subscriber: " << stored->license.subscriber_name << " <" << stored->license.subscriber_email << ">, id "
        << stored->license.subscriber_id << ", tier " << stored->license.tier << "\n";
  }
  const std::string sha = Sha256Hex(bytes);
  bool found = false;
  for (const AuditRow& r : store->Audit(id)) {
    if (r.sha256 != sha) continue;
    out << "download:   audit row " << r.id << ", " << FormatTime(r.at) << ", " << r.edition << " as " << r.format
        << "\n";
    found = true;
  }
  if (!found) out << "download:   no audit row has these bytes (the copy was changed, or served elsewhere)\n";
  return kExitOk;
}

// ---- the table of commands ---------------------------------------------------

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"build", "build [--out DIR] [--jobs N] [--report FILE] [--shard K/N] [--force] INPUT...",
       "build raw issues into signed Markdown, HTML and EPUB editions",
       "Builds every raw issue given (files, or folders searched recursively for\n"
       "*.txt) into DIR/<pub>/v<VV>/i<III>/. Each input is read, given its\n"
       "publication's canonical footer and rights from rights/ and templates/,\n"
       "written in every format with a minisign signature beside each file and a\n"
       "signed manifest.json, atomically. The signing key comes from $IMPRINT_KEYS\n"
       "(a development key is made when there is none); its public half is copied\n"
       "to DIR/keys/imprint.pub. A bad input is reported as\n"
       "FILE:LINE: error: WHAT and leaves no file behind; the other inputs are\n"
       "still built. An edition whose raw text, templates, rights, key and program\n"
       "version are unchanged since it was built is not rebuilt (the state lives in\n"
       "DIR/.imprint/). Each edition is replaced as a whole, so a killed build leaves\n"
       "old or new editions, never a mix. Writes DIR/index.html and DIR/catalog.json.\n"
       "Exit status 1 when any input failed.",
       "imprint build --out output samples/archive",
       [](OptionSet& set) {
         set.addOption(ValueOption("out", "o", "output folder (default: output)", "DIR"));
         set.addOption(ValueOption("jobs", "j", "threads (default: the number of cores)", "N"));
         set.addOption(ValueOption("report", "", "write a JSON report, one entry per input", "FILE"));
         set.addOption(ValueOption("shard", "", "build only the K-th of N stable parts of the inputs", "K/N"));
         set.addOption(Option("force", "", "rebuild editions even when nothing changed").required(false));
         AddResourceOptions(set);
       },
       &RunBuildCommand},
      {"publish", "publish [--out DIR] FILE", "build, check and catalog one new issue",
       "The editor's command: builds one raw issue into DIR (default output), checks\n"
       "the edition as a subscriber would (every signature, the manifest's hashes),\n"
       "adds it to the catalog and prints where each file is.",
       "imprint publish incoming/monitor-v05-i078.txt",
       [](OptionSet& set) {
         set.addOption(ValueOption("out", "o", "output folder (default: output)", "DIR"));
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
       "file) or a single artifact (its .minisig, and its hash in the manifest beside\n"
       "it). Trusted keys come from --pubkey (minisign .pub files or a keyring.json,\n"
       "which also carries revocations), else from the keystore's keyring. Prints one\n"
       "line per file, OK or FAILED and why; exit status 1 when any failed.",
       "imprint verify --pubkey output/keys/keyring.json output/monitor/v05/i077",
       [](OptionSet& set) {
         set.addOption(Option("pubkey", "p", "a trusted public key or keyring (repeatable)")
                           .required(false).repeatable(true).argument("FILE"));
       },
       &RunVerify},
      {"keys init", "keys init [--dev]", "make the foundation's signing key pair",
       "Makes an Ed25519 key pair in the keystore, $IMPRINT_KEYS (default\n"
       "~/.local/share/imprint/keys), with the secret readable by its owner alone.\n"
       "Refuses to overwrite an existing keystore. Prints the public key in\n"
       "minisign's format.",
       "IMPRINT_KEYS=/srv/imprint/keys imprint keys init",
       [](OptionSet& set) {
         set.addOption(Option("dev", "", "mark the key as a development key").required(false));
       },
       &RunKeysInit},
      {"keys rotate", "keys rotate", "make a new signing key and retire the current one",
       "Makes a new current signing key. The old key's public half stays in the\n"
       "keyring (so editions it signed still verify); its secret is deleted.",
       "imprint keys rotate", [](OptionSet&) {}, &RunKeysRotate},
      {"keys revoke", "keys revoke KEYID [--reason TEXT]", "revoke a key",
       "Marks a key revoked: every signature it made fails verification with the\n"
       "reason, once subscribers have the new keyring (DIR/keys/keyring.json).",
       "imprint keys revoke 8A3F21C07D5E9B14 --reason 'laptop stolen'",
       [](OptionSet& set) {
         set.addOption(ValueOption("reason", "", "why it is revoked", "TEXT"));
       },
       &RunKeysRevoke},
      {"keys list", "keys list", "list the keyring's keys and their status",
       "Prints each key's id and status: current, retired or revoked (with why).",
       "imprint keys list", [](OptionSet&) {}, &RunKeysList},
      {"license issue",
       "license issue --subscriber ID --name NAME [--email E] --tier T --publications a,b "
       "--from DATE --until DATE [--out FILE] [--db URL]",
       "issue a signed subscriber license",
       "Makes a license document for a subscriber, signed with the foundation's key\n"
       "(canonical JSON, RFC 8785), records it in the store, and writes it to FILE\n"
       "(or prints it). The tier and publications must be in the rights policy; the\n"
       "license is valid from the start of --from to the end of --until (UTC).",
       "imprint license issue --subscriber s-104 --name 'Ada Lovelace' --tier individual "
       "--publications monitor --from 2026-01-01 --until 2026-12-31 --out ada.license",
       [](OptionSet& set) {
         set.addOption(ValueOption("subscriber", "", "the subscriber's id", "ID"));
         set.addOption(ValueOption("name", "", "the subscriber's name", "NAME"));
         set.addOption(ValueOption("email", "", "the subscriber's e-mail address", "E"));
         set.addOption(ValueOption("tier", "", "a license tier of the rights policy", "T"));
         set.addOption(ValueOption("publications", "", "the publications covered, by slug", "a,b"));
         set.addOption(ValueOption("from", "", "first day (YYYY-MM-DD or RFC 3339)", "DATE"));
         set.addOption(ValueOption("until", "", "last day (YYYY-MM-DD or RFC 3339)", "DATE"));
         set.addOption(ValueOption("out", "o", "write the license here", "FILE"));
         AddDbOption(set);
         AddResourceOptions(set);
       },
       &RunLicenseIssue},
      {"license show", "license show FILE [--pubkey FILE] [--db URL]", "verify a license and print it",
       "Checks the license's signature (exit 1 if it fails) and prints its fields and\n"
       "its status in the store: active, revoked, expired or not yet valid.",
       "imprint license show ada.license",
       [](OptionSet& set) {
         set.addOption(Option("pubkey", "p", "a trusted public key or keyring (repeatable)")
                           .required(false).repeatable(true).argument("FILE"));
         AddDbOption(set);
       },
       &RunLicenseShow},
      {"license check",
       "license check FILE EDITION --action A [--format F] [--at TIME] [--db URL]",
       "decide whether a license allows an action on an edition",
       "Prints 'permit' or 'deny: REASON' with why; exit 0 permit, 1 deny. EDITION is\n"
       "like monitor/v05/i077; A is read, print, share, distribute...; F is md, html\n"
       "or epub; --at decides for another time (default now). Reasons: bad_signature,\n"
       "unknown_key, not_yet_valid, expired, revoked, publication_not_covered,\n"
       "action_not_permitted, format_not_permitted, unknown_tier.",
       "imprint license check ada.license monitor/v05/i077 --action read --format epub",
       [](OptionSet& set) {
         set.addOption(ValueOption("action", "", "read, print, share, distribute, ...", "A"));
         set.addOption(ValueOption("format", "", "md, html or epub", "F"));
         set.addOption(ValueOption("at", "", "decide for this time (RFC 3339 or a date)", "TIME"));
         set.addOption(Option("pubkey", "p", "a trusted public key or keyring (repeatable)")
                           .required(false).repeatable(true).argument("FILE"));
         AddDbOption(set);
         AddResourceOptions(set);
       },
       &RunLicenseCheck},
      {"license revoke", "license revoke ID [--reason TEXT] [--db URL]", "revoke a license",
       "Records the revocation (and its event) in the store: from now on every\n"
       "decision on the license denies it as revoked.",
       "imprint license revoke 6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61 --reason 'subscription ended'",
       [](OptionSet& set) {
         set.addOption(ValueOption("reason", "", "why it is revoked", "TEXT"));
         AddDbOption(set);
       },
       &RunLicenseRevoke},
      {"license renew", "license renew ID --until DATE [--out FILE] [--db URL]",
       "extend a license and sign it afresh",
       "Moves a license's end to the end of DATE, signs the document again (same id)\n"
       "and records a 'renewed' event. The subscriber receives the new document.",
       "imprint license renew 6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61 --until 2027-12-31 --out ada.license",
       [](OptionSet& set) {
         set.addOption(ValueOption("until", "", "the new last day", "DATE"));
         set.addOption(ValueOption("out", "o", "write the renewed license here", "FILE"));
         AddDbOption(set);
       },
       &RunLicenseRenew},
      {"license list", "license list [--db URL]", "list the store's licenses and their status",
       "One line per license: id, status, tier, publications, window, subscriber.",
       "imprint license list", [](OptionSet& set) { AddDbOption(set); }, &RunLicenseList},
      {"license status", "license status ID [--db URL]", "print a license's status document",
       "The license status document (the analogue of Readium LCP's): status\n"
       "(active, revoked, expired), a message, and the license's events.",
       "imprint license status 6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61",
       [](OptionSet& set) { AddDbOption(set); }, &RunLicenseStatus},
      {"serve", "serve [--bind 127.0.0.1] [--port 8080] [--out DIR] [--db URL]",
       "serve license-gated, personalised, signed editions over HTTP",
       "The download server. GET /editions/<pub>/v<VV>/i<III>/<file> with the header\n"
       "'Authorization: License <base64url of the license>' returns a copy made for\n"
       "the licensee and signed afresh (<file>.minisig its signature), when the\n"
       "license permits reading that format; 401 without a valid license, 403 with\n"
       "the reason, 404 for an unknown edition, 400 for a malformed path. Also\n"
       "/healthz, /keys/imprint.pub, /catalog.json, /licenses/<id>/status and the\n"
       "subscribers' page at /. Every decision goes to the audit log. Stops on\n"
       "SIGINT or SIGTERM. --port 0 takes any free port.",
       "imprint serve --port 8080 --out output",
       [](OptionSet& set) {
         set.addOption(ValueOption("bind", "", "address to listen on (default 127.0.0.1)", "ADDR"));
         set.addOption(ValueOption("port", "", "port (default 8080; 0: any free one)", "N"));
         set.addOption(ValueOption("out", "o", "the editions' folder (default: output)", "DIR"));
         AddDbOption(set);
         AddResourceOptions(set);
       },
       &RunServe},
      {"audit", "audit [--license ID] [--db URL]", "list the download server's decisions",
       "One line per decision, oldest first: row, time, decision, reason, license,\n"
       "subscriber, edition, format, SHA-256 of the bytes sent.",
       "imprint audit --license 6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61",
       [](OptionSet& set) {
         set.addOption(ValueOption("license", "", "only this license's decisions", "ID"));
         AddDbOption(set);
       },
       &RunAudit},
      {"audit verify", "audit verify [--db URL]", "check the audit log's hash chain",
       "Each row holds the hash of the row before it: exit 0 when the chain is\n"
       "intact, 1 naming the first edited, deleted or reordered row.",
       "imprint audit verify", [](OptionSet& set) { AddDbOption(set); }, &RunAuditVerify},
      {"trace", "trace FILE [--db URL]", "name the license, subscriber and download of a copy",
       "For a personalised copy found elsewhere: the license it names, the\n"
       "subscriber, and the audit row of the download with exactly these bytes.",
       "imprint trace found/monitor-v05-i077.epub", [](OptionSet& set) { AddDbOption(set); }, &RunTrace},
      {"rights check", "rights check [--rights DIR] [--templates DIR]",
       "validate rights/ and templates/ and summarise the policy",
       "Loads the rights policy, validating it against its RELAX NG schema, checks\n"
       "that every publication's footer template exists, and prints the policy:\n"
       "holder, publications, and what each license tier permits and prohibits.",
       "imprint rights check",
       [](OptionSet& set) { AddResourceOptions(set); },
       &RunRightsCheck},
  };
  return commands;
}

void PrintCommandHelp(const Command& command, const OptionSet& set, std::ostream& out) {
  out << "Usage: imprint " << command.synopsis << "\n\n" << command.description << "\n\n";
  std::ostringstream options;
  Poco::Util::HelpFormatter formatter(set);
  formatter.setUnixStyle(true);
  formatter.setIndent(4);
  formatter.setWidth(80);
  formatter.format(options);
  out << "Options:\n" << options.str() << "\nExample:\n  " << command.example << "\n";
}

void PrintHelp(std::ostream& out) {
  out << "imprint " << IMPRINT_VERSION
      << ": the Jamestown Foundation's publishing and copyright-compliance pipeline.\n\n"
         "Usage: imprint COMMAND [OPTIONS] ARGS...\n\nCommands:\n";
  for (const Command& c : Commands()) {
    out << "  " << c.name << std::string(c.name.size() < 14 ? 14 - c.name.size() : 1, ' ')
        << c.summary << "\n";
  }
  out << "\nRun 'imprint COMMAND --help' for a command's options.\n"
         "Exit status: 0 ok, 1 the work failed, 2 usage error.\n\n"
         "Example:\n  imprint build --out output samples/archive\n";
}

}  // namespace

// A build allocates and frees a few hundred kilobytes per issue on every
// thread; glibc's default trimming hands that memory back to the kernel and
// faults it in again each time, which cost more system time than the work.
void TuneAllocator() {
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

int RunCommandLine(const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err) {
  TuneAllocator();
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintHelp(args.empty() ? err : out);
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version") {
    out << "imprint " << IMPRINT_VERSION << "\n";
    return kExitOk;
  }
  // The longest command whose words start the arguments.
  const Command* command = nullptr;
  size_t words = 0;
  for (const Command& c : Commands()) {
    std::istringstream in(c.name);
    size_t n = 0;
    bool match = true;
    for (std::string word; match && in >> word; ++n) {
      match = n < args.size() && args[n] == word;
    }
    if (match && n > words) command = &c, words = n;
  }
  if (command == nullptr) {
    err << "imprint: unknown command '" << args[0] << "'; see 'imprint --help'\n";
    return kExitUsage;
  }
  OptionSet set;
  AddCommonOptions(set);
  command->options(set);
  try {
    const Args parsed = Parse(set, std::vector<std::string>(args.begin() + words, args.end()));
    if (parsed.Has("help")) {
      PrintCommandHelp(*command, set, out);
      return kExitOk;
    }
    return command->run(parsed, out, err);
  } catch (const UsageError& e) {
    err << "imprint " << command->name << ": " << e.what() << "\n"
        << "Usage: imprint " << command->synopsis << "\n";
    return kExitUsage;
  } catch (const Error& e) {
    PrintDiagnostic(e.diagnostic(), err);
    return kExitFailure;
  } catch (const Poco::Exception& e) {
    err << "imprint " << command->name << ": " << e.displayText() << "\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    err << "imprint " << command->name << ": " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace imprint
