#include "kafka/codec/api.h"

#include <algorithm>
#include <array>

namespace robust::kafka::codec {
namespace {

// Ranges: from the oldest version whose record format is v2 (magic 2) or
// whose semantics we serve, to the newest version whose fields we serve
// fully. Newer versions are left out on purpose, e.g. Fetch 13+ and
// DeleteTopics 6+ name topics by id, OffsetFetch 8+ batches groups.
// Produce starts at v0 although v0-2 carry the old message formats (refused
// per partition with UNSUPPORTED_FOR_MESSAGE_FORMAT): librdkafka enables
// gzip, snappy and lz4 only for brokers that list Produce from v0.
constexpr std::array<api_support, 23> apis{{
    {api_key::produce, 0, 9, 9, "Produce"},
    {api_key::fetch, 4, 12, 12, "Fetch"},
    {api_key::list_offsets, 1, 6, 6, "ListOffsets"},
    {api_key::metadata, 0, 12, 9, "Metadata"},
    {api_key::offset_commit, 2, 8, 8, "OffsetCommit"},
    {api_key::offset_fetch, 1, 7, 6, "OffsetFetch"},
    {api_key::find_coordinator, 0, 4, 3, "FindCoordinator"},
    {api_key::join_group, 0, 9, 6, "JoinGroup"},
    {api_key::heartbeat, 0, 4, 4, "Heartbeat"},
    {api_key::leave_group, 0, 5, 4, "LeaveGroup"},
    {api_key::sync_group, 0, 5, 4, "SyncGroup"},
    {api_key::describe_groups, 0, 5, 5, "DescribeGroups"},
    {api_key::list_groups, 0, 4, 3, "ListGroups"},
    {api_key::sasl_handshake, 0, 1, -1, "SaslHandshake"},
    {api_key::api_versions, 0, 3, 3, "ApiVersions"},
    {api_key::create_topics, 0, 7, 5, "CreateTopics"},
    {api_key::delete_topics, 0, 5, 4, "DeleteTopics"},
    {api_key::delete_records, 0, 2, 2, "DeleteRecords"},
    {api_key::init_producer_id, 0, 4, 2, "InitProducerId"},
    {api_key::describe_configs, 0, 4, 4, "DescribeConfigs"},
    {api_key::sasl_authenticate, 0, 2, 2, "SaslAuthenticate"},
    {api_key::create_partitions, 0, 3, 2, "CreatePartitions"},
    {api_key::delete_groups, 0, 2, 2, "DeleteGroups"},
}};

}  // namespace

std::span<const api_support> supported_apis() noexcept {
    return apis;
}

const api_support* find_api(int16_t key) noexcept {
    auto it = std::find_if(apis.begin(), apis.end(), [key](const api_support& a) {
        return static_cast<int16_t>(a.key) == key;
    });
    return it == apis.end() ? nullptr : &*it;
}

std::string_view api_name(int16_t key) noexcept {
    const api_support* a = find_api(key);
    return a ? a->name : "Unknown";
}

bool is_supported(api_key key, int16_t version) noexcept {
    const api_support* a = find_api(static_cast<int16_t>(key));
    return a && a->supports(version);
}

bool is_flexible(api_key key, int16_t version) noexcept {
    const api_support* a = find_api(static_cast<int16_t>(key));
    return a && a->first_flexible >= 0 && version >= a->first_flexible;
}

result<decoded_header> decode_request_header(std::span<const std::byte> request) {
    reader r(request, false);
    decoded_header out;
    out.header.api_key = r.i16();
    out.header.api_version = r.i16();
    out.header.correlation_id = r.i32();
    out.header.client_id = r.classic_nullable_string();
    if (!r.ok()) return errc::malformed;
    const api_support* a = find_api(out.header.api_key);
    out.header.flexible =
        a && a->supports(out.header.api_version) && is_flexible(a->key, out.header.api_version);
    if (out.header.flexible) {
        reader tags(request.subspan(request.size() - r.remaining()), true);
        tags.tagged_fields();
        if (!tags.ok()) return errc::malformed;
        out.size = request.size() - tags.remaining();
    } else {
        out.size = request.size() - r.remaining();
    }
    return out;
}

void write_response_header(writer& w, api_key key, int16_t version, int32_t correlation_id) {
    w.i32(correlation_id);
    if (key != api_key::api_versions && is_flexible(key, version)) w.uvarint(0);
}

std::optional<int32_t> frame_size(std::span<const std::byte> buffered) noexcept {
    if (buffered.size() < 4) return std::nullopt;
    reader r(buffered.first(4), false);
    return r.i32();
}

std::string frame(std::string body) {
    writer w(false);
    w.i32(static_cast<int32_t>(body.size()));
    std::string out = w.take();
    out.append(body);
    return out;
}

}  // namespace robust::kafka::codec
