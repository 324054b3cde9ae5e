// RecordBatch v2 (Kafka protocol guide, "Record Batch" and "Record"),
// CRC-32C and the compression codecs.
#include "kafka/codec/record_batch.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "../fuzz/record_batch_round_trip.h"
#include "base/errc.h"
#include "kafka/codec/compression.h"
#include "test_util.h"

namespace robust::kafka::codec {
namespace {

namespace fs = std::filesystem;
using test::hex;
using test::read_file;
using test::wire;

const std::error_code malformed = make_error_code(errc::malformed);
const std::error_code too_large = make_error_code(errc::too_large);
const std::error_code unsupported = make_error_code(errc::unsupported);
const std::error_code corruption = make_error_code(errc::corruption);
const std::error_code protocol_error = make_error_code(errc::protocol_error);

/// Bytes from hex digits ("0a1b..."), for the captured client batches.
std::string from_hex(std::string_view hex) {
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
    }
    return out;
}

void put_be(std::string& s, size_t pos, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) s[pos + i] = static_cast<char>(v >> (8 * (n - 1 - i)));
}

/// Recomputes the CRC of a single batch after a test has edited it.
void fix_crc(std::string& batch) {
    put_be(batch, 17, crc32c(std::string_view(batch).substr(21)), 4);
}

constexpr int64_t ts0 = 1700000000000;  // 2023-11-14T22:13:20Z

batch_record record(std::optional<std::string> key, std::optional<std::string> value,
                    int32_t offset_delta = 0, int64_t timestamp_delta = 0,
                    std::vector<record_header> headers = {}) {
    batch_record r;
    r.offset_delta = offset_delta;
    r.timestamp_delta = timestamp_delta;
    r.key = std::move(key);
    r.value = std::move(value);
    r.headers = std::move(headers);
    return r;
}

/// A mix of every field shape: keys, null keys, null and empty values,
/// headers with null values, and a long value; offsets 0..n-1.
std::vector<batch_record> sample_records(size_t n) {
    std::vector<batch_record> out;
    for (size_t i = 0; i < n; ++i) {
        const auto d = static_cast<int32_t>(i);
        switch (i % 5) {
            case 0:
                out.push_back(
                    record("key-" + std::to_string(i), "value-" + std::to_string(i), d, d));
                break;
            case 1:
                out.push_back(record(std::nullopt, "no key", d, d));
                break;
            case 2:
                out.push_back(record("tombstone", std::nullopt, d, d,
                                     {{"h1", "v1"}, {"h-null", std::nullopt}, {"", ""}}));
                break;
            case 3:
                out.push_back(record("", "", d, -d));
                break;
            default:
                out.push_back(record(std::nullopt,
                                     std::string(1000 + i, static_cast<char>('a' + i % 26)), d,
                                     1000 * d, {{"trace", std::string(40, 't')}}));
                break;
        }
    }
    return out;
}

constexpr compression_type all_codecs[] = {compression_type::none, compression_type::gzip,
                                           compression_type::snappy, compression_type::lz4,
                                           compression_type::zstd};

batch_build_options options_with(compression_type c) {
    batch_build_options o;
    o.compression = c;
    o.base_timestamp = ts0;
    return o;
}

/// The one batch of `blob`, split as a Produce blob.
batch_view only_batch(std::string_view blob, const batch_limits& limits = {}) {
    auto batches = split_batches(blob, limits);
    EXPECT_TRUE(batches.has_value()) << batches.error().message();
    if (!batches) return {};
    EXPECT_EQ(batches->size(), 1u);
    return batches->empty() ? batch_view{} : (*batches)[0];
}

std::error_code split_error(std::string_view blob, const batch_limits& limits = {}) {
    auto r = split_batches(blob, limits);
    return r ? std::error_code() : r.error();
}

std::error_code decode_error(const batch_view& b, const batch_limits& limits = {}) {
    auto r = decode_records(b, limits);
    return r ? std::error_code() : r.error();
}

// ---- CRC-32C ----------------------------------------------------------------

// A bitwise CRC-32C (reflected polynomial 0x82F63B78, init and final xor
// ~0), independent of ISA-L.
uint32_t reference_crc32c(std::string_view s) {
    uint32_t c = 0xffffffffu;
    for (unsigned char b : s) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) != 0 ? 0x82f63b78u : 0u);
    }
    return ~c;
}

TEST(Crc32c, CheckValue) {
    // The standard check value of CRC-32C (Castagnoli) for "123456789".
    EXPECT_EQ(crc32c("123456789"), 0xe3069283u);
    EXPECT_EQ(crc32c(""), 0u);
}

