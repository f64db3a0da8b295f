#pragma once

// Process-wide logging on spdlog. Every module logs through spdlog's default logger; this file
// decides where lines go (standard error or a file, reopened on SIGHUP) and how they look:
//   human: "2026-11-23T16:40:00.123Z INFO  bind up bind=smsc-a#1 system_id=acme"
//   json:  {"ts":"2026-11-23T16:40:00.123Z","level":"info","msg":"bind up","bind":"smsc-a#1",...}
// Structured fields follow one convention that needs no dependency on app/: a message may end in
// `key=value` tokens (values with spaces or quotes are written "quoted \"like this\""). The JSON
// formatter lifts those trailing tokens into fields; with_fields() writes them. An unquoted value
// that is a plain number (42, -7, 0.25; no leading zeros, at most 15 digits) or true/false becomes
// a JSON number or boolean, except under keys that name something or someone (id, *_id, bind,
// carrier, client, receiver, account, from, to, sender, destination, fingerprint): those stay
// strings whatever they look like, so a field keeps one type.

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/formatter.h>
#include <spdlog/sinks/dist_sink.h>

#include "app/config.hpp"

namespace bindery::app {

struct LogField {
    std::string_view key;  // [a-z_][a-z0-9_.]*, e.g. message_id, bind, request_id
    std::string value;
};

// "text key=value key2=\"two words\"": the shape split_fields() takes apart again.
[[nodiscard]] std::string with_fields(std::string_view text,
                                      std::initializer_list<LogField> fields);

struct SplitField {
    std::string key;
    std::string value;    // unquoted
    bool quoted = false;  // written "like this": always a JSON string
};
struct SplitMessage {
    std::string_view text;
    std::vector<SplitField> fields;  // in message order
};
[[nodiscard]] SplitMessage split_fields(std::string_view message);

[[nodiscard]] std::unique_ptr<spdlog::formatter> make_json_formatter();
[[nodiscard]] std::unique_ptr<spdlog::formatter> make_human_formatter(bool color);

// Owns the default logger's sinks for the life of the process.
class Logging {
public:
    // Installs the default logger. Throws std::runtime_error when the log file cannot be opened.
    explicit Logging(const LoggingConfig& config);
    ~Logging();
    Logging(const Logging&) = delete;
    Logging& operator=(const Logging&) = delete;

    // SIGHUP: close and reopen the log file (after logrotate moved it). No-op on standard error.
    // Keeps the old file when the new one cannot be opened, and says so.
    void reopen();
    void flush();

private:
    [[nodiscard]] std::shared_ptr<spdlog::sinks::sink> make_file_sink() const;
    [[nodiscard]] std::unique_ptr<spdlog::formatter> make_formatter(bool to_terminal) const;

    LoggingConfig config_;
    std::shared_ptr<spdlog::sinks::dist_sink_mt> dist_;
};

}  // namespace bindery::app
