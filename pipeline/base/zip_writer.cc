#include "pipeline/base/zip_writer.h"

#include <libdeflate.h>
#include <zlib.h>

#include <unordered_map>

#include "pipeline/base/error.h"

namespace imprint {
namespace {

// The parts of the zip format (PKWARE's APPNOTE.TXT) this writer uses.
constexpr uint32_t kLocalHeaderSignature = 0x04034b50;    // "PK\3\4"
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;  // "PK\1\2"
constexpr uint32_t kEndOfCentralSignature = 0x06054b50;   // "PK\5\6"
constexpr uint16_t kVersion20 = 20;  // 2.0: deflate; as "made by", MS-DOS attributes
constexpr uint16_t kNoFlags = 0;
constexpr uint16_t kFlagDataDescriptor = 0x08;  // bit 3: sizes follow the data
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflated = 8;
constexpr size_t kLocalHeaderSize = 30;  // before the name and the extra field
// Offsets in a local header.
constexpr size_t kLocalFlags = 6, kLocalMethod = 8, kLocalTime = 10, kLocalDate = 12, kLocalCrc = 14,
                 kLocalCompressedSize = 18, kLocalSize = 22, kLocalNameLength = 26, kLocalExtraLength = 28;
constexpr uint16_t kDosEpochYear = 1980;
constexpr int kZlibMemLevel = 8;  // zlib's default; deflateInit2 wants it spelt out

void Put16(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v & 0xFF));
  out->push_back(static_cast<char>((v >> 8) & 0xFF));
}

void Put32(std::string* out, uint32_t v) {
  Put16(out, v & 0xFFFF);
  Put16(out, v >> 16);
}

uint32_t Get16(std::string_view s, size_t at) {
  return static_cast<unsigned char>(s[at]) | (static_cast<unsigned char>(s[at + 1]) << 8);
}

uint32_t Get32(std::string_view s, size_t at) { return Get16(s, at) | (Get16(s, at + 2) << 16); }

// libdeflate's CRC-32 (the same sum as zlib's, four times as fast).
uint32_t Crc32(std::string_view data) { return libdeflate_crc32(0, data.data(), data.size()); }

// Raw deflate at libdeflate's fastest level, for entries made afresh for each
// copy: a whole-buffer compressor has no stream to reset, and on a marked
// page of 5 KB it takes two thirds of zlib's fastest level's time for 4%
// fewer bytes. Each thread keeps one compressor.
std::string DeflateFast(std::string_view data) {
  struct Compressor {
    Compressor() : c(libdeflate_alloc_compressor(1)) {
      if (c == nullptr) throw Error("libdeflate", 0, "cannot allocate a compressor");
    }
    ~Compressor() { libdeflate_free_compressor(c); }
    libdeflate_compressor* c;
  };
  thread_local Compressor compressor;
  std::string out(libdeflate_deflate_compress_bound(compressor.c, data.size()), '\0');
  const size_t size = libdeflate_deflate_compress(compressor.c, data.data(), data.size(), out.data(), out.size());
  if (size == 0) throw Error("libdeflate", 0, "deflate failed");
  out.resize(size);
  return out;
}

}  // namespace

