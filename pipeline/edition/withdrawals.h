// Withdrawn editions: rights/withdrawals.xml (schema rights/withdrawals.rng,
// docs/editions.md "Withdrawal"), the record `imprint withdraw` writes and
// editors commit. Each withdrawal names an edition, the date it was
// withdrawn, the edition's title, a public notice and an internal reason.
// The reason is the foundation's private note: it stays in this file and in
// this unit's Withdrawal values, and WithdrawnEntries() (what the catalog,
// and through it the server, learns) never carries it. A missing file is
// none withdrawn; a bad one (not valid, a non-canonical or repeated edition,
// an impossible date, text that is not one line) is an imprint::Error naming
// the file and line. Not part of the rights policy's fingerprint: a
// withdrawal rebuilds nothing. Values; thread-compatible.
#ifndef IMPRINT_PIPELINE_EDITION_WITHDRAWALS_H_
#define IMPRINT_PIPELINE_EDITION_WITHDRAWALS_H_

#include <string>
#include <vector>

#include "pipeline/edition/catalog.h"
#include "pipeline/edition/rights_policy.h"

namespace imprint {

inline constexpr char kWithdrawalsName[] = "withdrawals.xml";
// The longest notice or reason, in characters.
inline constexpr size_t kMaxWithdrawalText = 1000;

struct Withdrawal {
  std::string edition;  // "monitor/v05/i077"
  std::string date;     // YYYY-MM-DD
  std::string title;    // may be empty
  std::string notice;   // public
  std::string reason;   // internal: never written anywhere public
  int line = 0;         // in the file, 0 when not loaded from one
  // The edition's embargo when it was withdrawn under one (UTC, RFC 3339),
  // else "": the catalog lists the withdrawal only from then on, so that a
  // withdrawal never reveals an edition still under embargo.
  std::string embargo{};
};

struct Withdrawals {
  std::vector<Withdrawal> list;  // sorted by edition, one per edition

  // nullptr when `edition` is not withdrawn.
  const Withdrawal* Find(const std::string& edition) const;
  // Adds `w` in its place. REQUIRES: Find(w.edition) == nullptr.
  void Add(Withdrawal w);
};

// DIR/withdrawals.xml validated against DIR/withdrawals.rng; none when the
// file does not exist.
Withdrawals LoadWithdrawals(const std::string& rights_dir);
// The file's bytes: deterministic (sorted, no clock), every value escaped.
std::string WithdrawalsXml(const Withdrawals& withdrawals);
// Writes DIR/withdrawals.xml atomically.
void SaveWithdrawals(const std::string& rights_dir, const Withdrawals& withdrawals);

// Why `text` cannot be a notice or reason ("" when it can): empty, longer
// than kMaxWithdrawalText characters, or not one line of text.
std::string WithdrawalTextProblem(const std::string& text);

// The catalog's entries of the withdrawn editions: identity, title, date
// withdrawn and notice (never the reason). Publication names from `policy`.
std::vector<CatalogEntry> WithdrawnEntries(const Withdrawals& withdrawals, const RightsPolicy& policy);
// `entries` (live editions) without any withdrawn one, plus the withdrawn
// entries: the list a catalog is written from.
void ApplyWithdrawals(const Withdrawals& withdrawals, const RightsPolicy& policy, std::vector<CatalogEntry>* entries);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_WITHDRAWALS_H_
