// SQLite-specific behaviour: files, reopening, migrations, error mapping, group commit under
// concurrency and a kill -9 in the middle of acknowledged writes. Real files in a temp directory.

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "router/store/row_codec.hpp"
#include "router/store/schema.hpp"
#include "router/store/sqlite_db.hpp"
#include "router/store/sqlite_store.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::router {
namespace {

using namespace testing;

SqliteStoreConfig config_for(const std::string& path) {
    SqliteStoreConfig c;
    c.path = path;
    return c;
}

std::unique_ptr<SqliteStore> open_ok(SqliteStoreConfig config) {
    auto store = SqliteStore::open(std::move(config));
    if (!store) {
        ADD_FAILURE() << store.error().detail;
        return nullptr;
    }
    return std::move(*store);
}

std::vector<MessageEvent> events_for(std::span<const Message> batch) {
    std::vector<MessageEvent> out;
    for (const auto& m : batch) out.push_back(accepted_event(m));
    return out;
}

TEST(SqliteStore, ReopeningKeepsMessagesEventsAndProviderIds) {
    TempDir dir;
    MessageIdGenerator ids(1);
    auto m = sample_message(ids, "acme", MessageState::sent);
    m.provider = "smsc";
    m.segments = {{"abc", SegmentState::pending, ""}};
    {
        auto store = open_ok(config_for(dir.file("a.db")));
        ASSERT_NE(store, nullptr);
        EXPECT_EQ(store->schema_version(), SqliteStore::latest_schema_version());
        std::vector<Message> batch{m};
        ASSERT_TRUE(store->insert_batch(batch, events_for(batch)).has_value());
    }
    auto store = open_ok(config_for(dir.file("a.db")));
    ASSERT_NE(store, nullptr);
    auto got = store->get(m.id);
    ASSERT_TRUE(got.has_value() && got->has_value());
    expect_same(**got, m);
    EXPECT_EQ(store->events(m.id)->size(), 1u);
    EXPECT_TRUE(store->find_by_provider_id("smsc", "abc")->has_value());
    EXPECT_EQ(*store->integrity_check(), "ok");
}

// Every encoding the router names is stored by name and read back, also as a client's forced one.
TEST(SqliteStore, EveryTextEncodingRoundTrips) {
    TempDir dir;
    MessageIdGenerator ids(1);
    auto store = open_ok(config_for(dir.file("a.db")));
    ASSERT_NE(store, nullptr);
    for (const auto e : {TextEncoding::gsm7, TextEncoding::ucs2, TextEncoding::latin1,
                         TextEncoding::ia5, TextEncoding::binary}) {
        auto m = sample_message(ids);
        m.encoding = e;
        m.forced_encoding = e;
        std::vector<Message> batch{m};
        ASSERT_TRUE(store->insert_batch(batch, events_for(batch)).has_value());
        const auto got = store->get(m.id);
        ASSERT_TRUE(got.has_value() && got->has_value()) << to_string(e);
        EXPECT_EQ((*got)->encoding, e);
        EXPECT_EQ((*got)->forced_encoding, e);
        EXPECT_EQ(parse_text_encoding(to_string(e)), e);
    }
}

// A file at schema `version` holding `batch`: rows written by this build's codec into a scratch
// file, copied with `columns` (those `version` has; this build writes more); then `more_sql`.
void write_old_file(TempDir& dir, const std::string& path, int version,
                    const std::vector<Message>& batch, const std::string& columns,
                    const std::string& more_sql) {
    {
        auto scratch = open_ok(config_for(dir.file("scratch.db")));
        ASSERT_NE(scratch, nullptr);
        ASSERT_TRUE(scratch->insert_batch(batch, {}).has_value());
        auto config = config_for(path);
        config.migrate_to = version;
        auto old = open_ok(config);
        ASSERT_NE(old, nullptr);
        EXPECT_EQ(old->schema_version(), version);
    }
    auto copied = sqlite_execute(path, "ATTACH '" + dir.file("scratch.db") +
                                           "' AS s; INSERT INTO messages(" + columns + ") SELECT " +
                                           columns + " FROM s.messages; DETACH s;" + more_sql);
    ASSERT_TRUE(copied.has_value()) << copied.error().detail;
}

TEST(SqliteStore, UpgradesAVersion1DatabaseKeepingItsRows) {
    TempDir dir;
    MessageIdGenerator ids(2);
    std::vector<Message> batch;
    for (int i = 0; i < 5; ++i) {
        batch.push_back(
            sample_message(ids, "acme", i < 3 ? MessageState::delivered : MessageState::queued));
    }
    const std::string v1_columns =
        "id, client, sender, destination, region, text, encoding, segments_estimate, priority, "
        "tags, client_ref, callback_url, state, attempts, provider, segments, last_error, "
        "accepted_at, updated_at, expires_at, schedule_at, next_attempt_at";
    write_old_file(dir, dir.file("old.db"), 1, batch, v1_columns, "");
    auto store = open_ok(config_for(dir.file("old.db")));
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->schema_version(), SqliteStore::latest_schema_version());
    for (const auto& m : batch) {
        auto got = store->get(m.id);
        ASSERT_TRUE(got.has_value() && got->has_value());
        expect_same(**got, m);
    }
    // Version 2's partial index serves purge; the rows written under version 1 are in it.
    EXPECT_EQ(*store->purge(kT0 + 1h), 3u);
    EXPECT_EQ(*store->count(MessageState::queued), 2u);
    EXPECT_EQ(*store->integrity_check(), "ok");
}

