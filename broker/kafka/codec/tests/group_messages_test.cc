// Consumer-group, offset and SASL messages (OffsetCommit, OffsetFetch,
// FindCoordinator, JoinGroup, Heartbeat, LeaveGroup, SyncGroup,
// DescribeGroups, ListGroups, DeleteGroups, SaslHandshake, SaslAuthenticate):
// byte vectors written from the protocol guide, round trips over every
// supported version, every prefix of a message rejected, and limits.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "base/errc.h"
#include "kafka/codec/api.h"
#include "kafka/codec/messages/delete_groups.h"
#include "kafka/codec/messages/describe_groups.h"
#include "kafka/codec/messages/find_coordinator.h"
#include "kafka/codec/messages/heartbeat.h"
#include "kafka/codec/messages/join_group.h"
#include "kafka/codec/messages/leave_group.h"
#include "kafka/codec/messages/list_groups.h"
#include "kafka/codec/messages/offset_commit.h"
#include "kafka/codec/messages/offset_fetch.h"
#include "kafka/codec/messages/sasl_authenticate.h"
#include "kafka/codec/messages/sasl_handshake.h"
#include "kafka/codec/messages/sync_group.h"
#include "kafka/codec/wire.h"
#include "test_util.h"

namespace robust::kafka::codec {
namespace {

using test::hex;
using test::span_of;
using test::wire;

using ec = error_code;

// ---- helpers ----------------------------------------------------------------

/// One message type's codec, so that the checks below serve every API.
template <class T>
struct codec_fns {
    api_key key;
    void (*encode)(writer&, const T&, int16_t);
    result<T> (*decode)(std::span<const std::byte>, int16_t);
};

constexpr codec_fns<offset_commit_request> offset_commit_req{
    api_key::offset_commit, encode_offset_commit_request, decode_offset_commit_request};
constexpr codec_fns<offset_commit_response> offset_commit_resp{
    api_key::offset_commit, encode_offset_commit_response, decode_offset_commit_response};
constexpr codec_fns<offset_fetch_request> offset_fetch_req{
    api_key::offset_fetch, encode_offset_fetch_request, decode_offset_fetch_request};
constexpr codec_fns<offset_fetch_response> offset_fetch_resp{
    api_key::offset_fetch, encode_offset_fetch_response, decode_offset_fetch_response};
constexpr codec_fns<find_coordinator_request> find_coordinator_req{
    api_key::find_coordinator, encode_find_coordinator_request, decode_find_coordinator_request};
constexpr codec_fns<find_coordinator_response> find_coordinator_resp{
    api_key::find_coordinator, encode_find_coordinator_response, decode_find_coordinator_response};
constexpr codec_fns<join_group_request> join_group_req{
    api_key::join_group, encode_join_group_request, decode_join_group_request};
constexpr codec_fns<join_group_response> join_group_resp{
    api_key::join_group, encode_join_group_response, decode_join_group_response};
constexpr codec_fns<heartbeat_request> heartbeat_req{api_key::heartbeat, encode_heartbeat_request,
                                                     decode_heartbeat_request};
constexpr codec_fns<heartbeat_response> heartbeat_resp{
    api_key::heartbeat, encode_heartbeat_response, decode_heartbeat_response};
constexpr codec_fns<leave_group_request> leave_group_req{
    api_key::leave_group, encode_leave_group_request, decode_leave_group_request};
constexpr codec_fns<leave_group_response> leave_group_resp{
    api_key::leave_group, encode_leave_group_response, decode_leave_group_response};
constexpr codec_fns<sync_group_request> sync_group_req{
    api_key::sync_group, encode_sync_group_request, decode_sync_group_request};
constexpr codec_fns<sync_group_response> sync_group_resp{
    api_key::sync_group, encode_sync_group_response, decode_sync_group_response};
constexpr codec_fns<describe_groups_request> describe_groups_req{
    api_key::describe_groups, encode_describe_groups_request, decode_describe_groups_request};
constexpr codec_fns<describe_groups_response> describe_groups_resp{
    api_key::describe_groups, encode_describe_groups_response, decode_describe_groups_response};
constexpr codec_fns<list_groups_request> list_groups_req{
    api_key::list_groups, encode_list_groups_request, decode_list_groups_request};
constexpr codec_fns<list_groups_response> list_groups_resp{
    api_key::list_groups, encode_list_groups_response, decode_list_groups_response};
constexpr codec_fns<delete_groups_request> delete_groups_req{
    api_key::delete_groups, encode_delete_groups_request, decode_delete_groups_request};
constexpr codec_fns<delete_groups_response> delete_groups_resp{
    api_key::delete_groups, encode_delete_groups_response, decode_delete_groups_response};
constexpr codec_fns<sasl_handshake_request> sasl_handshake_req{
    api_key::sasl_handshake, encode_sasl_handshake_request, decode_sasl_handshake_request};
constexpr codec_fns<sasl_handshake_response> sasl_handshake_resp{
    api_key::sasl_handshake, encode_sasl_handshake_response, decode_sasl_handshake_response};
constexpr codec_fns<sasl_authenticate_request> sasl_authenticate_req{
    api_key::sasl_authenticate, encode_sasl_authenticate_request, decode_sasl_authenticate_request};
constexpr codec_fns<sasl_authenticate_response> sasl_authenticate_resp{
    api_key::sasl_authenticate, encode_sasl_authenticate_response,
    decode_sasl_authenticate_response};

template <class T>
std::string encode(const codec_fns<T>& c, const T& m, int16_t v) {
    writer w(is_flexible(c.key, v));
    c.encode(w, m, v);
    return w.take();
}

/// Decodes `bytes`, which must succeed.
template <class T>
T decode_ok(const codec_fns<T>& c, const std::string& bytes, int16_t v) {
    result<T> r = c.decode(span_of(bytes), v);
    EXPECT_TRUE(r.has_value()) << "v" << v << ": " << r.error().message();
    return r.has_value() ? std::move(r).value() : T{};
}

/// The error decoding `bytes` gives; empty if it decoded.
template <class T>
std::error_code decode_error(const codec_fns<T>& c, const std::string& bytes, int16_t v) {
    result<T> r = c.decode(span_of(bytes), v);
    return r.has_value() ? std::error_code() : r.error();
}

/// A byte-vector test: `bytes` decodes to `value` and `value` encodes to
/// exactly `bytes`.
template <class T>
void expect_wire(const codec_fns<T>& c, int16_t v, const std::string& bytes, const T& value) {
    EXPECT_EQ(decode_ok(c, bytes, v), value) << "v" << v;
    EXPECT_EQ(hex(encode(c, value, v)), hex(bytes)) << "v" << v;
}

/// For every version the API table advertises and every sample of it:
/// decode(encode(x)) == x, bytes after the body are ignored, and every
/// strict prefix of the encoding fails with malformed or too_large. The
/// prefix is copied into a buffer of exactly its size so that ASan sees any
/// read past it.
template <class T>
void check_every_version(const codec_fns<T>& c, std::vector<T> (*samples)(int16_t)) {
    const api_support* api = find_api(static_cast<int16_t>(c.key));
    ASSERT_NE(api, nullptr);
    for (int16_t v = api->min_version; v <= api->max_version; ++v) {
        std::vector<T> all = samples(v);
        for (size_t i = 0; i < all.size(); ++i) {
            SCOPED_TRACE(testing::Message() << api->name << " v" << v << " sample " << i);
            const std::string bytes = encode(c, all[i], v);
            EXPECT_EQ(decode_ok(c, bytes, v), all[i]);
            EXPECT_EQ(decode_ok(c, bytes + "\x01\x02\x03", v), all[i]);
            for (size_t n = 0; n < bytes.size(); ++n) {
                std::vector<std::byte> prefix(n);
                for (size_t j = 0; j < n; ++j) prefix[j] = static_cast<std::byte>(bytes[j]);
                result<T> r = c.decode(prefix, v);
                ASSERT_FALSE(r.has_value()) << "prefix of " << n << " of " << bytes.size();
                EXPECT_TRUE(r.error() == make_error_code(errc::malformed) ||
                            r.error() == make_error_code(errc::too_large))
                    << r.error().message();
            }
        }
    }
}

// ---- samples: every field the version has set, and a sparse one -------------
// Fields a version lacks keep their defaults so that round trips compare.

std::vector<offset_commit_request> offset_commit_requests(int16_t v) {
    offset_commit_request m;
    m.group_id = "group-1";
    m.generation_id_or_member_epoch = 7;
    m.member_id = "member-1";
    if (v >= 7) m.group_instance_id = "instance-1";
    if (v <= 4) m.retention_time_ms = 86'400'000;
    offset_commit_request_topic t;
    t.name = "orders";
    t.partitions.push_back({0, 100, v >= 6 ? 3 : -1, "meta"});
    t.partitions.push_back({1, 1LL << 40, v >= 6 ? 4 : -1, std::nullopt});
    m.topics.push_back(t);
    m.topics.push_back({"empty-topic", {}});
    return {m, offset_commit_request{}};
}

std::vector<offset_commit_response> offset_commit_responses(int16_t v) {
    offset_commit_response m;
    if (v >= 3) m.throttle_time_ms = 100;
    m.topics.push_back({"orders", {{0, ec::none}, {1, ec::offset_metadata_too_large}}});
    m.topics.push_back({"other", {{2, ec::illegal_generation}}});
    return {m, offset_commit_response{}};
}

std::vector<offset_fetch_request> offset_fetch_requests(int16_t v) {
    offset_fetch_request m;
    m.group_id = "group-1";
    m.topics.emplace();
    m.topics->push_back({"orders", {0, 1, 2}});
    m.topics->push_back({"b", {}});
    if (v >= 7) m.require_stable = true;
    offset_fetch_request sparse;
    if (v < 2) sparse.topics.emplace();  // null topics only from v2
    return {m, sparse};
}

std::vector<offset_fetch_response> offset_fetch_responses(int16_t v) {
    offset_fetch_response m;
    if (v >= 3) m.throttle_time_ms = 5;
    offset_fetch_response_topic t;
    t.name = "orders";
    t.partitions.push_back({0, 42, v >= 5 ? 2 : -1, "m", ec::none});
    t.partitions.push_back({1, -1, -1, std::nullopt, ec::unknown_topic_or_partition});
    m.topics.push_back(t);
    if (v >= 2) m.error_code = ec::not_coordinator;
    return {m, offset_fetch_response{}};
}

std::vector<find_coordinator_request> find_coordinator_requests(int16_t v) {
    find_coordinator_request m;
    if (v <= 3) m.key = "group-1";
    if (v >= 1) m.key_type = coordinator_key_type_transaction;
    if (v >= 4) m.coordinator_keys = {"a", "b"};
    return {m, find_coordinator_request{}};
}

std::vector<find_coordinator_response> find_coordinator_responses(int16_t v) {
    find_coordinator_response m;
    if (v >= 1) m.throttle_time_ms = 9;
    if (v <= 3) {
        m.error_code = ec::coordinator_not_available;
        if (v >= 1) m.error_message = "loading";
        m.node_id = 3;
        m.host = "broker-3";
        m.port = 9093;
    } else {
        m.coordinators.push_back({"a", 1, "h1", 9092, ec::none, std::nullopt});
        m.coordinators.push_back({"b", -1, "", -1, ec::coordinator_not_available, "loading"});
    }
    return {m, find_coordinator_response{}};
}

std::vector<join_group_request> join_group_requests(int16_t v) {
    join_group_request m;
    m.group_id = "group-1";
    m.session_timeout_ms = 10'000;
    if (v >= 1) m.rebalance_timeout_ms = 300'000;
    m.member_id = "member-1";
    if (v >= 5) m.group_instance_id = "instance-1";
    m.protocol_type = "consumer";
    m.protocols.push_back({"range", std::string("\x00\x01\x02", 3)});
    m.protocols.push_back({"roundrobin", ""});
    if (v >= 8) m.reason = "rebalance needed";
    return {m, join_group_request{}};
}

std::vector<join_group_response> join_group_responses(int16_t v) {
    join_group_response m;
    if (v >= 2) m.throttle_time_ms = 1;
    m.generation_id = 3;
    if (v >= 7) m.protocol_type = "consumer";
    m.protocol_name = "range";
    m.leader = "member-1";
    if (v >= 9) m.skip_assignment = true;
    m.member_id = "member-2";
    m.members.push_back({"member-1",
                         v >= 5 ? std::optional<std::string>("instance-1") : std::nullopt,
                         std::string("\x00meta", 5)});
    m.members.push_back({"member-2", std::nullopt, ""});
    join_group_response sparse;
    sparse.error_code = ec::unknown_member_id;
    if (v < 7) sparse.protocol_name = "";  // null only from v7
    return {m, sparse};
}

std::vector<heartbeat_request> heartbeat_requests(int16_t v) {
    heartbeat_request m{"group-1", 4, "member-1", std::nullopt};
    if (v >= 3) m.group_instance_id = "instance-1";
    return {m, heartbeat_request{}};
}

std::vector<heartbeat_response> heartbeat_responses(int16_t v) {
    heartbeat_response m{v >= 1 ? 10 : 0, ec::rebalance_in_progress};
    return {m, heartbeat_response{}};
}

std::vector<leave_group_request> leave_group_requests(int16_t v) {
    leave_group_request m;
    m.group_id = "group-1";
    if (v <= 2) {
        m.member_id = "member-1";
    } else {
        m.members.push_back(
            {"member-1", "instance-1", v >= 5 ? std::optional<std::string>("bye") : std::nullopt});
        m.members.push_back({"member-2", std::nullopt, std::nullopt});
    }
    return {m, leave_group_request{}};
}

std::vector<leave_group_response> leave_group_responses(int16_t v) {
    leave_group_response m;
    if (v >= 1) m.throttle_time_ms = 2;
    m.error_code = ec::none;
    if (v >= 3) {
        m.members.push_back({"member-1", "instance-1", ec::none});
        m.members.push_back({"member-2", std::nullopt, ec::unknown_member_id});
    }
    leave_group_response sparse;
    sparse.error_code = ec::coordinator_not_available;
    return {m, sparse};
}

std::vector<sync_group_request> sync_group_requests(int16_t v) {
    sync_group_request m;
    m.group_id = "group-1";
    m.generation_id = 3;
    m.member_id = "member-1";
    if (v >= 3) m.group_instance_id = "instance-1";
    if (v >= 5) {
        m.protocol_type = "consumer";
        m.protocol_name = "range";
    }
    m.assignments.push_back({"member-1", std::string("\x00\x01", 2)});
    m.assignments.push_back({"member-2", ""});
    return {m, sync_group_request{}};
}

std::vector<sync_group_response> sync_group_responses(int16_t v) {
    sync_group_response m;
    if (v >= 1) m.throttle_time_ms = 3;
    if (v >= 5) {
        m.protocol_type = "consumer";
        m.protocol_name = "range";
    }
    m.assignment = std::string("\x00\x01\x02", 3);
    sync_group_response sparse;
    sparse.error_code = ec::rebalance_in_progress;
    return {m, sparse};
}

std::vector<describe_groups_request> describe_groups_requests(int16_t v) {
    describe_groups_request m{{"g1", "g2"}, v >= 3};
    return {m, describe_groups_request{}};
}

std::vector<describe_groups_response> describe_groups_responses(int16_t v) {
    describe_groups_response m;
    if (v >= 1) m.throttle_time_ms = 4;
    describe_groups_response_group g;
    g.group_id = "g1";
    g.group_state = "Stable";
    g.protocol_type = "consumer";
    g.protocol_data = "range";
    g.members.push_back({"m1", v >= 4 ? std::optional<std::string>("i1") : std::nullopt, "client",
                         "/10.0.0.1", std::string("\x00md", 3), std::string("\x00as", 3)});
    g.members.push_back({"m2", std::nullopt, "", "", "", ""});
    if (v >= 3) g.authorized_operations = 0x148;
    m.groups.push_back(g);
    describe_groups_response_group loading;
    loading.error_code = ec::coordinator_load_in_progress;
    loading.group_id = "g2";
    m.groups.push_back(loading);
    return {m, describe_groups_response{}};
}

std::vector<list_groups_request> list_groups_requests(int16_t v) {
    list_groups_request m;
    if (v >= 4) m.states_filter = {"Stable", "Empty"};
    return {m, list_groups_request{}};
}

std::vector<list_groups_response> list_groups_responses(int16_t v) {
    list_groups_response m;
    if (v >= 1) m.throttle_time_ms = 6;
    m.groups.push_back({"g1", "consumer", v >= 4 ? "Stable" : ""});
    m.groups.push_back({"g2", "", v >= 4 ? "Empty" : ""});
    list_groups_response sparse;
    sparse.error_code = ec::coordinator_not_available;
    return {m, sparse};
}

std::vector<delete_groups_request> delete_groups_requests(int16_t) {
    return {delete_groups_request{{"g1", "g2"}}, delete_groups_request{}};
}

std::vector<delete_groups_response> delete_groups_responses(int16_t) {
    delete_groups_response m{7, {{"g1", ec::none}, {"g2", ec::non_empty_group}}};
    return {m, delete_groups_response{}};
}

std::vector<sasl_handshake_request> sasl_handshake_requests(int16_t) {
    return {sasl_handshake_request{"SCRAM-SHA-512"}, sasl_handshake_request{}};
}

std::vector<sasl_handshake_response> sasl_handshake_responses(int16_t) {
    sasl_handshake_response m{ec::unsupported_sasl_mechanism, {"PLAIN", "SCRAM-SHA-256"}};
    return {m, sasl_handshake_response{}};
}

std::vector<sasl_authenticate_request> sasl_authenticate_requests(int16_t) {
    return {sasl_authenticate_request{std::string("\x00user\x00pass", 10)},
            sasl_authenticate_request{}};
}

std::vector<sasl_authenticate_response> sasl_authenticate_responses(int16_t v) {
    sasl_authenticate_response m{ec::sasl_authentication_failed, "bad password", "server-final",
                                 v >= 1 ? 3'600'000 : 0};
    return {m, sasl_authenticate_response{}};
}

// ---- round trips and truncation, every API at every supported version ---------

TEST(KafkaGroupMessages, OffsetCommitEveryVersion) {
    check_every_version(offset_commit_req, offset_commit_requests);
    check_every_version(offset_commit_resp, offset_commit_responses);
}

TEST(KafkaGroupMessages, OffsetFetchEveryVersion) {
    check_every_version(offset_fetch_req, offset_fetch_requests);
    check_every_version(offset_fetch_resp, offset_fetch_responses);
}

TEST(KafkaGroupMessages, FindCoordinatorEveryVersion) {
    check_every_version(find_coordinator_req, find_coordinator_requests);
    check_every_version(find_coordinator_resp, find_coordinator_responses);
}

TEST(KafkaGroupMessages, JoinGroupEveryVersion) {
    check_every_version(join_group_req, join_group_requests);
    check_every_version(join_group_resp, join_group_responses);
}

TEST(KafkaGroupMessages, HeartbeatEveryVersion) {
    check_every_version(heartbeat_req, heartbeat_requests);
    check_every_version(heartbeat_resp, heartbeat_responses);
}

TEST(KafkaGroupMessages, LeaveGroupEveryVersion) {
    check_every_version(leave_group_req, leave_group_requests);
    check_every_version(leave_group_resp, leave_group_responses);
}

TEST(KafkaGroupMessages, SyncGroupEveryVersion) {
    check_every_version(sync_group_req, sync_group_requests);
    check_every_version(sync_group_resp, sync_group_responses);
}

TEST(KafkaGroupMessages, DescribeGroupsEveryVersion) {
    check_every_version(describe_groups_req, describe_groups_requests);
    check_every_version(describe_groups_resp, describe_groups_responses);
}

TEST(KafkaGroupMessages, ListGroupsEveryVersion) {
    check_every_version(list_groups_req, list_groups_requests);
    check_every_version(list_groups_resp, list_groups_responses);
}

TEST(KafkaGroupMessages, DeleteGroupsEveryVersion) {
    check_every_version(delete_groups_req, delete_groups_requests);
    check_every_version(delete_groups_resp, delete_groups_responses);
}

TEST(KafkaGroupMessages, SaslHandshakeEveryVersion) {
    check_every_version(sasl_handshake_req, sasl_handshake_requests);
    check_every_version(sasl_handshake_resp, sasl_handshake_responses);
}

TEST(KafkaGroupMessages, SaslAuthenticateEveryVersion) {
    check_every_version(sasl_authenticate_req, sasl_authenticate_requests);
    check_every_version(sasl_authenticate_resp, sasl_authenticate_responses);
}

// ---- OffsetCommit ---------------------------------------------------------------

TEST(KafkaOffsetCommit, RequestV2) {
    const std::string bytes = wire({
        0x00, 0x01, 'g',                                 // group_id "g"
        0x00, 0x00, 0x00, 0x05,                          // generation_id 5
        0x00, 0x02, 'm',  '1',                           // member_id "m1"
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // retention_time_ms -1
        0x00, 0x00, 0x00, 0x01,                          // topics: 1
        0x00, 0x01, 't',                                 //   name "t"
        0x00, 0x00, 0x00, 0x01,                          //   partitions: 1
        0x00, 0x00, 0x00, 0x00,                          //     partition_index 0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,  //     committed_offset 42
        0x00, 0x01, 'x',                                 //     committed_metadata "x"
    });
    offset_commit_request m;
    m.group_id = "g";
    m.generation_id_or_member_epoch = 5;
    m.member_id = "m1";
    m.topics.push_back({"t", {{0, 42, -1, "x"}}});
    expect_wire(offset_commit_req, 2, bytes, m);
}

TEST(KafkaOffsetCommit, ResponseV2) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x01,  // topics: 1
        0x00, 0x01, 't',         //   name "t"
        0x00, 0x00, 0x00, 0x02,  //   partitions: 2
        0x00, 0x00, 0x00, 0x00,  //     partition_index 0
        0x00, 0x00,              //     error_code NONE
        0x00, 0x00, 0x00, 0x01,  //     partition_index 1
        0x00, 0x19,              //     error_code UNKNOWN_MEMBER_ID (25)
    });
    offset_commit_response m;
    m.topics.push_back({"t", {{0, ec::none}, {1, ec::unknown_member_id}}});
    expect_wire(offset_commit_resp, 2, bytes, m);
}

