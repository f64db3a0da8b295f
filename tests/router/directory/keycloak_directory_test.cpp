#include "router/directory/keycloak_directory.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "router/directory/directory_resolver.hpp"
#include "tests/router/directory/fake_keycloak.hpp"

namespace bindery::router {
namespace {

using bindery::testing::FakeGroup;
using bindery::testing::FakeKeycloak;
using bindery::testing::FakeKeycloakTransport;
using bindery::testing::FakeUser;
using bindery::testing::group_with_members;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Keycloak : ::testing::Test {
    FakeKeycloak kc;
    FakeKeycloakTransport transport{kc};
    PhoneNumberNormalizer normalizer{PhoneNumberConfig{"IR", false}};
    TimePoint now{std::chrono::hours(1)};

    KeycloakConfig config() {
        KeycloakConfig c;
        c.name = "corp";
        c.base_url = "https://sso.example.com/";
        c.realm = "corp";
        c.client_id = "bindery";
        c.client_secret = "s3cret";
        c.phone_attributes = {"phoneNumber", "mobile"};
        c.page_size = 10;
        return c;
    }
    KeycloakDirectory make(KeycloakConfig c) {
        return KeycloakDirectory(std::move(c), transport, normalizer, [this] { return now; });
    }
    static std::vector<std::string> phones(const Members& m) {
        std::vector<std::string> out;
        for (const auto& r : m.recipients) out.push_back(r.phone);
        return out;
    }
};

TEST_F(Keycloak, ResolvesAGroupByNameThroughTheTokenSearchAndMembersEndpoints) {
    kc.groups.push_back(group_with_members("g-sre", "sre", 3));
    auto dir = make(config());
    auto m = dir.members("sre");
    ASSERT_TRUE(m) << m.error().detail;
    EXPECT_THAT(phones(*m), ElementsAre("+989120000000", "+989120000001", "+989120000002"));
    ASSERT_EQ(transport.urls.size(), 3U);
    EXPECT_EQ(transport.urls[0],
              "POST https://sso.example.com/realms/corp/protocol/openid-connect/token");
    EXPECT_EQ(transport.urls[1],
              "GET "
              "https://sso.example.com/admin/realms/corp/"
              "groups?search=sre&exact=true&briefRepresentation=true"
              "&first=0&max=10");
    EXPECT_EQ(transport.urls[2],
              "GET https://sso.example.com/admin/realms/corp/groups/g-sre/members?first=0&max=10"
              "&briefRepresentation=false");
}

TEST_F(Keycloak, PagesThroughMembersUntilAShortPage) {
    kc.groups.push_back(group_with_members("g-big", "big", 25));
    auto dir = make(config());
    auto m = dir.members("big");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->recipients.size(), 25U);
    EXPECT_EQ(kc.member_requests, 3);  // 10 + 10 + 5
}

TEST_F(Keycloak, AnExactMultipleOfThePageSizeNeedsOneEmptyPage) {
    kc.groups.push_back(group_with_members("g-20", "twenty", 20));
    auto dir = make(config());
    auto m = dir.members("twenty");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->recipients.size(), 20U);
    EXPECT_EQ(kc.member_requests, 3);
}

TEST_F(Keycloak, FindsASubGroupNestedInItsAncestorsAndRefusesAmbiguousNames) {
    FakeGroup ops{"g-ops", "ops", {group_with_members("g-oncall-ops", "oncall", 1)}, {}};
    FakeGroup dev{"g-dev", "dev", {group_with_members("g-oncall-dev", "oncall", 2)}, {}};
    kc.groups = {ops};
    auto dir = make(config());
    auto m = dir.members("oncall");
    ASSERT_TRUE(m) << m.error().detail;
    EXPECT_EQ(m->recipients.size(), 1U);

    kc.groups = {ops, dev};
    auto ambiguous = dir.members("oncall");
    ASSERT_FALSE(ambiguous);
    EXPECT_EQ(ambiguous.error().code, DirectoryErrc::ambiguous_group);
    EXPECT_THAT(ambiguous.error().detail, HasSubstr("/ops/oncall, /dev/oncall"));

    auto by_path = dir.members("/dev/oncall");
    ASSERT_TRUE(by_path) << by_path.error().detail;
    EXPECT_EQ(by_path->recipients.size(), 2U);
    EXPECT_EQ(
        transport.urls.back(),
        "GET https://sso.example.com/admin/realms/corp/groups/g-oncall-dev/members?first=0&max=10"
        "&briefRepresentation=false");
}

