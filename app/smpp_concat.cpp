#include "app/smpp_concat.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

#include "smpp/base/log_field.hpp"
#include "smpp/base/thread_name.hpp"
#include "smpp/codec/text/data_coding.hpp"

namespace bindery::app {

using smpp::CommandStatus;

namespace {

// ---- envelope: the fields of the first part's request, length-prefixed ("<n>:<bytes>") -------

void put(std::string& out, std::string_view field) {
    out += std::to_string(field.size());
    out += ':';
    out += field;
}

bool take(std::string_view& in, std::string& field) {
    const auto colon = in.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::size_t n = 0;
    const auto [p, ec] = std::from_chars(in.data(), in.data() + colon, n);
    if (ec != std::errc() || p != in.data() + colon || n > in.size() - colon - 1) return false;
    field.assign(in.substr(colon + 1, n));
    in.remove_prefix(colon + 1 + n);
    return true;
}

// Format 2 appends schedule_at (milliseconds since the epoch, "" for none); format 1 (written
// before schedules were read from SMPP) is still read.
std::string encode_envelope(const router::SubmitRequest& r) {
    std::string out = "2";  // format version
    put(out, r.client);
    put(out, r.sender);
    put(out, r.destination);
    put(out, std::to_string(static_cast<int>(r.priority)));
    put(out, r.validity ? std::to_string(r.validity->count()) : std::string());
    put(out, std::to_string(r.tags.size()));
    for (const auto& t : r.tags) put(out, t);
    put(out, r.schedule_at ? std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                r.schedule_at->time_since_epoch())
                                                .count())
                           : std::string());
    return out;
}

std::optional<router::SubmitRequest> decode_envelope(std::string_view in) {
    if (in.empty() || (in.front() != '1' && in.front() != '2')) return std::nullopt;
    const char format = in.front();
    in.remove_prefix(1);
    router::SubmitRequest r;
    std::string priority, validity, count;
    if (!take(in, r.client) || !take(in, r.sender) || !take(in, r.destination) ||
        !take(in, priority) || !take(in, validity) || !take(in, count)) {
        return std::nullopt;
    }
    int p = 0;
    if (std::from_chars(priority.data(), priority.data() + priority.size(), p).ec != std::errc() ||
        p < 0 || p >= static_cast<int>(router::kPriorityCount)) {
        return std::nullopt;
    }
    r.priority = static_cast<router::Priority>(p);
    if (!validity.empty()) {
        long long v = 0;
        if (std::from_chars(validity.data(), validity.data() + validity.size(), v).ec !=
            std::errc())
            return std::nullopt;
        r.validity = std::chrono::seconds(v);
    }
    std::size_t n = 0;
    if (std::from_chars(count.data(), count.data() + count.size(), n).ec != std::errc() || n > 64)
        return std::nullopt;
    r.tags.resize(n);
    for (auto& t : r.tags) {
        if (!take(in, t)) return std::nullopt;
    }
    if (format == '2') {
        std::string schedule;
        if (!take(in, schedule)) return std::nullopt;
        if (!schedule.empty()) {
            long long ms = 0;
            const auto [end, ec] =
                std::from_chars(schedule.data(), schedule.data() + schedule.size(), ms);
            if (ec != std::errc() || end != schedule.data() + schedule.size()) return std::nullopt;
            r.schedule_at = router::SystemTime(std::chrono::milliseconds(ms));
        }
    }
    if (!in.empty()) return std::nullopt;
    return r;
}

bool transient(router::SubmitErrc e) noexcept {
    return e == router::SubmitErrc::backlog_full || e == router::SubmitErrc::unavailable;
}

}  // namespace

std::string join_text(const std::vector<router::HeldPart>& parts) {
    std::string out;
    std::vector<std::uint8_t> run;
    for (std::size_t i = 0; i < parts.size();) {
        const auto dc = parts[i].data_coding;
        run.clear();
        for (; i < parts.size() && parts[i].data_coding == dc; ++i) {
            run.insert(run.end(), parts[i].data.begin(), parts[i].data.end());
        }
        out += smpp::decode_text(dc, run).utf8;
    }
    return out;
}

