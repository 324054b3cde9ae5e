// DeleteGroups: a group without members goes, with its committed offsets.
#include "kafka/codec/messages/delete_groups.h"
#include "../group_service.h"
#include "handlers.h"

namespace robust::kafka {

void handle_delete_groups(server_impl& s, const request& r) {
    auto req = codec::decode_delete_groups_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const std::string tenant = r.conn().identity().tenant;
    s.run_blocking([&s, r, tenant, req = std::move(*req)] {
        codec::delete_groups_response resp;
        for (const auto& name : req.groups_names) {
            codec::delete_groups_response_result out;
            out.group_id = name;
            auto id = group_service::scoped_id(tenant, name);
            if (!id) {
                out.error_code = codec::error_code::invalid_group_id;
                resp.results.push_back(std::move(out));
                continue;
            }
            const std::string key = group_service::offsets_key(tenant, name);
            const bool has_offsets = s.groups().has_offsets(tenant, name);
            auto e = s.groups().with(
                [&](groups::group_coordinator& c, int64_t) { return c.delete_group(*id); });
            if (e == codec::error_code::group_id_not_found && has_offsets) {
                e = codec::error_code::none;
            }
            if (e == codec::error_code::none && has_offsets) {
                if (auto done = s.journal().delete_positions(key); !done) {
                    e = codec::error_code::kafka_storage_error;
                }
                s.groups().forget_metadata(key);
            }
            out.error_code = e;
            resp.results.push_back(std::move(out));
        }
        r.respond(
            [&](codec::writer& w) { codec::encode_delete_groups_response(w, resp, r.version()); });
    });
}

}  // namespace robust::kafka
