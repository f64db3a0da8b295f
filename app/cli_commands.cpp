#include "app/cli_commands.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/cli_http.hpp"

namespace bindery::app {

namespace {

using nlohmann::json;

// A text table, one source line per line of output.
// clang-format off
constexpr const char* kUsage =
    "operator commands (against a running instance):\n"
    "  status                              carriers and binds, queues by lane, rates\n"
    "  send --to NUMBER [--to ...] --text TEXT [--from SENDER] [--priority P] [--validity D]\n"
    "       [--wait[=SECONDS]]             send a trial message (API key); --wait: until final\n"
    "  message show ID                     one message (any client) with its history\n"
    "  bind pause|resume CARRIER           stop / restart dispatching to a carrier (binds stay up)\n"
    "  dlq list [--limit N] [--after ID]   dead letters\n"
    "  dlq retry ID... | --all [--limit N] send dead letters again as new messages\n"
    "  credit show CLIENT [--limit N]      a client's balance, held credit and latest ledger\n"
    "  credit add CLIENT AMOUNT [--note T] top up (minor units; negative: a correction)\n"
    "  options: --url URL (BINDERY_URL, http://127.0.0.1:8080)  --admin-key KEY (BINDERY_ADMIN_KEY)\n"
    "           --admin-key-file FILE  --api-key KEY (BINDERY_API_KEY)  --ca FILE  --insecure\n"
    "           --timeout SECONDS (10)  --json\n"
    "  exit: 0 done, 1 refused/failed, 2 usage, 3 unreachable or 5xx, 4 authentication failed\n";
// clang-format on

struct Options {
    std::string url;
    std::string admin_key;
    std::string api_key;
    std::string ca_file;
    bool insecure = false;
    bool json_out = false;
    std::chrono::milliseconds timeout{10'000};
    std::vector<std::string> positional;
    // send
    std::vector<std::string> to;
    std::optional<std::string> text;
    std::string from;
    std::string priority;
    std::string validity;
    std::optional<int> wait_seconds;
    // dlq
    std::optional<unsigned> limit;
    std::string after;
    bool all = false;
    // credit
    std::string note;
};

struct UsageError {
    std::string message;
};

std::string env_or(const char* name, std::string fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::string(v) : std::move(fallback);
}

std::string read_key_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw UsageError{"cannot read " + path};
    std::string key;
    std::getline(in, key);
    while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
    return key;
}

unsigned parse_unsigned(std::string_view text, const char* what) {
    if (text.empty() || text.size() > 6 ||
        text.find_first_not_of("0123456789") != std::string_view::npos)
        throw UsageError{std::string(what) + ": a positive number"};
    const unsigned n = static_cast<unsigned>(std::stoul(std::string(text)));
    if (n == 0) throw UsageError{std::string(what) + ": a positive number"};
    return n;
}

Options parse(const std::vector<std::string_view>& args) {
    Options o;
    o.url = env_or("BINDERY_URL", "http://127.0.0.1:8080");
    o.admin_key = env_or("BINDERY_ADMIN_KEY", "");
    o.api_key = env_or("BINDERY_API_KEY", "");
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        std::string_view name = a;
        std::optional<std::string_view> inline_value;
        if (a.substr(0, 2) == "--") {
            if (const auto eq = a.find('='); eq != std::string_view::npos) {
                name = a.substr(0, eq);
                inline_value = a.substr(eq + 1);
            }
        }
        auto value = [&]() -> std::string {
            if (inline_value) return std::string(*inline_value);
            if (i + 1 >= args.size()) throw UsageError{std::string(name) + " needs a value"};
            return std::string(args[++i]);
        };
        if (name == "--url")
            o.url = value();
        else if (name == "--admin-key")
            o.admin_key = value();
        else if (name == "--admin-key-file")
            o.admin_key = read_key_file(value());
        else if (name == "--api-key")
            o.api_key = value();
        else if (name == "--ca")
            o.ca_file = value();
        else if (name == "--insecure")
            o.insecure = true;
        else if (name == "--json")
            o.json_out = true;
        else if (name == "--timeout")
            o.timeout = std::chrono::seconds(parse_unsigned(value(), "--timeout"));
        else if (name == "--to")
            o.to.push_back(value());
        else if (name == "--text")
            o.text = value();
        else if (name == "--from")
            o.from = value();
        else if (name == "--priority")
            o.priority = value();
        else if (name == "--validity")
            o.validity = value();
        else if (name == "--wait")
            o.wait_seconds =
                inline_value ? static_cast<int>(parse_unsigned(*inline_value, "--wait")) : 60;
        else if (name == "--limit")
            o.limit = parse_unsigned(value(), "--limit");
        else if (name == "--after")
            o.after = value();
        else if (name == "--all")
            o.all = true;
        else if (name == "--note")
            o.note = value();
        else if (a.size() > 1 && a.front() == '-' &&
                 a.find_first_not_of("0123456789", 1) != std::string_view::npos)
            throw UsageError{"unknown option " + std::string(a)};  // "-50" is a negative amount
        else
            o.positional.emplace_back(a);
    }
    return o;
}

// One request; maps transport and HTTP failures to exit codes and messages.
// Its implicit default constructor is noexcept; clang-tidy 14 follows nlohmann::json's null
// constructor into a throw it never reaches (nlohmann marks that constructor NOLINT itself).
// NOLINTNEXTLINE(bugprone-exception-escape)
struct Call {
    int code = kCliOk;
    json body;
};

Call call(const Options& o, const std::string& method, const std::string& target,
          const std::string& key, const std::string& body = {}) {
    std::string error;
    auto endpoint = parse_endpoint(o.url, error);
    if (!endpoint) throw UsageError{"--url: " + error};
    endpoint->ca_file = o.ca_file;
    endpoint->insecure = o.insecure;
    const CliReply reply = cli_request(*endpoint, method, target, key, body, o.timeout);
    Call c;
    if (reply.status == 0) {
        std::cerr << "bindery: " << o.url << ": " << reply.error << "\n";
        c.code = kCliUnavailable;
        return c;
    }
    c.body = json::parse(reply.body, nullptr, false);
    if (reply.status >= 200 && reply.status < 300 && !c.body.is_discarded()) return c;
    std::string message = "HTTP " + std::to_string(reply.status);
    if (!c.body.is_discarded() && c.body.contains("error") && c.body["error"].is_object()) {
        message += " " + c.body["error"].value("code", std::string()) + ": " +
                   c.body["error"].value("message", std::string());
    }
    std::cerr << "bindery: " << method << " " << target << ": " << message << "\n";
    c.code = reply.status == 401 || reply.status == 403 ? kCliAuth
             : reply.status >= 500                      ? kCliUnavailable
                                                        : kCliFailed;
    if (c.body.is_discarded()) c.body = json();
    return c;
}

void need_admin_key(const Options& o) {
    if (o.admin_key.empty())
        throw UsageError{
            "the admin key is required: --admin-key, --admin-key-file or BINDERY_ADMIN_KEY"};
}

std::string str(const json& j, const char* key) {
    if (!j.contains(key) || j[key].is_null()) return "-";
    if (j[key].is_string()) return j[key].get<std::string>();
    return j[key].dump();
}

std::string rate(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number()) return "-";
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << j[key].get<double>();
    return out.str();
}

