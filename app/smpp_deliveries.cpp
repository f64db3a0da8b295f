#include "app/smpp_deliveries.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "smpp/base/log_field.hpp"
#include "smpp/base/thread_name.hpp"
#include "smpp/codec/decode.hpp"
#include "smpp/codec/encode.hpp"
#include "smpp/codec/text/segment.hpp"
#include "smpp/codec/tlv.hpp"

namespace bindery::app {

namespace asio = boost::asio;
using router::SmppDelivery;
using router::SmppDeliveryKind;
using router::SystemClock;
using router::SystemTime;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kWriteBatch = 1000;  // queued deliveries per enqueue transaction
constexpr std::size_t kExpirePage = 500;
constexpr std::size_t kScanPage = 500;
constexpr std::string_view kDlrTagPrefix = "smpp-dlr:";
// The watermark is written when it moved at least this far (one small UPDATE, not one per batch).
constexpr auto kWatermarkStep = std::chrono::seconds(10);

std::string_view without_plus(std::string_view s) noexcept {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    return s;
}

// What a report says, for the history and the logs.
std::string describe(const smpp::DeliverReport& r) {
    if (r.delivered) return "ESME_ROK";
    if (r.expired)
        return r.attempts == 0 ? "no receiver bind took it"
                               : "not acknowledged (no response or link lost)";
    return std::string(smpp::to_string(r.status));
}

// A delivery's reference as log fields: "message_id=<id>" for a receipt, "from=<source>" for an
// MO (whose reference reads "from <source>").
std::string reference_field(std::string_view reference) {
    if (reference.starts_with("from ")) return "from=" + log_value(reference.substr(5));
    return "message_id=" + log_value(reference);
}

}  // namespace

struct SmppDeliveries::Shared {
    struct Queued {
        std::vector<SmppDelivery>
            deliveries;                      // a transition's receipts (one per part id), or one MO
        std::function<void(bool)> accepted;  // MO: answers the carrier
    };
    struct Result {
        std::int64_t seq = 0;
        std::string account;
        SmppDeliveryKind kind = SmppDeliveryKind::receipt;
        std::string reference;  // message id or MO source, for logs
        std::uint32_t prior_attempts = 0;
        smpp::DeliverReport report;
    };

    mutable std::mutex mutex;
    std::condition_variable cv;
    std::deque<Queued> queued;
    std::vector<Result> results;
    std::set<std::string, std::less<>> receivers;  // accounts with an RX/TRX bind
    bool binds_changed = false;
    bool stopping = false;
    bool receipts_dropped = false;  // memory bound hit: the watermark must not pass them
    SmppDeliveriesStats stats;

    void adjust_pending(const std::string& account, SmppDeliveryKind kind, std::int64_t by) {
        auto& n = stats.pending[{account, kind}];
        n = by < 0 && n < static_cast<std::uint64_t>(-by) ? 0 : n + static_cast<std::uint64_t>(by);
    }
};

SmppDeliveriesSettings to_deliveries_settings(const SmppServerConfig& config) {
    SmppDeliveriesSettings s;
    s.expiry = config.deliveries.expiry;
    s.retry_initial = config.deliveries.retry_initial;
    s.retry_max = std::max(config.deliveries.retry_max, config.deliveries.retry_initial);
    s.max_in_flight = std::max(1U, config.deliveries.max_in_flight);
    for (const auto& a : config.accounts) {
        if (a.delivery_expiry) s.account_expiry[a.system_id] = *a.delivery_expiry;
    }
    for (const auto& r : config.mo_routes) {
        s.mo_routes.push_back(MoRoute{std::string(without_plus(r.destination)),
                                      std::string(without_plus(r.prefix)), r.carrier, r.account});
    }
    return s;
}

SmppDeliveries::SmppDeliveries(SmppDeliveriesSettings settings, router::SmppOutbox& outbox,
                               router::MessageStore& messages, SmppDeliveryObserver observer)
    : settings_(std::move(settings)),
      outbox_(outbox),
      messages_(messages),
      observer_(std::move(observer)),
      shared_(std::make_shared<Shared>()) {}

SmppDeliveries::~SmppDeliveries() { stop(); }

void SmppDeliveries::attach(SmppFrontend& frontend) {
    frontend_ = &frontend;
    frontend.set_receipt_route(
        [this](const router::Message& message, const router::MessageEvent& event) {
            on_transition(message, event);
        });
}

