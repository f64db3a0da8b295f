#pragma once

// Plain configuration structs: what conf/bindery.yaml describes, after validation. Modules receive
// these (or the part that concerns them); only app/config_loader.cpp knows YAML. Every duration is
// a std::chrono::milliseconds, every address a host + port, every secret already resolved.
// docs/configuration.md documents each key, its type and its default.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "app/secret.hpp"

namespace bindery::app {

using Millis = std::chrono::milliseconds;

struct Address {
    std::string host;
    std::uint16_t port = 0;

    [[nodiscard]] std::string to_string() const;  // "host:port", IPv6 hosts bracketed
    friend bool operator==(const Address&, const Address&) = default;
};

// ---------------------------------------------------------------------------------------------
// process, logging, store

struct ProcessConfig {
    std::string node_id;      // default: the host name
    unsigned io_threads = 0;  // 0 = std::thread::hardware_concurrency()
    Millis drain_timeout{std::chrono::seconds(15)};
    std::string ready_file;  // written once every service started (empty = none)
};

enum class LogLevel { trace, debug, info, warn, error, critical, off };
enum class LogFormat { human, json };

struct LoggingConfig {
    LogLevel level = LogLevel::info;
    LogFormat format = LogFormat::human;
    std::string file;  // empty = standard error
};

enum class SyncMode { off, normal, full };

struct StoreConfig {
    std::string path = "var/bindery.db";
    SyncMode synchronous = SyncMode::normal;
    Millis retention{std::chrono::hours(24 * 30)};
    Millis busy_timeout{std::chrono::seconds(5)};
    Millis commit_interval{std::chrono::milliseconds(5)};  // group-commit window
    // QUEUED -> SENDING committed before each submit (router::RouterConfig::record_dispatch).
    bool record_dispatch = true;
};

// ---------------------------------------------------------------------------------------------
// listeners

struct ServerTlsConfig {
    bool enabled = false;
    std::string cert_file;
    std::string key_file;
    std::string client_ca_file;  // non-empty: require client certificates signed by it
};

// Delivery callbacks (docs/http-api.md): when a message reaches a final state, a signed POST to its
// callback_url or its client's; failed attempts are retried with backoff.
struct CallbacksConfig {
    bool on_sent = false;                      // also report SENT (accepted by the carrier)
    Millis timeout{std::chrono::seconds(10)};  // per attempt
    unsigned max_in_flight = 16;
    Millis initial_backoff{std::chrono::seconds(30)};  // doubling per attempt
    Millis max_backoff{std::chrono::hours(1)};
    Millis max_age{std::chrono::hours(24)};  // give up this long after the event
    unsigned max_attempts = 50;
};

struct HttpServerConfig {
    bool enabled = true;
    Address listen{"127.0.0.1", 8080};
    ServerTlsConfig tls;
    std::uint64_t body_limit = 1024ULL * 1024;  // bytes
    Millis read_timeout{std::chrono::seconds(10)};
    Millis idle_timeout{std::chrono::seconds(60)};
    unsigned max_connections = 1024;
    // Threads for the requests that block until their commit (an Idempotency-Key, bulk CSV,
    // admin): each waits for its own; more of them let more commit together.
    unsigned workers = 64;
    CallbacksConfig callbacks;
    // The operator key of /admin/v1 and /ui/ (bindery status, bind, dlq, message), at least 16
    // characters. Unset: BINDERY_ADMIN_KEY or BINDERY_ADMIN_KEY_FILE from the environment; neither:
    // the admin endpoint answers 403.
    Secret admin_key;
};

enum class BindType { trx, tx, rx };

struct SmppAccountConfig {
    std::string system_id;
    Secret password;            // set when the password is given (inline, env or file)
    std::string password_hash;  // "sha256:<64 hex>" when given instead
    unsigned max_binds = 4;
    unsigned window = 10;
    double max_tps = 0;  // 0 = unlimited
    std::vector<BindType> bind_types{BindType::trx, BindType::tx, BindType::rx};
    std::vector<std::string> allowed_senders;  // empty = any
    std::string client;                        // API client charged for this account's traffic
    std::optional<Millis> delivery_expiry;     // unset: smpp_server.deliveries.expiry
};

// Receipts and MO waiting for an account's RX/TRX bind (durable: table smpp_outbox).
struct SmppDeliveriesConfig {
    Millis expiry{std::chrono::hours(48)};          // given up (logged, counted) after this
    Millis retry_initial{std::chrono::seconds(5)};  // after a failed attempt, doubling...
    Millis retry_max{std::chrono::minutes(10)};     // ...up to this
    unsigned max_in_flight = 100;                   // per account, handed to the binds at once
};

// Where an MO goes: the first route by specificity whose destination matches (exact before
// prefix, longer prefix first, a route naming the carrier before one that does not).
struct MoRouteConfig {
    std::string destination;  // exact match (a leading "+" is ignored on both sides), or
    std::string prefix;       // a prefix of the destination
    std::string carrier;      // only MO from this SMPP carrier; empty = any
    std::string account;      // smpp_server account (system_id) it is delivered to
};

// Concatenated submits from ESMEs (app/smpp_concat.hpp): parts held until the last arrives.
struct SmppConcatConfig {
    Millis timeout{std::chrono::minutes(5)};  // incomplete message dropped (failure receipts) after
    unsigned max_messages = 1000;  // incomplete messages per account; past it ESME_RMSGQFUL
    unsigned max_parts = 10000;    // parts held per account; past it ESME_RMSGQFUL
};

struct SmppServerConfig {
    bool enabled = true;
    Address listen{"127.0.0.1", 2776};
    ServerTlsConfig tls;
    std::string system_id = "bindery";  // returned in bind_*_resp
    unsigned max_connections = 256;
    Millis bind_timeout{std::chrono::seconds(10)};
    Millis enquire_link_interval{std::chrono::seconds(30)};
    Millis inactivity_timeout{std::chrono::seconds(120)};
    Millis response_timeout{std::chrono::seconds(10)};
    SmppConcatConfig concat;
    std::vector<SmppAccountConfig> accounts;
    SmppDeliveriesConfig deliveries;
    std::vector<MoRouteConfig> mo_routes;
};

// ---------------------------------------------------------------------------------------------
// carriers

enum class CarrierBindType { trx, tx, rx, tx_rx_pair };
enum class Segmentation { udh8, udh16, sar, payload };
// How a carrier's receipt ids relate to its submit_sm_resp ids (router::MessageIdFormat).
enum class MessageIdFormat { automatic, as_is, hex, decimal };
// What data_coding 0 means at the SMSC; alphabets a carrier may be pinned to.
enum class DefaultAlphabet { gsm7, ia5, latin1 };
enum class ForcedAlphabet { gsm7, ia5, latin1, ucs2, binary };
enum class Gsm7PackingMode { unpacked, packed };
enum class ValidityFormat { relative, absolute, none };

struct ClientTlsConfig {
    bool enabled = false;
    std::string ca_file;  // empty = system trust store
    bool verify = true;
    std::string server_name;  // SNI and verification name; default = host
};

struct BackoffConfig {
    Millis initial{std::chrono::seconds(1)};
    Millis max{std::chrono::seconds(60)};
    double multiplier = 2.0;
};

// Multi-part MO from a carrier held for reassembly (smpp::ReassemblyLimits).
struct MoReassemblyConfig {
    Millis timeout{std::chrono::minutes(5)};       // from the first part; then handed up incomplete
    unsigned max_messages = 1024;                  // incomplete messages held
    unsigned max_parts = 8192;                     // parts held
    std::uint64_t max_bytes = 4ULL * 1024 * 1024;  // user data octets held
};

struct SmppCarrierConfig {
    Address address;
    std::string system_id;
    Secret password;
    std::string system_type;
    CarrierBindType bind_type = CarrierBindType::trx;
    unsigned count = 1;  // binds (a tx_rx_pair counts as one)
    unsigned window = 10;
    // deliver_sm/data_sm (receipts, MO) per bind waiting for their deliver_sm_resp, which goes
    // out once the receipt is durable; past it the carrier is answered ESME_RX_T_APPN.
    unsigned incoming_window = 1000;
    double max_tps = 0;  // 0 = unlimited, per carrier (shared by its binds)
    unsigned burst = 0;  // 0 = max_tps rounded up
    Millis bind_timeout{std::chrono::seconds(10)};
    Millis response_timeout{std::chrono::seconds(10)};
    Millis enquire_link_interval{std::chrono::seconds(30)};
    BackoffConfig reconnect;
    // The sender's TON/NPI for every submit_sm when set; absent, each sender is classified
    // (alphanumeric TON 5 NPI 0, a number TON 1 NPI 1; router::AddressRules).
    std::optional<std::uint8_t> source_addr_ton, source_addr_npi;
    std::uint8_t dest_addr_ton = 1, dest_addr_npi = 1;
    // Text (smpp::EncodeOptions): what data_coding 0 means, the other alphabets the carrier
    // takes, one it insists on, GSM 7-bit packing, punctuation transliteration, cluster keeping,
    // the most parts one message may take.
    DefaultAlphabet default_alphabet = DefaultAlphabet::gsm7;
    bool allow_ia5 = false;
    bool allow_latin1 = false;
    std::optional<ForcedAlphabet> force_alphabet;
    Gsm7PackingMode gsm7_packing = Gsm7PackingMode::unpacked;
    bool transliterate = false;
    bool keep_clusters = false;
    unsigned max_segments = 255;
    Segmentation segmentation = Segmentation::udh8;
    bool registered_delivery = true;
    MessageIdFormat message_id_format = MessageIdFormat::automatic;  // for matching receipts
    // submit_sm fields.
    ValidityFormat validity_format = ValidityFormat::relative;
    std::string service_type;  // <= 5 characters; empty = the SMSC default
    std::uint8_t protocol_id = 0;
    bool priority_express = true;  // express messages go with priority_flag 1
    // Receipts and MO.
    std::chrono::minutes receipt_utc_offset{0};  // the SMSC clock's offset of receipt dates
    bool reassemble_mo = true;
    MoReassemblyConfig mo_reassembly;
    ClientTlsConfig tls;
};

struct KavenegarCarrierConfig {
    std::string base_url = "https://api.kavenegar.com";
    Secret api_key;
    std::string sender;
    double rate = 5;  // requests per second
    unsigned concurrency = 4;
    Millis timeout{std::chrono::seconds(10)};
    unsigned batch = 100;  // messages per sendarray call (1 = send.json only)
    bool poll_status = true;
    Millis status_interval{std::chrono::seconds(30)};
    Millis status_max_interval{std::chrono::minutes(5)};
    Millis status_give_up{std::chrono::hours(48)};
    ClientTlsConfig tls;  // enabled by an https base_url; ca_file / verify / server_name apply
};

enum class HttpMethod { get, post, put };

struct HttpCarrierConfig {
    HttpMethod method = HttpMethod::post;
    std::string url;   // template: {to} {from} {text} {id}
    std::string body;  // template, same placeholders (empty for GET)
    std::string content_type = "application/json";
    std::map<std::string, std::string> headers;
    Secret auth_token;  // sent as "<auth_header>: <auth_scheme> <token>" when set
    // What {secret} in url, header values and body stands for (an API key in the URL, a signed
    // header): secret / secret_env / secret_file, so it need not be written inline.
    Secret secret;
    std::string auth_header = "Authorization";
    std::string auth_scheme = "Bearer";  // empty: the token alone
    std::vector<unsigned> success_status{200};
    std::string message_id_pointer;  // JSON pointer into the response for the carrier's id
    std::string success_pointer;     // JSON pointer whose value must be one of success_values
    std::vector<std::string> success_values;
    std::string error_code_pointer;                 // JSON pointer to the provider's error code
    std::map<std::string, std::string> status_map;  // code -> temporary | throttled | permanent
    double rate = 5;
    unsigned concurrency = 4;
    Millis timeout{std::chrono::seconds(10)};
    ClientTlsConfig tls;
};

enum class CarrierKind { smpp, kavenegar, http };

// A carrier's circuit breaker (router::BreakerConfig): opens at `error_rate` temporary failures
// among the last `window` outcomes (once there are `min_samples`) or after `consecutive_timeouts`
// timeouts in a row; after `open_for` one probe at a time, closed after `probe_successes`.
struct BreakerSettings {
    unsigned window = 20;
    unsigned min_samples = 10;
    double error_rate = 0.5;
    unsigned consecutive_timeouts = 5;
    Millis open_for{std::chrono::seconds(30)};
    unsigned probe_successes = 2;
};

struct CarrierConfig {
    std::string name;
    bool enabled = true;
    std::variant<SmppCarrierConfig, KavenegarCarrierConfig, HttpCarrierConfig> settings;
    BreakerSettings breaker;