std::string url_escape(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4U]);
            out.push_back(hex[c & 15U]);
        }
    }
    return out;
}

// A table with left-aligned columns.
void print_table(const std::vector<std::vector<std::string>>& rows) {
    if (rows.empty()) return;
    std::vector<std::size_t> width(rows.front().size(), 0);
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], r[i].size());
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
        }
        std::cout << line << "\n";
    }
}

int status(const Options& o) {
    need_admin_key(o);
    const Call c = call(o, "GET", "/admin/v1/status", o.admin_key);
    if (c.code != kCliOk) return c.code;
    if (o.json_out) {
        std::cout << c.body.dump(2) << "\n";
        return kCliOk;
    }
    const json& s = c.body;
    std::cout << "bindery " << str(s, "version") << "  node " << str(s, "node") << "  up "
              << static_cast<long long>(s.value("uptime_seconds", 0.0)) << "s\n";
    std::cout << "accepting " << (s.value("accepting", false) ? "yes" : "NO (backlog full)")
              << "  backlog " << str(s, "backlog") << "/" << str(s, "backlog_limit")
              << "  accepted/s " << rate(s, "accept_rate") << "\n\n";
    std::vector<std::vector<std::string>> rows{{"CARRIER", "STATE", "BINDS", "WINDOW", "QUEUED",
                                                "SENT/S", "DLR/S", "SENT", "FAILED", "THROTTLED",
                                                "BREAKER"}};
    for (const auto& carrier : s.value("carriers", json::array())) {
        rows.push_back(
            {str(carrier, "name"), str(carrier, "state"),
             str(carrier, "binds_up") + "/" + str(carrier, "binds_configured"),
             str(carrier, "in_flight") + "/" + str(carrier, "window"), str(carrier, "queued"),
             rate(carrier, "send_rate"), rate(carrier, "receipt_rate"), str(carrier, "sends_ok"),
             str(carrier, "sends_failed"), str(carrier, "throttled"), str(carrier, "breaker")});
    }
    print_table(rows);
    std::cout << "\n";
    // ESME sessions bound to the SMPP server side, one row per account ("-": a bind type the
    // account may not make).
    std::map<std::string, std::array<std::string, 3>> esmes;
    for (const auto& e : s.value("esme_sessions", json::array())) {
        auto& row = esmes.try_emplace(str(e, "account"), std::array<std::string, 3>{"-", "-", "-"})
                        .first->second;
        const auto type = str(e, "bind_type");
        const std::size_t column = type == "trx" ? 0 : type == "tx" ? 1 : 2;
        row[column] = str(e, "bound");
    }
    if (!esmes.empty()) {
        std::vector<std::vector<std::string>> esme_rows{{"ESME ACCOUNT", "TRX", "TX", "RX"}};
        for (const auto& [account, n] : esmes) esme_rows.push_back({account, n[0], n[1], n[2]});
        print_table(esme_rows);
        std::cout << "\n";
    }
    std::vector<std::vector<std::string>> lanes{{"LANE", "WAITING"}};
    const json lane_counts = s.value("lanes", json::object());  // items() refers into it
    for (const auto& [lane, n] : lane_counts.items()) lanes.push_back({lane, n.dump()});
    print_table(lanes);
    std::cout << "\n";
    std::vector<std::vector<std::string>> states{{"STATE", "MESSAGES"}};
    const json state_counts = s.value("messages_by_state", json::object());
    for (const auto& [state, n] : state_counts.items()) states.push_back({state, n.dump()});
    print_table(states);
    return kCliOk;
}