TEST(KafkaOffsetCommit, RequestV8) {
    const std::string bytes = wire({
        0x02, 'g',                                       // group_id "g" (compact: length + 1)
        0x00, 0x00, 0x00, 0x05,                          // generation_id_or_member_epoch 5
        0x03, 'm',  '1',                                 // member_id "m1"
        0x00,                                            // group_instance_id null
        0x02,                                            // topics: 1 (compact: count + 1)
        0x02, 't',                                       //   name "t"
        0x02,                                            //   partitions: 1
        0x00, 0x00, 0x00, 0x03,                          //     partition_index 3
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64,  //     committed_offset 100
        0x00, 0x00, 0x00, 0x07,                          //     committed_leader_epoch 7
        0x00,                                            //     committed_metadata null
        0x00,                                            //     tagged fields: none
        0x00,                                            //   tagged fields: none
        0x00,                                            // tagged fields: none
    });
    offset_commit_request m;
    m.group_id = "g";
    m.generation_id_or_member_epoch = 5;
    m.member_id = "m1";
    m.topics.push_back({"t", {{3, 100, 7, std::nullopt}}});
    expect_wire(offset_commit_req, 8, bytes, m);
}

TEST(KafkaOffsetCommit, ResponseV8) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,  // throttle_time_ms 0
        0x02,                    // topics: 1
        0x02, 't',               //   name "t"
        0x02,                    //   partitions: 1
        0x00, 0x00, 0x00, 0x03,  //     partition_index 3
        0x00, 0x00,              //     error_code NONE
        0x00,                    //     tagged fields: none
        0x00,                    //   tagged fields: none
        0x00,                    // tagged fields: none
    });
    offset_commit_response m;
    m.topics.push_back({"t", {{3, ec::none}}});
    expect_wire(offset_commit_resp, 8, bytes, m);
}

