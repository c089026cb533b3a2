#include "pipeline/base/zip_writer.h"

#include <zlib.h>

#include <stdexcept>
#include <unordered_map>

namespace imprint {
namespace {

void Put16(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v & 0xFF));
  out->push_back(static_cast<char>((v >> 8) & 0xFF));
}

void Put32(std::string* out, uint32_t v) {
  Put16(out, v & 0xFFFF);
  Put16(out, v >> 16);
}

uint32_t Crc32(std::string_view data) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

}  // namespace

// Raw deflate (no zlib header) at zlib's default level: on pages of a few
// kilobytes the best level costs more time and saves almost nothing. Each
// thread keeps one deflate state and resets it: initialising one allocates
// and clears a quarter of a megabyte.
std::string Deflate(std::string_view data) {
  struct Stream {
    Stream() {
      if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("zlib: deflateInit2 failed");
      }
    }
    ~Stream() { deflateEnd(&z); }
    z_stream z{};
  };
  thread_local Stream stream;
  z_stream& z = stream.z;
  deflateReset(&z);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate failed");
  return out;
}

namespace {

struct Compressed {
  uint32_t crc;
  std::string data;
};

}  // namespace

ZipWriter::ZipWriter(int year, int month, int day) {
  if (year < 1980) year = 1980, month = 1, day = 1;
  dos_date_ = static_cast<uint16_t>(((year - 1980) << 9) | (month << 5) | day);
}

ZipWriter ZipWriter::WithTimeOf(std::string_view archive) {
  ZipWriter writer(1980, 1, 1);
  if (archive.size() >= 14) {
    writer.dos_time_ = static_cast<uint16_t>(static_cast<unsigned char>(archive[10]) |
                                             (static_cast<unsigned char>(archive[11]) << 8));
    writer.dos_date_ = static_cast<uint16_t>(static_cast<unsigned char>(archive[12]) |
                                             (static_cast<unsigned char>(archive[13]) << 8));
  }
  return writer;
}

void ZipWriter::AddStored(std::string_view name, std::string_view data) {
  Add(name, 0, Crc32(data), static_cast<uint32_t>(data.size()), data);
}

void ZipWriter::AddDeflated(std::string_view name, std::string_view data, bool cacheable) {
  if (!cacheable) {
    Add(name, 8, Crc32(data), static_cast<uint32_t>(data.size()), Deflate(data));
    return;
  }
  thread_local std::unordered_map<std::string, Compressed> cache;
  auto it = cache.find(std::string(data));
  if (it == cache.end()) {
    if (cache.size() > 64) cache.clear();  // templates changed under a long-lived process
    it = cache.emplace(std::string(data), Compressed{Crc32(data), Deflate(data)}).first;
  }
  Add(name, 8, it->second.crc, static_cast<uint32_t>(data.size()), it->second.data);
}

void ZipWriter::Add(std::string_view name, uint16_t method, uint32_t crc, uint32_t size,
                    std::string_view compressed) {
  const uint32_t offset = static_cast<uint32_t>(out_.size());
  // Local file header.
  Put32(&out_, 0x04034b50);
  Put16(&out_, 20);  // version needed: 2.0
  Put16(&out_, 0);   // flags
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
  Put32(&central_, 0x02014b50);
  Put16(&central_, 20);  // made by: 2.0, MS-DOS attributes
  Put16(&central_, 20);
  Put16(&central_, 0);
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
  Put32(&out_, 0x06054b50);
  Put16(&out_, 0);
  Put16(&out_, 0);
  Put16(&out_, entries_);
  Put16(&out_, entries_);
  Put32(&out_, static_cast<uint32_t>(central_.size()));
  Put32(&out_, central_offset);
  Put16(&out_, 0);  // comment
  return std::move(out_);
}

namespace {

uint32_t Get16(std::string_view s, size_t at) {
  return static_cast<unsigned char>(s[at]) | (static_cast<unsigned char>(s[at + 1]) << 8);
}

uint32_t Get32(std::string_view s, size_t at) { return Get16(s, at) | (Get16(s, at + 2) << 16); }

}  // namespace

std::vector<ZipEntry> ReadZip(std::string_view archive) {
  std::vector<ZipEntry> entries;
  size_t at = 0;
  while (at + 30 <= archive.size() && Get32(archive, at) == 0x04034b50) {
    if (Get16(archive, at + 6) & 0x08) throw std::runtime_error("zip: data descriptors are not supported");
    ZipEntry e;
    e.method = static_cast<uint16_t>(Get16(archive, at + 8));
    e.crc = Get32(archive, at + 14);
    const uint32_t csize = Get32(archive, at + 18);
    e.size = Get32(archive, at + 22);
    const uint32_t name_len = Get16(archive, at + 26), extra_len = Get16(archive, at + 28);
    const size_t data = at + 30 + name_len + extra_len;
    if (data + csize > archive.size()) throw std::runtime_error("zip: truncated entry");
    e.name = std::string(archive.substr(at + 30, name_len));
    e.compressed = std::string(archive.substr(data, csize));
    entries.push_back(std::move(e));
    at = data + csize;
  }
  if (entries.empty()) throw std::runtime_error("zip: not an archive");
  return entries;
}

std::string Inflate(const ZipEntry& entry) {
  if (entry.method == 0) return entry.compressed;
  if (entry.method != 8) throw std::runtime_error("zip: unsupported compression");
  std::string out(entry.size, '\0');
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw std::runtime_error("zlib: inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(entry.compressed.data()));
  z.avail_in = static_cast<uInt>(entry.compressed.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const bool whole = rc == Z_STREAM_END && z.total_out == entry.size;
  inflateEnd(&z);
  if (!whole || Crc32(out) != entry.crc) throw std::runtime_error("zip: damaged entry " + entry.name);
  return out;
}

}  // namespace imprint
