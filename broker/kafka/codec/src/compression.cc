#include "kafka/codec/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <limits>
#include <memory>

#include "base/assert.h"

namespace robust::kafka::codec {
namespace {

// snappy-java's stream header ("xerial" framing) and the size of the blocks
// it compresses (SnappyOutputStream's default).
constexpr std::array<unsigned char, 8> xerial_magic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00};
constexpr size_t xerial_header_size = 16;
constexpr size_t xerial_block_size = 32 * 1024;

// Streaming decoders write into this much scratch before copying out.
constexpr size_t scratch_size = 64 * 1024;

uint32_t load_be32(const char* p) noexcept {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

void append_be32(std::string& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// The decompressed output, never larger than `limit` bytes: capacity grows
// by doubling up to the limit and not past it (libstdc++'s reserve() would
// round a request below twice the old capacity up to twice the old capacity,
// so the last step copies into a buffer reserved from empty, which is exact).
class bounded_output {
public:
    explicit bounded_output(size_t limit) : limit_(limit) {}

    /// Makes room for `n` more bytes; false if that passes the limit.
    bool make_room(size_t n) {
        if (n > limit_ - out_.size()) return false;
        const size_t needed = out_.size() + n;
        const size_t cap = out_.capacity();
        if (needed <= cap) return true;
        const size_t target =
            std::min(limit_, std::max(needed, cap > limit_ / 2 ? limit_ : 2 * cap));
        if (target >= 2 * cap) {
            out_.reserve(target);
        } else {
            std::string bigger;
            bigger.reserve(target);
            bigger.append(out_);
            out_.swap(bigger);
        }
        return true;
    }
    bool append(const char* p, size_t n) {
        if (!make_room(n)) return false;
        out_.append(p, n);
        return true;
    }
    /// Room for n more bytes written in place at the returned pointer.
    char* extend(size_t n) {
        if (!make_room(n)) return nullptr;
        const size_t old = out_.size();
        out_.resize(old + n);
        return out_.data() + old;
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
    size_t limit_;
};

// ---- gzip -------------------------------------------------------------------

std::string gzip_compress(std::string_view data) {
    z_stream zs{};
    // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
    const int init =
        deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    BROKER_ASSERT(init == Z_OK, "deflateInit2 failed: " << init);
    std::string out(deflateBound(&zs, data.size()), '\0');
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    BROKER_ASSERT(data.size() <= UINT_MAX && out.size() <= UINT_MAX, "gzip block too large");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    const int rc = deflate(&zs, Z_FINISH);
    BROKER_ASSERT(rc == Z_STREAM_END, "deflate into deflateBound() bytes failed: " << rc);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

result<std::string> gzip_decompress(std::string_view data, size_t max_bytes) {
    z_stream zs{};
    // windowBits 15 + 32: gzip (what Kafka clients send) or zlib, detected.
    if (inflateInit2(&zs, 15 + 32) != Z_OK) return errc::io_error;
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
    bounded_output out(max_bytes);
    std::array<char, scratch_size> scratch;
    size_t fed = 0;
    for (;;) {
        if (zs.avail_in == 0 && fed < data.size()) {
            const size_t n = std::min<size_t>(data.size() - fed, UINT_MAX);
            zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + fed));
            zs.avail_in = static_cast<uInt>(n);
            fed += n;
        }
        zs.next_out = reinterpret_cast<Bytef*>(scratch.data());
        zs.avail_out = static_cast<uInt>(scratch.size());
        const int rc = inflate(&zs, Z_NO_FLUSH);
        const size_t produced = scratch.size() - zs.avail_out;
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return errc::malformed;
        if (!out.append(scratch.data(), produced)) return errc::too_large;
        if (rc == Z_STREAM_END) {
            if (zs.avail_in == 0 && fed == data.size()) return out.take();
            // Another gzip member follows (GZIPInputStream reads them all).
            if (inflateReset(&zs) != Z_OK) return errc::malformed;
            continue;
        }
        // Z_BUF_ERROR, or Z_OK without progress: the input ended mid-stream.
        if (produced == 0 && zs.avail_in == 0 && fed == data.size()) return errc::malformed;
    }
}

// ---- snappy -----------------------------------------------------------------

std::string snappy_compress(std::string_view data) {
    std::string out(reinterpret_cast<const char*>(xerial_magic.data()), xerial_magic.size());
    append_be32(out, 1);  // version
    append_be32(out, 1);  // minimum compatible version
    std::string block;
    for (size_t pos = 0; pos < data.size(); pos += xerial_block_size) {
        const size_t n = std::min(xerial_block_size, data.size() - pos);
        block.resize(snappy::MaxCompressedLength(n));
        size_t compressed = 0;
        snappy::RawCompress(data.data() + pos, n, block.data(), &compressed);
        append_be32(out, static_cast<uint32_t>(compressed));
        out.append(block.data(), compressed);
    }
    return out;
}

// One raw snappy block appended to `out`.
errc snappy_block(std::string_view block, bounded_output& out) {
    size_t length = 0;
    if (!snappy::GetUncompressedLength(block.data(), block.size(), &length)) return errc::malformed;
    char* dst = out.extend(length);
    if (dst == nullptr) return errc::too_large;
    if (!snappy::RawUncompress(block.data(), block.size(), dst)) return errc::malformed;
    return errc::success;
}

result<std::string> snappy_decompress(std::string_view data, size_t max_bytes) {
    bounded_output out(max_bytes);
    const bool xerial = data.size() >= xerial_header_size &&
                        std::memcmp(data.data(), xerial_magic.data(), xerial_magic.size()) == 0;
    if (!xerial) {
        // librdkafka and old snappy-java write one raw block.
        if (errc e = snappy_block(data, out); e != errc::success) return e;
        return out.take();
    }
    // The version fields are not checked: snappy-java only ever wrote 1/1.
    size_t pos = xerial_header_size;
    while (pos < data.size()) {
        if (data.size() - pos < 4) return errc::malformed;
        const uint32_t n = load_be32(data.data() + pos);
        pos += 4;
        if (n > data.size() - pos) return errc::malformed;
        if (errc e = snappy_block(data.substr(pos, n), out); e != errc::success) return e;
        pos += n;
    }
    return out.take();
}

// ---- lz4 --------------------------------------------------------------------

std::string lz4_compress(std::string_view data) {
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    std::string out(LZ4F_compressFrameBound(data.size(), &prefs), '\0');
    const size_t n = LZ4F_compressFrame(out.data(), out.size(), data.data(), data.size(), &prefs);
    BROKER_ASSERT(!LZ4F_isError(n), "LZ4F_compressFrame failed: " << LZ4F_getErrorName(n));
    out.resize(n);
    return out;
}

result<std::string> lz4_decompress(std::string_view data, size_t max_bytes) {
    LZ4F_dctx* raw_ctx = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&raw_ctx, LZ4F_VERSION))) {
        return errc::io_error;
    }
    std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> ctx(raw_ctx,
                                                                     LZ4F_freeDecompressionContext);
    bounded_output out(max_bytes);
    std::array<char, scratch_size> scratch;
    size_t pos = 0;
    for (;;) {
        size_t dst_size = scratch.size();
        size_t src_size = data.size() - pos;
        // 0 once a frame has ended with nothing pending.
        const size_t hint = LZ4F_decompress(ctx.get(), scratch.data(), &dst_size, data.data() + pos,
                                            &src_size, nullptr);
        if (LZ4F_isError(hint)) return errc::malformed;
        pos += src_size;
        if (!out.append(scratch.data(), dst_size)) return errc::too_large;
        if (pos == data.size()) {
            if (hint == 0) return out.take();           // last frame complete
            if (dst_size == 0) return errc::malformed;  // truncated frame
        } else if (src_size == 0 && dst_size == 0) {
            return errc::malformed;  // no progress (cannot happen with valid calls)
        }
        // Otherwise output is still pending, or another frame follows.
    }
}

