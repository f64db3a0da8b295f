#include "http-frontend/alertmanager_receiver.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "http-frontend/auth.hpp"
#include "http-frontend/time_format.hpp"
#include "smpp/base/log_field.hpp"

namespace bindery::http {
namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

WebhookResult error_result(unsigned status, std::string_view code, std::string_view message) {
    return {status, dump(json{{"error", {{"code", code}, {"message", message}}}})};
}

bool matches(const AlertmanagerAlert& a, const std::map<std::string, std::string>& want) {
    for (const auto& [k, v] : want) {
        const auto it = a.labels.find(k);
        if (it == a.labels.end() || it->second != v) return false;
    }
    return true;
}

bool transient(router::SubmitErrc e) {
    return e == router::SubmitErrc::backlog_full || e == router::SubmitErrc::unavailable;
}

}  // namespace

std::string alert_dedup_key(std::string_view receiver, std::string_view group_key, bool resolved,
                            const std::vector<const AlertmanagerAlert*>& alerts) {
    std::vector<std::string> parts;
    parts.reserve(alerts.size());
    for (const auto* a : alerts) parts.push_back(a->fingerprint + ":" + a->status);
    std::sort(parts.begin(), parts.end());
    std::string material;
    material.append(receiver).push_back('\n');
    material.append(group_key).push_back('\n');
    material.append(resolved ? "resolved" : "firing").push_back('\n');
    for (const auto& p : parts) material.append(p).push_back('\n');
    return to_hex(sha256(material));
}

std::string alert_record_json(const router::AlertRecord& r) {
    json messages = json::array();
    for (const auto& m : r.messages) {
        json j = {{"to", m.destination}, {"recipient", m.recipient}};
        j["message_id"] = m.message_id.empty() ? json(nullptr) : json(m.message_id);
        if (!m.error.empty()) j["error"] = m.error;
        messages.push_back(std::move(j));
    }
    json j = {
        {"id", r.id.to_string()},
        {"received_at", format_rfc3339(r.received_at)},
        {"receiver", r.receiver},
        {"status", r.status},
        {"group_key", r.group_key},
        {"outcome", router::to_string(r.outcome)},
        {"client", r.client},
        {"alerts", {{"firing", r.firing}, {"resolved", r.resolved}, {"truncated", r.truncated}}},
        {"text", r.text},
        {"notes", r.notes},
        {"messages", std::move(messages)}};
    j["duplicate_of"] = r.duplicate_of ? json(r.duplicate_of->to_string()) : json(nullptr);
    return dump(j);
}

AlertmanagerReceiver::AlertmanagerReceiver(AlertmanagerConfig config, router::GatewayApi& gateway,
                                           router::GroupResolver& resolver,
                                           router::AlertLedger& ledger, AlertMetrics* metrics,
                                           std::function<router::SystemTime()> wall_now,
                                           std::uint64_t id_seed)
    : config_(std::move(config)),
      gateway_(gateway),
      resolver_(resolver),
      ledger_(ledger),
      metrics_(metrics),
      wall_now_(std::move(wall_now)),
      ids_(id_seed) {}

router::MessageId AlertmanagerReceiver::next_id(router::SystemTime now) {
    const std::lock_guard lock(id_mutex_);
    return ids_.next(now);
}

WebhookResult AlertmanagerReceiver::finish(router::AlertRecord& record, unsigned status) {
    if (metrics_ != nullptr)
        metrics_->notification(record.receiver, router::to_string(record.outcome));
    if (auto r = ledger_.record(record); !r) {
        // The messages (if any) are durable already; answering 5xx would page twice.
        spdlog::error(
            "alertmanager notification cannot be recorded notification_id={} receiver={} error={}",
            record.id.to_string(), log_value(record.receiver), log_value(r.error()));
    }
    json body = {{"id", record.id.to_string()},
                 {"outcome", router::to_string(record.outcome)},
                 {"messages", record.messages.size()}};
    if (record.duplicate_of) body["duplicate_of"] = record.duplicate_of->to_string();
    return {status, dump(body)};
}

