// libFuzzer target for the WebSocket upgrade parser and frame-header
// encoder (the part of WebSocket we wrote; wslay does the framing).

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "ws_handshake_property.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::string broken = robust::net::detail::check_ws_handshake(input);
    if (!broken.empty()) {
        std::fprintf(stderr, "ws_handshake property broken: %s\n", broken.c_str());
        std::abort();
    }
    return 0;
}
