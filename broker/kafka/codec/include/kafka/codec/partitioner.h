#pragma once
// Kafka's default partitioner for keyed records, as the Java client (and
// kafka-python) computes it: toPositive(murmur2(key)) % partitions. The
// broker uses it where it picks a partition itself (MQTT publishes to a
// bound topic, keyed by the MQTT topic name), so a Java producer using the
// same key lands on the same partition.
//
// Pure: any thread.

#include <cstdint>
#include <string_view>

namespace robust::kafka::codec {

/// MurmurHash2 as org.apache.kafka.common.utils.Utils.murmur2 (seed
/// 0x9747b28c), as a signed 32-bit value like Java's.
int32_t murmur2(std::string_view key) noexcept;

/// The partition of `key` among `partitions` (> 0).
uint32_t partition_for_key(std::string_view key, uint32_t partitions) noexcept;

}  // namespace robust::kafka::codec