// ---- ConcatAssembler ---------------------------------------------------------------------------

ConcatAssembler::ConcatAssembler(router::PartStore& store, router::GatewayApi& api,
                                 ConcatLimits limits, std::uint64_t id_seed)
    : store_(store), api_(api), limits_(limits), ids_(id_seed) {}

ConcatAssembler::Key ConcatAssembler::key_of(const router::HeldGroup& g) {
    return Key{g.account, g.source, g.destination, g.reference_kind, g.reference};
}

void ConcatAssembler::count(const Group& g, int sign) {
    auto& a = accounts_[g.held.account];
    const auto parts = g.held.parts.size();
    if (sign > 0) {
        a.parts += parts;
        if (!g.held.complete) ++a.messages;
        stats_.parts_pending += parts;
        ++stats_.messages_pending;
    } else {
        a.parts -= std::min(a.parts, parts);
        if (!g.held.complete && a.messages > 0) --a.messages;
        stats_.parts_pending -= std::min<std::uint64_t>(stats_.parts_pending, parts);
        if (stats_.messages_pending > 0) --stats_.messages_pending;
    }
}

Expected<void, std::string> ConcatAssembler::recover() {
    auto loaded = store_.load();
    if (!loaded) return Unexpected(std::move(loaded).error());
    for (auto& held : *loaded) {
        if (held.parts.empty() || held.total == 0) {
            (void)store_.drop(held.id);  // nothing to answer for
            continue;
        }
        Group g;
        g.held = std::move(held);
        g.deadline = g.held.first_at + limits_.timeout;
        g.recovered = g.held.complete;
        const auto id = g.held.id;
        count(g, +1);
        if (g.held.complete) {
            remember(g, router::SystemClock::now());
        } else {
            open_[key_of(g.held)] = id;
        }
        groups_.emplace(id, std::move(g));
    }
    return {};
}

void ConcatAssembler::erase(std::int64_t id) {
    const auto it = groups_.find(id);
    if (it == groups_.end()) return;
    count(it->second, -1);
    const auto k = open_.find(key_of(it->second.held));
    if (k != open_.end() && k->second == id) open_.erase(k);
    groups_.erase(it);
}