// ---- pure parts -----------------------------------------------------------------------------

std::optional<std::string> SmppDeliveries::route_mo(const std::vector<MoRoute>& routes,
                                                    std::string_view carrier,
                                                    std::string_view destination) {
    const auto dest = without_plus(destination);
    const MoRoute* best = nullptr;
    std::tuple<int, std::size_t, int> best_rank{-1, 0, 0};
    for (const auto& r : routes) {
        if (!r.carrier.empty() && r.carrier != carrier) continue;
        std::tuple<int, std::size_t, int> rank;
        if (!r.destination.empty()) {
            if (r.destination != dest) continue;
            rank = {2, r.destination.size(), r.carrier.empty() ? 0 : 1};
        } else {
            if (dest.substr(0, r.prefix.size()) != r.prefix) continue;
            rank = {1, r.prefix.size(), r.carrier.empty() ? 0 : 1};
        }
        if (best == nullptr || rank > best_rank) {
            best = &r;
            best_rank = rank;
        }
    }
    if (best == nullptr) return std::nullopt;
    return best->account;
}

smpp::ShortMessageData SmppDeliveries::mo_deliver_sm(const router::MoMessage& mo) {
    smpp::ShortMessageData d;
    d.source_addr_ton = mo.source_ton;
    d.source_addr_npi = mo.source_npi;
    d.source_addr = std::string(without_plus(mo.source));
    d.dest_addr_ton = mo.destination_ton;
    d.dest_addr_npi = mo.destination_npi;
    d.destination_addr = std::string(without_plus(mo.destination));
    d.esm_class = 0;  // default message type: a short message, not a receipt
    smpp::EncodeOptions options;
    options.concatenation =
        smpp::Concatenation::payload;  // one SMS: short_message; longer: payload
    auto encoded = smpp::encode_message(mo.text, 0, options);
    if (!encoded) {
        options.force_alphabet = smpp::Alphabet::ucs2;
        encoded = smpp::encode_message(mo.text, 0, options);
    }
    if (!encoded) {  // not UTF-8 at all (decoded texts always are): send what UCS-2 can carry
        d.data_coding = 8;
        return d;
    }
    d.data_coding = encoded->data_coding;
    if (encoded->message_payload) {
        smpp::TlvBuilder tlvs;
        (void)tlvs.octets(smpp::tlv_tag::message_payload,
                          smpp::ByteView(*encoded->message_payload));
        d.tlvs = tlvs.bytes();
    } else if (!encoded->segments.empty()) {
        d.short_message = std::move(encoded->segments.front().short_message);
    }
    return d;
}

std::string SmppDeliveries::encode_pdu(const smpp::ShortMessageData& data) {
    const smpp::Pdu pdu{
        smpp::Header{0, smpp::CommandId::deliver_sm, smpp::CommandStatus::ESME_ROK, 1},
        smpp::Body{data.view<smpp::DeliverSm>()}};
    std::vector<std::uint8_t> out;
    if (smpp::encode(pdu, out)) return {};
    return std::string(out.begin(), out.end());
}

std::optional<smpp::ShortMessageData> SmppDeliveries::decode_pdu(std::string_view pdu) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(pdu.data());
    auto decoded = smpp::decode(std::span<const std::uint8_t>(bytes, pdu.size()));
    if (!decoded) return std::nullopt;
    const auto* d = decoded->get_if<smpp::DeliverSm>();
    if (d == nullptr) return std::nullopt;
    return smpp::ShortMessageData::copy_of(*d);
}

std::chrono::milliseconds SmppDeliveries::backoff(const SmppDeliveriesSettings& settings,
                                                  std::uint32_t attempts) noexcept {
    auto delay = settings.retry_initial;
    for (std::uint32_t i = 1; i < attempts && delay < settings.retry_max; ++i) delay *= 2;
    return std::min(delay, settings.retry_max);
}

// ---- feeding ----------------------------------------------------------------------------------

std::chrono::milliseconds SmppDeliveries::expiry_of(std::string_view account) const {
    const auto it = settings_.account_expiry.find(account);
    return it == settings_.account_expiry.end() ? settings_.expiry : it->second;
}

