#include "control_channel.hpp"

#include "log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <charconv>
#include <iostream>
#include <sstream>
#include <utility>
#include <vector>

namespace encore::peers {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::size_t max_line = 4096;

std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t pos = 0;
    while (pos < line.size()) {
        const auto start = line.find_first_not_of(" \t\r", pos);
        if (start == std::string_view::npos) {
            break;
        }
        auto end = line.find_first_of(" \t\r", start);
        if (end == std::string_view::npos) {
            end = line.size();
        }
        words.push_back(line.substr(start, end - start));
        pos = end;
    }
    return words;
}

} // namespace

ControlChannel::ControlChannel(asio::io_context& io, CameraModel& camera, PtpIpServer& server)
    : io_(io)
    , camera_(camera)
    , server_(server)
    , acceptor_(io) {}

boost::system::error_code ControlChannel::listen(std::uint16_t port) {
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor_.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return ec;
    }
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    return {};
}

void ControlChannel::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (const auto& client : clients_) {
        client->close(ignored);
    }
    clients_.clear();
}

asio::awaitable<void> ControlChannel::accept_loop() {
    while (acceptor_.is_open()) {
        auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (!acceptor_.is_open()) {
                break;
            }
            continue;
        }
        asio::co_spawn(io_, serve(std::make_shared<tcp::socket>(std::move(socket))),
                       asio::detached);
    }
}

asio::awaitable<void> ControlChannel::serve(std::shared_ptr<tcp::socket> socket) {
    clients_.insert(socket);
    std::string buffer;
    while (true) {
        boost::system::error_code ec;
        const auto length =
            co_await asio::async_read_until(*socket, asio::dynamic_buffer(buffer, max_line), '\n',
                                            asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            break;
        }
        const auto reply = execute(std::string_view(buffer).substr(0, length - 1)) + "\n";
        buffer.erase(0, length);
        co_await asio::async_write(*socket, asio::buffer(reply),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            break;
        }
    }
    clients_.erase(socket);
}

std::string ControlChannel::execute(std::string_view line) {
    const auto words = split_words(line);
    if (words.empty()) {
        return "error empty command";
    }
    const auto command = words[0];
    if (command == "fault" && words.size() == 3) {
        const auto fault = parse_fault(words[1]);
        if (!fault) {
            return "error unknown fault " + std::string(words[1]) +
                   " (known: " + all_fault_names() + ")";
        }
        if (words[2] != "on" && words[2] != "off") {
            return "error say on or off, not " + std::string(words[2]);
        }
        return set_fault(*fault, words[2] == "on");
    }
    if (command == "vanish" && words.size() == 1) {
        set_fault(Fault::Vanish, true);
        return "ok vanish";
    }
    if (command == "return" && words.size() == 1) {
        const auto reply = set_fault(Fault::Vanish, false);
        return reply.starts_with("ok") ? "ok return port=" + std::to_string(server_.port()) : reply;
    }
    if (command == "healthy" && words.size() == 1) {
        camera_.faults().clear_all();
        if (server_.vanished()) {
            if (auto ec = server_.reappear()) {
                return "error cannot listen again: " + ec.message();
            }
        }
        log_line("control", "all faults off");
        return "ok healthy";
    }
    if (command == "battery" && words.size() == 2) {
        unsigned percent = 0;
        const auto text = words[1];
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), percent);
        if (ec != std::errc{} || end != text.data() + text.size() || percent > 100) {
            return "error battery takes a percentage from 0 to 100";
        }
        camera_.set_battery_percent(static_cast<std::uint8_t>(percent));
        return "ok battery " + std::to_string(percent);
    }
    if (command == "status" && words.size() == 1) {
        return "ok " + status_json();
    }
    if (command == "help") {
        return "ok commands: fault NAME on|off, vanish, return, healthy, battery PERCENT, status; "
               "faults: " +
               all_fault_names();
    }
    return "error unknown command: " + std::string(line);
}

std::string ControlChannel::set_fault(Fault fault, bool on) {
    camera_.faults().set(fault, on);
    if (fault == Fault::Vanish) {
        if (on) {
            server_.vanish();
        } else if (auto ec = server_.reappear()) {
            return "error cannot listen again: " + ec.message();
        }
    }
    log_line("control", "fault " + std::string(fault_name(fault)) + (on ? " on" : " off"));
    return "ok fault " + std::string(fault_name(fault)) + (on ? " on" : " off");
}

std::string ControlChannel::status_json() const {
    // Every value is a number, a boolean or a fixed fault name, so nothing
    // needs escaping.
    const auto& counters = camera_.counters();
    std::ostringstream json;
    json << "{\"captures\":" << counters.captures << ",\"downloads\":" << counters.downloads
         << ",\"live_frames\":" << counters.live_frames << ",\"faults\":[";
    const auto active = camera_.faults().active_names();
    for (std::size_t i = 0; i < active.size(); ++i) {
        json << (i == 0 ? "" : ",") << '"' << active[i] << '"';
    }
    json << "],\"clients\":" << server_.client_count()
         << ",\"vanished\":" << (server_.vanished() ? "true" : "false")
         << ",\"battery\":" << static_cast<unsigned>(camera_.battery_percent())
         << ",\"port\":" << server_.port() << "}";
    return json.str();
}

int run_control_client(std::uint16_t port, const std::string& command) {
    asio::io_context io;
    tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
    if (ec) {
        std::cerr << "ptpip-camera ctl: cannot connect to 127.0.0.1:" << port << ": "
                  << ec.message() << '\n';
        return 2;
    }
    asio::write(socket, asio::buffer(command + "\n"), ec);
    std::string reply;
    if (!ec) {
        asio::read_until(socket, asio::dynamic_buffer(reply, max_line), '\n', ec);
    }
    const auto newline = reply.find('\n');
    if (newline == std::string::npos) {
        std::cerr << "ptpip-camera ctl: no reply: " << ec.message() << '\n';
        return 2;
    }
    reply.resize(newline);
    std::cout << reply << std::endl;
    return reply.starts_with("ok") ? 0 : 1;
}

} // namespace encore::peers
