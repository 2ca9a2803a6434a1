#include "tests/integration/uplink/fault_proxy.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <doctest/doctest.h>

#include <csignal>
#include <regex>

namespace encore::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;

FaultProxy::FaultProxy(std::uint16_t target_port)
    : process_(bin_dir() / "fault-proxy",
               {"--listen", "127.0.0.1:0", "--target", "127.0.0.1:" + std::to_string(target_port),
                "--control", "127.0.0.1:0"})
    , control_(io_) {
    const auto line = process_.wait_for_line("listening", 10s);
    REQUIRE_MESSAGE(line, "fault-proxy did not start: ", process_.stderr_text());
    std::smatch match;
    REQUIRE(std::regex_search(*line, match, std::regex("port=(\\d+) control=(\\d+)")));
    port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
    const auto control_port = static_cast<asio::ip::port_type>(std::stoi(match[2]));
    control_.connect({asio::ip::make_address("127.0.0.1"), control_port});
}

FaultProxy::~FaultProxy() {
    boost::system::error_code ignored;
    control_.close(ignored);
    process_.send_signal(SIGTERM);
    process_.wait_for_exit(5s);
}

std::string FaultProxy::command(const std::string& line) {
    const auto request = line + "\n";
    asio::write(control_, asio::buffer(request));
    std::string reply;
    const auto length = asio::read_until(control_, asio::dynamic_buffer(reply), '\n');
    reply.resize(length - 1);
    REQUIRE_MESSAGE(reply.starts_with("ok"), "fault-proxy refused '", line, "': ", reply);
    return reply;
}

nlohmann::json FaultProxy::status() {
    return nlohmann::json::parse(command("status").substr(3));
}

} // namespace encore::testing