// ---- OffsetFetch ----------------------------------------------------------------

TEST(KafkaOffsetFetch, RequestV1) {
    const std::string bytes = wire({
        0x00, 0x01, 'g',         // group_id "g"
        0x00, 0x00, 0x00, 0x01,  // topics: 1
        0x00, 0x01, 't',         //   name "t"
        0x00, 0x00, 0x00, 0x02,  //   partition_indexes: 2
        0x00, 0x00, 0x00, 0x00,  //     0
        0x00, 0x00, 0x00, 0x01,  //     1
    });
    offset_fetch_request m;
    m.group_id = "g";
    m.topics = std::vector<offset_fetch_request_topic>{{"t", {0, 1}}};
    expect_wire(offset_fetch_req, 1, bytes, m);
}

TEST(KafkaOffsetFetch, ResponseV1) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x01,                          // topics: 1
        0x00, 0x01, 't',                                 //   name "t"
        0x00, 0x00, 0x00, 0x01,                          //   partitions: 1
        0x00, 0x00, 0x00, 0x00,                          //     partition_index 0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,  //     committed_offset 42
        0x00, 0x00,                                      //     metadata ""
        0x00, 0x00,                                      //     error_code NONE
    });
    offset_fetch_response m;
    m.topics.push_back({"t", {{0, 42, -1, "", ec::none}}});
    expect_wire(offset_fetch_resp, 1, bytes, m);
}

