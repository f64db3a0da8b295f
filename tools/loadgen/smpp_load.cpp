#include "tools/loadgen/smpp_load.hpp"

#include <algorithm>
#include <deque>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "smpp/codec/command.hpp"
#include "smpp/net/bind_pool.hpp"
#include "tools/loadgen/pacer.hpp"

namespace bindery::loadgen {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::uint64_t micros(Clock::duration d) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
}

class SmppWorker {
public:
    SmppWorker(const Options& o, const WorkerShare& share)
        : o_(o), share_(share), timer_(io_), stop_timer_(io_), bind_timer_(io_) {
        result_.mode = "smpp";
        result_.open_loop = o.rate > 0;
        result_.target_rate = share.rate;
        result_.connections = share.connections;
        result_.window = o.window;
        if (!o.to_prefix.empty() && o.to_prefix.front() == '+')
            digits_prefix_ = o.to_prefix.substr(1);
        else
            digits_prefix_ = o.to_prefix;
    }

    RunResult run() {
        smpp::BindPoolConfig pc;
        pc.carrier = "loadgen";
        pc.host = o_.host;
        pc.port = o_.port;
        pc.system_id = o_.system_id;
        pc.password = o_.password;
        pc.count = share_.connections;
        pc.window = o_.window;
        pc.connect_timeout = std::chrono::seconds(10);
        pool_ = std::make_shared<smpp::BindPool>(
            io_.get_executor(), pc, [this](const smpp::Pdu& pdu, const smpp::IncomingDone& done) {
                const auto* d = pdu.get_if<smpp::DeliverSm>();
                if (d != nullptr && (d->esm_class & 0x3CU) == 0x04U) ++result_.receipts;
                done(smpp::CommandStatus::ESME_ROK);
                maybe_finish();
            });
        pool_->on_capacity = [this] {
            if (!started_) {
                begin();
            } else {
                dispatch();
            }
        };
        // No bind within the connect timeout (twice, for a slow start): give up.
        bind_timer_.expires_after(std::chrono::seconds(20));
        bind_timer_.async_wait([this](const boost::system::error_code& e) {
            if (!e && !started_) {
                result_.connect_failures = share_.connections;
                stop_pool();
            }
        });
        pool_->start();
        io_.run();
        return result_;
    }

private:
    void begin() {
        if (!pool_->ready()) return;
        started_ = true;
        bind_timer_.cancel();
        start_ = Clock::now();
        last_answer_ = start_;
        if (o_.duration.count() > 0) {
            stop_timer_.expires_at(start_ + o_.duration);
            stop_timer_.async_wait([this](const boost::system::error_code& e) {
                if (!e) stop_sending();
            });
        }
        if (result_.open_loop) {
            pacer_ = Pacer(start_, share_.rate);
            tick();
        } else {
            dispatch();
        }
    }

    [[nodiscard]] std::uint64_t remaining() const noexcept {
        if (sending_stopped_) return 0;
        if (share_.count == 0) return ~std::uint64_t{0};
        return share_.count - std::min(share_.count, planned_);
    }

    void tick() {
        const auto now = Clock::now();
        Clock::time_point due{};
        while (remaining() > 0 && pacer_.take(now, due)) {
            ++planned_;
            pending_.push_back(due);
        }
        dispatch();
        if (remaining() == 0) {
            stop_sending();
            return;
        }
        timer_.expires_at(pacer_.next_due());
        timer_.async_wait([this](const boost::system::error_code& e) {
            if (!e) tick();
        });
    }

    void dispatch() {
        if (finished_) return;
        while (pool_->ready()) {
            Clock::time_point scheduled{};
            if (result_.open_loop) {
                if (pending_.empty()) break;
                scheduled = pending_.front();
                pending_.pop_front();
            } else {
                if (retry_ > 0) {
                    --retry_;
                } else {
                    if (remaining() == 0) break;
                    ++planned_;
                }
                scheduled = Clock::now();
            }
            submit(scheduled);
        }
        if (!result_.open_loop && remaining() == 0 && retry_ == 0) stop_sending();
    }

