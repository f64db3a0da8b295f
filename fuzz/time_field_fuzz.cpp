// parse_time_field(): SMPP schedule_delivery_time / validity_period text on arbitrary bytes,
// against two fixed `now`s (one on a month's last day, so the calendar clamping runs). Never
// crashes (UBSan catches overflow); it accepts only "" and 16-character fields; an absolute time
// lies within 2000-2099 give or take the 12-hour offset; a relative one is never before `now`.
#include "smpp/codec/time_field.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

using namespace std::chrono;

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const system_clock::time_point nows[] = {
        sys_days{year{2026} / 11 / 24} + hours(4),
        sys_days{year{2024} / 1 / 31} + hours(23) + minutes(59) + seconds(59),
    };
    const auto lowest = sys_days{year{1999} / 12 / 31};
    const auto highest = sys_days{year{2100} / 1 / 2};
    for (const auto now : nows) {
        auto r = bindery::smpp::parse_time_field(text, now);
        if (!r) {
            check(!text.empty());
            check(r.error().offset < 16);
            continue;
        }
        check(text.empty() == !r->has_value());
        if (!r->has_value()) continue;
        check(text.size() == 16);
        const auto& f = **r;
        if (f.kind == bindery::smpp::TimeFieldKind::absolute) {
            check(f.at >= lowest && f.at < highest);
        } else {
            check(f.at >= now);
        }
    }
    return 0;
}
