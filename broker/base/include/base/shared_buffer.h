#pragma once
// shared_buffer: an immutable, reference-counted byte string. Copies share
// the bytes (one atomic increment), so one message payload can be handed to
// many sessions on many threads without copying it.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace robust {

class shared_buffer {
public:
    shared_buffer() = default;
    explicit shared_buffer(std::string bytes)
        : data_(bytes.empty() ? nullptr : std::make_shared<const std::string>(std::move(bytes))) {}

    std::string_view view() const noexcept {
        return data_ ? std::string_view(*data_) : std::string_view();
    }
    std::span<const std::byte> bytes() const noexcept {
        auto v = view();
        return {reinterpret_cast<const std::byte*>(v.data()), v.size()};
    }
    size_t size() const noexcept { return data_ ? data_->size() : 0; }
    bool empty() const noexcept { return size() == 0; }
    const std::string& str() const noexcept {
        static const std::string empty;
        return data_ ? *data_ : empty;
    }
    friend bool operator==(const shared_buffer& a, const shared_buffer& b) {
        return a.view() == b.view();
    }

private:
    std::shared_ptr<const std::string> data_;
};

inline std::span<const std::byte> as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
inline std::string_view as_string_view(std::span<const std::byte> b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace robust