std::int64_t count_rows(const std::string& path, const std::string& sql) {
    auto conn = sqlite::Connection::open(path, false);
    if (!conn) {
        ADD_FAILURE() << conn.error().detail;
        return -1;
    }
    auto n = (*conn)->query_int(sql.c_str(), "count");
    if (!n) {
        ADD_FAILURE() << n.error().detail;
        return -1;
    }
    return *n;
}

MessageEvent event_of(const Message& m, MessageState from, MessageState to, SystemTime at,
                      std::string detail) {
    return MessageEvent{m.id, from, to, at, m.attempts, m.provider, std::move(detail)};
}

void expect_events(const std::vector<MessageEvent>& got, const std::vector<MessageEvent>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].id, want[i].id) << i;
        EXPECT_EQ(got[i].from, want[i].from) << i;
        EXPECT_EQ(got[i].to, want[i].to) << i;
        EXPECT_EQ(got[i].at, want[i].at) << i;
        EXPECT_EQ(got[i].attempt, want[i].attempt) << i;
        EXPECT_EQ(got[i].provider, want[i].provider) << i;
        EXPECT_EQ(got[i].detail, want[i].detail) << i;
    }
}

// Version 14: the message's events go into its row (messages.history), appended by the statement
// that changes it, not into rows of events; events() reads them back in order, exactly.
TEST(SqliteStore, EventsOfAcceptanceAndTransitionsLiveInTheMessageRow) {
    TempDir dir;
    const auto path = dir.file("history.db");
    auto store = open_ok(config_for(path));
    ASSERT_NE(store, nullptr);
    MessageIdGenerator ids(14);
    auto m = sample_message(ids);
    auto other = sample_message(ids);
    std::vector<Message> batch{m, other};
    ASSERT_TRUE(store->insert_batch(batch, events_for(batch)).has_value());
    std::vector<MessageEvent> want{accepted_event(m)};
    auto step = [&](MessageState to, std::string detail, std::string provider_id = {}) {
        const auto from = m.state;
        m.state = to;
        m.updated_at += 1s;
        if (to == MessageState::sending) {
            ++m.attempts;
            m.provider = "smsc";
        }
        if (!provider_id.empty()) m.segments = {{provider_id, SegmentState::pending, ""}};
        auto e = event_of(m, from, to, m.updated_at, std::move(detail));
        const auto done = store->transition(m, from, e);
        ASSERT_TRUE(done.has_value()) << done.error().detail;
        want.push_back(std::move(e));
    };
    step(MessageState::sending, "");
    step(MessageState::sent, "", "abc");
    // Details with every byte a length prefix must survive: newlines, NULs, long UTF-8.
    step(MessageState::delivered,
         std::string("stat:DELIVRD\nerr:000\0text:") + std::string(300, 'x') + "سلام");
    // Without an event: the state changes, the history does not.
    auto same = m;
    same.segments[0].state = SegmentState::delivered;
    ASSERT_TRUE(store->transition(same, MessageState::delivered, std::nullopt).has_value());
    // insert_batch may carry events for a message stored before (appended to its row).
    const auto late = event_of(other, MessageState::queued, MessageState::queued, kT0 + 5s, "note");
    ASSERT_TRUE(store->insert_batch({}, std::vector<MessageEvent>{late}).has_value());

    auto got = store->events(m.id);
    ASSERT_TRUE(got.has_value()) << got.error().detail;
    expect_events(*got, want);
    auto got_other = store->events(other.id);
    ASSERT_TRUE(got_other.has_value());
    expect_events(*got_other, {accepted_event(other), late});
    EXPECT_EQ(count_rows(path, "SELECT count(*) FROM events"), 0);
    EXPECT_EQ(count_rows(path, "SELECT count(*) FROM messages WHERE history IS NOT NULL"), 2);
    store.reset();
    auto again = open_ok(config_for(path));
    ASSERT_NE(again, nullptr);
    expect_events(*again->events(m.id), want);
    // Purging the message takes its history with it.
    EXPECT_EQ(*again->purge(kT0 + 1h), 1u);
    EXPECT_TRUE(again->events(m.id)->empty());
}