std::vector<SmppDelivery> SmppDeliveries::receipt_deliveries(const router::Message& message,
                                                             router::MessageState to,
                                                             SystemTime at) const {
    std::vector<SmppDelivery> out;
    const auto account = SmppFrontend::receipt_account(message, to);
    if (!account) return out;
    router::MessageEvent event;
    event.id = message.id;
    event.to = to;
    event.at = at;
    const auto now = SystemClock::now();
    const auto own = message.id.to_string();
    for (auto& id : SmppFrontend::receipt_ids(message)) {
        const auto data =
            SmppFrontend::receipt_for(message, event, id == own ? std::string_view{} : id);
        SmppDelivery d;
        d.account = *account;
        d.kind = SmppDeliveryKind::receipt;
        d.message_id = message.id;
        d.state = to;
        d.receipt_id = std::move(id);
        d.source_addr = data.source_addr;
        d.destination_addr = data.destination_addr;
        d.pdu = encode_pdu(data);
        d.created_at = now;
        d.next_attempt_at = now;
        d.expires_at = now + expiry_of(*account);
        out.push_back(std::move(d));
    }
    return out;
}

void SmppDeliveries::on_transition(const router::Message& message,
                                   const router::MessageEvent& event) {
    auto receipts = receipt_deliveries(message, event.to, event.at);
    if (receipts.empty()) return;
    bool stopping = false;
    {
        const std::lock_guard lock(shared_->mutex);
        stopping = shared_->stopping;
        if (shared_->queued.size() < settings_.max_queued && !stopping) {
            shared_->queued.push_back({std::move(receipts), {}});
            shared_->cv.notify_one();
            return;
        }
        shared_->receipts_dropped = true;
        ++shared_->stats.store_errors;
    }
    // Not lost (a router message): the watermark stays before it, so the next start's scan
    // queues it.
    spdlog::error(
        "smpp.deliveries receipt not queued now, the next start queues it message_id={} "
        "system_id={} reason={}",
        message.id.to_string(), log_value(receipts.front().account),
        stopping ? "stopping" : "queue_full");
}

void SmppDeliveries::on_mo(const router::MoMessage& mo, std::function<void(bool)> accepted) {
    const auto account = route_mo(settings_.mo_routes, mo.provider, mo.destination);
    if (!account) {
        {
            const std::lock_guard lock(shared_->mutex);
            ++shared_->stats.mo_unrouted;
        }
        if (observer_.mo_unrouted) observer_.mo_unrouted(mo.provider);
        spdlog::warn(
            "smpp.deliveries MO matches no mo_route, answered ESME_ROK and dropped from={} to={} "
            "carrier={}",
            log_value(mo.source), log_value(mo.destination), log_value(mo.provider));
        if (accepted) accepted(true);
        return;
    }
    const auto data = mo_deliver_sm(mo);
    SmppDelivery d;
    d.account = *account;
    d.kind = SmppDeliveryKind::mo;
    d.source_addr = data.source_addr;
    d.destination_addr = data.destination_addr;
    d.pdu = encode_pdu(data);
    d.created_at = SystemClock::now();
    d.next_attempt_at = d.created_at;
    d.expires_at = d.created_at + expiry_of(*account);
    std::unique_lock lock(shared_->mutex);
    const bool stopping = shared_->stopping;
    if (!stopping && shared_->queued.size() < settings_.max_queued) {
        ++shared_->stats.mo_routed;
        shared_->queued.push_back({{std::move(d)}, std::move(accepted)});
        shared_->cv.notify_one();
        lock.unlock();
        if (observer_.mo_routed) observer_.mo_routed(mo.provider, *account);
        return;
    }
    lock.unlock();
    // Not queued (`accepted` is still ours): the carrier keeps it and delivers it again later.
    spdlog::warn(
        "smpp.deliveries MO refused for now (ESME_RX_T_APPN) from={} system_id={} reason={}",
        log_value(mo.source), log_value(*account), stopping ? "stopping" : "queue_full");
    if (accepted) accepted(false);
}

router::MoHandler SmppDeliveries::mo_handler() {
    return [this](const router::MoMessage& mo, std::function<void(bool)> accepted) {
        on_mo(mo, std::move(accepted));
    };
}

SmppDeliveriesStats SmppDeliveries::stats() const {
    const std::lock_guard lock(shared_->mutex);
    return shared_->stats;
}

