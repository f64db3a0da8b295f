// Held parts of concatenated submits (migration 10): a group and its parts survive a reopen with
// every field, complete is set with the last part, finish() swaps the parts for part -> message
// links in one step (and is harmless when repeated), drop() and link purging delete.

#include <gtest/gtest.h>

#include "router/store/sqlite_parts.hpp"
#include "router/store/sqlite_store.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::router {
namespace {

using namespace testing;

SqliteStoreConfig parts_config(const std::string& path) {
    SqliteStoreConfig c;
    c.path = path;
    c.synchronous = SqliteSync::full;
    return c;
}

std::unique_ptr<SqlitePartStore> open_parts(const SqliteStoreConfig& config) {
    auto opened = SqlitePartStore::open(config);
    if (!opened) {
        ADD_FAILURE() << opened.error().detail;
        return nullptr;
    }
    return std::move(*opened);
}

HeldPart part(MessageIdGenerator& ids, std::uint8_t seqnum, std::string data, SystemTime at) {
    HeldPart p;
    p.seqnum = seqnum;
    p.id = ids.next(at);
    p.data_coding = 8;
    p.data = std::move(data);
    p.received_at = at;
    return p;
}

HeldGroup group(std::uint8_t total) {
    HeldGroup g;
    g.account = "esme1";
    g.source = "Bindery";
    g.destination = "+989123456789";
    g.reference_kind = 1;
    g.reference = 0xBEEF;
    g.total = total;
    g.envelope = std::string("env\0elope", 9);
    g.first_at = kT0;
    return g;
}

TEST(SqlitePartStore, AGroupAndItsPartsSurviveAReopenWithEveryField) {
    TempDir dir;
    const auto config = parts_config(dir.file("m.db"));
    MessageIdGenerator ids(5);
    auto g = group(3);
    g.parts.push_back(part(ids, 2, std::string("\x00\x41\x00", 3), kT0));
    const auto p3 = part(ids, 3, "third", kT0 + 2s);
    std::int64_t id = 0;
    {
        auto store = open_parts(config);
        ASSERT_NE(store, nullptr);
        auto created = store->create(g);
        ASSERT_TRUE(created.has_value()) << created.error();
        id = *created;
        ASSERT_TRUE(store->add(id, p3, false).has_value());
        // The same seqnum twice is a store error (the caller answers duplicates itself).
        EXPECT_FALSE(store->add(id, part(ids, 3, "again", kT0), false).has_value());
    }
    auto store = open_parts(config);
    ASSERT_NE(store, nullptr);
    auto loaded = store->load();
    ASSERT_TRUE(loaded.has_value()) << loaded.error();
    ASSERT_EQ(loaded->size(), 1U);
    const auto& l = loaded->front();
    EXPECT_EQ(l.id, id);
    EXPECT_EQ(l.account, "esme1");
    EXPECT_EQ(l.source, "Bindery");
    EXPECT_EQ(l.destination, "+989123456789");
    EXPECT_EQ(l.reference_kind, 1);
    EXPECT_EQ(l.reference, 0xBEEF);
    EXPECT_EQ(l.total, 3);
    EXPECT_EQ(l.envelope, g.envelope);
    EXPECT_EQ(l.first_at, kT0);
    EXPECT_FALSE(l.complete);
    ASSERT_EQ(l.parts.size(), 2U);
    EXPECT_EQ(l.parts[0].seqnum, 2);
    EXPECT_EQ(l.parts[0].id, g.parts[0].id);
    EXPECT_EQ(l.parts[0].data, std::string("\x00\x41\x00", 3));
    EXPECT_EQ(l.parts[0].data_coding, 8);
    EXPECT_EQ(l.parts[1].seqnum, 3);
    EXPECT_EQ(l.parts[1].data, "third");
    EXPECT_EQ(l.parts[1].received_at, kT0 + 2s);
}

TEST(SqlitePartStore, TheLastPartMarksTheGroupCompleteAndFinishLinksEveryPart) {
    TempDir dir;
    auto store = open_parts(parts_config(dir.file("m.db")));
    ASSERT_NE(store, nullptr);
    MessageIdGenerator ids(6);
    auto g = group(2);
    g.parts.push_back(part(ids, 1, "a", kT0));
    auto id = store->create(g);
    ASSERT_TRUE(id.has_value());
    const auto p2 = part(ids, 2, "b", kT0 + 1s);
    ASSERT_TRUE(store->add(*id, p2, true).has_value());
    auto loaded = store->load();
    ASSERT_TRUE(loaded && loaded->size() == 1U);
    EXPECT_TRUE(loaded->front().complete);

    const MessageId combined = ids.next(kT0 + 2s);
    EXPECT_FALSE(store->message_of(g.parts[0].id)->has_value());
    ASSERT_TRUE(store->finish(*id, combined, kT0 + 2s).has_value());
    ASSERT_TRUE(store->finish(*id, combined, kT0 + 3s).has_value());  // again: harmless
    EXPECT_TRUE(store->load()->empty());
    EXPECT_EQ(store->message_of(g.parts[0].id)->value(), combined);
    EXPECT_EQ(store->message_of(p2.id)->value(), combined);
    EXPECT_FALSE(store->message_of(combined)->has_value());

    // Links older than the cut are purged.
    EXPECT_EQ(store->purge_links(kT0 + 2s).value(), 0U);
    EXPECT_EQ(store->purge_links(kT0 + 3s).value(), 2U);
    EXPECT_FALSE(store->message_of(p2.id)->has_value());
}

TEST(SqlitePartStore, DropDeletesAGroupAndItsPartsOnly) {
    TempDir dir;
    auto store = open_parts(parts_config(dir.file("m.db")));
    ASSERT_NE(store, nullptr);
    MessageIdGenerator ids(7);
    auto a = group(2);
    a.parts.push_back(part(ids, 1, "a", kT0));
    auto b = group(3);
    b.reference = 7;
    b.parts.push_back(part(ids, 3, "c", kT0));
    auto ida = store->create(a);
    auto idb = store->create(b);
    ASSERT_TRUE(ida && idb);
    EXPECT_LT(*ida, *idb);
    ASSERT_TRUE(store->drop(*ida).has_value());
    auto loaded = store->load();
    ASSERT_TRUE(loaded && loaded->size() == 1U);
    EXPECT_EQ(loaded->front().id, *idb);
    ASSERT_EQ(loaded->front().parts.size(), 1U);
    EXPECT_EQ(loaded->front().parts[0].seqnum, 3);
    // A part id is unique across groups: the same id in another group is refused.
    auto c = group(2);
    c.reference = 9;
    c.parts.push_back(b.parts[0]);
    EXPECT_FALSE(store->create(c).has_value());
    EXPECT_EQ(store->load()->size(), 1U);  // nothing of the refused group was kept
}

}  // namespace
}  // namespace bindery::router
