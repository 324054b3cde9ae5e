// Replays every input under tests/fuzz/corpus/ws_handshake/ (seeds and any
// crash the fuzzer ever found) through the fuzzer's property check.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ws_handshake_property.h"

namespace robust::net::detail {
namespace {

TEST(WsHandshakeCorpus, EveryInputKeepsTheProperties) {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(WS_HANDSHAKE_CORPUS_DIR)) {
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream bytes;
        bytes << in.rdbuf();
        EXPECT_EQ(check_ws_handshake(bytes.str()), "") << e.path();
        ++n;
    }
    EXPECT_GE(n, 3u) << "the seed corpus is missing";
}

}  // namespace
}  // namespace robust::net::detail
