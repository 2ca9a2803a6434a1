#include "proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <iostream>
#include <vector>

namespace encore::peers {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Proxy::Connection {
    Connection(tcp::socket client_in, tcp::socket target_in)
        : client(std::move(client_in))
        , target(std::move(target_in)) {}

    tcp::socket client;
    tcp::socket target;
    // Bytes this connection may still forward before an armed `cut-after` cuts it.
    std::optional<std::uint64_t> cut_budget;
    bool closed = false;
};

namespace {

constexpr std::size_t chunk_bytes = 16 * 1024;

void close_connection(Proxy::Connection& connection, bool reset) {
    boost::system::error_code ignored;
    for (auto* socket : {&connection.client, &connection.target}) {
        if (reset) {
            // A reset rather than an orderly FIN: both peers see the link break, as
            // when a router drops the connection's state, and unsent data is thrown away.
            socket->set_option(asio::socket_base::linger(true, 0), ignored);
        }
        socket->close(ignored);
    }
    connection.closed = true;
}

} // namespace

Proxy::Proxy(asio::io_context& io, tcp::endpoint target)
    : io_(io)
    , target_(std::move(target))
    , acceptor_(io) {}

Proxy::~Proxy() {
    stop();
}

boost::system::error_code Proxy::listen(const tcp::endpoint& listen) {
    boost::system::error_code error;
    acceptor_.open(listen.protocol(), error);
    if (!error) {
        acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
    }
    if (!error) {
        acceptor_.bind(listen, error);
    }
    if (!error) {
        acceptor_.listen(asio::socket_base::max_listen_connections, error);
    }
    if (error) {
        return error;
    }
    asio::co_spawn(io_, accept_loop(), asio::detached);
    return {};
}

std::uint16_t Proxy::port() const {
    boost::system::error_code ignored;
    return acceptor_.local_endpoint(ignored).port();
}

void Proxy::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (const auto& connection : connections_) {
        close_connection(*connection, false);
    }
    connections_.clear();
}

std::size_t Proxy::cut_all() {
    const auto open = std::exchange(connections_, {});
    for (const auto& connection : open) {
        close_connection(*connection, true);
    }
    counters_.cuts += open.size();
    return open.size();
}

std::size_t Proxy::arm_cut_after(std::uint64_t bytes) {
    for (const auto& connection : connections_) {
        connection->cut_budget = bytes;
    }
    if (connections_.empty()) {
        cut_next_after_ = bytes;
    }
    return connections_.size();
}

void Proxy::disarm_cut_after() {
    cut_next_after_.reset();
    for (const auto& connection : connections_) {
        connection->cut_budget.reset();
    }
}

asio::awaitable<void> Proxy::accept_loop() {
    while (acceptor_.is_open()) {
        auto [error, client] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
        if (error) {
            if (!acceptor_.is_open()) {
                break;
            }
            continue;
        }
        asio::co_spawn(io_, join(std::move(client)), asio::detached);
    }
}

asio::awaitable<void> Proxy::join(tcp::socket client) {
    boost::system::error_code ignored;
    if (faults_.refuse) {
        ++counters_.refused;
        client.close(ignored);
        co_return;
    }
    tcp::socket target(io_);
    auto [error] = co_await target.async_connect(target_, asio::as_tuple(asio::use_awaitable));
    if (error || !acceptor_.is_open()) {
        // The client sees what it would see without the proxy: the connection closes.
        ++counters_.refused;
        client.close(ignored);
        co_return;
    }
    client.set_option(tcp::no_delay(true), ignored);
    target.set_option(tcp::no_delay(true), ignored);
    auto connection = std::make_shared<Connection>(std::move(client), std::move(target));
    if (cut_next_after_) {
        connection->cut_budget = std::exchange(cut_next_after_, std::nullopt);
    }
    connections_.insert(connection);
    ++counters_.accepted;
    asio::co_spawn(io_, pump(connection, true), asio::detached);
    asio::co_spawn(io_, pump(connection, false), asio::detached);
}

std::size_t Proxy::allowance(Connection& connection, std::size_t bytes) const {
    if (!connection.cut_budget) {
        return bytes;
    }
    const auto allowed =
        static_cast<std::size_t>(std::min<std::uint64_t>(*connection.cut_budget, bytes));
    *connection.cut_budget -= allowed;
    return allowed;
}

void Proxy::cut(const std::shared_ptr<Connection>& connection) {
    connections_.erase(connection);
    close_connection(*connection, true);
    ++counters_.cuts;
}

asio::awaitable<void> Proxy::pump(std::shared_ptr<Connection> connection, bool to_target) {
    auto& from = to_target ? connection->client : connection->target;
    auto& to = to_target ? connection->target : connection->client;
    auto& forwarded = to_target ? counters_.bytes_to_target : counters_.bytes_to_client;
    std::vector<char> buffer(chunk_bytes);
    asio::steady_timer pause(io_);
    while (!connection->closed) {
        auto [read_error, count] = co_await from.async_read_some(
            asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
        if (read_error || connection->closed) {
            break;
        }
        if (faults_.blackhole) {
            counters_.bytes_dropped += count;
            continue;
        }
        if (faults_.delay.count() > 0) {
            pause.expires_after(faults_.delay);
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            if (connection->closed) {
                break;
            }
        }
        std::size_t sent = 0;
        while (sent < count && !connection->closed) {
            const auto rate = faults_.throttle_bytes_per_second;
            // Throttled data goes out in twentieths of a second's worth, so the stream
            // is smooth rather than bursty.
            const auto piece = rate == 0 ? count - sent
                                         : static_cast<std::size_t>(std::clamp<std::uint64_t>(
                                               rate / 20, 1, count - sent));
            const auto allowed = allowance(*connection, piece);
            auto [write_error, written] =
                co_await asio::async_write(to, asio::buffer(buffer.data() + sent, allowed),
                                           asio::as_tuple(asio::use_awaitable));
            if (write_error || connection->closed) {
                break;
            }
            forwarded += written;
            sent += written;
            if (connection->cut_budget && *connection->cut_budget == 0) {
                cut(connection);
                co_return;
            }
            if (rate > 0) {
                pause.expires_after(std::chrono::microseconds(written * 1'000'000 / rate));
                co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            }
        }
        if (sent < count) {
            break;
        }
    }
    if (!connection->closed) {
        // One side closed or failed: close the other too, in order, so what was
        // already forwarded still arrives.
        connections_.erase(connection);
        close_connection(*connection, false);
    }
}

} // namespace encore::peers