TEST(Crc32c, MatchesBitwiseReferenceAtEveryLengthAndAlignment) {
    std::mt19937 rng(7);
    std::string data(4096 + 64, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    for (size_t offset : {0, 1, 3, 7}) {
        for (size_t n : {0, 1, 2, 7, 8, 15, 16, 63, 64, 255, 256, 1000, 4096}) {
            const std::string_view s = std::string_view(data).substr(offset, n);
            ASSERT_EQ(crc32c(s), reference_crc32c(s)) << "offset " << offset << " length " << n;
        }
    }
}

// ---- the hand-written batch -----------------------------------------------

// One uncompressed record {key "k", value "hello", header "h" -> "x"}, as a
// Java producer sends it (partitionLeaderEpoch -1, no producer id).
const std::string one_record_batch = wire({
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // baseOffset 0
    0x00, 0x00, 0x00, 0x42,                          // batchLength 66 (49 + record's 17)
    0xff, 0xff, 0xff, 0xff,                          // partitionLeaderEpoch -1
    0x02,                                            // magic 2
    0x6a, 0x5a, 0x13, 0xdd,                          // crc (CRC-32C of the 57 bytes after it)
    0x00, 0x00,                                      // attributes: no compression, CreateTime
    0x00, 0x00, 0x00, 0x00,                          // lastOffsetDelta 0
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,  // baseTimestamp 1700000000000
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,  // maxTimestamp 1700000000000
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // producerId -1
    0xff, 0xff,                                      // producerEpoch -1
    0xff, 0xff, 0xff, 0xff,                          // baseSequence -1
    0x00, 0x00, 0x00, 0x01,                          // records count 1
    0x20,                                            // record length 16 (varint)
    0x00,                                            //   attributes
    0x00,                                            //   timestampDelta 0 (varlong)
    0x00,                                            //   offsetDelta 0
    0x02, 'k',                                       //   key length 1, "k"
    0x0a, 0x68, 0x65, 0x6c, 0x6c, 0x6f,              //   value length 5, "hello"
    0x02,                                            //   headers count 1
    0x02, 'h',                                       //     header key length 1, "h"
    0x02, 'x',                                       //     header value length 1, "x"
});

batch_record one_record_value() {
    return record("k", "hello", 0, 0, {{"h", "x"}});
}

TEST(RecordBatchDecode, HandWrittenOneRecordBatch) {
    const batch_view b = only_batch(one_record_batch);
    EXPECT_EQ(b.bytes.size(), one_record_batch.size());
    EXPECT_EQ(b.header.base_offset, 0);
    EXPECT_EQ(b.header.batch_length, 66);
    EXPECT_EQ(b.header.partition_leader_epoch, -1);
    EXPECT_EQ(b.header.magic, 2);
    EXPECT_EQ(b.header.crc, 0x6a5a13ddu);
    EXPECT_EQ(b.header.compression(), compression_type::none);
    EXPECT_EQ(b.header.ts_type(), timestamp_type::create_time);
    EXPECT_FALSE(b.header.is_transactional());
    EXPECT_FALSE(b.header.is_control());
    EXPECT_EQ(b.header.last_offset_delta, 0);
    EXPECT_EQ(b.header.base_timestamp, ts0);
    EXPECT_EQ(b.header.max_timestamp, ts0);
    EXPECT_EQ(b.header.producer_id, -1);
    EXPECT_EQ(b.header.producer_epoch, -1);
    EXPECT_EQ(b.header.base_sequence, -1);
    EXPECT_EQ(b.header.record_count, 1);
    EXPECT_EQ(b.header.size_bytes(), one_record_batch.size());

    auto records = decode_records(b, {});
    ASSERT_TRUE(records.has_value()) << records.error().message();
    ASSERT_EQ(records->size(), 1u);
    EXPECT_EQ((*records)[0], one_record_value());
    EXPECT_TRUE(validate_records(b, {}).has_value());
}

TEST(RecordBatchEncode, RebuildsHandWrittenBatchByteForByte) {
    const batch_record r = one_record_value();
    EXPECT_EQ(hex(build_batch({&r, 1}, options_with(compression_type::none))),
              hex(one_record_batch));
}

TEST(RecordBatchHeader, ParsesWithoutRecords) {
    auto h = parse_batch_header(one_record_batch);
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(*h, only_batch(one_record_batch).header);
    // Only the 61 header bytes are needed; the CRC is not looked at.
    std::string header_only = one_record_batch.substr(0, batch_header_size);
    header_only[17] ^= 1;
    EXPECT_TRUE(parse_batch_header(header_only).has_value());

    EXPECT_EQ(parse_batch_header(one_record_batch.substr(0, 60)).error(), malformed);
    EXPECT_EQ(parse_batch_header("").error(), malformed);
    std::string magic1 = one_record_batch;
    magic1[16] = 1;
    EXPECT_EQ(parse_batch_header(magic1).error(), unsupported);
    EXPECT_EQ(parse_batch_header(magic1.substr(0, 20)).error(), unsupported);
    std::string short_length = one_record_batch;
    put_be(short_length, 8, 48, 4);
    EXPECT_EQ(parse_batch_header(short_length).error(), malformed);
}

// ---- split: what a Produce blob must be -------------------------------------

TEST(RecordBatchSplit, EmptyBlobHasNoBatches) {
    auto b = split_batches("", {});
    ASSERT_TRUE(b.has_value());
    EXPECT_TRUE(b->empty());
    auto f = split_fetched_batches("", {});
    ASSERT_TRUE(f.has_value());
    EXPECT_TRUE(f->empty());
}

TEST(RecordBatchSplit, CorruptedCrcIsCorruption) {
    std::string bad_crc = one_record_batch;
    bad_crc[20] ^= 0x01;  // the CRC itself
    EXPECT_EQ(split_error(bad_crc), corruption);
    std::string bad_value = one_record_batch;
    bad_value[68] ^= 0x20;  // "hello" -> "Hello"
    EXPECT_EQ(split_error(bad_value), corruption);
    std::string bad_attributes = one_record_batch;
    bad_attributes[22] = 0x01;  // gzip, under the CRC
    EXPECT_EQ(split_error(bad_attributes), corruption);
    EXPECT_EQ(split_fetched_batches(bad_value, {}).error(), corruption);
}

TEST(RecordBatchSplit, CrcDoesNotCoverOffsetAndLeaderEpoch) {
    for (int32_t epoch : {0, -1, 7, INT32_MAX}) {  // librdkafka sends 0, Java -1
        std::string b = one_record_batch;
        set_partition_leader_epoch(b, epoch);
        set_base_offset(b, 0x0102030405060708);
        auto batches = split_batches(b, {});
        ASSERT_TRUE(batches.has_value()) << epoch;
        EXPECT_EQ((*batches)[0].header.partition_leader_epoch, epoch);
        EXPECT_EQ((*batches)[0].header.base_offset, 0x0102030405060708);
        EXPECT_EQ((*batches)[0].header.last_offset(), 0x0102030405060708);
    }
}

TEST(RecordBatchSplit, OlderMagicIsUnsupported) {
    // A magic 1 message set entry: offset, message size, then crc, magic 1,
    // attributes, timestamp, key and value (Kafka's LegacyRecord).
    const std::string v1 = wire({
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // offset 0
        0x00, 0x00, 0x00, 0x16,                          // message size 22
        0x12, 0x34, 0x56, 0x78,                          // crc (not checked)
        0x01,                                            // magic 1
        0x00,                                            // attributes
        0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,  // timestamp
        0xff, 0xff, 0xff, 0xff,                          // key null
        0x00, 0x00, 0x00, 0x00,                          // value ""
    });
    EXPECT_EQ(split_error(v1), unsupported);
    EXPECT_EQ(split_fetched_batches(v1, {}).error(), unsupported);
    std::string v0 = v1;
    v0[16] = 0;
    EXPECT_EQ(split_error(v0), unsupported);
    // After a good batch, too.
    EXPECT_EQ(split_error(one_record_batch + v1), unsupported);
    std::string magic3 = one_record_batch;
    magic3[16] = 3;
    EXPECT_EQ(split_error(magic3), unsupported);
}

TEST(RecordBatchSplit, TruncatedBatchIsMalformed) {
    EXPECT_EQ(split_error(one_record_batch.substr(0, one_record_batch.size() - 1)), malformed);
    EXPECT_EQ(split_error(one_record_batch.substr(0, 61)), malformed);
    EXPECT_EQ(split_error(one_record_batch.substr(0, 10)), malformed);
    EXPECT_EQ(split_error(one_record_batch + one_record_batch.substr(0, 30)), malformed);
}

TEST(RecordBatchSplit, BatchLengthBelowHeaderIsMalformed) {
    std::string b = one_record_batch;
    put_be(b, 8, 48, 4);
    EXPECT_EQ(split_error(b), malformed);
    put_be(b, 8, static_cast<uint32_t>(-1), 4);
    EXPECT_EQ(split_error(b), malformed);
    EXPECT_EQ(split_fetched_batches(b, {}).error(), malformed);
}

TEST(RecordBatchSplit, LimitsAreCheckedBeforeParsing) {
    batch_limits small;
    small.max_batch_bytes = one_record_batch.size() - 1;
    EXPECT_EQ(split_error(one_record_batch, small), too_large);
    EXPECT_EQ(split_fetched_batches(one_record_batch, small).error(), too_large);
    small.max_batch_bytes = one_record_batch.size();
    EXPECT_EQ(split_error(one_record_batch, small), std::error_code());

    // A batch announcing 2 GiB: a Produce blob must hold it whole; a Fetch
    // blob is read as cut short there.
    std::string huge = one_record_batch;
    put_be(huge, 8, INT32_MAX, 4);
    EXPECT_EQ(split_error(huge), malformed);
    auto fetched = split_fetched_batches(huge, {});
    ASSERT_TRUE(fetched.has_value());
    EXPECT_TRUE(fetched->empty());

    const auto records = sample_records(10);
    const std::string ten = build_batch(records, options_with(compression_type::none));
    batch_limits few;
    few.max_records_per_batch = 9;
    EXPECT_EQ(split_error(ten, few), too_large);
    few.max_records_per_batch = 10;
    EXPECT_EQ(split_error(ten, few), std::error_code());
}

TEST(RecordBatchSplit, NegativeCountIsMalformed) {
    std::string b = one_record_batch;
    put_be(b, 57, static_cast<uint32_t>(-1), 4);
    fix_crc(b);
    EXPECT_EQ(split_error(b), malformed);
    EXPECT_EQ(split_fetched_batches(b, {}).error(), malformed);
}

// Kafka's LogValidator.validateBatch, for batches from clients.
TEST(RecordBatchSplit, ProduceRequiresLastOffsetDeltaOfCountMinusOne) {
    auto records = sample_records(3);
    std::string b = build_batch(records, options_with(compression_type::none));
    EXPECT_EQ(split_error(b), std::error_code());

    std::string wrong_delta = b;
    put_be(wrong_delta, 23, 5, 4);  // lastOffsetDelta 5 with 3 records
    fix_crc(wrong_delta);
    EXPECT_EQ(split_error(wrong_delta), protocol_error);
    // A consumer reads it (compaction leaves such gaps).
    EXPECT_TRUE(split_fetched_batches(wrong_delta, {}).has_value());

    std::string negative_delta = b;
    put_be(negative_delta, 23, static_cast<uint32_t>(-1), 4);
    fix_crc(negative_delta);
    EXPECT_EQ(split_error(negative_delta), protocol_error);

    const std::string empty = build_batch({}, options_with(compression_type::none));
    EXPECT_EQ(split_error(empty), protocol_error);  // count 0
    auto fetched = split_fetched_batches(empty, {});
    ASSERT_TRUE(fetched.has_value());
    ASSERT_EQ(fetched->size(), 1u);
    auto none = decode_records((*fetched)[0], {});
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty());
}