// A file of version 13 keeps its events rows: after the upgrade events() returns them, then the
// new ones from the row, merged by time with rows other tables' writers add later (a callback
// outcome).
TEST(SqliteStore, UpgradeFromVersion13KeepsTheEventsRowsAndMergesByTime) {
    TempDir dir;
    const auto path = dir.file("v13.db");
    MessageIdGenerator ids(13);
    auto m = sample_message(ids, "acme", MessageState::queued);
    const std::string columns =
        "id, client, sender, destination, region, text, encoding, segments_estimate, priority, "
        "tags, client_ref, callback_url, state, attempts, provider, segments, last_error, "
        "accepted_at, updated_at, expires_at, schedule_at, next_attempt_at, forced_encoding, "
        "charge";
    const auto t = [](int s) {
        return std::to_string(sqlite::to_nanos(kT0 + std::chrono::seconds(s)));
    };
    write_old_file(
        dir, path, 13, {m}, columns,
        "INSERT INTO events(message_id, from_state, to_state, at, attempt, provider, detail) "
        "SELECT id, 'ACCEPTED', 'QUEUED', " +
            t(0) + ", 0, '', 'accepted' FROM messages;" +
            "INSERT INTO events(message_id, from_state, to_state, at, attempt, provider, detail) "
            "SELECT id, 'QUEUED', 'QUEUED', " +
            t(1) + ", 0, '', 'old note' FROM messages;");
    auto store = open_ok(config_for(path));
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->schema_version(), SqliteStore::latest_schema_version());
    auto next = m;
    next.state = MessageState::sending;
    next.attempts = 1;
    next.provider = "smsc";
    const auto sending = event_of(next, MessageState::queued, MessageState::sending, kT0 + 2s, "");
    ASSERT_TRUE(store->transition(next, MessageState::queued, sending).has_value());
    auto sent = next;
    sent.state = MessageState::sent;
    const auto sent_event = event_of(sent, MessageState::sending, MessageState::sent, kT0 + 4s, "");
    ASSERT_TRUE(store->transition(sent, MessageState::sending, sent_event).has_value());
    // Another table's writer adds a row between the two transitions' times, and one at the time
    // of the last (ties: the row comes after the history's event).
    ASSERT_TRUE(sqlite_execute(path,
                               "INSERT INTO events(message_id, from_state, to_state, at, "
                               "attempt, provider, detail) SELECT id, 'SENDING', 'SENDING', " +
                                   t(3) +
                                   ", 1, 'callback', 'between' FROM messages;"
                                   "INSERT INTO events(message_id, from_state, to_state, at, "
                                   "attempt, provider, detail) SELECT id, 'SENT', 'SENT', " +
                                   t(4) + ", 1, 'callback', 'tie' FROM messages;")
                    .has_value());
    auto got = store->events(m.id);
    ASSERT_TRUE(got.has_value()) << got.error().detail;
    std::vector<std::string> details;
    for (const auto& e : *got) details.push_back(e.detail);
    EXPECT_EQ(details,
              (std::vector<std::string>{"accepted", "old note", "", "between", "", "tie"}));
    ASSERT_EQ(got->size(), 6u);
    EXPECT_EQ((*got)[2].to, MessageState::sending);
    EXPECT_EQ((*got)[4].to, MessageState::sent);
    EXPECT_EQ(*store->integrity_check(), "ok");
}

TEST(SqliteStore, AnUnreadableHistoryIsReportedCorrupt) {
    TempDir dir;
    const auto path = dir.file("corrupt.db");
    auto store = open_ok(config_for(path));
    ASSERT_NE(store, nullptr);
    MessageIdGenerator ids(15);
    std::vector<Message> batch{sample_message(ids)};
    ASSERT_TRUE(store->insert_batch(batch, events_for(batch)).has_value());
    // A record cut short, then an unknown format byte.
    for (const char* blob :
         {"x'0180'", "x'02'", "x'01010a41434345505445440651554555454400000000'"}) {
        ASSERT_TRUE(
            sqlite_execute(path, std::string("UPDATE messages SET history = ") + blob).has_value());
        auto got = store->events(batch[0].id);
        ASSERT_FALSE(got.has_value()) << blob;
        EXPECT_EQ(got.error().code, StoreErrc::corrupt);
        EXPECT_NE(got.error().detail.find("history"), std::string::npos);
    }
}