TEST(KafkaOffsetFetch, RequestV6AllTopics) {
    const std::string bytes = wire({
        0x02, 'g',  // group_id "g"
        0x00,       // topics null: every topic
        0x00,       // tagged fields: none
    });
    offset_fetch_request m;
    m.group_id = "g";
    expect_wire(offset_fetch_req, 6, bytes, m);
}

TEST(KafkaOffsetFetch, RequestV7) {
    const std::string bytes = wire({
        0x02, 'g',               // group_id "g"
        0x02,                    // topics: 1
        0x02, 't',               //   name "t"
        0x03,                    //   partition_indexes: 2
        0x00, 0x00, 0x00, 0x00,  //     0
        0x00, 0x00, 0x00, 0x01,  //     1
        0x00,                    //   tagged fields: none
        0x01,                    // require_stable true
        0x00,                    // tagged fields: none
    });
    offset_fetch_request m;
    m.group_id = "g";
    m.topics = std::vector<offset_fetch_request_topic>{{"t", {0, 1}}};
    m.require_stable = true;
    expect_wire(offset_fetch_req, 7, bytes, m);
}

TEST(KafkaOffsetFetch, ResponseV6) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,                          // throttle_time_ms 0
        0x02,                                            // topics: 1
        0x02, 't',                                       //   name "t"
        0x02,                                            //   partitions: 1
        0x00, 0x00, 0x00, 0x00,                          //     partition_index 0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,  //     committed_offset 42
        0xff, 0xff, 0xff, 0xff,                          //     committed_leader_epoch -1
        0x00,                                            //     metadata null
        0x00, 0x00,                                      //     error_code NONE
        0x00,                                            //     tagged fields: none
        0x00,                                            //   tagged fields: none
        0x00, 0x10,                                      // error_code NOT_COORDINATOR (16)
        0x00,                                            // tagged fields: none
    });
    offset_fetch_response m;
    m.topics.push_back({"t", {{0, 42, -1, std::nullopt, ec::none}}});
    m.error_code = ec::not_coordinator;
    expect_wire(offset_fetch_resp, 6, bytes, m);
}

TEST(KafkaOffsetFetch, NullTopicsBeforeV2IsMalformed) {
    const std::string bytes = wire({
        0x00, 0x01, 'g',         // group_id "g"
        0xff, 0xff, 0xff, 0xff,  // topics null: not allowed in v1
    });
    EXPECT_EQ(decode_error(offset_fetch_req, bytes, 1), make_error_code(errc::malformed));
    // Where null is allowed it means "every topic".
    EXPECT_EQ(decode_ok(offset_fetch_req, bytes, 2).topics, std::nullopt);
}

TEST(KafkaOffsetFetch, NullTopicsAreWrittenEmptyInV1) {
    offset_fetch_request m;
    m.group_id = "g";
    EXPECT_EQ(hex(encode(offset_fetch_req, m, 1)), hex(wire({0x00, 0x01, 'g', 0, 0, 0, 0})));
}

// ---- FindCoordinator --------------------------------------------------------------

TEST(KafkaFindCoordinator, RequestV0) {
    const std::string bytes = wire({
        0x00, 0x01, 'g',  // key "g"
    });
    find_coordinator_request m;
    m.key = "g";
    expect_wire(find_coordinator_req, 0, bytes, m);
}

TEST(KafkaFindCoordinator, ResponseV0) {
    const std::string bytes = wire({
        0x00, 0x00,              // error_code NONE
        0x00, 0x00, 0x00, 0x01,  // node_id 1
        0x00, 0x01, 'h',         // host "h"
        0x00, 0x00, 0x23, 0x84,  // port 9092
    });
    find_coordinator_response m;
    m.node_id = 1;
    m.host = "h";
    m.port = 9092;
    expect_wire(find_coordinator_resp, 0, bytes, m);
}

TEST(KafkaFindCoordinator, RequestV4) {
    const std::string bytes = wire({
        0x00,       // key_type 0 (group)
        0x03,       // coordinator_keys: 2
        0x02, 'a',  //   "a"
        0x02, 'b',  //   "b"
        0x00,       // tagged fields: none
    });
    find_coordinator_request m;
    m.coordinator_keys = {"a", "b"};
    expect_wire(find_coordinator_req, 4, bytes, m);
}

TEST(KafkaFindCoordinator, ResponseV4) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,  // throttle_time_ms 0
        0x03,                    // coordinators: 2
        0x02, 'a',               //   key "a"
        0x00, 0x00, 0x00, 0x01,  //   node_id 1
        0x02, 'h',               //   host "h"
        0x00, 0x00, 0x23, 0x84,  //   port 9092
        0x00, 0x00,              //   error_code NONE
        0x00,                    //   error_message null
        0x00,                    //   tagged fields: none
        0x02, 'b',               //   key "b"
        0xff, 0xff, 0xff, 0xff,  //   node_id -1
        0x01,                    //   host ""
        0xff, 0xff, 0xff, 0xff,  //   port -1
        0x00, 0x0f,              //   error_code COORDINATOR_NOT_AVAILABLE (15)
        0x03, 'n',  'o',         //   error_message "no"
        0x00,                    //   tagged fields: none
        0x00,                    // tagged fields: none
    });
    find_coordinator_response m;
    m.coordinators.push_back({"a", 1, "h", 9092, ec::none, std::nullopt});
    m.coordinators.push_back({"b", -1, "", -1, ec::coordinator_not_available, "no"});
    expect_wire(find_coordinator_resp, 4, bytes, m);
}

// ---- JoinGroup ----------------------------------------------------------------------

TEST(KafkaJoinGroup, RequestV0) {
    const std::string bytes = wire({
        0x00, 0x01, 'g',                                          // group_id "g"
        0x00, 0x00, 0x75, 0x30,                                   // session_timeout_ms 30000
        0x00, 0x00,                                               // member_id ""
        0x00, 0x08, 'c',  'o',  'n',  's',  'u',  'm', 'e', 'r',  // protocol_type "consumer"
        0x00, 0x00, 0x00, 0x01,                                   // protocols: 1
        0x00, 0x05, 'r',  'a',  'n',  'g',  'e',                  //   name "range"
        0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03,                 //   metadata 01 02 03
    });
    join_group_request m;
    m.group_id = "g";
    m.session_timeout_ms = 30'000;
    m.protocol_type = "consumer";
    m.protocols.push_back({"range", "\x01\x02\x03"});
    expect_wire(join_group_req, 0, bytes, m);
}

TEST(KafkaJoinGroup, ResponseV0) {
    const std::string bytes = wire({
        0x00, 0x00,                               // error_code NONE
        0x00, 0x00, 0x00, 0x01,                   // generation_id 1
        0x00, 0x05, 'r',  'a',  'n',  'g',  'e',  // protocol_name "range"
        0x00, 0x02, 'm',  '1',                    // leader "m1"
        0x00, 0x02, 'm',  '1',                    // member_id "m1"
        0x00, 0x00, 0x00, 0x01,                   // members: 1
        0x00, 0x02, 'm',  '1',                    //   member_id "m1"
        0x00, 0x00, 0x00, 0x02, 0x0a, 0x0b,       //   metadata 0a 0b
    });
    join_group_response m;
    m.generation_id = 1;
    m.protocol_name = "range";
    m.leader = "m1";
    m.member_id = "m1";
    m.members.push_back({"m1", std::nullopt, "\x0a\x0b"});
    expect_wire(join_group_resp, 0, bytes, m);
}

