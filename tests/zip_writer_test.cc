// Zip archives as ZipWriter writes them, read back by ReadZip and Inflate;
// damaged or foreign archives are imprint::Error, never another exception.
#define BOOST_TEST_MODULE zip_writer
#include "pipeline/base/zip_writer.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/base/error.h"

namespace imprint {
namespace {

std::string TwoEntries() {
  ZipWriter zip(2026, 11, 29);
  zip.AddStored("mimetype", "application/epub+zip");
  zip.AddDeflated("a.txt", std::string(1000, 'a'));
  return zip.Finish();
}

BOOST_AUTO_TEST_CASE(entries_read_back_as_written) {
  const std::string archive = TwoEntries();
  BOOST_TEST(archive.substr(0, 4) == std::string("PK\3\4"));
  const std::vector<ZipEntry> entries = ReadZip(archive);
  BOOST_REQUIRE_EQUAL(entries.size(), 2u);
  BOOST_TEST(entries[0].name == "mimetype");
  BOOST_TEST(entries[0].method == 0);
  BOOST_TEST(Inflate(entries[0]) == "application/epub+zip");
  BOOST_TEST(entries[1].method == 8);
  BOOST_TEST(Inflate(entries[1]) == std::string(1000, 'a'));
  // The end of central directory record: signature, then both counts 2.
  const size_t end = archive.size() - 22;
  BOOST_TEST(archive.substr(end, 4) == std::string("PK\5\6"));
  BOOST_TEST(archive[end + 8] == 2);
  BOOST_TEST(archive[end + 10] == 2);
}

BOOST_AUTO_TEST_CASE(same_entries_same_bytes_and_time_kept) {
  BOOST_TEST(TwoEntries() == TwoEntries());
  ZipWriter copy = ZipWriter::WithTimeOf(TwoEntries());
  copy.AddStored("mimetype", "application/epub+zip");
  copy.AddDeflated("a.txt", std::string(1000, 'a'));
  BOOST_TEST(copy.Finish() == TwoEntries());
}

// Regression: ReadZip and Inflate threw std::runtime_error, which the CLI
// reported without a file; every zip problem is now an imprint::Error.
BOOST_AUTO_TEST_CASE(not_an_archive_is_an_imprint_error) {
  BOOST_CHECK_THROW(ReadZip("not a zip at all, just text"), Error);
  try {
    ReadZip("", "book.epub");
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().file == "book.epub");
    BOOST_TEST(e.diagnostic().message.find("not a zip archive") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(truncated_archive_is_an_imprint_error) {
  const std::string archive = TwoEntries();
  BOOST_CHECK_THROW(ReadZip(archive.substr(0, 40)), Error);
}

BOOST_AUTO_TEST_CASE(damaged_entry_is_an_imprint_error_naming_it) {
  std::vector<ZipEntry> entries = ReadZip(TwoEntries());
  entries[1].compressed[2] ^= 0x55;
  try {
    Inflate(entries[1]);
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().file == "a.txt");
  }
  entries[0].method = 12;  // bzip2: not written here
  BOOST_CHECK_THROW(Inflate(entries[0]), Error);
}

BOOST_AUTO_TEST_CASE(data_descriptors_are_an_imprint_error) {
  std::string archive = TwoEntries();
  archive[6] = 0x08;  // general purpose flag bit 3: sizes follow the data
  BOOST_CHECK_THROW(ReadZip(archive), Error);
}

}  // namespace
}  // namespace imprint
