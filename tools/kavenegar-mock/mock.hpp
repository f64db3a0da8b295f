#pragma once
// bindery-kavenegar-mock: an HTTP(S) server speaking Kavenegar's request and response formats
// (../shared/reference/kavenegar-api.md): /v1/{API-KEY}/sms/send.json, sms/sendarray.json and
// sms/status.json, form-encoded POST or GET with a query string, the JSON envelope with
// return.status / entries, and the error convention (HTTP status = return.status, entries null).
// Configurable latency, failure codes (for every call, a fraction of calls, or per receptor) and
// delivery outcomes (final status after a delay, a fraction undelivered, or per receptor). Used by
// the provider tests, the benchmark and manual trials (`bindery-kavenegar-mock --help`).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace bindery::mock {

struct KavenegarMockConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;         // 0 = any free port (see port())
    std::string cert_pem, key_pem;  // both set: HTTPS
    std::string api_key;            // empty = any key accepted; else others get 403
    unsigned threads = 1;
    std::chrono::milliseconds latency{0};  // added before every answer
    std::int64_t fail_status = 0;          // non-zero: send/sendarray answer this return.status...
    double fail_rate = 1.0;                // ...for this fraction of calls
    std::map<std::string, std::int64_t> receptor_fail;  // receptor -> return.status (send calls)
    std::int64_t final_status = 10;  // what status.json reports once delivery_delay passed
    double undelivered_rate = 0;     // fraction of messages that end in status 11 instead
    std::map<std::string, std::int64_t> receptor_final;  // receptor -> final status
    std::chrono::milliseconds delivery_delay{0};
    std::int64_t first_messageid = 800'000'000;
    std::uint64_t seed = 1;
};

struct MockMessage {
    std::int64_t messageid = 0;
    std::string receptor, sender, message, localid;
    std::int64_t final_status = 10;
    std::chrono::steady_clock::time_point sent_at;
};

// One sms/status.json call as the mock received it.
struct MockStatusCall {
    std::chrono::steady_clock::time_point at;
    std::size_t ids = 0;
};

struct KavenegarMockStats {
    std::uint64_t requests = 0;
    std::uint64_t send_calls = 0;
    std::uint64_t sendarray_calls = 0;
    std::uint64_t status_calls = 0;
    std::uint64_t messages = 0;            // distinct messages accepted
    std::uint64_t duplicate_localids = 0;  // re-sends answered with the original entry
    std::uint64_t failed_calls = 0;        // answered with a non-200 return.status
    std::uint64_t connections = 0;
};

class KavenegarMock {
public:
    explicit KavenegarMock(KavenegarMockConfig config);
    ~KavenegarMock();
    KavenegarMock(const KavenegarMock&) = delete;
    KavenegarMock& operator=(const KavenegarMock&) = delete;

    void start();  // binds and serves on its own threads; throws on bind failure
    void stop();
    std::uint16_t port() const;
    bool tls() const;

    // Runtime knobs (tests): take effect on the next call.
    void set_fail_status(std::int64_t status, double rate = 1.0);
    void set_latency(std::chrono::milliseconds latency);
    // Closes every accepted connection and refuses new ones while down (an outage).
    void set_down(bool down);

    KavenegarMockStats stats() const;
    std::vector<MockMessage> messages() const;
    std::vector<std::string> targets() const;          // request targets seen, in order (last 1000)
    std::vector<MockStatusCall> status_calls() const;  // status.json calls, in order (last 1000)

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

// A self-signed certificate (CA:TRUE, SAN DNS:localhost and IP:127.0.0.1 plus `names`) and its
// private key, PEM, generated with OpenSSL: for the mock's HTTPS, tests and benchmarks.
struct PemPair {
    std::string cert_pem;
    std::string key_pem;
};
PemPair make_self_signed(const std::string& common_name = "localhost",
                         const std::vector<std::string>& names = {});

}  // namespace bindery::mock
