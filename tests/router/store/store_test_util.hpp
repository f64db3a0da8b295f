#pragma once
// Shared helpers for the store tests: a temporary directory removed afterwards, sample messages
// with every field set, and a field-by-field comparison.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <type_traits>

#include "router/core/message_store.hpp"
#include "router/core/random.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::router::testing {

using namespace std::chrono_literals;

inline const SystemTime kT0 = SystemTime(std::chrono::milliseconds(1'790'000'000'000));

class TempDir {
public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "bindery-store-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) std::abort();
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::add, ec);
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// A file store configuration with synchronous NORMAL (these tests do not pull the plug).
inline SqliteStoreConfig sqlite_config(const std::string& path) {
    SqliteStoreConfig c;
    c.path = path;
    c.synchronous = SqliteSync::normal;
    return c;
}

// T::open(config) (a SQLite store or side table), nullptr with a test failure when it fails.
template <class T>
std::unique_ptr<T> open_ok(const SqliteStoreConfig& config) {
    auto opened = T::open(config);
    if (!opened) {
        ADD_FAILURE() << opened.error().detail;
        return nullptr;
    }
    return std::move(*opened);
}

// The MessageStore implementations the typed store tests run on (TYPED_TEST_SUITE(Fixture,
// MessageStoreTypes, MessageStoreNames)), named InMemory and Sqlite in the test names.
using MessageStoreTypes = ::testing::Types<InMemoryStore, SqliteStore>;
struct MessageStoreNames {
    template <class T>
    static std::string GetName(int) {
        return std::is_same_v<T, SqliteStore> ? "Sqlite" : "InMemory";
    }
};

// A fresh T: an InMemoryStore (`config` unused) or a SqliteStore opened with `config` (nullptr
// with a test failure when it cannot be opened).
template <class T>
std::unique_ptr<MessageStore> make_store(const SqliteStoreConfig& config) {
    if constexpr (std::is_same_v<T, SqliteStore>) {
        return open_ok<SqliteStore>(config);
    } else {
        return std::make_unique<T>();
    }
}

// A message with every field set to something distinguishable.
inline Message sample_message(MessageIdGenerator& ids, std::string client = "acme",
                              MessageState state = MessageState::queued,
                              SystemTime accepted = kT0) {
    Message m;
    m.id = ids.next(accepted);
    m.client = std::move(client);
    m.sender = "Bindery";
    m.destination = "+989123456789";
    m.region = "IR";
    m.text = "سلام — hello {€}";
    m.encoding = TextEncoding::ucs2;
    m.segments_estimate = 2;
    m.priority = Priority::express;
    m.tags = {"otp", "", "team=ops"};
    m.client_ref = "";
    m.callback_url = "https://client.example/cb";
    m.state = state;
    m.attempts = 0;
    m.accepted_at = accepted;
    m.updated_at = accepted + 123ns;
    m.expires_at = accepted + 48h;
    m.schedule_at = accepted + 1min;
    return m;
}

inline MessageEvent accepted_event(const Message& m) {
    return MessageEvent{
        m.id, MessageState::accepted, MessageState::queued, m.accepted_at, 0, {}, "accepted"};
}

inline void expect_same(const Message& a, const Message& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.client, b.client);
    EXPECT_EQ(a.sender, b.sender);
    EXPECT_EQ(a.destination, b.destination);
    EXPECT_EQ(a.region, b.region);
    EXPECT_EQ(a.text, b.text);
    EXPECT_EQ(a.encoding, b.encoding);
    EXPECT_EQ(a.segments_estimate, b.segments_estimate);
    EXPECT_EQ(a.priority, b.priority);
    EXPECT_EQ(a.tags, b.tags);
    EXPECT_EQ(a.client_ref, b.client_ref);
    EXPECT_EQ(a.callback_url, b.callback_url);
    EXPECT_EQ(a.state, b.state);
    EXPECT_EQ(a.attempts, b.attempts);
    EXPECT_EQ(a.provider, b.provider);
    ASSERT_EQ(a.segments.size(), b.segments.size());
    for (std::size_t i = 0; i < a.segments.size(); ++i) {
        EXPECT_EQ(a.segments[i].provider_id, b.segments[i].provider_id);
        EXPECT_EQ(a.segments[i].state, b.segments[i].state);
        EXPECT_EQ(a.segments[i].error, b.segments[i].error);
    }
    EXPECT_EQ(a.last_error, b.last_error);
    EXPECT_EQ(a.accepted_at, b.accepted_at);
    EXPECT_EQ(a.updated_at, b.updated_at);
    EXPECT_EQ(a.expires_at, b.expires_at);
    EXPECT_EQ(a.schedule_at, b.schedule_at);
    EXPECT_EQ(a.next_attempt_at, b.next_attempt_at);
}

inline void expect_same(const MessageEvent& a, const MessageEvent& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.from, b.from);
    EXPECT_EQ(a.to, b.to);
    EXPECT_EQ(a.at, b.at);
    EXPECT_EQ(a.attempt, b.attempt);
    EXPECT_EQ(a.provider, b.provider);
    EXPECT_EQ(a.detail, b.detail);
}

}  // namespace bindery::router::testing
