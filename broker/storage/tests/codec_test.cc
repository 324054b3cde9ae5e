// Byte-exact tests of the journal's on-disk codecs (see rocksdb_journal.cc).

#include <gtest/gtest.h>

#include <string>

#include "base/errc.h"
#include "codec.h"

namespace robust::storage {
namespace {

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int c : b) s.push_back(static_cast<char>(c));
    return s;
}

TEST(IndexPointer, EncodesAsTwoBigEndianWords) {
    const index_pointer p{shard_id(0x0102030405060708), 0x1112131415161718};
    EXPECT_EQ(p.encode(), bytes({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,     // shard
                                 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18}));  // offset
    auto d = index_pointer::decode(p.encode());
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->shard, p.shard);
    EXPECT_EQ(d->offset, p.offset);
}

TEST(IndexPointer, RejectsWrongSizeAndNegativeOffset) {
    EXPECT_EQ(index_pointer::decode("").error(), errc::malformed);
    EXPECT_EQ(index_pointer::decode(std::string(15, '\0')).error(), errc::malformed);
    EXPECT_EQ(index_pointer::decode(std::string(17, '\0')).error(), errc::malformed);
    EXPECT_EQ(
        index_pointer::decode(bytes({0, 0, 0, 0, 0, 0, 0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0})).error(),
        errc::malformed);
}

TEST(RecordValue, EncodesTheDocumentedLayout) {
    record r;
    r.timestamp_ms = 1000;
    r.key = "k";
    r.headers = {{"h", "v"}};
    r.value = shared_buffer("val");
    std::string out;
    detail::encode_record_value(r, out);
    EXPECT_EQ(out, bytes({
                       0x01,           // format version
                       0xd0, 0x0f,     // timestamp: zigzag(1000) = 2000 as LEB128
                       0x01, 'k',      // key length, key
                       0x01,           // header count
                       0x01, 'h',      // header key length, key
                       0x01, 'v',      // header value length, value
                       'v', 'a', 'l',  // value: the rest
                   }));
}

TEST(RecordValue, BatchUsesTheVersion2Layout) {
    record r;
    r.timestamp_ms = 1000;
    r.format = record_format::kafka_batch;
    r.offset_count = 300;
    r.value = shared_buffer("RB");
    std::string out;
    detail::encode_record_value(r, out);
    EXPECT_EQ(out, bytes({
                       0x02,        // value version 2: format and offset count follow
                       0x01,        // record_format::kafka_batch
                       0xac, 0x02,  // offset count 300 as LEB128
                       0xd0, 0x0f,  // timestamp: zigzag(1000) = 2000 as LEB128
                       0x00,        // key length
                       0x00,        // header count
                       'R', 'B',    // value: the rest
                   }));
    // The key holds the last offset; the base comes back from the count.
    auto d = detail::decode_record_value(out, 1299);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->offset, 1000);
    EXPECT_EQ(d->last_offset(), 1299);
    EXPECT_EQ(d->format, record_format::kafka_batch);
    EXPECT_EQ(d->offset_count, 300u);
    EXPECT_EQ(d->timestamp_ms, 1000);
    EXPECT_EQ(d->value.str(), "RB");
    auto sum = detail::summarize_record_value(out);
    ASSERT_TRUE(sum.has_value());
    EXPECT_EQ(sum->offset_count, 300u);
    EXPECT_EQ(sum->timestamp_ms, 1000);
    EXPECT_EQ(sum->payload_bytes, 2);
}

TEST(RecordValue, Version2OnlyWhenNeeded) {
    // A plain record stays byte-identical to what version 1 wrote.
    record plain;
    std::string out;
    detail::encode_record_value(plain, out);
    EXPECT_EQ(out, bytes({0x01, 0x00, 0x00, 0x00}));
    // A single-format record covering several offsets, and a one-offset
    // batch, both need version 2.
    record multi;
    multi.offset_count = 2;
    out.clear();
    detail::encode_record_value(multi, out);
    EXPECT_EQ(out, bytes({0x02, 0x00, 0x02, 0x00, 0x00, 0x00}));
    record one_batch;
    one_batch.format = record_format::kafka_batch;
    out.clear();
    detail::encode_record_value(one_batch, out);
    EXPECT_EQ(out, bytes({0x02, 0x01, 0x01, 0x00, 0x00, 0x00}));
    auto d = detail::decode_record_value(out, 0);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->format, record_format::kafka_batch);
    EXPECT_EQ(d->offset_count, 1u);
    EXPECT_EQ(d->offset, 0);
}