TEST(KafkaJoinGroup, RequestV5) {
    const std::string bytes = wire({
        0x00, 0x01, 'g',                                          // group_id "g"
        0x00, 0x00, 0x75, 0x30,                                   // session_timeout_ms 30000
        0x00, 0x00, 0xea, 0x60,                                   // rebalance_timeout_ms 60000
        0x00, 0x00,                                               // member_id ""
        0x00, 0x02, 'i',  '1',                                    // group_instance_id "i1"
        0x00, 0x08, 'c',  'o',  'n',  's',  'u',  'm', 'e', 'r',  // protocol_type "consumer"
        0x00, 0x00, 0x00, 0x01,                                   // protocols: 1
        0x00, 0x05, 'r',  'a',  'n',  'g',  'e',                  //   name "range"
        0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03,                 //   metadata 01 02 03
    });
    join_group_request m;
    m.group_id = "g";
    m.session_timeout_ms = 30'000;
    m.rebalance_timeout_ms = 60'000;
    m.group_instance_id = "i1";
    m.protocol_type = "consumer";
    m.protocols.push_back({"range", "\x01\x02\x03"});
    expect_wire(join_group_req, 5, bytes, m);
}

TEST(KafkaJoinGroup, ResponseV5) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,                   // throttle_time_ms 0
        0x00, 0x00,                               // error_code NONE
        0x00, 0x00, 0x00, 0x01,                   // generation_id 1
        0x00, 0x05, 'r',  'a',  'n',  'g',  'e',  // protocol_name "range"
        0x00, 0x02, 'm',  '1',                    // leader "m1"
        0x00, 0x02, 'm',  '1',                    // member_id "m1"
        0x00, 0x00, 0x00, 0x01,                   // members: 1
        0x00, 0x02, 'm',  '1',                    //   member_id "m1"
        0xff, 0xff,                               //   group_instance_id null
        0x00, 0x00, 0x00, 0x02, 0x0a, 0x0b,       //   metadata 0a 0b
    });
    join_group_response m;
    m.generation_id = 1;
    m.protocol_name = "range";
    m.leader = "m1";
    m.member_id = "m1";
    m.members.push_back({"m1", std::nullopt, "\x0a\x0b"});
    expect_wire(join_group_resp, 5, bytes, m);
}

TEST(KafkaJoinGroup, RequestV6) {
    const std::string bytes = wire({
        0x02, 'g',                                        // group_id "g"
        0x00, 0x00, 0x75, 0x30,                           // session_timeout_ms 30000
        0x00, 0x00, 0xea, 0x60,                           // rebalance_timeout_ms 60000
        0x01,                                             // member_id ""
        0x00,                                             // group_instance_id null
        0x09, 'c',  'o',  'n',  's', 'u', 'm', 'e', 'r',  // protocol_type "consumer"
        0x02,                                             // protocols: 1
        0x06, 'r',  'a',  'n',  'g', 'e',                 //   name "range"
        0x04, 0x01, 0x02, 0x03,                           //   metadata 01 02 03
        0x00,                                             //   tagged fields: none
        0x00,                                             // tagged fields: none
    });
    join_group_request m;
    m.group_id = "g";
    m.session_timeout_ms = 30'000;
    m.rebalance_timeout_ms = 60'000;
    m.protocol_type = "consumer";
    m.protocols.push_back({"range", "\x01\x02\x03"});
    expect_wire(join_group_req, 6, bytes, m);
}

TEST(KafkaJoinGroup, ResponseV6) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,            // throttle_time_ms 0
        0x00, 0x00,                        // error_code NONE
        0x00, 0x00, 0x00, 0x01,            // generation_id 1
        0x06, 'r',  'a',  'n',  'g', 'e',  // protocol_name "range"
        0x03, 'm',  '1',                   // leader "m1"
        0x03, 'm',  '1',                   // member_id "m1"
        0x02,                              // members: 1
        0x03, 'm',  '1',                   //   member_id "m1"
        0x03, 'i',  '1',                   //   group_instance_id "i1"
        0x03, 0x0a, 0x0b,                  //   metadata 0a 0b
        0x00,                              //   tagged fields: none
        0x00,                              // tagged fields: none
    });
    join_group_response m;
    m.generation_id = 1;
    m.protocol_name = "range";
    m.leader = "m1";
    m.member_id = "m1";
    m.members.push_back({"m1", "i1", "\x0a\x0b"});
    expect_wire(join_group_resp, 6, bytes, m);
}

TEST(KafkaJoinGroup, RequestV9) {
    const std::string bytes = wire({
        0x02, 'g',                                        // group_id "g"
        0x00, 0x00, 0x75, 0x30,                           // session_timeout_ms 30000
        0x00, 0x00, 0xea, 0x60,                           // rebalance_timeout_ms 60000
        0x03, 'm',  '1',                                  // member_id "m1"
        0x00,                                             // group_instance_id null
        0x09, 'c',  'o',  'n',  's', 'u', 'm', 'e', 'r',  // protocol_type "consumer"
        0x01,                                             // protocols: 0
        0x04, 'w',  'h',  'y',                            // reason "why"
        0x00,                                             // tagged fields: none
    });
    join_group_request m;
    m.group_id = "g";
    m.session_timeout_ms = 30'000;
    m.rebalance_timeout_ms = 60'000;
    m.member_id = "m1";
    m.protocol_type = "consumer";
    m.reason = "why";
    expect_wire(join_group_req, 9, bytes, m);
}

TEST(KafkaJoinGroup, ResponseV9) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,                           // throttle_time_ms 0
        0x00, 0x00,                                       // error_code NONE
        0x00, 0x00, 0x00, 0x02,                           // generation_id 2
        0x09, 'c',  'o',  'n',  's', 'u', 'm', 'e', 'r',  // protocol_type "consumer"
        0x00,                                             // protocol_name null
        0x03, 'm',  '1',                                  // leader "m1"
        0x01,                                             // skip_assignment true
        0x03, 'm',  '2',                                  // member_id "m2"
        0x01,                                             // members: 0
        0x00,                                             // tagged fields: none
    });
    join_group_response m;
    m.generation_id = 2;
    m.protocol_type = "consumer";
    m.leader = "m1";
    m.skip_assignment = true;
    m.member_id = "m2";
    expect_wire(join_group_resp, 9, bytes, m);
}

TEST(KafkaJoinGroup, NullProtocolNameIsWrittenEmptyBeforeV7) {
    join_group_response m;
    m.error_code = ec::unknown_member_id;
    const std::string bytes = wire({
        0x00, 0x19,              // error_code UNKNOWN_MEMBER_ID
        0xff, 0xff, 0xff, 0xff,  // generation_id -1
        0x00, 0x00,              // protocol_name "" (not nullable in v0)
        0x00, 0x00,              // leader ""
        0x00, 0x00,              // member_id ""
        0x00, 0x00, 0x00, 0x00,  // members: 0
    });
    EXPECT_EQ(hex(encode(join_group_resp, m, 0)), hex(bytes));
}

TEST(KafkaJoinGroup, SkipsUnknownTaggedFields) {
    // RequestV6 with a tagged field in the protocol and one at the end.
    const std::string bytes = wire({
        0x02, 'g',                                         // group_id "g"
        0x00, 0x00, 0x75, 0x30,                            // session_timeout_ms 30000
        0x00, 0x00, 0xea, 0x60,                            // rebalance_timeout_ms 60000
        0x01,                                              // member_id ""
        0x00,                                              // group_instance_id null
        0x09, 'c',  'o',  'n',  's',  'u', 'm', 'e', 'r',  // protocol_type "consumer"
        0x02,                                              // protocols: 1
        0x06, 'r',  'a',  'n',  'g',  'e',                 //   name "range"
        0x04, 0x01, 0x02, 0x03,                            //   metadata 01 02 03
        0x01, 0x05, 0x01, 0xaa,                            //   tagged fields: 1, tag 5, 1 byte
        0x02, 0x00, 0x00, 0x07, 0x02, 'x', 'y',            // tagged fields: 2 (tag 0 empty,
                                                           //   tag 7 "xy")
    });
    join_group_request m;
    m.group_id = "g";
    m.session_timeout_ms = 30'000;
    m.rebalance_timeout_ms = 60'000;
    m.protocol_type = "consumer";
    m.protocols.push_back({"range", "\x01\x02\x03"});
    EXPECT_EQ(decode_ok(join_group_req, bytes, 6), m);
}

