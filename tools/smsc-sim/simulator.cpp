#include "tools/smsc-sim/simulator.hpp"

#include <cstdio>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "smpp/codec/build.hpp"
#include "smpp/codec/receipt/receipt.hpp"
#include "smpp/net/password.hpp"

namespace bindery::sim {

namespace asio = boost::asio;
using boost::system::error_code;
using namespace bindery::smpp;

ShortMessageData make_receipt(const ShortMessageData& original, std::string_view message_id,
                              std::string_view stat, std::chrono::system_clock::time_point at) {
    const bool delivered = stat == "DELIVRD";
    Receipt r;
    r.id = std::string(message_id);
    r.sub = 1;
    r.dlvrd = delivered ? 1 : 0;
    r.submit_date = r.done_date = receipt_date(at);
    r.state = parse_stat(stat).value_or(MessageState::unknown);
    r.stat = std::string(stat);
    if (delivered) {
        r.err = "000";
    } else {  // a GSM network error, written as err:001 (UNDELIV), 002 (EXPIRED), 003 (the rest)
        r.network_error = NetworkErrorCode{3, static_cast<std::uint16_t>(stat == "UNDELIV"   ? 1
                                                                         : stat == "EXPIRED" ? 2
                                                                                             : 3)};
    }
    r.text = std::string(receipt_text_of(
        std::string_view(reinterpret_cast<const char*>(original.short_message.data()),
                         original.short_message.size())));
    ShortMessageData d;
    d.source_addr_ton = original.dest_addr_ton;
    d.source_addr_npi = original.dest_addr_npi;
    d.source_addr = original.destination_addr;
    d.dest_addr_ton = original.source_addr_ton;
    d.dest_addr_npi = original.source_addr_npi;
    d.destination_addr = original.source_addr;
    d.esm_class = 0x04;
    const auto body = build_receipt(r);
    d.short_message.assign(body.begin(), body.end());
    d.tlvs = make_receipt_tlvs(r);
    return d;
}

SmscSimulator::SmscSimulator(asio::any_io_executor executor, SimConfig config)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      rng_(config_.seed != 0 ? config_.seed : std::random_device{}()),
      delayed_timer_(executor_),
      slow_timer_(executor_),
      receipt_timer_(executor_),
      mo_timer_(executor_) {
    run_id_ = rng_() & 0xFFFFFFFFU;
    for (const auto& o : config_.dlr_mix) mix_total_ += o.weight;
    if (config_.dlr_mix.empty() || mix_total_ <= 0) {
        config_.dlr_mix = {{"DELIVRD", 100}};
        mix_total_ = 100;
    }
    SmppServerConfig sc;
    sc.listen.host = config_.host;
    sc.listen.port = config_.port;
    sc.listen.tls = config_.tls;
    sc.listen.connection.name = "sim";
    sc.system_id = config_.system_id;
    ServerAccount limits;
    limits.max_binds = config_.max_binds;
    limits.window = config_.window;
    limits.max_tps = config_.throttle_tps;
    limits.burst = config_.throttle_burst;
    for (const auto& [sys, pass] : config_.accounts) {
        ServerAccount a = limits;
        a.system_id = sys;
        a.password_hash = hash_password(pass);
        sc.accounts.push_back(std::move(a));
    }
    sc.accept_any = config_.accounts.empty();
    sc.any_account = limits;
    sc.session.incoming_window = config_.window;
    sc.session.window = 1000;
    sc.session.enquire_link_interval = config_.enquire_link_interval;
    sc.session.response_timeout = std::chrono::seconds(30);
    sc.deliver_retry = std::chrono::milliseconds(200);
    sc.deliver_timeout = std::chrono::minutes(5);
    server_ = std::make_shared<SmppServer>(executor_, std::move(sc), *this);
}

SmscSimulator::~SmscSimulator() = default;

void SmscSimulator::start() {
    server_->start();
    arm_mo();
}

void SmscSimulator::stop() {
    if (stopped_) return;
    stopped_ = true;
    delayed_timer_.cancel();
    slow_timer_.cancel();
    receipt_timer_.cancel();
    mo_timer_.cancel();
    server_->stop();
}

std::uint16_t SmscSimulator::port() const noexcept { return server_->port(); }

void SmscSimulator::heal() {
    config_.error_rate = 0;
    config_.slow_rate = 0;
    config_.drop_after = 0;
    config_.stall_after = 0;
    ++counters_.heals;
}

SimCounters SmscSimulator::counters() const {
    SimCounters c = counters_;
    c.throttled = server_->stats().throttled;
    c.bind_rejects = server_->stats().binds_rejected;
    return c;
}

std::string SmscSimulator::counters_json() const {
    const auto c = counters();
    const auto& s = server_->stats();
    std::string out = "{";
    auto field = [&out](std::string_view name, std::uint64_t v) {
        if (out.size() > 1) out += ',';
        out += '"';
        out += name;
        out += "\":";
        out += std::to_string(v);
    };
    field("submits", c.submits);
    field("accepted", c.accepted);
    field("errors_injected", c.errors_injected);
    field("throttled", c.throttled);
    field("receipts_queued", c.receipts_queued);
    field("receipts_delivered", c.receipts_delivered);
    field("receipts_failed", c.receipts_failed);
    field("mo_sent", c.mo_sent);
    field("disconnects", c.disconnects);
    field("binds", c.binds);
    field("bind_rejects", c.bind_rejects);
    field("stalled", c.stalled);
    field("heals", c.heals);
    field("connections", s.connections);
    field("deliver_retries", s.deliver_retries);
    out += ",\"outcomes\":{";
    bool first = true;
    for (const auto& o : config_.dlr_mix) {
        auto it = c.outcomes.find(o.stat);
        if (!first) out += ',';
        first = false;
        out += '"' + o.stat + "\":" + std::to_string(it == c.outcomes.end() ? 0 : it->second);
    }
    out += "}}";
    return out;
}

void SmscSimulator::record(const Pdu& request, const std::string& message_id) {
    std::uint8_t dc = 0, esm = 0;
    std::span<const std::uint8_t> data;
    const TlvRange* tlvs = nullptr;
    if (const auto* sm = request.get_if<SubmitSm>()) {
        dc = sm->data_coding;
        esm = sm->esm_class;
        data = sm->short_message;
        tlvs = &sm->tlvs;
    } else if (const auto* dm = request.get_if<DataSm>()) {
        dc = dm->data_coding;
        esm = dm->esm_class;
        tlvs = &dm->tlvs;
    } else {
        return;
    }
    if (data.empty()) {
        if (auto p = tlvs->message_payload()) data = *p;
    }
    std::string line = message_id + " " + std::to_string(dc) + " " + std::to_string(esm) + " ";
    const auto ref = tlvs->sar_msg_ref_num();
    const auto total = tlvs->sar_total_segments();
    const auto seq = tlvs->sar_segment_seqnum();
    line += ref && total && seq
                ? std::to_string(*ref) + "/" + std::to_string(*total) + "/" + std::to_string(*seq)
                : std::string("-");
    line += ' ';
    static constexpr char kHex[] = "0123456789abcdef";
    for (const auto b : data) {
        line += kHex[b >> 4];
        line += kHex[b & 0x0F];
    }
    line += '\n';
    if (std::FILE* f = std::fopen(config_.record_file.c_str(), "a")) {
        std::fwrite(line.data(), 1, line.size(), f);
        std::fclose(f);
    } else {
        spdlog::warn("smsc-sim cannot append to {}", config_.record_file);
    }
}

std::string SmscSimulator::next_message_id() {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%08llx%08llx", static_cast<unsigned long long>(run_id_),
                  static_cast<unsigned long long>(++next_id_));
    return buf;
}

