#pragma once
// InitProducerId (key 22), versions 0-4; flexible from v2. Gives an
// idempotent or transactional producer its id and epoch.
//
// Pure: any thread. Decoded values own their data.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct init_producer_id_request {
    std::optional<std::string> transactional_id;  // null: not transactional
    int32_t transaction_timeout_ms = 0;
    int64_t producer_id = -1;     // v3+
    int16_t producer_epoch = -1;  // v3+

    bool operator==(const init_producer_id_request&) const = default;
};

struct init_producer_id_response {
    int32_t throttle_time_ms = 0;
    codec::error_code error_code = codec::error_code::none;
    int64_t producer_id = -1;
    int16_t producer_epoch = 0;

    bool operator==(const init_producer_id_response&) const = default;
};

/// Errors: malformed, too_large; unsupported for a version outside 0-4.
result<init_producer_id_request> decode_init_producer_id_request(std::span<const std::byte> body,
                                                                 int16_t version);
void encode_init_producer_id_request(writer& w, const init_producer_id_request& r, int16_t version);
void encode_init_producer_id_response(writer& w, const init_producer_id_response& r,
                                      int16_t version);
/// Errors: malformed, too_large; unsupported for a version outside 0-4.
result<init_producer_id_response> decode_init_producer_id_response(std::span<const std::byte> body,
                                                                   int16_t version);

}  // namespace robust::kafka::codec
