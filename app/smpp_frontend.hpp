#pragma once
// SmppFrontend: the SMPP server side wired to the router. The composition root is the only place
// that knows both smpp::SmppServer (wire, binds, accounts, deliver_sm queue) and
// router::GatewayApi (the narrow interface the HTTP API uses too):
//
//   ESME --submit_sm/data_sm/submit_multi--> SmppServer --on_submit--> SmppFrontend
//        --(worker thread, batched)--> GatewayApi::submit --> submit_sm_resp (message id)
//   Router on_transition (final state) --> SmppFrontend::on_transition --> SmppServer::deliver
//        --> deliver_sm receipt on one of the account's RX/TRX binds (retried while none is up)
//
// Submits are answered only after GatewayApi::submit returned (the message is durable: stored in
// the router's group commit). GatewayApi::submit may block on the store, so it runs on the worker
// thread of a router::SubmitBatcher (router/api/submit_batcher.hpp, the one the HTTP API uses
// too), never on an io thread; batches of waiting submits go in one call. One worker, so the
// router stores an ESME's submits in the order they arrived. The queue is bounded in PDUs
// (`max_pending`, PendingUnit::submits): past it ESME_RMSGQFUL. A message the gateway gave no
// outcome for (a bug there, or it threw) counts as refused with ESME_RSYSERR; the others of the
// same submit_multi keep their own outcome.
//
// schedule_delivery_time / validity_period (data_sm: qos_time_to_live) become the request's
// schedule_at / validity (app/smpp_timing.hpp); malformed ones are answered ESME_RINVSCHED /
// ESME_RINVEXPIRY.
//
// submit_multi: one router request per destination. Answered ESME_ROK with the first accepted
// message's id when any destination was accepted, else with the first refusal's status; either
// way every refused destination is listed in submit_multi_resp's unsuccess_sme (ton, npi,
// address, error_status_code).
//
// Receipts: a submit asking for one (registered_delivery bits 1-0 = 1, or 2 = failures only) is
// tagged `smpp-dlr:<system_id>:<registered_delivery>` in the router, so the transition to a final
// state (DELIVERED, UNDELIVERABLE, EXPIRED, REJECTED, FAILED_PERM, DEAD_LETTER; CANCELLED as
// stat:DELETED) knows where the deliver_sm goes even after a restart (receipt_account(),
// receipt_ids()). With a receipt route (set_receipt_route(): `bindery serve` routes them to
// app/smpp_deliveries, a durable outbox in the messages database that feeds SmppServer::deliver)
// every receipt goes there. Without one (tests, embedding) a receipt waits in SmppServer's
// per-account queue (bounded: `max_deliver_queue`) until a receiver bind takes it or
// `deliver_timeout` passes, logged and counted when given up, lost if the process stops.
//
// Concatenated submit_sm / data_sm / submit_multi parts (UDH IE 0x00/0x08 or sar_* TLVs) go to
// SmppConcat (app/smpp_concat.hpp) when a PartStore is given: each part is answered with its own
// id once stored, the whole text becomes one router message, and each part id gets its own
// receipt (the message's tag `smpp-parts:` lists them). A submit_multi part is held once per
// destination (one message each) and answered with the first accepted destination's part id.
// Without a PartStore they are refused.
//
// Threading: SmppServer runs on a strand of the io_context; on_transition may be called from any
// thread (it posts to the strand); stop() from any thread except the worker.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "app/config.hpp"
#include "app/smpp_concat.hpp"
#include "app/smpp_timing.hpp"
#include "router/api/gateway_api.hpp"
#include "router/api/submit_batcher.hpp"
#include "app/smpp_queries.hpp"
#include "router/core/message.hpp"
#include "smpp/net/smpp_server.hpp"

namespace bindery::app {

struct SmppFrontendAccount {
    std::string client;                        // router client the traffic is charged to
    std::vector<std::string> allowed_senders;  // empty or "*": any
    std::string default_sender{};              // its client's: fills an empty source_addr
};

struct SmppFrontendConfig {
    smpp::SmppServerConfig server;
    std::map<std::string, SmppFrontendAccount, std::less<>> accounts;  // by system_id
    std::size_t max_batch = 256;      // messages per GatewayApi::submit call (a PDU is never split)
    std::size_t max_pending = 10000;  // PDUs waiting for the worker; past it ESME_RMSGQFUL
    ConcatLimits concat;              // concatenated submits (with a PartStore)
    SubmitTimingLimits timing;  // schedule_delivery_time / validity_period (app/smpp_timing.hpp)
};

// app config -> frontend config (passwords hashed with a fresh salt; password_hash as configured).
// `clients`: the configuration's API clients; an account whose `client` names one takes its
// default_sender.
[[nodiscard]] SmppFrontendConfig to_smpp_frontend_config(
    const SmppServerConfig& config, const std::vector<ClientConfig>& clients = {});

struct SmppFrontendStats {
    std::uint64_t submits = 0;   // PDUs handed to the router
    std::uint64_t accepted = 0;  // messages accepted by the router
    std::uint64_t refused = 0;   // PDUs answered with an error
    std::uint64_t receipts_queued = 0;
    std::uint64_t receipts_delivered = 0;
    std::uint64_t receipts_given_up = 0;
    ConcatStats concat;  // concatenated submits (zero without a PartStore)
};

class SmppFrontend final : public smpp::SubmitHandler {
public:
    // A submit_multi destination as the ESME wrote it (for unsuccess_sme entries).
    struct Destination {
        std::uint8_t ton = 0;
        std::uint8_t npi = 0;
        std::string address;
    };
    // `parts`: where concatenated parts are held (nullptr: they are refused).
    SmppFrontend(boost::asio::any_io_executor executor, SmppFrontendConfig config,
                 router::GatewayApi& api, router::PartStore* parts = nullptr);
    ~SmppFrontend() override;
    SmppFrontend(const SmppFrontend&) = delete;
    SmppFrontend& operator=(const SmppFrontend&) = delete;

