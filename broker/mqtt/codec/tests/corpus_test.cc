// Replays every file of the fuzz corpus (tests/fuzz/corpus/mqtt_codec/)
// through the fuzzer's round-trip property, so a crash the fuzzer finds,
// once saved there, stays fixed. The seed files themselves are written by
// the second test when MQTT_CODEC_WRITE_CORPUS=1 is set.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "round_trip.h"
#include "test_util.h"

namespace robust::mqtt::codec::test {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(MqttCodecCorpus, ReplaysEveryFile) {
    const fs::path dir = MQTT_CODEC_CORPUS_DIR;
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    size_t files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        const std::string bytes = read_file(entry.path());
        EXPECT_EQ(fuzz::check_round_trip(as_bytes(bytes)), nullptr) << entry.path();
        ++files;
    }
    EXPECT_GE(files, 10u) << "seed corpus missing: run with MQTT_CODEC_WRITE_CORPUS=1";
}

TEST(MqttCodecCorpus, WritesSeeds) {
    if (std::getenv("MQTT_CODEC_WRITE_CORPUS") == nullptr) {
        GTEST_SKIP() << "set MQTT_CODEC_WRITE_CORPUS=1 to (re)write the seed corpus";
    }
    const fs::path dir = MQTT_CODEC_CORPUS_DIR;
    fs::create_directories(dir);
    // One file per sample packet and version, named after both so a
    // regenerated corpus replaces rather than adds to the old seeds.
    for (pv v : {pv::v3_1, pv::v3_1_1, pv::v5}) {
        int i = 0;
        for (const packet& p : samples(v)) {
            // 3.1 differs from 3.1.1 only in CONNECT (and SUBACK's codes).
            if (v == pv::v3_1 && !std::holds_alternative<connect>(p)) continue;
            const char* tag = v == pv::v3_1 ? "mqtt31" : v == pv::v3_1_1 ? "mqtt311" : "mqtt5";
            char name[64];
            std::snprintf(name, sizeof name, "seed_%s_type%02d_%02d", tag, int(type_of(p)), i++);
            std::ofstream(dir / name, std::ios::binary) << encode_wire(p, v);
        }
    }
}

}  // namespace
}  // namespace robust::mqtt::codec::test
