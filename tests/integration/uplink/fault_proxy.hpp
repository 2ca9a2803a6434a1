#pragma once

#include "tests/support/child_process.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace encore::testing {

// The fault proxy (tests/peers/fault-proxy) from build/bin, in front of a server on
// 127.0.0.1:target_port, with an open connection to its control channel.
class FaultProxy {
public:
    explicit FaultProxy(std::uint16_t target_port);
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    // Where clients connect instead of the server.
    std::uint16_t port() const { return port_; }
    // Sends one control command (README.md lists them) and returns the reply line;
    // a reply other than "ok …" fails the test.
    std::string command(const std::string& line);
    // The proxy's counters: connections, accepted, refused, bytes_to_target,
    // bytes_to_client, bytes_dropped, cuts, and the fault settings.
    nlohmann::json status();

private:
    ChildProcess process_;
    std::uint16_t port_ = 0;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket control_;
};

} // namespace encore::testing
