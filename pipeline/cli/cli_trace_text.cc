// `imprint trace --text FILE|-`: the license, subscriber and downloads whose
// copy a pasted excerpt came from, read from the invisible marks in its
// article text (pipeline/server/text_marks.h, docs/marks.md). RunTrace hands
// over when --text is given.

#include <iostream>
#include <iterator>

#include "pipeline/base/file_system.h"
#include "pipeline/cli/cli_support.h"
#include "pipeline/license/license.h"
#include "pipeline/server/text_marks.h"
#include "pipeline/signing/mark_key.h"

namespace imprint::cli {
namespace {

// A text to trace is at most this large (an issue's text is far smaller).
constexpr size_t kMaxTracedText = size_t{64} << 20;
constexpr char kStandardInput[] = "-";

std::string ReadText(const std::string& path) {
  if (path == kStandardInput) {
    std::string text;
    char buffer[65536];
    while (std::cin.read(buffer, sizeof buffer) || std::cin.gcount() > 0) {
      text.append(buffer, static_cast<size_t>(std::cin.gcount()));
      if (text.size() > kMaxTracedText) throw Error("standard input", 0, "more text than any excerpt (64 MB)");
    }
    return text;
  }
  // Checked and opened without blocking, so a FIFO swapped in after a
  // check can never hang the trace.
  return ReadRegularFile(path, kMaxTracedText, "more text than any excerpt (64 MB)");
}

void PrintLicense(const StoredLicense& stored, LicenseStore& store, std::ostream& out) {
  const License& l = stored.license;
  out << "license:    " << l.id << "\n"
      << "subscriber: " << l.subscriber_name << " <" << l.subscriber_email << ">, id " << l.subscriber_id << ", tier "
      << l.tier << "\n";
  bool any = false;
  for (const AuditRow& r : store.Audit(l.id)) {
    if (r.decision != AuditDecision::kPermit || r.item != "copy" || r.sha256.empty()) continue;
    out << "download:   audit row " << r.id << ", " << FormatTime(r.at) << ", " << r.edition << " as " << r.format
        << ", sha256 " << r.sha256 << "\n";
    any = true;
  }
  if (!any) out << "download:   no audit row of a copy sent to this license\n";
}

}  // namespace

int RunTraceText(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("give either FILE or --text FILE|-, not both");
  const std::string path = args.Get("text");
  if (path.empty()) throw UsageError("--text takes a file, or - for standard input");
  const std::string text = ReadText(path);
  const std::string dir = Keystore::DefaultDir();
  const std::optional<MarkKey> key = MarkKey::Load(dir);
  if (!key) throw Error(dir, 0, "no mark key (mark.key) in this keystore: no copy was marked with it");
  const auto store = OpenStore(args, EditionsDir(args));
  std::vector<StoredLicense> licenses = store->ListLicenses();
  std::vector<std::string> ids;
  for (const StoredLicense& l : licenses) ids.push_back(l.license.id);
  const MarkTrace trace = TraceMarks(text, *key, MarkSuspects(*key, ids));
  const std::string evidence = std::to_string(trace.votes) + " marks at " + std::to_string(trace.positions) +
                               " of " + std::to_string(kMarkPositions) + " positions, " +
                               std::to_string(trace.conflicts) + " in conflict";
  const auto stored = [&licenses](const std::string& id) -> const StoredLicense& {
    for (const StoredLicense& l : licenses) {
      if (l.license.id == id) return l;
    }
    return licenses.front();  // not reached: every id named is one of these
  };
  switch (trace.outcome) {
    case MarkTrace::Outcome::kNoMark:
      out << "no mark: the text carries no Imprint mark\n";
      return kExitNoMark;
    case MarkTrace::Outcome::kNoLicense:
      out << "no mark: " << evidence << ", but no license of this store explains them (a copy made "
          << "with another mark key, of a license not in this store, or too short an excerpt)\n";
      return kExitNoMark;
    case MarkTrace::Outcome::kLicense:
      PrintLicense(stored(trace.licenses[0]), *store, out);
      out << "evidence:   " << evidence << "\n";
      return kExitOk;
    case MarkTrace::Outcome::kAmbiguous:
      out << "ambiguous: the text mixes the marks of " << trace.licenses.size() << " licenses (" << evidence
          << "); each contributed:\n";
      for (const std::string& id : trace.licenses) {
        const License& l = stored(id).license;
        out << "candidate:  " << id << "  " << l.subscriber_name << " <" << l.subscriber_email << ">\n";
      }
      return kExitAmbiguous;
  }
  return kExitFailure;
}

}  // namespace imprint::cli
