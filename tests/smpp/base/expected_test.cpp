#include "smpp/base/expected.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace bindery {
namespace {

Expected<int, std::string> parse_digit(char c) {
    if (c < '0' || c > '9') return Unexpected(std::string("not a digit"));
    return c - '0';
}

TEST(Expected, HoldsValueOnSuccess) {
    auto r = parse_digit('7');
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 7);
    EXPECT_EQ(r.value_or(-1), 7);
}

TEST(Expected, HoldsErrorOnFailure) {
    auto r = parse_digit('x');
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), "not a digit");
    EXPECT_EQ(r.value_or(-1), -1);
}

// A programmer error, never input handling: the process ends (the assert in a debug build,
// std::terminate in a release one), it does not throw out of the noexcept accessors.
TEST(ExpectedDeathTest, AccessingTheWrongAlternativeEndsTheProcess) {
    EXPECT_DEATH((void)parse_digit('x').value(), "");
    EXPECT_DEATH((void)parse_digit('7').error(), "");
}

TEST(Expected, MovesOnlyValuesOut) {
    Expected<std::unique_ptr<int>, int> r = std::make_unique<int>(5);
    auto p = std::move(r).value();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(*p, 5);
}

TEST(Expected, VoidCarriesOnlyAnError) {
    Expected<void, int> ok;
    EXPECT_TRUE(ok);
    Expected<void, int> bad = Unexpected(3);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), 3);
}

}  // namespace
}  // namespace bindery
