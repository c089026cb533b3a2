// The audit log's commands: audit, audit verify, trace. The log is written by
// the download server (pipeline/server); these read it from the store.
#include "pipeline/cli/cli_support.h"

#include <sys/stat.h>

#include <cctype>
#include <tuple>

#include "pipeline/base/crypto.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/file_system.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/base/record_writer.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/license/audit_check.h"
#include "pipeline/license/audit_query.h"
#include "pipeline/license/license_prefix.h"
#include "pipeline/license/sharing_flags.h"
#include "pipeline/license/license.h"
#include "pipeline/server/personalize.h"
#include "pipeline/signing/checkpoint.h"

namespace imprint::cli {
namespace {

// The filters of `imprint audit`, a license named by a prefix of its id
// resolved against the store.
AuditFilter FilterFrom(const Args& args, LicenseStore& store) {
  AuditFilter f;
  for (const auto& [option, end_of_day, field] : {std::make_tuple("since", false, &f.since),
                                                  std::make_tuple("until", true, &f.until)}) {
    if (!args.Has(option)) continue;
    const auto at = ParseTime(args.Get(option), end_of_day);
    if (!at) {
      throw UsageError(std::string("--") + option + " takes a date (YYYY-MM-DD) or an RFC 3339 time, not '" +
                       args.Get(option) + "'");
    }
    *field = *at;
  }
  if (args.Has("license")) f.license_id = ResolveLicenseId(store, args.Get("license"));
  f.subscriber_id = args.Get("subscriber");
  f.edition = args.Get("edition");
  if (!f.edition.empty() && !ParseEditionRef(f.edition)) {
    throw UsageError("--edition looks like monitor/v05/i077, not '" + f.edition + "'");
  }
  f.publication = args.Get("publication");
  if (!f.publication.empty() &&
      (f.publication.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos ||
       f.publication.front() == '-' || f.publication.back() == '-')) {
    throw UsageError("--publication is a publication's slug, like monitor, not '" + f.publication + "'");
  }
  if (args.Has("decision")) {
    f.decision = ParseAuditDecision(args.Get("decision"));
    if (!f.decision) throw UsageError("--decision is permit or deny, not '" + args.Get("decision") + "'");
  }
  f.reason = args.Get("reason");
  return f;
}

RecordFormat FormatFrom(const Args& args) {
  const std::optional<RecordFormat> format = ParseRecordFormat(args.Get("format", "table"));
  if (!format) throw UsageError("--format is table, csv or json, not '" + args.Get("format") + "'");
  return *format;
}

// `imprint audit --flagged`: the sharing signals of the rows the filter selects.
int RunFlagged(const Args& args, LicenseStore& store, const AuditFilter& filter, std::ostream& out) {
  if (args.Has("decision") || args.Has("reason")) {
    throw UsageError("--flagged counts permits only: --decision and --reason do not apply");
  }
  const RightsPolicy policy = LoadRightsPolicy(RightsDir(args));
  const std::vector<SharingFlag> flags = FindSharingFlags(store, policy, filter);
  RecordWriter writer(FormatFrom(args), SharingFlagColumns(), out);
  for (const SharingFlag& f : flags) writer.Measure(SharingFlagRecord(f));
  for (const SharingFlag& f : flags) writer.Row(SharingFlagRecord(f));
  writer.End();
  return kExitOk;
}

int RunAudit(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  const RecordFormat format = FormatFrom(args);
  const auto store = OpenStore(args, EditionsDir(args));
  const AuditFilter filter = FilterFrom(args, *store);
  if (args.Has("flagged")) return RunFlagged(args, *store, filter, out);
  // The table: one license's events first, with their private details (a
  // revocation's reason). CSV and JSON hold the rows alone.
  if (format == RecordFormat::kTable && !filter.license_id.empty()) {
    for (const LicenseEvent& e : store->Events(filter.license_id)) {
      out << "event  " << FormatTime(e.at) << "  " << TerminalText(e.type) << "  " << TerminalText(e.detail) << "\n";
    }
  }
  // A page at a time (the log may hold millions of rows); the table reads
  // the rows twice, first to size its columns, and shows no row the first
  // pass did not see.
  RecordWriter writer(format, AuditRecordColumns(), out);
  int64_t through = INT64_MAX;
  if (format == RecordFormat::kTable) {
    through = ForEachAuditRow(*store, filter, [&writer](const AuditRow& r) { writer.Measure(AuditRecord(r)); });
  }
  ForEachAuditRow(*store, filter, [&writer](const AuditRow& r) { writer.Row(AuditRecord(r)); }, through);
  writer.End();
  return kExitOk;
}

int RunAuditVerify(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  std::vector<OutsideCheckpoint> outside;
  for (const std::string& file : args.GetAll("checkpoint")) {
    outside.push_back({"checkpoint " + file, ReadFileAtMost(file, kMaxCheckpointNote, "not a checkpoint")});
  }
  const TrustedKeys trusted = TrustedFrom(args);
  const AuditCheckResult r = CheckAuditLog(*OpenStore(args, EditionsDir(args)), trusted, outside);
  if (!r.ok) {
    out << r.problem << "\n";
    return kExitFailure;
  }
  out << "audit log intact: " << r.rows << " rows";
  if (r.checkpoints > 0) {
    out << ", anchored by " << r.checkpoints << " signed checkpoint" << (r.checkpoints == 1 ? "" : "s")
        << " (origin " << r.origin << ")";
  }
  if (r.not_counted > 0) {
    out << "; " << r.not_counted << " stored checkpoint" << (r.not_counted == 1 ? "" : "s")
        << " signed by a key since revoked not counted";
  }
  out << "\n";
  return kExitOk;
}

// One license id a copy names, checked against the store: the license is
// there and the copy names its subscriber exactly as its own copy would.
struct TraceCandidate {
  std::string id;
  std::optional<StoredLicense> stored;
  bool agrees = false;
  std::string problem;  // why not confirmed
};

TraceCandidate Confirm(const std::string& id, const std::string& format, const std::string& bytes,
                       LicenseStore& store, const RightsPolicy& policy) {
  TraceCandidate c{id, store.FindLicense(id), false, ""};
  if (!c.stored) {
    c.problem = "not in this store";
    return c;
  }
  const License& l = c.stored->license;
  const auto tier = policy.tiers.find(l.tier);
  if (tier == policy.tiers.end()) {
    c.problem = "its tier '" + l.tier + "' is not in the rights policy, so the copy cannot be checked";
    return c;
  }
  c.agrees = NamesLicensee(format, bytes, MakeLicensee(tier->second, id, l.subscriber_name));
  if (!c.agrees) c.problem = "the copy does not name this license's subscriber as its copy would";
  return c;
}

// A copy to trace is at most this large (a book of text is megabytes).
constexpr size_t kMaxTracedCopy = size_t{1} << 30;

int RunTrace(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.Has("text")) return RunTraceText(args, out, err);  // an excerpt's marks: cli_trace_text.cc
  if (args.positional.size() != 1) throw UsageError("give one FILE");
  const std::string path = args.positional[0];
  // A copy is a file (its format is its name's): never a device or a FIFO,
  // which could be read forever, nor more than any copy Imprint makes.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    throw Error(path, 0, "not a regular file: give the copy's file");
  }
  const std::string bytes = ReadFileAtMost(path, kMaxTracedCopy, "larger than any copy Imprint makes");
  std::string ext = path.substr(path.rfind('.') + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));  // FOUND.EPUB
  const std::vector<std::string> ids = FindLicenseIds(ext, bytes);
  if (ids.empty()) throw Error(path, 0, "names no license: not a personalised copy");
  const auto store = OpenStore(args, EditionsDir(args));
  const RightsPolicy policy = LoadRightsPolicy(RightsDir(args));
  std::vector<TraceCandidate> candidates;
  for (const std::string& id : ids) candidates.push_back(Confirm(id, ext, bytes, *store, policy));
  if (candidates.size() > 1) {
    // A copy Personalize made names one license: this one was changed.
    out << "ambiguous: the copy names " << candidates.size() << " licenses; it was changed after download\n";
    for (const TraceCandidate& c : candidates) {
      out << "candidate:  " << c.id << " (" << (c.agrees ? "the copy names its subscriber" : c.problem) << ")\n";
    }
    return kExitFailure;
  }
  const TraceCandidate& c = candidates[0];
  if (!c.agrees) {
    out << "unconfirmed: the copy names license " << c.id << ", but " << c.problem << "\n";
    return kExitFailure;
  }
  const License& l = c.stored->license;
  out << "license:    " << c.id << "\n"
      << "subscriber: " << l.subscriber_name << " <" << l.subscriber_email << ">, id " << l.subscriber_id
      << ", tier " << l.tier << "\n";
  const std::string sha = Sha256Hex(bytes);
  bool found = false;
  for (const AuditRow& r : store->Audit(c.id)) {
    if (r.sha256 != sha) continue;
    out << "download:   audit row " << r.id << ", " << FormatTime(r.at) << ", " << r.edition << " as " << r.format
        << "\n";
    found = true;
  }
  if (!found) out << "download:   no audit row has these bytes (the copy was changed, or served elsewhere)\n";
  return kExitOk;
}