// The index of final messages must serve the purge and the SMPP receipt scan (their WHERE spells
// its condition) and must not make every write of a message build a temporary b-tree, as an
// IN-list of more than two constants in its condition does (OpenEphemeral in the program).
TEST(SqliteStore, TheIndexOfFinalMessagesServesPurgeAndCostsWritesNoTemporaryBtree) {
    TempDir dir;
    const auto path = dir.file("plan.db");
    { ASSERT_NE(open_ok(config_for(path)), nullptr); }
    auto conn = sqlite::Connection::open(path, false);
    ASSERT_TRUE(conn.has_value()) << conn.error().detail;
    auto program = [&](const std::string& sql) {
        std::string out;
        auto stmt = (*conn)->prepare(sql);
        EXPECT_TRUE(stmt.has_value()) << sql;
        if (!stmt) return out;
        sqlite::StmtUse use(*stmt);
        while (sqlite3_step(*stmt) == SQLITE_ROW) {
            for (int i = 0; i < sqlite3_column_count(*stmt); ++i) {
                const auto* text = sqlite3_column_text(*stmt, i);
                out += text != nullptr ? reinterpret_cast<const char*>(text) : "";
                out += ' ';
            }
            out += '\n';
        }
        return out;
    };
    const std::string purge_plan =
        program(std::string("EXPLAIN QUERY PLAN ") + sqlite::purge_select_sql());
    EXPECT_NE(purge_plan.find("messages_finished"), std::string::npos) << purge_plan;
    const std::string update =
        program("EXPLAIN UPDATE messages SET state = ?2, updated_at = ?3 WHERE id = ?1");
    EXPECT_NE(update.find("IdxInsert"), std::string::npos) << update;  // it is a real program
    EXPECT_EQ(update.find("OpenEphemeral"), std::string::npos) << update;
    const std::string insert =
        program("EXPLAIN INSERT INTO messages(id, state, updated_at) VALUES(?1, ?2, ?3)");
    EXPECT_NE(insert.find("IdxInsert"), std::string::npos) << insert;
    EXPECT_EQ(insert.find("OpenEphemeral"), std::string::npos) << insert;
}

TEST(SqliteStore, RefusesADatabaseFromANewerBuild) {
    TempDir dir;
    const auto path = dir.file("future.db");
    { ASSERT_NE(open_ok(config_for(path)), nullptr); }
    ASSERT_TRUE(sqlite_execute(path, "PRAGMA user_version = 99").has_value());
    auto store = SqliteStore::open(config_for(path));
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, StoreErrc::unavailable);
    EXPECT_NE(store.error().detail.find("newer"), std::string::npos) << store.error().detail;
}

TEST(SqliteStore, AFileThatIsNotADatabaseIsReportedCorrupt) {
    TempDir dir;
    const auto path = dir.file("junk.db");
    {
        std::ofstream out(path, std::ios::binary);
        for (int i = 0; i < 512; ++i) out << "this is not an SQLite database ";
    }
    auto store = SqliteStore::open(config_for(path));
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, StoreErrc::corrupt);
    EXPECT_NE(store.error().detail.find(path), std::string::npos) << store.error().detail;
}

TEST(SqliteStore, ARowThatCannotBeDecodedIsReportedCorruptNamingTheMessage) {
    TempDir dir;
    const auto path = dir.file("bad-row.db");
    MessageIdGenerator ids(10);
    const auto m = sample_message(ids);
    {
        auto store = open_ok(config_for(path));
        ASSERT_NE(store, nullptr);
        std::vector<Message> batch{m};
        ASSERT_TRUE(store->insert_batch(batch, events_for(batch)).has_value());
    }
    ASSERT_TRUE(sqlite_execute(path, "UPDATE messages SET state = 'LIMBO'").has_value());
    auto store = open_ok(config_for(path));
    ASSERT_NE(store, nullptr);
    const auto got = store->get(m.id);
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code, StoreErrc::corrupt);
    EXPECT_NE(got.error().detail.find(m.id.to_string()), std::string::npos) << got.error().detail;
    const auto listed = store->list(MessageQuery{});
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(listed.error().code, StoreErrc::corrupt);
}

