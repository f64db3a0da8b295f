#include "app/server.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "app/logging.hpp"
#include "smpp/base/thread_name.hpp"

namespace bindery::app {

namespace {

unsigned resolve_threads(unsigned configured) {
    if (configured != 0) return configured;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : hw;
}

std::string signal_name(int signal) {
    switch (signal) {
        case SIGTERM: return "SIGTERM";
        case SIGINT: return "SIGINT";
        case SIGHUP: return "SIGHUP";
        default: break;
    }
    return std::to_string(signal);
}

std::string millis(std::chrono::steady_clock::duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
}

}  // namespace

Server::Server(ServerOptions options)
    : liveness_(std::make_shared<Liveness>()),
      options_(std::move(options)),
      threads_(resolve_threads(options_.io_threads)),
      io_(static_cast<int>(threads_)),
      strand_(boost::asio::make_strand(io_)),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      drain_timer_(io_) {
    liveness_->server = this;
}

Server::~Server() {
    std::lock_guard lock(liveness_->mutex);
    liveness_->server = nullptr;
}

void Server::add(std::shared_ptr<Service> service) { services_.push_back(std::move(service)); }

void Server::on_reload(std::function<void()> hook) { reload_hooks_.push_back(std::move(hook)); }

void Server::shutdown() {
    boost::asio::post(strand_, [this] {
        if (!draining_ && !finished_) begin_drain();
    });
}

int Server::run() {
    auto work = boost::asio::make_work_guard(io_);
    wait_signal();
    boost::asio::post(strand_, [this] { start_services(); });

    std::vector<std::thread> pool;
    pool.reserve(threads_ - 1);
    for (unsigned i = 1; i < threads_; ++i) {
        pool.emplace_back([this, i] {
            name_this_thread("io-" + std::to_string(i));
            io_.run();
        });
    }
    // finish() stops the io_context; the work guard only keeps it alive while serving.
    io_.run();
    for (auto& t : pool) t.join();
    work.reset();
    if (!options_.ready_file.empty()) ::unlink(options_.ready_file.c_str());
    return status_;
}

void Server::start_services() {
    spdlog::info(with_fields("starting", {{"services", std::to_string(services_.size())},
                                          {"io_threads", std::to_string(threads_)}}));
    for (const auto& s : services_) {
        if (draining_) return;  // a signal during start-up: stop what started
        try {
            s->start();
        } catch (const std::exception& e) {
            spdlog::critical(
                with_fields("service failed to start",
                            {{"service", std::string(s->name())}, {"error", e.what()}}));
            status_ = kExitStartFailed;
            begin_drain();
            return;
        }
        ++started_;
        spdlog::debug(with_fields("service started", {{"service", std::string(s->name())}}));
    }
    if (!options_.ready_file.empty()) {
        std::ofstream out(options_.ready_file, std::ios::trunc);
        out << ::getpid() << "\n";
        if (!out)
            spdlog::warn(with_fields("cannot write ready file", {{"file", options_.ready_file}}));
    }
    spdlog::info(with_fields("ready", {{"pid", std::to_string(::getpid())}}));
}

void Server::wait_signal() {
    signals_.async_wait(boost::asio::bind_executor(
        strand_, [this](const boost::system::error_code& ec, int signal) {
            if (ec) return;  // cancelled by finish()
            on_signal(signal);
            if (!finished_) wait_signal();
        }));
}

void Server::on_signal(int signal) {
    if (signal == SIGHUP) {
        spdlog::info("SIGHUP: reopening logs");
        for (const auto& hook : reload_hooks_) hook();
        return;
    }
    if (!draining_) {
        spdlog::info(with_fields("draining", {{"signal", signal_name(signal)},
                                              {"deadline", millis(options_.drain_timeout)}}));
        begin_drain();
        return;
    }
    spdlog::error(with_fields("second stop signal: exiting without finishing the drain",
                              {{"signal", signal_name(signal)}}));
    finish(kExitForced);
}

void Server::begin_drain() {
    draining_ = true;
    drain_started_ = std::chrono::steady_clock::now();
    deadline_ = drain_started_ + options_.drain_timeout;
    drain_timer_.expires_at(deadline_);
    drain_timer_.async_wait(
        boost::asio::bind_executor(strand_, [this](const boost::system::error_code& ec) {
            if (!ec) on_drain_deadline();
        }));
    stopping_ = started_ + 1;
    stop_next();
}

void Server::stop_next() {
    if (finished_) return;
    if (stopping_ <= 1) {
        spdlog::info(with_fields(
            "drained", {{"elapsed", millis(std::chrono::steady_clock::now() - drain_started_)}}));
        finish(status_);
        return;
    }
    --stopping_;
    const auto& service = services_[stopping_ - 1];
    spdlog::debug(with_fields("stopping service", {{"service", std::string(service->name())}}));
    const std::size_t index = stopping_;
    auto called = std::make_shared<std::once_flag>();
    service->stop(deadline_, [liveness = liveness_, index, called] {
        std::call_once(*called, [&] {
            std::lock_guard lock(liveness->mutex);
            Server* self = liveness->server;
            if (self == nullptr) return;
            boost::asio::post(self->strand_, [self, index] {
                if (self->stopping_ == index) self->stop_next();
            });
        });
    });
}

void Server::on_drain_deadline() {
    if (finished_) return;
    std::string pending;
    for (std::size_t i = stopping_; i >= 1; --i) {
        if (!pending.empty()) pending += ",";
        pending += services_[i - 1]->name();
    }
    spdlog::error(
        with_fields("drain deadline passed; exiting with work unfinished",
                    {{"pending", pending}, {"deadline", millis(options_.drain_timeout)}}));
    finish(status_);
}

void Server::finish(int status) {
    if (finished_) return;
    finished_ = true;
    status_ = status;
    drain_timer_.cancel();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    if (auto logger = spdlog::default_logger(); logger) logger->flush();
    io_.stop();
}

}  // namespace bindery::app