    [[nodiscard]] CarrierKind kind() const noexcept {
        return static_cast<CarrierKind>(settings.index());
    }
};

// ---------------------------------------------------------------------------------------------
// routes, clients

struct RouteMatch {
    std::vector<std::string> prefixes;   // destination prefixes, digits with an optional '+'
    std::vector<std::string> countries;  // ISO 3166 alpha-2 of the destination
    std::vector<std::string> senders;
    std::vector<std::string> clients;
    std::vector<unsigned> priorities;  // 0..3
    std::vector<std::string> tags;
};

struct RouteProvider {
    std::string carrier;
    unsigned weight = 1;
};

struct RouteConfig {
    std::string name;
    RouteMatch match;                      // empty match = every message
    std::vector<RouteProvider> providers;  // weighted primary set
    std::vector<std::string> failover;     // tried in order once the primaries fail
};

// When a held charge becomes spent: the carrier accepted the submit, or the receipt said delivered.
enum class CaptureMode { sent, delivered };

// A price per segment (minor units) for destinations starting with `prefix` or, when no prefix
// rule matches, for messages routed over `route`.
struct PriceConfig {
    std::string prefix;  // "+98912"; exactly one of prefix and route
    std::string route;
    std::int64_t price = 0;
};

struct CreditsConfig {
    std::string currency;  // label reported with balances
    CaptureMode capture = CaptureMode::delivered;
    std::int64_t default_price = 1;   // per segment
    std::vector<PriceConfig> prices;  // longest prefix wins, then the route's price
};

struct ClientConfig {
    std::string name;
    Secret api_key;
    std::string api_key_hash;                  // "sha256:<64 hex>" when given instead of api_key
    std::vector<std::string> allowed_senders;  // empty = any
    std::string default_sender;
    double rate = 0;  // messages per second, 0 = unlimited
    unsigned burst = 0;
    std::string callback_url;  // default URL of delivery callbacks (a message may name its own)
    Secret callback_secret;    // signs delivery callbacks (X-Bindery-Signature); unset: unsigned
    // Prepaid credit: the initial balance in minor units (applied once, when the client's account
    // is created in the store); absent = unlimited (unless an operator tops the client up).
    std::optional<std::int64_t> credit;
    std::optional<CaptureMode> capture;  // overrides credits.capture for this client
};

// ---------------------------------------------------------------------------------------------
// alerting, directories

struct AlertReceiverConfig {
    std::string name;                                 // Alertmanager receiver name
    std::vector<std::string> groups;                  // directory groups
    std::vector<std::string> recipients;              // extra E.164 numbers
    std::map<std::string, std::string> match_labels;  // all must equal (empty = every alert)
    std::string template_text;                        // key "template"
    unsigned max_segments = 3;
    bool send_resolved = true;
    std::string sender;
    std::string client;             // API client the messages are accounted to
    std::vector<std::string> tags;  // routing tags of the messages (an own route for alerts)
    Millis dedup_window{std::chrono::minutes(10)};  // same group + status + alerts: sent once
};

struct AlertingConfig {
    bool enabled = true;
    std::string path = "/v1/alertmanager";  // the only path served (kept for explicit configs)
    Secret bearer_token;                    // required in Authorization when set
    std::string basic_username;
    Secret basic_password;
    std::vector<AlertReceiverConfig> receivers;
    // Alert records (GET /v1/alerts, the dedup lookup) received longer ago than this are purged
    // by the store's retention thread. At least every receiver's dedup_window.
    Millis retention{std::chrono::hours(24 * 30)};
};

struct Person {
    std::string name;
    std::string phone;  // E.164
};

struct StaticDirectoryConfig {
    std::map<std::string, std::vector<Person>> groups;
};

struct KeycloakDirectoryConfig {
    std::string base_url;
    bool legacy_auth_path = false;  // prefix /auth (WildFly-era Keycloak)
    std::string realm;
    std::string client_id;
    Secret client_secret;
    std::vector<std::string> phone_attributes{"phoneNumber"};
    std::string default_region;  // ISO 3166 region for numbers without a country code ("IR")
    Millis cache_ttl{std::chrono::minutes(5)};
    Millis timeout{std::chrono::seconds(10)};
    ClientTlsConfig tls;
};

enum class DirectoryKind { static_list, keycloak };

struct DirectoryConfig {
    std::string name;
    std::variant<StaticDirectoryConfig, KeycloakDirectoryConfig> settings;

    [[nodiscard]] DirectoryKind kind() const noexcept {
        return static_cast<DirectoryKind>(settings.index());
    }
};

// ---------------------------------------------------------------------------------------------

struct Config {
    ProcessConfig process;
    LoggingConfig logging;
    StoreConfig store;
    HttpServerConfig http;
    SmppServerConfig smpp_server;
    std::vector<CarrierConfig> carriers;
    std::vector<RouteConfig> routes;
    std::vector<ClientConfig> clients;
    CreditsConfig credits;
    AlertingConfig alerting;
    std::vector<DirectoryConfig> directories;
};

}  // namespace bindery::app