// ---- lifecycle --------------------------------------------------------------------------------

void SmppDeliveries::start() {
    if (started_) return;
    if (frontend_ == nullptr) throw std::logic_error("SmppDeliveries::start without a frontend");
    started_ = true;
    auto pending = outbox_.pending();
    if (!pending) throw std::runtime_error("smpp deliveries: " + pending.error());
    {
        const std::lock_guard lock(shared_->mutex);
        shared_->stats.pending = std::move(*pending);
    }
    scan_receipts();
    std::uint64_t waiting = 0;
    for (const auto& [key, n] : stats().pending) waiting += n;
    spdlog::info("smpp.deliveries started: {} waiting", waiting);
    worker_ = std::thread([this] {
        name_this_thread("smpp-deliver");
        run();
    });
    check_binds();
}

void SmppDeliveries::stop() {
    {
        const std::lock_guard lock(shared_->mutex);
        if (shared_->stopping) return;
        shared_->stopping = true;
    }
    shared_->cv.notify_all();
    if (bind_timer_ && frontend_ != nullptr) {
        // The timer lives on the strand: cancelled there.
        std::shared_ptr<asio::steady_timer> timer = std::move(bind_timer_);
        asio::post(frontend_->executor(), [timer] { timer->cancel(); });
    }
    if (worker_.joinable()) worker_.join();
}

void SmppDeliveries::check_binds() {
    bind_timer_ = std::make_shared<asio::steady_timer>(frontend_->executor());
    // Each tick reads the server's receiver binds on the strand and tells the worker when the set
    // changed. The handlers hold the timer weakly: stop() cancels it on the strand.
    struct Tick {
        std::weak_ptr<asio::steady_timer> timer;
        std::shared_ptr<Shared> shared;
        std::shared_ptr<smpp::SmppServer> server;
        std::chrono::milliseconds every;
        void operator()(const boost::system::error_code& ec) const {
            if (ec) return;
            auto t = timer.lock();
            if (!t) return;
            const auto names = server->accounts_with_receivers();
            std::set<std::string, std::less<>> now(names.begin(), names.end());
            {
                const std::lock_guard lock(shared->mutex);
                if (shared->stopping) return;
                if (now != shared->receivers) {
                    shared->receivers = std::move(now);
                    shared->binds_changed = true;
                    shared->cv.notify_one();
                }
            }
            t->expires_after(every);
            t->async_wait(*this);
        }
    };
    Tick tick{bind_timer_, shared_, frontend_->server(), settings_.bind_check};
    asio::post(frontend_->executor(), [tick] { tick(boost::system::error_code{}); });
}

// ---- the worker -------------------------------------------------------------------------------

void SmppDeliveries::run() {
    for (;;) {
        bool stopping = false;
        bool binds_changed = false;
        {
            std::unique_lock lock(shared_->mutex);
            shared_->cv.wait_for(lock, settings_.poll_interval, [this] {
                return shared_->stopping || !shared_->queued.empty() || !shared_->results.empty() ||
                       shared_->binds_changed;
            });
            stopping = shared_->stopping;
            binds_changed = std::exchange(shared_->binds_changed, false);
        }
        const auto wall = SystemClock::now();
        if (binds_changed) {
            for (auto& [name, account] : accounts_) account.fetch_after = {};
        }
        write_queued(wall);
        record_results(wall);
        if (stopping) {
            // What is still queued (a transition of the drain, an MO whose carrier waits) is
            // written; an MO that cannot be is refused (the carrier redelivers it).
            for (int round = 0; round < 100; ++round) {
                {
                    const std::lock_guard lock(shared_->mutex);
                    if (shared_->queued.empty()) break;
                }
                write_queued(SystemClock::now());
            }
            std::deque<Shared::Queued> left;
            {
                const std::lock_guard lock(shared_->mutex);
                left.swap(shared_->queued);
            }
            for (auto& q : left) {
                if (q.accepted) q.accepted(false);
            }
            return;
        }
        expire(wall);
        offer(wall);
    }
}

