#include "app/logging.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <stdexcept>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "smpp/base/log_field.hpp"

namespace bindery::app {

namespace {

bool is_key_char(char c, bool first) noexcept {
    if (c == '_' || (c >= 'a' && c <= 'z')) return true;
    return !first && ((c >= '0' && c <= '9') || c == '.');
}

void append(spdlog::memory_buf_t& dest, std::string_view s) {
    dest.append(s.data(), s.data() + s.size());
}

void append_json_string(spdlog::memory_buf_t& dest, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    dest.push_back('"');
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"': append(dest, "\\\""); break;
            case '\\': append(dest, "\\\\"); break;
            case '\n': append(dest, "\\n"); break;
            case '\r': append(dest, "\\r"); break;
            case '\t': append(dest, "\\t"); break;
            default:
                if (u < 0x20) {
                    const char esc[] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 0xF]};
                    dest.append(esc, esc + sizeof esc);
                } else {
                    dest.push_back(c);
                }
        }
    }
    dest.push_back('"');
}

void append_timestamp(spdlog::memory_buf_t& dest, std::chrono::system_clock::time_point t) {
    const auto since = t.time_since_epoch();
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since - secs).count();
    const std::time_t tt = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[40];
    const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                                tm.tm_sec, static_cast<int>(millis));
    if (n > 0) dest.append(buf, buf + n);
}

std::string_view level_name(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace: return "trace";
        case spdlog::level::debug: return "debug";
        case spdlog::level::info: return "info";
        case spdlog::level::warn: return "warn";
        case spdlog::level::err: return "error";
        case spdlog::level::critical: return "critical";
        default: break;
    }
    return "off";
}

// Keys whose values name something or someone: strings even when they look like numbers
// ("carrier":"1", "from":"98912...").
bool names_something(std::string_view key) noexcept {
    static constexpr std::string_view kNames[] = {"id",          "bind",        "carrier", "client",
                                                  "receiver",    "from",        "to",      "sender",
                                                  "destination", "fingerprint", "account"};
    if (key.size() > 3 && key.substr(key.size() - 3) == "_id") return true;
    return std::find(std::begin(kNames), std::end(kNames), key) != std::end(kNames);
}

// An unquoted value written as a JSON number or boolean: true, false, or a plain decimal number
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?, at most 15 digits, exact in a double).
bool json_literal(std::string_view key, std::string_view v) noexcept {
    if (v == "true" || v == "false") return !names_something(key);
    std::size_t i = 0;
    if (i < v.size() && v[i] == '-') ++i;
    const std::size_t int_begin = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    const std::size_t int_digits = i - int_begin;
    if (int_digits == 0 || (int_digits > 1 && v[int_begin] == '0')) return false;
    std::size_t frac_digits = 0;
    if (i < v.size() && v[i] == '.') {
        ++i;
        while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i, ++frac_digits;
        if (frac_digits == 0) return false;
    }
    return i == v.size() && int_digits + frac_digits <= 15 && !names_something(key);
}

class JsonFormatter final : public spdlog::formatter {
public:
    // spdlog::formatter
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string_view payload(msg.payload.data(), msg.payload.size());
        const auto split = split_fields(payload);
        append(dest, "{\"ts\":\"");
        append_timestamp(dest, msg.time);
        append(dest, "\",\"level\":\"");
        append(dest, level_name(msg.level));
        append(dest, "\"");
        if (msg.logger_name.size() != 0 &&
            std::string_view(msg.logger_name.data(), msg.logger_name.size()) != "bindery") {
            append(dest, ",\"logger\":");
            append_json_string(dest,
                               std::string_view(msg.logger_name.data(), msg.logger_name.size()));
        }
        append(dest, ",\"msg\":");
        append_json_string(dest, split.text);
        for (const auto& [key, value, quoted] : split.fields) {
            if (key == "ts" || key == "level" || key == "msg" || key == "logger")
                continue;  // reserved
            dest.push_back(',');
            append_json_string(dest, key);
            dest.push_back(':');
            if (!quoted && json_literal(key, value)) {
                append(dest, value);
            } else {
                append_json_string(dest, value);
            }
        }
        append(dest, "}\n");
    }
    [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonFormatter>();
    }
};

class HumanFormatter final : public spdlog::formatter {
public:
    explicit HumanFormatter(bool color) : color_(color) {}

    // spdlog::formatter
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        append_timestamp(dest, msg.time);
        dest.push_back(' ');
        std::string_view colour;
        if (color_) {
            switch (msg.level) {
                case spdlog::level::trace:
                case spdlog::level::debug: colour = "\033[2m"; break;
                case spdlog::level::info: colour = "\033[32m"; break;
                case spdlog::level::warn: colour = "\033[33m"; break;
                default: colour = "\033[31;1m"; break;
            }
            append(dest, colour);
        }
        // "INFO  text", "CRITICAL text": padded to the widest common level, never run into the
        // text.
        std::string level(level_name(msg.level));
        for (auto& c : level) c = static_cast<char>(c - ('a' - 'A'));
        append(dest, level);
        if (color_) append(dest, "\033[0m");
        dest.push_back(' ');
        for (std::size_t n = level.size(); n < 5; ++n) dest.push_back(' ');
        if (msg.logger_name.size() != 0 &&
            std::string_view(msg.logger_name.data(), msg.logger_name.size()) != "bindery") {
            dest.push_back('[');
            append(dest, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
            append(dest, "] ");
        }
        append(dest, std::string_view(msg.payload.data(), msg.payload.size()));
        dest.push_back('\n');
    }
    [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<HumanFormatter>(color_);
    }

private:
    bool color_;
};

