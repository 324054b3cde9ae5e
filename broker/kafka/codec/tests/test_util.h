#pragma once
// Helpers shared by the codec's unit tests: byte strings written in the
// test, readable diffs of them, and the fuzz corpus directories and seeds.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

#include "../fuzz/request_round_trip.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec::test {

/// Bytes from a list such as {0x00, 0x01, 'g'}.
inline std::string wire(std::initializer_list<uint8_t> b) {
    return {b.begin(), b.end()};
}

/// "00 01 67" for readable diffs of byte strings.
inline std::string hex(std::string_view s) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        if (!out.empty()) out.push_back(' ');
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

inline std::span<const std::byte> span_of(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

/// tests/fuzz/corpus/<target>/ at the repository root, where <target> is
/// the fuzzer's name without _fuzz (scripts/fuzz.sh).
inline std::filesystem::path corpus_dir(std::string_view target) {
    return (std::filesystem::path(__FILE__).parent_path() / "../../../../tests/fuzz/corpus" /
            target)
        .lexically_normal();
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

/// Whether the seed corpora are to be (re)written: the WritesSeeds tests
/// run only when KAFKA_CODEC_WRITE_CORPUS is set.
inline bool writing_corpus() {
    return std::getenv("KAFKA_CODEC_WRITE_CORPUS") != nullptr;
}

/// The oldest and the newest version of `key`: the versions seeded.
inline std::array<int16_t, 2> oldest_and_newest(api_key key) {
    const api_support* api = find_api(static_cast<int16_t>(key));
    return {api->min_version, api->max_version};
}

/// Writes a kafka_request seed: a request header for (key, version), then
/// `body`, as seed_<Api>_v<version>_<kind>. `kind` starts with "request" or
/// "response", what the body is (request_round_trip.h decodes every body
/// as both), and KafkaRequestCorpus.ReplaysEveryFile checks it decodes so.
inline void write_request_seed(api_key key, int16_t version, std::string_view kind,
                               std::string_view body) {
    const std::filesystem::path dir = corpus_dir("kafka_request");
    std::filesystem::create_directories(dir);
    const std::string name = "seed_" + std::string(api_name(static_cast<int16_t>(key))) + "_v" +
                             std::to_string(version) + "_" + std::string(kind);
    write_file(dir / name, fuzz::request_bytes(key, version, body));
}

}  // namespace robust::kafka::codec::test
