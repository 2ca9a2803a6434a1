#pragma once

// The control channel: a line protocol on TCP through which a test switches the
// proxy's faults while it runs. Each command line gets one reply line starting with
// "ok" or "error"; README.md lists the commands.

#include "proxy.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace encore::peers {

class ControlChannel {
public:
    ControlChannel(boost::asio::io_context& io, Proxy& proxy);

    // Binds `endpoint` (port 0 picks a free port) and starts serving.
    boost::system::error_code listen(const boost::asio::ip::tcp::endpoint& endpoint);
    std::uint16_t port() const;
    void stop();

    // Runs one command line and answers the reply line, without newline.
    std::string execute(std::string_view line);

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket);
    std::string status_json() const;

    boost::asio::io_context& io_;
    Proxy& proxy_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::set<std::shared_ptr<boost::asio::ip::tcp::socket>> clients_;
};

// The `ctl` mode: sends one command to the control channel at host:port, prints the
// reply line on stdout and answers the exit status: 0 for "ok", 1 for "error", 2 when
// there was no reply.
int run_control_client(const std::string& host, std::uint16_t port, const std::string& command);

} // namespace encore::peers