void print_message(const json& m) {
    std::cout << "id          " << str(m, "id") << "\n"
              << "state       " << str(m, "state") << "\n"
              << "client      " << str(m, "client") << "\n"
              << "to          " << str(m, "to") << "\n"
              << "from        " << str(m, "from") << "\n"
              << "priority    " << str(m, "priority") << "\n"
              << "segments    " << str(m, "segments") << "\n"
              << "attempts    " << str(m, "attempts") << "\n"
              << "provider    " << str(m, "provider") << "\n"
              << "client_ref  " << str(m, "client_ref") << "\n"
              << "last_error  " << str(m, "last_error") << "\n"
              << "accepted_at " << str(m, "accepted_at") << "\n"
              << "updated_at  " << str(m, "updated_at") << "\n";
    if (m.contains("history")) {
        std::cout << "\n";
        std::vector<std::vector<std::string>> rows{{"AT", "FROM", "TO", "PROVIDER", "DETAIL"}};
        for (const auto& h : m["history"])
            rows.push_back(
                {str(h, "at"), str(h, "from"), str(h, "to"), str(h, "provider"), str(h, "detail")});
        print_table(rows);
    }
}

int message(const Options& o) {
    if (o.positional.size() != 2 || o.positional[0] != "show")
        throw UsageError{"usage: bindery message show ID"};
    need_admin_key(o);
    const Call c = call(o, "GET", "/admin/v1/messages/" + url_escape(o.positional[1]), o.admin_key);
    if (c.code != kCliOk) return c.code;
    if (o.json_out)
        std::cout << c.body.dump(2) << "\n";
    else
        print_message(c.body);
    return kCliOk;
}

int bind(const Options& o) {
    if (o.positional.size() != 2 || (o.positional[0] != "pause" && o.positional[0] != "resume"))
        throw UsageError{"usage: bindery bind pause|resume CARRIER"};
    need_admin_key(o);
    const Call c =
        call(o, "POST", "/admin/v1/binds/" + url_escape(o.positional[1]) + "/" + o.positional[0],
             o.admin_key, "{}");
    if (c.code != kCliOk) return c.code;
    if (o.json_out)
        std::cout << c.body.dump(2) << "\n";
    else
        std::cout << str(c.body, "name") << ": " << str(c.body, "state") << "\n";
    return kCliOk;
}