// `imprint audit`: its own entry, the longest of the table.
Command AuditCommand() {
  return {"audit",
          "audit [--since TIME] [--until TIME] [--license ID] [--subscriber ID] [--edition E] [--publication P] "
          "[--decision permit|deny] [--reason R] [--flagged] [--format table|csv|json] [--db URL]",
          "query the download server's decisions, or the licenses that look shared",
          "One record per decision, oldest first: id, time, decision, reason (empty for a\n"
          "permit), license, subscriber, edition, download (the format, 'epub signature'\n"
          "for a signature), method (GET or HEAD), client network (/24 or /48), SHA-256\n"
          "of the bytes sent. Filters narrow it: --since and --until (a date covers the\n"
          "whole day), --license (a unique prefix of its id will do), --subscriber,\n"
          "--edition, --publication, --decision, --reason. --format table (aligned, a\n"
          "header; with --license the license's events first), csv (RFC 4180, a header,\n"
          "CRLF) or json (an array of objects, one a line). --flagged lists the licenses\n"
          "whose use looks shared by their tier's <sharing> limits in rights/policy.xml\n"
          "(too many client networks, or downloads of one edition, within a window).",
          "imprint audit --since 2026-11-01 --decision deny --format csv > denials.csv",
          [](OptionSet& set) {
            set.addOption(ValueOption("since", "", "rows at or after (RFC 3339 or a date)", "TIME"));
            set.addOption(ValueOption("until", "", "rows at or before (a date: its end)", "TIME"));
            set.addOption(ValueOption("license", "", "one license's rows (its id or a unique prefix)", "ID"));
            set.addOption(ValueOption("subscriber", "", "one subscriber's rows", "ID"));
            set.addOption(ValueOption("edition", "", "one edition's rows (monitor/v05/i077)", "E"));
            set.addOption(ValueOption("publication", "", "one publication's rows (monitor)", "P"));
            set.addOption(ValueOption("decision", "", "permit or deny", "D"));
            set.addOption(ValueOption("reason", "", "one denial reason (expired, revoked, ...)", "R"));
            set.addOption(Option("flagged", "", "list the licenses whose use looks shared")
                              .required(false).repeatable(false));
            set.addOption(ValueOption("format", "", "table (default), csv or json", "F"));
            AddDbOption(set);
            AddResourceOptions(set);
          },
          &RunAudit};
}

}  // namespace

