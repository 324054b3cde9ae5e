#pragma once
// One handler per Kafka API (one file each, as the API's name). A handler
// runs on the connection's thread, decodes the body, does the work —
// handing blocking parts to server_impl::run_blocking and journal
// callbacks — and answers exactly once through request::respond (or
// request::no_response), from any thread.

#include "../connection.h"
#include "../server_impl.h"

namespace robust::kafka {

void handle_api_versions(server_impl& s, const request& r);
void handle_metadata(server_impl& s, const request& r);
void handle_produce(server_impl& s, const request& r);
void handle_fetch(server_impl& s, const request& r);
void handle_list_offsets(server_impl& s, const request& r);
void handle_init_producer_id(server_impl& s, const request& r);
void handle_create_topics(server_impl& s, const request& r);
void handle_delete_topics(server_impl& s, const request& r);
void handle_create_partitions(server_impl& s, const request& r);
void handle_delete_records(server_impl& s, const request& r);
void handle_describe_configs(server_impl& s, const request& r);
void handle_find_coordinator(server_impl& s, const request& r);
void handle_join_group(server_impl& s, const request& r);
void handle_sync_group(server_impl& s, const request& r);
void handle_heartbeat(server_impl& s, const request& r);
void handle_leave_group(server_impl& s, const request& r);
void handle_offset_commit(server_impl& s, const request& r);
void handle_offset_fetch(server_impl& s, const request& r);
void handle_describe_groups(server_impl& s, const request& r);
void handle_list_groups(server_impl& s, const request& r);
void handle_delete_groups(server_impl& s, const request& r);
void handle_sasl_handshake(server_impl& s, const request& r);
void handle_sasl_authenticate(server_impl& s, const request& r);
/// A bare SASL token after a SaslHandshake v0 (connection::sasl_state):
/// answered with a bare token, or the connection is closed on failure.
void handle_sasl_raw_token(server_impl& s, const request& r);

/// The request body could not be decoded: logs and closes the connection
/// (Kafka does the same: there is no response to a request it cannot read).
void reject_malformed(const request& r, std::error_code ec);

}  // namespace robust::kafka
