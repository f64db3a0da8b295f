#pragma once
// SmppQueries: query_sm and cancel_sm from ESMEs bound to the SMPP server side, answered from
// router::GatewayApi (status(), cancel()). SmppFrontend hands them over from the server's strand;
// the GatewayApi calls read and write the store, so they run on a worker thread of their own and
// the answer is posted back to the strand (never an io thread blocked on the store).
//
//   query_sm  (message_id from a submit_sm_resp of the same account's router client)
//     -> query_sm_resp: final_date ("" until final, else the last change as an SMPP absolute time
//        in UTC), message_state (router state mapped by message_state()), error_code (the
//        carrier's error of the first failed segment when it is a number 0-255, else 0)
//   cancel_sm (message_id)      -> GatewayApi::cancel -> CANCELLED (SMPP message_state DELETED)
//
// Checks, per SMPP 3.4 4.8 / 4.9: a source_addr given must equal the original submit's; for
// cancel_sm a destination_addr given must be the same number (compared by its trailing national
// digits, whatever TON). service_type is not stored by Bindery and is ignored when a message_id
// is given. A cancel_sm with an empty message_id ("every message from this source to this
// destination") is answered ESME_RCANCELFAIL: not supported. replace_sm is answered
// ESME_RREPLACEFAIL (not supported).
//
// command_status: unknown or unparsable id, or another client's -> ESME_RINVMSGID; source
// mismatch -> ESME_RINVSRCADR; destination mismatch -> ESME_RINVDSTADR; not cancellable (SENDING,
// SENT: with the carrier; or already final) -> ESME_RCANCELFAIL; store unavailable ->
// ESME_RQUERYFAIL (query_sm) / ESME_RSYSERR (cancel_sm); more than `max_pending` waiting ->
// ESME_RMSGQFUL.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/any_io_executor.hpp>

#include "router/api/gateway_api.hpp"
#include "smpp/codec/receipt/receipt.hpp"
#include "smpp/net/smpp_server.hpp"

namespace bindery::app {

struct SmppQueriesStats {
    std::uint64_t queries = 0;    // query_sm answered ESME_ROK
    std::uint64_t cancelled = 0;  // cancel_sm answered ESME_ROK
    std::uint64_t refused = 0;    // answered with an error
};

class SmppQueries {
public:
    SmppQueries(boost::asio::any_io_executor executor, router::GatewayApi& api,
                std::size_t max_pending = 1000);
    ~SmppQueries();
    SmppQueries(const SmppQueries&) = delete;
    SmppQueries& operator=(const SmppQueries&) = delete;

    // A message_id that is not a router id may stand for one (a part id of a concatenated
    // submit -> the message its parts went into); nullopt: the id as given. Thread-safe; set
    // before start().
    using IdResolver = std::function<std::optional<router::MessageId>(const router::MessageId&)>;
    void set_resolver(IdResolver resolver) { resolver_ = std::move(resolver); }

    void start();
    // Answers what is queued, then joins the worker. Not from the worker.
    void stop();

    // On the server's strand. `client`: the router client the account's traffic belongs to.
    // The request's views are copied; `respond` is called on `executor`, exactly once.
    void handle(std::string client, const smpp::Pdu& request, smpp::QueryResponder respond);

    [[nodiscard]] SmppQueriesStats stats() const;

    // The SMPP message_state of a router state: ENROUTE until final (a scheduled message too:
    // SCHEDULED is SMPP 5.0 and Bindery answers as a 3.4 SMSC), then DELIVERED, EXPIRED,
    // DELETED (CANCELLED), UNDELIVERABLE (also FAILED_PERM, DEAD_LETTER), REJECTED.
    [[nodiscard]] static smpp::MessageState message_state(router::MessageState s) noexcept;
    // "YYMMDDhhmmss000+" (tenths of a second, offset 00 quarter hours: UTC).
    [[nodiscard]] static std::string absolute_time(router::SystemTime t);
    // A carrier error code as query_sm_resp's one-octet error_code: decimal 0-255, else 0.
    [[nodiscard]] static std::uint8_t error_code(std::string_view carrier_error) noexcept;
    // True when `destination_addr` (as an ESME wrote it) is the E.164 number `e164`.
    [[nodiscard]] static bool same_destination(std::string_view e164,
                                               std::string_view destination_addr) noexcept;

private:
    struct Job {
        smpp::CommandId command = smpp::CommandId::query_sm;
        std::string client;
        std::string message_id;
        std::string source_addr;
        std::string destination_addr;
        smpp::QueryResponder respond;
    };
    struct Answer {
        smpp::CommandStatus status = smpp::CommandStatus::ESME_RSYSERR;
        bool has_query = false;
        std::string message_id;
        std::string final_date;
        std::uint8_t message_state = 0;
        std::uint8_t error_code = 0;
    };

    void work();
    Answer run(const Job& job);
    // `call(id)` (a GatewayApi call answering Expected<T, E> with E::code), and when the router
    // does not know `id`, `call` again on the message the resolver says it stands for (a part id
    // of a concatenated submit): the part-link read is paid only for ids that are not message ids.
    template <class Call>
    auto on_target(const router::MessageId& id, Call call) const -> decltype(call(id));
    Answer query(const Job& job);
    Answer cancel(const Job& job);
    void answer(Job& job, Answer a);

    boost::asio::any_io_executor executor_;
    router::GatewayApi& api_;
    IdResolver resolver_;
    const std::size_t max_pending_;

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    bool started_ = false;
    std::thread worker_;
    SmppQueriesStats stats_;  // under mutex_
};

}  // namespace bindery::app
