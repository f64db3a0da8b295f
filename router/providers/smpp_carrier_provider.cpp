#include "router/providers/smpp_carrier_provider.hpp"

#include <mutex>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "router/providers/text_planner.hpp"
#include "smpp/base/log_field.hpp"
#include "smpp/codec/command.hpp"
#include "smpp/codec/pdu.hpp"
#include "smpp/codec/text/data_coding.hpp"
#include "smpp/codec/text/gsm7.hpp"
#include "smpp/codec/tlv.hpp"

namespace bindery::router {

namespace asio = boost::asio;
using smpp::CommandStatus;

std::optional<SendError> send_error_of(const smpp::SubmitReport& r) {
    if (r.ok()) return std::nullopt;
    SendError e;
    if (!r.sent) {
        // A local rate-limit refusal is throttling (back off); anything else never reached the
        // bind.
        e.kind = r.refusal == smpp::Refusal::invalid     ? SendErrorKind::rejected_local
                 : r.refusal == smpp::Refusal::throttled ? SendErrorKind::throttled
                                                         : SendErrorKind::not_sent;
        e.text = "refused before sending: " + std::string(smpp::to_string(r.refusal));
        return e;
    }
    switch (r.outcome) {
        case smpp::SubmitOutcome::timeout:
            e.kind = SendErrorKind::timeout;
            e.text = "no submit_sm_resp within the response timeout";
            return e;
        case smpp::SubmitOutcome::connection_lost:
            e.kind = SendErrorKind::connection;
            e.text = "bind lost before submit_sm_resp";
            return e;
        case smpp::SubmitOutcome::response: break;
    }
    e.code = static_cast<std::int64_t>(r.status);
    e.kind = r.status == CommandStatus::ESME_RTHROTTLED || r.status == CommandStatus::ESME_RMSGQFUL
                 ? SendErrorKind::throttled
                 : SendErrorKind::status;
    e.text = std::string(smpp::to_string(r.status));
    return e;
}

struct SmppCarrierProvider::State : std::enable_shared_from_this<SmppCarrierProvider::State> {
    State(SmppCarrierConfig c, asio::any_io_executor ex, ReceiptSink& s, MoHandler mo)
        : config(std::move(c)),
          executor(std::move(ex)),
          sink(s),
          on_mo(std::move(mo)),
          timer(executor),
          reassembler(config.mo_reassembly) {}

    struct Batch {
        std::size_t remaining = 0;
        std::vector<std::optional<smpp::SubmitReport>> reports;
        std::function<void(SendResult)> done;
    };

    SmppCarrierConfig config;
    asio::any_io_executor executor;
    ReceiptSink& sink;
    MoHandler on_mo;
    std::shared_ptr<smpp::BindPool> pool;
    asio::steady_timer timer;
    smpp::Reassembler reassembler;
    // Executor only.
    std::uint16_t next_reference = 0;
    bool started = false;
    bool stopping = false;
    // Any thread.
    std::atomic<bool> detached{false};
    std::atomic<bool> is_ready{false};
    std::atomic<bool> connected{false};
    std::atomic<std::uint32_t> inflight{0};
    std::atomic<std::uint32_t> capacity{0};
    mutable std::mutex mu;  // stats, pool_stats
    SmppCarrierStats stats;
    smpp::BindPoolStats pool_stats;

    template <class F>
    void count(F&& f) {
        std::lock_guard lock(mu);
        f(stats);
    }

    void refresh() {
        const auto ps = pool->stats();
        const bool up = started && !stopping && pool->ready();
        is_ready.store(up, std::memory_order_relaxed);
        connected.store(ps.binds_up > 0, std::memory_order_relaxed);
        const auto busy = ps.in_flight + ps.queued;
        inflight.store(static_cast<std::uint32_t>(busy), std::memory_order_relaxed);
        capacity.store(
            ps.binds_up > 0 && ps.window > busy ? static_cast<std::uint32_t>(ps.window - busy) : 0U,
            std::memory_order_relaxed);
        std::lock_guard lock(mu);
        pool_stats = ps;
    }

