#include "app/smpp_timing.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string_view>

namespace bindery::app {
namespace {

using namespace std::chrono;
using smpp::CommandStatus;

// 2026-11-24 04:30:15.250 UTC
const router::SystemTime kNow = time_point_cast<router::SystemClock::duration>(
    sys_days{year{2026} / 11 / 24} + hours(4) + minutes(30) + seconds(15) + milliseconds(250));

struct Case {
    std::string_view schedule, validity;
    CommandStatus status;
    std::optional<router::SystemTime> schedule_at;
    std::optional<seconds> validity_out;
};

TEST(SubmitTiming, MapsScheduleAndValidityToTheRoutersFieldsTableDriven) {
    const SubmitTimingLimits limits;  // 72 h validity, 30 days ahead
    const auto at = [](int d, int h, int mi = 0, int s = 0) {
        return router::SystemTime(sys_days{year{2026} / 11 / d} + hours(h) + minutes(mi) +
                                  seconds(s));
    };
    const Case cases[] = {
        {"", "", CommandStatus::ESME_ROK, std::nullopt, std::nullopt},
        // absolute schedule (UTC, and 3 h 30 ahead of UTC), absolute validity counted from it
        {"261124063000000+", "", CommandStatus::ESME_ROK, at(24, 6, 30), std::nullopt},
        {"261124100000014+", "261125063000000+", CommandStatus::ESME_ROK, at(24, 6, 30), hours(24)},
        // relative schedule from now; relative validity from now too (not from the schedule)
        {"000000010000000R", "000000030000000R", CommandStatus::ESME_ROK, kNow + hours(1),
         hours(2)},
        {"", "000001000000000R", CommandStatus::ESME_ROK, std::nullopt, hours(24)},
        // absolute validity without a schedule: rounded up to whole seconds
        {"", "261124053015000+", CommandStatus::ESME_ROK, std::nullopt, seconds(3600)},
        {"", "261124053016000+", CommandStatus::ESME_ROK, std::nullopt, seconds(3601)},
        // a zero relative validity is "the default"; a zero relative schedule is now
        {"000000000000000R", "000000000000000R", CommandStatus::ESME_ROK, std::nullopt,
         std::nullopt},
        // past schedules mean now
        {"261124000000000+", "", CommandStatus::ESME_ROK, std::nullopt, std::nullopt},
        // validity past the maximum is capped
        {"", "000010000000000R", CommandStatus::ESME_ROK, std::nullopt, hours(72)},
        // 30 days ahead is the limit
        {"000030000000000R", "", CommandStatus::ESME_ROK, kNow + days(30), std::nullopt},
        {"000030000001000R", "", CommandStatus::ESME_RINVSCHED, std::nullopt, std::nullopt},
        // malformed
        {"261124063000049+", "", CommandStatus::ESME_RINVSCHED, std::nullopt, std::nullopt},
        {"26112406300000+", "", CommandStatus::ESME_RINVSCHED, std::nullopt, std::nullopt},
        {"", "261131000000000+", CommandStatus::ESME_RINVEXPIRY, std::nullopt, std::nullopt},
        {"", "26113100000000R0", CommandStatus::ESME_RINVEXPIRY, std::nullopt, std::nullopt},
        // expired already, or before it is due
        {"", "261124043015000+", CommandStatus::ESME_RINVEXPIRY, std::nullopt, std::nullopt},
        {"000000020000000R", "000000010000000R", CommandStatus::ESME_RINVEXPIRY, std::nullopt,
         std::nullopt},
        {"261124063000000+", "261124063000000+", CommandStatus::ESME_RINVEXPIRY, std::nullopt,
         std::nullopt},
        // both bad: the schedule is named
        {"x", "y", CommandStatus::ESME_RINVSCHED, std::nullopt, std::nullopt},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.schedule) + " / " + std::string(c.validity));
        auto t = submit_timing(c.schedule, c.validity, kNow, limits);
        if (c.status != CommandStatus::ESME_ROK) {
            ASSERT_FALSE(t);
            EXPECT_EQ(t.error(), c.status);
            continue;
        }
        ASSERT_TRUE(t) << smpp::to_string(t.error());
        EXPECT_EQ(t->schedule_at, c.schedule_at);
        EXPECT_EQ(t->validity, c.validity_out);
    }
}

TEST(SubmitTiming, DataSmTimeToLiveIsItsValidity) {
    const SubmitTimingLimits limits;
    EXPECT_FALSE(data_sm_timing(std::nullopt, limits).validity);
    EXPECT_FALSE(data_sm_timing(0, limits).validity);
    EXPECT_EQ(data_sm_timing(600, limits).validity, seconds(600));
    EXPECT_EQ(data_sm_timing(0xFFFFFFFFU, limits).validity, hours(72));
    EXPECT_FALSE(data_sm_timing(600, limits).schedule_at);
}

}  // namespace
}  // namespace bindery::app
