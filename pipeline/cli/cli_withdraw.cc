// The withdraw command (docs/editions.md, "Withdrawal"): records a
// withdrawal in rights/withdrawals.xml, removes the edition's folder (every
// revision) from the output folder and rewrites the signed catalog, which
// lists the edition as withdrawn with its date and public notice. The reason
// goes into rights/withdrawals.xml only: never printed, never into DIR.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "pipeline/base/clock.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/file_system.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/base/text_decoder.h"
#include "pipeline/cli/cli_support.h"
#include "pipeline/edition/build_state.h"
#include "pipeline/edition/catalog.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/edition/template_set.h"
#include "pipeline/edition/withdrawals.h"

namespace imprint::cli {
namespace {
namespace fs = std::filesystem;

// The reason must never reach the output folder: refuse a rights folder in it.
void RequireRightsOutside(const std::string& rights_dir, const std::string& out_dir) {
  const fs::path rights = fs::weakly_canonical(fs::absolute(rights_dir));
  const fs::path out = fs::weakly_canonical(fs::absolute(out_dir));
  if (std::mismatch(out.begin(), out.end(), rights.begin(), rights.end()).first == out.end()) {
    throw Error(rights_dir, 0,
                "the rights folder is inside the output folder " + out_dir +
                    "; a withdrawal's reason never goes there: use --rights elsewhere");
  }
}

// Holds an exclusive lock on the rights folder while it lives: withdrawals
// run one at a time, each reading the file the one before wrote (and
// writing a catalog that lists them all).
class RightsLock {
 public:
  explicit RightsLock(const std::string& rights_dir)
      : fd_(::open(rights_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      const std::string why = std::strerror(errno);
      if (fd_ >= 0) ::close(fd_);
      throw Error(rights_dir, 0, "cannot lock the rights folder: " + why);
    }
  }
  ~RightsLock() { ::close(fd_); }
  RightsLock(const RightsLock&) = delete;
  RightsLock& operator=(const RightsLock&) = delete;

