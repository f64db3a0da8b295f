#pragma once
// KavenegarProvider: a router::Provider over Kavenegar's REST API (kavenegar-api.md).
//
// send() queues the message; a pump takes queued messages whenever a request slot (at most
// `concurrency` calls in flight) and a rate token (`rate` calls per second) are free, and sends
// them in one call: sms/send.json for one message, sms/sendarray.json for up to `max_batch`. Under
// light load every message goes alone at once; under load the queue fills while calls are in
// flight and the next call carries many (no linger timer). return.status goes through the code
// table in kavenegar_api.hpp: 200 gives each message its entry's `messageid` (the provider id of
// its one "segment"), anything else fails the whole batch with SendError{status, return.status}
// (451 as `throttled`) so the router's breaker and retry policy see it; transport failures are
// `timeout` / `connection`. Every message carries its Bindery id as `localid`, so a retry after a
// lost response is not sent twice. Credit and account faults (418 insufficient credit, 403 key,
// 412 line, ...) log an error and call `on_account_error` (a metric) because a human must act.
//
// Delivery status: sent messages that want a receipt are polled with sms/status.json (up to
// `status_batch` ids per call), first after `status_interval`, then backing off to
// `status_max_interval`, until a final state (delivered, failed, cancelled, blocked, unknown id)
// which is handed to the ReceiptSink like an SMPP receipt, or until `status_give_up` after sending.
// The poll list is in memory; after a restart, resume_polling(store, wall) rebuilds it from the
// store's SENT messages of this provider (their segment ids are the Kavenegar message ids). Status
// calls are paced (`status_share` of `rate`, one in flight): however many ids are due at once,
// they go out as full batches one pacing interval apart, so a restart does not burst the API.
//
// Threading: public members may be called from any thread; the work runs on a strand of the
// executor. `done` and the ReceiptSink are called on that strand.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "router/core/message_store.hpp"
#include "router/core/provider.hpp"
#include "router/providers/http_client.hpp"

namespace bindery::router {

struct KavenegarConfig {
    std::string name = "kavenegar";
    std::string base_url = "https://api.kavenegar.com";  // scheme://host[:port][/prefix]
    std::string api_key;  // in the URL path: redacted from every log line and error text
    std::string sender;   // sender line; empty = the message's sender, else the account default
    bool use_message_sender = false;  // prefer the message's (numeric) sender over `sender`
    double rate = 5;                  // API calls per second (sends and status polls)
    double burst = 0;                 // 0 = max(1, rate)
    unsigned concurrency = 4;         // calls in flight
    std::size_t max_batch = kMaxBatchDefault;  // messages per call (sendarray); 1 = send.json only
    std::size_t max_queue = 10'000;            // ready() is false at this many waiting messages
    Duration timeout = std::chrono::seconds(10);
    HttpClientTls tls;
    bool poll_status = true;
    Duration status_interval = std::chrono::seconds(30);
    Duration status_max_interval = std::chrono::minutes(5);
    Duration status_give_up = std::chrono::hours(48);
    std::size_t status_batch = 500;
    // Status polls are paced to at most this share of `rate`: one status.json call every
    // 1 / (rate * status_share) seconds at most, however many ids are due. A restart (every SENT
    // message resumed at once), a provider back from an outage or a process that was stopped
    // (SIGSTOP, a VM pause) then drains its due polls in full batches, spread out, instead of
    // bursting the API; sends keep the rest of the budget. 0 < status_share <= 1; with rate 0
    // (unlimited) there is no pacing beyond one status call in flight.
    double status_share = 0.5;

    static constexpr std::size_t kMaxBatchDefault = 100;
};

struct KavenegarStats {
    std::uint64_t calls = 0;          // send/sendarray calls made
    std::uint64_t batched_calls = 0;  // sendarray calls
    std::uint64_t messages_sent = 0;  // accepted (return.status 200)
    std::uint64_t messages_failed = 0;
    std::uint64_t account_errors = 0;  // calls answered with a credit/account status
    std::uint64_t status_calls = 0;
    std::uint64_t status_errors = 0;
    std::uint64_t receipts = 0;         // final states handed to the sink
    std::uint64_t polls_abandoned = 0;  // gave up after status_give_up
    std::uint64_t polling = 0;          // messages waiting for a final state now
    std::uint64_t status_paced = 0;     // due polls held back by the status pacing (per check)
};

// A message sent earlier (before a restart) whose final state is still unknown.
struct PendingStatus {
    std::string provider_id;  // Kavenegar messageid, decimal
    SystemTime sent_at{};
};

class KavenegarProvider final : public Provider {
public:
    // Throws std::invalid_argument on a bad base_url or TLS setup (startup only).
    KavenegarProvider(KavenegarConfig config, const boost::asio::any_io_executor& executor,
                      ReceiptSink& sink);
    ~KavenegarProvider() override;
    KavenegarProvider(const KavenegarProvider&) = delete;
    KavenegarProvider& operator=(const KavenegarProvider&) = delete;

    void start();
    // Queued messages are handed back (not_sent); calls in flight get `drain` to finish.
    void stop(Duration drain, std::function<void()> done = {});

    // Called (on the strand) for every call answered with a credit/account status.
    void on_account_error(std::function<void(std::int64_t code, std::string_view meaning)> hook);

    // Puts messages sent before a restart back on the poll list: first poll at once, then the
    // usual backoff; the give-up age counts from `sent_at`. Ids that are not Kavenegar message ids
    // (not decimal), already tracked, or past the give-up age are skipped. Nothing with
    // poll_status off.
    void resume_polling(const std::vector<PendingStatus>& pending);
    // Reads every SENT message last sent through this provider (Message::provider == name()) from
    // `store`, `page` at a time, and resumes polling the provider ids of its segments without a
    // verdict. Returns how many ids were handed over (0 with poll_status off).
    Expected<std::size_t, StoreError> resume_polling(MessageStore& store, SystemTime wall,
                                                     std::uint32_t page = 1000);

    [[nodiscard]] KavenegarStats stats() const;
    [[nodiscard]] HttpClientStats http_stats() const;

    // router::Provider
    std::string_view name() const override { return name_; }
    std::string_view kind() const override { return "kavenegar"; }
    bool ready() const override;
    ProviderHealth health() const override;
    void send(OutboundMessage message, std::function<void(SendResult)> done) override;

    struct State;

private:
    std::string name_;
    std::shared_ptr<State> state_;
};

}  // namespace bindery::router
