// Zip archives for EPUB containers, on zlib (and libdeflate for personalised
// copies' entries and every CRC-32): written, and read back for
// personalising a built book without rebuilding it.
//
// Writes entries in the order they are added, all with one fixed time and no
// extra fields, so the same entries give the same bytes. Deflated entries are
// compressed once per thread for content that repeats from book to book (the
// stylesheet, the container file): the nightly build makes thousands of books
// whose static parts are identical. Poco::Zip, which the first EPUB writer
// used, compresses through streams and cannot take pre-compressed data
// without an archive to copy it from; this writer is the few lines that need.
// A ZipWriter is single-use and not thread-safe; separate writers may run on
// separate threads.
#ifndef IMPRINT_PIPELINE_BASE_ZIP_WRITER_H_
#define IMPRINT_PIPELINE_BASE_ZIP_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imprint {

class ZipWriter {
 public:
  // Every entry's modification time; years before 1980 become 1980.
  ZipWriter(int year, int month, int day);
  // A writer whose entries get the time of `archive`'s first entry.
  static ZipWriter WithTimeOf(std::string_view archive);

  void AddStored(std::string_view name, std::string_view data);
  // An entry compressed elsewhere (by ReadZip), copied as it is.
  void AddRaw(std::string_view name, uint16_t method, uint32_t crc, uint32_t size,
              std::string_view compressed) {
    Add(name, method, crc, size, compressed);
  }
  // `cacheable`: the data is likely to repeat across archives; its compressed
  // form is kept (per thread) and reused.
  void AddDeflated(std::string_view name, std::string_view data, bool cacheable = false);
  // Deflated at libdeflate's fastest level: for an entry made afresh for
  // each request (a personalised copy's), where time counts more than the
  // few per cent of size zlib's default level would save. (Text strewn with
  // the invisible marks takes zlib's default level 2.5 times as long.) The
  // canonical books stay on zlib (AddDeflated): their bytes do not change
  // from build to build of Imprint.
  void AddDeflatedFast(std::string_view name, std::string_view data);

  // The archive's bytes. REQUIRES: called once, after the last Add.
  std::string Finish();

 private:
  void Add(std::string_view name, uint16_t method, uint32_t crc, uint32_t size,
           std::string_view compressed);

  uint16_t dos_date_;
  uint16_t dos_time_ = 0;
  uint16_t entries_ = 0;
  std::string out_;
  std::string central_;
};

// One entry of an archive ZipWriter made, as stored.
struct ZipEntry {
  std::string name;
  uint16_t method = 0;  // 0 stored, 8 deflated
  uint32_t crc = 0;
  uint32_t size = 0;    // uncompressed
  std::string compressed;
};

// The entries of an archive in their order, read from the local headers (as
// ZipWriter writes them: no data descriptors, no zip64). Throws imprint::Error
// naming `file` for anything else.
std::vector<ZipEntry> ReadZip(std::string_view archive, const std::string& file = "zip archive");

// An entry's uncompressed bytes. Throws imprint::Error naming the entry when
// it is damaged or compressed by a method other than stored or deflated.
std::string Inflate(const ZipEntry& entry);

// Raw deflate, as AddDeflated stores it (`fast`: as AddDeflatedFast does).
std::string Deflate(std::string_view data, bool fast = false);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_ZIP_WRITER_H_
