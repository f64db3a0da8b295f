// ClientDirectory: the clients `bindery serve` authenticates, from the configuration file and from
// the store (bindery client ...): configuration first, store changes seen after a refresh, revoked
// clients refused, a store client named like a configuration client ignored.

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "app/client_commands.hpp"
#include "app/client_directory.hpp"

namespace bindery::app {
namespace {

class Dir {
public:
    Dir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "bindery-clients-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~Dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

std::unique_ptr<router::SqliteClientStore> open_store(const Dir& dir) {
    router::SqliteStoreConfig c;
    c.path = dir.file("m.db");
    c.synchronous = router::SqliteSync::normal;
    auto s = router::SqliteClientStore::open(c);
    if (!s) {
        ADD_FAILURE() << s.error().detail;
        return nullptr;
    }
    return std::move(*s);
}

router::StoredClient stored(const std::string& name, const std::string& key) {
    router::StoredClient c;
    c.name = name;
    c.key_sha256 = http::sha256(key);
    c.allowed_senders = {"ACME"};
    c.rate = 5;
    c.callback_url = "https://acme.example/cb";
    c.callback_secret = "whsec";
    c.created_at = router::SystemClock::now();
    return c;
}

TEST(ClientDirectory, FindsConfigurationAndStoreClientsAndSeesStoreChangesAfterARefresh) {
    Dir dir;
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    http::InMemoryClientRegistry config;
    http::ClientInfo from_file;
    from_file.name = "file";
    from_file.allowed_senders = {"*"};
    config.add_key("file-key", from_file);
    ASSERT_TRUE(store->add(stored("acme", "acme-key")).has_value());

    ClientDirectory directory(config, {"file"}, store.get(), std::chrono::milliseconds(0));
    ASSERT_TRUE(directory.reload());
    EXPECT_EQ(directory.find_by_key_digest(http::sha256("file-key"))->name, "file");
    const auto acme = directory.find_by_key_digest(http::sha256("acme-key"));
    ASSERT_TRUE(acme.has_value());
    EXPECT_EQ(acme->name, "acme");
    EXPECT_TRUE(acme->sender_allowed("ACME"));
    EXPECT_FALSE(acme->sender_allowed("OTHER"));
    ASSERT_TRUE(acme->rate.has_value());
    EXPECT_DOUBLE_EQ(acme->rate->per_second, 5);
    EXPECT_DOUBLE_EQ(acme->rate->burst, 5);
    EXPECT_FALSE(directory.find_by_key_digest(http::sha256("nobody")).has_value());
    const auto cb = directory.callback_client("acme");
    ASSERT_TRUE(cb.has_value());
    EXPECT_EQ(cb->default_url, "https://acme.example/cb");
    EXPECT_EQ(cb->secret, "whsec");

    // Rotation and revocation are seen on the next lookup (refresh 0).
    ASSERT_TRUE(store->rotate_key("acme", http::sha256("acme-key-2"), router::SystemClock::now())
                    .has_value());
    EXPECT_FALSE(directory.find_by_key_digest(http::sha256("acme-key")).has_value());
    EXPECT_TRUE(directory.find_by_key_digest(http::sha256("acme-key-2")).has_value());
    ASSERT_TRUE(store->revoke("acme", router::SystemClock::now()).has_value());
    EXPECT_FALSE(directory.find_by_key_digest(http::sha256("acme-key-2")).has_value());
    EXPECT_FALSE(directory.callback_client("acme").has_value());
    EXPECT_EQ(directory.store_clients(), 0U);
}

TEST(ClientDirectory, KeepsItsCopyUntilTheRefreshIsDue) {
    Dir dir;
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    http::InMemoryClientRegistry config;
    ClientDirectory directory(config, {}, store.get(), std::chrono::hours(1));
    ASSERT_TRUE(directory.reload());
    ASSERT_TRUE(store->add(stored("late", "late-key")).has_value());
    EXPECT_FALSE(directory.find_by_key_digest(http::sha256("late-key")).has_value());
    ASSERT_TRUE(directory.reload());
    EXPECT_TRUE(directory.find_by_key_digest(http::sha256("late-key")).has_value());
}

TEST(ClientDirectory, AStoreClientNamedLikeAConfigurationClientIsIgnored) {
    Dir dir;
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    http::InMemoryClientRegistry config;
    ASSERT_TRUE(store->add(stored("file", "store-key")).has_value());
    ClientDirectory directory(config, {"file"}, store.get(), std::chrono::milliseconds(0));
    ASSERT_TRUE(directory.reload());
    EXPECT_FALSE(directory.find_by_key_digest(http::sha256("store-key")).has_value());
    EXPECT_FALSE(directory.callback_client("file").has_value());
}

TEST(ClientCommands, GeneratedKeysAreLongRandomAndPrefixed) {
    const auto a = generate_api_key();
    const auto b = generate_api_key();
    EXPECT_EQ(a.size(), 4U + 64U);
    EXPECT_EQ(a.substr(0, 4), "bnd_");
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef", 4), std::string::npos);
    EXPECT_NE(a, b);
}

}  // namespace
}  // namespace bindery::app
