#include "app/smpp_frontend.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "smpp/codec/build.hpp"
#include "smpp/codec/receipt/receipt.hpp"
#include "smpp/codec/text/data_coding.hpp"
#include "smpp/codec/tlv.hpp"
#include "smpp/net/password.hpp"

namespace bindery::app {

namespace asio = boost::asio;
using smpp::CommandStatus;

namespace {

constexpr std::string_view kDlrTag = "smpp-dlr:";

CommandStatus to_command_status(router::SubmitErrc e) noexcept {
    switch (e) {
        case router::SubmitErrc::backlog_full: return CommandStatus::ESME_RMSGQFUL;
        case router::SubmitErrc::invalid_destination: return CommandStatus::ESME_RINVDSTADR;
        case router::SubmitErrc::invalid_sender: return CommandStatus::ESME_RINVSRCADR;
        case router::SubmitErrc::invalid_text: return CommandStatus::ESME_RINVMSGLEN;
        case router::SubmitErrc::invalid_request: return CommandStatus::ESME_RINVPARLEN;
        case router::SubmitErrc::unavailable: return CommandStatus::ESME_RSYSERR;
        case router::SubmitErrc::insufficient_credit:
            return CommandStatus::ESME_RSUBMITFAIL;  // SMPP 3.4 has no credit status
    }
    return CommandStatus::ESME_RSYSERR;
}

// SMPP priority_flag 0-3 (3 highest): 0 and 1 are what ESMEs send for ordinary traffic.
router::Priority to_priority(std::uint8_t flag) noexcept {
    return flag >= 2 ? router::Priority::express : router::Priority::normal;
}

// An empty source_addr takes the account's default sender (none: stays empty and the router
// refuses it, ESME_RINVSRCADR).
std::string_view sender_of(const SmppFrontendAccount& account, std::string_view source_addr) {
    return source_addr.empty() ? std::string_view(account.default_sender) : source_addr;
}

// `source_addr` as the PDU has it: an empty one is checked as the default sender it becomes.
bool sender_allowed(const SmppFrontendAccount& account, std::string_view source_addr) {
    const auto sender = sender_of(account, source_addr);
    if (account.allowed_senders.empty()) return true;
    return std::any_of(account.allowed_senders.begin(), account.allowed_senders.end(),
                       [&](const std::string& s) { return s == "*" || s == sender; });
}

struct Converted {
    CommandStatus status = CommandStatus::ESME_ROK;  // not ROK: answer this, submit nothing
    std::vector<router::SubmitRequest> requests;
    std::vector<SmppFrontend::Destination> destinations;  // submit_multi only: one per request
};

// The text of a submit: short_message, or message_payload when short_message is empty.
// Concatenated parts (UDH IE 0/8 or sar_* TLVs) are refused here: each part sent on as its own
// message would garble it. Parts are found (and held, with a PartStore) by part_or_text first.
CommandStatus decode_text(std::uint8_t data_coding, std::uint8_t esm_class,
                          smpp::ByteView short_message, const smpp::TlvRange& tlvs,
                          std::string& out) {
    smpp::ByteView data = short_message;
    if (data.empty()) {
        if (auto payload = tlvs.message_payload()) data = *payload;
    } else if (tlvs.message_payload()) {
        return CommandStatus::ESME_RINVPARLEN;  // both given: 5.3.2.32 forbids it
    }
    if (tlvs.sar_msg_ref_num() || tlvs.sar_total_segments())
        return CommandStatus::ESME_RINVOPTPARAMVAL;
    const bool udhi = (esm_class & 0x40) != 0;
    auto decoded = smpp::decode_user_data(data_coding, data, udhi);
    if (!decoded) return CommandStatus::ESME_RINVESMCLASS;  // malformed UDH
    if (decoded->udh && decoded->udh->concat) return CommandStatus::ESME_RINVESMCLASS;
    out = std::move(decoded->text.utf8);
    return CommandStatus::ESME_ROK;
}

// submit_sm / data_sm / submit_multi: a concatenated part goes to SmppConcat (`part` set, `text`
// empty); a "concatenated" message of one part (total 1) is an ordinary message with its header
// removed. `part` null: parts are refused.
CommandStatus part_or_text(std::uint8_t data_coding, std::uint8_t esm_class,
                           smpp::ByteView short_message, const smpp::TlvRange& tlvs,
                           std::optional<SubmitPart>* part, std::string& text) {
    auto p = concat_part(data_coding, esm_class, short_message, tlvs);
    if (!p) return p.error();
    if (!*p) return decode_text(data_coding, esm_class, short_message, tlvs, text);
    if ((*p)->ref.total == 1) {
        text = smpp::decode_text(data_coding, (*p)->user_data).utf8;
        return CommandStatus::ESME_ROK;
    }
    if (part == nullptr) {
        return (*p)->ref.kind == ConcatRefKind::sar ? CommandStatus::ESME_RINVOPTPARAMVAL
                                                    : CommandStatus::ESME_RINVESMCLASS;
    }
    *part = std::move(*p);
    return CommandStatus::ESME_ROK;
}

template <class Body>
router::SubmitRequest base_request(const Body& b, const SmppFrontendAccount& account,
                                   std::string_view system_id, const SubmitTiming& timing) {
    router::SubmitRequest r;
    r.client = account.client.empty() ? std::string(system_id) : account.client;
    r.sender = std::string(sender_of(account, b.source_addr));
    r.priority = to_priority(b.priority_flag);
    r.validity = timing.validity;
    r.schedule_at = timing.schedule_at;
    r.tags.emplace_back("smpp");
    const auto reg = static_cast<std::uint8_t>(b.registered_delivery & 0x03);
    if (reg == 1 || reg == 2) {
        r.tags.push_back(std::string(kDlrTag) + std::string(system_id) + ":" + std::to_string(reg));
    }
    return r;
}

// A destination with TON 1 (international) carries the country code without the "+" on the
// wire (SMPP 3.4, 5.2.5); the router takes E.164, so the "+" is added here. Other TONs pass as
// given and the router's default region applies.
std::string destination_number(std::uint8_t ton, std::string_view addr) {
    if (ton == 1 && !addr.empty() && addr.front() != '+') return "+" + std::string(addr);
    return std::string(addr);
}

// `part`: where a concatenated part goes (requests[0] is then its base, text empty); null: refused.
// `now`: the wall clock that schedule_delivery_time / validity_period are read against.
Converted convert(const smpp::Pdu& request, const SmppFrontendAccount& account,
                  std::string_view system_id, std::optional<SubmitPart>* part,
                  router::SystemTime now, const SubmitTimingLimits& limits) {
    Converted c;
    std::string text;
    if (const auto* sm = request.get_if<smpp::SubmitSm>()) {
        if (!sender_allowed(account, sm->source_addr))
            return {CommandStatus::ESME_RINVSRCADR, {}, {}};
        const auto timing =
            submit_timing(sm->schedule_delivery_time, sm->validity_period, now, limits);
        if (!timing) return {timing.error(), {}, {}};
        c.status =
            part_or_text(sm->data_coding, sm->esm_class, sm->short_message, sm->tlvs, part, text);
        if (c.status != CommandStatus::ESME_ROK) return c;
        auto r = base_request(*sm, account, system_id, *timing);
        r.destination = destination_number(sm->dest_addr_ton, sm->destination_addr);
        r.text = std::move(text);
        c.requests.push_back(std::move(r));
    } else if (const auto* dm = request.get_if<smpp::DataSm>()) {
        if (!sender_allowed(account, dm->source_addr))
            return {CommandStatus::ESME_RINVSRCADR, {}, {}};
        c.status = part_or_text(dm->data_coding, dm->esm_class, {}, dm->tlvs, part, text);
        if (c.status != CommandStatus::ESME_ROK) return c;
        router::SubmitRequest r;
        r.client = account.client.empty() ? std::string(system_id) : account.client;
        r.sender = std::string(sender_of(account, dm->source_addr));
        r.destination = destination_number(dm->dest_addr_ton, dm->destination_addr);
        r.text = std::move(text);
        r.validity = data_sm_timing(dm->tlvs.qos_time_to_live(), limits).validity;
        r.tags.emplace_back("smpp");
        const auto reg = static_cast<std::uint8_t>(dm->registered_delivery & 0x03);
        if (reg == 1 || reg == 2) {
            r.tags.push_back(std::string(kDlrTag) + std::string(system_id) + ":" +
                             std::to_string(reg));
        }
        c.requests.push_back(std::move(r));
    } else if (const auto* mm = request.get_if<smpp::SubmitMulti>()) {
        if (!sender_allowed(account, mm->source_addr))
            return {CommandStatus::ESME_RINVSRCADR, {}, {}};
        const auto timing =
            submit_timing(mm->schedule_delivery_time, mm->validity_period, now, limits);
        if (!timing) return {timing.error(), {}, {}};
        // A concatenated part (with a PartStore) is held once per destination: `part` set, texts
        // empty.
        c.status =
            part_or_text(mm->data_coding, mm->esm_class, mm->short_message, mm->tlvs, part, text);
        if (c.status != CommandStatus::ESME_ROK) return c;
        for (const auto& d : mm->dest_addresses) {
            // Distribution lists are an SMSC-side address book Bindery does not keep.
            if (d.dest_flag != smpp::DestFlag::sme_address)
                return {CommandStatus::ESME_RINVDSTADR, {}, {}};
            auto r = base_request(*mm, account, system_id, *timing);
            r.destination = destination_number(d.dest_addr_ton, d.destination_addr);
            r.text = text;
            c.requests.push_back(std::move(r));
            c.destinations.push_back(
                {d.dest_addr_ton, d.dest_addr_npi, std::string(d.destination_addr)});
        }
        if (c.requests.empty()) return {CommandStatus::ESME_RINVNUMDESTS, {}, {}};
    } else {
        c.status = CommandStatus::ESME_RINVCMDID;
    }
    return c;
}

std::optional<smpp::MessageState> receipt_state(router::MessageState s) noexcept {
    switch (s) {
        case router::MessageState::delivered: return smpp::MessageState::delivered;
        case router::MessageState::expired: return smpp::MessageState::expired;
        case router::MessageState::rejected: return smpp::MessageState::rejected;
        case router::MessageState::undeliverable:
        case router::MessageState::failed_perm:
        case router::MessageState::dead_letter: return smpp::MessageState::undeliverable;
        case router::MessageState::cancelled: return smpp::MessageState::deleted;
        default: return std::nullopt;
    }
}

// "smpp-dlr:<system_id>:<1|2>" -> (system_id, registered_delivery)
std::optional<std::pair<std::string, int>> dlr_tag(const router::Message& m) {
    for (const auto& t : m.tags) {
        if (t.size() < kDlrTag.size() + 3 || t.compare(0, kDlrTag.size(), kDlrTag) != 0) continue;
        const auto colon = t.rfind(':');
        if (colon <= kDlrTag.size()) continue;
        return std::pair{t.substr(kDlrTag.size(), colon - kDlrTag.size()), t.back() == '2' ? 2 : 1};
    }
    return std::nullopt;
}

// The part ids of a combined message ("smpp-parts:<id>,<id>,..."); empty for other messages.
std::vector<std::string> part_ids(const router::Message& m) {
    std::vector<std::string> out;
    for (const auto& t : m.tags) {
        if (!t.starts_with(kPartsTag)) continue;
        std::string_view rest(t);
        rest.remove_prefix(kPartsTag.size());
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto id = rest.substr(0, comma);
            if (!id.empty()) out.emplace_back(id);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return out;
}

}  // namespace

SmppFrontendConfig to_smpp_frontend_config(const SmppServerConfig& config,
                                           const std::vector<ClientConfig>& clients) {
    SmppFrontendConfig out;
    auto& s = out.server;
    s.listen.host = config.listen.host;
    s.listen.port = config.listen.port;
    if (config.tls.enabled) {
        s.listen.tls.enabled = true;
        s.listen.tls.cert_file = config.tls.cert_file;
        s.listen.tls.key_file = config.tls.key_file;
        s.listen.tls.ca_file = config.tls.client_ca_file;
        s.listen.tls.verify_peer = !config.tls.client_ca_file.empty();
    }
    s.listen.connection.name = "smpp-in";
    s.system_id = config.system_id;
    s.session.bind_timeout = config.bind_timeout;
    s.session.enquire_link_interval = config.enquire_link_interval;
    s.session.inactivity_timeout = config.inactivity_timeout;
    s.session.response_timeout = config.response_timeout;
    out.concat.timeout = std::chrono::duration_cast<std::chrono::seconds>(config.concat.timeout);
    if (out.concat.timeout < std::chrono::seconds(1)) out.concat.timeout = std::chrono::seconds(1);
    out.concat.max_messages = config.concat.max_messages;
    out.concat.max_parts = config.concat.max_parts;
    std::size_t max_window = 1;
    for (const auto& a : config.accounts) {
        smpp::ServerAccount acc;
        acc.system_id = a.system_id;
        acc.password_hash =
            a.password.is_set() ? smpp::hash_password(a.password.reveal()) : a.password_hash;
        acc.max_binds = a.max_binds;
        acc.window = a.window;
        acc.max_tps = a.max_tps;
        acc.bind_types.clear();
        for (const auto t : a.bind_types) {
            acc.bind_types.push_back(t == BindType::tx   ? smpp::BindType::transmitter
                                     : t == BindType::rx ? smpp::BindType::receiver
                                                         : smpp::BindType::transceiver);
        }
        max_window = std::max<std::size_t>(max_window, a.window);
        s.accounts.push_back(std::move(acc));
        SmppFrontendAccount account{a.client, a.allowed_senders};
        const auto client = std::find_if(
            clients.begin(), clients.end(),
            [&](const ClientConfig& c) { return !a.client.empty() && c.name == a.client; });
        if (client != clients.end()) account.default_sender = client->default_sender;
        out.accounts.emplace(a.system_id, std::move(account));
    }
    // The session's own limit sits above every account's: the account window answers
    // ESME_RTHROTTLED first.
    s.session.incoming_window = max_window + 1;
    return out;
}

SmppFrontend::SmppFrontend(asio::any_io_executor executor, SmppFrontendConfig config,
                           router::GatewayApi& api, router::PartStore* parts)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      api_(api),
      queries_(executor_, api_) {
    server_ = std::make_shared<smpp::SmppServer>(executor_, config_.server, *this);
    if (parts != nullptr) {
        concat_ = std::make_unique<SmppConcat>(
            *parts, api_, config_.concat, [this](const FailedConcat& f) { on_concat_failed(f); });
        // query_sm / cancel_sm by a part id act on the message its parts went into.
        queries_.set_resolver([this](const router::MessageId& id) { return message_of_part(id); });
    }
}

SmppFrontend::~SmppFrontend() { stop(); }

void SmppFrontend::start() {
    if (concat_) concat_->start();
    // One thread: an ESME's submits reach the router in the order they arrived.
    batcher_.emplace(api_, router::SubmitBatcherConfig{
                               .threads = 1,
                               .max_batch = config_.max_batch,
                               .max_pending = config_.max_pending,
                               .pending_unit = router::PendingUnit::submits,
                               .on_exception = [](const std::exception& e) {
                                   spdlog::error("smpp.server submit failed: {}", e.what());
                               }});
    queries_.start();
    server_->start();
}

void SmppFrontend::stop() {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    asio::post(executor_, [server = server_] { server->stop(); });
    if (batcher_) batcher_->stop();  // answers what is queued, then joins
    queries_.stop();
    if (concat_) concat_->stop();
}

std::uint16_t SmppFrontend::port() const { return server_->port(); }

SmppFrontendStats SmppFrontend::stats() const {
    const std::lock_guard lock(mutex_);
    auto s = stats_;
    s.receipts_delivered = receipts_->delivered.load();
    s.receipts_given_up = receipts_->given_up.load();
    if (concat_) s.concat = concat_->stats();
    return s;
}

std::optional<router::MessageId> SmppFrontend::message_of_part(const router::MessageId& part) {
    return concat_ ? concat_->message_of(part) : std::nullopt;
}

void SmppFrontend::on_submit(const smpp::SubmitOrigin& origin, const smpp::Pdu& request,
                             smpp::SubmitResponder respond) {
    static const SmppFrontendAccount kNone{};
    const auto it = config_.accounts.find(origin.account);
    const auto& account = it == config_.accounts.end() ? kNone : it->second;
    std::optional<SubmitPart> part;
    auto converted = convert(request, account, origin.account, concat_ ? &part : nullptr,
                             router::SystemClock::now(), config_.timing);
    if (converted.status == CommandStatus::ESME_ROK && part && !converted.destinations.empty()) {
        return add_multi_part(origin.account, std::move(converted.requests),
                              std::move(converted.destinations), *part, std::move(respond));
    }
    if (converted.status == CommandStatus::ESME_ROK && part) {
        // A concatenated part: SmppConcat stores it and answers with the part's id.
        const bool queued = concat_->add(
            std::string(origin.account), std::move(converted.requests.front()), std::move(*part),
            [executor = executor_, respond](PartAnswer a) {
                asio::post(executor,
                           [respond, a = std::move(a)] { respond(a.status, a.message_id); });
            });
        if (queued) {
            const std::lock_guard lock(mutex_);
            ++stats_.submits;
            return;
        }
        converted.status = CommandStatus::ESME_RMSGQFUL;  // counted as refused below
    }
    if (converted.status != CommandStatus::ESME_ROK) {
        {
            const std::lock_guard lock(mutex_);
            ++stats_.refused;
        }
        respond(converted.status, {});
        return;
    }
    const std::lock_guard lock(mutex_);
    // The batcher refuses past max_pending PDUs (or once stopped); the answer is then a throttle.
    if (!stopping_ && batcher_ &&
        batcher_->submit(std::move(converted.requests),
                         [this, respond, destinations = std::move(converted.destinations)](
                             const std::vector<router::SubmitRequest>&,
                             std::vector<router::SubmitOutcome> outcomes) mutable {
                             answer(respond, destinations, outcomes);
                         })) {
        ++stats_.submits;
        return;
    }
    ++stats_.refused;
    respond(CommandStatus::ESME_RMSGQFUL, {});
}

void SmppFrontend::add_multi_part(std::string_view account,
                                  std::vector<router::SubmitRequest> requests,
                                  std::vector<Destination> destinations, const SubmitPart& part,
                                  smpp::SubmitResponder respond) {
    // One held message per destination (SmppConcat keys by destination), each part answered with
    // its own id; the submit_multi_resp waits for every destination's answer. All on the strand:
    // the answers are posted to it, so they run after this loop.
    struct Pending {
        std::vector<Destination> destinations;
        std::vector<PartAnswer> answers;
        std::size_t waiting = 0;
        smpp::SubmitResponder respond;
    };
    auto pending = std::make_shared<Pending>();
    pending->answers.resize(requests.size());
    pending->destinations = std::move(destinations);
    pending->waiting = requests.size();
    pending->respond = std::move(respond);
    // As answer(): ESME_ROK with the first accepted destination's part id when any was accepted,
    // else the first refusal; every refused destination in unsuccess_sme.
    const auto finish = [](Pending& p) {
        CommandStatus status = CommandStatus::ESME_ROK;
        std::string id;
        std::vector<smpp::UnsuccessSme> unsuccess;
        for (std::size_t i = 0; i < p.answers.size(); ++i) {
            const auto& a = p.answers[i];
            if (a.status == CommandStatus::ESME_ROK) {
                if (id.empty()) id = a.message_id;
                continue;
            }
            if (unsuccess.empty()) status = a.status;
            unsuccess.push_back({p.destinations[i].ton, p.destinations[i].npi,
                                 p.destinations[i].address, a.status});
        }
        if (!id.empty()) status = CommandStatus::ESME_ROK;
        p.respond(status, id, unsuccess);
    };
    std::size_t queued = 0;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const bool ok =
            concat_->add(std::string(account), std::move(requests[i]), part,
                         [executor = executor_, pending, i, finish](PartAnswer a) {
                             asio::post(executor, [pending, i, finish, a = std::move(a)]() mutable {
                                 pending->answers[i] = std::move(a);
                                 if (--pending->waiting == 0) finish(*pending);
                             });
                         });
        if (ok) {
            ++queued;
        } else {
            pending->answers[i] = PartAnswer{CommandStatus::ESME_RMSGQFUL, {}};
            --pending->waiting;
        }
    }
    {
        const std::lock_guard lock(mutex_);
        ++(queued > 0 ? stats_.submits : stats_.refused);
    }
    if (pending->waiting == 0) finish(*pending);
}

void SmppFrontend::on_query(const smpp::SubmitOrigin& origin, const smpp::Pdu& request,
                            smpp::QueryResponder respond) {
    const auto it = config_.accounts.find(origin.account);
    std::string client = it == config_.accounts.end() || it->second.client.empty()
                             ? std::string(origin.account)
                             : it->second.client;
    queries_.handle(std::move(client), request, std::move(respond));
}

void SmppFrontend::answer(smpp::SubmitResponder& respond, std::vector<Destination>& destinations,
                          std::span<const router::SubmitOutcome> outcomes) {
    CommandStatus status = CommandStatus::ESME_RSYSERR;
    std::string id;
    std::size_t accepted = 0;
    // submit_multi: every destination not accepted goes back in submit_multi_resp's unsuccess_sme
    // list with its own error_status_code (SMPP 3.4 4.5.2).
    std::vector<Destination> refused;
    std::vector<CommandStatus> refused_status;
    const bool multi = !destinations.empty() && destinations.size() == outcomes.size();
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const auto& o = outcomes[i];
        if (o) {
            if (accepted++ == 0) id = o->id.to_string();
            continue;
        }
        const auto code = to_command_status(o.error().code);
        if (accepted == 0 && status == CommandStatus::ESME_RSYSERR) status = code;
        if (multi) {
            refused.push_back(std::move(destinations[i]));
            refused_status.push_back(code);
        }
    }
    // Answered ESME_ROK with the first message's id once any destination was accepted (each
    // accepted one has its own receipt); none accepted: the first refusal's status.
    if (accepted > 0) status = CommandStatus::ESME_ROK;
    if (accepted > 0 && accepted < outcomes.size()) {
        spdlog::info("smpp.server submit_multi: {} of {} destinations refused",
                     outcomes.size() - accepted, outcomes.size());
    }
    {
        const std::lock_guard lock(mutex_);
        stats_.accepted += accepted;
        if (accepted == 0) ++stats_.refused;
    }
    asio::post(executor_,
               [respond = std::move(respond), status, id = std::move(id),
                refused = std::move(refused), refused_status = std::move(refused_status)] {
                   std::vector<smpp::UnsuccessSme> unsuccess;
                   unsuccess.reserve(refused.size());
                   for (std::size_t i = 0; i < refused.size(); ++i) {
                       unsuccess.push_back(
                           {refused[i].ton, refused[i].npi, refused[i].address, refused_status[i]});
                   }
                   respond(status, id, unsuccess);
               });
}

