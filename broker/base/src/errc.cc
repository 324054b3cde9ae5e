#include "base/errc.h"

#include <string>

namespace robust {
namespace {
class robust_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "robust"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::success:
                return "success";
            case errc::need_more_data:
                return "need more data";
            case errc::malformed:
                return "malformed input";
            case errc::protocol_error:
                return "protocol error";
            case errc::too_large:
                return "size above the configured limit";
            case errc::not_found:
                return "not found";
            case errc::already_exists:
                return "already exists";
            case errc::invalid_argument:
                return "invalid argument";
            case errc::io_error:
                return "I/O error";
            case errc::corruption:
                return "corruption";
            case errc::shutting_down:
                return "shutting down";
            case errc::limit_exceeded:
                return "limit exceeded";
            case errc::timeout:
                return "timed out";
            case errc::unsupported:
                return "unsupported";
            case errc::not_authorized:
                return "not authorized";
        }
        return "unknown error " + std::to_string(ev);
    }
};
}  // namespace

const std::error_category& robust_category() noexcept {
    static const robust_category_impl instance;
    return instance;
}
}  // namespace robust
