#include "router/core/lifecycle.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace bindery::router {
namespace {

using S = MessageState;

// The lifecycle of docs/router.md, written out pair by pair.
const std::set<std::pair<S, S>> kAllowed = {
    {S::accepted, S::queued},
    {S::accepted, S::dead_letter},
    {S::queued, S::sending},
    {S::queued, S::dead_letter},
    {S::sending, S::sent},
    {S::sending, S::failed_temp},
    {S::sending, S::failed_perm},
    {S::sending, S::queued},
    {S::sent, S::delivered},
    {S::sent, S::undeliverable},
    {S::sent, S::expired},
    {S::sent, S::rejected},
    {S::failed_temp, S::queued},
    {S::failed_temp, S::dead_letter},
    // Cancelled by the client while no carrier has it.
    {S::accepted, S::cancelled},
    {S::queued, S::cancelled},
    {S::failed_temp, S::cancelled},
};

TEST(Lifecycle, EveryPairIsAllowedExactlyWhenTheTableSaysSo) {
    int allowed = 0;
    for (std::size_t f = 0; f < kMessageStateCount; ++f) {
        for (std::size_t t = 0; t < kMessageStateCount; ++t) {
            const auto from = static_cast<S>(f);
            const auto to = static_cast<S>(t);
            const bool expected = kAllowed.contains({from, to});
            EXPECT_EQ(transition_allowed(from, to), expected)
                << to_string(from) << " -> " << to_string(to);
            allowed += expected ? 1 : 0;
        }
    }
    EXPECT_EQ(allowed, 17);
}

TEST(Lifecycle, NothingLeavesAFinalState) {
    for (std::size_t f = 0; f < kMessageStateCount; ++f) {
        const auto from = static_cast<S>(f);
        if (!is_final(from)) continue;
        for (std::size_t t = 0; t < kMessageStateCount; ++t) {
            EXPECT_FALSE(transition_allowed(from, static_cast<S>(t))) << to_string(from);
        }
    }
}

TEST(Lifecycle, FinalStatesAreTheCarrierRouterAndClientVerdicts) {
    const std::set<S> finals = {S::delivered,   S::undeliverable, S::expired,  S::rejected,
                                S::failed_perm, S::dead_letter,   S::cancelled};
    for (std::size_t i = 0; i < kMessageStateCount; ++i) {
        const auto s = static_cast<S>(i);
        EXPECT_EQ(is_final(s), finals.contains(s)) << to_string(s);
    }
}

TEST(Lifecycle, StateNamesRoundTrip) {
    for (std::size_t i = 0; i < kMessageStateCount; ++i) {
        const auto s = static_cast<S>(i);
        EXPECT_EQ(parse_message_state(to_string(s)), s);
    }
    EXPECT_EQ(to_string(S::failed_temp), "FAILED_TEMP");
    EXPECT_EQ(to_string(S::dead_letter), "DEAD_LETTER");
    EXPECT_EQ(to_string(S::cancelled), "CANCELLED");
    EXPECT_EQ(static_cast<int>(S::cancelled), 11);  // stable numbering: new states at the end
    EXPECT_FALSE(parse_message_state("queued").has_value());
}

std::vector<Segment> segments(std::initializer_list<SegmentState> states) {
    std::vector<Segment> out;
    for (auto s : states) out.push_back(Segment{"id", s, {}});
    return out;
}

TEST(SegmentAggregation, DeliveredOnlyWhenEverySegmentIs) {
    using G = SegmentState;
    EXPECT_EQ(aggregate_segments(segments({G::delivered, G::delivered, G::delivered})),
              S::delivered);
    EXPECT_EQ(aggregate_segments(segments({G::delivered, G::pending, G::delivered})), std::nullopt);
    EXPECT_EQ(aggregate_segments(segments({G::pending})), std::nullopt);
    EXPECT_EQ(aggregate_segments({}), std::nullopt);
}

TEST(SegmentAggregation, OneFailedSegmentDecidesTheWorstVerdict) {
    using G = SegmentState;
    EXPECT_EQ(aggregate_segments(segments({G::delivered, G::undeliverable, G::delivered})),
              S::undeliverable);
    EXPECT_EQ(aggregate_segments(segments({G::undeliverable, G::pending})), S::undeliverable);
    EXPECT_EQ(aggregate_segments(segments({G::expired, G::undeliverable})), S::undeliverable);
    EXPECT_EQ(aggregate_segments(segments({G::expired, G::rejected, G::undeliverable})),
              S::rejected);
    EXPECT_EQ(aggregate_segments(segments({G::delivered, G::expired})), S::expired);
}

}  // namespace
}  // namespace bindery::router