TEST_F(Keycloak, ReChecksNamesWhenTheServerIgnoresExact) {
    kc.honour_exact = false;  // substring, case-insensitive: "sre" also matches "sre-staging"
    kc.groups = {group_with_members("g-stg", "sre-staging", 4),
                 group_with_members("g-sre", "sre", 1)};
    auto dir = make(config());
    auto m = dir.members("sre");
    ASSERT_TRUE(m) << m.error().detail;
    EXPECT_EQ(m->recipients.size(), 1U);
}

TEST_F(Keycloak, PathSegmentsAndSearchTermsArePercentEncoded) {
    kc.groups = {
        FakeGroup{"g-p", "Paging Team", {group_with_members("g-n", "night shift", 1)}, {}}};
    auto dir = make(config());
    ASSERT_TRUE(dir.members("/Paging Team/night shift"));
    EXPECT_EQ(
        transport.urls[1],
        "GET https://sso.example.com/admin/realms/corp/group-by-path/Paging%20Team/night%20shift");
    ASSERT_TRUE(dir.members("night shift"));
    EXPECT_THAT(transport.urls[3], HasSubstr("groups?search=night%20shift&exact=true"));
}

TEST_F(Keycloak, UnknownGroupsAndPathsAreUnknownGroupErrors) {
    kc.groups.push_back(group_with_members("g-sre", "sre", 1));
    auto dir = make(config());
    auto a = dir.members("dba");
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, DirectoryErrc::unknown_group);
    auto b = dir.members("/nope/sre");
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code, DirectoryErrc::unknown_group);
    EXPECT_THAT(b.error().detail, HasSubstr("Group path does not exist"));
}

TEST_F(Keycloak, SkipsDisabledUsersUsersWithoutANumberAndInvalidNumbersAndNormalizes) {
    FakeGroup g{"g", "mixed", {}, {}};
    g.members = {
        FakeUser{"1", "alice", true, {{"phoneNumber", {"0912 123 4567"}}}},  // national, IR default
        FakeUser{"2", "bob", false, {{"phoneNumber", {"+989121111111"}}}},   // disabled
        FakeUser{"3", "carol", true, {{"locale", {"fa"}}}},                  // no number
        FakeUser{"4", "dave", true, {{"phoneNumber", {"12"}}}},              // invalid
        FakeUser{"5",
                 "erin",
                 true,
                 {{"phoneNumber", {}}, {"mobile", {"+98-912-222-2222", "00989123333333"}}}},
        FakeUser{"6", "frank", true, {{"phoneNumber", {"+989121234567"}}}},  // same as alice
    };
    kc.groups = {g};
    auto dir = make(config());
    auto m = dir.members("mixed");
    ASSERT_TRUE(m) << m.error().detail;
    EXPECT_THAT(phones(*m), ElementsAre("+989121234567", "+989122222222", "+989123333333"));
    ASSERT_EQ(m->skipped.size(), 3U);
    EXPECT_EQ(m->skipped[0].who, "bob");
    EXPECT_EQ(m->skipped[0].reason, "disabled");
    EXPECT_EQ(m->skipped[1].who, "carol");
    EXPECT_EQ(m->skipped[1].reason, "no phone attribute");
    EXPECT_EQ(m->skipped[2].who, "dave");
    EXPECT_THAT(m->skipped[2].reason, HasSubstr("invalid number \"12\""));
}