// Raw deflate (no zlib header) at zlib's default level: on pages of a few
// kilobytes the best level costs more time and saves almost nothing. Each
// thread keeps one deflate state and resets it: initialising one allocates
// and clears a quarter of a megabyte.
std::string Deflate(std::string_view data, bool fast) {
  if (fast) return DeflateFast(data);
  struct Stream {
    explicit Stream(int level) {
      if (deflateInit2(&z, level, Z_DEFLATED, -MAX_WBITS, kZlibMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw Error("zlib", 0, "deflateInit2 failed");
      }
    }
    ~Stream() { deflateEnd(&z); }
    z_stream z{};
  };
  thread_local Stream stream(Z_DEFAULT_COMPRESSION);
  z_stream& z = stream.z;
  deflateReset(&z);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  if (rc != Z_STREAM_END) throw Error("zlib", 0, "deflate failed");
  return out;
}

namespace {

struct Compressed {
  uint32_t crc;
  std::string data;
};

}  // namespace

ZipWriter::ZipWriter(int year, int month, int day) {
  if (year < kDosEpochYear) year = kDosEpochYear, month = 1, day = 1;
  dos_date_ = static_cast<uint16_t>(((year - kDosEpochYear) << 9) | (month << 5) | day);
}

ZipWriter ZipWriter::WithTimeOf(std::string_view archive) {
  ZipWriter writer(kDosEpochYear, 1, 1);
  if (archive.size() >= kLocalDate + 2) {
    writer.dos_time_ = static_cast<uint16_t>(Get16(archive, kLocalTime));
    writer.dos_date_ = static_cast<uint16_t>(Get16(archive, kLocalDate));
  }
  return writer;
}

void ZipWriter::AddStored(std::string_view name, std::string_view data) {
  Add(name, kMethodStored, Crc32(data), static_cast<uint32_t>(data.size()), data);
}

void ZipWriter::AddDeflated(std::string_view name, std::string_view data, bool cacheable) {
  if (!cacheable) {
    Add(name, kMethodDeflated, Crc32(data), static_cast<uint32_t>(data.size()), Deflate(data));
    return;
  }
  thread_local std::unordered_map<std::string, Compressed> cache;
  auto it = cache.find(std::string(data));
  if (it == cache.end()) {
    if (cache.size() > 64) cache.clear();  // templates changed under a long-lived process
    it = cache.emplace(std::string(data), Compressed{Crc32(data), Deflate(data)}).first;
  }
  Add(name, kMethodDeflated, it->second.crc, static_cast<uint32_t>(data.size()), it->second.data);
}

void ZipWriter::AddDeflatedFast(std::string_view name, std::string_view data) {
  Add(name, kMethodDeflated, Crc32(data), static_cast<uint32_t>(data.size()), Deflate(data, true));
}

void ZipWriter::Add(std::string_view name, uint16_t method, uint32_t crc, uint32_t size,
                    std::string_view compressed) {
  const uint32_t offset = static_cast<uint32_t>(out_.size());
  // Local file header.
  Put32(&out_, kLocalHeaderSignature);
  Put16(&out_, kVersion20);  // version needed
  Put16(&out_, kNoFlags);
  Put16(&out_, method);
  Put16(&out_, dos_time_);
  Put16(&out_, dos_date_);
  Put32(&out_, crc);
  Put32(&out_, static_cast<uint32_t>(compressed.size()));
  Put32(&out_, size);
  Put16(&out_, static_cast<uint32_t>(name.size()));
  Put16(&out_, 0);  // no extra field
  out_.append(name);
  out_.append(compressed);
  // Its central directory record.
  Put32(&central_, kCentralHeaderSignature);
  Put16(&central_, kVersion20);  // made by
  Put16(&central_, kVersion20);  // version needed
  Put16(&central_, kNoFlags);
  Put16(&central_, method);
  Put16(&central_, dos_time_);
  Put16(&central_, dos_date_);
  Put32(&central_, crc);
  Put32(&central_, static_cast<uint32_t>(compressed.size()));
  Put32(&central_, size);
  Put16(&central_, static_cast<uint32_t>(name.size()));
  Put16(&central_, 0);  // extra
  Put16(&central_, 0);  // comment
  Put16(&central_, 0);  // disk
  Put16(&central_, 0);  // internal attributes
  Put32(&central_, 0);  // external attributes
  Put32(&central_, offset);
  central_.append(name);
  ++entries_;
}

std::string ZipWriter::Finish() {
  const uint32_t central_offset = static_cast<uint32_t>(out_.size());
  out_ += central_;
  Put32(&out_, kEndOfCentralSignature);
  Put16(&out_, 0);  // this disk
  Put16(&out_, 0);  // the disk where the central directory starts
  Put16(&out_, entries_);  // entries on this disk
  Put16(&out_, entries_);  // entries in all
  Put32(&out_, static_cast<uint32_t>(central_.size()));
  Put32(&out_, central_offset);
  Put16(&out_, 0);  // comment
  return std::move(out_);
}

std::vector<ZipEntry> ReadZip(std::string_view archive, const std::string& file) {
  std::vector<ZipEntry> entries;
  size_t at = 0;
  while (at + kLocalHeaderSize <= archive.size() && Get32(archive, at) == kLocalHeaderSignature) {
    if (Get16(archive, at + kLocalFlags) & kFlagDataDescriptor) {
      throw Error(file, 0, "zip: data descriptors are not supported");
    }
    ZipEntry e;
    e.method = static_cast<uint16_t>(Get16(archive, at + kLocalMethod));
    e.crc = Get32(archive, at + kLocalCrc);
    const uint32_t csize = Get32(archive, at + kLocalCompressedSize);
    e.size = Get32(archive, at + kLocalSize);
    const uint32_t name_len = Get16(archive, at + kLocalNameLength);
    const uint32_t extra_len = Get16(archive, at + kLocalExtraLength);
    const size_t data = at + kLocalHeaderSize + name_len + extra_len;
    if (data > archive.size() || csize > archive.size() - data) throw Error(file, 0, "zip: truncated entry");
    e.name = std::string(archive.substr(at + kLocalHeaderSize, name_len));
    e.compressed = std::string(archive.substr(data, csize));
    entries.push_back(std::move(e));
    at = data + csize;
  }
  if (entries.empty()) throw Error(file, 0, "zip: not a zip archive");
  return entries;
}

std::string Inflate(const ZipEntry& entry) {
  if (entry.method == kMethodStored) return entry.compressed;
  if (entry.method != kMethodDeflated) throw Error(entry.name, 0, "zip: unsupported compression method");
  std::string out(entry.size, '\0');
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw Error("zlib", 0, "inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(entry.compressed.data()));
  z.avail_in = static_cast<uInt>(entry.compressed.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const bool whole = rc == Z_STREAM_END && z.total_out == entry.size;
  inflateEnd(&z);
  if (!whole || Crc32(out) != entry.crc) throw Error(entry.name, 0, "zip: damaged entry");
  return out;
}

}  // namespace imprint
