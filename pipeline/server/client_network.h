// The client's network as the audit log keeps it: the address a request came
// from, cut to its /24 (IPv4) or /48 (IPv6), so the log can tell one
// household or office from another without ever holding a person's address
// (docs/security.md). An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a
// dual-stack socket reports) is an IPv4 client. Parsed with inet_pton, never
// a regular expression. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_CLIENT_NETWORK_H_
#define IMPRINT_PIPELINE_SERVER_CLIENT_NETWORK_H_

#include <string>

namespace imprint {

// "203.0.113.0/24" for "203.0.113.77"; "2001:db8:1::/48" for
// "2001:db8:1:2::5" (a zone, "%eth0", is dropped); "" for anything that is
// not an address (a Unix socket, an empty peer).
std::string ClientNetwork(const std::string& address);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_CLIENT_NETWORK_H_