    void submit(Clock::time_point scheduled) {
        const auto now = Clock::now();
        if (result_.open_loop && now - scheduled > std::chrono::milliseconds(1)) ++result_.late;
        smpp::ShortMessageData m;
        m.source_addr = o_.from;
        m.source_addr_ton = 5;  // alphanumeric
        m.dest_addr_ton = 1;
        m.dest_addr_npi = 1;
        const auto n = std::to_string((share_.first_seq + seq_++) % 10'000'000);
        m.destination_addr = digits_prefix_ + std::string(7 - n.size(), '0') + n;
        m.registered_delivery = o_.receipts ? 1 : 0;
        m.short_message.assign(o_.text.begin(), o_.text.end());
        ++in_flight_;
        pool_->submit(std::move(m), [this, scheduled](const smpp::SubmitReport& r) {
            --in_flight_;
            if (!r.sent) {
                // Refused before it left (window raced, bind going down): send it again.
                --seq_;
                if (result_.open_loop) {
                    pending_.push_front(scheduled);
                } else {
                    ++retry_;
                }
                return;
            }
            const auto now = Clock::now();
            last_answer_ = now;
            ++result_.requests;
            ++result_.messages;
            if (r.outcome == smpp::SubmitOutcome::response) {
                ++result_.status[std::string(smpp::to_string(r.status))];
            } else {
                ++result_.status["no_response"];
            }
            if (r.ok()) {
                ++result_.accepted;
                ++accepted_receipts_expected_;
            } else {
                ++result_.failed;
            }
            result_.latency.record_us(micros(now - scheduled));
            maybe_finish();
        });
    }

    void stop_sending() {
        if (sending_stopped_) return;
        sending_stopped_ = true;
        timer_.cancel();
        stop_timer_.cancel();
        stop_timer_.expires_after(o_.drain);
        stop_timer_.async_wait([this](const boost::system::error_code& e) {
            if (!e) finish();
        });
        maybe_finish();
    }

    void maybe_finish() {
        if (!sending_stopped_ || finished_) return;
        if (in_flight_ > 0 || !pending_.empty() || retry_ > 0) return;
        if (o_.receipts && result_.receipts < accepted_receipts_expected_) {
            if (!receipt_wait_started_) {
                receipt_wait_started_ = true;
                result_.seconds = std::chrono::duration<double>(last_answer_ - start_).count();
                stop_timer_.cancel();
                stop_timer_.expires_after(o_.receipt_wait);
                stop_timer_.async_wait([this](const boost::system::error_code& e) {
                    if (!e) finish();
                });
            }
            return;
        }
        finish();
    }

    void finish() {
        if (finished_) return;
        finished_ = true;
        if (!receipt_wait_started_)
            result_.seconds = std::chrono::duration<double>(last_answer_ - start_).count();
        result_.unanswered += in_flight_;
        for (std::size_t i = 0; i < pending_.size(); ++i) ++result_.unsent;
        pending_.clear();
        const auto stats = pool_->stats();
        result_.connect_failures += stats.bind_failures;
        result_.dropped += stats.bind_downs;
        stop_pool();
    }

    void stop_pool() {
        finished_ = true;
        timer_.cancel();
        stop_timer_.cancel();
        bind_timer_.cancel();
        pool_->on_capacity = nullptr;
        pool_->stop(std::chrono::seconds(2), [this] { io_.stop(); });
    }

    const Options& o_;
    WorkerShare share_;
    asio::io_context io_{1};
    asio::steady_timer timer_;
    asio::steady_timer stop_timer_;
    asio::steady_timer bind_timer_;
    std::shared_ptr<smpp::BindPool> pool_;
    std::string digits_prefix_;
    Pacer pacer_;
    std::deque<Clock::time_point> pending_;
    std::uint64_t planned_ = 0;
    std::uint64_t seq_ = 0;
    std::uint64_t retry_ = 0;  // closed loop: refused submits to send again
    std::uint64_t in_flight_ = 0;
    std::uint64_t accepted_receipts_expected_ = 0;
    bool started_ = false;
    bool sending_stopped_ = false;
    bool receipt_wait_started_ = false;
    bool finished_ = false;
    Clock::time_point start_{};
    Clock::time_point last_answer_{};
    RunResult result_;
};

}  // namespace

RunResult run_smpp(const Options& options, const WorkerShare& share) {
    return SmppWorker(options, share).run();
}

}  // namespace bindery::loadgen