// ---- SyncGroup ----------------------------------------------------------------------

TEST(KafkaSyncGroup, RequestV0) {
    const std::string bytes = wire({
        0x00, 0x01, 'g',                     // group_id "g"
        0x00, 0x00, 0x00, 0x01,              // generation_id 1
        0x00, 0x02, 'm',  '1',               // member_id "m1"
        0x00, 0x00, 0x00, 0x01,              // assignments: 1
        0x00, 0x02, 'm',  '1',               //   member_id "m1"
        0x00, 0x00, 0x00, 0x02, 0x0c, 0x0d,  //   assignment 0c 0d
    });
    sync_group_request m;
    m.group_id = "g";
    m.generation_id = 1;
    m.member_id = "m1";
    m.assignments.push_back({"m1", "\x0c\x0d"});
    expect_wire(sync_group_req, 0, bytes, m);
}

TEST(KafkaSyncGroup, ResponseV0) {
    const std::string bytes = wire({
        0x00, 0x00,                          // error_code NONE
        0x00, 0x00, 0x00, 0x02, 0x0c, 0x0d,  // assignment 0c 0d
    });
    sync_group_response m;
    m.assignment = "\x0c\x0d";
    expect_wire(sync_group_resp, 0, bytes, m);
}

TEST(KafkaSyncGroup, RequestV4) {
    const std::string bytes = wire({
        0x02, 'g',               // group_id "g"
        0x00, 0x00, 0x00, 0x01,  // generation_id 1
        0x03, 'm',  '1',         // member_id "m1"
        0x00,                    // group_instance_id null
        0x02,                    // assignments: 1
        0x03, 'm',  '1',         //   member_id "m1"
        0x03, 0x0c, 0x0d,        //   assignment 0c 0d
        0x00,                    //   tagged fields: none
        0x00,                    // tagged fields: none
    });
    sync_group_request m;
    m.group_id = "g";
    m.generation_id = 1;
    m.member_id = "m1";
    m.assignments.push_back({"m1", "\x0c\x0d"});
    expect_wire(sync_group_req, 4, bytes, m);
}

TEST(KafkaSyncGroup, ResponseV4) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,  // throttle_time_ms 0
        0x00, 0x1b,              // error_code REBALANCE_IN_PROGRESS (27)
        0x01,                    // assignment (empty)
        0x00,                    // tagged fields: none
    });
    sync_group_response m;
    m.error_code = ec::rebalance_in_progress;
    expect_wire(sync_group_resp, 4, bytes, m);
}

TEST(KafkaSyncGroup, RequestV5) {
    const std::string bytes = wire({
        0x02, 'g',                                        // group_id "g"
        0x00, 0x00, 0x00, 0x01,                           // generation_id 1
        0x03, 'm',  '1',                                  // member_id "m1"
        0x03, 'i',  '1',                                  // group_instance_id "i1"
        0x09, 'c',  'o',  'n',  's', 'u', 'm', 'e', 'r',  // protocol_type "consumer"
        0x06, 'r',  'a',  'n',  'g', 'e',                 // protocol_name "range"
        0x01,                                             // assignments: 0
        0x00,                                             // tagged fields: none
    });
    sync_group_request m;
    m.group_id = "g";
    m.generation_id = 1;
    m.member_id = "m1";
    m.group_instance_id = "i1";
    m.protocol_type = "consumer";
    m.protocol_name = "range";
    expect_wire(sync_group_req, 5, bytes, m);
}

TEST(KafkaSyncGroup, ResponseV5) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,                           // throttle_time_ms 0
        0x00, 0x00,                                       // error_code NONE
        0x09, 'c',  'o',  'n',  's', 'u', 'm', 'e', 'r',  // protocol_type "consumer"
        0x06, 'r',  'a',  'n',  'g', 'e',                 // protocol_name "range"
        0x03, 0x0c, 0x0d,                                 // assignment 0c 0d
        0x00,                                             // tagged fields: none
    });
    sync_group_response m;
    m.protocol_type = "consumer";
    m.protocol_name = "range";
    m.assignment = "\x0c\x0d";
    expect_wire(sync_group_resp, 5, bytes, m);
}

// ---- Heartbeat ------------------------------------------------------------------------

TEST(KafkaHeartbeat, RequestV0) {
    const std::string bytes = wire({
        0x00, 0x01, 'g',         // group_id "g"
        0x00, 0x00, 0x00, 0x01,  // generation_id 1
        0x00, 0x02, 'm', '1',    // member_id "m1"
    });
    expect_wire(heartbeat_req, 0, bytes, heartbeat_request{"g", 1, "m1", std::nullopt});
}

TEST(KafkaHeartbeat, ResponseV0) {
    const std::string bytes = wire({
        0x00, 0x1b,  // error_code REBALANCE_IN_PROGRESS (27)
    });
    expect_wire(heartbeat_resp, 0, bytes, heartbeat_response{0, ec::rebalance_in_progress});
}

TEST(KafkaHeartbeat, RequestV4) {
    const std::string bytes = wire({
        0x02, 'g',               // group_id "g"
        0x00, 0x00, 0x00, 0x01,  // generation_id 1
        0x03, 'm', '1',          // member_id "m1"
        0x03, 'i', '1',          // group_instance_id "i1"
        0x00,                    // tagged fields: none
    });
    expect_wire(heartbeat_req, 4, bytes, heartbeat_request{"g", 1, "m1", "i1"});
}

TEST(KafkaHeartbeat, ResponseV4) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x0a,  // throttle_time_ms 10
        0x00, 0x00,              // error_code NONE
        0x00,                    // tagged fields: none
    });
    expect_wire(heartbeat_resp, 4, bytes, heartbeat_response{10, ec::none});
}

// ---- LeaveGroup -----------------------------------------------------------------------

TEST(KafkaLeaveGroup, RequestV0) {
    const std::string bytes = wire({
        0x00, 0x01, 'g',       // group_id "g"
        0x00, 0x02, 'm', '1',  // member_id "m1"
    });
    leave_group_request m;
    m.group_id = "g";
    m.member_id = "m1";
    expect_wire(leave_group_req, 0, bytes, m);
}

TEST(KafkaLeaveGroup, ResponseV0) {
    const std::string bytes = wire({
        0x00, 0x19,  // error_code UNKNOWN_MEMBER_ID (25)
    });
    leave_group_response m;
    m.error_code = ec::unknown_member_id;
    expect_wire(leave_group_resp, 0, bytes, m);
}

TEST(KafkaLeaveGroup, RequestV3) {
    const std::string bytes = wire({
        0x00, 0x01, 'g',         // group_id "g"
        0x00, 0x00, 0x00, 0x02,  // members: 2
        0x00, 0x02, 'm',  '1',   //   member_id "m1"
        0xff, 0xff,              //   group_instance_id null
        0x00, 0x02, 'm',  '2',   //   member_id "m2"
        0x00, 0x02, 'i',  '2',   //   group_instance_id "i2"
    });
    leave_group_request m;
    m.group_id = "g";
    m.members.push_back({"m1", std::nullopt, std::nullopt});
    m.members.push_back({"m2", "i2", std::nullopt});
    expect_wire(leave_group_req, 3, bytes, m);
}

TEST(KafkaLeaveGroup, ResponseV3) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,  // throttle_time_ms 0
        0x00, 0x00,              // error_code NONE
        0x00, 0x00, 0x00, 0x02,  // members: 2
        0x00, 0x02, 'm',  '1',   //   member_id "m1"
        0xff, 0xff,              //   group_instance_id null
        0x00, 0x00,              //   error_code NONE
        0x00, 0x02, 'm',  '2',   //   member_id "m2"
        0x00, 0x02, 'i',  '2',   //   group_instance_id "i2"
        0x00, 0x19,              //   error_code UNKNOWN_MEMBER_ID (25)
    });
    leave_group_response m;
    m.members.push_back({"m1", std::nullopt, ec::none});
    m.members.push_back({"m2", "i2", ec::unknown_member_id});
    expect_wire(leave_group_resp, 3, bytes, m);
}

