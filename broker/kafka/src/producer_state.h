#pragma once
// producer_registry: what idempotent producers have written, per partition,
// so a retried batch is not stored twice and a lost one is noticed (the
// Kafka idempotent producer, KIP-98). Producer ids come from InitProducerId.
//
// Per (partition shard, producer id): the producer epoch, the last sequence
// accepted, and the last five batches (Kafka's window of in-flight batches
// per connection) with the offsets they got.
//
// Known gap: the state lives in memory. After a restart a producer's next
// batch is accepted whatever its sequence, and tracking resumes from it,
// so only a retry that straddles the restart could be stored twice.
//
// Thread-safe (one mutex; every call is a few map operations).

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <utility>

#include "kafka/codec/error_code.h"
#include "storage/journal.h"

namespace robust::kafka {

class producer_registry {
public:
    /// Hands out producer ids: unique for this node across restarts while
    /// the clock does not go back (derived from the time, then counted).
    int64_t next_producer_id();

    struct verdict {
        codec::error_code error = codec::error_code::none;
        /// A batch seen before: answer with its original offset, store nothing.
        bool duplicate = false;
        int64_t duplicate_offset = -1;
    };
    /// Checks a batch of `count` records with the given producer fields
    /// before it is appended; when accepted (none, not duplicate) records it
    /// as pending. Errors: invalid_producer_epoch (an older epoch),
    /// out_of_order_sequence_number.
    verdict check(storage::shard_id shard, int64_t producer_id, int16_t epoch,
                  int32_t base_sequence, int32_t count);
    /// The offset an accepted batch got; or, with offset < 0, that its
    /// append failed (the producer's state is dropped: its next batch is
    /// accepted as a fresh start).
    void appended(storage::shard_id shard, int64_t producer_id, int32_t base_sequence,
                  int64_t offset);
    /// Forgets every producer of a shard (topic deleted, records deleted).
    void forget_shard(storage::shard_id shard);

private:
    struct batch {
        int32_t first_seq = -1;
        int32_t last_seq = -1;
        int64_t offset = -1;
    };
    struct state {
        int16_t epoch = 0;
        int32_t last_seq = -1;
        std::array<batch, 5> recent{};
        size_t next_slot = 0;
    };

    std::mutex mu_;
    std::map<std::pair<uint64_t, int64_t>, state> states_;
    int64_t last_id_ = 0;
};

}  // namespace robust::kafka
