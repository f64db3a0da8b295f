#pragma once
// Concatenated submits on the SMPP server side: an ESME sends a long message as parts (UDH IE 0x00
// with an 8-bit reference or 0x08 with a 16-bit one, esm_class UDHI 0x40; or the sar_msg_ref_num /
// sar_total_segments / sar_segment_seqnum TLVs). Each part is held in a router::PartStore (SQLite,
// durable before the part is answered) and answered with an id of its own; when every part is
// held, the text is decoded and joined and goes to the router as ONE message (the router
// re-segments it for whatever carrier it picks), then the parts are deleted.
//
//   smpp::concat_part() what a submit_sm / data_sm says about concatenation (smpp/codec)
//   ConcatAssembler    the rules: grouping, duplicates, limits, timeouts, submission and recovery;
//                      single-threaded, `now` passed in (unit-tested with a fake clock)
//   SmppConcat         ConcatAssembler on a worker thread of its own (store writes and router
//                      calls block; never on an io thread)
//
// Ids and receipts: a part id is a UUIDv7 made here when the part is stored. The combined message
// carries them in the router as the tag `smpp-parts:<id>,<id>,...` (seqnum order) and as
// client_ref `smpp-concat:<id of part 1>`; the SMPP front end sends one receipt per part id when
// the message reaches a final state. The store links each part id to the combined message
// (PartStore::message_of) for query_sm.
//
// Crash safety: a group is marked complete in the same transaction as its last part. Complete
// groups are submitted; PartStore::finish() then deletes the parts and links the ids. After a
// crash between the router's acceptance and finish(), recovery finds the message by its client_ref
// (GatewayApi::list) and finishes the group instead of submitting it twice.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "router/api/gateway_api.hpp"
#include "router/api/part_store.hpp"
#include "router/core/random.hpp"
#include "smpp/base/expected.hpp"
#include "smpp/codec/concat_part.hpp"

namespace bindery::app {

using smpp::concat_part;
using smpp::ConcatRef;
using smpp::ConcatRefKind;
using smpp::SubmitPart;

inline constexpr std::string_view kPartsTag = "smpp-parts:";
inline constexpr std::string_view kConcatRefPrefix = "smpp-concat:";

// The parts' user data joined and decoded to UTF-8: runs of parts with the same data_coding are
// joined before decoding (a character split across parts still decodes); each run is decoded by
// its own data_coding (what a handset shows when an ESME mixed them).
[[nodiscard]] std::string join_text(const std::vector<router::HeldPart>& parts);

struct ConcatLimits {
    std::chrono::seconds timeout{std::chrono::minutes(5)};  // from the first part received
    std::size_t max_messages = 1000;                        // incomplete messages per account
    std::size_t max_parts = 10000;                          // parts held per account
    std::chrono::seconds retry_interval{5};  // router busy or store failing: try again after
    std::chrono::hours link_retention{72};   // part id -> message links (query_sm)
    // A part retransmitted after its message was complete (its resp was lost) is answered with its
    // first id for this long when its content is the same (memory only, at most 100 000 parts).
    std::chrono::seconds duplicate_window{std::chrono::minutes(5)};
};

struct PartAnswer {
    smpp::CommandStatus status = smpp::CommandStatus::ESME_ROK;
    std::string message_id;  // ESME_ROK: the part's id
};

// A combined message that will not be sent: the front end owes each part id a failure receipt
// when the ESME asked for one (the tags carry its smpp-dlr tag).
struct FailedConcat {
    std::string account;
    std::string sender;
    std::string destination;
    std::vector<std::string> tags;
    std::vector<router::MessageId> part_ids;  // seqnum order
    router::MessageState state =
        router::MessageState::undeliverable;  // timed out; rejected: refused
    std::string reason;
    std::string text;  // what was received
    router::SystemTime first_at{};
};

struct ConcatStats {
    std::uint64_t parts_pending = 0;     // parts held (gauge)
    std::uint64_t messages_pending = 0;  // incomplete or unsubmitted messages held (gauge)
    std::uint64_t parts_received = 0;    // parts stored
    std::uint64_t duplicates = 0;        // parts answered with the id of a held one
    std::uint64_t refused = 0;           // parts refused (limits, inconsistent numbering, store)
    std::uint64_t reassembled = 0;       // combined messages accepted by the router
    std::uint64_t timed_out = 0;         // messages dropped incomplete
    std::uint64_t rejected = 0;          // combined messages the router refused
};

class ConcatAssembler {
public:
    ConcatAssembler(router::PartStore& store, router::GatewayApi& api, ConcatLimits limits,
                    std::uint64_t id_seed);