void SmppDeliveries::scan_receipts() {
    auto mark = outbox_.receipts_scanned_to();
    if (!mark) throw std::runtime_error("smpp deliveries: " + mark.error());
    const auto now = SystemClock::now();
    if (!*mark) {
        // First start with this table: nothing older can be told apart from receipts the
        // in-memory queue of earlier versions sent; start watching from now.
        if (auto r = outbox_.set_receipts_scanned_to(now); !r)
            throw std::runtime_error("smpp deliveries: " + r.error());
        scanned_to_ = now;
        return;
    }
    scanned_to_ = **mark;
    std::optional<router::ReceiptCandidate> after;
    std::uint64_t queued = 0;
    std::uint64_t seen = 0;
    for (;;) {
        auto page = outbox_.unreceipted(**mark, after, kDlrTagPrefix, kScanPage);
        if (!page) throw std::runtime_error("smpp deliveries: receipt scan: " + page.error());
        if (page->empty()) break;
        after = page->back();
        std::vector<SmppDelivery> items;
        for (const auto& candidate : *page) {
            ++seen;
            auto message = messages_.get(candidate.id);
            if (!message)
                throw std::runtime_error("smpp deliveries: receipt scan: " +
                                         message.error().detail);
            if (!*message) continue;
            // updated_at is when the final state was recorded: the receipt's done date.
            auto receipts =
                receipt_deliveries(**message, (*message)->state, (*message)->updated_at);
            items.insert(items.end(), std::make_move_iterator(receipts.begin()),
                         std::make_move_iterator(receipts.end()));
        }
        auto seqs = outbox_.enqueue(items);
        if (!seqs) throw std::runtime_error("smpp deliveries: receipt scan: " + seqs.error());
        const std::lock_guard lock(shared_->mutex);
        for (std::size_t i = 0; i < items.size() && i < seqs->size(); ++i) {
            if ((*seqs)[i] == 0) continue;
            ++queued;
            shared_->adjust_pending(items[i].account, items[i].kind, 1);
        }
        shared_->stats.receipts_recovered = queued;
        if (page->size() < kScanPage) break;
    }
    if (queued > 0) {
        spdlog::warn(
            "smpp.deliveries start-up scan: {} receipt(s) of messages finished before the stop "
            "were not queued yet; queued now ({} message(s) looked at)",
            queued, seen);
    } else {
        spdlog::info(
            "smpp.deliveries start-up scan: every receipt queued ({} message(s) looked at)", seen);
    }
}

void SmppDeliveries::write_queued(SystemTime wall) {
    std::vector<Shared::Queued> batch;
    bool drained = false;
    bool dropped = false;
    {
        const std::lock_guard lock(shared_->mutex);
        std::size_t count = 0;
        while (!shared_->queued.empty() && (batch.empty() || count < kWriteBatch)) {
            count += shared_->queued.front().deliveries.size();
            batch.push_back(std::move(shared_->queued.front()));
            shared_->queued.pop_front();
        }
        drained = shared_->queued.empty();
        dropped = shared_->receipts_dropped;
    }
    // Every transition hooked before `wall` is in this batch or an earlier one; one committed
    // more than scan_margin before `wall` has been hooked.
    const auto advance = [&] {
        if (dropped) return;
        const auto to = wall - settings_.scan_margin;
        if (scanned_to_ && to < *scanned_to_ + kWatermarkStep) return;
        if (auto r = outbox_.set_receipts_scanned_to(to); r) {
            scanned_to_ = to;
        } else {
            spdlog::error("smpp.deliveries cannot write the receipt watermark: {}", r.error());
        }
    };
    if (batch.empty()) return advance();
    std::vector<SmppDelivery> items;
    items.reserve(batch.size());
    for (const auto& q : batch) items.insert(items.end(), q.deliveries.begin(), q.deliveries.end());
    auto seqs = outbox_.enqueue(items);
    if (!seqs) {
        spdlog::error(
            "smpp.deliveries cannot store {} deliveries (MO refused, receipts kept for a "
            "retry): {}",
            batch.size(), seqs.error());
        std::vector<Shared::Queued> keep;
        for (auto& q : batch) {
            if (q.accepted) {
                q.accepted(false);  // ESME_RX_T_APPN: the carrier delivers it again
            } else {
                keep.push_back(std::move(q));
            }
        }
        const std::lock_guard lock(shared_->mutex);
        ++shared_->stats.store_errors;
        for (auto it = keep.rbegin(); it != keep.rend(); ++it)
            shared_->queued.push_front(std::move(*it));
        return;
    }
    {
        const std::lock_guard lock(shared_->mutex);
        for (std::size_t i = 0; i < items.size() && i < seqs->size(); ++i) {
            if ((*seqs)[i] == 0) continue;  // a receipt already queued or sent
            shared_->adjust_pending(items[i].account, items[i].kind, 1);
            accounts_[items[i].account].fetch_after = {};
        }
    }
    for (auto& q : batch) {
        if (q.accepted) q.accepted(true);
    }
    if (drained) advance();
}

