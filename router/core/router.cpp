#include "router/core/router.hpp"

#include <algorithm>
#include <cassert>
#include <unordered_set>
#include <variant>

#include "router/core/lifecycle.hpp"

namespace bindery::router {

struct Router::Inbox {
    struct Result {
        MessageId id;
        std::uint32_t attempt = 0;
        std::string provider;
        SendResult result;
    };
    std::mutex mutex;
    std::vector<std::variant<Result, Receipt>> items;
    std::function<void()> wake;

    void post(std::variant<Result, Receipt> item) {
        {
            std::lock_guard lock(mutex);
            items.push_back(std::move(item));
        }
        if (wake) wake();
    }
    std::vector<std::variant<Result, Receipt>> take() {
        std::lock_guard lock(mutex);
        return std::exchange(items, {});
    }
};

namespace {

std::string describe(const SendError& e) {
    std::string out;
    switch (e.kind) {
        case SendErrorKind::timeout: out = "timeout"; break;
        case SendErrorKind::connection: out = "connection"; break;
        case SendErrorKind::throttled: out = "throttled"; break;
        case SendErrorKind::status: out = "status " + std::to_string(e.code); break;
        case SendErrorKind::rejected_local: out = "rejected by provider"; break;
        case SendErrorKind::not_sent: out = "not sent"; break;
    }
    if (!e.text.empty()) out += ": " + e.text;
    return out;
}

std::optional<SegmentState> segment_verdict(ReceiptStatus s) noexcept {
    switch (s) {
        case ReceiptStatus::enroute:
        case ReceiptStatus::accepted: return std::nullopt;  // intermediate
        case ReceiptStatus::delivered: return SegmentState::delivered;
        case ReceiptStatus::expired: return SegmentState::expired;
        case ReceiptStatus::deleted:
        case ReceiptStatus::undeliverable:
        case ReceiptStatus::unknown: return SegmentState::undeliverable;
        case ReceiptStatus::rejected: return SegmentState::rejected;
    }
    return std::nullopt;
}

Unexpected<SubmitError> refuse(SubmitErrc code, std::string reason) {
    return Unexpected(SubmitError{code, std::move(reason), std::nullopt});
}

}  // namespace

Router::Router(RouterConfig config, MessageStore& store, TextPlanner planner, RouterHooks hooks)
    : config_(std::move(config)),
      store_(store),
      planner_(std::move(planner)),
      hooks_(std::move(hooks)),
      numbers_(config_.acceptance.numbers),
      routing_(config_.routing),
      status_map_(config_.status_maps),
      prices_(config_.credits),
      scheduler_(config_.scheduler),
      pending_(config_.pending_receipts),
      ids_(config_.seed),
      jitter_(config_.seed ^ 0x6A09E667F3BCC908ULL),
      inbox_(std::make_shared<Inbox>()) {
    inbox_->wake = hooks_.wake;
}

Router::~Router() {
    // The store borrows the batch in flight: wait for it (its completions are not run; a message
    // it moved to SENDING is retried after a restart, as after a crash).
    if (in_flight_) (void)in_flight_->pending->wait();
}

void Router::add_provider(Provider& provider, std::optional<BreakerConfig> breaker) {
    std::lock_guard lock(mutex_);
    ProviderSlot slot;
    slot.provider = &provider;
    slot.breaker = CircuitBreaker(breaker.value_or(config_.breaker));
    providers_.insert_or_assign(std::string(provider.name()), std::move(slot));
}

// ---- acceptance -------------------------------------------------------------------------------

// Runs without the router's lock: touches only config, the normalizer, the planner and the routing
// rules (all read-only). The id is assigned later, under the lock.
Expected<Message, SubmitError> Router::validate(const SubmitRequest& request,
                                                SystemTime wall) const {
    const auto& cfg = config_.acceptance;
    if (request.client.empty()) return refuse(SubmitErrc::invalid_request, "client: empty");
    if (request.sender.empty()) return refuse(SubmitErrc::invalid_sender, "sender: empty");
    if (request.sender.size() > cfg.max_sender_length) {
        return refuse(SubmitErrc::invalid_sender,
                      "sender: longer than " + std::to_string(cfg.max_sender_length));
    }
    const bool alphanumeric = std::any_of(request.sender.begin(), request.sender.end(), [](char c) {
        return !(c >= '0' && c <= '9') && c != '+';
    });
    if (alphanumeric && request.sender.size() > 11) {
        return refuse(SubmitErrc::invalid_sender,
                      "sender: alphanumeric senders have at most 11 characters");
    }
    if (!request.callback_url.empty() && !request.callback_url.starts_with("http://") &&
        !request.callback_url.starts_with("https://")) {
        return refuse(SubmitErrc::invalid_request, "callback_url: must be http:// or https://");
    }
    auto number = numbers_.normalize(request.destination);
    if (!number) return refuse(SubmitErrc::invalid_destination, number.error().reason);
    if (request.text.empty()) return refuse(SubmitErrc::invalid_text, "text: empty");
    if (request.text.size() > cfg.max_text_bytes) {
        return refuse(SubmitErrc::invalid_text,
                      "text: longer than " + std::to_string(cfg.max_text_bytes) + " bytes");
    }
    TextPlan plan;
    if (planner_) {
        auto planned = planner_(request.text, request.encoding);
        if (!planned) return refuse(SubmitErrc::invalid_text, "text: " + planned.error());
        plan = *planned;
    }
    if (plan.segments == 0 || plan.segments > cfg.max_segments) {
        return refuse(SubmitErrc::invalid_text, "text: " + std::to_string(plan.segments) +
                                                    " segments (at most " +
                                                    std::to_string(cfg.max_segments) + ")");
    }
    const auto validity = request.validity.value_or(cfg.default_validity);
    if (validity <= std::chrono::seconds(0) || validity > cfg.max_validity) {
        return refuse(SubmitErrc::invalid_request, "validity: must be between 1 and " +
                                                       std::to_string(cfg.max_validity.count()) +
                                                       " seconds");
    }
    if (request.schedule_at && *request.schedule_at > wall + cfg.max_schedule_ahead) {
        return refuse(SubmitErrc::invalid_request, "schedule_at: too far ahead");
    }

    Message m;
    m.client = request.client;
    m.sender = request.sender;
    m.destination = std::move(number->e164);
    m.region = std::move(number->region);
    m.text = request.text;
    m.encoding = plan.encoding;
    m.forced_encoding = request.encoding;
    m.segments_estimate = plan.segments;
    m.priority = request.priority;
    m.tags = request.tags;
    m.client_ref = request.client_ref;
    m.callback_url = request.callback_url;
    m.state = MessageState::queued;
    m.accepted_at = wall;
    m.updated_at = wall;
    const SystemTime starts = request.schedule_at ? std::max(wall, *request.schedule_at) : wall;
    m.expires_at = starts + validity;
    if (request.schedule_at && *request.schedule_at > wall) m.schedule_at = request.schedule_at;
    const Route* route = routing_.match(m);
    if (route == nullptr) {
        return refuse(SubmitErrc::invalid_destination,
                      "destination: no route for " + m.destination);
    }
    m.charge = prices_.charge(m.destination, route->name, m.segments_estimate);
    return m;
}

std::vector<SubmitOutcome> Router::submit(std::span<const SubmitRequest> batch, TimePoint /*now*/,
                                          SystemTime wall) {
    // Validation (E.164 parsing, text planning) is the costly part: done before taking the lock so
    // front-end threads run it in parallel.
    std::vector<Expected<Message, SubmitError>> checked;
    checked.reserve(batch.size());
    for (const auto& request : batch) checked.push_back(validate(request, wall));

    std::vector<SubmitOutcome> out;
    out.reserve(batch.size());
    std::vector<Message> accepted;
    std::vector<MessageEvent> events;
    std::vector<std::size_t> slots;  // index in `out` of each accepted message
    {
        std::lock_guard lock(mutex_);
        for (auto& message : checked) {
            if (!message) {
                ++stats_.refused;
                out.emplace_back(Unexpected(std::move(message).error()));
                continue;
            }
            update_accepting();
            const auto backlog = backlog_locked() + accepted.size();
            if (!accepting_ || backlog >= config_.backpressure.high_watermark) {
                accepting_ = false;
                ++stats_.backpressured;
                out.emplace_back(
                    Unexpected(SubmitError{SubmitErrc::backlog_full, "backlog full, retry later",
                                           config_.backpressure.retry_after}));
                continue;
            }
            Message m = std::move(message).value();
            m.id = ids_.next(wall);
            events.push_back(MessageEvent{
                m.id, MessageState::accepted, MessageState::queued, wall, 0, {}, "accepted"});
            slots.push_back(out.size());
            out.emplace_back(
                SubmitAccepted{m.id, m.destination, m.encoding, m.segments_estimate, m.charge});
            accepted.push_back(std::move(m));
        }
        if (accepted.empty()) return out;
        inserting_ += accepted.size();  // counted in the backlog while the store commits
    }

    // Outside the lock: the store may group-commit concurrent callers' batches, and poll() goes on.
    auto stored = store_.insert_batch(accepted, events);

    {
        std::lock_guard lock(mutex_);
        inserting_ -= accepted.size();
        if (!stored && stored.error().code == StoreErrc::insufficient_credit) {
            // The client's balance, not the store, refused: nothing of the batch was stored.
            stats_.refused += accepted.size();
            for (auto slot : slots) {
                out[slot] = Unexpected(SubmitError{SubmitErrc::insufficient_credit,
                                                   "insufficient credit: " + stored.error().detail,
                                                   std::nullopt});
            }
            update_accepting();
            return out;
        }
        if (!stored) {
            store_failed(stored.error());
            for (auto slot : slots) {
                out[slot] = Unexpected(SubmitError{SubmitErrc::unavailable,
                                                   "message store unavailable", std::nullopt});
            }
            update_accepting();
            return out;
        }
        stats_.accepted += accepted.size();
        for (std::size_t i = 0; i < accepted.size(); ++i) {
            const MessageId id = accepted[i].id;
            if (hooks_.on_transition) hooks_.on_transition(accepted[i], events[i]);
            expiry_.push(Timed{accepted[i].expires_at, id});
            // refill() may have read it back from the store in the meantime.
            if (active_.emplace(id, std::move(accepted[i])).second) enqueue(id, wall);
        }
        update_accepting();
    }
    if (hooks_.wake) hooks_.wake();
    return out;
}

// ---- state changes ----------------------------------------------------------------------------

void Router::record(Message& message, MessageState to, SystemTime wall, std::string detail,
                    std::function<void()> on_commit,
                    std::function<void(const StoreError&)> on_fail) {
    record_from(message, message, to, wall, std::move(detail), std::move(on_commit),
                std::move(on_fail));
}

void Router::record_from(Message before, Message& message, MessageState to, SystemTime wall,
                         std::string detail, std::function<void()> on_commit,
                         std::function<void(const StoreError&)> on_fail, bool leaving) {
    const MessageState from = message.state;
    assert(transition_allowed(from, to));
    assert(before.state == from);
    PendingWrite w;
    w.before = std::move(before);
    message.state = to;
    message.updated_at = wall;
    w.write.from = from;
    w.write.event = MessageEvent{
        message.id, from, to, wall, message.attempts, message.provider, std::move(detail)};
    if (leaving) {
        w.write.next = std::move(message);
    } else {
        w.write.next = message;
    }
    if (const auto u = unrecorded_.find(w.write.next.id); u != unrecorded_.end()) {
        assert(from == MessageState::sending);
        w.write.from = u->second.from;  // what the store has
        w.write.earlier = std::move(u->second);
        unrecorded_.erase(u);
    }
    w.on_commit = std::move(on_commit);
    w.on_fail = std::move(on_fail);
    writes_.push_back(std::move(w));
}

void Router::settle(Receipt& receipt, bool recorded) {
    if (auto settled = std::exchange(receipt.settled, {})) settled(recorded);
}

void Router::record_receipt(Message next, MessageState from, MessageEvent event, Receipt receipt) {
    receipt_overlay_.insert_or_assign(next.id, Overlaid{next, next_batch_});
    auto shared = std::make_shared<Receipt>(std::move(receipt));
    PendingWrite w;
    w.write = TransitionWrite{std::move(next), from, std::move(event)};
    w.on_commit = [shared] { settle(*shared, true); };
    w.on_fail = [this, shared](const StoreError&) {
        if (stats_.receipts > 0) --stats_.receipts;
        receipt_retry_.push_back(std::move(*shared));  // read again from the store next poll
    };
    writes_.push_back(std::move(w));
}

void Router::flush(SystemTime wall, std::unique_lock<std::mutex>* lock, bool to_the_end) {
    // Pipelined (poll's flush with pipeline_writes): the batch goes to the store and poll()
    // returns; the next flush completes it before starting its own, so at most one is in flight.
    // Otherwise each batch is completed at once, and so are the writes its completions queue
    // (receipts held for a message whose SENT just committed): each round takes only what earlier
    // rounds produced, so it ends.
    const bool pipelined = config_.pipeline_writes && lock != nullptr && !to_the_end;
    if (in_flight_) finish_batch(wall, lock);
    while (!writes_.empty()) {
        start_batch(lock);
        if (pipelined && !in_flight_->pending->ready()) return;
        finish_batch(wall, lock);
    }
}

void Router::finish_writes(SystemTime wall) {
    std::unique_lock lock(mutex_);
    flushed_.wait(lock, [this] { return !flushing_; });  // as poll()
    flush(wall, &lock, true);
    update_accepting();
}

// With poll's lock: lets go of it while the store commits (a group-commit round, ms under load)
// or looks receipts up, else submit() would wait for it, twice per request, and acceptance would
// follow the router's pace. Nothing the batch needs changes meanwhile: submit only adds new
// messages, and cancel() waits for flushing_ to clear (it must see the outcome of these writes,
// and must not complete the batch in flight under these reads). Taken back also if the store
// throws (bad_alloc).
template <class F>
decltype(auto) Router::without_lock(std::unique_lock<std::mutex>* lock, F&& f) {
    struct Unlocked {
        Router& router;
        std::unique_lock<std::mutex>* lock;
        Unlocked(Router& r, std::unique_lock<std::mutex>* l) : router(r), lock(l) {
            if (lock == nullptr) return;
            router.flushing_ = true;
            lock->unlock();
        }
        Unlocked(const Unlocked&) = delete;
        Unlocked& operator=(const Unlocked&) = delete;
        ~Unlocked() {
            if (lock == nullptr) return;
            lock->lock();
            router.flushing_ = false;
            router.flushed_.notify_all();
        }
    };
    const Unlocked unlocked(*this, lock);
    return std::forward<F>(f)();
}

void Router::start_batch(std::unique_lock<std::mutex>* lock) {
    auto flight = std::make_unique<InFlight>();
    flight->number = next_batch_++;
    flight->batch = std::exchange(writes_, {});
    flight->writes.reserve(flight->batch.size());
    for (auto& w : flight->batch) flight->writes.push_back(std::move(w.write));
    std::function<void()> done;
    if (config_.pipeline_writes && hooks_.wake) done = hooks_.wake;  // a poll to complete it
    // A store may commit right here (the default start_transition_batch does): not under the lock.
    flight->pending = without_lock(
        lock, [&] { return store_.start_transition_batch(flight->writes, std::move(done)); });
    in_flight_ = std::move(flight);
}

void Router::finish_batch(SystemTime wall, std::unique_lock<std::mutex>* lock) {
    auto results = without_lock(lock, [&] { return in_flight_->pending->wait(); });
    const auto flight = std::move(in_flight_);
    auto& batch = flight->batch;
    const auto& writes = flight->writes;
    // Its receipt changes are in the store now (or failed, below): lookups find them there.
    std::erase_if(receipt_overlay_,
                  [&](const auto& o) { return o.second.batch == flight->number; });
    ++stats_.commits;
    stats_.transitions += batch.size();
    stats_.max_batch = std::max<std::uint64_t>(stats_.max_batch, batch.size());
    // Writes queued before this completion (a pipelined poll's) may build on this batch's.
    const std::size_t queued = writes_.size();
    std::unordered_map<MessageId, StoreError, MessageIdHash> failed;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto& w = batch[i];
        const bool ok = i < results.size() && results[i].has_value();
        if (ok) {
            if (hooks_.on_transition && writes[i].earlier) {
                hooks_.on_transition(writes[i].next, *writes[i].earlier);
            }
            if (hooks_.on_transition && writes[i].event) {
                hooks_.on_transition(writes[i].next, *writes[i].event);
            }
            if (w.on_commit) w.on_commit();
            continue;
        }
        const StoreError error = i < results.size()
                                     ? results[i].error()
                                     : StoreError{StoreErrc::unavailable, "no result"};
        store_failed(error);
        // Put the message back as it was before its first failed write of the batch (a later
        // write of the same message chained on it and failed too).
        const bool first = failed.emplace(writes[i].next.id, error).second;
        if (w.before && first) {
            restore(*w.before, wall);
            // As the store has it: a dispatch this write carried is unrecorded again, and one
            // made on top of the failed write (a later poll's) no longer applies.
            if (writes[i].earlier) {
                unrecorded_.insert_or_assign(writes[i].next.id, *writes[i].earlier);
            } else {
                unrecorded_.erase(writes[i].next.id);
            }
        }
        if (w.on_fail) w.on_fail(error);
    }
    store_trouble_ = !failed.empty();
    if (!failed.empty()) drop_chained(queued, failed);
}