    void arm_timer() {
        timer.expires_after(config.refresh_interval);
        timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || self->stopping) return;
            self->refresh();
            for (auto& m : self->reassembler.take_expired(Clock::now()))
                self->hand_up_incomplete(std::move(m));
            self->arm_timer();
        });
    }

    // ---- send ----------------------------------------------------------------------------------
    std::size_t submit_room() const {
        std::size_t room = 0;
        for (const auto& b : pool->binds()) {
            if (!b->can_submit()) continue;
            if (b->window() > b->in_flight()) room += b->window() - b->in_flight();
            if (b->config().max_queue > b->queued()) room += b->config().max_queue - b->queued();
        }
        return room;
    }

    void do_send(OutboundMessage m, std::function<void(SendResult)> done) {
        auto fail = [&](SendErrorKind kind, std::string text) {
            count([](SmppCarrierStats& s) {
                ++s.sends;
                ++s.sends_failed;
            });
            SendResult r;
            r.error = SendError{kind, 0, std::move(text)};
            done(std::move(r));
        };
        if (!started || stopping || detached)
            return fail(SendErrorKind::not_sent, "provider stopped");
        const auto opts = encode_options_for(config.text, m.encoding);
        auto encoded = smpp::encode_message(m.text, next_reference++, opts);
        if (!encoded) {
            std::string why =
                "text cannot be encoded: " + std::string(smpp::to_string(encoded.error().code));
            if (m.encoding) why += " (forced " + std::string(to_string(*m.encoding)) + ")";
            return fail(SendErrorKind::rejected_local, std::move(why));
        }
        if (!pool->ready()) return fail(SendErrorKind::not_sent, "no bind can take a submit");
        // Every segment must fit now (free window slots plus free queue places of the bound
        // transmitting binds), so the pool never refuses the tail of a message for load after its
        // head went out. A message larger than that waits (not_sent) until the binds drain.
        const std::size_t parts = encoded->message_payload ? 1 : encoded->segments.size();
        if (const auto room = submit_room(); room < parts) {
            return fail(SendErrorKind::not_sent, "binds have room for " + std::to_string(room) +
                                                     " of " + std::to_string(parts) + " segments");
        }

        smpp::ShortMessageData base;
        base.service_type = config.service_type;
        const auto src = source_address(m.sender, config.addresses);
        const auto dst = destination_address(m.destination, config.addresses);
        base.source_addr_ton = src.ton;
        base.source_addr_npi = src.npi;
        base.source_addr = src.addr;
        base.dest_addr_ton = dst.ton;
        base.dest_addr_npi = dst.npi;
        base.destination_addr = dst.addr;
        base.protocol_id = config.protocol_id;
        base.priority_flag = config.priority_express && m.priority == Priority::express ? 1 : 0;
        base.validity_period = validity_period(m.expires_at, SystemClock::now(), config.validity);
        base.registered_delivery = config.registered_delivery && m.want_receipt ? 1 : 0;
        base.data_coding = encoded->data_coding;

        std::vector<smpp::ShortMessageData> pdus;
        if (encoded->message_payload) {
            auto d = base;
            smpp::TlvBuilder tlvs;
            tlvs.octets(smpp::tlv_tag::message_payload, smpp::ByteView(*encoded->message_payload));
            d.tlvs = tlvs.bytes();
            pdus.push_back(std::move(d));
        } else {
            for (auto& seg : encoded->segments) {
                auto d = base;
                d.short_message = std::move(seg.short_message);
                if (seg.udhi) d.esm_class |= 0x40;
                if (seg.sar) {
                    smpp::TlvBuilder tlvs;
                    tlvs.u16(smpp::tlv_tag::sar_msg_ref_num, seg.sar->msg_ref_num);
                    tlvs.u8(smpp::tlv_tag::sar_total_segments, seg.sar->total_segments);
                    tlvs.u8(smpp::tlv_tag::sar_segment_seqnum, seg.sar->segment_seqnum);
                    d.tlvs = tlvs.bytes();
                }
                pdus.push_back(std::move(d));
            }
        }
        auto batch = std::make_shared<Batch>();
        batch->remaining = pdus.size();
        batch->reports.resize(pdus.size());
        batch->done = std::move(done);
        count([&](SmppCarrierStats& s) { s.segments_submitted += pdus.size(); });
        for (std::size_t i = 0; i < pdus.size(); ++i) {
            pool->submit(std::move(pdus[i]),
                         [self = shared_from_this(), batch, i](const smpp::SubmitReport& r) {
                             batch->reports[i] = r;
                             if (--batch->remaining == 0) self->finish(*batch);
                         });
        }
        refresh();
    }

    void finish(Batch& b) {
        SendResult result;
        std::vector<std::string> accepted;
        std::optional<SendError> first_sent_failure, first_refusal;
        for (const auto& r : b.reports) {
            if (r->ok()) {
                accepted.push_back(r->message_id);
                continue;
            }
            auto e = send_error_of(*r);
            if (r->sent) {
                if (!first_sent_failure) first_sent_failure = std::move(e);
            } else if (!first_refusal) {
                first_refusal = std::move(e);
            }
        }
        if (!first_sent_failure && !first_refusal) {
            result.segment_ids = std::move(accepted);
            count([](SmppCarrierStats& s) {
                ++s.sends;
                ++s.sends_ok;
            });
        } else {
            SendError e;
            if (first_sent_failure) {
                e = std::move(*first_sent_failure);
            } else if (accepted.empty()) {
                e = std::move(
                    *first_refusal);  // nothing left the process: not_sent / rejected_local
            } else {
                e = std::move(*first_refusal);
                if (e.kind == SendErrorKind::not_sent)
                    e.kind = SendErrorKind::connection;  // not untried
            }
            const bool partial = !accepted.empty();
            if (partial || b.reports.size() > 1) {
                e.text += "; " + std::to_string(accepted.size()) + " of " +
                          std::to_string(b.reports.size()) + " segments accepted";
                if (partial) {
                    e.text += " (may be delivered):";
                    for (const auto& id : accepted) e.text += " " + id;
                }
            }
            count([&](SmppCarrierStats& s) {
                ++s.sends;
                ++s.sends_failed;
                if (partial) ++s.partial_failures;
            });
            result.error = std::move(e);
        }
        refresh();
        b.done(std::move(result));
    }

    // ---- incoming ------------------------------------------------------------------------------
    void on_deliver(const smpp::Pdu& pdu, smpp::IncomingDone done) {
        if (detached) return done(CommandStatus::ESME_RX_T_APPN);
        std::uint8_t esm = 0, dc = 0, src_ton = 0, src_npi = 0, dst_ton = 0, dst_npi = 0;
        std::string_view src, dst;
        smpp::ByteView sm;
        smpp::TlvRange tlvs;
        if (const auto* d = pdu.get_if<smpp::DeliverSm>()) {
            esm = d->esm_class;
            dc = d->data_coding;
            src = d->source_addr;
            dst = d->destination_addr;
            src_ton = d->source_addr_ton;
            src_npi = d->source_addr_npi;
            dst_ton = d->dest_addr_ton;
            dst_npi = d->dest_addr_npi;
            sm = d->short_message;
            tlvs = d->tlvs;
        } else if (const auto* ds = pdu.get_if<smpp::DataSm>()) {
            esm = ds->esm_class;
            dc = ds->data_coding;
            src = ds->source_addr;
            dst = ds->destination_addr;
            src_ton = ds->source_addr_ton;
            src_npi = ds->source_addr_npi;
            dst_ton = ds->dest_addr_ton;
            dst_npi = ds->dest_addr_npi;
            tlvs = ds->tlvs;
        } else {
            return done(CommandStatus::ESME_ROK);
        }
        if (sm.empty()) {
            if (auto payload = tlvs.message_payload()) sm = *payload;
        }
        const auto type = esm & 0x3C;
        const auto receipted = tlvs.receipted_message_id();
        if (type == 0x04 || type == 0x20 || receipted) return on_receipt(sm, tlvs, std::move(done));
        on_mo_part(esm, dc, src, src_ton, src_npi, dst, dst_ton, dst_npi, sm, tlvs,
                   std::move(done));
    }

    void on_receipt(smpp::ByteView sm, const smpp::TlvRange& tlvs, smpp::IncomingDone done) {
        const std::string_view text(reinterpret_cast<const char*>(sm.data()), sm.size());
        smpp::ReceiptTlvs fields;
        fields.receipted_message_id = tlvs.receipted_message_id();
        fields.message_state = tlvs.message_state();
        fields.network_error_code = tlvs.network_error_code();
        auto receipt = map_receipt(config.name, text, fields, config.receipt_utc_offset);
        if (!receipt) {
            count([](SmppCarrierStats& s) { ++s.receipts_unparsed; });
            spdlog::warn(
                "smpp delivery receipt unparsable, answered ESME_ROK and dropped carrier={} "
                "error={} text={}",
                config.name, log_value(receipt.error()),
                log_value(std::string_view(text).substr(0, 120)));
            return done(CommandStatus::ESME_ROK);
        }
        apply_message_id_format(*receipt, config.message_id_format);
        count([](SmppCarrierStats& s) { ++s.receipts; });
        // The deliver_sm_resp goes out when the sink settles the receipt (for the router: once
        // the state change it caused is committed), so a receipt the carrier saw answered is
        // never lost to a crash; until then the carrier keeps it in its window and redelivers it
        // if the bind drops.
        receipt->settled = [done = std::move(done), ex = executor](bool /*recorded*/) mutable {
            if (!done) return;
            asio::post(ex, [done = std::move(done)] { done(CommandStatus::ESME_ROK); });
        };
        sink.on_receipt(std::move(*receipt));
    }

    void deliver_mo(MoMessage mo, smpp::IncomingDone done) {
        count([](SmppCarrierStats& s) { ++s.mo_messages; });
        if (!on_mo) {
            spdlog::info("smpp MO dropped, no MO handler carrier={} from={}", config.name,
                         log_value(mo.source));
            if (done) done(CommandStatus::ESME_ROK);
            return;
        }
        on_mo(std::move(mo), [done = std::move(done), ex = executor](bool accepted) mutable {
            if (!done) return;
            // The answer goes out on the pool's executor whatever thread the handler completes on.
            asio::post(ex, [done = std::move(done), accepted] {
                done(accepted ? CommandStatus::ESME_ROK : CommandStatus::ESME_RX_T_APPN);
            });
        });
    }

    smpp::DecodeOptions decode_options() const {
        return smpp::DecodeOptions{config.text.smsc_default, config.text.gsm7_packing};
    }

    void on_mo_part(std::uint8_t esm, std::uint8_t dc, std::string_view src, std::uint8_t src_ton,
                    std::uint8_t src_npi, std::string_view dst, std::uint8_t dst_ton,
                    std::uint8_t dst_npi, smpp::ByteView sm, const smpp::TlvRange& tlvs,
                    smpp::IncomingDone done) {
        count([](SmppCarrierStats& s) { ++s.mo_parts; });
        MoMessage mo;
        mo.provider = config.name;
        mo.source = std::string(src);
        mo.source_ton = src_ton;
        mo.source_npi = src_npi;
        mo.destination = std::string(dst);
        mo.destination_ton = dst_ton;
        mo.destination_npi = dst_npi;
        mo.data_coding = dc;
        const bool udhi = (esm & 0x40) != 0;
        auto decoded = smpp::decode_user_data(dc, sm, udhi, decode_options());
        if (!decoded) {  // malformed UDH: hand the octets up as text rather than refuse the MO
            auto text = smpp::decode_text(dc, sm, decode_options());
            mo.text = std::move(text.utf8);
            mo.lossy = true;
            return deliver_mo(std::move(mo), std::move(done));
        }
        const bool packed = config.text.gsm7_packing == smpp::Gsm7Packing::packed &&
                            decoded->text.alphabet == smpp::Alphabet::gsm7;
        std::optional<smpp::ConcatPart> part;
        if (decoded->udh && decoded->udh->concat && decoded->udh->concat->total > 1) {
            const auto& c = *decoded->udh->concat;
            const auto kind =
                c.reference_16bit ? smpp::ConcatRefKind::udh16 : smpp::ConcatRefKind::udh8;
            part = smpp::ConcatPart{
                {mo.source, mo.destination, c.reference, kind, c.total}, c.total, c.seqnum, dc, {}};
            const auto payload = decoded->udh->payload;
            part->user_data = packed ? smpp::unpack_septets(payload, decoded->udh->fill_bits())
                                     : std::vector<std::uint8_t>(payload.begin(), payload.end());
        } else if (auto ref = tlvs.sar_msg_ref_num()) {
            const auto total = tlvs.sar_total_segments().value_or(0);
            const auto seq = tlvs.sar_segment_seqnum().value_or(0);
            if (total > 1) {
                part = smpp::ConcatPart{
                    {mo.source, mo.destination, *ref, smpp::ConcatRefKind::sar, total},
                    total,
                    seq,
                    dc,
                    {}};
                part->user_data = packed ? smpp::unpack_septets(sm)
                                         : std::vector<std::uint8_t>(sm.begin(), sm.end());
            }
        }
        if (part && config.reassemble_mo) {
            auto added = reassembler.add(std::move(*part), Clock::now());
            for (auto& dropped : added.dropped) hand_up_incomplete(std::move(dropped));
            switch (added.status) {
                case smpp::PartStatus::completed: {
                    const auto& whole = *added.message;
                    auto text = smpp::decode_text(
                        whole.data_coding, whole.user_data,
                        smpp::DecodeOptions{config.text.smsc_default, smpp::Gsm7Packing::unpacked});
                    mo.text = std::move(text.utf8);
                    mo.lossy = text.lossy;
                    mo.parts = whole.total;
                    return deliver_mo(std::move(mo), std::move(done));
                }
                case smpp::PartStatus::stored:
                case smpp::PartStatus::duplicate:
                    // Held in memory: a restart before the last part loses the earlier parts (the
                    // carrier will not redeliver them).
                    return done(CommandStatus::ESME_ROK);
                case smpp::PartStatus::invalid:
                case smpp::PartStatus::too_large: break;  // hand this part up on its own
            }
        }
        mo.text = std::move(decoded->text.utf8);
        mo.lossy = decoded->text.lossy;
        deliver_mo(std::move(mo), std::move(done));
    }

    void hand_up_incomplete(smpp::IncompleteMessage m) {
        count([](SmppCarrierStats& s) { ++s.mo_incomplete; });
        std::vector<std::uint8_t> data;
        for (const auto& [seq, bytes] : m.parts)
            data.insert(data.end(), bytes.begin(), bytes.end());
        auto text = smpp::decode_text(
            m.data_coding, data,
            smpp::DecodeOptions{config.text.smsc_default, smpp::Gsm7Packing::unpacked});
        MoMessage mo;
        mo.provider = config.name;
        mo.source = m.key.source_addr;
        mo.destination = m.key.destination_addr;
        mo.data_coding = m.data_coding;
        mo.text = std::move(text.utf8);
        mo.lossy = text.lossy;
        mo.parts = static_cast<std::uint8_t>(m.parts.size());
        mo.incomplete = true;
        spdlog::warn(
            "smpp MO incomplete, handed up as is carrier={} from={} parts={} total={} reason={}",
            config.name, log_value(mo.source), m.parts.size(), m.total, smpp::to_string(m.reason));
        deliver_mo(std::move(mo), {});
    }
};

