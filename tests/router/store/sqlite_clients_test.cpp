// API clients in the store (bindery client add|list|revoke|rotate-key): kept across a reopen, the
// key only as its digest, names unique (also once revoked), revoke and rotate refusing what they
// cannot do. Real files in a temp directory.

#include <gtest/gtest.h>

#include "router/store/sqlite_clients.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::router {
namespace {

using namespace testing;

std::array<std::uint8_t, 32> digest(std::uint8_t fill) {
    std::array<std::uint8_t, 32> d{};
    d.fill(fill);
    d[31] = 0;  // a NUL inside the blob must survive
    return d;
}

StoredClient client(std::string name, std::uint8_t fill) {
    StoredClient c;
    c.name = std::move(name);
    c.key_sha256 = digest(fill);
    c.allowed_senders = {"MyBank", "30001234"};
    c.rate = 12.5;
    c.burst = 40;
    c.callback_url = "https://client.example/cb";
    c.callback_secret = "whsec-1";
    c.created_at = kT0;
    return c;
}

TEST(SqliteClientStore, ClientsSurviveAReopenWithEveryField) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    {
        auto store = open_ok<SqliteClientStore>(config);
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(store->add(client("acme", 0xAB)).has_value());
        auto plain = client("plain", 0x01);
        plain.allowed_senders.clear();
        plain.callback_url.clear();
        plain.callback_secret.clear();
        ASSERT_TRUE(store->add(plain).has_value());
    }
    auto store = open_ok<SqliteClientStore>(config);
    ASSERT_NE(store, nullptr);
    auto all = store->list();
    ASSERT_TRUE(all.has_value()) << all.error().detail;
    ASSERT_EQ(all->size(), 2U);
    const auto& a = (*all)[0];
    EXPECT_EQ(a.name, "acme");
    EXPECT_EQ(a.key_sha256, digest(0xAB));
    EXPECT_EQ(a.allowed_senders, (std::vector<std::string>{"MyBank", "30001234"}));
    EXPECT_DOUBLE_EQ(a.rate, 12.5);
    EXPECT_DOUBLE_EQ(a.burst, 40);
    EXPECT_EQ(a.callback_url, "https://client.example/cb");
    EXPECT_EQ(a.callback_secret, "whsec-1");
    EXPECT_EQ(a.created_at, kT0);
    EXPECT_FALSE(a.key_rotated_at.has_value());
    EXPECT_TRUE(a.active());
    EXPECT_EQ((*all)[1].name, "plain");
    EXPECT_TRUE((*all)[1].allowed_senders.empty());
}

TEST(SqliteClientStore, NamesAndKeyDigestsAreUniqueAlsoAfterRevoke) {
    TempDir dir;
    auto store = open_ok<SqliteClientStore>(sqlite_config(dir.file("m.db")));
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->add(client("acme", 0xAB)).has_value());
    const auto same_name = store->add(client("acme", 0xCD));
    ASSERT_FALSE(same_name.has_value());
    EXPECT_EQ(same_name.error().code, StoreErrc::duplicate);
    const auto same_key = store->add(client("other", 0xAB));
    ASSERT_FALSE(same_key.has_value());
    EXPECT_EQ(same_key.error().code, StoreErrc::duplicate);

    ASSERT_TRUE(store->revoke("acme", kT0 + 1h).has_value());
    const auto again = store->add(client("acme", 0xEF));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, StoreErrc::duplicate);
}

TEST(SqliteClientStore, RevokeMarksTheClientAndRefusesUnknownOrRevokedOnes) {
    TempDir dir;
    auto store = open_ok<SqliteClientStore>(sqlite_config(dir.file("m.db")));
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->add(client("acme", 0xAB)).has_value());
    ASSERT_TRUE(store->revoke("acme", kT0 + 1h).has_value());
    auto found = store->find("acme");
    ASSERT_TRUE(found.has_value());
    ASSERT_TRUE(found->has_value());
    EXPECT_FALSE((*found)->active());
    EXPECT_EQ((*found)->revoked_at, kT0 + 1h);

    const auto twice = store->revoke("acme", kT0 + 2h);
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().code, StoreErrc::conflict);
    const auto unknown = store->revoke("nobody", kT0);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, StoreErrc::not_found);
    auto none = store->find("nobody");
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value());
}

TEST(SqliteClientStore, RotateKeyReplacesTheDigestOfActiveClientsOnly) {
    TempDir dir;
    auto store = open_ok<SqliteClientStore>(sqlite_config(dir.file("m.db")));
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->add(client("acme", 0xAB)).has_value());
    ASSERT_TRUE(store->add(client("other", 0x11)).has_value());
    ASSERT_TRUE(store->rotate_key("acme", digest(0xCD), kT0 + 5min).has_value());
    auto found = store->find("acme");
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->key_sha256, digest(0xCD));
    EXPECT_EQ((*found)->key_rotated_at, kT0 + 5min);

    const auto taken = store->rotate_key("acme", digest(0x11), kT0 + 6min);
    ASSERT_FALSE(taken.has_value());
    EXPECT_EQ(taken.error().code, StoreErrc::duplicate);
    const auto unknown = store->rotate_key("nobody", digest(0x22), kT0);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, StoreErrc::not_found);
    ASSERT_TRUE(store->revoke("acme", kT0 + 7min).has_value());
    const auto revoked = store->rotate_key("acme", digest(0x33), kT0 + 8min);
    ASSERT_FALSE(revoked.has_value());
    EXPECT_EQ(revoked.error().code, StoreErrc::conflict);
}

}  // namespace
}  // namespace bindery::router