TEST(RecordBatchSplit, ProduceRejectsControlBatches) {
    auto records = sample_records(1);
    batch_build_options o = options_with(compression_type::none);
    o.control = true;
    const std::string b = build_batch(records, o);
    EXPECT_EQ(split_error(b), protocol_error);
    auto fetched = split_fetched_batches(b, {});
    ASSERT_TRUE(fetched.has_value());
    EXPECT_TRUE((*fetched)[0].header.is_control());
}

TEST(RecordBatchSplit, ProduceRequiresSequenceWithProducerId) {
    auto records = sample_records(2);
    batch_build_options o = options_with(compression_type::none);
    o.producer_id = 1000;
    o.producer_epoch = 0;
    o.base_sequence = -1;
    EXPECT_EQ(split_error(build_batch(records, o)), protocol_error);
    o.base_sequence = 0;
    o.transactional = true;
    const std::string idempotent = build_batch(records, o);
    const batch_view v = only_batch(idempotent);
    EXPECT_EQ(v.header.producer_id, 1000);
    EXPECT_EQ(v.header.base_sequence, 0);
    EXPECT_TRUE(v.header.is_transactional());
}

TEST(RecordBatchSplit, UnknownCompressionCodes) {
    for (int code : {5, 6, 7}) {
        std::string b = one_record_batch;
        b[22] = static_cast<char>(code);
        fix_crc(b);
        EXPECT_EQ(split_error(b), unsupported) << code;
        auto fetched = split_fetched_batches(b, {});
        ASSERT_TRUE(fetched.has_value()) << code;
        EXPECT_EQ(decode_error((*fetched)[0]), unsupported) << code;
        EXPECT_EQ(validate_records((*fetched)[0], {}).error(), unsupported) << code;
    }
    // Also when there are no records to decompress (a fuzzer find).
    std::string empty = build_batch({}, options_with(compression_type::none));
    empty[22] = 7;
    fix_crc(empty);
    auto fetched = split_fetched_batches(empty, {});
    ASSERT_TRUE(fetched.has_value());
    EXPECT_EQ(decode_error((*fetched)[0]), unsupported);
}

