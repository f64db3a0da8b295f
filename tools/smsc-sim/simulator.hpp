#pragma once
// SmscSimulator: a configurable SMSC for tests, benchmarks and the embedded default carrier. Built
// on SmppServer (Session in the SMSC role): answers submits with unique message ids, sends
// delivery receipts (Appendix B text + receipted_message_id / message_state TLVs) after a delay
// with a configurable outcome mix, and injects faults: a hidden throughput limit
// (ESME_RTHROTTLED past it), an error rate, slow responses, disconnects after N submits, MO
// traffic, a bind limit.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "smpp/net/smpp_server.hpp"

namespace bindery::sim {

struct DlrOutcome {
    std::string stat;  // DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, ACCEPTD, UNKNOWN
    double weight = 0;
};

struct SimConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 2775;
    std::vector<std::pair<std::string, std::string>> accounts;  // empty: any credentials bind
    std::string system_id = "smsc-sim";
    double throttle_tps = 0;  // hidden limit per account (ESME_RTHROTTLED past it); 0 = none
    double throttle_burst = 0;
    double error_rate = 0;  // fraction of submits answered with error_status
    smpp::CommandStatus error_status = smpp::CommandStatus::ESME_RSYSERR;
    Duration resp_delay{};  // every response waits this long
    double slow_rate = 0;   // fraction of responses delayed by slow_delay instead
    Duration slow_delay = std::chrono::seconds(2);
    Duration dlr_delay = std::chrono::milliseconds(100);
    std::vector<DlrOutcome> dlr_mix{{"DELIVRD", 100}};
    std::uint64_t drop_after = 0;  // close a connection after this many submits on it; 0 = never
    std::uint64_t stall_after =
        0;                      // leave every submit after the Nth (in total) unanswered; 0 = never
    double mo_rate = 0;         // MO messages/s to each account with a receiver bind
    unsigned max_binds = 64;    // per account
    std::size_t window = 1000;  // per bind
    Duration enquire_link_interval = std::chrono::seconds(30);
    std::uint64_t seed = 0;  // 0 = random
    smpp::TlsOptions tls;
    // Appends one line per accepted submit_sm / data_sm (tests read what the carrier got):
    // "<message id> <data_coding> <esm_class> <sar ref>/<total>/<seqnum> <user data hex>",
    // "-" for absent SAR TLVs; the user data is short_message or message_payload, UDH included.
    std::string record_file;
};

struct SimCounters {
    std::uint64_t submits = 0;
    std::uint64_t accepted = 0;
    std::uint64_t errors_injected = 0;
    std::uint64_t throttled = 0;
    std::uint64_t receipts_queued = 0;
    std::uint64_t receipts_delivered = 0;
    std::uint64_t receipts_failed = 0;
    std::uint64_t mo_sent = 0;
    std::uint64_t disconnects = 0;
    std::uint64_t binds = 0;
    std::uint64_t bind_rejects = 0;
    std::uint64_t stalled = 0;  // submits left unanswered (--stall-after)
    std::uint64_t heals = 0;
    std::unordered_map<std::string, std::uint64_t> outcomes;  // stat -> receipts
};

class SmscSimulator final : public smpp::SubmitHandler,
                            public std::enable_shared_from_this<SmscSimulator> {
public:
    SmscSimulator(boost::asio::any_io_executor executor, SimConfig config);
    ~SmscSimulator() override;

    void start();
    void stop();
    [[nodiscard]] std::uint16_t port() const noexcept;
    // The carrier recovers: no more injected errors, slow responses, drops or stalls (the hidden
    // --throttle-tps limit stays). Submits left unanswered by a stall stay unanswered.
    void heal();
    [[nodiscard]] SimCounters counters() const;
    [[nodiscard]] std::string counters_json() const;
    [[nodiscard]] smpp::SmppServer& server() noexcept { return *server_; }
    // Observes every accepted submit (tests): account, message id.
    std::function<void(std::string_view, std::string_view)> on_accepted;

    // smpp::SubmitHandler
    void on_submit(const smpp::SubmitOrigin& origin, const smpp::Pdu& request,
                   smpp::SubmitResponder respond) override;
    void on_bind(std::string_view account, smpp::SessionState state,
                 std::uint64_t connection_id) override;
    void on_unbind(std::string_view account, std::uint64_t connection_id) override;

private:
    struct Delayed {
        TimePoint at;
        std::function<void()> run;
    };

    std::string next_message_id();
    void record(const smpp::Pdu& request, const std::string& message_id);
    const std::string& pick_outcome();
    void enqueue(std::deque<Delayed>& queue, boost::asio::steady_timer& timer, Duration delay,
                 std::function<void()> run);
    void arm(std::deque<Delayed>& queue, boost::asio::steady_timer& timer);
    void arm_mo();
    void send_mo();

    boost::asio::any_io_executor executor_;
    SimConfig config_;
    std::shared_ptr<smpp::SmppServer> server_;
    std::mt19937_64 rng_;
    std::uint64_t run_id_ = 0;
    std::uint64_t next_id_ = 0;
    double mix_total_ = 0;
    // FIFO queues with one timer each (delays are constant per kind, so FIFO is time order).
    std::deque<Delayed> delayed_;
    std::deque<Delayed> slow_;
    boost::asio::steady_timer delayed_timer_;
    boost::asio::steady_timer slow_timer_;
    std::deque<Delayed> receipts_;
    boost::asio::steady_timer receipt_timer_;
    boost::asio::steady_timer mo_timer_;
    std::unordered_map<std::uint64_t, std::uint64_t> per_connection_;  // submits per connection
    SimCounters counters_;
    bool stopped_ = false;
};

// The receipt deliver_sm for an accepted submit `original` that ended as `stat` at `at`: addresses
// swapped, esm_class 0x04, the Appendix B text of smpp::build_receipt ("id:... sub:001 dlvrd:001
// submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD err:000 text:<the first 20 characters
// of the original>") and smpp::make_receipt_tlvs: receipted_message_id, message_state
// (smpp::parse_stat of `stat`, UNKNOWN for anything else) and, unless DELIVRD, network_error_code
// (GSM, the err value: UNDELIV 1, EXPIRED 2, others 3).
[[nodiscard]] smpp::ShortMessageData make_receipt(const smpp::ShortMessageData& original,
                                                  std::string_view message_id,
                                                  std::string_view stat,
                                                  std::chrono::system_clock::time_point at);

}  // namespace bindery::sim
