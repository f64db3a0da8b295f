// The soak's growth criterion (tools/soak/growth.hpp): a leak keeps its slope over the second half
// of the run and fails; warm-up growth that levels off, noise and a flat line pass.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tools/soak/growth.hpp"

namespace bindery::soak {
namespace {

std::vector<Sample> series(int n, double (*f)(double)) {
    std::vector<Sample> out;
    for (int i = 0; i < n; ++i) out.push_back({i * 5.0, f(i * 5.0)});
    return out;
}

TEST(SoakGrowth, LeastSquaresRecoversTheLine) {
    const auto fit = least_squares({{0, 3}, {1, 5}, {2, 7}, {3, 9}});
    EXPECT_DOUBLE_EQ(fit.slope, 2.0);
    EXPECT_DOUBLE_EQ(fit.intercept, 3.0);
    EXPECT_EQ(least_squares({{1, 4}}).slope, 0.0);
    EXPECT_EQ(least_squares({{1, 4}, {1, 6}}).slope, 0.0);  // one instant: no slope
}

TEST(SoakGrowth, SteadyLeakIsUnbounded) {
    // 100 MiB + 64 KiB per second over an hour: +112 MiB over the second half.
    const auto g = judge_growth(series(720, [](double t) { return 100.0 * 1048576 + 65536 * t; }),
                                32.0 * 1048576, 0.10);
    EXPECT_TRUE(g.unbounded);
    EXPECT_NEAR(g.fit.slope, 65536, 1);
    EXPECT_NEAR(g.rise, 65536.0 * 1795, 65536);
}

TEST(SoakGrowth, WarmUpThatLevelsOffIsBounded) {
    // Grows for the first third (caches filling), flat after.
    const auto g = judge_growth(
        series(720, [](double t) { return 50.0 * 1048576 + 1048576 * std::min(t, 1200.0) / 10; }),
        32.0 * 1048576, 0.10);
    EXPECT_FALSE(g.unbounded);
    EXPECT_NEAR(g.rise, 0, 1);
    EXPECT_DOUBLE_EQ(g.peak, 50.0 * 1048576 + 120.0 * 1048576);
}

TEST(SoakGrowth, NoiseAroundAFlatLineIsBounded) {
    const auto g = judge_growth(
        series(200,
               [](double t) { return 80.0 + 6 * std::sin(t / 7) + (static_cast<int>(t) % 3); }),
        16, 0);
    EXPECT_FALSE(g.unbounded);
}

TEST(SoakGrowth, DescriptorLeakOfOnePerMinuteIsCaughtOverAnHour) {
    const auto g =
        judge_growth(series(720, [](double t) { return 40 + std::floor(t / 60); }), 16, 0);
    EXPECT_TRUE(g.unbounded);  // +30 over the second half
}

TEST(SoakGrowth, TooFewSamplesNeverFail) {
    EXPECT_FALSE(judge_growth({{0, 1}, {10, 1000}}, 0, 0).unbounded);
    EXPECT_FALSE(judge_growth({}, 0, 0).unbounded);
}

}  // namespace
}  // namespace bindery::soak
