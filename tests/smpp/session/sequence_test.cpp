#include "smpp/session/sequence.hpp"

#include <gtest/gtest.h>

namespace bindery::smpp {
namespace {

TEST(SequenceNumbers, StartsAtOneAndIncrements) {
    SequenceNumbers seq;
    EXPECT_EQ(seq.next(), 1U);
    EXPECT_EQ(seq.next(), 2U);
    EXPECT_EQ(seq.peek(), 3U);
    EXPECT_EQ(seq.next(), 3U);
}

TEST(SequenceNumbers, WrapsFromMaximumBackToOneNeverIssuingZero) {
    SequenceNumbers seq(0x7FFFFFFEU);
    EXPECT_EQ(seq.next(), 0x7FFFFFFEU);
    EXPECT_EQ(seq.next(), 0x7FFFFFFFU);
    EXPECT_EQ(seq.next(), 1U);
    EXPECT_EQ(seq.next(), 2U);
}

TEST(SequenceNumbers, InvalidStartValuesStartAtOne) {
    EXPECT_EQ(SequenceNumbers(0).peek(), 1U);
    EXPECT_EQ(SequenceNumbers(0x80000000U).peek(), 1U);
    EXPECT_EQ(SequenceNumbers(0xFFFFFFFFU).peek(), 1U);
    EXPECT_FALSE(SequenceNumbers::valid(0));
    EXPECT_TRUE(SequenceNumbers::valid(0x7FFFFFFFU));
    EXPECT_FALSE(SequenceNumbers::valid(0x80000000U));
}

TEST(SequenceNumbers, EachInstanceCountsIndependently) {
    SequenceNumbers a;
    SequenceNumbers b;
    (void)a.next();
    (void)a.next();
    EXPECT_EQ(b.next(), 1U);
    EXPECT_EQ(a.next(), 3U);
}

}  // namespace
}  // namespace bindery::smpp
