#pragma once
// result<T>: a value or a std::error_code, for expected failures.
// API follows std::expected (which g++ 12 lacks in C++20): has_value(),
// value(), error(), operator*, operator->. Must be looked at ([[nodiscard]]).

#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace robust {

template <class T>
class [[nodiscard]] result {
public:
    using value_type = T;

    result(const T& v) : v_(std::in_place_index<0>, v) {}          // NOLINT: implicit by design
    result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}    // NOLINT
    result(std::error_code ec) : v_(std::in_place_index<1>, ec) {  // NOLINT
        BROKER_ASSERT(ec, "result constructed from an empty error_code");
    }
    template <class E, std::enable_if_t<std::is_error_code_enum_v<E>, int> = 0>
    result(E e) : result(make_error_code(e)) {}  // NOLINT

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & {
        BROKER_ASSERT(has_value(), "value() on an error result: " << error().message());
        return std::get<0>(v_);
    }
    const T& value() const& {
        BROKER_ASSERT(has_value(), "value() on an error result: " << error().message());
        return std::get<0>(v_);
    }
    T&& value() && {
        BROKER_ASSERT(has_value(), "value() on an error result: " << error().message());
        return std::get<0>(std::move(v_));
    }
    const std::error_code& error() const {
        BROKER_ASSERT(!has_value(), "error() on a value result");
        return std::get<1>(v_);
    }

    template <class U>
    T value_or(U&& fallback) const& {
        return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
    }

    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, std::error_code> v_;
};

template <>
class [[nodiscard]] result<void> {
public:
    result() = default;
    result(std::error_code ec) : ec_(ec) {}  // NOLINT
    template <class E, std::enable_if_t<std::is_error_code_enum_v<E>, int> = 0>
    result(E e) : ec_(make_error_code(e)) {}  // NOLINT

    bool has_value() const noexcept { return !ec_; }
    explicit operator bool() const noexcept { return has_value(); }
    void value() const { BROKER_ASSERT(has_value(), "value() on an error: " << ec_.message()); }
    const std::error_code& error() const { return ec_; }

private:
    std::error_code ec_;
};

/// A result without a value: success, or why not.
using status = result<void>;

/// Deliberately ignores a result; greppable, like RocksDB's PermitUncheckedError.
template <class T>
void ignore_result(const result<T>&) noexcept {}

}  // namespace robust
