// The client's network as the audit log keeps it: never the whole address.
#define BOOST_TEST_MODULE client_network
#include "pipeline/server/client_network.h"

#include <boost/test/unit_test.hpp>

namespace imprint {
namespace {

BOOST_AUTO_TEST_CASE(ipv4_is_cut_to_its_24) {
  BOOST_TEST(ClientNetwork("203.0.113.77") == "203.0.113.0/24");
  BOOST_TEST(ClientNetwork("127.0.0.1") == "127.0.0.0/24");
  BOOST_TEST(ClientNetwork("10.1.2.255") == "10.1.2.0/24");
}

BOOST_AUTO_TEST_CASE(ipv6_is_cut_to_its_48) {
  BOOST_TEST(ClientNetwork("2001:db8:1:2::5") == "2001:db8:1::/48");
  BOOST_TEST(ClientNetwork("2001:0db8:0001:ffff:ffff:ffff:ffff:ffff") == "2001:db8:1::/48");
  BOOST_TEST(ClientNetwork("::1") == "::/48");
  BOOST_TEST(ClientNetwork("fe80::1%eth0") == "fe80::/48");
}

BOOST_AUTO_TEST_CASE(ipv4_mapped_ipv6_is_ipv4) {
  BOOST_TEST(ClientNetwork("::ffff:203.0.113.77") == "203.0.113.0/24");
  BOOST_TEST(ClientNetwork("::ffff:cb00:714d") == "203.0.113.0/24");
}

BOOST_AUTO_TEST_CASE(what_is_no_address_gives_nothing) {
  for (const char* text : {"", "localhost", "203.0.113", "203.0.113.77/24", "1.2.3.4 ", " 1.2.3.4", "::g",
                           "203.0.113.256", "unix:/run/sock"}) {
    BOOST_TEST_CONTEXT(text) { BOOST_TEST(ClientNetwork(text).empty()); }
  }
}

// The address never survives whole, whatever its last bits.
BOOST_AUTO_TEST_CASE(no_two_hosts_of_a_network_differ_in_the_log) {
  for (int host = 0; host < 256; ++host) {
    BOOST_TEST(ClientNetwork("198.51.100." + std::to_string(host)) == "198.51.100.0/24");
  }
  BOOST_TEST(ClientNetwork("2001:db8:abcd:1234:5678:9abc:def0:1") == ClientNetwork("2001:db8:abcd::"));
}

BOOST_AUTO_TEST_CASE(forwarded_for_is_believed_only_from_a_trusted_proxy) {
  const std::vector<std::string> proxy = {"10.0.0.2"};
  // No proxy trusted: the header is anyone's to write, and never read.
  BOOST_TEST(ClientAddress("203.0.113.9", "198.51.100.7", {}) == "203.0.113.9");
  BOOST_TEST(ClientAddress("10.0.0.2", "198.51.100.7", {}) == "10.0.0.2");
  // From someone else than the proxy: not read either.
  BOOST_TEST(ClientAddress("203.0.113.9", "198.51.100.7", proxy) == "203.0.113.9");
  // From the proxy: the right-most address it did not add itself.
  BOOST_TEST(ClientAddress("10.0.0.2", "198.51.100.7", proxy) == "198.51.100.7");
  BOOST_TEST(ClientAddress("::ffff:10.0.0.2", " 198.51.100.7 ", proxy) == "198.51.100.7");
  // A client's own forged entries come first: the proxy appends the real one.
  BOOST_TEST(ClientAddress("10.0.0.2", "1.2.3.4, 5.6.7.8, 198.51.100.7", proxy) == "198.51.100.7");
  // Proxies in a chain, each trusted, are walked past.
  BOOST_TEST(ClientAddress("10.0.0.2", "198.51.100.7, 10.0.0.3", {"10.0.0.2", "10.0.0.3"}) == "198.51.100.7");
  BOOST_TEST(ClientAddress("10.0.0.2", "2001:db8::1", proxy) == "2001:db8::1");
  // Garbage stops the walk at the proxy that wrote it.
  BOOST_TEST(ClientAddress("10.0.0.2", "198.51.100.7, unknown", proxy) == "10.0.0.2");
  BOOST_TEST(ClientAddress("10.0.0.2", "198.51.100.7:4711", proxy) == "10.0.0.2");
  BOOST_TEST(ClientAddress("10.0.0.2", "", proxy) == "10.0.0.2");
  BOOST_TEST(ClientAddress("10.0.0.2", ",,,", proxy) == "10.0.0.2");
  BOOST_TEST(ClientAddress("10.0.0.2", std::string(100000, ','), proxy) == "10.0.0.2");
}

BOOST_AUTO_TEST_CASE(only_addresses_are_addresses) {
  BOOST_TEST(IsIpAddress("127.0.0.1"));
  BOOST_TEST(IsIpAddress("::1"));
  BOOST_TEST(!IsIpAddress("127.0.0.0/8"));
  BOOST_TEST(!IsIpAddress("proxy.example"));
  BOOST_TEST(!IsIpAddress(""));
}

}  // namespace
}  // namespace imprint
