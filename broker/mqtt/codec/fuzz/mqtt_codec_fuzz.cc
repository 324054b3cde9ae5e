// libFuzzer target for the MQTT codec: each input is read as a stream of
// packets for every protocol version, and every packet that decodes must
// survive encode -> decode unchanged (round_trip.h). Seeds live in
// tests/fuzz/corpus/mqtt_codec/; a crash found here is added there, where
// the unit test replays it. Run by scripts/fuzz.sh.

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    if (const char* broken = robust::mqtt::codec::fuzz::check_round_trip(bytes)) {
        std::fprintf(stderr, "mqtt_codec_fuzz: property violated: %s\n", broken);
        std::abort();
    }
    return 0;
}