SmppCarrierProvider::SmppCarrierProvider(SmppCarrierConfig config, asio::any_io_executor executor,
                                         ReceiptSink& sink, MoHandler on_mo)
    : name_(config.name),
      state_(
          std::make_shared<State>(std::move(config), std::move(executor), sink, std::move(on_mo))) {
    state_->pool = std::make_shared<smpp::BindPool>(
        state_->executor, state_->config.pool,
        [weak = std::weak_ptr<State>(state_)](const smpp::Pdu& pdu, smpp::IncomingDone done) {
            auto self = weak.lock();
            if (!self) return done(CommandStatus::ESME_RX_T_APPN);
            self->on_deliver(pdu, std::move(done));
        });
    state_->pool->on_capacity = [weak = std::weak_ptr<State>(state_)] {
        if (auto self = weak.lock()) self->refresh();
    };
}

SmppCarrierProvider::~SmppCarrierProvider() {
    state_->detached = true;
    asio::post(state_->executor, [s = state_] {
        s->timer.cancel();
        if (s->started && !s->stopping) {
            s->stopping = true;
            s->pool->stop(Duration::zero());
        }
        s->pool->on_capacity = nullptr;
    });
}

void SmppCarrierProvider::start() {
    asio::post(state_->executor, [s = state_] {
        if (s->started) return;
        s->started = true;
        s->pool->start();
        s->refresh();
        s->arm_timer();
    });
}

