#pragma once
// strong_id<T, Tag>: a number that cannot be mixed up with another kind of
// number (an offset with a shard id, a packet id with a count).

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace robust {

template <class T, class Tag>
class strong_id {
public:
    using value_type = T;
    constexpr strong_id() = default;
    constexpr explicit strong_id(T v) : v_(v) {}
    constexpr T value() const noexcept { return v_; }
    constexpr auto operator<=>(const strong_id&) const = default;
    friend std::ostream& operator<<(std::ostream& os, strong_id id) { return os << id.v_; }

private:
    T v_{};
};

}  // namespace robust

template <class T, class Tag>
struct std::hash<robust::strong_id<T, Tag>> {
    size_t operator()(robust::strong_id<T, Tag> id) const noexcept {
        return std::hash<T>{}(id.value());
    }
};