// ---- zstd -------------------------------------------------------------------

std::string zstd_compress(std::string_view data) {
    std::string out(ZSTD_compressBound(data.size()), '\0');
    const size_t n =
        ZSTD_compress(out.data(), out.size(), data.data(), data.size(), ZSTD_CLEVEL_DEFAULT);
    BROKER_ASSERT(!ZSTD_isError(n), "ZSTD_compress failed: " << ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

// log2 of the largest window a frame may ask for: enough for whatever the
// output limit allows, and at least 8 MiB (zstd's levels up to 19 use at
// most that), capped at zstd's own default limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT,
// only declared for static linking).
int zstd_window_log_max(size_t max_bytes) noexcept {
    constexpr int zstd_default_limit = 27;
    int log = 23;
    while (log < zstd_default_limit && (size_t{1} << log) < max_bytes) ++log;
    return log;
}

result<std::string> zstd_decompress(std::string_view data, size_t max_bytes) {
    std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
    if (!ctx) return errc::io_error;
    if (ZSTD_isError(ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax,
                                            zstd_window_log_max(max_bytes)))) {
        return errc::io_error;
    }
    bounded_output out(max_bytes);
    std::array<char, scratch_size> scratch;
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    for (;;) {
        ZSTD_outBuffer o{scratch.data(), scratch.size(), 0};
        const size_t rc = ZSTD_decompressStream(ctx.get(), &o, &in);
        if (ZSTD_isError(rc)) {
            return ZSTD_getErrorCode(rc) == ZSTD_error_frameParameter_windowTooLarge
                       ? errc::too_large
                       : errc::malformed;
        }
        if (!out.append(scratch.data(), o.pos)) return errc::too_large;
        // A full scratch may mean more output is pending: call again.
        if (in.pos == in.size && o.pos < o.size) {
            // rc == 0: the last frame is complete and flushed.
            return rc == 0 ? result<std::string>(out.take()) : errc::malformed;
        }
    }
}

}  // namespace

std::string_view name(compression_type c) noexcept {
    switch (c) {
        case compression_type::none:
            return "none";
        case compression_type::gzip:
            return "gzip";
        case compression_type::snappy:
            return "snappy";
        case compression_type::lz4:
            return "lz4";
        case compression_type::zstd:
            return "zstd";
    }
    return "unknown";
}

std::string compress(compression_type type, std::string_view data) {
    switch (type) {
        case compression_type::none:
            return std::string(data);
        case compression_type::gzip:
            return gzip_compress(data);
        case compression_type::snappy:
            return snappy_compress(data);
        case compression_type::lz4:
            return lz4_compress(data);
        case compression_type::zstd:
            return zstd_compress(data);
    }
    BROKER_ASSERT(false, "compress: unknown compression type " << int(type));
    return {};
}

result<std::string> decompress(compression_type type, std::string_view data, size_t max_bytes) {
    switch (type) {
        case compression_type::none:
            if (data.size() > max_bytes) return errc::too_large;
            return std::string(data);
        case compression_type::gzip:
            return gzip_decompress(data, max_bytes);
        case compression_type::snappy:
            return snappy_decompress(data, max_bytes);
        case compression_type::lz4:
            return lz4_decompress(data, max_bytes);
        case compression_type::zstd:
            return zstd_decompress(data, max_bytes);
    }
    return errc::unsupported;
}

}  // namespace robust::kafka::codec