    // Starts the worker and the listener (throws on an unusable listen address or when the held
    // parts cannot be read).
    void start();
    // Stops accepting, unbinds every ESME, finishes queued submits, joins the worker. Not from
    // an io thread that must run for the unbind to complete: the unbind is posted, not awaited.
    void stop();
    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] SmppFrontendStats stats() const;

    // The server (deliver(), accounts_with_receivers(): on executor() only) and its strand.
    [[nodiscard]] const std::shared_ptr<smpp::SmppServer>& server() const noexcept {
        return server_;
    }
    [[nodiscard]] const boost::asio::any_io_executor& executor() const noexcept {
        return executor_;
    }

    // Router hook (any thread, may hold the router's lock: only copies and posts).
    void on_transition(const router::Message& message, const router::MessageEvent& event);
    // Where receipts go instead of SmppServer::deliver: called (any thread, maybe under the
    // router's lock) with each transition that asks for a receipt (receipt_account() is set).
    // Set before start().
    using ReceiptRoute = std::function<void(const router::Message&, const router::MessageEvent&)>;
    void set_receipt_route(ReceiptRoute route) { receipt_route_ = std::move(route); }

    // smpp::SubmitHandler (on the server's strand)
    void on_submit(const smpp::SubmitOrigin& origin, const smpp::Pdu& request,
                   smpp::SubmitResponder respond) override;
    // query_sm / cancel_sm / replace_sm: SmppQueries (app/smpp_queries.hpp), on its own worker.
    void on_query(const smpp::SubmitOrigin& origin, const smpp::Pdu& request,
                  smpp::QueryResponder respond) override;

    // The account a receipt of `message` reaching state `to` goes to: set when `to` is final and
    // the message carries a `smpp-dlr:` tag that asks for it (failures only: not for DELIVERED).
    [[nodiscard]] static std::optional<std::string> receipt_account(const router::Message& message,
                                                                    router::MessageState to);
    // The ids its receipts report: each part id of a concatenated submit, else the message's own.
    [[nodiscard]] static std::vector<std::string> receipt_ids(const router::Message& message);
    // The receipt deliver_sm for a message in a final state (exposed for tests); `id`: the id it
    // reports (empty: the message's own; a part id for concatenated submits).
    [[nodiscard]] static smpp::ShortMessageData receipt_for(const router::Message& message,
                                                            const router::MessageEvent& event,
                                                            std::string_view id = {});
    // The combined message a part id went into (nullopt: not a part id, or not yet accepted).
    [[nodiscard]] std::optional<router::MessageId> message_of_part(const router::MessageId& part);

private:
    struct ReceiptCounters {
        std::atomic<std::uint64_t> delivered{0};
        std::atomic<std::uint64_t> given_up{0};
    };
    // `destinations`: submit_multi, one per outcome; else empty.
    void answer(smpp::SubmitResponder& respond, std::vector<Destination>& destinations,
                std::span<const router::SubmitOutcome> outcomes);
    void on_concat_failed(const FailedConcat& failed);
    // A concatenated submit_multi part: held once per destination (`requests`: one per
    // destination, text empty), answered when every destination's part was stored or refused.
    void add_multi_part(std::string_view account, std::vector<router::SubmitRequest> requests,
                        std::vector<Destination> destinations, const SubmitPart& part,
                        smpp::SubmitResponder respond);
    void send_receipt(const router::Message& message, const router::MessageEvent& event,
                      std::string_view part_id, const std::string& account);

    boost::asio::any_io_executor executor_;
    SmppFrontendConfig config_;
    router::GatewayApi& api_;
    std::shared_ptr<smpp::SmppServer> server_;
    SmppQueries queries_;
    std::unique_ptr<SmppConcat> concat_;  // null without a PartStore

    mutable std::mutex mutex_;
    bool stopping_ = false;
    std::optional<router::SubmitBatcher> batcher_;  // from start()
    SmppFrontendStats stats_;                       // under mutex_
    std::shared_ptr<ReceiptCounters> receipts_ = std::make_shared<ReceiptCounters>();
    ReceiptRoute receipt_route_;
};

}  // namespace bindery::app
