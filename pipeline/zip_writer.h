// A zip archive writer for EPUB containers, on zlib.
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
#ifndef IMPRINT_PIPELINE_ZIP_WRITER_H_
#define IMPRINT_PIPELINE_ZIP_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace imprint {

class ZipWriter {
 public:
  // Every entry's modification time; years before 1980 become 1980.
  ZipWriter(int year, int month, int day);

  void AddStored(std::string_view name, std::string_view data);
  // `cacheable`: the data is likely to repeat across archives; its compressed
  // form is kept (per thread) and reused.
  void AddDeflated(std::string_view name, std::string_view data, bool cacheable = false);

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

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_ZIP_WRITER_H_