TEST(RecordBatchSplit, FetchSideStopsAtTruncatedTail) {
    const auto records = sample_records(4);
    const std::string a = build_batch(records, options_with(compression_type::lz4));
    const std::string b = build_batch(records, options_with(compression_type::none));
    const std::string blob = a + b + b.substr(0, b.size() / 2);
    auto fetched = split_fetched_batches(blob, {});
    ASSERT_TRUE(fetched.has_value());
    ASSERT_EQ(fetched->size(), 2u);
    EXPECT_EQ((*fetched)[0].bytes, a);
    EXPECT_EQ((*fetched)[1].bytes, b);
    EXPECT_EQ(split_error(blob), malformed);
    // Fewer bytes than up to the magic byte, too.
    auto tiny_tail = split_fetched_batches(a + b.substr(0, 5), {});
    ASSERT_TRUE(tiny_tail.has_value());
    EXPECT_EQ(tiny_tail->size(), 1u);
}

TEST(RecordBatchSplit, EveryPrefixFailsCleanly) {
    const auto records = sample_records(6);
    for (compression_type c : all_codecs) {
        const std::string one = build_batch(records, options_with(c));
        const std::string blob = one + one_record_batch;
        for (size_t cut = 0; cut < blob.size(); ++cut) {
            const std::string prefix = blob.substr(0, cut);
            const auto produce = split_batches(prefix, {});
            const auto fetch = split_fetched_batches(prefix, {});
            ASSERT_TRUE(fetch.has_value()) << name(c) << " cut " << cut;
            if (cut == 0 || cut == one.size()) {
                ASSERT_TRUE(produce.has_value()) << name(c) << " cut " << cut;
                EXPECT_EQ(produce->size(), cut == 0 ? 0u : 1u);
            } else {
                ASSERT_FALSE(produce.has_value()) << name(c) << " cut " << cut;
                EXPECT_EQ(produce.error(), malformed) << name(c) << " cut " << cut;
            }
            EXPECT_EQ(fetch->size(), cut < one.size() ? 0u : 1u) << name(c) << " cut " << cut;
            // A batch view cut short (not from a split) fails too.
            if (cut >= batch_header_size && cut < one.size()) {
                batch_view partial{*parse_batch_header(prefix), prefix};
                EXPECT_EQ(decode_error(partial), malformed) << name(c) << " cut " << cut;
            }
        }
    }
}

// ---- records ------------------------------------------------------------------

TEST(RecordBatchDecode, RecordLengthMustMatchItsFields) {
    // The record claims 17 bytes (one zero byte added after it) while its
    // fields take 16.
    std::string longer = one_record_batch;
    longer[61] = 0x22;  // length 17
    longer.push_back(0x00);
    put_be(longer, 8, 67, 4);
    fix_crc(longer);
    EXPECT_EQ(decode_error(only_batch(longer)), malformed);

    std::string shorter = one_record_batch;
    shorter[61] = 0x1e;  // length 15: the last header value falls outside
    fix_crc(shorter);
    EXPECT_EQ(decode_error(only_batch(shorter)), malformed);

    std::string past_end = one_record_batch;
    past_end[61] = 0x7e;  // length 63 > what is left
    fix_crc(past_end);
    EXPECT_EQ(decode_error(only_batch(past_end)), malformed);

    std::string negative = one_record_batch;
    negative[61] = 0x01;  // length -1
    fix_crc(negative);
    EXPECT_EQ(decode_error(only_batch(negative)), malformed);
}

TEST(RecordBatchDecode, BytesAfterTheLastRecordAreMalformed) {
    std::string b = one_record_batch + std::string(1, '\0');
    put_be(b, 8, 67, 4);
    fix_crc(b);
    EXPECT_EQ(decode_error(only_batch(b)), malformed);
    EXPECT_EQ(validate_records(only_batch(b), {}).error(), malformed);
}