TEST(RecordValue, DecodesVersion1BytesAsWrittenBeforeVersion2) {
    // Written by builds that knew only version 1: one offset, format single.
    const std::string v1 = bytes({
        0x01,            // format version 1
        0x04,            // timestamp: zigzag(2) = 4
        0x02, 'k', 'k',  // key
        0x01,            // header count
        0x01, 'h',       // header key
        0x00,            // empty header value
        'p', 'a', 'y',   // value
    });
    auto d = detail::decode_record_value(v1, 41);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->offset, 41);
    EXPECT_EQ(d->last_offset(), 41);
    EXPECT_EQ(d->format, record_format::single);
    EXPECT_EQ(d->offset_count, 1u);
    EXPECT_EQ(d->timestamp_ms, 2);
    EXPECT_EQ(d->key, "kk");
    EXPECT_EQ(d->headers, (std::vector<record_header>{{"h", ""}}));
    EXPECT_EQ(d->value.str(), "pay");
    auto sum = detail::summarize_record_value(v1);
    ASSERT_TRUE(sum.has_value());
    EXPECT_EQ(sum->offset_count, 1u);
    EXPECT_EQ(sum->payload_bytes, 2 + 1 + 3);
}

TEST(RecordValue, RejectsBadVersion2Fields) {
    // Offset count 0.
    EXPECT_EQ(detail::decode_record_value(bytes({0x02, 0x01, 0x00, 0x00, 0x00, 0x00}), 5).error(),
              errc::corruption);
    EXPECT_EQ(detail::summarize_record_value(bytes({0x02, 0x01, 0x00, 0x00, 0x00, 0x00})).error(),
              errc::corruption);
    // An unknown record format.
    EXPECT_EQ(detail::decode_record_value(bytes({0x02, 0x02, 0x01, 0x00, 0x00, 0x00}), 5).error(),
              errc::corruption);
    // An offset count of 2^32: does not fit a uint32_t.
    EXPECT_EQ(detail::decode_record_value(
                  bytes({0x02, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00, 0x00, 0x00}), 1LL << 40)
                  .error(),
              errc::corruption);
    // A count reaching below offset 0: 3 offsets cannot end at offset 1.
    EXPECT_EQ(detail::decode_record_value(bytes({0x02, 0x01, 0x03, 0x00, 0x00, 0x00}), 1).error(),
              errc::corruption);
    EXPECT_TRUE(
        detail::decode_record_value(bytes({0x02, 0x01, 0x03, 0x00, 0x00, 0x00}), 2).has_value());
    // Every truncation of a version 2 prefix.
    record r;
    r.format = record_format::kafka_batch;
    r.offset_count = 1000;
    r.timestamp_ms = -300;
    r.key = "k";
    std::string out;
    detail::encode_record_value(r, out);
    for (size_t n = 0; n < out.size(); ++n) {
        EXPECT_EQ(detail::decode_record_value(out.substr(0, n), 5000).error(), errc::corruption)
            << n;
        EXPECT_EQ(detail::summarize_record_value(out.substr(0, n)).error(), errc::corruption) << n;
    }
    EXPECT_TRUE(detail::decode_record_value(out, 5000).has_value());
}

TEST(RecordValue, NegativeTimestampAndEmptyFields) {
    record r;
    r.timestamp_ms = -1;
    std::string out;
    detail::encode_record_value(r, out);
    EXPECT_EQ(out, bytes({0x01, 0x01, 0x00, 0x00}));  // version, zigzag(-1), no key, no headers
    auto d = detail::decode_record_value(out, 7);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->offset, 7);
    EXPECT_EQ(d->timestamp_ms, -1);
    EXPECT_TRUE(d->key.empty());
    EXPECT_TRUE(d->headers.empty());
    EXPECT_TRUE(d->value.empty());
}

