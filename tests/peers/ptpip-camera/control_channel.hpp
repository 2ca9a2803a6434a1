#pragma once

// The control channel: a line protocol on 127.0.0.1 through which a test
// switches faults while the simulator runs. Each command line gets one reply
// line starting with "ok" or "error".
//
//   fault NAME on|off   switch one fault (see fault_switches.hpp for names)
//   vanish              close all camera connections and refuse new ones
//   return              accept camera connections again after vanish
//   healthy             switch every fault off, and return if vanished
//   battery PERCENT     set the battery level the camera reports
//   status              ok {"captures":..,"downloads":..,"live_frames":..,
//                       "faults":[..],"clients":..,"vanished":..,"battery":..}
//   help                list the commands

#include "camera_model.hpp"
#include "ptpip_server.hpp"

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
    ControlChannel(boost::asio::io_context& io, CameraModel& camera, PtpIpServer& server);

    // Binds 127.0.0.1:port (0 picks a free port) and starts serving.
    boost::system::error_code listen(std::uint16_t port);
    std::uint16_t port() const { return port_; }
    void stop();

    // Runs one command line and answers the reply line, without newline.
    std::string execute(std::string_view line);

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket);
    std::string set_fault(Fault fault, bool on);
    std::string status_json() const;

    boost::asio::io_context& io_;
    CameraModel& camera_;
    PtpIpServer& server_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::set<std::shared_ptr<boost::asio::ip::tcp::socket>> clients_;
};

// The `ctl` mode: sends one command to the control channel on
// 127.0.0.1:port, prints the reply line on stdout and answers the process
// exit status: 0 for an "ok" reply, 1 for "error", 2 if there was no reply.
int run_control_client(std::uint16_t port, const std::string& command);

} // namespace encore::peers