const std::string& SmscSimulator::pick_outcome() {
    std::uniform_real_distribution<double> dist(0.0, mix_total_);
    double x = dist(rng_);
    for (const auto& o : config_.dlr_mix) {
        if (x < o.weight) return o.stat;
        x -= o.weight;
    }
    return config_.dlr_mix.back().stat;
}

void SmscSimulator::on_bind(std::string_view, SessionState, std::uint64_t) { ++counters_.binds; }
void SmscSimulator::on_unbind(std::string_view, std::uint64_t connection_id) {
    per_connection_.erase(connection_id);
}

void SmscSimulator::on_submit(const SubmitOrigin& origin, const Pdu& request,
                              SubmitResponder respond) {
    ++counters_.submits;
    if (config_.stall_after > 0 && counters_.submits > config_.stall_after) {
        ++counters_.stalled;  // the responder is dropped: the ESME's response timer decides
        return;
    }
    const auto conn = origin.connection_id;
    const bool drop = config_.drop_after > 0 && ++per_connection_[conn] >= config_.drop_after;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    CommandStatus status = CommandStatus::ESME_ROK;
    std::string message_id;
    if (config_.error_rate > 0 && unit(rng_) < config_.error_rate) {
        status = config_.error_status;
        ++counters_.errors_injected;
    } else {
        message_id = next_message_id();
        ++counters_.accepted;
        if (on_accepted) on_accepted(origin.account, message_id);
        if (!config_.record_file.empty()) record(request, message_id);
        // Receipt wanted? registered_delivery bits 1-0: 1 = final outcome, 2 = failure only.
        std::uint8_t reg = 0;
        ShortMessageData original;
        if (const auto* sm = request.get_if<SubmitSm>()) {
            reg = sm->registered_delivery;
            original = ShortMessageData::copy_of(*sm);
        } else if (const auto* dm = request.get_if<DataSm>()) {
            reg = dm->registered_delivery;
            original.source_addr = dm->source_addr;
            original.destination_addr = dm->destination_addr;
            original.source_addr_ton = dm->source_addr_ton;
            original.source_addr_npi = dm->source_addr_npi;
            original.dest_addr_ton = dm->dest_addr_ton;
            original.dest_addr_npi = dm->dest_addr_npi;
        } else if (const auto* mm = request.get_if<SubmitMulti>()) {
            reg = mm->registered_delivery;
            original.source_addr = mm->source_addr;
            if (!mm->dest_addresses.empty())
                original.destination_addr = mm->dest_addresses.begin()->destination_addr;
        }
        const auto& stat = pick_outcome();
        const bool want = (reg & 0x03) == 1 || ((reg & 0x03) == 2 && stat != "DELIVRD");
        if (want) {
            auto d = make_receipt(original, message_id, stat, std::chrono::system_clock::now());
            ++counters_.receipts_queued;
            enqueue(receipts_, receipt_timer_, config_.dlr_delay,
                    [weak = weak_from_this(), account = std::string(origin.account),
                     d = std::move(d), stat]() mutable {
                        auto self = weak.lock();
                        if (!self) return;
                        self->server_->deliver(account, std::move(d),
                                               [weak, stat](const DeliverReport& rep) {
                                                   auto s = weak.lock();
                                                   if (!s) return;
                                                   if (rep.delivered) {
                                                       ++s->counters_.receipts_delivered;
                                                       ++s->counters_.outcomes[stat];
                                                   } else {
                                                       ++s->counters_.receipts_failed;
                                                   }
                                               });
                    });
        }
    }
    auto answer = [respond = std::move(respond), status, message_id = std::move(message_id), drop,
                   conn, weak = weak_from_this()]() {
        respond(status, message_id);
        if (!drop) return;
        auto self = weak.lock();
        if (!self) return;
        ++self->counters_.disconnects;
        self->per_connection_.erase(conn);
        // After the response is written: post behind the write.
        asio::post(self->executor_, [weak, conn] {
            if (auto s = weak.lock()) s->server_->disconnect(conn);
        });
    };
    if (config_.slow_rate > 0 && unit(rng_) < config_.slow_rate) {
        enqueue(slow_, slow_timer_, config_.slow_delay, std::move(answer));
        return;
    }
    if (config_.resp_delay > Duration::zero()) {
        enqueue(delayed_, delayed_timer_, config_.resp_delay, std::move(answer));
        return;
    }
    answer();
}