smpp::ShortMessageData SmppFrontend::receipt_for(const router::Message& m,
                                                 const router::MessageEvent& event,
                                                 std::string_view part_id) {
    const auto state = receipt_state(event.to).value_or(smpp::MessageState::unknown);
    const std::string id = part_id.empty() ? m.id.to_string() : std::string(part_id);
    const bool delivered = state == smpp::MessageState::delivered;
    smpp::ShortMessageData d;
    // The receipt goes from the handset to the ESME's sender.
    d.source_addr_ton = 1;
    d.source_addr_npi = 1;
    d.source_addr = !m.destination.empty() && m.destination.front() == '+' ? m.destination.substr(1)
                                                                           : m.destination;
    d.destination_addr = m.sender;
    d.esm_class = 0x04;  // SMSC delivery receipt
    smpp::Receipt r;
    r.id = id;
    r.sub = 1;
    r.dlvrd = delivered ? 1 : 0;
    r.submit_date = smpp::receipt_date(m.accepted_at);
    r.done_date = smpp::receipt_date(event.at);
    r.state = state;
    r.err = delivered ? "000" : "001";
    r.text = std::string(smpp::receipt_text_of(m.text));
    const auto body = smpp::build_receipt(r);
    d.short_message.assign(body.begin(), body.end());
    d.tlvs = smpp::make_receipt_tlvs(r);
    return d;
}