TEST(RecordBatchDecode, FewerRecordsThanCountAreMalformed) {
    std::string b = one_record_batch;
    put_be(b, 57, 2, 4);  // count 2, one record
    put_be(b, 23, 1, 4);  // lastOffsetDelta 1
    fix_crc(b);
    EXPECT_EQ(decode_error(only_batch(b)), malformed);
}

TEST(RecordBatchDecode, InvalidFieldLengthsAreMalformed) {
    auto edited = [](size_t at, uint8_t byte) {
        std::string b = one_record_batch;
        b[at] = static_cast<char>(byte);
        fix_crc(b);
        return b;
    };
    // Offsets in one_record_batch: 65 key length, 67 value length, 73
    // headers count, 74 header key length, 76 header value length.
    EXPECT_EQ(decode_error(only_batch(edited(65, 0x03))), malformed);  // key length -2
    EXPECT_EQ(decode_error(only_batch(edited(73, 0x01))), malformed);  // headers count -1
    EXPECT_EQ(decode_error(only_batch(edited(73, 0x7e))), malformed);  // 63 headers
    EXPECT_EQ(decode_error(only_batch(edited(74, 0x01))), malformed);  // null header key
    EXPECT_EQ(decode_error(only_batch(edited(76, 0x03))), malformed);  // header value -2
}

TEST(RecordBatchDecode, NullKeyValueAndHeaderValue) {
    std::string b = build_batch({}, options_with(compression_type::none)) +
                    wire({
                        0x12,       // record length 9
                        0x00,       //   attributes
                        0x02,       //   timestampDelta 1
                        0x00,       //   offsetDelta 0
                        0x01,       //   key length -1 (null)
                        0x01,       //   value length -1 (null)
                        0x02,       //   headers count 1
                        0x02, 'h',  //     key length 1, "h"
                        0x01,       //     value length -1 (null)
                    });
    put_be(b, 8, b.size() - 12, 4);  // batchLength
    put_be(b, 57, 1, 4);             // count 1 (lastOffsetDelta 0 already)
    fix_crc(b);
    auto records = decode_records(only_batch(b), {});
    ASSERT_TRUE(records.has_value()) << records.error().message();
    ASSERT_EQ(records->size(), 1u);
    EXPECT_EQ((*records)[0], record(std::nullopt, std::nullopt, 0, 1, {{"h", std::nullopt}}));
}

TEST(RecordBatchDecode, CountZeroGivesNoRecordsWithoutReadingPayload) {
    std::string b = build_batch({}, options_with(compression_type::gzip));
    auto fetched = split_fetched_batches(b, {});
    ASSERT_TRUE(fetched.has_value());
    auto records = decode_records((*fetched)[0], {});
    ASSERT_TRUE(records.has_value());
    EXPECT_TRUE(records->empty());
}

// ---- round trips --------------------------------------------------------------

TEST(RecordBatchRoundTrip, EveryCompression) {
    for (size_t n : {1, 2, 5, 100, 2000}) {
        const auto records = sample_records(n);
        for (compression_type c : all_codecs) {
            batch_build_options o = options_with(c);
            o.base_offset = 42;
            o.partition_leader_epoch = 3;
            const std::string b = build_batch(records, o);
            const batch_view v = only_batch(b);
            EXPECT_EQ(v.header.compression(), c);
            EXPECT_EQ(v.header.record_count, static_cast<int32_t>(n));
            EXPECT_EQ(v.header.last_offset_delta, static_cast<int32_t>(n - 1));
            EXPECT_EQ(v.header.base_offset, 42);
            EXPECT_EQ(v.header.partition_leader_epoch, 3);
            auto decoded = decode_records(v, {});
            ASSERT_TRUE(decoded.has_value())
                << name(c) << " n=" << n << ": " << decoded.error().message();
            EXPECT_EQ(*decoded, records) << name(c) << " n=" << n;
            EXPECT_TRUE(validate_records(v, {}).has_value());
            if (c != compression_type::none && n >= 100) {
                EXPECT_LT(b.size(),
                          build_batch(records, options_with(compression_type::none)).size())
                    << name(c) << " did not compress";
            }
        }
    }
}

TEST(RecordBatchRoundTrip, ManyBatchesInOneBlob) {
    std::string blob;
    std::vector<std::vector<batch_record>> expected;
    int64_t offset = 0;
    for (int i = 0; i < 20; ++i) {
        expected.push_back(sample_records(1 + i % 7));
        batch_build_options o = options_with(all_codecs[i % 5]);
        o.base_offset = offset;
        offset += static_cast<int64_t>(expected.back().size());
        blob += build_batch(expected.back(), o);
    }
    auto batches = split_batches(blob, {});
    ASSERT_TRUE(batches.has_value());
    ASSERT_EQ(batches->size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        auto decoded = decode_records((*batches)[i], {});
        ASSERT_TRUE(decoded.has_value()) << i;
        EXPECT_EQ(*decoded, expected[i]) << i;
    }
    EXPECT_EQ((*batches).back().header.last_offset(), offset - 1);
}

