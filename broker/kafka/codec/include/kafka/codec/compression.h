#pragma once
// The compression codecs of Kafka record batches (attributes bits 0-2 of a
// RecordBatch v2, see record_batch.h): the records block after the batch
// header is compressed as one unit in the form the Java client writes and
// every client reads:
//
//   gzip    RFC 1952 gzip member(s) (zlib windowBits 31);
//   snappy  snappy-java's "xerial" framing: magic 82 'S' 'N' 'A' 'P' 'P' 'Y'
//           00, INT32 version 1, INT32 compatible version 1, then chunks of
//           [INT32 compressed length][raw snappy block], all big-endian.
//           librdkafka may send one raw snappy block instead; both decode;
//   lz4     LZ4 frame format (magic 04 22 4D 18), independent 64 KiB blocks
//           (Kafka's Lz4BlockInputStream decodes every block on its own);
//   zstd    zstd frame(s), with or without the content size.
//
// Pure: no I/O, any thread. The codec libraries are private to this module.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/errc.h"
#include "base/result.h"

namespace robust::kafka::codec {

enum class compression_type : int8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

/// "none", "gzip", "snappy", "lz4", "zstd"; "unknown" for codes 5-7.
std::string_view name(compression_type c) noexcept;

/// True for the five codes above (attributes & 7 may also hold 5-7).
constexpr bool is_known(compression_type c) noexcept {
    return static_cast<int8_t>(c) >= 0 && static_cast<int8_t>(c) <= 4;
}

/// `data` compressed by `type` in the form described above (`none`: a
/// copy). Precondition: is_known(type) (a programming error otherwise).
std::string compress(compression_type type, std::string_view data);

/// The decompressed bytes of `data`, which must be exactly one or more
/// complete streams of `type` (concatenated gzip members, lz4 or zstd frames
/// decode one after the other; nothing may follow the last one).
/// The output never grows past `max_bytes`: a stream that would decompress
/// to more fails as soon as it gets there, so a zip bomb costs at most
/// `max_bytes` of memory (zstd's history window may add up to
/// max(8 MiB, max_bytes) while decoding a frame that declares one).
/// Errors:
///   too_large    the output would exceed max_bytes (also a zstd frame whose
///                window is larger than allowed above);
///   malformed    not a valid stream of `type`: bad magic, checksum or
///                length, truncated, or bytes after the last stream;
///   unsupported  type is not one of the five known codes.
result<std::string> decompress(compression_type type, std::string_view data, size_t max_bytes);

}  // namespace robust::kafka::codec