TEST(SqliteStore, MissingDirectoryOrDirectoryPathIsUnavailableNamingTheFile) {
    TempDir dir;
    const auto missing = dir.file("no/such/dir/x.db");
    auto store = SqliteStore::open(config_for(missing));
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, StoreErrc::unavailable);
    EXPECT_NE(store.error().detail.find(missing), std::string::npos) << store.error().detail;
    EXPECT_NE(store.error().detail.find("unable to open"), std::string::npos)
        << store.error().detail;

    auto on_dir = SqliteStore::open(config_for(dir.path().string()));
    ASSERT_FALSE(on_dir.has_value());
    EXPECT_EQ(on_dir.error().code, StoreErrc::unavailable);
}

// Root ignores file modes, so the check runs in a child that drops to an unprivileged user.
TEST(SqliteStore, ReadOnlyFileIsUnavailableWithAClearMessage) {
    TempDir dir;
    const auto path = dir.file("ro.db");
    { ASSERT_NE(open_ok(config_for(path)), nullptr); }
    ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
    ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
        auto store = SqliteStore::open(config_for(path));
        if (store.has_value()) ::_exit(1);
        const bool clear = store.error().code == StoreErrc::unavailable &&
                           store.error().detail.find("read-only") != std::string::npos &&
                           store.error().detail.find(path) != std::string::npos;
        ::_exit(clear ? 0 : 2);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: opened read-write, 2: unclear error, 3: setuid failed";
}

TEST(SqliteStore, FullDatabaseFailsWritesAsUnavailableAndKeepsServingReads) {
    TempDir dir;
    auto config = config_for(dir.file("small.db"));
    config.max_size_bytes = 256 * 1024;
    auto store = open_ok(config);
    ASSERT_NE(store, nullptr);
    MessageIdGenerator ids(3);
    std::vector<MessageId> stored;
    std::optional<StoreError> failure;
    for (int i = 0; i < 2000 && !failure; ++i) {
        std::vector<Message> batch;
        for (int j = 0; j < 10; ++j) batch.push_back(sample_message(ids));
        if (auto r = store->insert_batch(batch, events_for(batch)); r) {
            for (const auto& m : batch) stored.push_back(m.id);
        } else {
            failure = r.error();
            for (const auto& m : batch) EXPECT_FALSE(store->get(m.id)->has_value());
        }
    }
    ASSERT_TRUE(failure.has_value()) << "256 KiB never filled";
    EXPECT_EQ(failure->code, StoreErrc::unavailable);
    EXPECT_NE(failure->detail.find("full"), std::string::npos) << failure->detail;
    ASSERT_FALSE(stored.empty());
    EXPECT_TRUE(store->get(stored.front())->has_value());
    EXPECT_EQ(*store->count(MessageState::queued), stored.size());
    EXPECT_EQ(*store->integrity_check(), "ok");
}

TEST(SqliteStore, GroupCommitAcknowledgesOnlyDurableWritesFromManyThreads) {
    TempDir dir;
    auto config = config_for(dir.file("group.db"));
    config.commit_window = std::chrono::milliseconds(2);
    constexpr int kThreads = 16;
    constexpr int kPerThread = 60;
    std::mutex acked_mutex;
    std::vector<MessageId> acked;
    SqliteStoreStats stats;
    {
        auto store = open_ok(config);
        ASSERT_NE(store, nullptr);
        std::vector<std::thread> threads;
        std::atomic<int> failures{0};
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                MessageIdGenerator ids(100 + static_cast<std::uint64_t>(t));
                for (int i = 0; i < kPerThread; ++i) {
                    std::vector<Message> batch;
                    for (int j = 0; j <= i % 4; ++j) batch.push_back(sample_message(ids));
                    if (!store->insert_batch(batch, events_for(batch))) {
                        ++failures;
                        continue;
                    }
                    std::lock_guard lock(acked_mutex);
                    for (const auto& m : batch) acked.push_back(m.id);
                }
            });
        }
        for (auto& th : threads) th.join();
        EXPECT_EQ(failures.load(), 0);
        stats = store->stats();
    }
    EXPECT_EQ(stats.requests, static_cast<std::uint64_t>(kThreads * kPerThread));
    EXPECT_LT(stats.commits, stats.requests);  // callers shared transactions
    EXPECT_GT(stats.max_group, 1u);
    auto store = open_ok(config_for(dir.file("group.db")));
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(*store->count(MessageState::queued), acked.size());
    for (const auto& id : acked) {
        ASSERT_TRUE(store->get(id)->has_value()) << id.to_string();
        ASSERT_EQ(store->events(id)->size(), 1u);
    }
}

