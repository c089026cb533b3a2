// The license commands: license issue|show|check|revoke|renew|key|list|status.
#include "pipeline/cli/cli_support.h"

#include <sstream>
#include <utility>

#include "pipeline/license/access_key.h"
#include "pipeline/license/decision.h"
#include "pipeline/base/file_system.h"
#include "pipeline/base/record_writer.h"
#include "pipeline/license/license.h"
#include "pipeline/license/license_prefix.h"
#include "pipeline/license/license_status.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/edition/writers.h"
#include "pipeline/base/text_decoder.h"

namespace imprint::cli {
namespace {

// A license of the longest name is about 1.5 KB; nothing larger is one.
constexpr size_t kMaxLicenseFile = 64 * 1024;

// ---- license ------------------------------------------------------------------

// A license that ends before it is issued is useless at once: refused unless
// the user says it is meant (--allow-expired, for tests and demonstrations).
void CheckNotExpired(const Args& args, const std::string& command, const std::string& until, int64_t end,
                     std::ostream& err) {
  if (end >= Now()) return;
  const std::string what = "--until " + until + " is in the past: the license would be expired from the start";
  if (!args.Has("allow-expired")) {
    throw Error("imprint " + command, 0, what + "; add --allow-expired to issue it anyway (e.g. for tests)");
  }
  err << "imprint " << command << ": warning: " << what << " (--allow-expired)\n";
}

// `text` as one shell word: bare when it is plain, else in single quotes.
std::string ShellWord(const std::string& text) {
  const bool plain = !text.empty() && text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                             "0123456789@%+=:,./_-") == std::string::npos;
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The command that issues a fresh license like `l`, from today until `until`.
std::string IssueCommandLike(const License& l, const std::string& until) {
  std::string pubs;
  for (const std::string& p : l.publications) pubs += (pubs.empty() ? "" : ",") + p;
  return "imprint license issue --subscriber " + ShellWord(l.subscriber_id) + " --name " +
         ShellWord(l.subscriber_name) + (l.subscriber_email.empty() ? "" : " --email " + ShellWord(l.subscriber_email)) +
         " --tier " + ShellWord(l.tier) + " --publications " + ShellWord(pubs) + " --from " +
         FormatTime(Now()).substr(0, 10) + " --until " + ShellWord(until) + " --out FILE";
}

// Writes a signed document where --out says (else to standard output). The
// destination was checked before the store changed; should the write still
// fail, says what the store now holds.
void WriteDocument(const Args& args, const std::string& document, const std::string& done, std::ostream& out,
                   std::ostream& err) {
  try {
    WriteTo(args.Get("out", kStandardOutput), document, out);
  } catch (const Error&) {
    err << "imprint: " << done << ", but its document was not written:\n";
    throw;
  }
}

// Gives license `id` a new access key: its hash replaces the one in the store
// (the old key stops working at once, in running servers too), and the key
// itself is printed once, on `err`: standard output may be the license
// document (--out -), which stays a pure document.
void GiveAccessKey(LicenseStore& store, const std::string& id, std::ostream& err) {
  const std::string key = NewAccessKey();
  if (!store.SetAccessKeyHash(id, AccessKeyHash(key))) throw Error(id, 0, "no such license in the store");
  err << "access key for license " << id << " (shown only now): " << key << "\n";
}

int RunLicenseIssue(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  License l;
  l.subscriber_id = Required(args, "subscriber");
  l.subscriber_name = Required(args, "name");
  if (const std::string problem = SubscriberNameProblem(l.subscriber_name); !problem.empty()) {
    throw Error("--name", 0, "refused as a subscriber name: " + problem);
  }
  l.subscriber_email = args.Get("email");
  // The id and e-mail address reach no copy, but a trace prints them.
  for (const auto& [option, value] : {std::pair<const char*, const std::string*>{"--subscriber", &l.subscriber_id},
                                      {"--email", &l.subscriber_email}}) {
    size_t length = 0;
    if (const std::string problem = OneLineTextProblem(*value, &length); !problem.empty()) {
      throw Error(option, 0, "refused: " + problem);
    }
  }
  l.tier = Required(args, "tier");
  const std::string from = Required(args, "from"), until = Required(args, "until");
  const auto start = ParseTime(from), end = ParseTime(until, /*end_of_day=*/true);
  if (!start) throw UsageError("--from takes a date (YYYY-MM-DD) or an RFC 3339 time, not '" + from + "'");
  if (!end) throw UsageError("--until takes a date (YYYY-MM-DD) or an RFC 3339 time, not '" + until + "'");
  if (*end < *start) throw UsageError("--until is before --from");
  CheckWritable(args, "out");
  CheckNotExpired(args, "license issue", until, *end, err);
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

  const Keystore keystore = BuildKeystore(EditionsDir(args), err);
  const std::string document = SignLicense(l, keystore.LoadSigningKey());
  const auto store = OpenStore(args, EditionsDir(args));
  store->AddLicense({l, document}, Now());
  GiveAccessKey(*store, l.id, err);
  WriteDocument(args, document, "the store holds license " + l.id, out, err);
  if (args.Get("out", kStandardOutput) != kStandardOutput) {
    out << "issued license " << l.id << " to " << l.subscriber_name << " (" << l.tier << "), written to "
        << args.Get("out") << "\n";
  }
  return kExitOk;
}

// A license file, read only as a regular file of a license's size at most.
std::string ReadLicenseFile(const std::string& path) {
  return ReadRegularFile(path, kMaxLicenseFile, "too large to be a license");
}

License ReadVerifiedLicense(const Args& args, const std::string& path, std::string* text) {
  *text = ReadLicenseFile(path);
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
  const auto store = OpenStore(args, EditionsDir(args));
  std::string pubs;
  for (const std::string& p : l.publications) pubs += (pubs.empty() ? "" : ", ") + p;
  out << "license:      " << l.id << " (signature good, key " << l.key_id << ")\n"
      << "subscriber:   " << l.subscriber_name << " <" << l.subscriber_email << ">, id " << l.subscriber_id << "\n"
      << "tier:         " << l.tier << "\n"
      << "publications: " << pubs << "\n"
      << "valid:        " << l.start << " to " << l.end << "\n"
      << "issued:       " << l.issued << " by " << l.provider << "\n"
      << "status:       " << LicenseStatus(*store, l, Now()) << "\n";
  // The reason is the foundation's private note: shown here, never served.
  if (const auto r = store->FindRevocation(l.id)) {
    out << "revoked:      " << FormatTime(r->at) << ": " << TerminalText(r->reason) << "\n";
  }
  return kExitOk;
}

int RunLicenseCheck(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 2) throw UsageError("give a license FILE and an EDITION");
  const auto edition = ParseEditionRef(args.positional[1]);
  if (!edition) throw UsageError("EDITION looks like monitor/v05/i077, not '" + args.positional[1] + "'");
  const std::string action = Required(args, "action");
  const std::string format = args.Get("format");
  if (!format.empty() && FindWriter(format) == nullptr) {
    throw UsageError("--format is " + FormatNames() + ", not '" + format + "'");
  }
  int64_t at = Now();
  if (args.Has("at")) {
    const auto parsed = ParseTime(args.Get("at"));
    if (!parsed) throw UsageError("--at takes an RFC 3339 time or a date, not '" + args.Get("at") + "'");
    at = *parsed;
  }
  const std::string text = ReadLicenseFile(args.positional[0]);
  const RightsPolicy policy = LoadRightsPolicy(RightsDir(args));
  const auto store = OpenStore(args, EditionsDir(args));
  const Decision d = Decide({&text, *edition, action, format, at}, policy, TrustedFrom(args),
                            [&store](const std::string& id, int64_t when) -> std::optional<std::string> {
                              const auto r = store->FindRevocation(id);
                              if (r && r->at <= when) return r->reason;
                              return std::nullopt;
                            },
                            nullptr, [&store](const std::string& id) -> std::optional<std::string> {
                              // A renewal recorded in the store counts for the old file.
                              if (const auto stored = store->FindLicense(id)) return stored->document;
                              return std::nullopt;
                            });
  out << (d.permit ? "" : "deny: ") << ToString(d.reason) << " (" << d.detail << ")\n";
  return d.permit ? kExitOk : kExitFailure;
}

int RunLicenseRevoke(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one license ID");
  const std::string reason = args.Get("reason", "revoked by the foundation");
  const auto store = OpenStore(args, EditionsDir(args));
  const std::string id = ResolveLicenseId(*store, args.positional[0]);
  if (!store->Revoke(id, reason, Now())) throw Error(id, 0, "no such license in the store");
  out << "revoked license " << id << ": " << reason << "\n";
  return kExitOk;
}

int RunLicenseRenew(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one license ID");
  const std::string until = Required(args, "until");
  const auto end = ParseTime(until, /*end_of_day=*/true);
  if (!end) throw UsageError("--until takes a date (YYYY-MM-DD) or an RFC 3339 time, not '" + until + "'");
  const auto store = OpenStore(args, EditionsDir(args));
  auto stored = store->FindLicense(ResolveLicenseId(*store, args.positional[0]));
  if (!stored) throw Error(args.positional[0], 0, "no such license in the store");
  if (store->FindRevocation(stored->license.id)) {
    throw Error(args.positional[0], 0,
                "the license is revoked, and a revoked license is never renewed; issue a new one instead: " +
                    IssueCommandLike(stored->license, until));
  }
  License& l = stored->license;
  // One issued before names were checked: signed afresh, it would still get
  // no copy from the server (personalize.h). Its name is not echoed.
  if (const std::string problem = SubscriberNameProblem(l.subscriber_name); !problem.empty()) {
    throw Error(args.positional[0], 0,
                "its subscriber name cannot go into a copy (" + problem +
                    "), and such a license is never renewed; issue a new one with a name a copy can carry");
  }
  if (*end <= *ParseTime(l.end)) throw UsageError("--until must be after the license's end, " + l.end);
  CheckWritable(args, "out");
  CheckNotExpired(args, "license renew", until, *end, err);
  l.end = FormatTime(*end);
  const Keystore keystore = BuildKeystore(EditionsDir(args), err);
  stored->document = SignLicense(l, keystore.LoadSigningKey());
  store->RenewLicense(*stored, Now());
  GiveAccessKey(*store, l.id, err);
  WriteDocument(args, stored->document, "the store holds license " + l.id + " renewed until " + l.end, out, err);
  if (args.Get("out", kStandardOutput) != kStandardOutput) {
    out << "renewed license " << l.id << " until " << l.end << ", written to " << args.Get("out") << "\n";
  }
  return kExitOk;
}

int RunLicenseKey(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one license ID");
  const auto store = OpenStore(args, EditionsDir(args));
  const std::string id = ResolveLicenseId(*store, args.positional[0]);
  GiveAccessKey(*store, id, err);
  out << "license " << id << " has a new access key; the one before no longer works\n";
  return kExitOk;
}

int RunLicenseList(const Args& args, std::ostream& out, std::ostream& err) {
  const auto store = OpenStore(args, EditionsDir(args));
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
  const auto store = OpenStore(args, EditionsDir(args));
  out << LicenseStatusDocument(*store, ResolveLicenseId(*store, args.positional[0]), Now());
  return kExitOk;
}

void AddAllowExpiredOption(OptionSet& set) {
  set.addOption(
      Option("allow-expired", "", "allow an --until already past (for tests)").required(false).repeatable(false));
}

// The table, in the order `imprint --help` lists it, in three parts (each
// entry is long).
std::vector<Command> IssueAndShowCommands() {
  return {
      {"license issue",
       "license issue --subscriber ID --name NAME [--email E] --tier T --publications a,b "
       "--from DATE --until DATE [--allow-expired] [--out FILE] [--db URL]",
       "issue a signed subscriber license",
       "Makes a license document for a subscriber, signed with the foundation's key\n"
       "(canonical JSON, RFC 8785), records it in the store, and writes it to FILE\n"
       "(or prints it; also with --out -). The tier and publications must be in the\n"
       "rights policy; the license is valid from the start of --from to the end of\n"
       "--until (UTC). An --until already past is refused unless --allow-expired.\n"
       "Prints the license's access key (HTTP Basic: the license id and the key) once,\n"
       "on standard error; the store keeps only its hash.",
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
         set.addOption(ValueOption("out", "o", "write the license here (- for standard output)", "FILE"));
         AddAllowExpiredOption(set);
         AddDbOption(set);
         AddResourceOptions(set);
       },
       &RunLicenseIssue},
      {"license show", "license show FILE [--pubkey FILE] [--db URL]", "verify a license and print it",
       "Checks the license's signature (exit 1 if it fails) and prints its fields and\n"
       "its status in the store: active, revoked, expired or not yet valid.",
       "imprint license show ada.license",
       [](OptionSet& set) {
         AddPubkeyOption(set);
         AddDbOption(set);
       },
       &RunLicenseShow},
  };
}

