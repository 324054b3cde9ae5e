// libFuzzer target for Kafka requests: each input is one request as the
// server reads it after the size prefix (request header, then body). The
// body of a supported API and version is decoded as its request and as its
// response, and whatever decodes must survive an encode/decode round trip
// (request_round_trip.h); so must the consumer-protocol assignments inside
// SyncGroup, and the whole input read as one assignment. Seeds live in
// tests/fuzz/corpus/kafka_request/ (written by the unit tests KafkaDataCorpus.WritesSeeds and
// KafkaGroupCorpus.WritesSeeds); a crash found here is added there, where
// KafkaRequestCorpus.ReplaysEveryFile replays it. Run by scripts/fuzz.sh.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "request_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto out = robust::kafka::codec::fuzz::check_request(input);
    if (!out.violation.empty()) {
        std::fprintf(stderr, "kafka_request_fuzz: property violated: %s\n", out.violation.c_str());
        std::abort();
    }
    return 0;
}
