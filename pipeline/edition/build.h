// The build: raw issues in, signed editions out.
//
// For each input: read (raw_reader), attach rights and footer (rights_stage),
// render every format of the writer table in memory, sign each artifact and
// the edition's manifest (minisign format), write them into a private staging
// folder and put that folder in place in one step (ReplaceDirectory), so an
// edition is always old-and-complete or new-and-complete, even when the build
// is killed. A bad input leaves nothing behind, and its error names the input
// (an input that is not a regular file, a write that fails: never a staging
// path). An input whose state row
// (build_state) shows nothing changed, and whose manifest in place is the
// one that row names, is not rebuilt. Over a published revision the input
// obeys the revision rules (revisions.h): it keeps the earlier revisions in
// revisions/r<N>/ of the new folder, staged and put in place with it. Inputs are independent:
// they run on a pool of `jobs` threads, and one failing never stops the others.
// After the workers: the state is saved and the catalog rewritten. The policy,
// templates and key are loaded once by the caller and shared read-only.
#ifndef IMPRINT_PIPELINE_EDITION_BUILD_H_
#define IMPRINT_PIPELINE_EDITION_BUILD_H_

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/edition/template_set.h"
#include "pipeline/edition/withdrawals.h"

namespace imprint {

struct BuildOptions {
  std::string out_dir = "output";
  int jobs = 1;                     // threads; at least 1
  std::vector<std::string> inputs;  // raw issue files
  // Inputs known to be unreadable before the build starts (a folder that
  // could not be listed), each with why; they fail with that reason.
  std::map<std::string, std::string> unreadable;
  bool force = false;               // rebuild even what is unchanged (the revision rules still hold)
  // publish: an edition last built from another input file, with other
  // text, is replaced only when `replace` is set (docs/editions.md).
  bool guard_inputs = false;
  bool replace = false;
  // When set, incremented as each input finishes (for a progress display).
  std::atomic<size_t>* progress = nullptr;
};

// kWithdrawn: the input is of a withdrawn edition (withdrawals.h): not
// built, its folder removed if it came back; not a failure.
enum class InputStatus { kBuilt, kUnchanged, kFailed, kWithdrawn };

struct InputResult {
  std::string input;
  InputStatus status = InputStatus::kFailed;
  std::string edition;               // "monitor/v05/i077", when it got that far
  std::vector<std::string> outputs;  // paths of the edition's files
  std::vector<Diagnostic> diagnostics;  // warnings, then the error if any
  // What a guarded replace (BuildOptions::replace) replaced:
  // "monitor/v05/i078 revision 1, built from incoming/a.txt"; else "".
  std::string replaced;
  std::string embargo;  // the edition's release time (RFC 3339, UTC), or "" (docs/editions.md)
};

struct BuildSummary {
  std::vector<InputResult> results;  // in the order of BuildOptions::inputs
  int built = 0;
  int unchanged = 0;
  int failed = 0;
  int withdrawn = 0;
  int warnings = 0;
  // The editions in the output folder after the build, as the catalog lists
  // them: each edition the state knows once (however many inputs have built
  // it over time, e.g. an input moved), while its manifest is in place; those
  // under embargo included, though the catalog leaves them out.
  size_t editions = 0;
  double seconds = 0;
};

// The shared, read-only context of a build.
struct BuildContext {
  RightsPolicy policy;
  TemplateSet templates;
  SigningKey key;
  // rights/withdrawals.xml: not part of the fingerprint (a withdrawal
  // rebuilds nothing); the catalog lists them.
  Withdrawals withdrawals;
  // SHA-256 (hex) of everything but the raw issue that decides the bytes of
  // an edition: templates, rights, signing key and the program's version.
  std::string fingerprint;
  // The keys a manifest in place must verify with to count as published.
  TrustedKeys trusted;
};

// Loads templates and rights from their folders and the signing key from the
// keystore, the withdrawals from the rights folder, and computes the
// fingerprint.
BuildContext MakeBuildContext(const std::string& rights_dir, const std::string& templates_dir,
                              const Keystore& keystore);

BuildSummary RunBuild(const BuildOptions& options, const BuildContext& context);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_BUILD_H_
