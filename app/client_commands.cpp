#include "app/client_commands.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "app/cli_commands.hpp"
#include "app/config_loader.hpp"
#include "app/default_config.hpp"
#include "app/gateway.hpp"
#include "http-frontend/auth.hpp"
#include "http-frontend/time_format.hpp"
#include "router/store/sqlite_clients.hpp"

namespace bindery::app {

namespace {

using nlohmann::ordered_json;

constexpr const char* kUsage =
    "API clients in the store (beside the configuration file's clients):\n"
    "  client add NAME [--sender S]... [--rate N] [--burst N] [--callback-url URL]\n"
    "         [--callback-secret-env VAR | --callback-secret-file FILE]\n"
    "                                      create a client; prints its API key once\n"
    "  client list                         every client: store (active, revoked) and config\n"
    "  client revoke NAME                  the client's key stops working (the name stays taken)\n"
    "  client rotate-key NAME              a new key; prints it once, the old one stops working\n"
    "  options: --config FILE (BINDERY_CONFIG; default: the embedded configuration)  --json\n"
    "  a running serve sees changes within a second\n"
    "  exit: 0 done, 1 refused (name taken, unknown, revoked, in the config file), 2 usage,\n"
    "        3 the store cannot be opened or written\n";

struct UsageError {
    std::string message;
};

struct Options {
    std::string config;
    bool json_out = false;
    std::vector<std::string> positional;
    std::vector<std::string> senders;
    std::optional<double> rate;
    std::optional<double> burst;
    std::string callback_url;
    std::string callback_secret_env;
    std::string callback_secret_file;
};

double parse_number(std::string_view text, const char* what) {
    const std::string s(text);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !(v >= 0) || v > 1'000'000) {
        throw UsageError{std::string(what) + ": a number from 0 to 1000000"};
    }
    return v;
}

Options parse(const std::vector<std::string_view>& args) {
    Options o;
    if (const char* env = std::getenv("BINDERY_CONFIG"); env != nullptr) o.config = env;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        auto value = [&](const char* name) -> std::string {
            const std::string prefix = std::string(name) + "=";
            if (a.substr(0, prefix.size()) == prefix) return std::string(a.substr(prefix.size()));
            if (i + 1 >= args.size()) throw UsageError{std::string(name) + " needs a value"};
            return std::string(args[++i]);
        };
        auto is = [&](const char* name) {
            const std::string_view n(name);
            return a == n ||
                   (a.size() > n.size() && a.substr(0, n.size()) == n && a[n.size()] == '=');
        };
        if (a == "--json") {
            o.json_out = true;
        } else if (is("--config")) {
            o.config = value("--config");
        } else if (is("--sender")) {
            o.senders.push_back(value("--sender"));
        } else if (is("--rate")) {
            o.rate = parse_number(value("--rate"), "--rate");
        } else if (is("--burst")) {
            o.burst = parse_number(value("--burst"), "--burst");
        } else if (is("--callback-url")) {
            o.callback_url = value("--callback-url");
        } else if (is("--callback-secret-env")) {
            o.callback_secret_env = value("--callback-secret-env");
        } else if (is("--callback-secret-file")) {
            o.callback_secret_file = value("--callback-secret-file");
        } else if (!a.empty() && a.front() == '-') {
            throw UsageError{"unknown option " + std::string(a)};
        } else {
            o.positional.emplace_back(a);
        }
    }
    return o;
}

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

// What a refusal or a store failure becomes: a message on stderr and the exit code.
struct Failure {
    int code;
    std::string message;
};

struct Context {
    Config config;
    std::unique_ptr<router::SqliteClientStore> store;
};

Context open_store(const Options& o) {
    LoadOptions options;
    options.resolve_secrets = false;  // only store.path and the client names are needed
    const auto loaded =
        o.config.empty()
            ? load_config_text(default_config_text(), std::string(kDefaultConfigName), options)
            : load_config_file(o.config, options);
    if (!loaded.ok()) throw Failure{kCliFailed, format_errors(loaded.errors)};
    Context ctx{loaded.config, nullptr};
    const auto store_config = to_store_config(ctx.config.store);
    // As `bindery serve` does: the store's directory is created when missing.
    const auto parent = std::filesystem::path(store_config.path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec)
        throw Failure{kCliUnavailable,
                      "store: cannot create " + parent.string() + ": " + ec.message()};
    auto opened = router::SqliteClientStore::open(store_config);
    if (!opened) throw Failure{kCliUnavailable, "store: " + opened.error().detail};
    ctx.store = std::move(*opened);
    return ctx;
}

