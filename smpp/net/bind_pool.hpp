#pragma once
// BindPool: every bind to one carrier. N transceivers, or N transmitter/receiver pairs, built
// from a plain config struct; submits go to the least-loaded bound transmitting bind; one token
// bucket per carrier is shared by all of its binds (on top of each session's own); deliver_sm
// from any bind is handed up with a completion, and the deliver_sm_resp is sent only once the
// handler completes it. Counters are plain numbers for a metrics exporter to read.
//
// Threading: all calls on the pool's executor.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "smpp/net/client_bind.hpp"

namespace bindery::smpp {

struct BindPoolConfig {
    std::string carrier = "carrier";
    std::string host = "127.0.0.1";
    std::uint16_t port = 2775;
    std::string system_id;
    std::string password;
    std::string system_type;
    bool tx_rx_pairs = false;  // false: `count` transceivers; true: `count` TX + `count` RX binds
    unsigned count = 1;
    std::size_t window = 10;  // per bind
    // Peer requests (deliver_sm, data_sm) per bind awaiting the handler's answer; past it the
    // session answers ESME_RX_T_APPN and the SMSC resends later.
    std::size_t incoming_window = 1000;
    double max_tps = 0;          // carrier-wide submits/s across binds; 0 = unlimited
    double burst = 0;            // 0 = max(1, max_tps / 10)
    bool adaptive_rate = false;  // per bind: find the carrier's hidden limit from throttles
    Duration response_timeout = std::chrono::seconds(30);
    Duration enquire_link_interval = std::chrono::seconds(30);
    Duration connect_timeout = std::chrono::seconds(10);
    std::uint8_t addr_ton = 0;  // bind address_range TON/NPI
    std::uint8_t addr_npi = 0;
    std::string address_range;
    TlsOptions tls{};
    BackoffConfig backoff{};
};

// deliver_sm / data_sm from the carrier; call `done` (now or later) to answer it.
using PoolDeliverHandler = std::function<void(const Pdu& request, IncomingDone done)>;

struct BindPoolStats {
    unsigned binds = 0;          // configured
    unsigned binds_up = 0;       // bound now
    std::uint64_t bind_ups = 0;  // total bind successes
    std::uint64_t bind_downs = 0;
    std::uint64_t bind_failures = 0;
    std::size_t in_flight = 0;  // window occupancy: submits awaiting a response
    std::size_t window = 0;     // total window of the bound transmitting binds
    std::size_t queued = 0;
    std::uint64_t submits = 0;
    std::uint64_t submit_ok = 0;
    std::uint64_t submit_failed = 0;
    std::uint64_t throttled = 0;       // carrier throttle responses
    std::uint64_t throttle_waits = 0;  // local rate limit waits
    std::uint64_t delivers = 0;
};

class BindPool final : public ClientBindObserver, public std::enable_shared_from_this<BindPool> {
public:
    BindPool(boost::asio::any_io_executor executor, BindPoolConfig config,
             PoolDeliverHandler on_deliver);
    ~BindPool() override;

    void start();
    void stop(Duration drain, std::function<void()> done = {});

    // Sends on the least-loaded bound transmitting bind; refused (not sent) when none can take it.
    void submit(ShortMessageData message, SubmitCallback done);

    [[nodiscard]] bool ready() const noexcept;  // some bind can take a submit now
    [[nodiscard]] BindPoolStats stats() const;
    [[nodiscard]] const std::vector<std::shared_ptr<ClientBind>>& binds() const noexcept {
        return binds_;
    }
    [[nodiscard]] const BindPoolConfig& config() const noexcept { return config_; }
    // Called when a bind comes up or has room again (e.g. to resume a paused queue upstream).
    std::function<void()> on_capacity;

    // ClientBindObserver
    void on_bind_up(ClientBind& bind) override;
    void on_bind_down(ClientBind& bind) override;
    void on_ready(ClientBind& bind) override;
    void on_deliver(ClientBind& bind, const Pdu& request, IncomingDone done) override;

private:
    boost::asio::any_io_executor executor_;
    BindPoolConfig config_;
    PoolDeliverHandler on_deliver_;
    std::unique_ptr<TokenBucket> bucket_;
    std::vector<std::shared_ptr<ClientBind>> binds_;
    std::uint64_t delivers_ = 0;
};

}  // namespace bindery::smpp
