// Web and e-mail addresses found in prose: what is a link, where it ends, and
// that the spans give back the text exactly.
#define BOOST_TEST_MODULE text_links
#include "pipeline/base/text_links.h"

#include <boost/test/unit_test.hpp>

namespace imprint {
namespace {

// The spans as "text" for plain text and "[text|href]" for a link.
std::string Show(const std::string& text) {
  std::string out, joined;
  for (const TextSpan& s : SplitLinks(text)) {
    out += s.href.empty() ? s.text : "[" + s.text + "|" + s.href + "]";
    joined += s.text;
  }
  BOOST_TEST(joined == text);
  return out;
}

BOOST_AUTO_TEST_CASE(web_addresses_end_before_what_ends_the_sentence) {
  BOOST_TEST(Show("see https://jamestown.org/.") == "see [https://jamestown.org/|https://jamestown.org/].");
  BOOST_TEST(Show("Terms: http://a.org/x?y=1&z=2#f") == "Terms: [http://a.org/x?y=1&z=2#f|http://a.org/x?y=1&z=2#f]");
  BOOST_TEST(Show("(http://a.org/b_(c))") == "([http://a.org/b_(c)|http://a.org/b_(c)])");
  BOOST_TEST(Show("http://a.org/, then") == "[http://a.org/|http://a.org/], then");
  BOOST_TEST(Show("\"https://a.org\"") == "\"[https://a.org|https://a.org]\"");
}

BOOST_AUTO_TEST_CASE(what_is_not_a_web_address_stays_text) {
  for (const std::string text : {"http://", "https:// a", "xhttps://a.org", "ftp://a.org", "www.a.org",
                                 "https://-", "HTTP://A.ORG"}) {
    BOOST_TEST(Show(text) == text);
  }
  // Stops at what a URL cannot hold (a blank, '<', '>', a quote, non-ASCII).
  BOOST_TEST(Show("https://a.org/x<y") == "[https://a.org/x|https://a.org/x]<y");
  BOOST_TEST(Show("https://a.org/\u00e9") == "[https://a.org/|https://a.org/]\u00e9");
  BOOST_TEST(Show("https://a.org/[x]") == "[https://a.org/|https://a.org/][x]");
  BOOST_TEST(Show("https://a.org/%7e%zz") == "[https://a.org/%7e|https://a.org/%7e]%zz");
}

BOOST_AUTO_TEST_CASE(email_addresses_are_mailto_links) {
  BOOST_TEST(Show("Write to desk@jamestown.org.") == "Write to [desk@jamestown.org|mailto:desk@jamestown.org].");
  BOOST_TEST(Show("a.b-c_d+e@mail.example.net") == "[a.b-c_d+e@mail.example.net|mailto:a.b-c_d+e@mail.example.net]");
  for (const std::string text : {"a@b", "@handle", "a @ b.org", "foo@", "a@-b.org", "a@b-.org", "a@b.org_x",
                                 "a@b.c@d.org", "mailto:a@b.org", ".a@b.org", "a.@b.org", "a@b..org"}) {
    BOOST_TEST(Show(text) == text);
  }
}

BOOST_AUTO_TEST_CASE(both_kinds_in_one_text) {
  BOOST_TEST(Show("Mail press@x.org or see https://x.org/p@q.") ==
             "Mail [press@x.org|mailto:press@x.org] or see [https://x.org/p@q|https://x.org/p@q].");
  BOOST_TEST(SplitLinks("").empty());
}

}  // namespace
}  // namespace imprint
