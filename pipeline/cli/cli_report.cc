// The rights office's commands: report (the audit log's figures for a
// period, as a self-contained HTML page or JSON; pipeline/license/audit_report.h
// and pipeline/server/report_page.h) and admin passwd (the credential of the
// server's /admin/; pipeline/license/admin_credential.h).
#include "pipeline/cli/cli_support.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "pipeline/base/rfc3339.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/license/admin_credential.h"
#include "pipeline/license/audit_report.h"
#include "pipeline/server/report_page.h"

namespace imprint::cli {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kDefaultDays = 30;

// --since/--until: a date is a whole UTC day (--until's included), a
// date-time the instant it names (--until's excluded).
int64_t TimeOption(const Args& args, const std::string& option, bool until) {
  const std::string text = args.Get(option);
  const bool date = IsCalendarDate(text);
  const std::optional<int64_t> t = ParseTime(text, until && date);
  if (!t) throw UsageError("--" + option + " takes a date (YYYY-MM-DD) or an RFC 3339 time, not '" + text + "'");
  return until && date ? *t + 1 : *t;
}

int RunReport(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  const std::string format = args.Get("format", "html");
  if (format != "html" && format != "json") throw UsageError("--format takes html or json, not '" + format + "'");
  const int64_t now = Now();
  // By default up to now, this second included (a row written in it counts).
  const int64_t until = args.Has("until") ? TimeOption(args, "until", true) : now + 1;
  const int64_t since = args.Has("since") ? TimeOption(args, "since", false) : until - kDefaultDays * kDay;
  if (until <= since) throw UsageError("--until must be after --since");
  if (until - since > kMaxReportDays * kDay) {
    throw UsageError("the period is longer than " + std::to_string(kMaxReportDays) + " days");
  }
  CheckWritable(args, "out");
  const ReportData report = BuildReport(*OpenStore(args, EditionsDir(args)), LoadRightsPolicy(RightsDir(args)), since, until, now);
  WriteTo(args.Get("out", kStandardOutput), format == "json" ? ReportJson(report) : RenderReportPage(report), out);
  return kExitOk;
}

// One line from standard input; from a terminal, prompted on `err` with the
// echo off. False at the end of the input.
bool ReadSecretLine(const char* prompt, std::ostream& err, std::string* line) {
  const bool terminal = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal) {
    err << prompt << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  const bool got = static_cast<bool>(std::getline(std::cin, *line));
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    err << "\n";
  }
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return got;
}

int RunAdminPasswd(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) {
    throw UsageError("the password is read from standard input (or a prompt), never from the command line");
  }
  std::string password, again;
  if (!ReadSecretLine("New admin password: ", err, &password)) throw Error("-", 0, "no password on standard input");
  const std::string problem = AdminPasswordProblem(password);
  if (!problem.empty()) throw Error("-", 0, problem);
  if (::isatty(STDIN_FILENO) == 1) {
    if (!ReadSecretLine("The same again: ", err, &again) || again != password) {
      throw Error("-", 0, "the two passwords differ; nothing changed");
    }
  }
  const std::string hash = HashAdminPassword(password);
  OpenStore(args, EditionsDir(args))->SetAdminCredential(kAdminUser, hash, Now());
  out << "admin password set: /admin/ takes HTTP Basic with user '" << kAdminUser << "'\n";
  return kExitOk;
}

}  // namespace

void AddReportCommands(std::vector<Command>* commands) {
  std::vector<Command> mine = {
      {"report", "report [--since DATE] [--until DATE] [--format html|json] [--out FILE] [--db URL] [--rights DIR]",
       "the audit log's figures for a period, as HTML or JSON",
       "Downloads and denials per day, by tier, publication and edition; denials by\n"
       "reason; the most used licenses; unrevoked licenses ending within 30 days; and\n"
       "sharing signals (as audit --flagged, by the tiers' limits in the rights\n"
       "policy). A download is a permitted GET of a book copy: signatures and\n"
       "HEADs are counted apart. The period is --since (included) to --until\n"
       "(excluded; a date counts its whole day), by default the last 30 days, at most\n"
       "366. HTML (the default) is one self-contained page (inline CSS and SVG\n"
       "charts, each with a table of its figures); --format json gives the same\n"
       "figures. Written atomically to FILE, or to standard output (also --out -).",
       "imprint report --since 2026-11-01 --until 2026-11-30 --out report.html",
       [](OptionSet& set) {
         set.addOption(ValueOption("since", "", "the period's start (YYYY-MM-DD or RFC 3339)", "DATE"));
         set.addOption(ValueOption("until", "", "the period's end (YYYY-MM-DD, included, or RFC 3339)", "DATE"));
         set.addOption(ValueOption("format", "", "html (default) or json", "F"));
         set.addOption(ValueOption("out", "o", "write the report here (- for standard output)", "FILE"));
         AddDbOption(set);
         AddResourceOptions(set);
       },
       &RunReport},
      {"admin passwd", "admin passwd [--db URL]", "set the password of the server's /admin/ dashboard",
       "Reads the password from standard input (at a terminal: asked twice, not\n"
       "echoed; never from the command line), 12 to 1024 bytes, and keeps only its\n"
       "Argon2id hash in the store, replacing the one before. /admin/ then takes\n"
       "HTTP Basic with the user name 'admin' and this password.",
       "imprint admin passwd --db sqlite:imprint.db",
       [](OptionSet& set) { AddDbOption(set); },
       &RunAdminPasswd},
  };
  WithEditionsOption(&mine);
  commands->insert(commands->end(), mine.begin(), mine.end());
}

}  // namespace imprint::cli
