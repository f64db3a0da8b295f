// bench_smpp_concat: parts/s of concatenated submits held by the SMPP server side
// (app/smpp_concat.hpp): every part is written to SQLite (one transaction, fsync as configured)
// before its answer; every third part completes a message that goes to a router stub (accepts
// all) and releases its parts (one more transaction). docs/smpp-net.md reports the figures.
// Usage: bench_smpp_concat [--dir DIR] [--messages N] [--sync full|normal]

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "app/smpp_concat.hpp"
#include "router/store/sqlite_parts.hpp"

namespace {

using namespace bindery;

class AcceptAll final : public router::GatewayApi {
public:
    std::vector<router::SubmitOutcome> submit(
        std::span<const router::SubmitRequest> batch) override {
        std::vector<router::SubmitOutcome> out;
        for (const auto& r : batch)
            out.emplace_back(router::SubmitAccepted{
                ids_.next(router::SystemClock::now()), r.destination, {}, 1});
        return out;
    }
    Expected<router::MessageStatus, router::QueryError> status(
        const router::MessageId&, std::optional<std::string_view>) override {
        return Unexpected(router::QueryError{router::QueryErrc::not_found, {}});
    }
    Expected<router::MessagePage, router::QueryError> list(const router::MessageQuery&) override {
        return router::MessagePage{};
    }
    router::Backpressure backpressure() const override { return {}; }

private:
    router::MessageIdGenerator ids_{42};
};

}  // namespace

int main(int argc, char** argv) {
    std::string dir = "/tmp";
    std::uint64_t messages = 2000;
    router::SqliteSync sync = router::SqliteSync::full;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
        else if (std::strcmp(argv[i], "--messages") == 0)
            messages = std::stoull(argv[i + 1]);
        else if (std::strcmp(argv[i], "--sync") == 0)
            sync = std::strcmp(argv[i + 1], "normal") == 0 ? router::SqliteSync::normal
                                                           : router::SqliteSync::full;
    }
    const auto path =
        std::filesystem::path(dir) / ("bench-concat-" + std::to_string(::getpid()) + ".db");
    router::SqliteStoreConfig config;
    config.path = path.string();
    config.synchronous = sync;
    auto store = router::SqlitePartStore::open(config);
    if (!store) {
        std::fprintf(stderr, "open: %s\n", store.error().detail.c_str());
        return 1;
    }
    AcceptAll api;
    app::ConcatAssembler assembler(**store, api, {}, 7);
    if (!assembler.recover()) return 1;
    router::SubmitRequest base;
    base.client = "bench";
    base.sender = "Bindery";
    base.destination = "+989121234567";
    const std::vector<std::uint8_t> data(134, 0x41);  // a full UCS-2 part
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t parts = 0;
    for (std::uint64_t m = 0; m < messages; ++m) {
        for (std::uint8_t seq = 1; seq <= 3; ++seq) {
            app::SubmitPart p;
            p.ref = {app::ConcatRefKind::udh16, static_cast<std::uint16_t>(m), 3, seq};
            p.data_coding = 8;
            p.user_data = data;
            const auto answer = assembler.add("esme", base, p, router::SystemClock::now());
            if (answer.status != smpp::CommandStatus::ESME_ROK) {
                std::fprintf(stderr, "part refused: %u\n", static_cast<unsigned>(answer.status));
                return 1;
            }
            ++parts;
        }
        (void)assembler.submit_due(router::SystemClock::now());
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto s = assembler.stats();
    std::printf(
        "{\"sync\":\"%s\",\"messages\":%llu,\"parts\":%llu,\"seconds\":%.3f,\"parts_per_s\":%.0f,"
        "\"messages_per_s\":%.0f,\"reassembled\":%llu}\n",
        sync == router::SqliteSync::full ? "full" : "normal",
        static_cast<unsigned long long>(messages), static_cast<unsigned long long>(parts), secs,
        static_cast<double>(parts) / secs, static_cast<double>(messages) / secs,
        static_cast<unsigned long long>(s.reassembled));
    store->reset();
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(path.string() + suffix, ec);
    return s.reassembled == messages ? 0 : 1;
}