spdlog::level::level_enum to_spdlog(LogLevel level) {
    switch (level) {
        case LogLevel::trace: return spdlog::level::trace;
        case LogLevel::debug: return spdlog::level::debug;
        case LogLevel::info: return spdlog::level::info;
        case LogLevel::warn: return spdlog::level::warn;
        case LogLevel::error: return spdlog::level::err;
        case LogLevel::critical: return spdlog::level::critical;
        case LogLevel::off: return spdlog::level::off;
    }
    return spdlog::level::info;
}

}  // namespace

std::string with_fields(std::string_view text, std::initializer_list<LogField> fields) {
    std::string out(text);
    for (const auto& f : fields) {
        out += ' ';
        out += f.key;
        out += '=';
        out += log_value(f.value);
    }
    return out;
}

SplitMessage split_fields(std::string_view message) {
    struct Token {
        std::size_t begin;
        bool field;
        std::string key;
        std::string value;
        bool quoted = false;
    };
    std::vector<Token> tokens;
    std::size_t i = 0;
    while (i < message.size()) {
        while (i < message.size() && message[i] == ' ') ++i;
        if (i >= message.size()) break;
        Token t{i, false, {}, {}, false};
        std::size_t k = i;
        while (k < message.size() && is_key_char(message[k], k == i)) ++k;
        if (k > i && k < message.size() && message[k] == '=') {
            t.key.assign(message.substr(i, k - i));
            std::size_t v = k + 1;
            if (v < message.size() && message[v] == '"') {
                ++v;
                bool closed = false;
                while (v < message.size()) {
                    const char c = message[v++];
                    if (c == '\\' && v < message.size()) {
                        const char e = message[v++];
                        t.value += e == 'n' ? '\n' : e;
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        t.value += c;
                    }
                }
                t.field = closed && (v >= message.size() || message[v] == ' ');
                t.quoted = true;
            } else {
                const auto end = std::min(message.find(' ', v), message.size());
                t.value.assign(message.substr(v, end - v));
                t.field = true;
                v = end;
            }
            i = v;
        } else {
            i = std::min(message.find(' ', i), message.size());
        }
        tokens.push_back(std::move(t));
    }
    // Only a suffix of key=value tokens counts as fields; a plain word resets it.
    std::size_t first_field = tokens.size();
    while (first_field > 0 && tokens[first_field - 1].field) --first_field;
    SplitMessage out;
    const std::size_t text_end =
        first_field < tokens.size() ? tokens[first_field].begin : message.size();
    out.text = message.substr(0, text_end);
    while (!out.text.empty() && out.text.back() == ' ') out.text.remove_suffix(1);
    for (std::size_t j = first_field; j < tokens.size(); ++j) {
        out.fields.push_back(
            {std::move(tokens[j].key), std::move(tokens[j].value), tokens[j].quoted});
    }
    return out;
}

std::unique_ptr<spdlog::formatter> make_json_formatter() {
    return std::make_unique<JsonFormatter>();
}
std::unique_ptr<spdlog::formatter> make_human_formatter(bool color) {
    return std::make_unique<HumanFormatter>(color);
}

Logging::Logging(const LoggingConfig& config)
    : config_(config), dist_(std::make_shared<spdlog::sinks::dist_sink_mt>()) {
    const bool to_file = !config_.file.empty();
    std::shared_ptr<spdlog::sinks::sink> sink;
    if (to_file) {
        sink = make_file_sink();
    } else {
        sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    }
    sink->set_formatter(make_formatter(!to_file && ::isatty(STDERR_FILENO) == 1));
    dist_->set_sinks({sink});
    auto logger = std::make_shared<spdlog::logger>("bindery", dist_);
    logger->set_level(to_spdlog(config_.level));
    logger->flush_on(spdlog::level::info);
    // Named loggers (http.access) copy the default logger's sinks, level and flush level when they
    // are first asked for: drop those made for an earlier default logger.
    spdlog::drop_all();
    spdlog::set_default_logger(std::move(logger));
    // Lines below info (debug, trace) are flushed within a second rather than at the next info
    // line.
    spdlog::flush_every(std::chrono::seconds(1));
}

Logging::~Logging() { flush(); }

std::shared_ptr<spdlog::sinks::sink> Logging::make_file_sink() const {
    try {
        return std::make_shared<spdlog::sinks::basic_file_sink_mt>(config_.file, false);
    } catch (const spdlog::spdlog_ex& e) {
        throw std::runtime_error("cannot open log file " + config_.file + ": " + e.what());
    }
}

std::unique_ptr<spdlog::formatter> Logging::make_formatter(bool to_terminal) const {
    if (config_.format == LogFormat::json) return make_json_formatter();
    return make_human_formatter(to_terminal);
}

void Logging::reopen() {
    if (config_.file.empty()) return;
    std::shared_ptr<spdlog::sinks::sink> sink;
    try {
        sink = make_file_sink();
    } catch (const std::exception& e) {
        spdlog::error(with_fields("cannot reopen log file, keeping the old one",
                                  {{"file", config_.file}, {"error", e.what()}}));
        return;
    }
    sink->set_formatter(make_formatter(false));
    dist_->flush();
    dist_->set_sinks({sink});
    spdlog::info(with_fields("log file reopened", {{"file", config_.file}}));
}

void Logging::flush() {
    if (auto logger = spdlog::default_logger(); logger) logger->flush();
}

}  // namespace bindery::app
