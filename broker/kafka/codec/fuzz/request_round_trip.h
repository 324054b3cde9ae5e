#pragma once
// The property the request fuzzer (kafka_request_fuzz.cc) checks on every
// input, and the corpus replay test (tests/request_corpus_test.cc) on every
// corpus file. An input is one request as the server sees it after the
// 4-byte size prefix: request header, then body.
//
//   - decode_request_header() either fails or yields a header that encodes
//     back (write_request_header) to a header that decodes the same;
//   - for a supported (api_key, version), the body that follows is decoded
//     as that API's request and, separately, as its response. Whichever
//     decodes is encoded again with a writer of the version's encoding; the
//     re-encoded bytes must decode, to a value equal to the first decode,
//     and encode to the same bytes again (round trip). The same is then
//     checked at every other supported version of the API, so that a seed
//     of one version also exercises the fields the others add or drop;
//   - a decode fails only with malformed or too_large (never unsupported for
//     a supported version, never anything else), and nothing crashes.
//
// The dispatcher table (api_codecs()) has one row per API of api.h;
// KafkaRequestCorpus.EveryApiHasAFuzzRow keeps the two in step.
// Header-only so the fuzzer and the unit tests share it without a library.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "base/errc.h"
#include "base/result.h"
#include "base/shared_buffer.h"
#include "kafka/codec/api.h"
#include "kafka/codec/consumer_protocol.h"
#include "kafka/codec/messages/api_versions.h"
#include "kafka/codec/messages/create_partitions.h"
#include "kafka/codec/messages/create_topics.h"
#include "kafka/codec/messages/delete_groups.h"
#include "kafka/codec/messages/delete_records.h"
#include "kafka/codec/messages/delete_topics.h"
#include "kafka/codec/messages/describe_configs.h"
#include "kafka/codec/messages/describe_groups.h"
#include "kafka/codec/messages/fetch.h"
#include "kafka/codec/messages/find_coordinator.h"
#include "kafka/codec/messages/heartbeat.h"
#include "kafka/codec/messages/init_producer_id.h"
#include "kafka/codec/messages/join_group.h"
#include "kafka/codec/messages/leave_group.h"
#include "kafka/codec/messages/list_groups.h"
#include "kafka/codec/messages/list_offsets.h"
#include "kafka/codec/messages/metadata.h"
#include "kafka/codec/messages/offset_commit.h"
#include "kafka/codec/messages/offset_fetch.h"
#include "kafka/codec/messages/produce.h"
#include "kafka/codec/messages/sasl_authenticate.h"
#include "kafka/codec/messages/sasl_handshake.h"
#include "kafka/codec/messages/sync_group.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec::fuzz {

/// What one input did: a violation (empty while the property holds), and
/// how far it got at the version its header names, so that the replay test
/// can insist that seeds stay valid.
struct request_outcome {
    std::string violation;
    bool supported = false;  // the header named an API and version of api.h
    bool request = false;    // the body decoded as that API's request
    bool response = false;   // the body decoded as that API's response
};

/// Appends request header v1 (v2 when h.flexible): the inverse of
/// decode_request_header(). The client id is classic in both.
inline void write_request_header(writer& w, const request_header& h) {
    w.i16(h.api_key);
    w.i16(h.api_version);
    w.i32(h.correlation_id);
    w.classic_nullable_string(h.client_id);
    if (h.flexible) w.uvarint(0);
}

/// One request for the seed corpus: header (correlation id 1, client id
/// "seed") and `body`, without the size prefix.
inline std::string request_bytes(api_key key, int16_t version, std::string_view body) {
    request_header h;
    h.api_key = static_cast<int16_t>(key);
    h.api_version = version;
    h.correlation_id = 1;
    h.client_id = "seed";
    h.flexible = is_flexible(key, version);
    writer w(false);
    write_request_header(w, h);
    w.raw(body);
    return w.take();
}

