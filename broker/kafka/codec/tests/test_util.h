#pragma once
// Helpers shared by the codec's unit tests: byte strings written in the
// test, readable diffs of them, and the fuzz corpus directories.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

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

}  // namespace robust::kafka::codec::test
