// The store cannot write (disk full): acceptance is refused with 503 and a JSON reason, nothing
// acknowledged before is lost, and the gateway recovers once space is back.
//
// How "disk full" is made without root or a tiny tmpfs: RLIMIT_FSIZE on the running gateway
// (prlimit(2) on the child, soft limit only, so it can be raised back). Every write that would
// extend a file past the limit fails with EFBIG, the same failed-write path as ENOSPC for SQLite
// (the transaction is rolled back, the statement returns an I/O error). The child must not die of
// SIGXFSZ: the test ignores the signal before spawning and posix_spawn passes the ignored
// disposition on. (chmod of the directory would not do: a running process keeps writing to the
// files it has open, and the tests may run as root.)

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>

#include <iostream>

#include "tests/faults/harness.hpp"

namespace bindery::faults {
namespace {

using ::testing::HasSubstr;

bool set_file_size_limit(pid_t pid, rlim_t soft) {
    rlimit current{};
    if (::prlimit(pid, RLIMIT_FSIZE, nullptr, &current) != 0) return false;
    rlimit next = current;
    next.rlim_cur = soft == RLIM_INFINITY ? current.rlim_max : soft;
    return ::prlimit(pid, RLIMIT_FSIZE, &next, nullptr) == 0;
}

TEST(StoreFault, FullDiskRefusesAcceptanceWith503AndLosesNothingAcknowledged) {
    ::signal(SIGXFSZ, SIG_IGN);  // inherited by the gateway: EFBIG instead of death
    TempDir dir("bindery-fault-");
    Simulator sim(dir.path(), {"--dlr-delay", "50"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.err");
    const auto config = write_config(dir.path(), sim.port());
    std::vector<std::string> ids;
    std::size_t refused = 0;
    {
        Gateway gateway(dir.path(), config);
        ASSERT_NE(gateway.port(), 0) << gateway.diagnostics();
        ASSERT_TRUE(eventually([&] { return gateway.ready(); }, 30s)) << gateway.diagnostics();
        ids = submit_many(gateway.port(), 5, 10, 0);
        ASSERT_EQ(ids.size(), 50U) << gateway.diagnostics();

        // The disk fills up: no file of the gateway may grow past one byte.
        ASSERT_TRUE(set_file_size_limit(gateway.process().pid(), 1));
        std::string last;
        for (int i = 0; i < 20; ++i) {
            const auto reply = http(gateway.port(), "POST", "/v1/messages",
                                    submit_body(recipients(1000 + i, 1), "while full"));
            if (reply.status == 202) {  // acknowledged after all: must then be kept like the rest
                const auto got = ids_in(reply.body);
                ids.insert(ids.end(), got.begin(), got.end());
                continue;
            }
            ++refused;
            last = reply.head + "\n" + reply.body;
            EXPECT_EQ(reply.status, 503) << last;
            EXPECT_THAT(reply.body, HasSubstr(R"("code":"unavailable")")) << last;
            EXPECT_THAT(reply.head, HasSubstr("Retry-After")) << last;
        }
        std::cout << refused << " of 20 refused while the store could not write: " << last << "\n";
        EXPECT_GE(refused, 15U) << last;  // a commit may still fit in a reused WAL page

        // Space is back: the same process accepts again.
        ASSERT_TRUE(set_file_size_limit(gateway.process().pid(), RLIM_INFINITY));
        std::vector<std::string> after;
        EXPECT_TRUE(eventually(
            [&] {
                after = submit_many(gateway.port(), 1, 1, 2000, "after");
                return !after.empty();
            },
            30s))
            << gateway.diagnostics();
        ids.insert(ids.end(), after.begin(), after.end());
        EXPECT_EQ(gateway.stop(), 0) << gateway.diagnostics();
    }

    // A restart on the same file: every acknowledged message is there and goes through, and none
    // of the refused ones was stored.
    Gateway restarted(dir.path(), config);
    ASSERT_NE(restarted.port(), 0) << restarted.diagnostics();
    const auto a = account_when_final(restarted.port(), ids, 50s);
    std::cout << a.summary() << "\n";
    EXPECT_TRUE(a.balanced()) << a.summary();
    EXPECT_EQ(a.in("DELIVERED"), ids.size()) << a.summary() << restarted.diagnostics();
    EXPECT_EQ(restarted.stop(), 0) << restarted.diagnostics();
}

}  // namespace
}  // namespace bindery::faults
