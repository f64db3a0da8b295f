#include "router/directory/directory_resolver.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "router/directory/static_directory.hpp"

namespace bindery::router {
namespace {

using ::testing::ElementsAre;

// A remote directory answering from a script.
class ScriptedDirectory final : public Directory {
public:
    std::vector<Recipient> members_now{{"a", "+989121110100"}};
    std::optional<DirectoryError> fail;
    int calls = 0;

    // router::Directory
    std::string_view name() const override { return "kc"; }
    bool covers(std::string_view) const override { return true; }
    bool remote() const override { return true; }
    Expected<Members, DirectoryError> members(std::string_view) override {
        ++calls;
        if (fail) return Unexpected(*fail);
        return Members{members_now, {}};
    }
};

struct Resolver : ::testing::Test {
    ScriptedDirectory remote;
    PhoneNumberNormalizer normalizer{PhoneNumberConfig{}};
    StaticDirectory local{
        "local", {{"sre", {{"Ann", "+989121110101"}, {"Bad", "123"}}}}, normalizer};
    InMemoryDirectoryCache cache;
    SystemTime now{std::chrono::hours(1000)};
    DirectoryResolver resolver{
        {{&local, std::chrono::minutes(5)}, {&remote, std::chrono::minutes(5)}}, cache, [this] {
            return now;
        }};
};

TEST_F(Resolver, StaticGroupsAnswerFirstAndAreNeverCached) {
    auto r = resolver.resolve("sre");
    EXPECT_EQ(r.directory, "local");
    ASSERT_EQ(r.members.recipients.size(), 1U);
    EXPECT_EQ(r.members.recipients[0].phone, "+989121110101");
    ASSERT_EQ(r.members.skipped.size(), 1U);  // "123" is not a number
    EXPECT_EQ(r.members.skipped[0].who, "Bad");
    EXPECT_EQ(remote.calls, 0);
    auto cached = cache.load_members("local", "sre");
    ASSERT_TRUE(cached);
    EXPECT_FALSE(*cached);
}

TEST_F(Resolver, FreshCacheEntriesAreHitsAndExpiredOnesAreRefreshed) {
    EXPECT_EQ(resolver.resolve("dba").source, MembersSource::live);
    now += std::chrono::minutes(4);
    EXPECT_EQ(resolver.resolve("dba").source, MembersSource::cache);
    EXPECT_EQ(remote.calls, 1);
    now += std::chrono::minutes(2);
    remote.members_now = {{"b", "+989121110102"}};
    auto r = resolver.resolve("dba");
    EXPECT_EQ(r.source, MembersSource::live);
    EXPECT_EQ(remote.calls, 2);
    EXPECT_EQ(r.members.recipients, (std::vector<Recipient>{{"b", "+989121110102"}}));
}

TEST_F(Resolver, AFailingDirectoryFallsBackToTheLastKnownMembersOfAnyAge) {
    ASSERT_EQ(resolver.resolve("dba").source, MembersSource::live);
    now += std::chrono::hours(48);
    remote.fail = DirectoryError{DirectoryErrc::unavailable, "connect: refused"};
    auto r = resolver.resolve("dba");
    EXPECT_EQ(r.source, MembersSource::stale);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->detail, "connect: refused");
    EXPECT_EQ(r.members.recipients.size(), 1U);
    ASSERT_TRUE(r.fetched_at);
    EXPECT_EQ(*r.fetched_at, now - std::chrono::hours(48));
}

TEST_F(Resolver, WithoutACachedAnswerAFailureIsAnError) {
    remote.fail = DirectoryError{DirectoryErrc::unavailable, "timeout"};
    auto r = resolver.resolve("dba");
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.source, MembersSource::live);
    EXPECT_TRUE(r.members.recipients.empty());
}

TEST_F(Resolver, AGroupTheDirectorySaysIsGoneIsNotServedStale) {
    ASSERT_FALSE(resolver.resolve("dba").error);
    now += std::chrono::hours(1);
    remote.fail = DirectoryError{DirectoryErrc::unknown_group, "no Keycloak group named dba"};
    auto r = resolver.resolve("dba");
    ASSERT_TRUE(r.error);
    EXPECT_TRUE(r.members.recipients.empty());
}

TEST_F(Resolver, ACacheStorageFailureOnlyCostsARefetch) {
    cache.set_failing(true);
    EXPECT_EQ(resolver.resolve("dba").source, MembersSource::live);
    EXPECT_EQ(resolver.resolve("dba").source, MembersSource::live);
    EXPECT_EQ(remote.calls, 2);
}

TEST_F(Resolver, NoDirectoryCoveringTheGroupIsAnUnknownGroup) {
    DirectoryResolver only_static({{&local, std::chrono::minutes(5)}}, cache,
                                  [this] { return now; });
    auto r = only_static.resolve("dba");
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, DirectoryErrc::unknown_group);
}

TEST(StaticDirectory, NormalizesAndDeduplicatesNumbers) {
    PhoneNumberNormalizer normalizer{PhoneNumberConfig{"IR", false}};
    StaticDirectory d(
        "local", {{"g", {{"A", "+98 912 123 4567"}, {"B", "09121234567"}, {"C", "+989121110100"}}}},
        normalizer);
    auto m = d.members("g");
    ASSERT_TRUE(m);
    std::vector<std::string> phones;
    for (const auto& r : m->recipients) phones.push_back(r.phone);
    EXPECT_THAT(phones, ElementsAre("+989121234567", "+989121110100"));
    EXPECT_TRUE(d.covers("g"));
    EXPECT_FALSE(d.covers("h"));
    EXPECT_EQ(d.members("h").error().code, DirectoryErrc::unknown_group);
}

}  // namespace
}  // namespace bindery::router