TEST(KafkaLeaveGroup, RequestV5) {
    const std::string bytes = wire({
        0x02, 'g',                 // group_id "g"
        0x02,                      // members: 1
        0x03, 'm', '1',            //   member_id "m1"
        0x00,                      //   group_instance_id null
        0x05, 'd', 'o', 'n', 'e',  //   reason "done"
        0x00,                      //   tagged fields: none
        0x00,                      // tagged fields: none
    });
    leave_group_request m;
    m.group_id = "g";
    m.members.push_back({"m1", std::nullopt, "done"});
    expect_wire(leave_group_req, 5, bytes, m);
}

TEST(KafkaLeaveGroup, ResponseV5) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,  // throttle_time_ms 0
        0x00, 0x00,              // error_code NONE
        0x02,                    // members: 1
        0x03, 'm', '1',          //   member_id "m1"
        0x00,                    //   group_instance_id null
        0x00, 0x00,              //   error_code NONE
        0x00,                    //   tagged fields: none
        0x00,                    // tagged fields: none
    });
    leave_group_response m;
    m.members.push_back({"m1", std::nullopt, ec::none});
    expect_wire(leave_group_resp, 5, bytes, m);
}

// ---- DescribeGroups -------------------------------------------------------------------

TEST(KafkaDescribeGroups, RequestV0) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x01,  // groups: 1
        0x00, 0x01, 'g',         //   "g"
    });
    expect_wire(describe_groups_req, 0, bytes, describe_groups_request{{"g"}, false});
}

TEST(KafkaDescribeGroups, ResponseV0) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x01,                                 // groups: 1
        0x00, 0x00,                                             //   error_code NONE
        0x00, 0x01, 'g',                                        //   group_id "g"
        0x00, 0x06, 'S',  't',  'a',  'b', 'l', 'e',            //   group_state "Stable"
        0x00, 0x08, 'c',  'o',  'n',  's', 'u', 'm', 'e', 'r',  //   protocol_type "consumer"
        0x00, 0x05, 'r',  'a',  'n',  'g', 'e',                 //   protocol_data "range"
        0x00, 0x00, 0x00, 0x01,                                 //   members: 1
        0x00, 0x02, 'm',  '1',                                  //     member_id "m1"
        0x00, 0x01, 'c',                                        //     client_id "c"
        0x00, 0x02, '/',  'h',                                  //     client_host "/h"
        0x00, 0x00, 0x00, 0x01, 0x01,                           //     member_metadata 01
        0x00, 0x00, 0x00, 0x01, 0x02,                           //     member_assignment 02
    });
    describe_groups_response_group g;
    g.group_id = "g";
    g.group_state = "Stable";
    g.protocol_type = "consumer";
    g.protocol_data = "range";
    g.members.push_back({"m1", std::nullopt, "c", "/h", "\x01", "\x02"});
    describe_groups_response m;
    m.groups.push_back(g);
    expect_wire(describe_groups_resp, 0, bytes, m);
}

TEST(KafkaDescribeGroups, RequestV5) {
    const std::string bytes = wire({
        0x02,       // groups: 1
        0x02, 'g',  //   "g"
        0x01,       // include_authorized_operations true
        0x00,       // tagged fields: none
    });
    expect_wire(describe_groups_req, 5, bytes, describe_groups_request{{"g"}, true});
}

TEST(KafkaDescribeGroups, ResponseV5) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,                           // throttle_time_ms 0
        0x02,                                             // groups: 1
        0x00, 0x00,                                       //   error_code NONE
        0x02, 'g',                                        //   group_id "g"
        0x07, 'S',  't',  'a',  'b', 'l', 'e',            //   group_state "Stable"
        0x09, 'c',  'o',  'n',  's', 'u', 'm', 'e', 'r',  //   protocol_type "consumer"
        0x06, 'r',  'a',  'n',  'g', 'e',                 //   protocol_data "range"
        0x02,                                             //   members: 1
        0x03, 'm',  '1',                                  //     member_id "m1"
        0x03, 'i',  '1',                                  //     group_instance_id "i1"
        0x02, 'c',                                        //     client_id "c"
        0x03, '/',  'h',                                  //     client_host "/h"
        0x02, 0x01,                                       //     member_metadata 01
        0x02, 0x02,                                       //     member_assignment 02
        0x00,                                             //     tagged fields: none
        0x00, 0x00, 0x01, 0x48,                           //   authorized_operations 0x148
        0x00,                                             //   tagged fields: none
        0x00,                                             // tagged fields: none
    });
    describe_groups_response_group g;
    g.group_id = "g";
    g.group_state = "Stable";
    g.protocol_type = "consumer";
    g.protocol_data = "range";
    g.members.push_back({"m1", "i1", "c", "/h", "\x01", "\x02"});
    g.authorized_operations = 0x148;
    describe_groups_response m;
    m.groups.push_back(g);
    expect_wire(describe_groups_resp, 5, bytes, m);
}

TEST(KafkaDescribeGroups, NullGroupsAreMalformed) {
    EXPECT_EQ(decode_error(describe_groups_req, wire({0xff, 0xff, 0xff, 0xff}), 0),
              make_error_code(errc::malformed));
    EXPECT_EQ(decode_error(describe_groups_req, wire({0x00, 0x00, 0x00}), 5),
              make_error_code(errc::malformed));
}

// ---- ListGroups -----------------------------------------------------------------------

TEST(KafkaListGroups, RequestV0IsEmpty) {
    expect_wire(list_groups_req, 0, "", list_groups_request{});
}

TEST(KafkaListGroups, ResponseV0) {
    const std::string bytes = wire({
        0x00, 0x00,                                            // error_code NONE
        0x00, 0x00, 0x00, 0x01,                                // groups: 1
        0x00, 0x01, 'g',                                       //   group_id "g"
        0x00, 0x08, 'c',  'o',  'n', 's', 'u', 'm', 'e', 'r',  //   protocol_type "consumer"
    });
    list_groups_response m;
    m.groups.push_back({"g", "consumer", ""});
    expect_wire(list_groups_resp, 0, bytes, m);
}

TEST(KafkaListGroups, RequestV4) {
    const std::string bytes = wire({
        0x02,                                // states_filter: 1
        0x07, 'S', 't', 'a', 'b', 'l', 'e',  //   "Stable"
        0x00,                                // tagged fields: none
    });
    list_groups_request m;
    m.states_filter = {"Stable"};
    expect_wire(list_groups_req, 4, bytes, m);
}

TEST(KafkaListGroups, ResponseV4) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,                           // throttle_time_ms 0
        0x00, 0x00,                                       // error_code NONE
        0x02,                                             // groups: 1
        0x02, 'g',                                        //   group_id "g"
        0x09, 'c',  'o',  'n',  's', 'u', 'm', 'e', 'r',  //   protocol_type "consumer"
        0x07, 'S',  't',  'a',  'b', 'l', 'e',            //   group_state "Stable"
        0x00,                                             //   tagged fields: none
        0x00,                                             // tagged fields: none
    });
    list_groups_response m;
    m.groups.push_back({"g", "consumer", "Stable"});
    expect_wire(list_groups_resp, 4, bytes, m);
}

// ---- DeleteGroups ---------------------------------------------------------------------

TEST(KafkaDeleteGroups, RequestV0) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x01,  // groups_names: 1
        0x00, 0x01, 'g',         //   "g"
    });
    expect_wire(delete_groups_req, 0, bytes, delete_groups_request{{"g"}});
}

TEST(KafkaDeleteGroups, ResponseV0) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,  // throttle_time_ms 0
        0x00, 0x00, 0x00, 0x01,  // results: 1
        0x00, 0x01, 'g',         //   group_id "g"
        0x00, 0x44,              //   error_code NON_EMPTY_GROUP (68)
    });
    expect_wire(delete_groups_resp, 0, bytes,
                delete_groups_response{0, {{"g", ec::non_empty_group}}});
}

TEST(KafkaDeleteGroups, RequestV2) {
    const std::string bytes = wire({
        0x02,       // groups_names: 1
        0x02, 'g',  //   "g"
        0x00,       // tagged fields: none
    });
    expect_wire(delete_groups_req, 2, bytes, delete_groups_request{{"g"}});
}

