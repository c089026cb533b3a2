#include "pipeline/server/admin_gate.h"

#include <algorithm>
#include <cmath>

#include "pipeline/base/crypto.h"
#include "pipeline/license/admin_credential.h"

namespace imprint {

const char* const kAdminChallenge = "Basic realm=\"Imprint admin\", charset=\"UTF-8\"";

namespace {

// The password of "Basic base64(admin:password)", or nullopt when the header
// is anything else (another scheme, another user, a non-canonical encoding).
std::optional<std::string> AdminPassword(const std::string& header) {
  if (header.size() < 6 || header.size() > 2 * kMaxAdminPassword) return std::nullopt;
  std::string scheme = header.substr(0, 6);
  for (char& c : scheme) c = static_cast<char>(c | 0x20);
  if (scheme != "basic ") return std::nullopt;
  const std::string token = header.substr(6);
  std::string decoded;
  if (token.empty() || token.size() % 4 != 0 || !Base64Decode(token, &decoded) || Base64Encode(decoded) != token) {
    return std::nullopt;
  }
  const std::string prefix = std::string(kAdminUser) + ":";
  if (decoded.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::string password = decoded.substr(prefix.size());
  if (password.empty() || password.size() > kMaxAdminPassword) return std::nullopt;
  return password;
}

}  // namespace

void AdminGate::Budget::Refill(Clock::time_point now, int burst, int refill_seconds) {
  if (refilled) {
    const double seconds = std::chrono::duration<double>(now - *refilled).count();
    left = std::min<double>(burst, left + std::max(0.0, seconds) / refill_seconds);
  }
  refilled = now;
}

int AdminGate::Budget::SecondsToOne(int refill_seconds) const {
  return left >= 1 ? 0 : static_cast<int>(std::ceil((1 - left) * refill_seconds));
}

AdminGate::Budget& AdminGate::NetworkBudget(const std::string& network, Clock::time_point now) {
  auto it = networks_.find(network);
  if (it == networks_.end()) {
    if (networks_.size() >= kNetworks) networks_.clear();  // the shared budget still holds
    it = networks_.emplace(network, Budget{kFailureBurst, std::nullopt}).first;
  }
  it->second.Refill(now, kFailureBurst, kRefillSeconds);
  shared_.Refill(now, kSharedFailureBurst, kSharedRefillSeconds);
  return it->second;
}

int AdminGate::RetryAfter(const std::string& network, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  const Budget& mine = NetworkBudget(network, now);
  return std::max(mine.SecondsToOne(kRefillSeconds), shared_.SecondsToOne(kSharedRefillSeconds));
}

AdminGate::Verdict AdminGate::Check(const std::string& authorization, const std::optional<std::string>& stored,
                                    const std::string& network, Clock::time_point now) {
  if (!stored) return Verdict::kShutOut;
  const std::optional<std::string> password = AdminPassword(authorization);
  if (!password) return Verdict::kShutOut;
  const std::string fingerprint = Sha256(*stored + '\n' + authorization);
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = verified_.find(fingerprint);
    if (it != verified_.end() && now < it->second) return Verdict::kLetIn;
    if (it != verified_.end()) verified_.erase(it);
  }
  std::lock_guard<std::mutex> one_at_a_time(argon_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (NetworkBudget(network, now).left < 1 || shared_.left < 1) return Verdict::kTooMany;
  }
  const bool good = VerifyAdminPassword(*password, *stored);
  std::lock_guard<std::mutex> lock(mu_);
  if (!good) {
    NetworkBudget(network, now).left -= 1;
    shared_.left -= 1;
    return Verdict::kShutOut;
  }
  if (verified_.size() >= kCacheCapacity) verified_.clear();
  verified_[fingerprint] = now + std::chrono::seconds(kCacheSeconds);
  return Verdict::kLetIn;
}

}  // namespace imprint