// The first `queued` writes_ were made while the batch was in flight, on the messages as it left
// them. For a message one of its writes failed for, that is not what the store has and not what
// restore() put back: fail them too (not applied, nothing put back; their causes are retried by
// their on_fail, as for a failed write), and forget receipt changes built on the failed one.
void Router::drop_chained(std::size_t queued,
                          const std::unordered_map<MessageId, StoreError, MessageIdHash>& failed) {
    for (const auto& f : failed) receipt_overlay_.erase(f.first);
    if (queued == 0) return;
    std::vector<PendingWrite> kept;
    kept.reserve(writes_.size());
    for (std::size_t i = 0; i < writes_.size(); ++i) {
        auto& w = writes_[i];
        const auto f = i < queued ? failed.find(w.write.next.id) : failed.end();
        if (f == failed.end()) {
            kept.push_back(std::move(w));
            continue;
        }
        store_failed(f->second);
        if (w.on_fail) w.on_fail(f->second);
    }
    writes_ = std::move(kept);
}

// Back into circulation as the store still has it.
void Router::restore(const Message& before, SystemTime wall) {
    active_.insert_or_assign(before.id, before);
    switch (before.state) {
        case MessageState::queued: enqueue(before.id, wall); break;
        case MessageState::accepted:
        case MessageState::failed_temp:
            delayed_.push(Timed{wall + std::chrono::seconds(1), before.id});
            break;
        default: break;  // SENDING: the send result that moved it is posted again (its on_fail)
    }
}

