#include "app/config_dump.hpp"

#include <cstdio>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "app/config_values.hpp"

namespace bindery::app {

namespace {

constexpr const char* kRedacted = "REDACTED";  // 8 characters: still a valid SMPP password
constexpr std::string_view kDefaultSuffix = " (default)";

std::string number(double v) {
    std::ostringstream out;
    out.precision(17);
    out << v;
    return out.str();
}

class Dumper {
public:
    YAML::Emitter out;

    void key(const char* k) { out << YAML::Key << k << YAML::Value; }
    void str(const char* k, const std::string& v) {
        key(k);
        out << YAML::DoubleQuoted << v;
    }
    void opt_str(const char* k, const std::string& v) {
        if (!v.empty()) str(k, v);
    }
    template <class T>
    void integer(const char* k, T v) {
        key(k);
        out << static_cast<long long>(v);
    }
    void real(const char* k, double v) {
        key(k);
        out << number(v);
    }
    void boolean(const char* k, bool v) {
        key(k);
        out << (v ? "true" : "false");
    }
    void duration(const char* k, Millis v) {
        key(k);
        out << format_duration(v);
    }
    void address(const char* k, const Address& a) {
        key(k);
        out << YAML::DoubleQuoted << a.to_string();
    }
    void strings(const char* k, const std::vector<std::string>& v) {
        key(k);
        out << YAML::Flow << YAML::BeginSeq;
        for (const auto& s : v) out << YAML::DoubleQuoted << s;
        out << YAML::EndSeq;
    }
    void string_map(const char* k, const std::map<std::string, std::string>& m) {
        key(k);
        out << YAML::Flow << YAML::BeginMap;
        for (const auto& [name, value] : m)
            out << YAML::Key << YAML::DoubleQuoted << name << YAML::Value << YAML::DoubleQuoted
                << value;
        out << YAML::EndMap;
    }
    void secret(const char* k, const Secret& s) {
        switch (s.source()) {
            case Secret::Source::none: return;
            case Secret::Source::inline_value: str(k, kRedacted); return;
            case Secret::Source::file:
                key(k);
                out << YAML::Flow << YAML::BeginMap << YAML::Key << "file" << YAML::Value
                    << YAML::DoubleQuoted << s.origin() << YAML::EndMap;
                return;
            case Secret::Source::env: {
                std::string name = s.origin();
                const bool defaulted = name.size() > kDefaultSuffix.size() &&
                                       name.compare(name.size() - kDefaultSuffix.size(),
                                                    kDefaultSuffix.size(), kDefaultSuffix) == 0;
                if (defaulted) name.resize(name.size() - kDefaultSuffix.size());
                key(k);
                out << YAML::Flow << YAML::BeginMap << YAML::Key << "env" << YAML::Value << name;
                if (defaulted)
                    out << YAML::Key << "default" << YAML::Value << YAML::DoubleQuoted << kRedacted;
                out << YAML::EndMap;
                return;
            }
        }
    }
    void server_tls(const ServerTlsConfig& t) {
        if (!t.enabled && t.cert_file.empty()) return;
        key("tls");
        out << YAML::BeginMap;
        boolean("enabled", t.enabled);
        opt_str("cert_file", t.cert_file);
        opt_str("key_file", t.key_file);
        opt_str("client_ca_file", t.client_ca_file);
        out << YAML::EndMap;
    }
    void client_tls(const ClientTlsConfig& t) {
        if (!t.enabled) return;
        key("tls");
        out << YAML::BeginMap;
        boolean("enabled", t.enabled);
        opt_str("ca_file", t.ca_file);
        boolean("verify", t.verify);
        opt_str("server_name", t.server_name);
        out << YAML::EndMap;
    }
};

template <class E, std::size_t N>
const char* name_of(E value, const char* const (&names)[N]) {
    const auto i = static_cast<std::size_t>(value);
    return i < N ? names[i] : "?";
}

const char* const kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
const char* const kFormats[] = {"human", "json"};
const char* const kSync[] = {"off", "normal", "full"};
const char* const kBindTypes[] = {"trx", "tx", "rx"};
const char* const kCarrierBindTypes[] = {"trx", "tx", "rx", "tx_rx_pair"};
const char* const kSegmentation[] = {"udh8", "udh16", "sar", "payload"};
const char* const kIdFormats[] = {"auto", "as_is", "hex", "decimal"};
const char* const kDefaultAlphabets[] = {"gsm7", "ia5", "latin1"};
const char* const kForcedAlphabets[] = {"gsm7", "ia5", "latin1", "ucs2", "binary"};
const char* const kPackings[] = {"unpacked", "packed"};
const char* const kValidityFormats[] = {"relative", "absolute", "none"};

// "+03:30" / "-05:00" (config_loader's receipt_utc_offset form).
std::string format_utc_offset(std::chrono::minutes offset) {
    const auto total = offset.count();
    const auto magnitude = total < 0 ? -total : total;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", total < 0 ? '-' : '+',
                  static_cast<long long>(magnitude / 60), static_cast<long long>(magnitude % 60));
    return buf;
}
const char* const kMethods[] = {"GET", "POST", "PUT"};

void dump_carrier(Dumper& d, const CarrierConfig& c) {
    auto& out = d.out;
    out << YAML::BeginMap;
    d.str("name", c.name);
    d.boolean("enabled", c.enabled);
    if (const auto* s = std::get_if<SmppCarrierConfig>(&c.settings)) {
        d.str("kind", "smpp");
        d.address("address", s->address);
        d.str("system_id", s->system_id);
        d.secret("password", s->password);
        d.str("system_type", s->system_type);
        d.str("bind_type", name_of(s->bind_type, kCarrierBindTypes));
        d.integer("count", s->count);
        d.integer("window", s->window);
        d.integer("incoming_window", s->incoming_window);
        d.real("max_tps", s->max_tps);
        d.integer("burst", s->burst);
        d.duration("bind_timeout", s->bind_timeout);
        d.duration("response_timeout", s->response_timeout);
        d.duration("enquire_link_interval", s->enquire_link_interval);
        d.key("reconnect");
        out << YAML::Flow << YAML::BeginMap;
        d.duration("initial", s->reconnect.initial);
        d.duration("max", s->reconnect.max);
        d.real("multiplier", s->reconnect.multiplier);
        out << YAML::EndMap;
        if (s->source_addr_ton) d.integer("source_addr_ton", *s->source_addr_ton);
        if (s->source_addr_npi) d.integer("source_addr_npi", *s->source_addr_npi);
        d.integer("dest_addr_ton", s->dest_addr_ton);
        d.integer("dest_addr_npi", s->dest_addr_npi);
        d.str("default_alphabet", name_of(s->default_alphabet, kDefaultAlphabets));
        d.boolean("allow_ia5", s->allow_ia5);
        d.boolean("allow_latin1", s->allow_latin1);
        if (s->force_alphabet)
            d.str("force_alphabet", name_of(*s->force_alphabet, kForcedAlphabets));
        d.str("gsm7_packing", name_of(s->gsm7_packing, kPackings));
        d.boolean("transliterate", s->transliterate);
        d.boolean("keep_clusters", s->keep_clusters);
        d.integer("max_segments", s->max_segments);
        d.str("segmentation", name_of(s->segmentation, kSegmentation));
        d.boolean("registered_delivery", s->registered_delivery);
        d.str("message_id_format", name_of(s->message_id_format, kIdFormats));
        d.str("validity_format", name_of(s->validity_format, kValidityFormats));
        d.opt_str("service_type", s->service_type);
        d.integer("protocol_id", s->protocol_id);
        d.boolean("priority_express", s->priority_express);
        d.str("receipt_utc_offset", format_utc_offset(s->receipt_utc_offset));
        d.boolean("reassemble_mo", s->reassemble_mo);
        d.key("mo_reassembly");
        out << YAML::Flow << YAML::BeginMap;
        d.duration("timeout", s->mo_reassembly.timeout);
        d.integer("max_messages", s->mo_reassembly.max_messages);
        d.integer("max_parts", s->mo_reassembly.max_parts);
        d.integer("max_bytes", s->mo_reassembly.max_bytes);
        out << YAML::EndMap;
        d.client_tls(s->tls);
    } else if (const auto* k = std::get_if<KavenegarCarrierConfig>(&c.settings)) {
        d.str("kind", "kavenegar");
        d.str("base_url", k->base_url);
        d.secret("api_key", k->api_key);
        d.opt_str("sender", k->sender);
        d.real("rate", k->rate);
        d.integer("concurrency", k->concurrency);
        d.duration("timeout", k->timeout);
        d.integer("batch", k->batch);
        d.boolean("poll_status", k->poll_status);
        d.duration("status_interval", k->status_interval);
        d.duration("status_max_interval", k->status_max_interval);
        d.duration("status_give_up", k->status_give_up);
        d.client_tls(k->tls);
    } else if (const auto* h = std::get_if<HttpCarrierConfig>(&c.settings)) {
        d.str("kind", "http");
        d.str("method", name_of(h->method, kMethods));
        d.str("url", h->url);
        d.opt_str("body", h->body);
        d.str("content_type", h->content_type);
        d.string_map("headers", h->headers);
        d.secret("auth_token", h->auth_token);
        d.secret("secret", h->secret);
        d.key("success_status");
        out << YAML::Flow << YAML::BeginSeq;
        for (auto code : h->success_status) out << code;
        out << YAML::EndSeq;
        d.opt_str("message_id_pointer", h->message_id_pointer);
        d.str("auth_header", h->auth_header);
        d.str("auth_scheme", h->auth_scheme);
        d.opt_str("success_pointer", h->success_pointer);
        if (!h->success_values.empty()) {
            d.key("success_values");
            out << YAML::Flow << YAML::BeginSeq;
            for (const auto& v : h->success_values) out << v;
            out << YAML::EndSeq;
        }
        d.opt_str("error_code_pointer", h->error_code_pointer);
        if (!h->status_map.empty()) d.string_map("status_map", h->status_map);
        d.real("rate", h->rate);
        d.integer("concurrency", h->concurrency);
        d.duration("timeout", h->timeout);
        d.client_tls(h->tls);
    }
    d.key("breaker");
    out << YAML::Flow << YAML::BeginMap;
    d.integer("window", c.breaker.window);
    d.integer("min_samples", c.breaker.min_samples);
    d.real("error_rate", c.breaker.error_rate);
    d.integer("consecutive_timeouts", c.breaker.consecutive_timeouts);
    d.duration("open_for", c.breaker.open_for);
    d.integer("probe_successes", c.breaker.probe_successes);
    out << YAML::EndMap;
    out << YAML::EndMap;
}

}  // namespace