/// The body of `value` encoded at `version`.
template <class T>
std::string encode_body(api_key key, int16_t version, void (*encode)(writer&, const T&, int16_t),
                        const T& value) {
    writer w(is_flexible(key, version));
    encode(w, value, version);
    return w.take();
}

namespace detail {

inline bool expected_failure(const std::error_code& ec) {
    return ec == make_error_code(errc::malformed) || ec == make_error_code(errc::too_large);
}

/// The round trip of one message type; sets *decoded when `body` decodes.
template <class T>
std::string round_trip(api_key key, int16_t version, std::span<const std::byte> body,
                       result<T> (*decode)(std::span<const std::byte>, int16_t),
                       void (*encode)(writer&, const T&, int16_t), std::string_view what,
                       bool* decoded) {
    const std::string where = std::string(api_name(static_cast<int16_t>(key))) + " v" +
                              std::to_string(version) + " " + std::string(what) + ": ";
    result<T> first = decode(body, version);
    if (!first) {
        if (expected_failure(first.error())) return {};
        return where + "decode failed with " + first.error().message();
    }
    *decoded = true;
    const std::string bytes = encode_body(key, version, encode, *first);
    result<T> second = decode(as_bytes(bytes), version);
    if (!second) return where + "its encoding does not decode: " + second.error().message();
    if (!(*second == *first)) return where + "its encoding decodes to a different value";
    if (encode_body(key, version, encode, *second) != bytes) {
        return where + "encoding the value again gives other bytes";
    }
    return {};
}

}  // namespace detail

/// One row of the dispatcher: runs the request and the response round trip
/// of `key` on a body of a supported version.
struct api_codec {
    api_key key;
    void (*check)(std::span<const std::byte> body, int16_t version, request_outcome& out);
};

template <api_key Key, auto DecodeRequest, auto EncodeRequest, auto DecodeResponse,
          auto EncodeResponse>
void check_api(std::span<const std::byte> body, int16_t version, request_outcome& out) {
    out.violation = detail::round_trip(Key, version, body, DecodeRequest, EncodeRequest, "request",
                                       &out.request);
    if (!out.violation.empty()) return;
    out.violation = detail::round_trip(Key, version, body, DecodeResponse, EncodeResponse,
                                       "response", &out.response);
}

// One row per API, named by the file names in kafka/codec/messages/.
#define ROBUST_KAFKA_FUZZ_API(name)                                                                \
    api_codec {                                                                                    \
        api_key::name, &check_api<api_key::name, decode_##name##_request, encode_##name##_request, \
                                  decode_##name##_response, encode_##name##_response>              \
    }

/// Every API of api.h, in api_key order.
inline std::span<const api_codec> api_codecs() {
    static const api_codec table[] = {
        ROBUST_KAFKA_FUZZ_API(produce),           ROBUST_KAFKA_FUZZ_API(fetch),
        ROBUST_KAFKA_FUZZ_API(list_offsets),      ROBUST_KAFKA_FUZZ_API(metadata),
        ROBUST_KAFKA_FUZZ_API(offset_commit),     ROBUST_KAFKA_FUZZ_API(offset_fetch),
        ROBUST_KAFKA_FUZZ_API(find_coordinator),  ROBUST_KAFKA_FUZZ_API(join_group),
        ROBUST_KAFKA_FUZZ_API(heartbeat),         ROBUST_KAFKA_FUZZ_API(leave_group),
        ROBUST_KAFKA_FUZZ_API(sync_group),        ROBUST_KAFKA_FUZZ_API(describe_groups),
        ROBUST_KAFKA_FUZZ_API(list_groups),       ROBUST_KAFKA_FUZZ_API(sasl_handshake),
        ROBUST_KAFKA_FUZZ_API(api_versions),      ROBUST_KAFKA_FUZZ_API(create_topics),
        ROBUST_KAFKA_FUZZ_API(delete_topics),     ROBUST_KAFKA_FUZZ_API(delete_records),
        ROBUST_KAFKA_FUZZ_API(init_producer_id),  ROBUST_KAFKA_FUZZ_API(describe_configs),
        ROBUST_KAFKA_FUZZ_API(sasl_authenticate), ROBUST_KAFKA_FUZZ_API(create_partitions),
        ROBUST_KAFKA_FUZZ_API(delete_groups),
    };
    return table;
}

