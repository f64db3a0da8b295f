#include "app/smpp_queries.hpp"

#include <ctime>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "smpp/base/thread_name.hpp"

namespace bindery::app {

namespace asio = boost::asio;
using smpp::CommandId;
using smpp::CommandStatus;

SmppQueries::SmppQueries(asio::any_io_executor executor, router::GatewayApi& api,
                         std::size_t max_pending)
    : executor_(std::move(executor)), api_(api), max_pending_(max_pending) {}

SmppQueries::~SmppQueries() { stop(); }

void SmppQueries::start() {
    const std::lock_guard lock(mutex_);
    if (started_ || stopping_) return;
    started_ = true;
    worker_ = std::thread([this] {
        name_this_thread("smpp-query");
        work();
    });
}

void SmppQueries::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
}

SmppQueriesStats SmppQueries::stats() const {
    const std::lock_guard lock(mutex_);
    return stats_;
}

void SmppQueries::handle(std::string client, const smpp::Pdu& request,
                         smpp::QueryResponder respond) {
    Job job;
    job.command = request.command_id();
    job.client = std::move(client);
    if (const auto* q = request.get_if<smpp::QuerySm>()) {
        job.message_id = std::string(q->message_id);
        job.source_addr = std::string(q->source_addr);
    } else if (const auto* c = request.get_if<smpp::CancelSm>()) {
        job.message_id = std::string(c->message_id);
        job.source_addr = std::string(c->source_addr);
        job.destination_addr = std::string(c->destination_addr);
    }
    CommandStatus refusal = CommandStatus::ESME_ROK;
    if (job.command == CommandId::replace_sm) {
        refusal = CommandStatus::ESME_RREPLACEFAIL;  // not supported (see the header)
    } else if (job.command == CommandId::cancel_sm && job.message_id.empty()) {
        refusal = CommandStatus::ESME_RCANCELFAIL;  // cancel by source/destination: not supported
    } else if (job.command != CommandId::query_sm && job.command != CommandId::cancel_sm) {
        refusal = CommandStatus::ESME_RINVCMDID;
    }
    {
        const std::lock_guard lock(mutex_);
        if (refusal == CommandStatus::ESME_ROK) {
            if (!started_ || stopping_) {
                refusal = CommandStatus::ESME_RSYSERR;
            } else if (jobs_.size() >= max_pending_) {
                refusal = CommandStatus::ESME_RMSGQFUL;
            } else {
                job.respond = std::move(respond);
                jobs_.push_back(std::move(job));
                cv_.notify_one();
                return;
            }
        }
        ++stats_.refused;
    }
    respond(refusal);
}

void SmppQueries::work() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;  // stopping and nothing left
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        Answer a;
        try {
            a = run(job);
        } catch (const std::exception& e) {  // the router never should; answer, do not die
            spdlog::error("smpp.server {} failed: {}", smpp::to_string(job.command), e.what());
            a.status = CommandStatus::ESME_RSYSERR;
        }
        answer(job, std::move(a));
    }
}

SmppQueries::Answer SmppQueries::run(const Job& job) {
    return job.command == CommandId::query_sm ? query(job) : cancel(job);
}

template <class Call>
auto SmppQueries::on_target(const router::MessageId& id, Call call) const -> decltype(call(id)) {
    auto r = call(id);
    if (r || r.error().code != decltype(r.error().code)::not_found || !resolver_) return r;
    if (auto combined = resolver_(id)) return call(*combined);
    return r;
}

SmppQueries::Answer SmppQueries::query(const Job& job) {
    Answer a;
    const auto id = router::MessageId::parse(job.message_id);
    if (!id) {
        a.status = CommandStatus::ESME_RINVMSGID;
        return a;
    }
    const auto status_of = [&](const router::MessageId& m) {
        return api_.status(m, std::string_view(job.client));
    };
    auto status = on_target(*id, status_of);
    if (!status) {
        a.status = status.error().code == router::QueryErrc::unavailable
                       ? CommandStatus::ESME_RQUERYFAIL
                       : CommandStatus::ESME_RINVMSGID;
        return a;
    }
    if (!job.source_addr.empty() && job.source_addr != status->sender) {
        a.status = CommandStatus::ESME_RINVSRCADR;
        return a;
    }
    a.status = CommandStatus::ESME_ROK;
    a.has_query = true;
    a.message_id = job.message_id;
    const bool final = router::is_final(status->state);
    if (final) a.final_date = absolute_time(status->updated_at);
    a.message_state = static_cast<std::uint8_t>(message_state(status->state));
    a.error_code = final ? error_code(status->carrier_error) : 0;
    return a;
}

