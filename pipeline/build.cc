#include "pipeline/build.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "pipeline/crypto.h"
#include "pipeline/document.h"
#include "pipeline/edition_layout.h"
#include "pipeline/file_system.h"
#include "pipeline/manifest.h"
#include "pipeline/minisign.h"
#include "pipeline/raw_reader.h"
#include "pipeline/rights_stage.h"
#include "pipeline/verify.h"
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
    const std::string raw = ReadFile(input);
    Document doc = ReadRawIssue(raw, input);
    result->diagnostics = doc.warnings;
    ApplyRights(context.policy, context.templates, &doc);

    const std::string edition = EditionPath(doc.publication.slug, doc.volume, doc.issue);
    result->edition = edition;
    const std::string owner = claims->Claim(edition, input);
    if (!owner.empty()) {
      throw Error(input, doc.header_line, "edition " + edition + " is also built from " + owner);
    }
    const std::string inputs_sha256 = Sha256Hex(context.fingerprint + Sha256(raw));
    const std::string folder = options.out_dir + "/" + edition + "/";
    const std::string base = EditionBaseName(doc.publication.slug, doc.volume, doc.issue);

    // Render and sign everything before writing anything: a failure must
    // leave no file of this issue behind.
    std::vector<Artifact> artifacts;
    std::vector<ManifestArtifact> listed;
    auto add_signed = [&](const std::string& name, std::string bytes) {
      std::string signature = SignMinisign(context.key.signer, context.key.key.id, bytes,
                                           TrustedComment(name, edition, inputs_sha256));
      artifacts.push_back({folder + name, std::move(bytes)});
      artifacts.push_back({folder + name + ".minisig", std::move(signature)});
    };
    for (const Writer& writer : Writers()) {
      const std::string name = base + "." + writer.extension;
      std::string bytes = writer.write(doc, context.templates);
      listed.push_back(DescribeArtifact(name, bytes));
      add_signed(name, std::move(bytes));
    }
    // The manifest goes last: an edition whose manifest is in place is complete.
    add_signed(kManifestName,
               ManifestJson(doc, edition, listed, context.key.key.IdText(), inputs_sha256));
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

BuildContext MakeBuildContext(const std::string& rights_dir, const std::string& templates_dir,
                              const Keystore& keystore) {
  BuildContext context{LoadRightsPolicy(rights_dir), TemplateSet::Load(templates_dir),
                       keystore.LoadSigningKey(), ""};
  context.fingerprint = Sha256Hex(std::string(IMPRINT_VERSION) + '\0' + context.policy.fingerprint +
                                  '\0' + context.templates.Fingerprint() + '\0' +
                                  context.key.key.IdText());
  return context;
}

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
