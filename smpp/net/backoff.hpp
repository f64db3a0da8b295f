#pragma once
// Reconnect policy for one carrier bind: exponential backoff with full jitter (delay drawn
// uniformly from [0, min(max, initial * multiplier^attempt)]), a longer schedule after the
// carrier rejected the bind itself (ESME_RBINDFAIL / ESME_RINVPASWD / ESME_RINVSYSID /
// ESME_RINVSYSTYP: a configuration problem that hammering will not fix), and a reset once a bind
// stayed up for `stable_after`. No clock reads: `now` is passed in; the random source is seeded by
// the owner.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

#include "smpp/base/clock.hpp"
#include "smpp/codec/command.hpp"

namespace bindery::smpp {

struct BackoffConfig {
    Duration initial = std::chrono::milliseconds(500);  // first retry ceiling
    Duration max = std::chrono::seconds(30);            // ceiling for network failures
    Duration bind_failure_initial = std::chrono::seconds(10);
    Duration bind_failure_max = std::chrono::minutes(5);
    Duration stable_after = std::chrono::seconds(30);  // bound this long: forget past failures
    // Growth of the network schedule's ceiling per consecutive failure (initial, max); 1 keeps it
    // at `initial`, below 1 is taken as 1. The bind-failure schedule always doubles.
    double multiplier = 2.0;
};

enum class RetryCause : std::uint8_t {
    network,    // connect refused/timed out, link dropped, response timeouts
    throttled,  // bind answered ESME_RTHROTTLED / too many binds: back off like network
    rejected,   // credentials or system_type refused
};

// The class of a bind_*_resp status that is not ESME_ROK.
[[nodiscard]] RetryCause classify_bind_status(CommandStatus status) noexcept;

class ReconnectBackoff {
public:
    explicit ReconnectBackoff(BackoffConfig config = {},
                              std::uint64_t seed = std::random_device{}());

    // Records a failure and returns how long to wait before the next attempt.
    [[nodiscard]] Duration next_delay(RetryCause failure);
    // The ceiling the next delay of this kind would be drawn under (for tests and logs).
    [[nodiscard]] Duration ceiling(RetryCause failure) const noexcept;

    // The bind came up at `now`.
    void on_bound(TimePoint now) noexcept { bound_since_ = now; }
    // The bind went down at `now`: a bind that stayed up for stable_after resets the schedule.
    void on_unbound(TimePoint now) noexcept;
    void reset() noexcept {
        attempts_ = 0;
        rejected_attempts_ = 0;
    }

    [[nodiscard]] unsigned attempts() const noexcept { return attempts_; }
    [[nodiscard]] const BackoffConfig& config() const noexcept { return config_; }

private:
    BackoffConfig config_;
    std::mt19937_64 rng_;
    unsigned attempts_ = 0;           // consecutive failures of any kind
    unsigned rejected_attempts_ = 0;  // consecutive bind rejections
    std::optional<TimePoint> bound_since_;
};

}  // namespace bindery::smpp