void SmppDeliveries::record_results(SystemTime wall) {
    std::vector<Shared::Result> results;
    {
        const std::lock_guard lock(shared_->mutex);
        results.swap(shared_->results);
    }
    if (results.empty()) return;
    std::vector<router::SmppDeliveryAttempt> attempts;
    attempts.reserve(results.size());
    for (const auto& r : results) {
        router::SmppDeliveryAttempt a;
        a.seq = r.seq;
        a.attempts = r.prior_attempts + r.report.attempts;
        a.at = wall;
        a.detail = describe(r.report);
        if (r.report.delivered) {
            a.verdict = router::SmppDeliveryVerdict::delivered;
        } else if (!r.report.expired && r.report.attempts > 0 &&
                   r.report.status == smpp::CommandStatus::ESME_RX_P_APPN) {
            a.verdict = router::SmppDeliveryVerdict::gave_up;  // the ESME refuses it for good
        } else {
            a.verdict = router::SmppDeliveryVerdict::retry;
            a.next_attempt_at = wall + backoff(settings_, std::max<std::uint32_t>(1, a.attempts));
        }
        attempts.push_back(std::move(a));
    }
    if (auto r = outbox_.record(attempts); !r) {
        spdlog::error("smpp.deliveries cannot record {} outcome(s), retrying: {}", attempts.size(),
                      r.error());
        const std::lock_guard lock(shared_->mutex);
        ++shared_->stats.store_errors;
        shared_->results.insert(shared_->results.begin(), std::make_move_iterator(results.begin()),
                                std::make_move_iterator(results.end()));
        return;
    }
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        const auto& a = attempts[i];
        auto& account = accounts_[r.account];
        account.in_flight.erase(r.seq);
        account.fetch_after = {};
        std::string_view outcome = "retried";
        {
            const std::lock_guard lock(shared_->mutex);
            switch (a.verdict) {
                case router::SmppDeliveryVerdict::delivered:
                    ++shared_->stats.delivered;
                    shared_->adjust_pending(r.account, r.kind, -1);
                    outcome = "delivered";
                    break;
                case router::SmppDeliveryVerdict::gave_up:
                    ++shared_->stats.given_up;
                    shared_->adjust_pending(r.account, r.kind, -1);
                    outcome = "given_up";
                    break;
                case router::SmppDeliveryVerdict::retry: ++shared_->stats.retried; break;
            }
        }
        if (observer_.outcome) observer_.outcome(r.kind, outcome);
        if (a.verdict == router::SmppDeliveryVerdict::gave_up) {
            spdlog::warn(
                "smpp.deliveries {} given up kind={} {} system_id={} attempts={} detail={}",
                to_string(r.kind), to_string(r.kind), reference_field(r.reference),
                log_value(r.account), a.attempts, log_value(a.detail));
        } else if (a.verdict == router::SmppDeliveryVerdict::retry) {
            spdlog::info(
                "smpp.deliveries {} not delivered, retrying kind={} {} system_id={} "
                "attempt={} detail={} next_in_ms={}",
                to_string(r.kind), to_string(r.kind), reference_field(r.reference),
                log_value(r.account), a.attempts, log_value(a.detail),
                std::chrono::duration_cast<std::chrono::milliseconds>(a.next_attempt_at - wall)
                    .count());
        }
    }
}

