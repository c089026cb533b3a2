// The client's network as the audit log keeps it: the address a request came
// from, cut to its /24 (IPv4) or /48 (IPv6), so the log can tell one
// household or office from another without ever holding a person's address
// (docs/security.md). An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a
// dual-stack socket reports) is an IPv4 client. Parsed with inet_pton, never
// a regular expression.
//
// The address is the socket's peer. X-Forwarded-For is believed only from a
// proxy the operator names (`imprint serve --trust-proxy ADDR`): anyone can
// write the header, so believing it from anyone would let a client name any
// network. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_CLIENT_NETWORK_H_
#define IMPRINT_PIPELINE_SERVER_CLIENT_NETWORK_H_

#include <string>
#include <vector>

namespace imprint {

// "203.0.113.0/24" for "203.0.113.77"; "2001:db8:1::/48" for
// "2001:db8:1:2::5" (a zone, "%eth0", is dropped); "" for anything that is
// not an address (a Unix socket, an empty peer).
std::string ClientNetwork(const std::string& address);

// Whether `text` is an IPv4 or IPv6 address (inet_pton's forms, a zone allowed).
bool IsIpAddress(const std::string& text);

// The client's address: `peer`, unless `peer` is one of `trusted_proxies`;
// then the right-most address of `forwarded_for` (X-Forwarded-For, its
// headers joined by ',') that is not a trusted proxy. An entry that is no
// address (garbage, "unknown", a port) stops the walk there: the address is
// then the last proxy's, the one that wrote it. Addresses compare as
// addresses (::ffff:127.0.0.1 is 127.0.0.1).
std::string ClientAddress(const std::string& peer, const std::string& forwarded_for,
                          const std::vector<std::string>& trusted_proxies);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_CLIENT_NETWORK_H_