TEST(RecordBatchRoundTrip, HeaderFieldsAndTimestamps) {
    std::vector<batch_record> records = {record("a", "1", 0, 5), record("b", "2", 1, -3),
                                         record("c", "3", 2, 9)};
    batch_build_options o = options_with(compression_type::zstd);
    o.producer_id = 77;
    o.producer_epoch = 4;
    o.base_sequence = 1000;
    const batch_view v = only_batch(build_batch(records, o));
    EXPECT_EQ(v.header.base_timestamp, ts0);
    EXPECT_EQ(v.header.max_timestamp, ts0 + 9);  // computed from the records
    EXPECT_EQ(v.header.producer_id, 77);
    EXPECT_EQ(v.header.producer_epoch, 4);
    EXPECT_EQ(v.header.base_sequence, 1000);
    EXPECT_EQ(v.header.ts_type(), timestamp_type::create_time);

    o.log_append_time = true;
    o.max_timestamp = ts0 + 100;
    const std::string b = build_batch(records, o);
    const batch_view l = only_batch(b);
    EXPECT_EQ(l.header.ts_type(), timestamp_type::log_append_time);
    EXPECT_EQ(l.header.max_timestamp, ts0 + 100);
}

TEST(RecordBatchEdit, BaseOffsetAndEpochKeepTheCrc) {
    std::string b = build_batch(sample_records(3), options_with(compression_type::snappy));
    std::string response = "prefix" + b;  // a copy inside a larger buffer
    set_base_offset(std::span<char>(response).subspan(6), 1234);
    set_partition_leader_epoch(std::span<char>(response).subspan(6), 9);
    const batch_view v = only_batch(std::string_view(response).substr(6));
    EXPECT_EQ(v.header.base_offset, 1234);
    EXPECT_EQ(v.header.last_offset(), 1236);
    EXPECT_EQ(v.header.partition_leader_epoch, 9);
    EXPECT_EQ(v.header.crc, only_batch(b).header.crc);
}

TEST(RecordBatchEdit, LogAppendTimeRewritesTheCrc) {
    std::string b = build_batch(sample_records(3), options_with(compression_type::gzip));
    set_log_append_time(b, ts0 + 5000);
    const batch_view v = only_batch(b);  // CRC valid again
    EXPECT_EQ(v.header.ts_type(), timestamp_type::log_append_time);
    EXPECT_EQ(v.header.max_timestamp, ts0 + 5000);
    EXPECT_EQ(v.header.compression(), compression_type::gzip);
    auto decoded = decode_records(v, {});
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, sample_records(3));
}

// ---- batches from a real client -----------------------------------------------