void Router::store_failed(const StoreError& error) {
    ++stats_.store_errors;
    if (hooks_.on_store_error) hooks_.on_store_error(error);
}

void Router::enqueue(const MessageId& id, SystemTime wall) {
    const auto it = active_.find(id);
    if (it == active_.end()) return;
    Message& m = it->second;
    if (m.schedule_at && *m.schedule_at > wall && m.attempts == 0) {
        delayed_.push(Timed{*m.schedule_at, id});
        ++scheduled_waiting_;  // not backlog until due
        return;
    }
    m.schedule_at.reset();  // due (or retried): not counted in scheduled_waiting_
    const bool memory_full = scheduler_.size() + parked_count_ >= scheduler_.capacity();
    if (memory_full || !scheduler_.push(ScheduledItem{id, m.client, m.priority, m.cost()})) {
        // Memory queue full: the store keeps it (QUEUED); refill() brings it back.
        if (refill_cursor_ && id < *refill_cursor_) refill_cursor_.reset();
        active_.erase(it);
        ++spilled_;
    }
}

void Router::forget(const MessageId& id) {
    active_.erase(id);
    unrecorded_.erase(id);
}

void Router::dead_letter(Message& message, SystemTime wall, std::string why) {
    Message before = message;
    if (!message.last_error.empty()) why += " (last error: " + message.last_error + ")";
    message.last_error = why;
    message.next_attempt_at.reset();
    const MessageId id = message.id;
    record_from(std::move(before), message, MessageState::dead_letter, wall, why,
                [this] { ++stats_.dead_lettered; });
    forget(id);  // `message` is gone from here on
}