std::optional<std::string> SmppFrontend::receipt_account(const router::Message& message,
                                                         router::MessageState to) {
    if (!receipt_state(to)) return std::nullopt;
    auto target = dlr_tag(message);
    if (!target) return std::nullopt;
    if (target->second == 2 && to == router::MessageState::delivered)
        return std::nullopt;  // failures only
    return std::move(target->first);
}

std::vector<std::string> SmppFrontend::receipt_ids(const router::Message& message) {
    auto parts = part_ids(message);
    if (parts.empty()) parts.push_back(message.id.to_string());
    return parts;
}

void SmppFrontend::on_transition(const router::Message& message,
                                 const router::MessageEvent& event) {
    const auto account = receipt_account(message, event.to);
    if (!account) return;
    if (receipt_route_) return receipt_route_(message, event);
    // Concatenated submits: one receipt for each part id the ESME was given.
    const auto parts = part_ids(message);
    for (const auto& id : parts) send_receipt(message, event, id, *account);
    if (parts.empty()) send_receipt(message, event, {}, *account);
}

void SmppFrontend::send_receipt(const router::Message& message, const router::MessageEvent& event,
                                std::string_view part_id, const std::string& account) {
    auto data = receipt_for(message, event, part_id);
    {
        const std::lock_guard lock(mutex_);
        ++stats_.receipts_queued;
    }
    // The deliver callback may outlive this object (the server's queue is drained on its strand):
    // it holds the server, not `this`, and counts through a shared block.
    asio::post(executor_, [server = server_, receipts = receipts_, account, data = std::move(data),
                           id = part_id.empty() ? message.id.to_string()
                                                : std::string(part_id)]() mutable {
        server->deliver(
            account, std::move(data), [receipts, account, id](const smpp::DeliverReport& r) {
                if (r.delivered) {
                    ++receipts->delivered;
                    return;
                }
                ++receipts->given_up;
                spdlog::warn(
                    "smpp.server receipt given up message_id={} system_id={} attempts={} reason={}",
                    id, account, r.attempts,
                    r.expired ? "deliver_timeout" : std::string(smpp::to_string(r.status)));
            });
    });
}

void SmppFrontend::on_concat_failed(const FailedConcat& failed) {
    // A combined message that will not be sent: each part id gets the failure receipt (when the
    // ESME asked for receipts: its smpp-dlr tag is in `failed.tags`).
    router::Message m;
    m.sender = failed.sender;
    m.destination = failed.destination;
    m.text = failed.text;
    m.tags = failed.tags;
    m.accepted_at = failed.first_at;
    router::MessageEvent e;
    e.to = failed.state;
    e.at = router::SystemClock::now();
    e.detail = failed.reason;
    for (const auto& id : failed.part_ids) {
        m.id = id;
        on_transition(m, e);
    }
}

}  // namespace bindery::app
