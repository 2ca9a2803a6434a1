#pragma once

// The proxy itself: accepts TCP connections on one address, opens a connection to
// the target for each, and copies bytes both ways through the faults a test has
// switched on. Everything runs on one io_context thread, so the settings and
// counters need no locks.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace encore::peers {

// What the control channel can switch while the proxy runs.
struct FaultSettings {
    // Added before each chunk read from one side is written to the other.
    std::chrono::milliseconds delay{0};
    // Bytes per second per direction of each connection; 0 means no limit.
    std::uint64_t throttle_bytes_per_second = 0;
    // Connections stay open but every byte read is dropped: the link hangs silently.
    bool blackhole = false;
    // New connections are accepted and closed at once.
    bool refuse = false;
};

struct ProxyCounters {
    std::uint64_t accepted = 0;        // connections accepted and joined to the target
    std::uint64_t refused = 0;         // closed at once by `refuse on` or a dead target
    std::uint64_t bytes_to_target = 0; // forwarded client -> target
    std::uint64_t bytes_to_client = 0; // forwarded target -> client
    std::uint64_t bytes_dropped = 0;   // read while blackholed
    std::uint64_t cuts = 0;            // connections closed by `cut` or `cut-after`
};

class Proxy {
public:
    Proxy(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint target);
    ~Proxy();
    Proxy(const Proxy&) = delete;
    Proxy& operator=(const Proxy&) = delete;

    // Binds `listen` (port 0 picks a free port) and starts accepting.
    boost::system::error_code listen(const boost::asio::ip::tcp::endpoint& listen);
    std::uint16_t port() const;
    void stop();

    FaultSettings& faults() { return faults_; }
    const FaultSettings& faults() const { return faults_; }
    const ProxyCounters& counters() const { return counters_; }
    std::size_t open_connections() const { return connections_.size(); }

    // Closes every open connection on both sides with a reset; returns how many.
    std::size_t cut_all();
    // Arms a one-shot cut: each connection open now is cut once it has forwarded
    // `bytes` more bytes (both directions together); when none is open, the next
    // accepted connection is. Returns how many connections were armed (0: the next).
    std::size_t arm_cut_after(std::uint64_t bytes);
    void disarm_cut_after();

    struct Connection;

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> join(boost::asio::ip::tcp::socket client);
    boost::asio::awaitable<void> pump(std::shared_ptr<Connection> connection, bool to_target);
    // Counts `bytes` forwarded on `connection` against its cut-after budget; answers
    // how many of them may still go through before the cut.
    std::size_t allowance(Connection& connection, std::size_t bytes) const;
    void cut(const std::shared_ptr<Connection>& connection);

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::endpoint target_;
    boost::asio::ip::tcp::acceptor acceptor_;
    FaultSettings faults_;
    ProxyCounters counters_;
    std::set<std::shared_ptr<Connection>> connections_;
    // `cut-after` armed while no connection was open: the next one takes it.
    std::optional<std::uint64_t> cut_next_after_;
};

} // namespace encore::peers
