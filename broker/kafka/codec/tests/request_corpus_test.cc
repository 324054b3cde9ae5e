// The request fuzzer's property (fuzz/request_round_trip.h) over its corpus
// tests/fuzz/corpus/kafka_request/: the seeds written by
// KafkaDataCorpus.WritesSeeds and KafkaGroupCorpus.WritesSeeds and every
// input the fuzzer once failed on.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "../fuzz/request_round_trip.h"
#include "kafka/codec/api.h"
#include "test_util.h"

namespace robust::kafka::codec {
namespace {

namespace fs = std::filesystem;

TEST(KafkaRequestCorpus, EveryApiHasAFuzzRow) {
    std::set<int16_t> fuzzed;
    for (const fuzz::api_codec& c : fuzz::api_codecs()) {
        EXPECT_NE(find_api(static_cast<int16_t>(c.key)), nullptr)
            << "fuzz row for an API api.h does not list: " << static_cast<int16_t>(c.key);
        EXPECT_TRUE(fuzzed.insert(static_cast<int16_t>(c.key)).second)
            << "twice: " << static_cast<int16_t>(c.key);
    }
    for (const api_support& a : supported_apis()) {
        EXPECT_EQ(fuzzed.count(static_cast<int16_t>(a.key)), 1u) << a.name << " is not fuzzed";
    }
}

TEST(KafkaRequestCorpus, ReplaysEveryFile) {
    const fs::path dir = test::corpus_dir("kafka_request");
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    size_t files = 0;
    std::set<int16_t> seeded;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        ++files;
        const std::string name = entry.path().filename().string();
        const std::string bytes = test::read_file(entry.path());
        const fuzz::request_outcome out = fuzz::check_request(bytes);
        EXPECT_EQ(out.violation, "") << name;
        if (name.rfind("seed_", 0) != 0) continue;
        // A seed must stay what its name says, or the fuzzer starts from
        // nothing for that API.
        EXPECT_TRUE(out.supported) << name;
        const bool is_request = name.find("_request") != std::string::npos;
        EXPECT_TRUE(is_request ? out.request : out.response) << name;
        seeded.insert(static_cast<int16_t>(static_cast<uint8_t>(bytes.at(0)) << 8 |
                                           static_cast<uint8_t>(bytes.at(1))));
    }
    EXPECT_EQ(seeded.size(), supported_apis().size())
        << "seed corpus incomplete: run with KAFKA_CODEC_WRITE_CORPUS=1";
    EXPECT_GE(files, 4 * supported_apis().size());
}

TEST(KafkaRequestCorpus, HeaderWithoutBodyDecodesNothing) {
    // A supported header with no body: both decodes fail cleanly.
    const std::string bytes = fuzz::request_bytes(api_key::produce, 9, "");
    const fuzz::request_outcome out = fuzz::check_request(bytes);
    EXPECT_EQ(out.violation, "");
    EXPECT_TRUE(out.supported);
    EXPECT_FALSE(out.request);
    EXPECT_FALSE(out.response);
}

TEST(KafkaRequestCorpus, UnsupportedVersionStopsAfterTheHeader) {
    const std::string bytes = fuzz::request_bytes(api_key::fetch, 13, "");
    const fuzz::request_outcome out = fuzz::check_request(bytes);
    EXPECT_EQ(out.violation, "");
    EXPECT_FALSE(out.supported);
}

}  // namespace
}  // namespace robust::kafka::codec