PartAnswer ConcatAssembler::add(std::string_view account, const router::SubmitRequest& base,
                                const SubmitPart& part, router::SystemTime now) {
    const auto kind = static_cast<std::uint8_t>(part.ref.kind);
    const CommandStatus inconsistent = part.ref.kind == ConcatRefKind::sar
                                           ? CommandStatus::ESME_RINVOPTPARAMVAL
                                           : CommandStatus::ESME_RINVESMCLASS;
    if (part.ref.total == 0 || part.ref.seqnum == 0 || part.ref.seqnum > part.ref.total) {
        ++stats_.refused;
        return {inconsistent, {}};
    }
    auto& acct = accounts_[std::string(account)];
    router::HeldPart hp;
    hp.seqnum = part.ref.seqnum;
    hp.data_coding = part.data_coding;
    hp.data.assign(part.user_data.begin(), part.user_data.end());
    hp.received_at = now;

    const Key key{std::string(account), base.sender, base.destination, kind, part.ref.reference};
    if (!open_.contains(key)) {
        if (auto id = recent_duplicate(key, part, now)) {
            ++stats_.duplicates;
            return {CommandStatus::ESME_ROK, std::move(*id)};
        }
    }
    if (const auto open = open_.find(key); open != open_.end()) {
        auto& g = groups_.at(open->second);
        if (g.held.total != part.ref.total) {
            // The same reference with another total while a message is held: the ESME's
            // numbering is inconsistent (or it reused the reference too soon).
            ++stats_.refused;
            spdlog::info(
                "smpp.concat part {}/{} of ref {} from '{}' refused: held message has {} parts",
                part.ref.seqnum, part.ref.total, part.ref.reference, account, g.held.total);
            return {inconsistent, {}};
        }
        for (const auto& p : g.held.parts) {
            if (p.seqnum != part.ref.seqnum) continue;
            // A retransmission: same answer, stored once. Other content than held here but the
            // same as a complete message's part with this reference: a late retransmission of that.
            ++stats_.duplicates;
            if (!std::equal(
                    p.data.begin(), p.data.end(), part.user_data.begin(), part.user_data.end(),
                    [](char x, std::uint8_t y) { return static_cast<std::uint8_t>(x) == y; })) {
                if (auto id = recent_duplicate(key, part, now))
                    return {CommandStatus::ESME_ROK, std::move(*id)};
            }
            return {CommandStatus::ESME_ROK, p.id.to_string()};
        }
        if (acct.parts >= limits_.max_parts) {
            ++stats_.refused;
            return {CommandStatus::ESME_RMSGQFUL, {}};
        }
        hp.id = ids_.next(now);
        const bool complete = g.held.parts.size() + 1 == g.held.total;
        if (auto r = store_.add(g.held.id, hp, complete); !r) {
            ++stats_.refused;
            spdlog::error("smpp.concat part not stored: {}", r.error());
            return {CommandStatus::ESME_RSYSERR, {}};
        }
        const auto answer = hp.id.to_string();
        const auto at = std::lower_bound(
            g.held.parts.begin(), g.held.parts.end(), hp.seqnum,
            [](const router::HeldPart& p, std::uint8_t s) { return p.seqnum < s; });
        g.held.parts.insert(at, std::move(hp));
        ++acct.parts;
        ++stats_.parts_pending;
        ++stats_.parts_received;
        if (complete) {
            // The key is free for the ESME's next message with this reference; retransmissions
            // of these parts are recognised by their content (remember()).
            g.held.complete = true;
            g.retry_at = now;
            if (acct.messages > 0) --acct.messages;
            remember(g, now);
            open_.erase(open);
        }
        return {CommandStatus::ESME_ROK, answer};
    }

    if (acct.messages >= limits_.max_messages || acct.parts >= limits_.max_parts) {
        ++stats_.refused;
        spdlog::warn(
            "smpp.concat account '{}' holds {} incomplete messages, {} parts: part refused",
            account, acct.messages, acct.parts);
        return {CommandStatus::ESME_RMSGQFUL, {}};
    }
    hp.id = ids_.next(now);
    Group g;
    g.held.account = std::string(account);
    g.held.source = base.sender;
    g.held.destination = base.destination;
    g.held.reference_kind = kind;
    g.held.reference = part.ref.reference;
    g.held.total = part.ref.total;
    g.held.envelope = encode_envelope(base);
    g.held.first_at = now;
    g.held.complete = part.ref.total == 1;
    g.held.parts.push_back(hp);
    auto id = store_.create(g.held);
    if (!id) {
        ++stats_.refused;
        spdlog::error("smpp.concat part not stored: {}", id.error());
        return {CommandStatus::ESME_RSYSERR, {}};
    }
    g.held.id = *id;
    g.deadline = now + limits_.timeout;
    g.retry_at = now;
    ++stats_.parts_received;
    count(g, +1);
    if (g.held.complete) {
        remember(g, now);
    } else {
        open_[key] = *id;
    }
    groups_.emplace(*id, std::move(g));
    return {CommandStatus::ESME_ROK, hp.id.to_string()};
}

router::SubmitRequest ConcatAssembler::combined(const Group& g) const {
    auto r = decode_envelope(g.held.envelope).value_or(router::SubmitRequest{});
    r.text = join_text(g.held.parts);
    std::string ids(kPartsTag);
    for (std::size_t i = 0; i < g.held.parts.size(); ++i) {
        if (i > 0) ids += ',';
        ids += g.held.parts[i].id.to_string();
    }
    r.tags.push_back(std::move(ids));
    r.client_ref = std::string(kConcatRefPrefix) + g.held.parts.front().id.to_string();
    return r;
}