// Checkpoints run on their own thread: past 1,000 WAL pages the writer's commits wake it, it
// copies the WAL into the database, and a later write starts the WAL over (it stays short).
// Readers see every acknowledged row throughout.
TEST(SqliteStore, TheCheckpointThreadKeepsTheWalShortWhileTheWriterGoesOn) {
    TempDir dir;
    const auto path = dir.file("wal.db");
    auto store = open_ok(config_for(path));
    ASSERT_NE(store, nullptr);
    MessageIdGenerator ids(7);
    std::vector<MessageId> written;
    auto write_batch = [&] {
        std::vector<Message> batch;
        for (int i = 0; i < 50; ++i) batch.push_back(sample_message(ids));
        ASSERT_TRUE(store->insert_batch(batch, events_for(batch)).has_value());
        for (const auto& m : batch) written.push_back(m.id);
    };
    for (int round = 0; round < 1000 && store->stats().wal_pages <= 1000; ++round) write_batch();
    const std::uint64_t longest = store->stats().wal_pages;
    ASSERT_GT(longest, 1000u);
    EXPECT_LT(longest, 10'000u);  // the writer's own backstop was not needed
    // Once a checkpoint has copied the whole WAL, the next write starts it over. A checkpoint
    // that began before the last commits copies only part: wait for the next one and try again.
    bool restarted = false;
    for (int attempt = 0; attempt < 20 && !restarted; ++attempt) {
        const auto before = store->stats().checkpoints;
        for (int i = 0; i < 3000 && store->stats().checkpoints == before; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        write_batch();
        restarted = store->stats().wal_pages < longest;
    }
    const auto stats = store->stats();
    EXPECT_TRUE(restarted) << "WAL " << stats.wal_pages << " pages after " << stats.checkpoints
                           << " checkpoints";
    EXPECT_EQ(stats.writer_checkpoints, 0u);
    EXPECT_EQ(stats.checkpoint_failures, 0u);
    EXPECT_EQ(*store->count(MessageState::queued), written.size());
    EXPECT_TRUE(store->get(written.front())->has_value());
    EXPECT_TRUE(store->get(written.back())->has_value());
    store.reset();
    auto reopened = open_ok(config_for(path));
    ASSERT_NE(reopened, nullptr);
    EXPECT_EQ(*reopened->count(MessageState::queued), written.size());
    EXPECT_EQ(*reopened->integrity_check(), "ok");
}

// Past 1,000 pages the thread is woken each time the WAL has grown by 500 more, not after every
// commit: a reader's open snapshot keeps the WAL from starting over while commits go on, and
// from 1,000 to 5,500 pages the thread runs about ten times (its once-a-second wake-up
// included), not once per commit.
TEST(SqliteStore, TheCheckpointThreadIsWokenEveryFiveHundredPagesNotAfterEveryCommit) {
    TempDir dir;
    const auto path = dir.file("step.db");
    auto store = open_ok(config_for(path));
    ASSERT_NE(store, nullptr);
    auto reader = sqlite::Connection::open(path, false);
    ASSERT_TRUE(reader.has_value()) << reader.error().detail;
    ASSERT_TRUE((*reader)->exec("BEGIN", "begin").has_value());
    ASSERT_TRUE((*reader)->query_int("SELECT count(*) FROM messages", "snapshot").has_value());
    MessageIdGenerator ids(8);
    std::uint64_t commits = 0;
    std::uint64_t at_1000 = 0;
    while (store->stats().wal_pages < 5500 && commits < 20'000) {
        std::vector<Message> batch;
        for (int i = 0; i < 20; ++i) batch.push_back(sample_message(ids));
        ASSERT_TRUE(store->insert_batch(batch, events_for(batch)).has_value());
        ++commits;
        if (at_1000 == 0 && store->stats().wal_pages >= 1000) at_1000 = commits;
    }
    const auto stats = store->stats();
    ASSERT_GE(stats.wal_pages, 5500u);
    ASSERT_LT(stats.wal_pages, 10'000u);
    EXPECT_GT(commits - at_1000, 100u);  // commits enough past the threshold to tell
    EXPECT_GE(stats.checkpoints, 1u);
    EXPECT_LE(stats.checkpoints, 24u)
        << stats.checkpoints << " runs, " << commits - at_1000 << " commits past 1,000 pages";
    EXPECT_EQ(stats.writer_checkpoints, 0u);
    ASSERT_TRUE((*reader)->exec("COMMIT", "end snapshot").has_value());
}

TEST(SqliteStore, OneCallersFailureInAGroupDoesNotFailTheOthers) {
    TempDir dir;
    auto config = config_for(dir.file("isolation.db"));
    config.commit_window = std::chrono::milliseconds(1000);  // both requests land in one group
    auto store = open_ok(config);
    ASSERT_NE(store, nullptr);
    MessageIdGenerator ids(4);
    auto existing = sample_message(ids);
    std::vector<Message> first{existing};
    ASSERT_TRUE(store->insert_batch(first, events_for(first)).has_value());
    const auto commits_before = store->stats().commits;

    auto fresh = sample_message(ids);
    auto other = sample_message(ids);
    std::vector<Message> dup_batch{fresh, existing};
    std::vector<Message> good_batch{other};
    Expected<void, StoreError> dup_result;
    Expected<void, StoreError> good_result;
    std::thread a([&] { dup_result = store->insert_batch(dup_batch, events_for(dup_batch)); });
    std::thread b([&] { good_result = store->insert_batch(good_batch, events_for(good_batch)); });
    a.join();
    b.join();
    ASSERT_FALSE(dup_result.has_value());
    EXPECT_EQ(dup_result.error().code, StoreErrc::duplicate);
    ASSERT_TRUE(good_result.has_value()) << good_result.error().detail;
    EXPECT_EQ(store->stats().commits, commits_before + 1);
    EXPECT_FALSE(store->get(fresh.id)->has_value());
    EXPECT_TRUE(store->get(other.id)->has_value());
    EXPECT_EQ(store->events(existing.id)->size(), 1u);
}

TEST(SqliteStore, RefusesABatchNamingAnIdTwiceOrAnEventOfAnUnknownMessage) {
    TempDir dir;
    auto store = open_ok(config_for(dir.file("refuse.db")));
    ASSERT_NE(store, nullptr);
    MessageIdGenerator ids(9);
    const auto m = sample_message(ids);
    std::vector<Message> twice{m, m};
    const auto dup = store->insert_batch(twice, {});
    ASSERT_FALSE(dup.has_value());
    EXPECT_EQ(dup.error().code, StoreErrc::duplicate);
    const auto ghost = sample_message(ids);
    std::vector<Message> one{m};
    std::vector<MessageEvent> stray{accepted_event(m), accepted_event(ghost)};
    const auto orphan = store->insert_batch(one, stray);
    ASSERT_FALSE(orphan.has_value());
    EXPECT_EQ(orphan.error().code, StoreErrc::not_found);
    EXPECT_FALSE(store->get(m.id)->has_value());  // all or nothing
    ASSERT_TRUE(store->insert_batch(one, events_for(one)).has_value());
    EXPECT_EQ(store->events(m.id)->size(), 1u);
}

TEST(SqliteStore, LoadActivePagesThroughTheBacklogInIdOrder) {
    TempDir dir;
    auto store = open_ok(config_for(dir.file("pages.db")));
    ASSERT_NE(store, nullptr);
    MessageIdGenerator ids(5);
    std::vector<Message> batch;
    const MessageState states[] = {MessageState::queued, MessageState::sent,
                                   MessageState::failed_temp, MessageState::delivered,
                                   MessageState::sending};
    for (int i = 0; i < 50; ++i) batch.push_back(sample_message(ids, "acme", states[i % 5]));
    ASSERT_TRUE(store->insert_batch(batch, events_for(batch)).has_value());
    std::vector<MessageId> expected;
    for (const auto& m : batch) {
        if (m.state == MessageState::queued || m.state == MessageState::failed_temp ||
            m.state == MessageState::sending) {
            expected.push_back(m.id);
        }
    }
    std::vector<MessageId> seen;
    std::optional<MessageId> after;
    int pages = 0;
    for (;;) {
        auto page = store->load_active_page(after, 7);
        ASSERT_TRUE(page.has_value());
        ASSERT_LE(page->messages.size(), 7u);
        for (const auto& m : page->messages) seen.push_back(m.id);
        ++pages;
        if (!page->next) break;
        after = page->next;
    }
    EXPECT_EQ(seen, expected);
    EXPECT_EQ(pages, 5);  // 30 messages, 7 per page
    auto all = store->load_active();
    ASSERT_EQ(all->size(), expected.size());
}

TEST(SqliteStore, RetentionThreadPurgesOnlyMessagesFinishedLongerAgo) {
    TempDir dir;
    auto config = config_for(dir.file("retention.db"));
    config.retention = std::chrono::hours(1);
    config.purge_interval = std::chrono::milliseconds(20);
    auto store = open_ok(config);
    ASSERT_NE(store, nullptr);
    MessageIdGenerator ids(8);
    const auto now = SystemClock::now();
    auto old_done = sample_message(ids, "acme", MessageState::delivered);
    old_done.updated_at = now - std::chrono::hours(2);
    auto fresh_done = sample_message(ids, "acme", MessageState::delivered);
    fresh_done.updated_at = now;
    auto old_queued = sample_message(ids, "acme", MessageState::queued);
    old_queued.updated_at = now - std::chrono::hours(2);
    std::vector<Message> batch{old_done, fresh_done, old_queued};
    ASSERT_TRUE(store->insert_batch(batch, events_for(batch)).has_value());
    // The row goes at the purge's commit; the thread counts it just after: wait for both.
    for (int i = 0;
         i < 2000 && (store->get(old_done.id)->has_value() || store->stats().purged == 0); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_FALSE(store->get(old_done.id)->has_value());
    EXPECT_TRUE(store->get(fresh_done.id)->has_value());
    EXPECT_TRUE(store->get(old_queued.id)->has_value());
    EXPECT_EQ(store->stats().purged, 1u);
    EXPECT_EQ(store->stats().purge_failures, 0u);
}

// kill -9 in the middle of acknowledged group commits: every id the child reported as
// acknowledged must be in the database afterwards, which must pass integrity_check.
class SqliteCrash : public ::testing::TestWithParam<SqliteSync> {};

TEST_P(SqliteCrash, EveryAcknowledgedAcceptanceSurvivesKill9) {
    TempDir dir;
    const auto path = dir.file("crash.db");
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(fds[0]);
        auto config = config_for(path);
        config.synchronous = GetParam();
        auto store = SqliteStore::open(config);
        if (!store) ::_exit(2);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                MessageIdGenerator ids(1000 + static_cast<std::uint64_t>(t));
                for (;;) {  // until killed
                    std::vector<Message> batch;
                    for (int j = 0; j < 10; ++j) batch.push_back(sample_message(ids));
                    if (!(*store)->insert_batch(batch, events_for(batch))) ::_exit(3);
                    char buf[10 * 16];
                    for (std::size_t j = 0; j < batch.size(); ++j) {
                        std::memcpy(buf + j * 16, batch[j].id.bytes().data(), 16);
                    }
                    // One write per batch: atomic on a pipe (< PIPE_BUF).
                    if (::write(fds[1], buf, sizeof buf) != static_cast<ssize_t>(sizeof buf))
                        ::_exit(4);
                }
            });
        }
        for (auto& th : threads) th.join();
        ::_exit(0);
    }
    ::close(fds[1]);
    std::vector<MessageId> acked;
    char buf[16 * 64];
    std::size_t have = 0;
    while (acked.size() < 3000) {
        const ssize_t n = ::read(fds[0], buf + have, sizeof buf - have);
        if (n <= 0) break;
        have += static_cast<std::size_t>(n);
        std::size_t off = 0;
        for (; off + 16 <= have; off += 16) {
            MessageId::Bytes b{};
            std::memcpy(b.data(), buf + off, 16);
            acked.emplace_back(b);
        }
        std::memmove(buf, buf + off, have - off);
        have -= off;
    }
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ::close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
    ASSERT_GE(acked.size(), 3000u);

    auto store = open_ok(config_for(path));
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(*store->integrity_check(), "ok");
    std::size_t missing = 0;
    for (const auto& id : acked) {
        auto got = store->get(id);
        ASSERT_TRUE(got.has_value());
        if (!got->has_value() || store->events(id)->size() != 1u) ++missing;
    }
    EXPECT_EQ(missing, 0u);
    // Whole batches only: everything stored is a multiple of the batch size.
    EXPECT_EQ(*store->count(MessageState::queued) % 10, 0u);
    EXPECT_GE(*store->count(MessageState::queued), acked.size());
}

INSTANTIATE_TEST_SUITE_P(Sync, SqliteCrash, ::testing::Values(SqliteSync::normal, SqliteSync::full),
                         [](const auto& info) {
                             return std::string(info.param == SqliteSync::full ? "Full" : "Normal");
                         });

}  // namespace
}  // namespace bindery::router
