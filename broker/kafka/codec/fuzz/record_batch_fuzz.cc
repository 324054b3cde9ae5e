// libFuzzer target for Kafka record batches: each input is a Produce/Fetch
// partition's records blob, split and decoded with small limits, and every
// batch that decodes must rebuild to the same records
// (record_batch_round_trip.h). Seeds live in
// tests/fuzz/corpus/kafka_record_batch/ (written by the unit test
// RecordBatchCorpus.WritesSeeds); a crash found here is added there, where
// the unit test replays it. Run by scripts/fuzz.sh.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "record_batch_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (const char* broken = robust::kafka::codec::fuzz::check_round_trip(input)) {
        std::fprintf(stderr, "kafka_record_batch_fuzz: property violated: %s\n", broken);
        std::abort();
    }
    return 0;
}