FailedConcat ConcatAssembler::failed(const Group& g, router::MessageState state,
                                     std::string reason) const {
    FailedConcat f;
    f.account = g.held.account;
    f.sender = g.held.source;
    f.destination = g.held.destination;
    if (auto r = decode_envelope(g.held.envelope)) f.tags = std::move(r->tags);
    for (const auto& p : g.held.parts) f.part_ids.push_back(p.id);
    f.state = state;
    f.reason = std::move(reason);
    f.text = join_text(g.held.parts);
    f.first_at = g.held.first_at;
    return f;
}

bool ConcatAssembler::try_finish(Group& g, router::SystemTime now) {
    if (auto r = store_.finish(g.held.id, *g.accepted, now); !r) {
        spdlog::error(
            "smpp.concat message accepted, parts not released yet message_id={} system_id={} "
            "error={}",
            g.accepted->to_string(), log_value(g.held.account), log_value(r.error()));
        g.retry_at = now + limits_.retry_interval;
        return false;
    }
    remember(g, now);
    erase(g.held.id);
    return true;
}

void ConcatAssembler::remember(const Group& g, router::SystemTime now) {
    constexpr std::size_t kMaxReleasedParts = 100'000;
    if (limits_.duplicate_window <= std::chrono::seconds(0)) return;
    const auto key = key_of(g.held);
    if (const auto old = released_.find(key); old != released_.end()) {
        released_parts_ -= old->second.parts.size();
        released_.erase(old);  // its entry in released_order_ is skipped when it comes up
    }
    Released r;
    r.total = g.held.total;
    r.until = now + limits_.duplicate_window;
    for (const auto& p : g.held.parts) r.parts.emplace(p.seqnum, std::make_pair(p.id, p.data));
    released_parts_ += r.parts.size();
    released_.emplace(key, std::move(r));
    released_order_.emplace_back(now + limits_.duplicate_window, key);
    while (released_parts_ > kMaxReleasedParts && !released_order_.empty()) {
        const auto it = released_.find(released_order_.front().second);
        if (it != released_.end() && it->second.until == released_order_.front().first) {
            released_parts_ -= it->second.parts.size();
            released_.erase(it);
        }
        released_order_.pop_front();
    }
}

std::optional<std::string> ConcatAssembler::recent_duplicate(const Key& key, const SubmitPart& part,
                                                             router::SystemTime now) {
    while (!released_order_.empty() && released_order_.front().first <= now) {
        const auto it = released_.find(released_order_.front().second);
        if (it != released_.end() && it->second.until <= now) {
            released_parts_ -= it->second.parts.size();
            released_.erase(it);
        }
        released_order_.pop_front();
    }
    const auto it = released_.find(key);
    if (it == released_.end() || it->second.total != part.ref.total) return std::nullopt;
    const auto p = it->second.parts.find(part.ref.seqnum);
    if (p == it->second.parts.end()) return std::nullopt;
    const auto& data = p->second.second;
    if (data.size() != part.user_data.size() ||
        !std::equal(data.begin(), data.end(), part.user_data.begin(),
                    [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; })) {
        return std::nullopt;  // same reference, other content: a new message
    }
    return p->second.first.to_string();
}

