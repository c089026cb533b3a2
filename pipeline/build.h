// The build: raw issues in, editions out.
//
// For each input: read (raw_reader), attach rights and footer (rights_stage),
// render every format of the writer table in memory, sign each artifact and
// the edition's manifest (minisign format), and only then write the files,
// each atomically and the manifest last, so a bad input leaves nothing behind. Inputs are
// independent: they run on a pool of `jobs` threads, and one failing never
// stops the others. The policy and templates are loaded once by the caller and
// shared read-only. RunBuild is thread-safe for distinct output folders.
#ifndef IMPRINT_PIPELINE_BUILD_H_
#define IMPRINT_PIPELINE_BUILD_H_

#include <string>
#include <vector>

#include "pipeline/error.h"
#include "pipeline/keystore.h"
#include "pipeline/rights_policy.h"
#include "pipeline/template_set.h"

namespace imprint {

struct BuildOptions {
  std::string out_dir = "output";
  int jobs = 1;                     // threads; at least 1
  std::vector<std::string> inputs;  // raw issue files
};

struct InputResult {
  std::string input;
  bool ok = false;
  std::string edition;               // "monitor/v05/i077", when it got that far
  std::vector<std::string> outputs;  // paths written
  std::vector<Diagnostic> diagnostics;  // warnings, then the error if any
};

struct BuildSummary {
  std::vector<InputResult> results;  // in the order of BuildOptions::inputs
  int built = 0;
  int failed = 0;
  int warnings = 0;
  double seconds = 0;
};

// The shared, read-only context of a build.
struct BuildContext {
  RightsPolicy policy;
  TemplateSet templates;
  SigningKey key;
  // SHA-256 (hex) of everything but the raw issue that decides the bytes of
  // an edition: templates, rights, signing key and the program's version.
  std::string fingerprint;
};

// Loads templates and rights from their folders and the signing key from the
// keystore, and computes the fingerprint.
BuildContext MakeBuildContext(const std::string& rights_dir, const std::string& templates_dir,
                              const Keystore& keystore);

BuildSummary RunBuild(const BuildOptions& options, const BuildContext& context);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BUILD_H_
