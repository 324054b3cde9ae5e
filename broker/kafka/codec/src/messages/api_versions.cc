#include "kafka/codec/messages/api_versions.h"

#include <string_view>

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::api_versions;

}  // namespace

result<api_versions_request> decode_api_versions_request(std::span<const std::byte> body,
                                                         int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    api_versions_request out;
    if (version >= 3) {
        out.client_software_name = r.string();
        out.client_software_version = r.string();
    }
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

void encode_api_versions_request(writer& w, const api_versions_request& r, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 3) {
        w.string(r.client_software_name);
        w.string(r.client_software_version);
    }
    w.tagged_fields();
}

void encode_api_versions_response(writer& w, const api_versions_response& r, int16_t version) {
    detail::check_writer(w, key, version);
    w.i16(static_cast<int16_t>(r.error_code));
    w.array(r.api_keys, [&](const api_versions_response_key& k) {
        w.i16(k.api_key);
        w.i16(k.min_version);
        w.i16(k.max_version);
        w.tagged_fields();
    });
    if (version >= 1) w.i32(r.throttle_time_ms);
    tagged_section tags;
    if (!r.supported_features.empty()) {
        tags.add(0, [&](writer& f) {
            f.array(r.supported_features, [&](const api_versions_supported_feature& s) {
                f.string(s.name);
                f.i16(s.min_version);
                f.i16(s.max_version);
                f.tagged_fields();
            });
        });
    }
    if (r.finalized_features_epoch != -1) {
        tags.add(1, [&](writer& f) { f.i64(r.finalized_features_epoch); });
    }
    if (!r.finalized_features.empty()) {
        tags.add(2, [&](writer& f) {
            f.array(r.finalized_features, [&](const api_versions_finalized_feature& s) {
                f.string(s.name);
                f.i16(s.max_version_level);
                f.i16(s.min_version_level);
                f.tagged_fields();
            });
        });
    }
    if (r.zk_migration_ready) tags.add(3, [](writer& f) { f.boolean(true); });
    w.tagged_fields(tags);
}

result<api_versions_response> decode_api_versions_response(std::span<const std::byte> body,
                                                           int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    api_versions_response out;
    out.error_code = static_cast<error_code>(r.i16());
    r.array(out.api_keys, [&](api_versions_response_key& k) {
        k.api_key = r.i16();
        k.min_version = r.i16();
        k.max_version = r.i16();
        r.tagged_fields();
    });
    if (version >= 1) out.throttle_time_ms = r.i32();
    r.tagged_fields([&](uint32_t tag, reader& f) {
        switch (tag) {
            case 0:
                f.array(out.supported_features, [&](api_versions_supported_feature& s) {
                    s.name = f.string();
                    s.min_version = f.i16();
                    s.max_version = f.i16();
                    f.tagged_fields();
                });
                break;
            case 1:
                out.finalized_features_epoch = f.i64();
                break;
            case 2:
                f.array(out.finalized_features, [&](api_versions_finalized_feature& s) {
                    s.name = f.string();
                    s.max_version_level = f.i16();
                    s.min_version_level = f.i16();
                    f.tagged_fields();
                });
                break;
            case 3:
                out.zk_migration_ready = f.boolean();
                break;
            default:
                break;
        }
    });
    if (!r.ok()) return r.error();
    return out;
}

std::vector<api_versions_response_key> supported_api_versions() {
    std::vector<api_versions_response_key> out;
    for (const api_support& a : supported_apis()) {
        out.push_back({static_cast<int16_t>(a.key), a.min_version, a.max_version});
    }
    return out;
}

std::string encode_api_versions_fallback_response(int32_t correlation_id) {
    api_versions_response r;
    r.error_code = error_code::unsupported_version;
    r.api_keys = supported_api_versions();
    writer w(false);
    write_response_header(w, key, 0, correlation_id);
    encode_api_versions_response(w, r, 0);
    return frame(w.take());
}

}  // namespace robust::kafka::codec
