#include "pipeline/license/license_prefix.h"

#include <algorithm>

#include "pipeline/base/error.h"
#include "pipeline/base/record_writer.h"

namespace imprint {
namespace {

// The text as an error may quote it: control characters never reach a terminal.
std::string Shown(const std::string& text) {
  std::string shown = text.substr(0, 80);
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return shown;
}

}  // namespace

std::string ResolveLicenseId(LicenseStore& store, const std::string& text) {
  if (!text.empty() && store.FindLicense(text)) return text;
  // Ids are lower-case (NewLicenseId); a prefix typed in capitals finds them too.
  std::string prefix = text;
  for (char& c : prefix) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (prefix.size() < kMinLicensePrefix) {
    throw Error(Shown(text), 0, "no such license in the store, and too short to name one by a prefix: give its id or at least " +
                                    std::to_string(kMinLicensePrefix) + " characters of it");
  }
  const std::vector<std::string> ids = store.LicenseIdsWithPrefix(prefix, kListedCandidates + 1);
  if (ids.empty()) throw Error(Shown(text), 0, "no such license in the store: no license id begins with '" + Shown(text) + "'");
  if (ids.size() == 1) return ids[0];
  std::string list;
  for (size_t i = 0; i < ids.size() && i < static_cast<size_t>(kListedCandidates); ++i) {
    list += "\n  " + ids[i];
    if (const auto found = store.FindLicense(ids[i])) {
      // As stored: shown as a terminal may show it (record_writer.h).
      list += "  " + TerminalText(found->license.subscriber_id) + " (" + TerminalText(found->license.tier) + ")";
    }
  }
  if (ids.size() > static_cast<size_t>(kListedCandidates)) list += "\n  and more: give a longer prefix";
  const bool more = ids.size() > static_cast<size_t>(kListedCandidates);
  throw Error(Shown(text), 0, "ambiguous license prefix: the ids of " + std::string(more ? "more than " : "") +
                                  std::to_string(std::min<size_t>(ids.size(), kListedCandidates)) +
                                  " licenses begin with it; the candidates are:" + list);
}

}  // namespace imprint