// Captured from librdkafka 2.0.2 (python3-confluent-kafka) producing three
// records to a stub broker with compression.type none/gzip/snappy/lz4/zstd:
//   {key "k", value "hello", t0}, {key null, value null, t0+1, headers
//   h1 -> "v1", h2 -> null}, {key "kk", value 300 x "x", t0+2}.
// librdkafka writes partitionLeaderEpoch 0, raw snappy (no xerial framing),
// LZ4 frames with independent 64 KiB blocks, and zstd frames without a
// content size.
const std::string rdkafka_none = from_hex(
    "00000000000000000000018600000000025ef614f90000000000020000018bcfe568000000018bcf"
    "e56802ffffffffffffffffffffffffffff0000000318000000026b0a68656c6c6f00200002020101"
    "0404683104763104683201ea04000404046b6bd80478787878787878787878787878787878787878"
    "78787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "78787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "78787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "78787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "78787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "78787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "78787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "7800");
const std::string rdkafka_gzip = from_hex(
    "000000000000000000000072000000000222bffa590001000000020000018bcfe568000000018bcf"
    "e56802ffffffffffffffffffffffffffff000000031f8b08000000000000039360606060cae6ca48"
    "cdc9c9675060606262646461c93064293364c930627cc5c2c0c2c2929d7d83a56214100d1800f22d"
    "2fd955010000");
const std::string rdkafka_snappy = from_hex(
    "00000000000000000000007000000000021c48dc520002000000020000018bcfe568000000018bcf"
    "e56802ffffffffffffffffffffffffffff00000003d502a818000000026b0a68656c6c6f00200002"
    "0201010404683104763104683201ea04000404046b6bd804787878fe0200fe0200fe0200fe0200a2"
    "02000000");
const std::string rdkafka_lz4 = from_hex(
    "0000000000000000000000750000000002933a931d0003000000020000018bcfe568000000018bcf"
    "e56802ffffffffffffffffffffffffffff0000000304224d1860408235000000ff1a18000000026b"
    "0a68656c6c6f002000020201010404683104763104683201ea04000404046b6bd804780100ff1550"
    "787878780000000000");
const std::string rdkafka_zstd = from_hex(
    "00000000000000000000006c0000000002cbaa78680004000000020000018bcfe568000000018bcf"
    "e56802ffffffffffffffffffffffffffff0000000328b52ffd0058950100a40218000000026b0a68"
    "656c6c6f002000020201010404683104763104683201ea04000404046b6bd8047800010041514119");

std::vector<batch_record> rdkafka_records() {
    return {record("k", "hello", 0, 0),
            record(std::nullopt, std::nullopt, 1, 1, {{"h1", "v1"}, {"h2", std::nullopt}}),
            record("kk", std::string(300, 'x'), 2, 2)};
}

TEST(RecordBatchLibrdkafka, DecodesEveryCodec) {
    const std::pair<const std::string*, compression_type> captures[] = {
        {&rdkafka_none, compression_type::none},     {&rdkafka_gzip, compression_type::gzip},
        {&rdkafka_snappy, compression_type::snappy}, {&rdkafka_lz4, compression_type::lz4},
        {&rdkafka_zstd, compression_type::zstd},
    };
    for (const auto& [bytes, codec] : captures) {
        const batch_view v = only_batch(*bytes);  // passes every Produce-side check
        EXPECT_EQ(v.header.compression(), codec);
        EXPECT_EQ(v.header.partition_leader_epoch, 0);
        EXPECT_EQ(v.header.base_timestamp, ts0);
        EXPECT_EQ(v.header.max_timestamp, ts0 + 2);
        auto decoded = decode_records(v, {});
        ASSERT_TRUE(decoded.has_value()) << name(codec) << ": " << decoded.error().message();
        EXPECT_EQ(*decoded, rdkafka_records()) << name(codec);
    }
}

TEST(RecordBatchLibrdkafka, UncompressedBatchRebuildsByteForByte) {
    batch_build_options o = options_with(compression_type::none);
    o.partition_leader_epoch = 0;
    EXPECT_EQ(hex(build_batch(rdkafka_records(), o)), hex(rdkafka_none));
}

// ---- compression ------------------------------------------------------------

std::string mixed_data(size_t n) {
    std::mt19937 rng(3);
    std::string s;
    s.reserve(n);
    while (s.size() < n) {
        if (rng() % 2 == 0) {
            s.append(std::min<size_t>(n - s.size(), 1 + rng() % 300), static_cast<char>(rng()));
        } else {
            for (size_t i = rng() % 200; i > 0 && s.size() < n; --i)
                s.push_back(static_cast<char>(rng()));
        }
    }
    return s;
}

TEST(CompressionRoundTrip, EveryCodecAndSize) {
    for (size_t n : {0, 1, 100, 32 * 1024, 32 * 1024 + 1, 64 * 1024 + 7, 300 * 1024}) {
        const std::string data = mixed_data(n);
        for (compression_type c : all_codecs) {
            const std::string packed = compress(c, data);
            auto unpacked = decompress(c, packed, n);
            ASSERT_TRUE(unpacked.has_value())
                << name(c) << " n=" << n << ": " << unpacked.error().message();
            EXPECT_EQ(*unpacked, data) << name(c) << " n=" << n;
            if (n > 0) {
                EXPECT_EQ(decompress(c, packed, n - 1).error(), too_large) << name(c) << " n=" << n;
            }
        }
    }
}

TEST(CompressionRoundTrip, Names) {
    EXPECT_EQ(name(compression_type::none), "none");
    EXPECT_EQ(name(compression_type::zstd), "zstd");
    EXPECT_EQ(name(static_cast<compression_type>(6)), "unknown");
    EXPECT_FALSE(is_known(static_cast<compression_type>(5)));
    EXPECT_EQ(decompress(static_cast<compression_type>(5), "x", 10).error(), unsupported);
}

TEST(CompressionSnappy, WritesXerialFraming) {
    const std::string data = mixed_data(70 * 1024);
    const std::string packed = compress(compression_type::snappy, data);
    // snappy-java's header, version 1, compatible version 1.
    EXPECT_EQ(hex(packed.substr(0, 16)),
              hex(wire({0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00, 0, 0, 0, 1, 0, 0, 0, 1})));
    // Three chunks of at most 32 KiB each: [length][raw block].
    size_t pos = 16;
    int chunks = 0;
    while (pos < packed.size()) {
        const uint32_t n = (static_cast<uint8_t>(packed[pos]) << 24) |
                           (static_cast<uint8_t>(packed[pos + 1]) << 16) |
                           (static_cast<uint8_t>(packed[pos + 2]) << 8) |
                           static_cast<uint8_t>(packed[pos + 3]);
        pos += 4 + n;
        ++chunks;
    }
    EXPECT_EQ(pos, packed.size());
    EXPECT_EQ(chunks, 3);
}

TEST(CompressionSnappy, RawAndXerialBothDecode) {
    // librdkafka's raw block (the records block of its batch) and ours.
    const std::string raw = rdkafka_snappy.substr(batch_header_size);
    auto from_raw = decompress(compression_type::snappy, raw, 1 << 20);
    ASSERT_TRUE(from_raw.has_value());
    const std::string xerial = compress(compression_type::snappy, *from_raw);
    EXPECT_NE(raw, xerial);
    auto from_xerial = decompress(compression_type::snappy, xerial, 1 << 20);
    ASSERT_TRUE(from_xerial.has_value());
    EXPECT_EQ(*from_xerial, *from_raw);
    // And as whole batches.
    batch_build_options o = options_with(compression_type::snappy);
    o.partition_leader_epoch = 0;
    auto ours = decode_records(only_batch(build_batch(rdkafka_records(), o)), {});
    ASSERT_TRUE(ours.has_value());
    EXPECT_EQ(*ours, rdkafka_records());
}

TEST(CompressionZstd, FramesWithAndWithoutContentSize) {
    const std::string without = rdkafka_zstd.substr(batch_header_size);
    // Frame header descriptor: no Frame_Content_Size field, not single-segment.
    EXPECT_EQ(static_cast<uint8_t>(without[4]) & 0xe0, 0);
    auto a = decompress(compression_type::zstd, without, 1 << 20);
    ASSERT_TRUE(a.has_value());
    const std::string with = compress(compression_type::zstd, *a);
    EXPECT_NE(static_cast<uint8_t>(with[4]) & 0xe0, 0);  // ours declares its size
    auto b = decompress(compression_type::zstd, with, 1 << 20);
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(*a, *b);
    // Two frames one after the other decode as one stream.
    auto both = decompress(compression_type::zstd, with + without, 1 << 20);
    ASSERT_TRUE(both.has_value());
    EXPECT_EQ(*both, *a + *a);
}

TEST(CompressionLz4, WritesIndependentBlocksFrame) {
    const std::string packed = compress(compression_type::lz4, mixed_data(1000));
    EXPECT_EQ(hex(packed.substr(0, 4)), "04 22 4d 18");  // LZ4 frame magic
    // FLG: version 01, block independence set; BD: 64 KiB blocks.
    EXPECT_EQ(static_cast<uint8_t>(packed[4]) & 0xe0, 0x60);
    EXPECT_EQ(static_cast<uint8_t>(packed[5]), 0x40);
}

TEST(CompressionMalformed, TruncatedGarbageAndTrailingBytes) {
    const std::string data = mixed_data(5000);
    for (compression_type c : all_codecs) {
        if (c == compression_type::none) continue;
        const std::string packed = compress(c, data);
        for (size_t cut = 0; cut < packed.size(); cut += 1 + cut / 16) {
            // Only xerial snappy may end cleanly between chunks (just after
            // its header here); nothing cut short decodes to the whole data.
            auto r = decompress(c, packed.substr(0, cut), 1 << 20);
            if (r) {
                EXPECT_NE(*r, data) << name(c) << " cut " << cut;
            } else {
                EXPECT_EQ(r.error(), malformed) << name(c) << " cut " << cut;
            }
        }
        EXPECT_EQ(decompress(c, packed + "junk", 1 << 20).error(), malformed) << name(c);
        EXPECT_EQ(decompress(c, std::string(100, 'z'), 1 << 20).error(), malformed) << name(c);
    }
    // A flipped byte inside the gzip trailer (CRC-32 of the data).
    std::string gz = compress(compression_type::gzip, data);
    gz[gz.size() - 6] ^= 1;
    EXPECT_EQ(decompress(compression_type::gzip, gz, 1 << 20).error(), malformed);
}

// 100 MB of zeros squeezes into little in every codec; with a 1 MiB limit
// each must stop at the limit rather than inflate it. (The uncompressed
// batch is built once and its records block compressed per codec, which is
// what build_batch() does, to keep the test quick.)
TEST(CompressionBomb, EveryCodecStopsAtTheLimit) {
    const std::string plain =
        build_batch(std::vector<batch_record>{record(std::nullopt, std::string(100'000'000, '\0'))},
                    options_with(compression_type::none));
    const std::string_view block = std::string_view(plain).substr(batch_header_size);
    batch_limits limits;
    limits.max_decompressed_bytes = 1 << 20;
    for (compression_type c : all_codecs) {
        if (c == compression_type::none) continue;
        const std::string packed = compress(c, block);
        EXPECT_EQ(decompress(c, packed, 1 << 20).error(), too_large) << name(c);
        std::string b = plain.substr(0, batch_header_size) + packed;
        put_be(b, 8, b.size() - 12, 4);
        b[22] = static_cast<char>(c);
        fix_crc(b);
        ASSERT_LT(b.size(), limits.max_batch_bytes) << name(c);
        const batch_view v = only_batch(b, limits);
        EXPECT_EQ(decode_error(v, limits), too_large) << name(c) << " (" << b.size() << " bytes)";
        EXPECT_EQ(validate_records(v, limits).error(), too_large) << name(c);
    }
    // The same batch decodes with a limit that fits it.
    const std::string zstd = compress(compression_type::zstd, block);
    auto whole = decompress(compression_type::zstd, zstd, block.size());
    ASSERT_TRUE(whole.has_value());
    EXPECT_EQ(whole->size(), block.size());
}

// ---- fuzz corpus ----------------------------------------------------------------

TEST(RecordBatchCorpus, ReplaysEveryFile) {
    const fs::path dir = test::corpus_dir("kafka_record_batch");
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    size_t files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        EXPECT_EQ(fuzz::check_round_trip(read_file(entry.path())), nullptr) << entry.path();
        ++files;
    }
    EXPECT_GE(files, 10u) << "seed corpus missing: run with KAFKA_CODEC_WRITE_CORPUS=1";
}