void SmscSimulator::enqueue(std::deque<Delayed>& queue, asio::steady_timer& timer, Duration delay,
                            std::function<void()> run) {
    queue.push_back(Delayed{Clock::now() + delay, std::move(run)});
    if (queue.size() == 1) arm(queue, timer);  // otherwise armed for an earlier entry
}

void SmscSimulator::arm(std::deque<Delayed>& queue, asio::steady_timer& timer) {
    if (queue.empty() || stopped_) return;
    timer.expires_at(queue.front().at);
    timer.async_wait([weak = weak_from_this(), &queue, &timer](const error_code& ec) {
        auto self = weak.lock();
        if (!self || ec) return;
        const auto now = Clock::now();
        while (!queue.empty() && queue.front().at <= now) {
            auto run = std::move(queue.front().run);
            queue.pop_front();
            run();
        }
        self->arm(queue, timer);
    });
}

void SmscSimulator::arm_mo() {
    if (config_.mo_rate <= 0 || stopped_) return;
    mo_timer_.expires_after(
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.0 / config_.mo_rate)));
    mo_timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
        auto self = weak.lock();
        if (!self || ec) return;
        self->send_mo();
        self->arm_mo();
    });
}

void SmscSimulator::send_mo() {
    for (const auto& account : server_->accounts_with_receivers()) {
        ShortMessageData d;
        d.source_addr_ton = 1;
        d.source_addr_npi = 1;
        d.source_addr = "98912" + std::to_string(1000000 + counters_.mo_sent % 1000000);
        d.dest_addr_ton = 3;
        d.destination_addr = "3000";
        const std::string text = "MO " + std::to_string(counters_.mo_sent + 1);
        d.short_message.assign(text.begin(), text.end());
        ++counters_.mo_sent;
        server_->deliver(account, std::move(d));
    }
}

}  // namespace bindery::sim