std::string dump_config(const Config& c) {
    Dumper d;
    auto& out = d.out;
    out << YAML::BeginMap;
    d.integer("version", 1);

    d.key("process");
    out << YAML::BeginMap;
    d.str("node_id", c.process.node_id);
    d.integer("io_threads", c.process.io_threads);
    d.duration("drain_timeout", c.process.drain_timeout);
    d.opt_str("ready_file", c.process.ready_file);
    out << YAML::EndMap;

    d.key("logging");
    out << YAML::BeginMap;
    d.str("level", name_of(c.logging.level, kLevels));
    d.str("format", name_of(c.logging.format, kFormats));
    d.opt_str("file", c.logging.file);
    out << YAML::EndMap;

    d.key("store");
    out << YAML::BeginMap;
    d.str("path", c.store.path);
    d.str("synchronous", name_of(c.store.synchronous, kSync));
    d.duration("retention", c.store.retention);
    d.duration("busy_timeout", c.store.busy_timeout);
    d.duration("commit_interval", c.store.commit_interval);
    d.boolean("record_dispatch", c.store.record_dispatch);
    out << YAML::EndMap;

    d.key("http");
    out << YAML::BeginMap;
    d.boolean("enabled", c.http.enabled);
    d.address("listen", c.http.listen);
    d.server_tls(c.http.tls);
    d.integer("body_limit", c.http.body_limit);
    d.duration("read_timeout", c.http.read_timeout);
    d.duration("idle_timeout", c.http.idle_timeout);
    d.integer("max_connections", c.http.max_connections);
    d.integer("workers", c.http.workers);
    d.key("callbacks");
    out << YAML::BeginMap;
    d.boolean("on_sent", c.http.callbacks.on_sent);
    d.duration("timeout", c.http.callbacks.timeout);
    d.integer("max_in_flight", c.http.callbacks.max_in_flight);
    d.duration("initial_backoff", c.http.callbacks.initial_backoff);
    d.duration("max_backoff", c.http.callbacks.max_backoff);
    d.duration("max_age", c.http.callbacks.max_age);
    d.integer("max_attempts", c.http.callbacks.max_attempts);
    out << YAML::EndMap;
    d.secret("admin_key", c.http.admin_key);
    out << YAML::EndMap;

    const auto& s = c.smpp_server;
    d.key("smpp_server");
    out << YAML::BeginMap;
    d.boolean("enabled", s.enabled);
    d.address("listen", s.listen);
    d.server_tls(s.tls);
    d.str("system_id", s.system_id);
    d.integer("max_connections", s.max_connections);
    d.duration("bind_timeout", s.bind_timeout);
    d.duration("enquire_link_interval", s.enquire_link_interval);
    d.duration("inactivity_timeout", s.inactivity_timeout);
    d.duration("response_timeout", s.response_timeout);
    d.key("concat");
    out << YAML::BeginMap;
    d.duration("timeout", s.concat.timeout);
    d.integer("max_messages", s.concat.max_messages);
    d.integer("max_parts", s.concat.max_parts);
    out << YAML::EndMap;
    d.key("accounts");
    out << YAML::BeginSeq;
    for (const auto& a : s.accounts) {
        out << YAML::BeginMap;
        d.str("system_id", a.system_id);
        if (!a.password_hash.empty())
            d.str("password_hash", a.password_hash);
        else
            d.secret("password", a.password);
        d.integer("max_binds", a.max_binds);
        d.integer("window", a.window);
        d.real("max_tps", a.max_tps);
        d.key("bind_types");
        out << YAML::Flow << YAML::BeginSeq;
        for (auto t : a.bind_types) out << name_of(t, kBindTypes);
        out << YAML::EndSeq;
        d.strings("allowed_senders", a.allowed_senders);
        d.opt_str("client", a.client);
        if (a.delivery_expiry) d.duration("delivery_expiry", *a.delivery_expiry);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    d.key("deliveries");
    out << YAML::BeginMap;
    d.duration("expiry", s.deliveries.expiry);
    d.duration("retry_initial", s.deliveries.retry_initial);
    d.duration("retry_max", s.deliveries.retry_max);
    d.integer("max_in_flight", s.deliveries.max_in_flight);
    out << YAML::EndMap;
    d.key("mo_routes");
    out << YAML::BeginSeq;
    for (const auto& r : s.mo_routes) {
        out << YAML::BeginMap;
        if (!r.destination.empty())
            d.str("destination", r.destination);
        else
            d.str("prefix", r.prefix);
        d.opt_str("carrier", r.carrier);
        d.str("account", r.account);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::EndMap;

    d.key("carriers");
    out << YAML::BeginSeq;
    for (const auto& carrier : c.carriers) dump_carrier(d, carrier);
    out << YAML::EndSeq;

    d.key("routes");
    out << YAML::BeginSeq;
    for (const auto& r : c.routes) {
        out << YAML::BeginMap;
        d.str("name", r.name);
        d.key("match");
        out << YAML::BeginMap;
        d.strings("prefixes", r.match.prefixes);
        d.strings("countries", r.match.countries);
        d.strings("senders", r.match.senders);
        d.strings("clients", r.match.clients);
        d.key("priorities");
        out << YAML::Flow << YAML::BeginSeq;
        for (auto p : r.match.priorities) out << p;
        out << YAML::EndSeq;
        d.strings("tags", r.match.tags);
        out << YAML::EndMap;
        d.key("providers");
        out << YAML::BeginSeq;
        for (const auto& p : r.providers) {
            out << YAML::Flow << YAML::BeginMap;
            d.str("carrier", p.carrier);
            d.integer("weight", p.weight);
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
        d.strings("failover", r.failover);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;

    d.key("clients");
    out << YAML::BeginSeq;
    for (const auto& cl : c.clients) {
        out << YAML::BeginMap;
        d.str("name", cl.name);
        if (!cl.api_key_hash.empty())
            d.str("api_key_hash", cl.api_key_hash);
        else
            d.secret("api_key", cl.api_key);
        d.strings("allowed_senders", cl.allowed_senders);
        d.opt_str("default_sender", cl.default_sender);
        d.real("rate", cl.rate);
        d.integer("burst", cl.burst);
        d.opt_str("callback_url", cl.callback_url);
        if (cl.callback_secret.is_set()) d.secret("callback_secret", cl.callback_secret);
        if (cl.credit) d.integer("credit", *cl.credit);
        if (cl.capture) d.str("capture", *cl.capture == CaptureMode::sent ? "sent" : "delivered");
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;

    d.key("credits");
    out << YAML::BeginMap;
    d.opt_str("currency", c.credits.currency);
    d.str("capture", c.credits.capture == CaptureMode::sent ? "sent" : "delivered");
    d.integer("default_price", c.credits.default_price);
    d.key("prices");
    out << YAML::BeginSeq;
    for (const auto& p : c.credits.prices) {
        out << YAML::Flow << YAML::BeginMap;
        if (!p.prefix.empty()) d.str("prefix", p.prefix);
        if (!p.route.empty()) d.str("route", p.route);
        d.integer("price", p.price);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::EndMap;

    const auto& al = c.alerting;
    d.key("alerting");
    out << YAML::BeginMap;
    d.boolean("enabled", al.enabled);
    d.str("path", al.path);
    d.duration("retention", al.retention);
    if (al.bearer_token.is_set() || !al.basic_username.empty()) {
        d.key("auth");
        out << YAML::BeginMap;
        d.secret("bearer_token", al.bearer_token);
        d.opt_str("username", al.basic_username);
        d.secret("password", al.basic_password);
        out << YAML::EndMap;
    }
    d.key("receivers");
    out << YAML::BeginSeq;
    for (const auto& r : al.receivers) {
        out << YAML::BeginMap;
        d.str("name", r.name);
        d.strings("groups", r.groups);
        d.strings("recipients", r.recipients);
        d.string_map("match_labels", r.match_labels);
        d.opt_str("template", r.template_text);
        d.integer("max_segments", r.max_segments);
        d.boolean("send_resolved", r.send_resolved);
        d.opt_str("sender", r.sender);
        d.opt_str("client", r.client);
        d.strings("tags", r.tags);
        d.duration("dedup_window", r.dedup_window);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::EndMap;

    d.key("directories");
    out << YAML::BeginSeq;
    for (const auto& dir : c.directories) {
        out << YAML::BeginMap;
        d.str("name", dir.name);
        if (const auto* st = std::get_if<StaticDirectoryConfig>(&dir.settings)) {
            d.str("kind", "static");
            d.key("groups");
            out << YAML::BeginMap;
            for (const auto& [group, people] : st->groups) {
                out << YAML::Key << YAML::DoubleQuoted << group << YAML::Value << YAML::BeginSeq;
                for (const auto& p : people) {
                    out << YAML::Flow << YAML::BeginMap;
                    d.opt_str("name", p.name);
                    d.str("phone", p.phone);
                    out << YAML::EndMap;
                }
                out << YAML::EndSeq;
            }
            out << YAML::EndMap;
        } else if (const auto* kc = std::get_if<KeycloakDirectoryConfig>(&dir.settings)) {
            d.str("kind", "keycloak");
            d.str("base_url", kc->base_url);
            d.boolean("legacy_auth_path", kc->legacy_auth_path);
            d.str("realm", kc->realm);
            d.str("client_id", kc->client_id);
            d.secret("client_secret", kc->client_secret);
            d.strings("phone_attributes", kc->phone_attributes);
            d.opt_str("default_region", kc->default_region);
            d.duration("cache_ttl", kc->cache_ttl);
            d.duration("timeout", kc->timeout);
            d.client_tls(kc->tls);
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;

    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

}  // namespace bindery::app