void SmppDeliveries::expire(SystemTime wall) {
    const auto now = SteadyClock::now();
    if (now < next_expiry_check_) return;
    next_expiry_check_ = now + settings_.poll_interval;
    std::vector<std::int64_t> skip;
    for (const auto& [name, account] : accounts_)
        skip.insert(skip.end(), account.in_flight.begin(), account.in_flight.end());
    for (int page = 0; page < 100; ++page) {
        auto gone = outbox_.expire(wall, kExpirePage, skip);
        if (!gone) {
            spdlog::error("smpp.deliveries cannot expire deliveries: {}", gone.error());
            const std::lock_guard lock(shared_->mutex);
            ++shared_->stats.store_errors;
            return;
        }
        for (const auto& d : *gone) {
            const auto reference =
                d.message_id ? d.message_id->to_string() : "from " + d.source_addr;
            spdlog::warn(
                "smpp.deliveries {} given up, expired kind={} {} system_id={} attempts={} "
                "detail={}",
                to_string(d.kind), to_string(d.kind), reference_field(reference),
                log_value(d.account), d.attempts, log_value(d.last_error));
            {
                const std::lock_guard lock(shared_->mutex);
                ++shared_->stats.given_up;
                shared_->adjust_pending(d.account, d.kind, -1);
            }
            if (observer_.outcome) observer_.outcome(d.kind, "given_up");
        }
        if (gone->size() < kExpirePage) return;
    }
}

void SmppDeliveries::offer(SystemTime wall) {
    std::vector<std::string> receivers;
    std::map<std::string, std::uint64_t, std::less<>> pending;
    {
        const std::lock_guard lock(shared_->mutex);
        receivers.assign(shared_->receivers.begin(), shared_->receivers.end());
        for (const auto& [key, n] : shared_->stats.pending) pending[key.first] += n;
    }
    const auto now = SteadyClock::now();
    auto server = frontend_->server();
    for (const auto& name : receivers) {
        auto& account = accounts_[name];
        const auto waiting = pending[name];
        if (waiting <= account.in_flight.size() ||
            account.in_flight.size() >= settings_.max_in_flight)
            continue;
        if (now < account.fetch_after) continue;
        const std::size_t room = settings_.max_in_flight - account.in_flight.size();
        const std::vector<std::int64_t> skip(account.in_flight.begin(), account.in_flight.end());
        auto due = outbox_.due(name, wall, room, skip);
        if (!due) {
            spdlog::error("smpp.deliveries cannot read deliveries of '{}': {}", name, due.error());
            const std::lock_guard lock(shared_->mutex);
            ++shared_->stats.store_errors;
            account.fetch_after = now + settings_.poll_interval;
            continue;
        }
        // Nothing more due now: look again after the poll interval (or when something changes).
        if (due->size() < room) account.fetch_after = now + settings_.poll_interval;
        if (due->empty()) continue;
        struct Offer {
            Shared::Result result;
            smpp::ShortMessageData data;
        };
        std::vector<Offer> offers;
        std::vector<router::SmppDeliveryAttempt> unreadable;
        for (auto& d : *due) {
            const auto reference =
                d.message_id ? d.message_id->to_string() : "from " + d.source_addr;
            auto data = decode_pdu(d.pdu);
            if (!data) {
                spdlog::error(
                    "smpp.deliveries {} given up, its stored deliver_sm cannot be decoded "
                    "kind={} {} system_id={}",
                    to_string(d.kind), to_string(d.kind), reference_field(reference),
                    log_value(name));
                unreadable.push_back({d.seq,
                                      d.attempts,
                                      wall,
                                      router::SmppDeliveryVerdict::gave_up,
                                      "stored deliver_sm cannot be decoded",
                                      {}});
                const std::lock_guard lock(shared_->mutex);
                ++shared_->stats.given_up;
                shared_->adjust_pending(name, d.kind, -1);
                continue;
            }
            account.in_flight.insert(d.seq);
            offers.push_back(
                {Shared::Result{d.seq, name, d.kind, reference, d.attempts, {}}, std::move(*data)});
        }
        if (!unreadable.empty()) (void)outbox_.record(unreadable);
        if (offers.empty()) continue;
        asio::post(frontend_->executor(),
                   [server, shared = shared_, offers = std::move(offers)]() mutable {
                       for (auto& o : offers) {
                           const auto account = o.result.account;
                           server->deliver(account, std::move(o.data),
                                           [shared, result = std::move(o.result)](
                                               const smpp::DeliverReport& report) mutable {
                                               result.report = report;
                                               const std::lock_guard lock(shared->mutex);
                                               shared->results.push_back(std::move(result));
                                               shared->cv.notify_one();
                                           });
                       }
                   });
    }
}

}  // namespace bindery::app