WebhookResult AlertmanagerReceiver::handle(std::string_view body) {
    auto parsed = parse_alertmanager_payload(body, config_.limits);
    if (!parsed) {
        if (metrics_ != nullptr) metrics_->notification("unknown", "invalid");
        spdlog::warn("alertmanager payload refused error={}", log_value(parsed.error()));
        return error_result(400, "invalid_payload", parsed.error());
    }
    const AlertmanagerPayload& p = *parsed;
    const auto spec_it =
        std::find_if(config_.receivers.begin(), config_.receivers.end(),
                     [&](const AlertReceiverSpec& s) { return s.name == p.receiver; });
    if (spec_it == config_.receivers.end()) {
        if (metrics_ != nullptr) metrics_->notification("unknown", "unknown_receiver");
        spdlog::error("alertmanager receiver not configured receiver={} group_key={}",
                      log_value(p.receiver), log_value(p.group_key));
        return error_result(422, "unknown_receiver",
                            "no receiver named \"" + p.receiver + "\" is configured");
    }
    const AlertReceiverSpec& spec = *spec_it;
    const router::SystemTime now = wall_now_();

    router::AlertRecord rec;
    rec.id = next_id(now);
    rec.received_at = now;
    rec.receiver = spec.name;
    rec.status = p.status;
    rec.group_key = p.group_key;
    rec.client = spec.client.empty() ? config_.default_client : spec.client;
    rec.truncated = p.truncated_alerts;
    for (const auto& a : p.alerts) (a.firing() ? rec.firing : rec.resolved) += 1;
    if (metrics_ != nullptr) {
        if (rec.firing > 0) metrics_->alerts_received(spec.name, "firing", rec.firing);
        if (rec.resolved > 0) metrics_->alerts_received(spec.name, "resolved", rec.resolved);
    }
    if (p.truncated_alerts > 0) {
        rec.notes.push_back(std::to_string(p.truncated_alerts) +
                            " alerts truncated by Alertmanager (max_alerts)");
    }

    // Label filter, then the message's status.
    AlertContext ctx;
    ctx.payload = &p;
    std::vector<const AlertmanagerAlert*> firing;
    std::vector<const AlertmanagerAlert*> resolved;
    for (const auto& a : p.alerts) {
        if (!matches(a, spec.match_labels)) continue;
        (a.firing() ? firing : resolved).push_back(&a);
    }
    ctx.firing = static_cast<std::uint32_t>(firing.size());
    ctx.resolved_count = static_cast<std::uint32_t>(resolved.size());
    if (firing.empty() && resolved.empty()) {
        rec.outcome = router::AlertOutcome::filtered;
        return finish(rec, 200);
    }
    ctx.resolved = firing.empty();
    ctx.alerts = ctx.resolved ? resolved : firing;
    if (ctx.resolved && !spec.send_resolved) {
        rec.outcome = router::AlertOutcome::not_wanted;
        return finish(rec, 200);
    }
    // The counts the record shows are those of the selection.
    rec.firing = ctx.firing;
    rec.resolved = ctx.resolved_count;
    rec.dedup_key = alert_dedup_key(spec.name, p.group_key, ctx.resolved, ctx.alerts);
    rec.text = trim_to_segments(spec.text.render(ctx), spec.max_segments);

    // One at a time per dedup key: retries and HA peers racing each other send once.
    const std::lock_guard lock(
        dedup_locks_[std::hash<std::string>{}(rec.dedup_key) % dedup_locks_.size()]);
    if (spec.dedup_window.count() > 0) {
        auto seen = ledger_.find_sent(rec.dedup_key, now - spec.dedup_window);
        if (!seen) {
            spdlog::error("alertmanager dedup lookup failed receiver={} fingerprint={} error={}",
                          log_value(spec.name), rec.dedup_key, log_value(seen.error()));
            if (metrics_ != nullptr) metrics_->notification(spec.name, "retry");
            return error_result(503, "unavailable", "alert store unavailable: " + seen.error());
        }
        if (*seen) {
            rec.outcome = router::AlertOutcome::duplicate;
            rec.duplicate_of = **seen;
            spdlog::info(
                "alertmanager duplicate, not sent notification_id={} duplicate_of={} receiver={} "
                "group_key={} fingerprint={}",
                rec.id.to_string(), (*seen)->to_string(), log_value(spec.name),
                log_value(p.group_key), rec.dedup_key);
            return finish(rec, 200);
        }
    }

    // Recipients.
    std::vector<router::Recipient> recipients;
    auto add = [&recipients](const router::Recipient& r) {
        const bool known =
            std::any_of(recipients.begin(), recipients.end(),
                        [&](const router::Recipient& x) { return x.phone == r.phone; });
        if (!known) recipients.push_back(r);
    };
    std::size_t failed_groups = 0;
    for (const auto& group : spec.groups) {
        router::Resolution res = resolver_.resolve(group);
        const std::string dir = res.directory.empty() ? "none" : res.directory;
        if (metrics_ != nullptr) {
            metrics_->directory_lookup(dir, res.error && res.source != router::MembersSource::stale
                                                ? "error"
                                                : router::to_string(res.source));
            if (res.error) metrics_->directory_error(dir, router::to_string(res.error->code));
            if (!res.members.skipped.empty()) {
                metrics_->members_skipped(dir, static_cast<double>(res.members.skipped.size()));
            }
        }
        for (const auto& s : res.members.skipped) {
            spdlog::warn(
                "alertmanager directory member skipped receiver={} directory={} group={} who={} "
                "reason={}",
                log_value(spec.name), log_value(dir), log_value(group), log_value(s.who),
                log_value(s.reason));
            rec.notes.push_back("group " + group + ": skipped " + s.who + ": " + s.reason);
        }
        if (res.error) {
            if (res.source == router::MembersSource::stale) {
                spdlog::warn(
                    "alertmanager directory failed, using cached members receiver={} directory={} "
                    "group={} "
                    "cached_at={} error={}",
                    log_value(spec.name), log_value(dir), log_value(group),
                    res.fetched_at ? format_rfc3339(*res.fetched_at) : "?",
                    log_value(res.error->detail));
                rec.notes.push_back("group " + group + ": stale directory answer (" +
                                    res.error->detail + ")");
            } else {
                ++failed_groups;
                spdlog::error(
                    "alertmanager group not resolved receiver={} directory={} group={} error={}",
                    log_value(spec.name), log_value(dir), log_value(group),
                    log_value(res.error->detail));
                rec.notes.push_back("group " + group + ": " + res.error->detail);
            }
        }
        for (const auto& r : res.members.recipients) add(r);
    }
    for (const auto& number : spec.recipients) add(router::Recipient{"", number});

    if (recipients.empty()) {
        if (failed_groups > 0) {
            // Nobody to page because the directory is down and nothing is cached: let Alertmanager
            // retry.
            if (metrics_ != nullptr) metrics_->notification(spec.name, "retry");
            return error_result(503, "directory_unavailable",
                                "no group could be resolved: " +
                                    (rec.notes.empty() ? std::string() : rec.notes.back()));
        }
        rec.outcome = router::AlertOutcome::no_recipients;
        spdlog::warn(
            "alertmanager groups resolved to nobody, nothing sent notification_id={} receiver={} "
            "fingerprint={}",
            rec.id.to_string(), log_value(spec.name), rec.dedup_key);
        return finish(rec, 200);
    }

    std::vector<router::SubmitRequest> batch;
    batch.reserve(recipients.size());
    for (const auto& r : recipients) {
        router::SubmitRequest s;
        s.client = rec.client;
        s.sender = spec.sender;
        s.destination = r.phone;
        s.text = rec.text;
        s.priority = spec.priority;
        s.client_ref = "alert:" + rec.id.to_string();
        s.tags = spec.tags;
        batch.push_back(std::move(s));
    }
    const auto outcomes = gateway_.submit(batch);
    std::size_t accepted = 0;
    bool retry = false;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        router::AlertMessage m;
        m.recipient = recipients[i].name;
        m.destination = recipients[i].phone;
        if (i < outcomes.size() && outcomes[i]) {
            m.message_id = outcomes[i]->id.to_string();
            m.destination = outcomes[i]->destination;
            ++accepted;
            if (spdlog::should_log(spdlog::level::debug)) {
                spdlog::debug(
                    "alertmanager message accepted notification_id={} receiver={} message_id={} "
                    "client={}",
                    rec.id.to_string(), log_value(spec.name), m.message_id, log_value(rec.client));
            }
        } else {
            const bool have = i < outcomes.size();
            m.error = have ? std::string(router::to_string(outcomes[i].error().code)) + ": " +
                                 outcomes[i].error().reason
                           : "no outcome from the gateway";
            retry = retry || !have || transient(outcomes[i].error().code);
            spdlog::error(
                "alertmanager message refused notification_id={} receiver={} destination={} "
                "error={}",
                rec.id.to_string(), log_value(spec.name), log_value(m.destination),
                log_value(m.error));
        }
        rec.messages.push_back(std::move(m));
    }
    if (accepted == 0 && retry) {
        if (metrics_ != nullptr) metrics_->notification(spec.name, "retry");
        return error_result(503, "unavailable", "the gateway accepted none of the messages; retry");
    }
    if (metrics_ != nullptr)
        metrics_->recipients_resolved(spec.name, static_cast<double>(accepted));
    rec.outcome = router::AlertOutcome::sent;
    spdlog::info(
        "alertmanager notification sent notification_id={} receiver={} status={} group_key={} "
        "fingerprint={} accepted={} messages={}",
        rec.id.to_string(), log_value(spec.name), ctx.resolved ? "resolved" : "firing",
        log_value(p.group_key), rec.dedup_key, accepted, batch.size());
    return finish(rec, 200);
}

