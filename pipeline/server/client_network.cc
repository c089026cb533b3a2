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

}  // namespace

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
