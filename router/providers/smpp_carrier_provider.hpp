#pragma once
// SmppCarrierProvider: a router::Provider over one carrier's smpp::BindPool. send() encodes the
// router's UTF-8 text with the codec (alphabet, UDH/SAR/payload concatenation), submits every
// segment and reports one id per segment (or one SendError); deliver_sm/data_sm from the carrier
// become router Receipts (ReceiptSink) or MO messages (optional handler, reassembled).
//
// Threading: every public member may be called from any thread. send()/start()/stop() post to the
// executor the pool runs on; ready()/health() read atomics refreshed on that executor (after each
// pool event and every `refresh_interval`). `done`, the ReceiptSink and the MO handler are called
// on the executor.
//
// Multi-segment sends: segments are submitted in order and not atomically. When some segments are
// accepted and a later one fails, done() reports the failure (kind of the first failing segment;
// `connection` when the failing ones were refused before sending) and the text names the accepted
// ids: the carrier may still deliver those parts, and a retry sends the whole message again with a
// new concatenation reference (the handset may show the orphan parts).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "router/core/provider.hpp"
#include "router/providers/smpp_fields.hpp"
#include "smpp/codec/text/reassembler.hpp"
#include "smpp/codec/text/segment.hpp"
#include "smpp/net/bind_pool.hpp"

namespace bindery::router {

struct SmppCarrierConfig {
    std::string name = "smpp";  // router provider name (routes, stored receipts)
    smpp::BindPoolConfig pool;
    AddressRules addresses;
    // Text: what data_coding 0 means (smsc_default), allow_latin1, gsm7_packing, transliterate,
    // concatenation (udh8 | udh16 | sar | payload), max_segments. force_alphabet here is the
    // carrier's; a client's forced encoding overrides it per message.
    smpp::EncodeOptions text;
    bool registered_delivery = true;  // ask for a final receipt when the message wants one
    ValidityFormat validity = ValidityFormat::relative;
    std::string service_type;
    std::uint8_t protocol_id = 0;
    bool priority_express = true;                // Priority::express -> priority_flag 1
    std::chrono::minutes receipt_utc_offset{0};  // SMSC clock offset of receipt dates
    // How receipt ids relate to submit_sm_resp ids: applied to each receipt before the router
    // matches it (apply_message_id_format).
    MessageIdFormat message_id_format = MessageIdFormat::automatic;
    bool reassemble_mo = true;
    smpp::ReassemblyLimits mo_reassembly{};
    Duration refresh_interval = std::chrono::milliseconds(200);  // ready()/health() and MO timeouts
};

// A mobile-originated message, decoded to UTF-8.
struct MoMessage {
    std::string provider;
    std::string source;  // as sent (TON/NPI below)
    std::uint8_t source_ton = 0, source_npi = 0;
    std::string destination;
    std::uint8_t destination_ton = 0, destination_npi = 0;
    std::string text;  // UTF-8
    std::uint8_t data_coding = 0;
    std::uint8_t parts = 1;   // segments joined into `text`
    bool incomplete = false;  // reassembly gave up (timeout/eviction): the parts that arrived
    bool lossy = false;       // something could not be decoded (U+FFFD)
};
// Call `accepted(true)` once the MO is safe (stored/queued); false asks the carrier to redeliver
// (ESME_RX_T_APPN). The deliver_sm_resp goes out only then.
using MoHandler = std::function<void(MoMessage, std::function<void(bool accepted)>)>;

struct SmppCarrierStats {
    std::uint64_t sends = 0;
    std::uint64_t sends_ok = 0;
    std::uint64_t sends_failed = 0;
    std::uint64_t partial_failures = 0;  // some segments accepted, others not
    std::uint64_t segments_submitted = 0;
    std::uint64_t receipts = 0;
    std::uint64_t receipts_unparsed = 0;  // answered ESME_ROK and dropped
    std::uint64_t mo_messages = 0;
    std::uint64_t mo_parts = 0;
    std::uint64_t mo_incomplete = 0;
};

class SmppCarrierProvider final : public Provider {
public:
    SmppCarrierProvider(SmppCarrierConfig config, boost::asio::any_io_executor executor,
                        ReceiptSink& sink, MoHandler on_mo = {});
    ~SmppCarrierProvider() override;
    SmppCarrierProvider(const SmppCarrierProvider&) = delete;
    SmppCarrierProvider& operator=(const SmppCarrierProvider&) = delete;

    void start();
    // Graceful: new sends fail with not_sent, in-flight submits get `drain`, binds unbind.
    // `done` runs on the executor. Destroying the provider without stop() stops the pool at once.
    void stop(Duration drain, std::function<void()> done = {});

    [[nodiscard]] SmppCarrierStats stats() const;          // any thread
    [[nodiscard]] smpp::BindPoolStats pool_stats() const;  // any thread (snapshot)

    // router::Provider
    std::string_view name() const override { return name_; }
    std::string_view kind() const override { return "smpp"; }
    bool ready() const override;
    ProviderHealth health() const override;
    void send(OutboundMessage message, std::function<void(SendResult)> done) override;

    struct State;  // shared with the pool's callbacks

private:
    std::string name_;
    std::shared_ptr<State> state_;
};

// One submit's outcome in router terms (nullopt: accepted).
[[nodiscard]] std::optional<SendError> send_error_of(const smpp::SubmitReport& report);

}  // namespace bindery::router
