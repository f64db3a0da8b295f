#include "router/core/message_store.hpp"

#include <gtest/gtest.h>

#include "tests/router/core/message_store_contract.hpp"

namespace bindery::router {
namespace {

INSTANTIATE_TEST_SUITE_P(InMemory, MessageStoreContract, ::testing::Values(StoreFactory([] {
                             return std::unique_ptr<MessageStore>(
                                 std::make_unique<InMemoryStore>());
                         })));

TEST(InMemoryStore, UnavailableFailsEveryCall) {
    InMemoryStore store;
    store.set_unavailable(true);
    EXPECT_EQ(store.load_active().error().code, StoreErrc::unavailable);
    EXPECT_EQ(store.get(MessageId{}).error().code, StoreErrc::unavailable);
    EXPECT_EQ(store.insert_batch({}, {}).error().code, StoreErrc::unavailable);
    EXPECT_EQ(store.purge(SystemTime{}).error().code, StoreErrc::unavailable);
    store.set_unavailable(false);
    EXPECT_TRUE(store.load_active().has_value());
}

}  // namespace
}  // namespace bindery::router