    // Loads what the store holds (call once, before add()). Complete groups are submitted by the
    // next submit_due(); incomplete ones keep their deadline (first part + timeout).
    Expected<void, std::string> recover();
    // One part. `base`: the request the part would have been alone (client, sender, E.164
    // destination, priority, validity, tags), text empty; the first part's fields are kept.
    PartAnswer add(std::string_view account, const router::SubmitRequest& base,
                   const SubmitPart& part, router::SystemTime now);
    // Submits complete groups (in one GatewayApi::submit), finishes accepted ones; returns those
    // the router refused for good (busy/unavailable: retried after retry_interval).
    std::vector<FailedConcat> submit_due(router::SystemTime now);
    // Drops incomplete groups whose timeout passed.
    std::vector<FailedConcat> expire(router::SystemTime now);
    // When submit_due() or expire() has work next (nullopt: nothing held).
    [[nodiscard]] std::optional<router::SystemTime> next_due() const;
    [[nodiscard]] bool has_due(router::SystemTime now) const;
    [[nodiscard]] ConcatStats stats() const { return stats_; }

private:
    using Key = std::tuple<std::string, std::string, std::string, std::uint8_t, std::uint16_t>;
    struct Group {
        router::HeldGroup held;
        router::SystemTime deadline{};
        router::SystemTime retry_at{};              // complete: next submission attempt
        std::optional<router::MessageId> accepted;  // the router has it; finish() pending
        bool stored = true;                         // held.id valid
        bool recovered = false;                     // complete before a restart: check list()
    };
    struct AccountCount {
        std::size_t messages = 0;
        std::size_t parts = 0;
    };

    static Key key_of(const router::HeldGroup& g);
    void count(const Group& g, int sign);
    FailedConcat failed(const Group& g, router::MessageState state, std::string reason) const;
    router::SubmitRequest combined(const Group& g) const;
    bool try_finish(Group& g, router::SystemTime now);
    void erase(std::int64_t id);
    void remember(const Group& g, router::SystemTime now);
    std::optional<std::string> recent_duplicate(const Key& key, const SubmitPart& part,
                                                router::SystemTime now);

    router::PartStore& store_;
    router::GatewayApi& api_;
    ConcatLimits limits_;
    router::MessageIdGenerator ids_;
    std::map<std::int64_t, Group> groups_;  // by store id
    std::map<Key, std::int64_t> open_;      // incomplete groups by key
    std::map<std::string, AccountCount, std::less<>> accounts_;
    struct Released {  // a released message's parts, for late retransmissions
        std::uint8_t total = 0;
        router::SystemTime until{};
        std::map<std::uint8_t, std::pair<router::MessageId, std::string>>
            parts;  // seqnum -> id, data
    };
    std::map<Key, Released> released_;
    std::deque<std::pair<router::SystemTime, Key>> released_order_;
    std::size_t released_parts_ = 0;
    ConcatStats stats_;
    router::SystemTime last_purge_{};
};

// ConcatAssembler on a worker thread. add() answers through `done` on the worker thread (the
// caller posts to its own executor); failed messages go to `on_failed` on the worker thread.
class SmppConcat {
public:
    using Done = std::function<void(PartAnswer)>;
    using Failed = std::function<void(FailedConcat)>;
    SmppConcat(router::PartStore& store, router::GatewayApi& api, ConcatLimits limits,
               Failed on_failed, std::size_t max_queue = 10000);
    ~SmppConcat();
    SmppConcat(const SmppConcat&) = delete;
    SmppConcat& operator=(const SmppConcat&) = delete;

    // Recovers the store's groups (throws on a store error: startup) and starts the worker.
    void start();
    // Answers what is queued, then joins the worker.
    void stop();
    // Queues a part; false (nothing queued, `done` not called) when stopping or the queue is full.
    bool add(std::string account, router::SubmitRequest base, SubmitPart part, Done done);
    // The combined message a part id went into (nullopt: unknown, or the message is not yet
    // accepted). Any thread.
    [[nodiscard]] std::optional<router::MessageId> message_of(const router::MessageId& part);
    [[nodiscard]] ConcatStats stats() const;

private:
    struct Job {
        std::string account;
        router::SubmitRequest base;
        SubmitPart part;
        Done done;
    };
    void work();

    router::PartStore& store_;
    ConcatAssembler assembler_;
    Failed on_failed_;
    std::size_t max_queue_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    bool started_ = false;
    std::thread worker_;
    ConcatStats stats_;  // copy of the assembler's, under mutex_
};

}  // namespace bindery::app