TEST_F(Keycloak, ReusesTheTokenUntilShortlyBeforeItExpiresThenFetchesANewOne) {
    kc.expires_in = 60;
    kc.groups.push_back(group_with_members("g", "sre", 1));
    auto dir = make(config());
    ASSERT_TRUE(dir.members("sre"));
    ASSERT_TRUE(dir.members("sre"));
    EXPECT_EQ(kc.token_requests, 1);
    now += std::chrono::seconds(31);  // past expires_in - 30 s skew: renewed before use
    kc.advance(31);
    ASSERT_TRUE(dir.members("sre"));
    EXPECT_EQ(kc.token_requests, 2);
    EXPECT_EQ(kc.unauthorized, 0);
}

TEST_F(Keycloak, A401RefreshesTheTokenOnceAndRetries) {
    kc.groups.push_back(group_with_members("g", "sre", 1));
    auto dir = make(config());
    ASSERT_TRUE(dir.members("sre"));
    kc.revoke_tokens();  // the server forgot it (restart, clock skew): 401 on the next call
    auto m = dir.members("sre");
    ASSERT_TRUE(m) << m.error().detail;
    EXPECT_EQ(kc.token_requests, 2);
    EXPECT_EQ(kc.unauthorized, 1);
}

TEST_F(Keycloak, WrongCredentialsAreUnauthorizedAndOutagesUnavailable) {
    kc.groups.push_back(group_with_members("g", "sre", 1));
    auto c = config();
    c.client_secret = "wrong";
    auto bad = make(c);
    auto m = bad.members("sre");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, DirectoryErrc::unauthorized);
    EXPECT_THAT(m.error().detail, HasSubstr("invalid_client"));

    auto dir = make(config());
    kc.down = true;
    auto down = dir.members("sre");
    ASSERT_FALSE(down);
    EXPECT_EQ(down.error().code, DirectoryErrc::unavailable);
    kc.down = false;
    transport.unreachable = true;
    auto refused = dir.members("sre");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, DirectoryErrc::unavailable);
    EXPECT_THAT(refused.error().detail, HasSubstr("Connection refused"));
}

TEST_F(Keycloak, LegacyAuthPathPrefixesEveryUrl) {
    kc.legacy_auth = true;
    kc.groups.push_back(group_with_members("g", "sre", 1));
    auto c = config();
    c.legacy_auth_path = true;
    auto dir = make(c);
    ASSERT_TRUE(dir.members("sre"));
    EXPECT_EQ(transport.urls[0],
              "POST https://sso.example.com/auth/realms/corp/protocol/openid-connect/token");
}

TEST_F(Keycloak, OutageServesTheLastKnownMembersFromTheCache) {
    kc.groups.push_back(group_with_members("g", "sre", 2));
    KeycloakDirectory dir = make(config());
    InMemoryDirectoryCache cache;
    SystemTime wall{std::chrono::hours(1000)};
    DirectoryResolver resolver({{&dir, std::chrono::minutes(5)}}, cache, [&] { return wall; });

    auto live = resolver.resolve("sre");
    EXPECT_EQ(live.source, MembersSource::live);
    EXPECT_EQ(live.members.recipients.size(), 2U);
    auto hit = resolver.resolve("sre");
    EXPECT_EQ(hit.source, MembersSource::cache);
    EXPECT_EQ(kc.member_requests, 1);

    wall += std::chrono::minutes(6);
    transport.unreachable = true;
    auto stale = resolver.resolve("sre");
    EXPECT_EQ(stale.source, MembersSource::stale);
    ASSERT_TRUE(stale.error);
    EXPECT_EQ(stale.error->code, DirectoryErrc::unavailable);
    EXPECT_EQ(stale.members.recipients.size(), 2U);
}

}  // namespace
}  // namespace bindery::router