void AddAuditCommands(std::vector<Command>* commands) {
  std::vector<Command> mine = {
      AuditCommand(),
      {"audit verify", "audit verify [--checkpoint FILE]... [--pubkey FILE]... [--db URL]",
       "check the audit log's hash chain and its signed checkpoints",
       "Each row holds the hash of the row before it, and the server signs\n"
       "checkpoints of the log (its size and head) with the foundation's key. Checks\n"
       "the chain, every checkpoint in the store and each --checkpoint FILE kept\n"
       "elsewhere (its signature against the trusted keys, its size and hash against\n"
       "the log). Exit 0 when all agree and every row is anchored; 1 naming the first\n"
       "row or checkpoint that disagrees: rows edited, deleted, re-chained, forged or\n"
       "not yet anchored (a running server signs within 10 s).",
       "imprint audit verify --checkpoint kept/audit-checkpoint.txt",
       [](OptionSet& set) {
         set.addOption(Option("checkpoint", "", "a checkpoint kept outside the store (repeatable)")
                           .required(false).repeatable(true).argument("FILE"));
         AddPubkeyOption(set);
         AddDbOption(set);
       },
       &RunAuditVerify},
      {"trace", "trace FILE | --text FILE|- [--db URL]", "name the license, subscriber and download of a copy or excerpt",
       "For a personalised copy found elsewhere: the license its id mark names, the\n"
       "subscriber, and the audit row of the download with exactly these bytes.\n"
       "The license must be in the store and the copy must name its subscriber as\n"
       "that license's copy would; otherwise exit 1, 'unconfirmed'. A copy naming\n"
       "several licenses is 'ambiguous' (exit 1), each listed, none chosen.\n"
       "With --text, any text (a pasted excerpt, a web page, pandoc's text of a\n"
       "book; - for standard input) is traced by the invisible marks in every\n"
       "personalised copy's article text (docs/marks.md), with the mark key beside\n"
       "the signing keys: exit 0 naming the license, its subscriber and its\n"
       "downloads; 3 'no mark'; 4 'ambiguous', naming every license that contributed.",
       "imprint trace --text pasted.txt",
       [](OptionSet& set) {
         set.addOption(ValueOption("text", "", "trace the marks in this text (- for standard input)", "FILE"));
         AddDbOption(set);
         AddResourceOptions(set);
       },
       &RunTrace},
  };
  WithEditionsOption(&mine);
  commands->insert(commands->end(), mine.begin(), mine.end());
}

}  // namespace imprint::cli