TEST(RecordBatchCorpus, WritesSeeds) {
    if (std::getenv("KAFKA_CODEC_WRITE_CORPUS") == nullptr) {
        GTEST_SKIP() << "set KAFKA_CODEC_WRITE_CORPUS=1 to (re)write the seed corpus";
    }
    const fs::path dir = test::corpus_dir("kafka_record_batch");
    fs::create_directories(dir);
    auto write = [&](const std::string& name, const std::string& bytes) {
        test::write_file(dir / name, bytes);
    };
    // Named after what they hold, so a regenerated corpus replaces its seeds.
    const auto records = sample_records(6);
    std::string blob;
    for (compression_type c : all_codecs) {
        const std::string b = build_batch(records, options_with(c));
        write("seed_" + std::string(name(c)), b);
        blob += b;
    }
    write("seed_every_codec_blob", blob);
    write("seed_truncated_tail", blob + blob.substr(0, 100));
    write("seed_hand_written", one_record_batch);
    batch_build_options idempotent = options_with(compression_type::lz4);
    idempotent.producer_id = 5;
    idempotent.producer_epoch = 1;
    idempotent.base_sequence = 10;
    idempotent.transactional = true;
    write("seed_transactional_lz4", build_batch(records, idempotent));
    batch_build_options control = options_with(compression_type::none);
    control.control = true;
    const std::vector<batch_record> marker = {record(std::string(4, '\0'), std::string(6, '\0'))};
    write("seed_control", build_batch(marker, control));
    write("seed_empty_batch", build_batch({}, options_with(compression_type::zstd)));
    write("seed_rdkafka_none", rdkafka_none);
    write("seed_rdkafka_gzip", rdkafka_gzip);
    write("seed_rdkafka_snappy", rdkafka_snappy);
    write("seed_rdkafka_lz4", rdkafka_lz4);
    write("seed_rdkafka_zstd", rdkafka_zstd);
}

}  // namespace
}  // namespace robust::kafka::codec