TEST(KafkaDeleteGroups, ResponseV2) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x00,  // throttle_time_ms 0
        0x02,                    // results: 1
        0x02, 'g',               //   group_id "g"
        0x00, 0x45,              //   error_code GROUP_ID_NOT_FOUND (69)
        0x00,                    //   tagged fields: none
        0x00,                    // tagged fields: none
    });
    expect_wire(delete_groups_resp, 2, bytes,
                delete_groups_response{0, {{"g", ec::group_id_not_found}}});
}

// ---- SaslHandshake / SaslAuthenticate ---------------------------------------------------

TEST(KafkaSaslHandshake, RequestV1) {
    const std::string bytes = wire({
        0x00, 0x05, 'P', 'L', 'A', 'I', 'N',  // mechanism "PLAIN"
    });
    expect_wire(sasl_handshake_req, 1, bytes, sasl_handshake_request{"PLAIN"});
}

TEST(KafkaSaslHandshake, ResponseV1) {
    const std::string bytes = wire({
        0x00, 0x21,                                       // error_code UNSUPPORTED_SASL_MECHANISM
        0x00, 0x00, 0x00, 0x02,                           // mechanisms: 2
        0x00, 0x05, 'P',  'L',  'A', 'I', 'N',            //   "PLAIN"
        0x00, 0x0d, 'S',  'C',  'R', 'A', 'M', '-', 'S',  //   "SCRAM-SHA-256"
        'H',  'A',  '-',  '2',  '5', '6',
    });
    expect_wire(
        sasl_handshake_resp, 1, bytes,
        sasl_handshake_response{ec::unsupported_sasl_mechanism, {"PLAIN", "SCRAM-SHA-256"}});
}

TEST(KafkaSaslAuthenticate, RequestV0) {
    const std::string bytes = wire({
        0x00, 0x00, 0x00, 0x04, 0x00, 'u', 0x00, 'p',  // auth_bytes "\0u\0p"
    });
    expect_wire(sasl_authenticate_req, 0, bytes,
                sasl_authenticate_request{std::string("\0u\0p", 4)});
}

TEST(KafkaSaslAuthenticate, ResponseV0) {
    const std::string bytes = wire({
        0x00, 0x00,              // error_code NONE
        0xff, 0xff,              // error_message null
        0x00, 0x00, 0x00, 0x00,  // auth_bytes (empty)
    });
    expect_wire(sasl_authenticate_resp, 0, bytes, sasl_authenticate_response{});
}

TEST(KafkaSaslAuthenticate, RequestV2) {
    const std::string bytes = wire({
        0x05, 0x00, 'u', 0x00, 'p',  // auth_bytes "\0u\0p" (compact: length + 1)
        0x00,                        // tagged fields: none
    });
    expect_wire(sasl_authenticate_req, 2, bytes,
                sasl_authenticate_request{std::string("\0u\0p", 4)});
}

TEST(KafkaSaslAuthenticate, ResponseV2) {
    const std::string bytes = wire({
        0x00, 0x3a,                                      // error_code SASL_AUTHENTICATION_FAILED
        0x04, 'b', 'a', 'd',                             // error_message "bad"
        0x01,                                            // auth_bytes (empty)
        0x00, 0x00, 0x00, 0x00, 0x00, 0x36, 0xee, 0x80,  // session_lifetime_ms 3600000
        0x00,                                            // tagged fields: none
    });
    expect_wire(sasl_authenticate_resp, 2, bytes,
                sasl_authenticate_response{ec::sasl_authentication_failed, "bad", "", 3'600'000});
}

// ---- limits -----------------------------------------------------------------------------

// A count that the bytes left cannot hold fails before anything is
// allocated for it (the reader checks it against the remaining bytes, and no
// decoder reserves by count).
TEST(KafkaGroupMessages, HugeArrayCountIsTooLarge) {
    const auto too_large = make_error_code(errc::too_large);
    // Classic INT32 count.
    EXPECT_EQ(decode_error(describe_groups_req, wire({0x7f, 0xff, 0xff, 0xff, 0x00, 0x01, 'g'}), 0),
              too_large);
    // Compact count 2^32 - 2.
    EXPECT_EQ(decode_error(describe_groups_req, wire({0xff, 0xff, 0xff, 0xff, 0x0f, 0x02, 'g'}), 5),
              too_large);
    // Nested: the partitions of a topic of OffsetCommit v2.
    const std::string nested = wire({
        0x00, 0x01, 'g',                                 // group_id "g"
        0x00, 0x00, 0x00, 0x05,                          // generation_id 5
        0x00, 0x00,                                      // member_id ""
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // retention_time_ms -1
        0x00, 0x00, 0x00, 0x01,                          // topics: 1
        0x00, 0x01, 't',                                 //   name "t"
        0x7f, 0xff, 0xff, 0xff,                          //   partitions: 2^31 - 1
        0x00, 0x00, 0x00, 0x00,                          //     partition_index 0
    });
    EXPECT_EQ(decode_error(offset_commit_req, nested, 2), too_large);
    // Primitive arrays too: OffsetFetch partition indexes.
    const std::string indexes = wire({
        0x02, 'g',               // group_id "g"
        0x02,                    // topics: 1
        0x02, 't',               //   name "t"
        0xff, 0xff, 0xff, 0x7f,  //   partition_indexes: 2^28 - 2
        0x00,                    //   tagged fields: none
        0x00,                    // tagged fields: none
    });
    EXPECT_EQ(decode_error(offset_fetch_req, indexes, 6), too_large);
}

TEST(KafkaGroupMessages, HugeStringLengthIsTooLarge) {
    EXPECT_EQ(decode_error(sasl_handshake_req, wire({0x7f, 0xff, 'P'}), 1),
              make_error_code(errc::too_large));
    EXPECT_EQ(decode_error(sasl_authenticate_req, wire({0x7f, 0xff, 0xff, 0xff, 0x00}), 0),
              make_error_code(errc::too_large));
}

// ---- fuzz corpus ------------------------------------------------------------------------

/// Seeds for the request fuzzer: every sample of `c` at its oldest and
/// newest version, named <kind>, <kind>_1, ...
template <class T>
void write_seeds(std::string_view kind, const codec_fns<T>& c, std::vector<T> (*samples)(int16_t)) {
    for (int16_t v : test::oldest_and_newest(c.key)) {
        const std::vector<T> all = samples(v);
        for (size_t i = 0; i < all.size(); ++i) {
            std::string name(kind);
            if (i > 0) name += "_" + std::to_string(i);
            test::write_request_seed(c.key, v, name, encode(c, all[i], v));
        }
    }
}

TEST(KafkaGroupCorpus, WritesSeeds) {
    if (!test::writing_corpus()) {
        GTEST_SKIP() << "set KAFKA_CODEC_WRITE_CORPUS=1 to (re)write the seed corpus";
    }
    write_seeds("request", offset_commit_req, offset_commit_requests);
    write_seeds("response", offset_commit_resp, offset_commit_responses);
    write_seeds("request", offset_fetch_req, offset_fetch_requests);
    write_seeds("response", offset_fetch_resp, offset_fetch_responses);
    write_seeds("request", find_coordinator_req, find_coordinator_requests);
    write_seeds("response", find_coordinator_resp, find_coordinator_responses);
    write_seeds("request", join_group_req, join_group_requests);
    write_seeds("response", join_group_resp, join_group_responses);
    write_seeds("request", heartbeat_req, heartbeat_requests);
    write_seeds("response", heartbeat_resp, heartbeat_responses);
    write_seeds("request", leave_group_req, leave_group_requests);
    write_seeds("response", leave_group_resp, leave_group_responses);
    write_seeds("request", sync_group_req, sync_group_requests);
    write_seeds("response", sync_group_resp, sync_group_responses);
    write_seeds("request", describe_groups_req, describe_groups_requests);
    write_seeds("response", describe_groups_resp, describe_groups_responses);
    write_seeds("request", list_groups_req, list_groups_requests);
    write_seeds("response", list_groups_resp, list_groups_responses);
    write_seeds("request", delete_groups_req, delete_groups_requests);
    write_seeds("response", delete_groups_resp, delete_groups_responses);
    write_seeds("request", sasl_handshake_req, sasl_handshake_requests);
    write_seeds("response", sasl_handshake_resp, sasl_handshake_responses);
    write_seeds("request", sasl_authenticate_req, sasl_authenticate_requests);
    write_seeds("response", sasl_authenticate_resp, sasl_authenticate_responses);
}

}  // namespace
}  // namespace robust::kafka::codec
