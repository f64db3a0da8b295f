#include "tools/soak/smpp_clients.hpp"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <string_view>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "smpp/net/bind_pool.hpp"

namespace bindery::soak {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

struct SmppClients::Impl {
    explicit Impl(SmppClientsConfig c) : config(std::move(c)), timer(io) {}

    SmppClientsConfig config;
    asio::io_context io{1};
    asio::steady_timer timer;
    std::shared_ptr<smpp::BindPool> pool;
    std::thread thread;
    std::atomic<bool> bound{false}, finished{false};

    // io thread only
    Steady::time_point start{}, end{};
    std::uint64_t next = 0;     // the next submit to fall due
    std::uint64_t pending = 0;  // due, not yet sent
    std::uint64_t seq = 0;      // submits made, for the destinations and texts
    bool stopped = false;

    mutable std::mutex mutex;  // the figures and ids, read from other threads
    SmppFigures figures;
    std::vector<Id> acknowledged, receipted;

    Steady::time_point due(std::uint64_t k) const {
        return start + std::chrono::duration_cast<Steady::duration>(
                           std::chrono::duration<double>(static_cast<double>(k) / config.rate));
    }

    void tick() {
        if (stopped) return;
        const auto now = Steady::now();
        while (due(next) < end && due(next) <= now) {
            ++next;
            ++pending;
        }
        dispatch();
        if (due(next) >= end) return;  // the last one is due; stop_sending() ends the rest
        timer.expires_at(due(next));
        timer.async_wait([this](const boost::system::error_code& e) {
            if (!e) tick();
        });
    }

    void dispatch() {
        while (!stopped && pending > 0 && pool->ready()) {
            --pending;
            submit();
        }
    }

    void submit() {
        const std::uint64_t n = seq++;
        smpp::ShortMessageData m;
        m.source_addr = "SoakSmpp";
        m.source_addr_ton = 5;  // alphanumeric
        m.dest_addr_ton = 1;
        m.dest_addr_npi = 1;
        // International, with the "+" the gateway's front end wants for TON 1 (see the report).
        m.destination_addr = "+98913" + std::to_string(1000000 + n % 9000000);
        m.registered_delivery = 1;
        const std::string text = "soak smpp " + std::to_string(n);
        m.short_message.assign(text.begin(), text.end());
        {
            const std::lock_guard lock(mutex);
            ++figures.in_flight;
        }
        pool->submit(std::move(m), [this](const smpp::SubmitReport& r) {
            const std::lock_guard lock(mutex);
            --figures.in_flight;
            if (!r.sent) {
                // Never left (the window raced, a bind went down): due again, unless it is over.
                if (stopped)
                    ++figures.unsent;
                else
                    ++pending;
                return;
            }
            ++figures.submitted;
            if (r.ok()) {
                ++figures.ok;
                if (const auto id = parse_id(r.message_id))
                    acknowledged.push_back(*id);
                else
                    ++figures.bad_ids;
            } else if (r.outcome == smpp::SubmitOutcome::response) {
                ++figures.refused;
                if (figures.refused == 1)
                    std::fprintf(stderr, "SMPP: first refusal %s\n",
                                 std::string(smpp::to_string(r.status)).c_str());
            } else {
                ++figures.no_response;
            }
        });
    }

    void on_deliver(const smpp::Pdu& pdu, const smpp::IncomingDone& done) {
        const auto* d = pdu.get_if<smpp::DeliverSm>();
        if (d != nullptr && (d->esm_class & 0x3CU) == 0x04U) {
            // "id:<bindery id> sub:001 dlvrd:..." (app/smpp_frontend.cpp receipt_for)
            const std::string_view text(reinterpret_cast<const char*>(d->short_message.data()),
                                        d->short_message.size());
            std::optional<Id> id;
            if (text.substr(0, 3) == "id:") id = parse_id(text.substr(3, text.find(' ') - 3));
            const std::lock_guard lock(mutex);
            ++figures.receipts;
            if (id) receipted.push_back(*id);
        }
        done(smpp::CommandStatus::ESME_ROK);
    }
};

SmppClients::SmppClients(SmppClientsConfig config)
    : impl_(std::make_shared<Impl>(std::move(config))) {}

SmppClients::~SmppClients() { close(); }

bool SmppClients::start(std::chrono::milliseconds limit) {
    auto& m = *impl_;
    smpp::BindPoolConfig pc;
    pc.carrier = "soak";
    pc.host = m.config.host;
    pc.port = m.config.port;
    pc.system_id = m.config.system_id;
    pc.password = m.config.password;
    pc.count = std::max(1U, m.config.sessions);
    pc.window = std::max<std::size_t>(1, m.config.window);
    pc.connect_timeout = std::chrono::seconds(10);
    pc.response_timeout = std::chrono::seconds(30);
    pc.backoff.initial = std::chrono::milliseconds(200);
    pc.backoff.max = std::chrono::seconds(2);
    m.pool = std::make_shared<smpp::BindPool>(
        m.io.get_executor(), pc,
        [impl = impl_.get()](const smpp::Pdu& pdu, const smpp::IncomingDone& done) {
            impl->on_deliver(pdu, done);
        });
    m.pool->on_capacity = [impl = impl_.get()] {
        if (impl->pool->ready()) impl->bound = true;
        impl->dispatch();
    };
    asio::post(m.io, [impl = impl_.get()] { impl->pool->start(); });
    m.thread = std::thread([impl = impl_.get()] {
        impl->io.run();
        impl->finished = true;
    });
    const auto until = Steady::now() + limit;
    while (!m.bound && Steady::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return m.bound;
}

void SmppClients::load(Steady::time_point start, Steady::time_point end) {
    if (impl_->config.rate <= 0) return;
    asio::post(impl_->io, [impl = impl_.get(), start, end] {
        impl->start = start;
        impl->end = end;
        impl->tick();
    });
}

bool SmppClients::stop_sending(std::chrono::milliseconds limit) {
    auto& m = *impl_;
    if (!m.thread.joinable()) return true;
    asio::post(m.io, [impl = impl_.get()] {
        impl->stopped = true;
        impl->timer.cancel();
        const std::lock_guard lock(impl->mutex);
        impl->figures.unsent += impl->pending;
        impl->pending = 0;
    });
    const auto until = Steady::now() + limit;
    for (;;) {
        {
            const std::lock_guard lock(m.mutex);
            if (m.figures.in_flight == 0) return true;
        }
        if (Steady::now() >= until || m.finished) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void SmppClients::close() {
    auto& m = *impl_;
    if (!m.thread.joinable()) return;
    asio::post(m.io, [impl = impl_.get()] {
        impl->stopped = true;
        impl->timer.cancel();
        impl->pool->on_capacity = nullptr;
        const auto s = impl->pool->stats();
        {
            const std::lock_guard lock(impl->mutex);
            impl->figures.bind_failures = s.bind_failures;
            impl->figures.bind_downs = s.bind_downs;
        }
        impl->pool->stop(std::chrono::seconds(2), [impl] { impl->io.stop(); });
    });
    // The pool's stop is bounded by its drain; this is the backstop.
    const auto until = Steady::now() + std::chrono::seconds(15);
    while (!m.finished && Steady::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    m.io.stop();
    m.thread.join();
}

SmppFigures SmppClients::figures() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->figures;
}

std::vector<Id> SmppClients::acknowledged() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->acknowledged;
}

std::vector<Id> SmppClients::receipted() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->receipted;
}

}  // namespace bindery::soak
