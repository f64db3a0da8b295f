#pragma once
// A small Expected<T, E>: a value or an error, never both. Debian 12's clang 14 with libstdc++ 12
// cannot compile <expected>, and the fuzz build needs clang, so Bindery carries this one.
// Accessing the wrong alternative is a programmer error: a debug assert, else std::terminate (the
// accessors are noexcept; never reached from input handling, which checks has_value()).

#include <cassert>
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

namespace bindery {

template <class E>
class Unexpected {
public:
    explicit constexpr Unexpected(E e) : error_(std::move(e)) {}
    constexpr const E& error() const& noexcept { return error_; }
    constexpr E&& error() && noexcept { return std::move(error_); }

private:
    E error_;
};

template <class E>
Unexpected(E) -> Unexpected<E>;

template <class T, class E>
class [[nodiscard]] Expected {
public:
    using value_type = T;
    using error_type = E;

    template <class U = T, std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                !std::is_same_v<std::decay_t<U>, Expected>,
                                            int> = 0>
    constexpr Expected(U&& v) : storage_(std::in_place_index<0>, std::forward<U>(v)) {}  // NOLINT
    template <class G>
    constexpr Expected(Unexpected<G> u)  // NOLINT
        : storage_(std::in_place_index<1>, std::move(u).error()) {}

    constexpr bool has_value() const noexcept { return storage_.index() == 0; }
    constexpr explicit operator bool() const noexcept { return has_value(); }

    constexpr T& value() & noexcept { return checked_value(); }
    constexpr const T& value() const& noexcept {
        return const_cast<Expected*>(this)->checked_value();
    }
    constexpr T&& value() && noexcept { return std::move(checked_value()); }
    constexpr T& operator*() & noexcept { return value(); }
    constexpr const T& operator*() const& noexcept { return value(); }
    constexpr T&& operator*() && noexcept { return std::move(checked_value()); }
    constexpr T* operator->() noexcept { return &value(); }
    constexpr const T* operator->() const noexcept { return &value(); }

    constexpr E& error() & noexcept { return checked_error(); }
    constexpr const E& error() const& noexcept {
        return const_cast<Expected*>(this)->checked_error();
    }
    constexpr E&& error() && noexcept { return std::move(checked_error()); }

    template <class U>
    constexpr T value_or(U&& fallback) const& {
        return has_value() ? std::get<0>(storage_) : static_cast<T>(std::forward<U>(fallback));
    }

private:
    // std::get_if, not std::get: std::get throws, and a throw out of a noexcept accessor ends in
    // std::terminate anyway; this says so instead of leaving it to the noexcept.
    constexpr T& checked_value() noexcept {
        assert(has_value());
        if (auto* v = std::get_if<0>(&storage_)) return *v;
        std::terminate();
    }
    constexpr E& checked_error() noexcept {
        assert(!has_value());
        if (auto* e = std::get_if<1>(&storage_)) return *e;
        std::terminate();
    }
    std::variant<T, E> storage_;
};

// Expected<void, E>: success or an error.
template <class E>
class [[nodiscard]] Expected<void, E> {
public:
    constexpr Expected() noexcept = default;
    template <class G>
    constexpr Expected(Unexpected<G> u)
        : error_(std::move(u).error()), has_error_(true) {}  // NOLINT

    constexpr bool has_value() const noexcept { return !has_error_; }
    constexpr explicit operator bool() const noexcept { return has_value(); }
    constexpr const E& error() const& noexcept {
        assert(has_error_);
        return error_;
    }

private:
    E error_{};
    bool has_error_ = false;
};

}  // namespace bindery
