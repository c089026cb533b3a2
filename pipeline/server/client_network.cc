#include "pipeline/server/client_network.h"

#include <arpa/inet.h>

#include <cstring>

namespace imprint {
namespace {

std::string Ipv4Network(const unsigned char* bytes) {
  unsigned char net[4] = {bytes[0], bytes[1], bytes[2], 0};
  char text[INET_ADDRSTRLEN] = {};
  if (inet_ntop(AF_INET, net, text, sizeof text) == nullptr) return "";
  return std::string(text) + "/24";
}

// The 16 bytes of an address, IPv4 as IPv4-mapped IPv6; "" for no address.
std::string AddressBytes(const std::string& text) {
  const std::string plain = text.substr(0, text.find('%'));
  unsigned char bytes[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (inet_pton(AF_INET, plain.c_str(), bytes + 12) == 1) return std::string(reinterpret_cast<char*>(bytes), 16);
  if (inet_pton(AF_INET6, plain.c_str(), bytes) == 1) return std::string(reinterpret_cast<char*>(bytes), 16);
  return "";
}

std::string Trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

bool IsIpAddress(const std::string& text) { return !AddressBytes(text).empty(); }

std::string ClientAddress(const std::string& peer, const std::string& forwarded_for,
                          const std::vector<std::string>& trusted_proxies) {
  const auto trusted = [&trusted_proxies](const std::string& address) {
    const std::string bytes = AddressBytes(address);
    if (bytes.empty()) return false;
    for (const std::string& proxy : trusted_proxies) {
      if (AddressBytes(proxy) == bytes) return true;
    }
    return false;
  };
  std::string client = peer;
  size_t end = forwarded_for.size();
  while (trusted(client) && end > 0) {
    const size_t comma = forwarded_for.rfind(',', end - 1);
    const size_t start = comma == std::string::npos ? 0 : comma + 1;
    const std::string entry = Trimmed(forwarded_for.substr(start, end - start));
    if (!IsIpAddress(entry)) break;  // the proxy that wrote it is the last we know
    client = entry;
    if (comma == std::string::npos) break;
    end = comma;
  }
  return client;
}

std::string ClientNetwork(const std::string& address) {
  const std::string plain = address.substr(0, address.find('%'));  // fe80::1%eth0
  unsigned char bytes[16] = {};
  if (inet_pton(AF_INET, plain.c_str(), bytes) == 1) return Ipv4Network(bytes);
  if (inet_pton(AF_INET6, plain.c_str(), bytes) != 1) return "";
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes, kMapped, sizeof kMapped) == 0) return Ipv4Network(bytes + 12);
  std::memset(bytes + 6, 0, 10);  // keep 48 bits
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(AF_INET6, bytes, text, sizeof text) == nullptr) return "";
  return std::string(text) + "/48";
}

}  // namespace imprint