 private:
  int fd_;
};

// The edition's title: from its verified manifest (among `live`), else from
// the build state, else "".
std::string TitleOf(const std::string& edition, const std::vector<CatalogEntry>& live, const std::string& out_dir) {
  std::vector<CatalogEntry> known = live;
  for (CatalogEntry& e : BuildState::Load(out_dir).Editions()) known.push_back(std::move(e));
  size_t length = 0;
  for (const CatalogEntry& e : known) {
    // A title that is not one line would make a file that does not load.
    if (e.edition == edition) return OneLineTextProblem(e.title, &length).empty() ? e.title : "";
  }
  return "";
}

// The edition's embargo while it lasts (from its verified manifest, else the
// build state), else "": a withdrawal is listed only from the release on.
std::string EmbargoOf(const std::string& edition, const std::vector<CatalogEntry>& live, const std::string& out_dir) {
  std::vector<CatalogEntry> known = live;
  for (CatalogEntry& e : BuildState::Load(out_dir).Editions()) known.push_back(std::move(e));
  for (const CatalogEntry& e : known) {
    if (e.edition == edition) return UnderEmbargo(e.embargo, Now()) && ParseTime(e.embargo) ? e.embargo : "";
  }
  return "";
}

std::string TextOption(const Args& args, const std::string& option) {
  const std::string text = Required(args, option);
  if (const std::string why = WithdrawalTextProblem(text); !why.empty()) {
    throw UsageError("--" + option + " takes one line of text of at most " + std::to_string(kMaxWithdrawalText) +
                     " characters: " + why);
  }
  return text;
}

int RunWithdraw(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one EDITION, e.g. monitor/v05/i077");
  const auto ref = ParseEditionRef(args.positional[0]);
  if (!ref) throw UsageError("'" + args.positional[0] + "' is not an edition: give it as monitor/v05/i077");
  const std::string edition = ref->Path();
  const std::string notice = TextOption(args, "notice");
  const std::string reason = TextOption(args, "reason");
  const std::string out_dir = args.Get("out", "output");
  if (out_dir.empty() || out_dir == kStandardOutput) throw UsageError("--out takes a folder, not '" + out_dir + "'");
  const std::string rights_dir = RightsDir(args);
  RequireRightsOutside(rights_dir, out_dir);

  const RightsLock lock(rights_dir);
  // Everything that can fail is loaded before anything changes.
  Withdrawals withdrawals = LoadWithdrawals(rights_dir);
  if (const Withdrawal* old = withdrawals.Find(edition)) {
    throw Error(rights_dir + "/" + kWithdrawalsName, old->line,
                edition + " was already withdrawn on " + old->date +
                    "; nothing changed ('imprint catalog' lists it as withdrawn and removes its folder if it came back)");
  }
  const RightsPolicy policy = LoadRightsPolicy(rights_dir);
  const TemplateSet templates = TemplateSet::Load(TemplatesDir(args));
  const Keystore keystore = BuildKeystore(out_dir, err);
  const SigningKey key = keystore.LoadSigningKey();
  std::vector<std::string> problems;
  std::vector<CatalogEntry> entries = ScanEditions(out_dir, keystore.Trusted(), &problems);
  for (const std::string& p : problems) err << p << "\n";

  const std::string title = TitleOf(edition, entries, out_dir);
  withdrawals.Add({edition, FormatDate(Now()), title, notice, reason, 0, EmbargoOf(edition, entries, out_dir)});
  // The record first: from then on every build and catalog enforces it.
  SaveWithdrawals(rights_dir, withdrawals);
  const bool had_folder = fs::exists(out_dir + "/" + edition);
  RemoveTree(out_dir + "/" + edition);
  ApplyWithdrawals(withdrawals, policy, &entries);
  WriteReleasedCatalog(out_dir, entries, templates, key);  // never an edition under embargo
  keystore.ExportPublicKeys(out_dir);
  UpdateSearchIndex(out_dir, keystore.Trusted(), out, err);

  const Withdrawal& record = *withdrawals.Find(edition);
  out << "withdrew " << edition << (title.empty() ? "" : " (" + title + ")") << " on "
      << withdrawals.Find(edition)->date << "\n"
      << "  recorded in " << rights_dir << "/" << kWithdrawalsName << " (the reason stays there; commit it)\n"
      << "  " << (had_folder ? "removed " : "no folder to remove: ") << out_dir << "/" << edition << "\n"
      << "  catalog rewritten: " << out_dir << "/" << kCatalogPageName << " and " << out_dir << "/"
      << kCatalogJsonName << " list it as withdrawn"
      << (record.embargo.empty() ? "" : " from the end of its embargo, " + record.embargo) << ": " << notice << "\n";
  return kExitOk;
}

}  // namespace

void AddWithdrawCommands(std::vector<Command>* commands) {
  commands->push_back(
      {"withdraw", "withdraw EDITION --reason TEXT --notice TEXT [--out DIR] [--rights DIR]",
       "withdraw a published edition: remove it and list it as withdrawn",
       "Records the withdrawal of EDITION (monitor/v05/i077) in\n"
       "rights/withdrawals.xml with today's date, the edition's title, the public\n"
       "--notice and the internal --reason (each one line of text, at most 1000\n"
       "characters); removes the edition's folder, every revision, from DIR; and\n"
       "rewrites the signed catalog, which lists the edition as withdrawn with its\n"
       "date and notice and no files. Later builds skip its input, the server\n"
       "answers 410 Gone with the notice for its files. The reason never leaves\n"
       "rights/withdrawals.xml (the rights folder may not be inside DIR); commit\n"
       "that file. Withdrawing an edition twice is an error and changes nothing.",
       "imprint withdraw monitor/v05/i077 --notice \"Withdrawn at the author's request.\" "
       "--reason 'legal hold, ticket 4411'",
       [](OptionSet& set) {
         set.addOption(ValueOption("notice", "", "the public notice, shown in the catalog and by the server", "TEXT"));
         set.addOption(ValueOption("reason", "", "the internal reason, kept in rights/withdrawals.xml only", "TEXT"));
         set.addOption(ValueOption("out", "o", "output folder (default: output)", "DIR"));
         AddResourceOptions(set);
       },
       &RunWithdraw});
}

}  // namespace imprint::cli
