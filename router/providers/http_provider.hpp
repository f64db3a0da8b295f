#pragma once
// HttpProvider: a router::Provider for REST SMS APIs described by configuration instead of code.
// One HTTP request per message, built from templates: `url` (its scheme://host:port part must be
// literal), `body`, and header values may use {to} (E.164 with '+'), {to_digits}, {from}, {text},
// {id} (Bindery message id), {client} and {secret} (`secret`: an API key in the URL, a signature
// header; configured as a secret, redacted from errors). Values are escaped for where they land:
// percent-encoded in the URL and in form bodies, JSON-string-escaped in JSON bodies (content type
// containing "json"; the template supplies the quotes), raw elsewhere. An auth header
// (`auth_header`: `auth_value`, e.g. "Authorization: Bearer ...") is added and redacted from
// errors.
//
// The response: success when the HTTP status is in `success_status` and, if `success_pointer` is
// set, the JSON value there equals one of `success_values`; the provider id is read with
// `id_pointer` (a string or number; absent pointer = the Bindery id). A failure is a
// SendError{status, code}: the HTTP status, or (for a 2xx answer the body calls a failure) the
// value at `error_code_pointer`; 429 is `throttled`. The router classifies the code with the
// StatusMap of kind() ("http" by default; the app registers a per-carrier map as "http:<name>").
// Transport failures are `timeout` / `connection`.
//
// No delivery receipts: generic providers report them by callbacks, which this adapter does not
// receive. Threading as KavenegarProvider: any thread in, `done` on the provider's strand.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "router/core/provider.hpp"
#include "router/providers/http_client.hpp"

namespace bindery::router {

struct HttpProviderConfig {
    std::string name = "http";
    std::string kind = "http";
    std::string method = "POST";
    std::string url;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;  // values are templates
    std::string auth_header = "Authorization";
    std::string auth_value;  // secret; empty = no auth header
    std::string secret;      // {secret} in url, headers and body; redacted from errors
    std::vector<unsigned> success_status{200};
    std::string id_pointer;
    std::string success_pointer;
    std::vector<std::string> success_values;
    std::string error_code_pointer;
    std::string error_text_pointer;
    double rate = 5;   // requests per second
    double burst = 0;  // 0 = max(1, rate)
    unsigned concurrency = 4;
    std::size_t max_queue = 10'000;
    Duration timeout = std::chrono::seconds(10);
    HttpClientTls tls;
};

// Where a template value lands.
enum class TemplateContext : std::uint8_t { url, form, json, raw };
struct TemplateValues {
    std::string to, to_digits, from, text, id, client;
    std::string_view secret;
};
// Replaces the known {placeholders}; every other character (including other braces) is kept.
std::string expand_template(std::string_view tmpl, const TemplateValues& values,
                            TemplateContext context);
// The JSON value at `pointer` in `body` as text (strings unquoted, numbers and booleans dumped);
// nullopt when the body is not JSON or the pointer does not resolve.
std::optional<std::string> json_pointer_text(std::string_view body, const std::string& pointer);

struct HttpProviderStats {
    std::uint64_t requests = 0;
    std::uint64_t sent = 0;
    std::uint64_t failed = 0;
};

class HttpProvider final : public Provider {
public:
    // Throws std::invalid_argument on a bad URL template or TLS setup (startup only).
    HttpProvider(HttpProviderConfig config, const boost::asio::any_io_executor& executor);
    ~HttpProvider() override;
    HttpProvider(const HttpProvider&) = delete;
    HttpProvider& operator=(const HttpProvider&) = delete;

    void start();
    void stop(Duration drain, std::function<void()> done = {});

    [[nodiscard]] HttpProviderStats stats() const;
    [[nodiscard]] HttpClientStats http_stats() const;

    // router::Provider
    std::string_view name() const override { return name_; }
    std::string_view kind() const override { return kind_; }
    bool ready() const override;
    ProviderHealth health() const override;
    void send(OutboundMessage message, std::function<void(SendResult)> done) override;

    struct State;

private:
    std::string name_;
    std::string kind_;
    std::shared_ptr<State> state_;
};

}  // namespace bindery::router