int dlq(const Options& o) {
    if (o.positional.empty()) throw UsageError{"usage: bindery dlq list|retry"};
    need_admin_key(o);
    if (o.positional[0] == "list") {
        if (o.positional.size() != 1)
            throw UsageError{"usage: bindery dlq list [--limit N] [--after ID]"};
        std::string target = "/admin/v1/dlq?limit=" + std::to_string(o.limit.value_or(50));
        if (!o.after.empty()) target += "&after=" + url_escape(o.after);
        const Call c = call(o, "GET", target, o.admin_key);
        if (c.code != kCliOk) return c.code;
        if (o.json_out) {
            std::cout << c.body.dump(2) << "\n";
            return kCliOk;
        }
        std::vector<std::vector<std::string>> rows{
            {"ID", "CLIENT", "TO", "PROVIDER", "ATTEMPTS", "UPDATED", "LAST ERROR"}};
        for (const auto& m : c.body.value("messages", json::array()))
            rows.push_back({str(m, "id"), str(m, "client"), str(m, "to"), str(m, "provider"),
                            str(m, "attempts"), str(m, "updated_at"), str(m, "last_error")});
        print_table(rows);
        if (c.body.contains("next") && c.body["next"].is_string())
            std::cout << "more: bindery dlq list --after " << c.body["next"].get<std::string>()
                      << "\n";
        return kCliOk;
    }
    if (o.positional[0] == "retry") {
        json request;
        if (o.all) {
            if (o.positional.size() != 1) throw UsageError{"dlq retry: ids or --all, not both"};
            request = {{"all", true}, {"limit", o.limit.value_or(50)}};
        } else {
            if (o.positional.size() < 2)
                throw UsageError{"usage: bindery dlq retry ID... | --all [--limit N]"};
            request["ids"] = json::array();
            for (std::size_t i = 1; i < o.positional.size(); ++i)
                request["ids"].push_back(o.positional[i]);
        }
        const Call c = call(o, "POST", "/admin/v1/dlq/retry", o.admin_key, request.dump());
        if (c.code != kCliOk) return c.code;
        const auto& failed = c.body.value("failed", json::array());
        if (o.json_out) {
            std::cout << c.body.dump(2) << "\n";
        } else {
            for (const auto& r : c.body.value("retried", json::array()))
                std::cout << str(r, "id") << " -> " << str(r, "new_id") << "\n";
            for (const auto& f : failed)
                std::cout << str(f, "id") << ": not retried: " << str(f, "error") << "\n";
        }
        return failed.empty() ? kCliOk : kCliFailed;
    }
    throw UsageError{"usage: bindery dlq list|retry"};
}

// The amount of `credit add`: an integer of minor units, optionally negative.
long long parse_amount(const std::string& text) {
    const std::size_t digits = text.starts_with('-') ? 1 : 0;
    if (text.size() <= digits || text.size() > 19 ||
        text.find_first_not_of("0123456789", digits) != std::string::npos)
        throw UsageError{"AMOUNT: an integer of minor units (negative: a correction)"};
    const long long n = std::stoll(text);
    if (n == 0) throw UsageError{"AMOUNT: must not be 0"};
    return n;
}

void print_balance(const json& b) {
    if (b.value("unlimited", false)) {
        std::cout << str(b, "client") << ": unlimited (no credit account)\n";
        return;
    }
    const std::string currency = b.value("currency", std::string());
    std::cout << str(b, "client") << ": balance " << str(b, "balance")
              << (currency.empty() ? "" : " " + currency) << ", held " << str(b, "held")
              << ", captured on " << str(b, "capture") << "\n";
}