[[noreturn]] void store_failure(const router::StoreError& e) {
    switch (e.code) {
        case router::StoreErrc::not_found:
        case router::StoreErrc::conflict:
        case router::StoreErrc::duplicate: throw Failure{kCliFailed, e.detail};
        default: throw Failure{kCliUnavailable, "store: " + e.detail};
    }
}

bool in_config(const Config& c, std::string_view name) {
    return std::any_of(c.clients.begin(), c.clients.end(),
                       [&](const ClientConfig& cl) { return cl.name == name; });
}

const std::string& single_name(const Options& o, const char* command) {
    if (o.positional.size() != 1)
        throw UsageError{std::string("usage: bindery client ") + command + " NAME"};
    return o.positional.front();
}

std::string read_secret(const Options& o) {
    if (!o.callback_secret_env.empty() && !o.callback_secret_file.empty()) {
        throw UsageError{"give --callback-secret-env or --callback-secret-file, not both"};
    }
    std::string secret;
    if (!o.callback_secret_env.empty()) {
        const char* v = std::getenv(o.callback_secret_env.c_str());
        if (v == nullptr || *v == '\0') {
            throw Failure{kCliFailed,
                          "environment variable " + o.callback_secret_env + " is not set"};
        }
        secret = v;
    } else if (!o.callback_secret_file.empty()) {
        std::ifstream in(o.callback_secret_file);
        if (!in) throw Failure{kCliFailed, "cannot read " + o.callback_secret_file};
        std::getline(in, secret);
        while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' '))
            secret.pop_back();
        if (secret.empty()) throw Failure{kCliFailed, o.callback_secret_file + " is empty"};
    }
    return secret;
}

ordered_json describe(const router::StoredClient& c) {
    ordered_json j;
    j["name"] = c.name;
    j["source"] = "store";
    j["state"] = c.active() ? "active" : "revoked";
    j["key_sha256"] = "sha256:" + http::to_hex(c.key_sha256);
    j["allowed_senders"] = c.allowed_senders;
    j["rate"] = c.rate;
    j["burst"] = c.burst;
    j["callback_url"] =
        c.callback_url.empty() ? ordered_json(nullptr) : ordered_json(c.callback_url);
    j["callback_signed"] = !c.callback_secret.empty();
    j["created_at"] = http::format_rfc3339(c.created_at);
    j["key_rotated_at"] = c.key_rotated_at ? ordered_json(http::format_rfc3339(*c.key_rotated_at))
                                           : ordered_json(nullptr);
    j["revoked_at"] =
        c.revoked_at ? ordered_json(http::format_rfc3339(*c.revoked_at)) : ordered_json(nullptr);
    return j;
}

