#include "ptpip_server.hpp"

#include "log.hpp"
#include "ptpip_packet.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <string>
#include <utility>

namespace encore::peers {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// An InitCommandRequest holds a GUID, a host name of at most a few dozen
// characters and a version; 1 KiB is far more than any real one.
constexpr std::size_t max_init_body = 1024;
constexpr std::size_t min_init_command_body = 16 + 2 + 4;

} // namespace

PtpIpServer::PtpIpServer(asio::io_context& io, SessionServices services)
    : io_(io)
    , services_(services) {}

boost::system::error_code PtpIpServer::listen(std::uint16_t port) {
    port_ = port;
    if (auto ec = open_acceptor()) {
        return ec;
    }
    if (services_.camera.faults().is_on(Fault::Vanish)) {
        vanish();
    }
    return {};
}

boost::system::error_code PtpIpServer::open_acceptor() {
    auto acceptor = std::make_shared<tcp::acceptor>(io_);
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port_);
    boost::system::error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) {
        // Reuse lets reappear() bind the same port again while connections
        // closed by vanish() linger in TIME_WAIT.
        acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor->bind(endpoint, ec);
    }
    if (!ec) {
        acceptor->listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return ec;
    }
    port_ = acceptor->local_endpoint().port();
    acceptor_ = acceptor;
    vanished_ = false;
    asio::co_spawn(io_, accept_loop(acceptor), asio::detached);
    return {};
}

void PtpIpServer::vanish() {
    vanished_ = true;
    boost::system::error_code ignored;
    if (acceptor_) {
        acceptor_->close(ignored);
        acceptor_.reset();
    }
    for (const auto& socket : pending_) {
        socket->close(ignored);
    }
    pending_.clear();
    // Closing a session makes its coroutine end and unregister it, so work
    // on a copy of the map.
    const auto sessions = sessions_;
    for (const auto& [number, session] : sessions) {
        session->close();
    }
}

boost::system::error_code PtpIpServer::reappear() {
    if (!vanished_) {
        return {};
    }
    return open_acceptor();
}

asio::awaitable<void> PtpIpServer::accept_loop(std::shared_ptr<tcp::acceptor> acceptor) {
    while (acceptor->is_open()) {
        auto [ec, socket] = co_await acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (!acceptor->is_open()) {
                break;
            }
            // Running out of descriptors or a connection reset before it
            // was accepted must not stop the camera from listening.
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        asio::co_spawn(io_, serve(std::make_shared<tcp::socket>(std::move(socket))),
                       asio::detached);
    }
}

asio::awaitable<void> PtpIpServer::serve(std::shared_ptr<tcp::socket> socket) {
    pending_.insert(socket);
    auto packet = co_await read_packet(*socket, max_init_body);
    if (pending_.erase(socket) == 0 || !packet) {
        // Either vanish() closed the connection or the host sent nothing
        // usable; the socket closes as it goes out of scope.
        co_return;
    }
    switch (static_cast<ptp::PacketType>(packet->type)) {
    case ptp::PacketType::InitCommandRequest:
        if (packet->body.size() < min_init_command_body) {
            log_line("server", "short InitCommandRequest; closing the connection");
            co_return;
        }
        co_await serve_command(std::move(socket));
        co_return;
    case ptp::PacketType::InitEventRequest: {
        LeReader reader(packet->body);
        const auto number = reader.u32();
        if (!number) {
            log_line("server", "short InitEventRequest; closing the connection");
            co_return;
        }
        co_await serve_events(std::move(socket), *number);
        co_return;
    }
    default:
        log_line("server", "connection opened with packet type " + std::to_string(packet->type) +
                               "; closing it");
        co_return;
    }
}

asio::awaitable<void> PtpIpServer::serve_command(std::shared_ptr<tcp::socket> socket) {
    const auto number = next_connection_number_++;
    // The session is registered before the host can read its connection
    // number, so the event connection that follows always finds it.
    auto session = std::make_shared<PtpSession>(std::move(*socket), number, services_);
    sessions_[number] = session;
    log_line("server", "host connected (connection " + std::to_string(number) + ")");
    co_await session->run(make_init_command_ack(number, services_.camera.config().model));
    sessions_.erase(number);
    if (sessions_.empty()) {
        // A camera leaves live view when its host goes away.
        services_.camera.set_live_view(false);
    }
    log_line("server", "host disconnected (connection " + std::to_string(number) + ")");
}

asio::awaitable<void> PtpIpServer::serve_events(std::shared_ptr<tcp::socket> socket,
                                                std::uint32_t connection_number) {
    const auto found = sessions_.find(connection_number);
    if (found == sessions_.end() || !found->second->can_adopt_events()) {
        log_line("server", "event connection for unknown connection " +
                               std::to_string(connection_number) + "; refusing it");
        Bytes body;
        LeWriter(body).u32(1);
        Bytes refusal;
        append_packet(refusal, ptp::PacketType::InitFail, body);
        boost::system::error_code ignored;
        co_await asio::async_write(*socket, asio::buffer(refusal),
                                   asio::redirect_error(asio::use_awaitable, ignored));
        co_return;
    }
    auto session = found->second;
    co_await session->run_events(std::move(*socket));
}

} // namespace encore::peers