SmppQueries::Answer SmppQueries::cancel(const Job& job) {
    Answer a;
    const auto id = router::MessageId::parse(job.message_id);
    if (!id) {
        a.status = CommandStatus::ESME_RINVMSGID;
        return a;
    }
    const auto cancel_of = [&](const router::MessageId& m) {
        return api_.cancel(m, std::string_view(job.client));
    };
    std::optional<router::MessageId> checked;  // the message the addresses were checked on
    // The addresses are checked against the stored message first (they never change).
    if (!job.source_addr.empty() || !job.destination_addr.empty()) {
        auto status = on_target(*id, [&](const router::MessageId& m) {
            return api_.status(m, std::string_view(job.client));
        });
        if (!status) {
            a.status = status.error().code == router::QueryErrc::unavailable
                           ? CommandStatus::ESME_RSYSERR
                           : CommandStatus::ESME_RINVMSGID;
            return a;
        }
        if (!job.source_addr.empty() && job.source_addr != status->sender) {
            a.status = CommandStatus::ESME_RINVSRCADR;
            return a;
        }
        if (!job.destination_addr.empty() &&
            !same_destination(status->destination, job.destination_addr)) {
            a.status = CommandStatus::ESME_RINVDSTADR;
            return a;
        }
        checked = status->id;
    }
    auto cancelled = checked ? cancel_of(*checked) : on_target(*id, cancel_of);
    if (cancelled) {
        a.status = CommandStatus::ESME_ROK;
        return a;
    }
    switch (cancelled.error().code) {
        case router::ChangeErrc::not_found: a.status = CommandStatus::ESME_RINVMSGID; break;
        case router::ChangeErrc::with_carrier:
        case router::ChangeErrc::final: a.status = CommandStatus::ESME_RCANCELFAIL; break;
        case router::ChangeErrc::unavailable: a.status = CommandStatus::ESME_RSYSERR; break;
    }
    return a;
}

void SmppQueries::answer(Job& job, Answer a) {
    {
        const std::lock_guard lock(mutex_);
        if (a.status != CommandStatus::ESME_ROK) {
            ++stats_.refused;
        } else if (job.command == CommandId::query_sm) {
            ++stats_.queries;
        } else {
            ++stats_.cancelled;
        }
    }
    if (a.status != CommandStatus::ESME_ROK) {
        spdlog::debug("smpp.server {} refused message_id={} client={} command_status={}",
                      smpp::to_string(job.command), job.message_id, job.client,
                      smpp::to_string(a.status));
    }
    asio::post(executor_, [respond = std::move(job.respond), a = std::move(a)] {
        if (!a.has_query) {
            respond(a.status);
            return;
        }
        smpp::QuerySmResp r;
        r.message_id = a.message_id;
        r.final_date = a.final_date;
        r.message_state = a.message_state;
        r.error_code = a.error_code;
        respond(a.status, &r);
    });
}

smpp::MessageState SmppQueries::message_state(router::MessageState s) noexcept {
    using S = router::MessageState;
    switch (s) {
        case S::accepted:
        case S::queued:
        case S::sending:
        case S::sent:
        case S::failed_temp: return smpp::MessageState::enroute;
        case S::delivered: return smpp::MessageState::delivered;
        case S::expired: return smpp::MessageState::expired;
        case S::cancelled: return smpp::MessageState::deleted;
        case S::undeliverable:
        case S::failed_perm:
        case S::dead_letter: return smpp::MessageState::undeliverable;
        case S::rejected: return smpp::MessageState::rejected;
    }
    return smpp::MessageState::unknown;
}

std::string SmppQueries::absolute_time(router::SystemTime t) {
    const auto since_epoch = t.time_since_epoch();
    const auto secs = std::chrono::floor<std::chrono::seconds>(since_epoch);
    const auto tenths =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs).count() / 100;
    const std::time_t tt = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[20];
    std::snprintf(buf, sizeof buf, "%02d%02d%02d%02d%02d%02d%01d00+", tm.tm_year % 100,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(tenths));
    return buf;
}

std::uint8_t SmppQueries::error_code(std::string_view carrier_error) noexcept {
    if (carrier_error.empty() || carrier_error.size() > 3) return 0;
    unsigned value = 0;
    for (const char c : carrier_error) {
        if (c < '0' || c > '9') return 0;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value <= 255 ? static_cast<std::uint8_t>(value) : 0;
}

bool SmppQueries::same_destination(std::string_view e164,
                                   std::string_view destination_addr) noexcept {
    if (!e164.empty() && e164.front() == '+') e164.remove_prefix(1);
    if (!destination_addr.empty() && destination_addr.front() == '+')
        destination_addr.remove_prefix(1);
    while (!destination_addr.empty() && destination_addr.front() == '0')
        destination_addr.remove_prefix(1);
    if (destination_addr.empty()) return false;
    for (const char c : destination_addr) {
        if (c < '0' || c > '9') return false;
    }
    // Trailing digits: at least 7 of them (a national number), or the whole number.
    return e164 == destination_addr ||
           (destination_addr.size() >= 7 && e164.ends_with(destination_addr));
}

}  // namespace bindery::app