void Router::update_accepting() {
    const auto backlog = backlog_locked();
    if (accepting_ && backlog >= config_.backpressure.high_watermark) accepting_ = false;
    if (!accepting_ && backlog <= config_.backpressure.low_watermark) accepting_ = true;
}

// ---- recovery ---------------------------------------------------------------------------------

Expected<void, StoreError> Router::recover(TimePoint /*now*/, SystemTime wall) {
    std::lock_guard lock(mutex_);
    recovery_error_.reset();
    auto failed = [this](const StoreError& e) {
        if (!recovery_error_) recovery_error_ = e;
    };
    // Page by page, so a backlog of millions is never held at once: QUEUED messages beyond the
    // scheduler's room stay in the store only (spilled) and refill() reads them back as the
    // queues drain. ACCEPTED, SENDING and FAILED_TEMP ones are kept in memory (they need a
    // transition or a timer).
    std::optional<MessageId> after;
    const std::uint32_t page_size = std::max<std::uint32_t>(config_.recovery_page, 1);
    for (;;) {
        auto page = store_.load_active_page(after, page_size);
        if (!page) {
            store_failed(page.error());
            return Unexpected(page.error());
        }
        for (auto& m : page->messages) {
            if (active_.contains(m.id)) continue;
            const MessageId id = m.id;
            if (m.state == MessageState::queued && m.expires_at > wall &&
                scheduler_.size() + parked_count_ >= scheduler_.capacity()) {
                ++spilled_;  // the store keeps it; refill() reads it back in id order
                continue;
            }
            auto [it, inserted] = active_.emplace(id, std::move(m));
            Message& msg = it->second;
            expiry_.push(
                Timed{msg.expires_at, id});  // also retries a dead letter the store refused
            if (msg.expires_at <= wall) {
                if (msg.state == MessageState::sending) {
                    msg.last_error = "outcome unknown (interrupted by restart)";
                    record(msg, MessageState::failed_temp, wall, msg.last_error, {}, failed);
                }
                dead_letter(msg, wall, "validity expired");
                continue;
            }
            switch (msg.state) {
                case MessageState::accepted:
                    record(msg, MessageState::queued, wall, "recovered", {}, failed);
                    enqueue(id, wall);
                    break;
                case MessageState::queued: enqueue(id, wall); break;
                case MessageState::sending:
                    // The provider may or may not have taken it: at-least-once, count it and retry.
                    msg.last_error = "outcome unknown (interrupted by restart)";
                    msg.next_attempt_at = wall;
                    record(msg, MessageState::failed_temp, wall, msg.last_error, {}, failed);
                    if (msg.attempts >= config_.retry.max_attempts) {
                        dead_letter(msg, wall, "attempts exhausted");
                    } else {
                        delayed_.push(Timed{wall, id});
                    }
                    break;
                case MessageState::failed_temp:
                    delayed_.push(Timed{msg.next_attempt_at.value_or(wall), id});
                    break;
                default:
                    active_.erase(it);  // not the router's to hold (SENT waits for receipts)
                    break;
            }
        }
        flush(wall);
        if (recovery_error_) return Unexpected(*recovery_error_);
        if (!page->next) break;
        after = page->next;
    }
    update_accepting();
    return {};
}

// ---- poll -------------------------------------------------------------------------------------

void Router::poll(TimePoint now, SystemTime wall) {
    auto items = inbox_->take();
    std::unique_lock lock(mutex_);
    // Another thread's poll() or finish_writes() may be in a store call without the lock: the
    // batch in flight is theirs until it ends (one completes it, once).
    flushed_.wait(lock, [this] { return !flushing_; });
    // The receipts' store reads, all in one call (SQLite: one read transaction), without the lock
    // as a commit is:
    // submit() goes on meanwhile, and cancel() waits (flushing_) instead of completing the batch
    // in flight under them, which would leave a lookup made before its commit without what it
    // wrote (a SENT, another segment's verdict) after its completions (the hold's release, the
    // overlay's entries) had gone. Only this thread changes messages that have provider ids
    // (cancel() refuses SENT ones), so nothing read here goes stale before it is used; a receipt
    // changed by an earlier receipt of this poll is taken from receipt_overlay_.
    std::vector<std::optional<ReceiptLookup>> lookups(items.size());
    std::vector<std::size_t> at;  // the items that are receipts
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (std::holds_alternative<Receipt>(items[i])) at.push_back(i);
    }
    if (!at.empty()) {
        std::vector<std::vector<std::string>> keys;
        std::vector<ReceiptQuery> queries;
        keys.reserve(at.size());
        queries.reserve(at.size());
        for (const std::size_t i : at) {
            const auto& receipt = std::get<Receipt>(items[i]);
            keys.push_back(receipt_id_keys(receipt.provider_id, receipt.id_match));
            queries.push_back(ReceiptQuery{receipt.provider, keys.back()});
        }
        auto found = without_lock(&lock, [&] { return store_.find_receipt_targets(queries); });
        for (std::size_t k = 0; k < at.size() && k < found.size(); ++k) {
            lookups[at[k]] = std::move(found[k]);
        }
    }
    for (auto& receipt : std::exchange(receipt_retry_, {})) {
        handle_receipt(std::move(receipt), now, wall, false);
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (auto* result = std::get_if<Inbox::Result>(&items[i])) {
            handle_result(result->id, result->attempt, std::move(result->provider),
                          std::move(result->result), now, wall);
        } else {
            handle_receipt(std::move(std::get<Receipt>(items[i])), now, wall, false,
                           std::move(lookups[i]));
        }
    }
    for (auto& receipt : pending_.take_expired(now)) {
        ++stats_.unknown_receipts;
        if (hooks_.on_unknown_receipt) hooks_.on_unknown_receipt(receipt);
        settle(receipt, false);
    }
    release_due(wall);
    expire(wall);
    unpark(now);
    // refill() reads QUEUED messages back from the store: it must not read one the batch in
    // flight moves on (dead-lettered, say) as still QUEUED.
    if (in_flight_ && spilled_ > 0) finish_batch(wall, &lock);
    refill(wall);
    dispatch(now, wall);
    flush(wall, &lock);
    update_accepting();
}

std::optional<SystemTime> Router::next_due() const {
    std::lock_guard lock(mutex_);
    std::optional<SystemTime> due;
    if (!delayed_.empty()) due = delayed_.top().at;
    if (!expiry_.empty() && (!due || expiry_.top().at < *due)) due = expiry_.top().at;
    return due;
}

