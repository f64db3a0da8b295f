#pragma once
// SmppDeliveries: durable deliveries to the accounts of Bindery's SMPP server side — delivery
// receipts of messages ESMEs submitted, and mobile-originated messages (MO) from the carriers
// routed to an account by `smpp_server.mo_routes`. Every delivery is first written to a
// router::SmppOutbox (SQLite table smpp_outbox) and only then offered to SmppServer::deliver, so
// a receipt or MO waiting for an ESME's RX/TRX bind survives a restart or a kill -9:
//
//   Router on_transition (final state, smpp-dlr tag) --+
//   carrier MO (MoHandler) --route--------------------+--> worker thread --enqueue--> smpp_outbox
//   MO: the carrier's deliver_sm_resp waits for that commit (accepted(true); store error: false)
//
//   worker: per account with a receiver bind, due entries (pages, enqueue order, at most
//           max_in_flight per account) --post--> SmppServer::deliver on the frontend's strand
//   deliver_sm_resp ESME_ROK -> removed (at-least-once); ESME_RX_P_APPN -> given up; anything else
//   (error status, no response, lost link) -> retried after retry_initial doubling to retry_max;
//   still there after the expiry (per account or smpp_server.deliveries.expiry) -> given up.
//   Given up: logged (warn), counted, and written to the message's history (receipts).
//
// The window between a final state's commit and its receipt's enqueue (a crash there) is closed by
// a scan at start: final messages updated since a persisted watermark whose history has no receipt
// entry get one (enqueueing a receipt is idempotent). The watermark trails the live path by
// `scan_margin` (docs/smpp-net.md, "Durable deliveries").
//
// Threads: on_transition (under the router's lock) and on_mo (a carrier's executor) only copy and
// queue; SQLite runs on the worker thread; SmppServer only on the frontend's strand.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "app/smpp_frontend.hpp"
#include "router/api/smpp_outbox.hpp"
#include "router/core/message.hpp"
#include "router/core/message_store.hpp"
#include "router/providers/smpp_carrier_provider.hpp"
#include "smpp/net/message.hpp"

namespace bindery::app {

struct MoRoute {
    std::string destination;  // exact (digits, no "+"), or
    std::string prefix;       // a prefix
    std::string carrier;      // empty: any carrier
    std::string account;
};

struct SmppDeliveriesSettings {
    std::chrono::milliseconds expiry{std::chrono::hours(48)};
    std::map<std::string, std::chrono::milliseconds, std::less<>> account_expiry;  // overrides
    std::chrono::milliseconds retry_initial{std::chrono::seconds(5)};
    std::chrono::milliseconds retry_max{std::chrono::minutes(10)};
    std::size_t max_in_flight = 100;                                       // per account
    std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};      // due entries, expiry
    std::chrono::milliseconds bind_check{std::chrono::milliseconds(200)};  // receiver binds seen
    std::chrono::minutes scan_margin{5};  // the receipt watermark trails the live path by this
    std::size_t max_queued = 100'000;     // waiting in memory for the worker; past it MO refused
    std::vector<MoRoute> mo_routes;
};

// app config -> settings.
[[nodiscard]] SmppDeliveriesSettings to_deliveries_settings(const SmppServerConfig& config);

// Counters and labels for metrics; each member may be empty. Called on the worker thread (outcome)
// or a carrier's executor (mo_unrouted).
struct SmppDeliveryObserver {
    // outcome: "delivered", "retried", "given_up"
    std::function<void(router::SmppDeliveryKind kind, std::string_view outcome)> outcome;
    std::function<void(std::string_view carrier)> mo_unrouted;
    std::function<void(std::string_view carrier, std::string_view account)> mo_routed;
};

struct SmppDeliveriesStats {
    std::map<std::pair<std::string, router::SmppDeliveryKind>, std::uint64_t>
        pending;  // by account, kind
    std::uint64_t delivered = 0;
    std::uint64_t retried = 0;
    std::uint64_t given_up = 0;
    std::uint64_t mo_routed = 0;
    std::uint64_t mo_unrouted = 0;
    std::uint64_t receipts_recovered = 0;  // queued by the start-up scan
    std::uint64_t store_errors = 0;
};