void SmppCarrierProvider::stop(Duration drain, std::function<void()> done) {
    asio::post(state_->executor, [s = state_, drain, done = std::move(done)]() mutable {
        s->stopping = true;
        s->timer.cancel();
        s->refresh();
        s->pool->stop(drain, [s, done = std::move(done)] {
            s->refresh();
            for (auto& m : s->reassembler.drain()) s->hand_up_incomplete(std::move(m));
            if (done) done();
        });
    });
}

SmppCarrierStats SmppCarrierProvider::stats() const {
    std::lock_guard lock(state_->mu);
    return state_->stats;
}

smpp::BindPoolStats SmppCarrierProvider::pool_stats() const {
    std::lock_guard lock(state_->mu);
    return state_->pool_stats;
}

bool SmppCarrierProvider::ready() const { return state_->is_ready.load(std::memory_order_relaxed); }

ProviderHealth SmppCarrierProvider::health() const {
    ProviderHealth h;
    h.connected = state_->connected.load(std::memory_order_relaxed);
    h.inflight = state_->inflight.load(std::memory_order_relaxed);
    h.capacity = state_->capacity.load(std::memory_order_relaxed);
    return h;
}

void SmppCarrierProvider::send(OutboundMessage message, std::function<void(SendResult)> done) {
    asio::post(state_->executor,
               [s = state_, m = std::move(message), done = std::move(done)]() mutable {
                   s->do_send(std::move(m), std::move(done));
               });
}

}  // namespace bindery::router
