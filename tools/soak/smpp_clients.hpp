#pragma once
// The soak's SMPP clients: N transceiver sessions (Bindery's own BindPool) bound to the gateway's
// SMPP server side, submitting at a fixed arrival rate with registered_delivery=1 and answering the
// delivery receipts that come back. Runs on its own thread and io_context; every public call is
// safe from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tools/soak/ids.hpp"

namespace bindery::soak {

struct SmppClientsConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string system_id;
    std::string password;
    unsigned sessions = 2;
    std::size_t window = 20;  // per session
    double rate = 40;         // submit_sm per second, all sessions together
};

struct SmppFigures {
    std::uint64_t submitted = 0;    // submit_sm that left (answered or not)
    std::uint64_t ok = 0;           // submit_sm_resp ESME_ROK
    std::uint64_t refused = 0;      // submit_sm_resp with an error status
    std::uint64_t no_response = 0;  // timed out or the bind dropped while in flight
    std::uint64_t unsent = 0;       // due, but never sent (no bind had room before the end)
    std::uint64_t bad_ids = 0;      // ESME_ROK with a message_id that is not a Bindery id
    std::uint64_t receipts = 0;     // deliver_sm receipts answered
    std::uint64_t bind_failures = 0, bind_downs = 0;
    std::uint64_t in_flight = 0;
};

class SmppClients {
public:
    explicit SmppClients(SmppClientsConfig config);
    ~SmppClients();  // close()
    SmppClients(const SmppClients&) = delete;
    SmppClients& operator=(const SmppClients&) = delete;

    // Starts the sessions; true once one is bound, false after `limit` without a bind.
    bool start(std::chrono::milliseconds limit);
    // Open loop from `start`: submit k is due at start + k / rate, the last one before `end`.
    void load(std::chrono::steady_clock::time_point start,
              std::chrono::steady_clock::time_point end);
    // No more submits (what is still due counts as unsent); true once nothing is in flight, within
    // `limit`.
    bool stop_sending(std::chrono::milliseconds limit);
    // Unbinds and joins the thread (bounded).
    void close();

    [[nodiscard]] SmppFigures figures() const;
    // The Bindery ids of the submits answered ESME_ROK, and the ids the receipts named.
    [[nodiscard]] std::vector<Id> acknowledged() const;
    [[nodiscard]] std::vector<Id> receipted() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace bindery::soak