ReceiptLookup Router::lookup_receipt(const Receipt& receipt) const {
    const auto keys = receipt_id_keys(receipt.provider_id, receipt.id_match);
    return first_receipt_target(keys, [&](const std::string& key) {
        return store_.find_receipt_target(receipt.provider, key);
    });
}

void Router::release_due(SystemTime wall) {
    while (!delayed_.empty() && delayed_.top().at <= wall) {
        const MessageId id = delayed_.top().id;
        delayed_.pop();
        const auto it = active_.find(id);
        if (it == active_.end()) continue;
        Message& m = it->second;
        if (m.state == MessageState::failed_temp || m.state == MessageState::accepted) {
            // ACCEPTED: a recovered message whose ACCEPTED -> QUEUED write failed.
            const bool retry = m.state == MessageState::failed_temp;
            Message before = m;
            m.next_attempt_at.reset();
            record_from(std::move(before), m, MessageState::queued, wall,
                        retry ? "retry" : "recovered");
            enqueue(id, wall);  // a failed write puts it back in delayed_ (restore)
        } else if (m.state == MessageState::queued && m.schedule_at) {
            if (scheduled_waiting_ > 0) --scheduled_waiting_;
            m.schedule_at.reset();  // due now; stays cleared in memory only
            enqueue(id, wall);
        }
    }
}

void Router::expire(SystemTime wall) {
    while (!expiry_.empty() && expiry_.top().at <= wall) {
        const MessageId id = expiry_.top().id;
        expiry_.pop();
        const auto it = active_.find(id);
        if (it == active_.end()) continue;
        Message& m = it->second;
        if (m.state == MessageState::queued || m.state == MessageState::failed_temp) {
            const bool waited = m.attempts == 0 && m.last_error.empty();
            dead_letter(m, wall,
                        waited ? "validity expired while queued (no provider available)"
                               : "validity expired");
        }
        // SENDING: decided when its result arrives.
    }
}

bool Router::available(std::string_view provider, TimePoint now) {
    const auto it = providers_.find(provider);
    if (it == providers_.end()) return false;
    ProviderSlot& slot = it->second;
    const bool allows = slot.breaker.allows(now);
    note_breaker(slot, now);
    return allows && slot.provider->ready();
}

void Router::note_breaker(ProviderSlot& slot, TimePoint now) {
    const auto state = slot.breaker.state(now);
    if (state != slot.last_state) {
        slot.last_state = state;
        if (hooks_.on_breaker) hooks_.on_breaker(slot.provider->name(), state);
    }
}

void Router::unpark(TimePoint now) {
    for (auto it = parked_.begin(); it != parked_.end();) {
        const Route* route = routing_.find_route(it->first);
        bool any = false;
        if (route) {
            for (const auto& m : route->members) any = any || available(m.provider, now);
            for (const auto& f : route->failover) any = any || available(f, now);
        }
        if (!any) {
            ++it;
            continue;
        }
        auto& waiting = it->second;
        while (!waiting.empty() && !scheduler_.full()) {
            const auto [id, lane] = waiting.front();
            waiting.pop_front();
            --parked_count_;
            --parked_by_lane_[static_cast<std::size_t>(lane)];
            const auto m = active_.find(id);
            if (m == active_.end() || m->second.state != MessageState::queued) continue;
            scheduler_.push(
                ScheduledItem{id, m->second.client, m->second.priority, m->second.cost()});
        }
        it = waiting.empty() ? parked_.erase(it) : std::next(it);
    }
}