std::vector<FailedConcat> ConcatAssembler::submit_due(router::SystemTime now) {
    std::vector<FailedConcat> out;
    if (now - last_purge_ >= std::chrono::hours(1)) {
        last_purge_ = now;
        if (auto r = store_.purge_links(now - limits_.link_retention); !r) {
            spdlog::warn("smpp.concat purge of part links failed: {}", r.error());
        }
    }
    std::vector<std::int64_t> due;
    for (auto& [id, g] : groups_) {
        if (g.held.complete && g.retry_at <= now) due.push_back(id);
    }
    std::vector<std::int64_t> submitting;
    std::vector<router::SubmitRequest> requests;
    for (const auto id : due) {
        auto& g = groups_.at(id);
        if (g.accepted) {
            (void)try_finish(g, now);
            continue;
        }
        if (!decode_envelope(g.held.envelope)) {
            spdlog::error("smpp.concat held message {} has an unreadable envelope: dropped", id);
            if (store_.drop(id)) {
                ++stats_.rejected;
                out.push_back(failed(g, router::MessageState::rejected, "unreadable envelope"));
                erase(id);
            } else {
                g.retry_at = now + limits_.retry_interval;
            }
            continue;
        }
        auto request = combined(g);
        if (g.recovered) {
            // Complete before a restart: the router may have accepted it before the crash.
            router::MessageQuery q;
            q.client = request.client;
            q.client_ref = request.client_ref;
            q.limit = 1;
            auto found = api_.list(q);
            if (!found) {
                spdlog::warn("smpp.concat cannot look up held message {}: {}", request.client_ref,
                             found.error().reason);
                g.retry_at = now + limits_.retry_interval;
                continue;
            }
            g.recovered = false;
            if (!found->messages.empty()) {
                g.accepted = found->messages.front().id;
                ++stats_.reassembled;
                (void)try_finish(g, now);
                continue;
            }
        }
        submitting.push_back(id);
        requests.push_back(std::move(request));
    }
    if (requests.empty()) return out;
    std::vector<router::SubmitOutcome> outcomes;
    try {
        outcomes = api_.submit(requests);
    } catch (const std::exception& e) {  // the router never should; retry, do not die
        spdlog::error("smpp.concat submit failed: {}", e.what());
    }
    for (std::size_t i = 0; i < submitting.size(); ++i) {
        auto& g = groups_.at(submitting[i]);
        if (i >= outcomes.size()) {
            g.retry_at = now + limits_.retry_interval;
            continue;
        }
        const auto& o = outcomes[i];
        if (o) {
            g.accepted = o->id;
            ++stats_.reassembled;
            if (spdlog::should_log(spdlog::level::debug)) {
                spdlog::debug("smpp.concat message accepted message_id={} system_id={} parts={}",
                              o->id.to_string(), log_value(g.held.account), g.held.total);
            }
            (void)try_finish(g, now);
            continue;
        }
        if (transient(o.error().code)) {
            g.retry_at = now + limits_.retry_interval;
            continue;
        }
        spdlog::warn(
            "smpp.concat combined message refused by the router system_id={} parts={} error={} "
            "detail={}",
            log_value(g.held.account), g.held.total, router::to_string(o.error().code),
            log_value(o.error().reason));
        if (auto r = store_.drop(g.held.id); !r) {
            spdlog::error("smpp.concat refused message not released: {}", r.error());
        }
        ++stats_.rejected;
        out.push_back(failed(g, router::MessageState::rejected, o.error().reason));
        erase(g.held.id);
    }
    return out;
}

std::vector<FailedConcat> ConcatAssembler::expire(router::SystemTime now) {
    std::vector<FailedConcat> out;
    std::vector<std::int64_t> due;
    for (const auto& [id, g] : groups_) {
        if (!g.held.complete && g.deadline <= now) due.push_back(id);
    }
    for (const auto id : due) {
        auto& g = groups_.at(id);
        if (auto r = store_.drop(id); !r) {
            spdlog::error("smpp.concat timed-out message not released: {}", r.error());
            g.deadline = now + limits_.retry_interval;
            continue;
        }
        ++stats_.timed_out;
        spdlog::warn(
            "smpp.concat message timed out incomplete system_id={} reference={} "
            "destination={} parts={} total={}",
            log_value(g.held.account), g.held.reference, log_value(g.held.destination),
            g.held.parts.size(), g.held.total);
        out.push_back(failed(g, router::MessageState::undeliverable,
                             "incomplete: " + std::to_string(g.held.parts.size()) + " of " +
                                 std::to_string(g.held.total) + " parts"));
        erase(id);
    }
    return out;
}