TEST(RecordValue, RoundTripsAndSummarises) {
    record r;
    r.timestamp_ms = 1'700'000'000'123;
    r.key = std::string(300, 'k');  // a two-byte length
    r.headers = {{"content-type", "json"}, {"", ""}, {"x", std::string(200, 'y')}};
    r.value = shared_buffer(std::string(100'000, '\xff'));
    std::string out = "prefix";  // appends, never clears
    detail::encode_record_value(r, out);
    ASSERT_EQ(out.substr(0, 6), "prefix");
    const std::string_view enc = std::string_view(out).substr(6);

    auto d = detail::decode_record_value(enc, 42);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->timestamp_ms, r.timestamp_ms);
    EXPECT_EQ(d->key, r.key);
    EXPECT_EQ(d->headers, r.headers);
    EXPECT_EQ(d->value, r.value);

    auto s = detail::summarize_record_value(enc);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->timestamp_ms, r.timestamp_ms);
    EXPECT_EQ(s->payload_bytes, detail::record_payload_bytes(r));
    EXPECT_EQ(s->payload_bytes, 300 + 12 + 4 + 1 + 200 + 100'000);
}

TEST(RecordValue, EveryTruncationOfTheHeaderIsCorruption) {
    record r;
    r.timestamp_ms = 5;
    r.key = "key";
    r.headers = {{"a", "b"}, {"cc", "dd"}};
    std::string out;
    detail::encode_record_value(r, out);  // empty value: every byte is structure
    for (size_t n = 0; n < out.size(); ++n) {
        EXPECT_EQ(detail::decode_record_value(out.substr(0, n), 0).error(), errc::corruption) << n;
        EXPECT_EQ(detail::summarize_record_value(out.substr(0, n)).error(), errc::corruption) << n;
    }
    EXPECT_TRUE(detail::decode_record_value(out, 0).has_value());
}

TEST(RecordValue, RejectsUnknownVersionAndAbsurdCounts) {
    EXPECT_EQ(detail::decode_record_value(bytes({0x00, 0x00, 0x00, 0x00}), 0).error(),
              errc::corruption);
    EXPECT_EQ(detail::decode_record_value(bytes({0x03, 0x00, 0x01, 0x00, 0x00, 0x00}), 0).error(),
              errc::corruption);
    // A header count far beyond the bytes left must fail before allocating.
    EXPECT_EQ(
        detail::decode_record_value(bytes({0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f}), 0)
            .error(),
        errc::corruption);
    // A varint longer than 10 bytes.
    EXPECT_EQ(detail::decode_record_value(bytes({0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                                 0x80, 0x80, 0x80, 0x80, 0x00}),
                                          0)
                  .error(),
              errc::corruption);
}

TEST(Keys, RecordKeysSortByShardThenLastOffset) {
    EXPECT_EQ(detail::record_key(shard_id(1), 2),
              bytes({0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2}));
    EXPECT_LT(detail::record_key(shard_id(1), 255), detail::record_key(shard_id(1), 256));
    EXPECT_LT(detail::record_key(shard_id(1), INT64_MAX), detail::record_key(shard_id(2), 0));
    EXPECT_LT(detail::record_key(shard_id(1), INT64_MAX), detail::shard_end_key(shard_id(1)));
    auto p = detail::parse_record_key(detail::record_key(shard_id(9), 77));
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->shard, shard_id(9));
    EXPECT_EQ(p->last_offset, 77);
    EXPECT_EQ(detail::parse_record_key("short").error(), errc::corruption);
}

TEST(Keys, TimeIndexKeysSortByTimeIncludingNegative) {
    EXPECT_EQ(detail::time_index_key(shard_id(1), 0, 3),
              bytes({0,    0, 0, 0, 0, 0, 0, 1,     // shard
                     0x80, 0, 0, 0, 0, 0, 0, 0,     // timestamp 0, sign bit flipped
                     0,    0, 0, 0, 0, 0, 0, 3}));  // offset
    EXPECT_LT(detail::time_index_key(shard_id(1), -5, 9),
              detail::time_index_key(shard_id(1), 0, 0));
    EXPECT_LT(detail::time_index_key(shard_id(1), 10, 9),
              detail::time_index_key(shard_id(1), 11, 0));
    EXPECT_LT(detail::time_index_key(shard_id(1), INT64_MAX, 9),
              detail::time_index_key(shard_id(2), INT64_MIN, 0));
    auto e = detail::parse_time_index(detail::time_index_key(shard_id(4), -123, 5),
                                      bytes({0, 0, 0, 0, 0, 0, 1, 0}));
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->shard, shard_id(4));
    EXPECT_EQ(e->max_timestamp_ms, -123);
    EXPECT_EQ(e->offset, 5);
    EXPECT_EQ(e->cumulative_bytes, 256);
}

}  // namespace
}  // namespace robust::storage
