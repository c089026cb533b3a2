// What a personalised copy costs, compiled against the tree being measured
// and against an older one by bench/personalize-cost (not a test):
//
//   personalize-cost RIGHTS_DIR EPUB HTML MD
//
// For each built artifact, 3 rounds of 2,000 copies for 1,000 licenses in
// turn; prints the fastest round. With the invisible marks (the tree has
// pipeline/signing/mark_key.h) it times both Personalize (an artifact
// prepared and personalised in one call) and what the server pays per copy
// (PreparedArtifact::Personalize, the artifact prepared once); without them
// (the code before the marks), Personalize. Then what the server pays for a
// copy its cache does not hold: the copy, its minisign signature and both
// SHA-256 sums.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/base/crypto.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/signing/minisign.h"
#include "pipeline/server/personalize.h"
#if __has_include("pipeline/signing/mark_key.h")
#define WITH_MARKS 1
#include "pipeline/signing/mark_key.h"
#endif

using namespace imprint;

namespace {

std::string Slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The fastest of 3 rounds, in microseconds a copy.
template <typename F>
double FastestRound(F copy) {
  double best = 1e18;
  for (int round = 0; round < 3; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 2000; ++i) copy(i % 1000);
    best = std::min(best, std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / 2000);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: personalize-cost RIGHTS_DIR EPUB HTML MD\n");
    return 2;
  }
  const RightsPolicy policy = LoadRightsPolicy(argv[1]);
  std::vector<Licensee> licensees;  // worded before the clock starts, as the server's are
  for (int i = 0; i < 1000; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "0b0e7a7e-1c2d-4e5f-8a9b-%012d", i);
    licensees.push_back(MakeLicensee(policy.tiers.at("individual"), id, "Ada Lovelace"));
  }
  const auto who = [&licensees](int i) { return licensees[i]; };
  const Ed25519Signer signer(std::string(32, 's'));
  const auto signed_copy = [&signer](const std::string& copy) {
    const std::string signature = SignMinisign(signer, "12345678", copy, "file:f\tedition:e\tlicense:l");
    return Sha256Hex(copy) + Sha256Hex(signature);
  };
  const char* const formats[] = {"epub", "html", "md"};
  for (int f = 0; f < 3; ++f) {
    const std::string artifact = Slurp(argv[2 + f]);
#ifdef WITH_MARKS
    const MarkKey key = MarkKey::FromSecret(std::string(32, 'm'));
    const double whole = FastestRound([&](int i) { return Personalize(formats[f], artifact, who(i), key); });
    const PreparedArtifact prepared(formats[f], artifact, key);
    const double per_copy = FastestRound([&](int i) { return prepared.Personalize(who(i)); });
    const double served = FastestRound([&](int i) { return signed_copy(prepared.Personalize(who(i))); });
    std::printf("%-4s Personalize %.1f us, from a prepared artifact %.1f us; signed, as served: %.1f us\n", formats[f],
                whole, per_copy, served);
#else
    const double whole = FastestRound([&](int i) { return Personalize(formats[f], artifact, who(i)); });
    const double served = FastestRound([&](int i) { return signed_copy(Personalize(formats[f], artifact, who(i))); });
    std::printf("%-4s Personalize %.1f us; signed, as served: %.1f us\n", formats[f], whole, served);
#endif
  }
  return 0;
}