#undef ROBUST_KAFKA_FUZZ_API

inline const api_codec* find_api_codec(int16_t key) {
    for (const api_codec& c : api_codecs()) {
        if (static_cast<int16_t>(c.key) == key) return &c;
    }
    return nullptr;
}

/// The consumer protocol's assignment bytes (consumer_protocol.h; the admin
/// API decodes those a SyncGroup carries): whatever decodes must survive an
/// encode/decode round trip.
inline std::string check_assignment(std::string_view bytes) {
    auto first = decode_consumer_assignment(bytes);
    if (!first) {
        if (detail::expected_failure(first.error())) return {};
        return "consumer assignment decode failed with " + first.error().message();
    }
    auto second = decode_consumer_assignment(encode_consumer_assignment(*first));
    if (!second) return "an encoded consumer assignment does not decode";
    if (!(*second == *first)) return "a consumer assignment does not round-trip";
    return {};
}

/// The assignments inside a SyncGroup body, as request and as response.
inline std::string check_sync_group_assignments(std::span<const std::byte> body, int16_t version) {
    if (auto req = decode_sync_group_request(body, version)) {
        for (const auto& a : req->assignments) {
            if (auto v = check_assignment(a.assignment); !v.empty()) return v;
        }
    }
    if (auto resp = decode_sync_group_response(body, version))
        return check_assignment(resp->assignment);
    return {};
}

/// Runs the property on one input (see the top of this file).
inline request_outcome check_request(std::string_view input) {
    request_outcome out;
    // The whole input as assignment bytes too: the decoder gets every input.
    out.violation = check_assignment(input);
    if (!out.violation.empty()) return out;
    auto h = decode_request_header(as_bytes(input));
    if (!h) {
        if (!detail::expected_failure(h.error())) {
            out.violation = "header decode failed with " + h.error().message();
        }
        return out;
    }
    writer hw(false);
    write_request_header(hw, h->header);
    auto again = decode_request_header(as_bytes(hw.buffer()));
    if (!again || again->size != hw.size() || again->header.api_key != h->header.api_key ||
        again->header.api_version != h->header.api_version ||
        again->header.correlation_id != h->header.correlation_id ||
        again->header.client_id != h->header.client_id ||
        again->header.flexible != h->header.flexible) {
        out.violation = "request header does not round-trip";
        return out;
    }
    const api_support* api = find_api(h->header.api_key);
    if (api == nullptr || !api->supports(h->header.api_version)) return out;
    out.supported = true;
    const api_codec* codec = find_api_codec(h->header.api_key);
    if (codec == nullptr) {
        out.violation = std::string(api->name) + " has no row in the fuzz dispatcher";
        return out;
    }
    const std::span<const std::byte> body = as_bytes(input).subspan(h->size);
    codec->check(body, h->header.api_version, out);
    if (out.violation.empty() && h->header.api_key == static_cast<int16_t>(api_key::sync_group)) {
        out.violation = check_sync_group_assignments(body, h->header.api_version);
    }
    // The same body at the API's other versions: a seed of one version then
    // reaches the fields and nulls of all of them.
    for (int16_t v = api->min_version; v <= api->max_version && out.violation.empty(); ++v) {
        if (v == h->header.api_version) continue;
        request_outcome other;
        codec->check(body, v, other);
        out.violation = std::move(other.violation);
    }
    return out;
}

}  // namespace robust::kafka::codec::fuzz
