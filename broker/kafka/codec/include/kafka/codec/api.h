#pragma once
// The APIs this broker implements, the versions it advertises in
// ApiVersions, and the request/response headers that frame every message.
//
// Framing (Kafka protocol guide, "Common Request and Response Structure"):
// every message is INT32 size followed by that many bytes. A request starts
// with request header v1 (api_key INT16, api_version INT16, correlation_id
// INT32, client_id classic NULLABLE_STRING) or, for flexible versions, v2 (v1
// + tagged fields). A response starts with header v0 (correlation_id) or, for
// flexible versions, v1 (+ tagged fields) — except ApiVersions, whose
// response always uses header v0 so that a client can read it whatever
// version it asked for.
//
// Pure: any thread.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

enum class api_key : int16_t {
    produce = 0,
    fetch = 1,
    list_offsets = 2,
    metadata = 3,
    offset_commit = 8,
    offset_fetch = 9,
    find_coordinator = 10,
    join_group = 11,
    heartbeat = 12,
    leave_group = 13,
    sync_group = 14,
    describe_groups = 15,
    list_groups = 16,
    sasl_handshake = 17,
    api_versions = 18,
    create_topics = 19,
    delete_topics = 20,
    delete_records = 21,
    init_producer_id = 22,
    describe_configs = 32,
    sasl_authenticate = 36,
    create_partitions = 37,
    delete_groups = 42,
};

/// "Not requested" for the authorized-operations bit fields (KIP-430) of
/// Metadata and DescribeGroups responses.
inline constexpr int32_t authorized_operations_omitted = std::numeric_limits<int32_t>::min();

/// One implemented API: the version range we advertise and the first
/// flexible version (KIP-482) of its messages (-1: none within the range).
struct api_support {
    api_key key;
    int16_t min_version;
    int16_t max_version;
    int16_t first_flexible;
    std::string_view name;  // the protocol's name, e.g. "Produce"

    bool supports(int16_t version) const noexcept {
        return version >= min_version && version <= max_version;
    }
};

/// Every implemented API, in api_key order: exactly what ApiVersions
/// advertises.
std::span<const api_support> supported_apis() noexcept;
/// The entry for `key`, or nullptr if we do not implement it.
const api_support* find_api(int16_t key) noexcept;
/// The protocol's name of any api key ("Produce"); "Unknown" if not ours.
std::string_view api_name(int16_t key) noexcept;

/// True when we implement `version` of `key`: the range ApiVersions
/// advertises. Every decode_* refuses other versions with errc::unsupported
/// and every encode_* asserts it.
bool is_supported(api_key key, int16_t version) noexcept;

/// True when `version` of `key` uses the flexible encoding. Only meaningful
/// for supported (key, version) pairs.
bool is_flexible(api_key key, int16_t version) noexcept;

struct request_header {
    int16_t api_key = 0;
    int16_t api_version = 0;
    int32_t correlation_id = 0;
    std::optional<std::string> client_id;
    /// Whether the body that follows is flexible. False for an API or
    /// version we do not implement: only the header was read then.
    bool flexible = false;
};

/// Decodes the request header at the start of one request (the bytes after
/// the size prefix) and returns it with the number of bytes it took, so the
/// body starts there. A supported flexible version has header v2 (tagged
/// fields); everything else is read as v1, which is a prefix of v2, so an
/// unsupported request still yields its correlation id for the error reply.
/// Errors: malformed (fewer bytes than a header).
struct decoded_header {
    request_header header;
    size_t size = 0;
};
result<decoded_header> decode_request_header(std::span<const std::byte> request);

/// Appends a response header for (key, version) with `correlation_id` to w
/// (v1 when flexible, except for ApiVersions). `w` must be the response's
/// own writer, already flexible or not as the body will be.
void write_response_header(writer& w, api_key key, int16_t version, int32_t correlation_id);

/// Size prefix of a message: the INT32 at the front of `buffered`, or
/// nullopt while fewer than 4 bytes are there. A negative size is returned
/// as is (the caller rejects it with its own limit check).
std::optional<int32_t> frame_size(std::span<const std::byte> buffered) noexcept;

/// The whole message for the wire: INT32 size prefix, then `body` (a
/// response header and body, or a request header and body).
std::string frame(std::string body);

}  // namespace robust::kafka::codec