std::vector<Command> CheckRevokeRenewCommands() {
  return {
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
         AddPubkeyOption(set);
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
      {"license renew", "license renew ID --until DATE [--allow-expired] [--out FILE] [--db URL]",
       "extend a license and sign it afresh",
       "Moves a license's end to the end of DATE, signs the document again (same id)\n"
       "and records a 'renewed' event. The subscriber receives the new document. A\n"
       "revoked license is not renewed: issue a new one. Gives the license a new\n"
       "access key, printed once on standard error; the one before stops working.",
       "imprint license renew 6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61 --until 2027-12-31 --out ada.license",
       [](OptionSet& set) {
         set.addOption(ValueOption("until", "", "the new last day", "DATE"));
         set.addOption(ValueOption("out", "o", "write the renewed license here (- for standard output)", "FILE"));
         AddAllowExpiredOption(set);
         AddDbOption(set);
       },
       &RunLicenseRenew},
      {"license key", "license key ID [--db URL]", "give a license a new access key",
       "Makes a new access key for the license (the password of HTTP Basic, the\n"
       "license id being the user name), prints it once on standard error and keeps\n"
       "only its hash in the store. The key before stops working at once, in running\n"
       "servers too.",
       "imprint license key 6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61",
       [](OptionSet& set) { AddDbOption(set); }, &RunLicenseKey},
  };
}

std::vector<Command> ListAndStatusCommands() {
  return {
      {"license list", "license list [--db URL]", "list the store's licenses and their status",
       "One line per license: id, status, tier, publications, window, subscriber.",
       "imprint license list", [](OptionSet& set) { AddDbOption(set); }, &RunLicenseList},
      {"license status", "license status ID [--db URL]", "print a license's status document",
       "The license status document (the analogue of Readium LCP's): status\n"
       "(active, revoked, expired), a message, and the license's events.",
       "imprint license status 6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61",
       [](OptionSet& set) { AddDbOption(set); }, &RunLicenseStatus},
  };
}

}  // namespace

void AddLicenseCommands(std::vector<Command>* commands) {
  for (auto part : {IssueAndShowCommands(), CheckRevokeRenewCommands(), ListAndStatusCommands()}) {
    WithEditionsOption(&part);
    commands->insert(commands->end(), part.begin(), part.end());
  }
}

}  // namespace imprint::cli