int credit(const Options& o) {
    need_admin_key(o);
    const auto& p = o.positional;
    if (p.size() == 2 && p[0] == "show") {
        std::string target = "/admin/v1/credits/" + url_escape(p[1]);
        if (o.limit) target += "?limit=" + std::to_string(*o.limit);
        const Call c = call(o, "GET", target, o.admin_key);
        if (c.code != kCliOk) return c.code;
        if (o.json_out) {
            std::cout << c.body.dump(2) << "\n";
            return kCliOk;
        }
        print_balance(c.body);
        std::vector<std::vector<std::string>> rows{
            {"SEQ", "AT", "KIND", "AMOUNT", "MESSAGE", "NOTE"}};
        for (const auto& e : c.body.value("ledger", json::array())) {
            rows.push_back({str(e, "seq"), str(e, "at"), str(e, "kind"), str(e, "amount"),
                            str(e, "message_id"), str(e, "note")});
        }
        if (rows.size() > 1) print_table(rows);
        return kCliOk;
    }
    if (p.size() == 3 && p[0] == "add") {
        const json request = {{"amount", parse_amount(p[2])}, {"note", o.note}};
        const Call c =
            call(o, "POST", "/admin/v1/credits/" + url_escape(p[1]), o.admin_key, request.dump());
        if (c.code != kCliOk) return c.code;
        if (o.json_out) {
            std::cout << c.body.dump(2) << "\n";
        } else {
            print_balance(c.body);
        }
        return kCliOk;
    }
    throw UsageError{"usage: bindery credit show CLIENT | credit add CLIENT AMOUNT [--note TEXT]"};
}

bool final_state(const std::string& s) {
    return s == "DELIVERED" || s == "UNDELIVERABLE" || s == "EXPIRED" || s == "REJECTED" ||
           s == "FAILED_PERM" || s == "DEAD_LETTER" || s == "CANCELLED";
}

int send(const Options& o) {
    if (!o.positional.empty())
        throw UsageError{"send: unexpected argument " + o.positional.front()};
    if (o.to.empty() || !o.text) throw UsageError{"usage: bindery send --to NUMBER --text TEXT"};
    if (o.api_key.empty()) throw UsageError{"send needs an API key: --api-key or BINDERY_API_KEY"};
    json request = {{"to", o.to}, {"text", *o.text}};
    if (!o.from.empty()) request["from"] = o.from;
    if (!o.priority.empty()) request["priority"] = o.priority;
    if (!o.validity.empty()) request["validity"] = o.validity;
    const Call c = call(o, "POST", "/v1/messages", o.api_key, request.dump());
    if (c.code != kCliOk) return c.code;
    std::vector<std::string> ids;
    for (const auto& m : c.body.value("messages", json::array())) ids.push_back(str(m, "id"));
    const auto& rejected = c.body.value("rejected", json::array());
    if (!o.wait_seconds) {
        if (o.json_out) {
            std::cout << c.body.dump(2) << "\n";
        } else {
            for (const auto& m : c.body.value("messages", json::array()))
                std::cout << str(m, "id") << "  " << str(m, "to") << "  " << str(m, "state")
                          << "\n";
            for (const auto& r : rejected)
                std::cout << "rejected " << str(r, "to") << ": " << r["error"].dump() << "\n";
        }
        return rejected.empty() ? kCliOk : kCliFailed;
    }
    // --wait: poll each message until a final state or the deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(*o.wait_seconds);
    json finals = json::array();
    bool all_delivered = rejected.empty();
    for (const auto& id : ids) {
        json last;
        for (;;) {
            const Call s = call(o, "GET", "/v1/messages/" + url_escape(id), o.api_key);
            if (s.code != kCliOk) return s.code;
            last = s.body;
            if (final_state(str(last, "state")) || std::chrono::steady_clock::now() >= deadline)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        if (str(last, "state") != "DELIVERED") all_delivered = false;
        if (!o.json_out)
            std::cout << id << "  " << str(last, "to") << "  " << str(last, "state") << "\n";
        finals.push_back(std::move(last));
    }
    if (o.json_out) std::cout << json{{"messages", finals}, {"rejected", rejected}}.dump(2) << "\n";
    return all_delivered ? kCliOk : kCliFailed;
}

}  // namespace

bool is_cli_command(std::string_view command) noexcept {
    return command == "status" || command == "send" || command == "message" || command == "bind" ||
           command == "dlq" || command == "credit";
}

const char* cli_usage() noexcept { return kUsage; }

int run_cli(std::string_view command, const std::vector<std::string_view>& args) {
    try {
        const Options o = parse(args);
        if (command == "status") {
            if (!o.positional.empty())
                throw UsageError{"status: unexpected argument " + o.positional.front()};
            return status(o);
        }
        if (command == "send") return send(o);
        if (command == "message") return message(o);
        if (command == "bind") return bind(o);
        if (command == "dlq") return dlq(o);
        if (command == "credit") return credit(o);
        throw UsageError{"unknown command"};
    } catch (const UsageError& e) {
        std::cerr << "bindery " << command << ": " << e.message << "\n" << kUsage;
        return kCliUsage;
    }
}

}  // namespace bindery::app