void Router::refill(SystemTime wall) {
    std::size_t budget = config_.refill_batch;
    // Parked messages count against the memory bound too.
    auto room_left = [this] {
        const std::size_t used = scheduler_.size() + parked_count_;
        return used >= scheduler_.capacity() ? std::size_t{0} : scheduler_.capacity() - used;
    };
    // A message with a write not committed yet may have left memory while the store still has it
    // QUEUED: its SENT (a dispatch not recorded, record_dispatch off) or its expiry. Not read back.
    std::unordered_set<MessageId, MessageIdHash> unwritten;
    if (spilled_ > 0) {
        for (const auto& w : writes_) unwritten.insert(w.write.next.id);
        if (in_flight_) {
            for (const auto& w : in_flight_->writes) unwritten.insert(w.next.id);
        }
    }
    while (spilled_ > 0 && budget > 0 && room_left() > 0) {
        MessageQuery query;
        query.state = MessageState::queued;
        query.after = refill_cursor_;
        const std::size_t room = room_left();
        query.limit = static_cast<std::uint32_t>(std::min({budget, room, std::size_t{10'000}}));
        auto page = store_.list(query);
        if (!page) {
            store_failed(page.error());
            return;
        }
        budget -= std::min(budget, page->messages.size());
        for (auto& m : page->messages) {
            if (active_.contains(m.id) || unwritten.contains(m.id)) continue;
            const MessageId id = m.id;
            if (spilled_ > 0) --spilled_;
            expiry_.push(Timed{m.expires_at, id});
            active_.emplace(id, std::move(m));
            enqueue(id, wall);
        }
        if (page->next) {
            refill_cursor_ = page->next;
        } else {
            refill_cursor_.reset();
            // Reconcile the estimate with the store: everything QUEUED not in memory.
            auto queued = store_.count(MessageState::queued);
            if (!queued) {
                store_failed(queued.error());
                return;
            }
            std::uint64_t in_memory = 0;
            for (const auto& [id, m] : active_) {
                // A dispatch not recorded is QUEUED in the store too.
                if (m.state == MessageState::queued || unrecorded_.contains(id)) ++in_memory;
            }
            spilled_ = *queued > in_memory ? *queued - in_memory : 0;
            return;
        }
    }
}

void Router::dispatch(TimePoint now, SystemTime wall) {
    // While the store refuses writes, one message per poll probes it instead of a whole budget.
    const std::size_t limit = store_trouble_ ? 1 : config_.dispatch_budget;
    for (std::size_t budget = limit; budget > 0; --budget) {
        auto item = scheduler_.pop();
        if (!item) return;
        const auto it = active_.find(item->id);
        if (it == active_.end() || it->second.state != MessageState::queued) continue;  // stale
        Message& m = it->second;
        if (m.expires_at <= wall) {
            dead_letter(m, wall, "validity expired");
            continue;
        }
        const Route* route = routing_.match(m);
        if (route == nullptr) {
            dead_letter(m, wall, "no route");
            continue;
        }
        auto chosen = routing_.pick(*route, [&](std::string_view p) { return available(p, now); });
        if (!chosen) {
            // Every provider of the route is down: the message waits (QUEUED). At most half the
            // memory bound waits in memory so other routes keep flowing; the rest stays in the
            // store only and comes back through refill() (whose cursor moves on past it).
            if (parked_count_ >= std::max<std::size_t>(1, scheduler_.capacity() / 2)) {
                active_.erase(it);
                ++spilled_;
            } else {
                parked_[route->name].emplace_back(m.id, m.priority);
                ++parked_count_;
                ++parked_by_lane_[static_cast<std::size_t>(m.priority)];
            }
            // Nothing can go anywhere: stop instead of parking the whole queue.
            if (std::none_of(providers_.begin(), providers_.end(),
                             [&](const auto& p) { return available(p.first, now); })) {
                return;
            }
            continue;
        }
        ProviderSlot& slot = providers_.find(*chosen)->second;
        const std::uint32_t attempt = m.attempts + 1;
        const MessageState from = m.state;
        std::optional<Message> before;  // as stored, put back if the write fails
        if (config_.record_dispatch) before = m;
        m.attempts = attempt;
        m.provider = *chosen;
        m.segments.clear();
        slot.breaker.on_send(now);  // now: a half-open breaker counts its probes per dispatch
        OutboundMessage out;
        out.id = m.id;
        out.client = m.client;
        out.sender = m.sender;
        out.destination = m.destination;
        out.text = m.text;
        out.encoding = m.forced_encoding;
        out.priority = m.priority;
        out.expires_at = m.expires_at;
        out.want_receipt = true;
        out.attempt = attempt;
        // The submit goes out once QUEUED -> SENDING is durable (docs/store.md: with it durable
        // first, a crash can duplicate only messages whose submit really went out).
        std::string provider_name = *chosen;
        auto send = [this, out = std::move(out), provider_name]() mutable {
            const auto p = providers_.find(provider_name);
            if (p == providers_.end()) return;
            ++stats_.dispatched;
            std::weak_ptr<Inbox> inbox = inbox_;
            const MessageId id = out.id;
            const std::uint32_t n = out.attempt;
            p->second.provider->send(std::move(out), [inbox, id, n, provider_name](SendResult r) {
                if (auto box = inbox.lock()) {
                    box->post(Inbox::Result{id, n, provider_name, std::move(r)});
                }
            });
        };
        if (!config_.record_dispatch) {
            // Out now; the change waits for the message's next write (TransitionWrite::earlier).
            m.state = MessageState::sending;
            m.updated_at = wall;
            unrecorded_.insert_or_assign(
                m.id, MessageEvent{m.id, from, MessageState::sending, wall, attempt, m.provider,
                                   "attempt " + std::to_string(attempt)});
            send();
            continue;
        }
        auto unsent = [this, provider_name](const StoreError&) {
            const auto p = providers_.find(provider_name);
            if (p != providers_.end()) p->second.breaker.cancel_send();
        };
        record_from(std::move(*before), m, MessageState::sending, wall,
                    "attempt " + std::to_string(attempt), std::move(send), std::move(unsent));
    }
}

// ---- outcomes ---------------------------------------------------------------------------------

void Router::handle_result(const MessageId& id, std::uint32_t attempt, std::string provider,
                           SendResult result, TimePoint now, SystemTime wall) {
    const auto slot_it = providers_.find(provider);
    ErrorClass error_class = ErrorClass::permanent;
    if (result.error) {
        const std::string_view kind =
            slot_it != providers_.end() ? slot_it->second.provider->kind() : std::string_view();
        error_class = status_map_.classify(kind, *result.error);
    }
    if (slot_it != providers_.end()) {
        auto& breaker = slot_it->second.breaker;
        if (!result.error || error_class != ErrorClass::temporary) {
            if (result.error && result.error->kind == SendErrorKind::not_sent) {
                breaker.cancel_send();
            } else {
                breaker.record(Outcome::success, now);  // answered: the provider is alive
            }
        } else if (result.error->kind == SendErrorKind::not_sent) {
            breaker.cancel_send();
        } else {
            breaker.record(
                result.error->kind == SendErrorKind::timeout ? Outcome::timeout : Outcome::failure,
                now);
        }
        note_breaker(slot_it->second, now);
    }

    const auto it = active_.find(id);
    if (it == active_.end() || it->second.state != MessageState::sending ||
        it->second.attempts != attempt) {
        ++stats_.stale_results;
        return;
    }
    Message& m = it->second;
    Message before = m;  // each outcome below records once, taking it

    // The store refused the write: the message is put back (SENDING) and this result is handled
    // again on the next poll.
    auto retry_later = [this, id, attempt, provider, result](const StoreError&) {
        inbox_->post(Inbox::Result{id, attempt, provider, result});
    };

    if (!result.error) {
        m.segments.clear();
        for (const auto& sid : result.segment_ids) m.segments.push_back(Segment{sid, {}, {}});
        m.last_error.clear();
        // Receipts that beat this result wait in the hold until SENT is durable (the store then
        // finds them by provider id).
        auto release_held = [this, provider, ids = result.segment_ids, now, wall] {
            ++stats_.sent;
            for (const auto& sid : ids) {
                for (auto& held : pending_.take_matching(provider, sid)) {
                    handle_receipt(std::move(held), now, wall, true);
                }
            }
        };
        record_from(std::move(before), m, MessageState::sent, wall,
                    std::to_string(m.segments.size()) + " segment(s) accepted by " + provider,
                    std::move(release_held), retry_later, true);
        forget(id);  // the store holds SENT messages; receipts find them by provider id
        return;
    }

    const std::string why = describe(*result.error);
    if (result.error->kind == SendErrorKind::not_sent) {
        m.attempts = m.attempts > 0 ? m.attempts - 1 : 0;
        record_from(std::move(before), m, MessageState::queued, wall, "handed back untried: " + why,
                    {}, retry_later);
        enqueue(id, wall);
        return;
    }
    if (error_class == ErrorClass::permanent) {
        m.last_error = why;
        record_from(
            std::move(before), m, MessageState::failed_perm, wall, why,
            [this] { ++stats_.failed_perm; }, retry_later, true);
        forget(id);
        return;
    }
    // Temporary or throttled: back off, unless attempts or validity have run out.
    const auto delay =
        backoff_delay(config_.retry, m.attempts, error_class == ErrorClass::throttled, jitter_);
    const SystemTime due = wall + delay;
    m.last_error = why;
    m.next_attempt_at = due;
    record_from(std::move(before), m, MessageState::failed_temp, wall, why, {}, retry_later);
    if (m.attempts >= config_.retry.max_attempts) {
        dead_letter(m, wall, "attempts exhausted after " + std::to_string(m.attempts));
    } else if (due >= m.expires_at) {
        dead_letter(m, wall, "validity ends before the next attempt");
    } else {
        ++stats_.retries_scheduled;
        delayed_.push(Timed{due, id});
    }
}

namespace {

// An exact receipt's target must be the segment whose own id is the receipt's: a database written
// before 2026-11-24 also indexes every stored id under its hex/decimal readings, which such a
// receipt does not accept.
bool exact_target(const Receipt& receipt, const ReceiptTarget& target) {
    if (receipt.id_match != ReceiptIdMatch::exact) return true;
    const auto& segments = target.message.segments;
    return target.ref.segment < segments.size() &&
           provider_id_key(segments[target.ref.segment].provider_id) ==
               provider_id_key(receipt.provider_id);
}

}  // namespace

void Router::handle_receipt(Receipt receipt, TimePoint now, SystemTime wall, bool from_hold,
                            std::optional<ReceiptLookup> looked_up) {
    std::optional<SegmentRef> ref;
    std::optional<Message> stored;  // read with the ref (one store read per receipt)
    auto found = looked_up ? std::move(*looked_up) : lookup_receipt(receipt);
    if (!found) {
        store_failed(found.error());
        receipt_retry_.push_back(std::move(receipt));  // store trouble: next poll
        return;
    }
    if (*found && !exact_target(receipt, **found)) found = std::optional<ReceiptTarget>();
    if (*found) {
        ref = (*found)->ref;
        stored = std::move((*found)->message);
    }
    if (!ref) {
        if (provider_id_key(receipt.provider_id).empty() || from_hold) {
            ++stats_.unknown_receipts;
            if (hooks_.on_unknown_receipt) hooks_.on_unknown_receipt(receipt);
            settle(receipt, false);
            return;
        }
        // Possibly ahead of its send result: hold it for a while (unanswered meanwhile).
        ++stats_.receipts_held;
        if (auto evicted = pending_.hold(std::move(receipt), now)) {
            ++stats_.unknown_receipts;
            if (hooks_.on_unknown_receipt) hooks_.on_unknown_receipt(*evicted);
            settle(*evicted, false);
        }
        return;
    }
    Message m;
    if (const auto o = receipt_overlay_.find(ref->id); o != receipt_overlay_.end()) {
        m = o->second.message;  // an earlier receipt changed it, not committed yet: build on that
    } else {
        m = std::move(*stored);
    }
    ++stats_.receipts;
    const auto verdict = segment_verdict(receipt.status);
    if (!verdict || ref->segment >= m.segments.size()) {  // intermediate (ENROUTE ...)
        settle(receipt, false);
        return;
    }
    Segment& seg = m.segments[ref->segment];
    if (seg.state == *verdict) {  // duplicate
        settle(receipt, false);
        return;
    }
    seg.state = *verdict;
    seg.error = receipt.error;
    const std::string detail = "segment " + std::to_string(ref->segment + 1) + "/" +
                               std::to_string(m.segments.size()) + " " +
                               std::string(to_string(receipt.status)) +
                               (receipt.error.empty() ? "" : " err:" + receipt.error);
    const auto outcome = aggregate_segments(m.segments);
    const MessageState from = m.state;
    m.updated_at = wall;
    if (from == MessageState::sent && outcome) {
        assert(transition_allowed(from, *outcome));
        if (*outcome != MessageState::delivered) m.last_error = detail;
        m.state = *outcome;
    }
    // Otherwise still undecided, or already final (a later segment of a failed message): keep
    // the verdict; the history records it as a same-state event (SENT -> SENT "segment 1/3 ...").
    MessageEvent event{m.id, from, m.state, wall, m.attempts, m.provider, detail};
    record_receipt(std::move(m), from, std::move(event), std::move(receipt));
}

// ---- queries ----------------------------------------------------------------------------------

MessageStatus Router::to_status(const Message& m) const {
    MessageStatus s;
    s.id = m.id;
    s.state = m.state;
    s.client = m.client;
    s.sender = m.sender;
    s.destination = m.destination;
    s.client_ref = m.client_ref;
    s.priority = m.priority;
    s.segments =
        m.segments.empty() ? m.segments_estimate : static_cast<std::uint32_t>(m.segments.size());
    s.attempts = m.attempts;
    s.provider = m.provider;
    s.last_error = m.last_error;
    for (const auto& seg : m.segments) {
        if (seg.state != SegmentState::pending && seg.state != SegmentState::delivered &&
            !seg.error.empty()) {
            s.carrier_error = seg.error;
            break;
        }
    }
    s.accepted_at = m.accepted_at;
    s.updated_at = m.updated_at;
    return s;
}

Expected<MessageStatus, QueryError> Router::status(const MessageId& id,
                                                   std::optional<std::string_view> client) {
    auto loaded = store_.get(id);
    if (!loaded) return Unexpected(QueryError{QueryErrc::unavailable, loaded.error().detail});
    if (!*loaded || (client && (*loaded)->client != *client)) {
        return Unexpected(QueryError{QueryErrc::not_found, "no such message"});
    }
    MessageStatus s = to_status(**loaded);
    auto events = store_.events(id);
    if (!events) return Unexpected(QueryError{QueryErrc::unavailable, events.error().detail});
    for (auto& e : *events) {
        s.history.push_back(
            StatusEvent{e.from, e.to, e.at, std::move(e.provider), std::move(e.detail)});
    }
    return s;
}

// ---- cancelling --------------------------------------------------------------------------------

Expected<MessageStatus, ChangeError> Router::cancel(const MessageId& id,
                                                    std::optional<std::string_view> client,
                                                    SystemTime wall) {
    // Under the lock for the whole decision and its write: poll() (dispatch, refill, retries)
    // waits, so the message cannot be picked for sending between the check and the commit. A
    // poll writing without the lock (flush) is waited for: its outcome decides.
    std::unique_lock lock(mutex_);
    flushed_.wait(lock, [this] { return !flushing_; });
    assert(writes_.empty());  // poll() and recover() flush before letting go of the lock
    // A pipelined poll's batch may still be in flight: its outcome decides too.
    if (in_flight_) finish_batch(wall, nullptr);
    auto refuse_change = [](ChangeErrc code, std::string reason,
                            std::optional<MessageState> state = std::nullopt) {
        return Unexpected(ChangeError{code, std::move(reason), state});
    };
    auto not_cancellable = [&](MessageState state) {
        if (is_final(state)) {
            return refuse_change(ChangeErrc::final,
                                 "already final (" + std::string(to_string(state)) + ")", state);
        }
        return refuse_change(ChangeErrc::with_carrier,
                             "already handed to a carrier (" + std::string(to_string(state)) + ")",
                             state);
    };
    const std::string detail = "cancelled by client";
    std::optional<StoreError> failed;
    bool committed = false;
    Message cancelled;

    if (const auto it = active_.find(id); it != active_.end()) {
        Message& m = it->second;
        if (client && m.client != *client)
            return refuse_change(ChangeErrc::not_found, "no such message");
        if (!transition_allowed(m.state, MessageState::cancelled)) return not_cancellable(m.state);
        // Counted in scheduled_waiting_ while waiting for its schedule (enqueue's invariant).
        const bool scheduled = m.state == MessageState::queued && m.schedule_at.has_value();
        Message before = m;
        m.next_attempt_at.reset();
        record_from(
            std::move(before), m, MessageState::cancelled, wall, detail, [&] { committed = true; },
            [&](const StoreError& e) { failed = e; });
        cancelled = m;
        // Out of memory now; a failed write puts it back as it was (restore()). Its entries in
        // the scheduler, delayed_, expiry_ and parked_ find nothing and are skipped.
        forget(id);
        // (A failed write re-enqueues it through restore(), which counts it again.)
        if (scheduled && scheduled_waiting_ > 0) --scheduled_waiting_;
        flush(wall);
        if (committed) {
            ++stats_.cancelled;
            update_accepting();
        }
    } else {
        // Not in memory: SENT or final (the store holds them), or QUEUED in the store only
        // (spilled: refill() runs under this lock, so it cannot read it back meanwhile).
        auto loaded = store_.get(id);
        if (!loaded) return refuse_change(ChangeErrc::unavailable, loaded.error().detail);
        if (!*loaded || (client && (*loaded)->client != *client)) {
            return refuse_change(ChangeErrc::not_found, "no such message");
        }
        Message m = std::move(**loaded);
        const MessageState from = m.state;
        if (!transition_allowed(from, MessageState::cancelled)) return not_cancellable(from);
        m.state = MessageState::cancelled;
        m.updated_at = wall;
        m.next_attempt_at.reset();
        PendingWrite w;
        w.write.next = m;
        w.write.from = from;
        w.write.event =
            MessageEvent{m.id, from, MessageState::cancelled, wall, m.attempts, m.provider, detail};
        w.on_commit = [&] { committed = true; };
        w.on_fail = [&](const StoreError& e) { failed = e; };
        writes_.push_back(std::move(w));
        cancelled = m;
        flush(wall);
        if (committed) {
            ++stats_.cancelled;
            if (from == MessageState::queued && spilled_ > 0) --spilled_;
            update_accepting();
        }
    }
    if (!committed) {
        const StoreError e = failed.value_or(StoreError{StoreErrc::unavailable, "not written"});
        if (e.code == StoreErrc::conflict) {
            // Only this router moves unsent messages; a conflict means another writer did.
            return refuse_change(ChangeErrc::with_carrier, "changed meanwhile: " + e.detail);
        }
        if (e.code == StoreErrc::not_found)
            return refuse_change(ChangeErrc::not_found, "no such message");
        return refuse_change(ChangeErrc::unavailable, "message store unavailable: " + e.detail);
    }
    return to_status(cancelled);
}

Expected<MessagePage, QueryError> Router::list(const MessageQuery& query) {
    if (query.limit > 1000)
        return Unexpected(QueryError{QueryErrc::invalid_query, "limit: at most 1000"});
    auto page = store_.list(query);
    if (!page) return Unexpected(QueryError{QueryErrc::unavailable, page.error().detail});
    MessagePage out;
    out.next = page->next;
    out.messages.reserve(page->messages.size());
    for (const auto& m : page->messages) out.messages.push_back(to_status(m));
    return out;
}

Backpressure Router::backpressure() const {
    std::lock_guard lock(mutex_);
    return Backpressure{accepting_, backlog_locked(), config_.backpressure.high_watermark};
}

RouterStats Router::stats() const {
    std::lock_guard lock(mutex_);
    RouterStats s = stats_;
    for (std::size_t lane = 0; lane < kPriorityCount; ++lane) {
        s.queued_by_lane[lane] =
            scheduler_.size(static_cast<Priority>(lane)) + parked_by_lane_[lane];
    }
    s.queued_in_store_only = spilled_;
    return s;
}

// The store is thread-safe; the router's lock is not needed.
Expected<CreditBalance, QueryError> Router::balance(std::string_view client) {
    CreditBalance out;
    out.client = std::string(client);
    out.currency = prices_.currency();
    auto account = store_.credit_account(client);
    if (!account) return Unexpected(QueryError{QueryErrc::unavailable, account.error().detail});
    if (*account) {
        out.metered = true;
        out.balance = (*account)->balance;
        out.held = (*account)->held;
        out.capture = std::string(to_string((*account)->capture));
    }
    return out;
}

Expected<std::vector<CreditEntry>, StoreError> Router::credit_ledger(std::string_view client,
                                                                     std::uint64_t after_seq,
                                                                     std::uint32_t limit) {
    return store_.credit_ledger(client, after_seq, limit);
}

Expected<CreditAccount, StoreError> Router::add_credit(std::string_view client, CreditAmount amount,
                                                       std::string note, SystemTime wall) {
    return store_.credit_add(client, amount, config_.credits.capture, std::move(note), wall);
}

BreakerState Router::breaker_state(std::string_view provider, TimePoint now) {
    std::lock_guard lock(mutex_);
    const auto it = providers_.find(provider);
    return it == providers_.end() ? BreakerState::open : it->second.breaker.state(now);
}

void Router::on_receipt(Receipt receipt) { inbox_->post(std::move(receipt)); }

// ---- RouterGateway ----------------------------------------------------------------------------

std::vector<SubmitOutcome> RouterGateway::submit(std::span<const SubmitRequest> batch) {
    return router_.submit(batch, steady_now_(), wall_now_());
}

Expected<MessageStatus, QueryError> RouterGateway::status(const MessageId& id,
                                                          std::optional<std::string_view> client) {
    return router_.status(id, client);
}

Expected<MessageStatus, ChangeError> RouterGateway::cancel(const MessageId& id,
                                                           std::optional<std::string_view> client) {
    return router_.cancel(id, client, wall_now_());
}

Expected<MessagePage, QueryError> RouterGateway::list(const MessageQuery& query) {
    return router_.list(query);
}

Backpressure RouterGateway::backpressure() const { return router_.backpressure(); }

Expected<CreditBalance, QueryError> RouterGateway::balance(std::string_view client) {
    return router_.balance(client);
}

Expected<CreditBalance, QueryError> RouterGateway::add_credit(std::string_view client,
                                                              std::int64_t amount,
                                                              std::string note) {
    auto added = router_.add_credit(client, amount, std::move(note), wall_now_());
    if (!added) {
        return Unexpected(QueryError{added.error().code == StoreErrc::insufficient_credit
                                         ? QueryErrc::invalid_query
                                         : QueryErrc::unavailable,
                                     added.error().detail});
    }
    return router_.balance(client);
}

Expected<std::vector<CreditLedgerEntry>, QueryError> RouterGateway::credit_ledger(
    std::string_view client, std::uint64_t after_seq, std::uint32_t limit) {
    auto entries = router_.credit_ledger(client, after_seq, limit);
    if (!entries) return Unexpected(QueryError{QueryErrc::unavailable, entries.error().detail});
    std::vector<CreditLedgerEntry> out;
    out.reserve(entries->size());
    for (auto& e : *entries) {
        out.push_back(CreditLedgerEntry{e.seq, std::string(to_string(e.kind)), e.amount, e.message,
                                        e.at, std::move(e.note)});
    }
    return out;
}

}  // namespace bindery::router
