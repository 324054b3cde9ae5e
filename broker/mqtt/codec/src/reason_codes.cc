#include "mqtt/codec/reason_codes.h"

namespace robust::mqtt::codec {

const char* reason_name(uint8_t code) noexcept {
    switch (code) {
        case 0x00:
            return "success";
        case 0x01:
            return "granted QoS 1";
        case 0x02:
            return "granted QoS 2";
        case 0x04:
            return "disconnect with will message";
        case 0x10:
            return "no matching subscribers";
        case 0x11:
            return "no subscription existed";
        case 0x18:
            return "continue authentication";
        case 0x19:
            return "re-authenticate";
        case 0x80:
            return "unspecified error";
        case 0x81:
            return "malformed packet";
        case 0x82:
            return "protocol error";
        case 0x83:
            return "implementation specific error";
        case 0x84:
            return "unsupported protocol version";
        case 0x85:
            return "client identifier not valid";
        case 0x86:
            return "bad user name or password";
        case 0x87:
            return "not authorized";
        case 0x88:
            return "server unavailable";
        case 0x89:
            return "server busy";
        case 0x8A:
            return "banned";
        case 0x8B:
            return "server shutting down";
        case 0x8C:
            return "bad authentication method";
        case 0x8D:
            return "keep alive timeout";
        case 0x8E:
            return "session taken over";
        case 0x8F:
            return "topic filter invalid";
        case 0x90:
            return "topic name invalid";
        case 0x91:
            return "packet identifier in use";
        case 0x92:
            return "packet identifier not found";
        case 0x93:
            return "receive maximum exceeded";
        case 0x94:
            return "topic alias invalid";
        case 0x95:
            return "packet too large";
        case 0x96:
            return "message rate too high";
        case 0x97:
            return "quota exceeded";
        case 0x98:
            return "administrative action";
        case 0x99:
            return "payload format invalid";
        case 0x9A:
            return "retain not supported";
        case 0x9B:
            return "QoS not supported";
        case 0x9C:
            return "use another server";
        case 0x9D:
            return "server moved";
        case 0x9E:
            return "shared subscriptions not supported";
        case 0x9F:
            return "connection rate exceeded";
        case 0xA0:
            return "maximum connect time";
        case 0xA1:
            return "subscription identifiers not supported";
        case 0xA2:
            return "wildcard subscriptions not supported";
        default:
            return "unknown reason code";
    }
}

const char* connect_return_name(uint8_t code) noexcept {
    switch (code) {
        case 0:
            return "connection accepted";
        case 1:
            return "unacceptable protocol version";
        case 2:
            return "identifier rejected";
        case 3:
            return "server unavailable";
        case 4:
            return "bad user name or password";
        case 5:
            return "not authorized";
        default:
            return "unknown return code";
    }
}

bool reason_allowed(packet_type type, uint8_t code) noexcept {
    using namespace reason;
    switch (type) {
        case packet_type::connack:  // section 3.2.2.2, table 3-1
            switch (code) {
                case success:
                case unspecified_error:
                case malformed_packet:
                case protocol_error:
                case implementation_specific_error:
                case unsupported_protocol_version:
                case client_identifier_not_valid:
                case bad_user_name_or_password:
                case not_authorized:
                case server_unavailable:
                case server_busy:
                case banned:
                case bad_authentication_method:
                case topic_name_invalid:
                case packet_too_large:
                case quota_exceeded:
                case payload_format_invalid:
                case retain_not_supported:
                case qos_not_supported:
                case use_another_server:
                case server_moved:
                case connection_rate_exceeded:
                    return true;
                default:
                    return false;
            }
        case packet_type::puback:  // section 3.4.2.1, table 3-4
        case packet_type::pubrec:  // section 3.5.2.1, table 3-5
            switch (code) {
                case success:
                case no_matching_subscribers:
                case unspecified_error:
                case implementation_specific_error:
                case not_authorized:
                case topic_name_invalid:
                case packet_identifier_in_use:
                case quota_exceeded:
                case payload_format_invalid:
                    return true;
                default:
                    return false;
            }
        case packet_type::pubrel:   // section 3.6.2.1, table 3-6
        case packet_type::pubcomp:  // section 3.7.2.1, table 3-7
            return code == success || code == packet_identifier_not_found;
        case packet_type::suback:  // section 3.9.3, table 3-8
            switch (code) {
                case granted_qos_0:
                case granted_qos_1:
                case granted_qos_2:
                case unspecified_error:
                case implementation_specific_error:
                case not_authorized:
                case topic_filter_invalid:
                case packet_identifier_in_use:
                case quota_exceeded:
                case shared_subscriptions_not_supported:
                case subscription_identifiers_not_supported:
                case wildcard_subscriptions_not_supported:
                    return true;
                default:
                    return false;
            }
        case packet_type::unsuback:  // section 3.11.3, table 3-9
            switch (code) {
                case success:
                case no_subscription_existed:
                case unspecified_error:
                case implementation_specific_error:
                case not_authorized:
                case topic_filter_invalid:
                case packet_identifier_in_use:
                    return true;
                default:
                    return false;
            }
        case packet_type::disconnect:  // section 3.14.2.1, table 3-10
            switch (code) {
                case normal_disconnection:
                case disconnect_with_will_message:
                case unspecified_error:
                case malformed_packet:
                case protocol_error:
                case implementation_specific_error:
                case not_authorized:
                case server_busy:
                case server_shutting_down:
                case keep_alive_timeout:
                case session_taken_over:
                case topic_filter_invalid:
                case topic_name_invalid:
                case receive_maximum_exceeded:
                case topic_alias_invalid:
                case packet_too_large:
                case message_rate_too_high:
                case quota_exceeded:
                case administrative_action:
                case payload_format_invalid:
                case retain_not_supported:
                case qos_not_supported:
                case use_another_server:
                case server_moved:
                case shared_subscriptions_not_supported:
                case connection_rate_exceeded:
                case maximum_connect_time:
                case subscription_identifiers_not_supported:
                case wildcard_subscriptions_not_supported:
                    return true;
                default:
                    return false;
            }
        case packet_type::auth:  // section 3.15.2.1, table 3-11
            return code == success || code == continue_authentication || code == re_authenticate;
        default:
            return false;
    }
}

}  // namespace robust::mqtt::codec
