#include "pipeline/build.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "pipeline/document.h"
#include "pipeline/edition_layout.h"
#include "pipeline/file_system.h"
#include "pipeline/raw_reader.h"
#include "pipeline/rights_stage.h"
#include "pipeline/writers.h"

namespace imprint {
namespace {

// Which input builds which edition: two inputs must not write the same files.
class EditionClaims {
 public:
  // Returns "" when `input` now owns `edition`, else the input that owns it.
  std::string Claim(const std::string& edition, const std::string& input) {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, inserted] = owners_.emplace(edition, input);
    return inserted ? "" : it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> owners_;
};

struct Artifact {
  std::string path;
  std::string bytes;
};

void BuildOne(const std::string& input, const BuildOptions& options,
              const BuildContext& context, EditionClaims* claims,
              InputResult* result) {
  result->input = input;
  try {
    Document doc = ReadRawIssue(ReadFile(input), input);
    result->diagnostics = doc.warnings;
    ApplyRights(context.policy, context.templates, &doc);

    const std::string edition =
        EditionPath(doc.publication.slug, doc.volume, doc.issue);
    result->edition = edition;
    const std::string owner = claims->Claim(edition, input);
    if (!owner.empty()) {
      throw Error(input, doc.header_line,
                  "edition " + edition + " is also built from " + owner);
    }
    const std::string base = options.out_dir + "/" + edition + "/" +
                             EditionBaseName(doc.publication.slug, doc.volume, doc.issue);
    // Render everything before writing anything: a writer's failure must
    // leave no file of this issue behind.
    std::vector<Artifact> artifacts;
    for (const Writer& writer : Writers()) {
      artifacts.push_back({base + "." + writer.extension, writer.write(doc, context.templates)});
    }
    for (const Artifact& a : artifacts) {
      WriteFileAtomic(a.path, a.bytes);
      result->outputs.push_back(a.path);
    }
    result->ok = true;
  } catch (const Error& e) {
    result->diagnostics.push_back(e.diagnostic());
  } catch (const std::exception& e) {
    result->diagnostics.push_back(Error(input, 0, e.what()).diagnostic());
  }
}

}  // namespace

BuildSummary RunBuild(const BuildOptions& options, const BuildContext& context) {
  const auto start = std::chrono::steady_clock::now();
  BuildSummary summary;
  summary.results.resize(options.inputs.size());
  EditionClaims claims;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < options.inputs.size();) {
      BuildOne(options.inputs[i], options, context, &claims, &summary.results[i]);
    }
  };
  const size_t threads = std::min<size_t>(std::max(options.jobs, 1), options.inputs.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();

  for (const InputResult& r : summary.results) {
    (r.ok ? summary.built : summary.failed) += 1;
    for (const Diagnostic& d : r.diagnostics) {
      if (d.severity == Diagnostic::Severity::kWarning) ++summary.warnings;
    }
  }
  summary.seconds = std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace imprint
