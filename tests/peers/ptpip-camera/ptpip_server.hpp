#pragma once

// Accepts PTP/IP connections on 127.0.0.1. Command and event connections
// share the one port: the first packet on a connection says which it is,
// and an event connection names the command connection it belongs to.

#include "camera_model.hpp"
#include "capture_pipeline.hpp"
#include "live_view.hpp"
#include "ptp_session.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>

namespace encore::peers {

class PtpIpServer {
public:
    PtpIpServer(boost::asio::io_context& io, SessionServices services);

    // Binds 127.0.0.1:port (0 picks a free port) and accepts connections,
    // unless the vanish fault is already on: then the port is reserved for
    // reappear() but connections are refused.
    boost::system::error_code listen(std::uint16_t port);
    std::uint16_t port() const { return port_; }

    // Closes every connection and stops listening, so connecting fails with
    // "connection refused", as when a camera switches off or leaves Wi-Fi.
    void vanish();
    // Listens again on the same port after vanish().
    boost::system::error_code reappear();
    bool vanished() const { return vanished_; }

    // Open command sessions, i.e. connected hosts.
    std::size_t client_count() const { return sessions_.size(); }

    // Closes everything for shutdown.
    void stop() { vanish(); }

private:
    boost::system::error_code open_acceptor();
    boost::asio::awaitable<void>
    accept_loop(std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor);
    boost::asio::awaitable<void> serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket);
    boost::asio::awaitable<void>
    serve_command(std::shared_ptr<boost::asio::ip::tcp::socket> socket);
    boost::asio::awaitable<void> serve_events(std::shared_ptr<boost::asio::ip::tcp::socket> socket,
                                              std::uint32_t connection_number);

    boost::asio::io_context& io_;
    SessionServices services_;
    std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
    std::uint16_t port_ = 0;
    bool vanished_ = false;
    // Connections whose first packet has not yet said what they are.
    std::set<std::shared_ptr<boost::asio::ip::tcp::socket>> pending_;
    std::map<std::uint32_t, std::shared_ptr<PtpSession>> sessions_;
    std::uint32_t next_connection_number_ = 1;
};

} // namespace encore::peers