std::optional<router::SystemTime> ConcatAssembler::next_due() const {
    std::optional<router::SystemTime> next;
    for (const auto& [id, g] : groups_) {
        const auto at = g.held.complete ? g.retry_at : g.deadline;
        if (!next || at < *next) next = at;
    }
    return next;
}

bool ConcatAssembler::has_due(router::SystemTime now) const {
    const auto next = next_due();
    return next && *next <= now;
}

// ---- SmppConcat --------------------------------------------------------------------------------

SmppConcat::SmppConcat(router::PartStore& store, router::GatewayApi& api, ConcatLimits limits,
                       Failed on_failed, std::size_t max_queue)
    : store_(store),
      assembler_(
          store, api, limits,
          static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
              0x9e3779b97f4a7c15ULL),
      on_failed_(std::move(on_failed)),
      max_queue_(max_queue) {}

SmppConcat::~SmppConcat() { stop(); }

void SmppConcat::start() {
    if (auto r = assembler_.recover(); !r)
        throw std::runtime_error("smpp concatenation store: " + r.error());
    const auto held = assembler_.stats();
    if (held.messages_pending > 0) {
        spdlog::info("smpp.concat recovered {} held messages ({} parts)", held.messages_pending,
                     held.parts_pending);
    }
    {
        const std::lock_guard lock(mutex_);
        stats_ = held;
        started_ = true;
    }
    worker_ = std::thread([this] {
        name_this_thread("smpp-concat");
        work();
    });
}

void SmppConcat::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
}

bool SmppConcat::add(std::string account, router::SubmitRequest base, SubmitPart part, Done done) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || !started_ || jobs_.size() >= max_queue_) return false;
        jobs_.push_back(Job{std::move(account), std::move(base), std::move(part), std::move(done)});
    }
    cv_.notify_one();
    return true;
}

std::optional<router::MessageId> SmppConcat::message_of(const router::MessageId& part) {
    auto r = store_.message_of(part);
    if (!r) {
        spdlog::warn("smpp.concat part link lookup failed: {}", r.error());
        return std::nullopt;
    }
    return *r;
}

ConcatStats SmppConcat::stats() const {
    const std::lock_guard lock(mutex_);
    return stats_;
}

void SmppConcat::work() {
    std::vector<Job> batch;
    for (;;) {
        batch.clear();
        {
            std::unique_lock lock(mutex_);
            const auto ready = [this] { return stopping_ || !jobs_.empty(); };
            if (const auto due = assembler_.next_due()) {
                const auto wait = *due - router::SystemClock::now();
                if (wait > router::SystemClock::duration::zero()) {
                    cv_.wait_for(
                        lock,
                        std::min<router::SystemClock::duration>(wait, std::chrono::minutes(1)),
                        ready);
                }
            } else {
                cv_.wait(lock, ready);
            }
            if (stopping_ && jobs_.empty()) return;  // held parts stay in the store
            while (!jobs_.empty()) {
                batch.push_back(std::move(jobs_.front()));
                jobs_.pop_front();
            }
        }
        for (auto& job : batch) {
            auto answer =
                assembler_.add(job.account, job.base, job.part, router::SystemClock::now());
            {
                // Before the answer leaves: whoever saw the answer sees the counts that include it.
                const std::lock_guard lock(mutex_);
                stats_ = assembler_.stats();
            }
            job.done(std::move(answer));
        }
        const auto now = router::SystemClock::now();
        std::vector<FailedConcat> failed;
        if (assembler_.has_due(now)) {
            failed = assembler_.submit_due(now);
            for (auto& f : assembler_.expire(now)) failed.push_back(std::move(f));
        }
        {
            const std::lock_guard lock(mutex_);
            stats_ = assembler_.stats();
        }
        if (on_failed_) {
            for (auto& f : failed) on_failed_(std::move(f));
        }
    }
}

}  // namespace bindery::app