void print_key(const Options& o, const router::StoredClient& c, const std::string& key,
               const char* verb) {
    if (o.json_out) {
        auto j = describe(c);
        j["api_key"] = key;
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::cout << key << "\n";
    std::cerr << "client " << c.name << " " << verb
              << "; the API key above is shown once (only its SHA-256 is stored)\n";
}

int add(const Options& o) {
    const auto& name = single_name(o, "add");
    if (!valid_name(name)) throw UsageError{"NAME: 1 to 64 of A-Z a-z 0-9 . _ -"};
    if (!o.callback_url.empty() && o.callback_url.rfind("http://", 0) != 0 &&
        o.callback_url.rfind("https://", 0) != 0) {
        throw UsageError{"--callback-url: an http:// or https:// URL"};
    }
    for (const auto& s : o.senders) {
        if (s.empty() || s.find('\n') != std::string::npos)
            throw UsageError{"--sender: a sender id"};
    }
    const std::string secret = read_secret(o);
    auto ctx = open_store(o);
    if (in_config(ctx.config, name)) {
        throw Failure{kCliFailed, "client " + name + " is defined in the configuration file"};
    }
    router::StoredClient c;
    c.name = name;
    c.allowed_senders = o.senders;
    c.rate = o.rate.value_or(0);
    c.burst = o.burst.value_or(0);
    c.callback_url = o.callback_url;
    c.callback_secret = secret;
    c.created_at = router::SystemClock::now();
    const std::string key = generate_api_key();
    c.key_sha256 = http::sha256(key);
    if (auto existing = ctx.store->find(name); !existing) {
        store_failure(existing.error());
    } else if (*existing) {
        throw Failure{kCliFailed,
                      "client " + name + ((*existing)->active() ? " exists" : " exists (revoked)")};
    }
    if (auto r = ctx.store->add(c); !r) store_failure(r.error());
    print_key(o, c, key, "added");
    return kCliOk;
}

int list(const Options& o) {
    if (!o.positional.empty())
        throw UsageError{"list: unexpected argument " + o.positional.front()};
    auto ctx = open_store(o);
    auto clients = ctx.store->list();
    if (!clients) store_failure(clients.error());
    if (o.json_out) {
        ordered_json all = ordered_json::array();
        for (const auto& c : *clients) all.push_back(describe(c));
        for (const auto& c : ctx.config.clients) {
            ordered_json j;
            j["name"] = c.name;
            j["source"] = "config";
            j["state"] = "active";
            j["allowed_senders"] = c.allowed_senders;
            j["rate"] = c.rate;
            j["burst"] = c.burst;
            j["callback_url"] =
                c.callback_url.empty() ? ordered_json(nullptr) : ordered_json(c.callback_url);
            j["callback_signed"] = c.callback_secret.is_set();
            all.push_back(std::move(j));
        }
        std::cout << ordered_json{{"clients", all}}.dump(2) << "\n";
        return kCliOk;
    }
    std::cout << "NAME                 SOURCE  STATE    SENDERS          RATE    CREATED\n";
    auto row = [](const std::string& name, const char* source, const char* state,
                  const std::vector<std::string>& senders, double rate,
                  const std::string& created) {
        std::string s;
        for (const auto& x : senders) s += (s.empty() ? "" : ",") + x;
        if (s.empty()) s = "*";
        char rate_text[32];
        std::snprintf(rate_text, sizeof rate_text, "%g", rate);
        std::string line = name;
        line.resize(std::max<std::size_t>(line.size() + 1, 21), ' ');
        line += source;
        line.resize(std::max<std::size_t>(line.size() + 1, 29), ' ');
        line += state;
        line.resize(std::max<std::size_t>(line.size() + 1, 38), ' ');
        line += s;
        line.resize(std::max<std::size_t>(line.size() + 1, 55), ' ');
        line += rate == 0 ? std::string("-") : std::string(rate_text);
        line.resize(std::max<std::size_t>(line.size() + 1, 63), ' ');
        line += created;
        std::cout << line << "\n";
    };
    for (const auto& c : *clients) {
        row(c.name, "store", c.active() ? "active" : "revoked", c.allowed_senders, c.rate,
            http::format_rfc3339(c.created_at));
    }
    for (const auto& c : ctx.config.clients)
        row(c.name, "config", "active", c.allowed_senders, c.rate, "-");
    return kCliOk;
}

int revoke(const Options& o) {
    const auto& name = single_name(o, "revoke");
    auto ctx = open_store(o);
    if (in_config(ctx.config, name)) {
        throw Failure{kCliFailed,
                      "client " + name + " is defined in the configuration file; remove it there"};
    }
    if (auto r = ctx.store->revoke(name, router::SystemClock::now()); !r) store_failure(r.error());
    auto c = ctx.store->find(name);
    if (!c) store_failure(c.error());
    if (o.json_out && *c) {
        std::cout << describe(**c).dump(2) << "\n";
    } else {
        std::cout << "client " << name << " revoked\n";
    }
    return kCliOk;
}

int rotate_key(const Options& o) {
    const auto& name = single_name(o, "rotate-key");
    auto ctx = open_store(o);
    if (in_config(ctx.config, name)) {
        throw Failure{
            kCliFailed,
            "client " + name + " is defined in the configuration file; change its key there"};
    }
    const std::string key = generate_api_key();
    if (auto r = ctx.store->rotate_key(name, http::sha256(key), router::SystemClock::now()); !r) {
        store_failure(r.error());
    }
    auto c = ctx.store->find(name);
    if (!c) store_failure(c.error());
    if (!*c) throw Failure{kCliFailed, "no api client " + name};
    print_key(o, **c, key, "has a new key");
    return kCliOk;
}

}  // namespace

std::string generate_api_key() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("cannot generate an API key: the random generator failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string key = "bnd_";
    for (const unsigned char b : bytes) {
        key.push_back(kHex[b >> 4U]);
        key.push_back(kHex[b & 0xFU]);
    }
    return key;
}

const char* client_usage() noexcept { return kUsage; }

int run_client_command(const std::vector<std::string_view>& args) {
    std::string_view sub = args.empty() ? std::string_view() : args.front();
    try {
        const Options o =
            parse(std::vector<std::string_view>(args.begin() + (args.empty() ? 0 : 1), args.end()));
        if (sub == "add") return add(o);
        if (sub == "list") return list(o);
        if (sub == "revoke") return revoke(o);
        if (sub == "rotate-key") return rotate_key(o);
        throw UsageError{"usage: bindery client add|list|revoke|rotate-key"};
    } catch (const UsageError& e) {
        std::cerr << "bindery client: " << e.message << "\n" << kUsage;
        return kCliUsage;
    } catch (const Failure& f) {
        std::cerr << "bindery client " << sub << ": " << f.message;
        if (f.message.empty() || f.message.back() != '\n') std::cerr << "\n";
        return f.code;
    }
}

}  // namespace bindery::app