class SmppDeliveries {
public:
    // `messages`: read by the start-up scan. All references outlive this object.
    SmppDeliveries(SmppDeliveriesSettings settings, router::SmppOutbox& outbox,
                   router::MessageStore& messages, SmppDeliveryObserver observer = {});
    ~SmppDeliveries();
    SmppDeliveries(const SmppDeliveries&) = delete;
    SmppDeliveries& operator=(const SmppDeliveries&) = delete;

    // The server side the deliveries go to, and whose receipts come here (its receipt route),
    // before start(). `frontend` outlives this object.
    void attach(SmppFrontend& frontend);
    // Runs the receipt scan, then the worker thread and the receiver-bind check (throws when the
    // scan cannot read the store).
    void start();
    // Stops offering deliveries, writes what is queued and the outcomes that arrived, joins the
    // worker. Deliveries in flight stay in the outbox (sent again after a restart). Idempotent.
    void stop();

    // Router hook (any thread, may hold the router's lock: only copies and queues).
    void on_transition(const router::Message& message, const router::MessageEvent& event);
    // Carrier MO (any thread): routed, queued, `accepted(true)` once durable.
    void on_mo(const router::MoMessage& mo, std::function<void(bool)> accepted);
    [[nodiscard]] router::MoHandler mo_handler();

    [[nodiscard]] SmppDeliveriesStats stats() const;

    // Pure parts (tested on their own).
    // The account an MO goes to (nullopt: no route).
    [[nodiscard]] static std::optional<std::string> route_mo(const std::vector<MoRoute>& routes,
                                                             std::string_view carrier,
                                                             std::string_view destination);
    // The deliver_sm for an MO: esm_class 0, source = the handset, destination = what it wrote
    // to, text GSM 7-bit (data_coding 0, unpacked) when every character has a GSM form, else
    // UCS-2 (8); a text longer than one SMS (160 GSM / 70 UCS-2) in message_payload.
    [[nodiscard]] static smpp::ShortMessageData mo_deliver_sm(const router::MoMessage& mo);
    // deliver_sm <-> the outbox's opaque `pdu` (an encoded SMPP deliver_sm PDU).
    [[nodiscard]] static std::string encode_pdu(const smpp::ShortMessageData& data);
    [[nodiscard]] static std::optional<smpp::ShortMessageData> decode_pdu(std::string_view pdu);
    // The delay before attempt `attempts + 1` after a failure.
    [[nodiscard]] static std::chrono::milliseconds backoff(const SmppDeliveriesSettings& settings,
                                                           std::uint32_t attempts) noexcept;

    struct Shared;  // state shared with the strand's callbacks

private:
    void run();
    void scan_receipts();
    void write_queued(router::SystemTime wall);
    void record_results(router::SystemTime wall);
    void expire(router::SystemTime wall);
    void offer(router::SystemTime wall);
    void check_binds();
    [[nodiscard]] std::chrono::milliseconds expiry_of(std::string_view account) const;
    // The receipts of `message` reaching `to` (one per part id of a concatenated submit), none when
    // it asked for none.
    [[nodiscard]] std::vector<router::SmppDelivery> receipt_deliveries(
        const router::Message& message, router::MessageState to, router::SystemTime at) const;

    SmppDeliveriesSettings settings_;
    router::SmppOutbox& outbox_;
    router::MessageStore& messages_;
    SmppDeliveryObserver observer_;
    SmppFrontend* frontend_ = nullptr;
    std::shared_ptr<Shared> shared_;
    std::shared_ptr<boost::asio::steady_timer> bind_timer_;  // used on the frontend's strand only
    std::thread worker_;
    bool started_ = false;

    // Worker thread only.
    struct AccountState {
        std::set<std::int64_t> in_flight;
        std::chrono::steady_clock::time_point fetch_after{};
    };
    std::map<std::string, AccountState, std::less<>> accounts_;
    std::optional<router::SystemTime> scanned_to_;  // the stored watermark
    std::chrono::steady_clock::time_point next_expiry_check_{};
};

}  // namespace bindery::app
