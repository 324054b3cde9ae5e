#include "kafka/codec/messages/describe_configs.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::describe_configs;

}  // namespace

result<describe_configs_request> decode_describe_configs_request(std::span<const std::byte> body,
                                                                 int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    describe_configs_request out;
    r.array(out.resources, [&](describe_configs_resource& res) {
        res.resource_type = r.i8();
        res.resource_name = r.string();
        r.nullable_array(res.configuration_keys, [&](std::string& k) { k = r.string(); });
        r.tagged_fields();
    });
    if (version >= 1) out.include_synonyms = r.boolean();
    if (version >= 3) out.include_documentation = r.boolean();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

void encode_describe_configs_request(writer& w, const describe_configs_request& r,
                                     int16_t version) {
    detail::check_writer(w, key, version);
    w.array(r.resources, [&](const describe_configs_resource& res) {
        w.i8(res.resource_type);
        w.string(res.resource_name);
        w.nullable_array(res.configuration_keys, [&](const std::string& k) { w.string(k); });
        w.tagged_fields();
    });
    if (version >= 1) w.boolean(r.include_synonyms);
    if (version >= 3) w.boolean(r.include_documentation);
    w.tagged_fields();
}

void encode_describe_configs_response(writer& w, const describe_configs_response& r,
                                      int16_t version) {
    detail::check_writer(w, key, version);
    w.i32(r.throttle_time_ms);
    w.array(r.results, [&](const describe_configs_result& res) {
        w.i16(static_cast<int16_t>(res.error_code));
        w.nullable_string(res.error_message);
        w.i8(res.resource_type);
        w.string(res.resource_name);
        w.array(res.configs, [&](const describe_configs_entry& c) {
            w.string(c.name);
            w.nullable_string(c.value);
            w.boolean(c.read_only);
            if (version == 0) w.boolean(c.is_default);
            if (version >= 1) w.i8(c.config_source);
            w.boolean(c.is_sensitive);
            if (version >= 1) {
                w.array(c.synonyms, [&](const describe_configs_synonym& s) {
                    w.string(s.name);
                    w.nullable_string(s.value);
                    w.i8(s.source);
                    w.tagged_fields();
                });
            }
            if (version >= 3) {
                w.i8(c.config_type);
                w.nullable_string(c.documentation);
            }
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    w.tagged_fields();
}

result<describe_configs_response> decode_describe_configs_response(std::span<const std::byte> body,
                                                                   int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    describe_configs_response out;
    out.throttle_time_ms = r.i32();
    r.array(out.results, [&](describe_configs_result& res) {
        res.error_code = static_cast<error_code>(r.i16());
        res.error_message = r.nullable_string();
        res.resource_type = r.i8();
        res.resource_name = r.string();
        r.array(res.configs, [&](describe_configs_entry& c) {
            c.name = r.string();
            c.value = r.nullable_string();
            c.read_only = r.boolean();
            if (version == 0) c.is_default = r.boolean();
            if (version >= 1) c.config_source = r.i8();
            c.is_sensitive = r.boolean();
            if (version >= 1) {
                r.array(c.synonyms, [&](describe_configs_synonym& s) {
                    s.name = r.string();
                    s.value = r.nullable_string();
                    s.source = r.i8();
                    r.tagged_fields();
                });
            }
            if (version >= 3) {
                c.config_type = r.i8();
                c.documentation = r.nullable_string();
            }
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

}  // namespace robust::kafka::codec
