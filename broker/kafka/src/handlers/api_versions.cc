// ApiVersions: the versions of every API we implement (codec/api.cc), so a
// client picks the newest version both sides know.
#include "kafka/codec/messages/api_versions.h"
#include "handlers.h"

namespace robust::kafka {

void handle_api_versions(server_impl&, const request& r) {
    auto req = codec::decode_api_versions_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    codec::api_versions_response resp;
    resp.api_keys = codec::supported_api_versions();
    r.respond([&](codec::writer& w) { codec::encode_api_versions_response(w, resp, r.version()); });
}

}  // namespace robust::kafka