WebhookResult AlertmanagerReceiver::get(std::string_view id_text, const std::string* client) {
    const auto id = router::MessageId::parse(id_text);
    if (!id) return error_result(404, "not_found", "no such alert notification");
    auto r = ledger_.get(*id);
    if (!r) return error_result(503, "unavailable", "alert store unavailable: " + r.error());
    if (!*r || (client != nullptr && (*r)->client != *client)) {
        return error_result(404, "not_found", "no such alert notification");
    }
    return {200, alert_record_json(**r)};
}

WebhookResult AlertmanagerReceiver::list(std::optional<router::MessageId> before,
                                         std::uint32_t limit, const std::string* client) {
    // Client filtering happens after the page is read, so ask for more when filtering.
    auto records = ledger_.recent(before, client != nullptr ? limit * 4 : limit);
    if (!records)
        return error_result(503, "unavailable", "alert store unavailable: " + records.error());
    json items = json::array();
    std::optional<router::MessageId> last;
    for (const auto& r : *records) {
        if (client != nullptr && r.client != *client) continue;
        if (items.size() >= limit) break;
        items.push_back(json::parse(alert_record_json(r)));
        last = r.id;
    }
    json body = {{"alerts", std::move(items)}};
    body["next_cursor"] =
        last && body["alerts"].size() == limit ? json(last->to_string()) : json(nullptr);
    return {200, dump(body)};
}

}  // namespace bindery::http
