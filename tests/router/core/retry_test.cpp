#include "router/core/retry.hpp"

#include <gtest/gtest.h>

#include "router/core/error_class.hpp"

namespace bindery::router {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, CeilingGrowsExponentiallyUpToTheCap) {
    RetryPolicy p;
    p.base = 1000ms;
    p.multiplier = 2.0;
    p.cap = 20s;
    EXPECT_EQ(backoff_ceiling(p, 1, false), 1000ms);
    EXPECT_EQ(backoff_ceiling(p, 2, false), 2000ms);
    EXPECT_EQ(backoff_ceiling(p, 3, false), 4000ms);
    EXPECT_EQ(backoff_ceiling(p, 5, false), 16000ms);
    EXPECT_EQ(backoff_ceiling(p, 6, false), 20s);
    EXPECT_EQ(backoff_ceiling(p, 1000, false), 20s);  // no overflow
    p.throttle_base = 5s;
    EXPECT_EQ(backoff_ceiling(p, 1, true), 5s);
    EXPECT_EQ(backoff_ceiling(p, 2, true), 10s);
}

TEST(Backoff, JitteredDelaysStayWithinBoundsAndSpreadOut) {
    RetryPolicy p;
    p.base = 1000ms;
    p.cap = 60s;
    p.jitter = 0.5;
    Rng rng(42);
    for (std::uint32_t attempt = 1; attempt <= 8; ++attempt) {
        const auto ceiling = backoff_ceiling(p, attempt, false);
        auto lo = ceiling;
        auto hi = std::chrono::milliseconds(0);
        for (int i = 0; i < 2000; ++i) {
            const auto d = backoff_delay(p, attempt, false, rng);
            ASSERT_GE(d, ceiling / 2) << "attempt " << attempt;
            ASSERT_LE(d, ceiling) << "attempt " << attempt;
            lo = std::min(lo, d);
            hi = std::max(hi, d);
        }
        // Jitter actually spreads: the range covers most of [ceiling/2, ceiling].
        EXPECT_LT(lo.count(), ceiling.count() / 2 + ceiling.count() / 20);
        EXPECT_GT(hi.count(), ceiling.count() - ceiling.count() / 20);
    }
}

TEST(Backoff, NoJitterIsExactAndSameSeedIsDeterministic) {
    RetryPolicy p;
    p.jitter = 0.0;
    Rng rng(1);
    EXPECT_EQ(backoff_delay(p, 3, false, rng), backoff_ceiling(p, 3, false));
    p.jitter = 1.0;
    Rng a(7), b(7);
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(backoff_delay(p, 4, false, a), backoff_delay(p, 4, false, b));
}

TEST(StatusMap, ClassifiesSmppCommandStatuses) {
    StatusMap map(StatusMap::defaults());
    auto smpp = [&](std::int64_t code) {
        return map.classify("smpp", SendError{SendErrorKind::status, code, {}});
    };
    EXPECT_EQ(smpp(0x08), ErrorClass::temporary);   // ESME_RSYSERR
    EXPECT_EQ(smpp(0x64), ErrorClass::temporary);   // ESME_RX_T_APPN
    EXPECT_EQ(smpp(0x58), ErrorClass::throttled);   // ESME_RTHROTTLED
    EXPECT_EQ(smpp(0x14), ErrorClass::throttled);   // ESME_RMSGQFUL
    EXPECT_EQ(smpp(0x0B), ErrorClass::permanent);   // ESME_RINVDSTADR
    EXPECT_EQ(smpp(0x0A), ErrorClass::permanent);   // ESME_RINVSRCADR
    EXPECT_EQ(smpp(0x45), ErrorClass::permanent);   // ESME_RSUBMITFAIL
    EXPECT_EQ(smpp(0x400), ErrorClass::temporary);  // vendor range: fallback
}

TEST(StatusMap, ClassifiesHttpAndTransportFailures) {
    StatusMap map(StatusMap::defaults());
    auto http = [&](std::int64_t code) {
        return map.classify("http", SendError{SendErrorKind::status, code, {}});
    };
    EXPECT_EQ(http(500), ErrorClass::temporary);
    EXPECT_EQ(http(503), ErrorClass::temporary);
    EXPECT_EQ(http(429), ErrorClass::throttled);
    EXPECT_EQ(http(400), ErrorClass::permanent);
    EXPECT_EQ(map.classify("kavenegar", {SendErrorKind::status, 411, {}}), ErrorClass::permanent);
    EXPECT_EQ(map.classify("kavenegar", {SendErrorKind::status, 409, {}}), ErrorClass::temporary);
    EXPECT_EQ(map.classify("kavenegar", {SendErrorKind::status, 451, {}}), ErrorClass::throttled);
    EXPECT_EQ(map.classify("smpp", {SendErrorKind::timeout, 0, {}}), ErrorClass::temporary);
    EXPECT_EQ(map.classify("smpp", {SendErrorKind::connection, 0, {}}), ErrorClass::temporary);
    EXPECT_EQ(map.classify("http", {SendErrorKind::rejected_local, 0, {}}), ErrorClass::permanent);
}

TEST(StatusMap, ConfigOverridesTheDefaultsPerKind) {
    StatusMapConfig custom{"smpp", {{0x0B, 0x0B, ErrorClass::temporary}}, ErrorClass::permanent};
    StatusMap map({custom});
    EXPECT_EQ(map.classify("smpp", {SendErrorKind::status, 0x0B, {}}), ErrorClass::temporary);
    EXPECT_EQ(map.classify("smpp", {SendErrorKind::status, 0x400, {}}), ErrorClass::permanent);
    EXPECT_EQ(map.classify("http", {SendErrorKind::status, 502, {}}), ErrorClass::temporary);
}

}  // namespace
}  // namespace bindery::router
