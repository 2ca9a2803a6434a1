#include "control_channel.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <charconv>
#include <iostream>
#include <sstream>
#include <vector>

namespace encore::peers {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::size_t max_line = 4096;

std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t position = 0;
    while (position < line.size()) {
        const auto start = line.find_first_not_of(" \t\r", position);
        if (start == std::string_view::npos) {
            break;
        }
        auto end = line.find_first_of(" \t\r", start);
        if (end == std::string_view::npos) {
            end = line.size();
        }
        words.push_back(line.substr(start, end - start));
        position = end;
    }
    return words;
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::optional<bool> parse_switch(std::string_view text) {
    if (text == "on") {
        return true;
    }
    if (text == "off") {
        return false;
    }
    return std::nullopt;
}

constexpr std::string_view help_text =
    "ok commands: cut, delay MS, throttle BYTES_PER_SECOND (0 = off), blackhole on|off, "
    "refuse on|off, cut-after BYTES|off, healthy, status";

} // namespace

ControlChannel::ControlChannel(asio::io_context& io, Proxy& proxy)
    : io_(io)
    , proxy_(proxy)
    , acceptor_(io) {}

boost::system::error_code ControlChannel::listen(const tcp::endpoint& endpoint) {
    boost::system::error_code error;
    acceptor_.open(endpoint.protocol(), error);
    if (!error) {
        acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
    }
    if (!error) {
        acceptor_.bind(endpoint, error);
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

std::uint16_t ControlChannel::port() const {
    boost::system::error_code ignored;
    return acceptor_.local_endpoint(ignored).port();
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
        auto [error, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
        if (error) {
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
    for (;;) {
        auto [read_error, length] =
            co_await asio::async_read_until(*socket, asio::dynamic_buffer(buffer, max_line), '\n',
                                            asio::as_tuple(asio::use_awaitable));
        if (read_error) {
            break;
        }
        const auto reply = execute(std::string_view(buffer).substr(0, length - 1)) + "\n";
        buffer.erase(0, length);
        auto [write_error, written] = co_await asio::async_write(
            *socket, asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
        if (write_error) {
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
    auto& faults = proxy_.faults();
    if (command == "cut" && words.size() == 1) {
        return "ok cut " + std::to_string(proxy_.cut_all());
    }
    if (command == "delay" && words.size() == 2) {
        const auto milliseconds = parse_count(words[1]);
        if (!milliseconds || *milliseconds > 600'000) {
            return "error delay takes milliseconds from 0 to 600000";
        }
        faults.delay = std::chrono::milliseconds(*milliseconds);
        return "ok delay " + std::to_string(*milliseconds);
    }
    if (command == "throttle" && words.size() == 2) {
        const auto rate = parse_count(words[1]);
        if (!rate) {
            return "error throttle takes bytes per second (0 = off)";
        }
        faults.throttle_bytes_per_second = *rate;
        return "ok throttle " + std::to_string(*rate);
    }
    if ((command == "blackhole" || command == "refuse") && words.size() == 2) {
        const auto on = parse_switch(words[1]);
        if (!on) {
            return "error say on or off, not " + std::string(words[1]);
        }
        (command == "blackhole" ? faults.blackhole : faults.refuse) = *on;
        return "ok " + std::string(command) + (*on ? " on" : " off");
    }
    if (command == "cut-after" && words.size() == 2) {
        if (words[1] == "off") {
            proxy_.disarm_cut_after();
            return "ok cut-after off";
        }
        const auto bytes = parse_count(words[1]);
        if (!bytes || *bytes == 0) {
            return "error cut-after takes a byte count above 0, or off";
        }
        const auto armed = proxy_.arm_cut_after(*bytes);
        return "ok cut-after " + std::to_string(*bytes) +
               " armed=" + (armed == 0 ? std::string("next") : std::to_string(armed));
    }
    if (command == "healthy" && words.size() == 1) {
        faults = FaultSettings{};
        proxy_.disarm_cut_after();
        return "ok healthy";
    }
    if (command == "status" && words.size() == 1) {
        return "ok " + status_json();
    }
    if (command == "help") {
        return std::string(help_text);
    }
    return "error unknown command: " + std::string(line);
}

std::string ControlChannel::status_json() const {
    // Every value is a number or a boolean, so nothing needs escaping.
    const auto& counters = proxy_.counters();
    const auto& faults = proxy_.faults();
    std::ostringstream json;
    json << "{\"connections\":" << proxy_.open_connections()
         << ",\"accepted\":" << counters.accepted << ",\"refused\":" << counters.refused
         << ",\"bytes_to_target\":" << counters.bytes_to_target
         << ",\"bytes_to_client\":" << counters.bytes_to_client
         << ",\"bytes_dropped\":" << counters.bytes_dropped << ",\"cuts\":" << counters.cuts
         << ",\"delay_ms\":" << faults.delay.count()
         << ",\"throttle\":" << faults.throttle_bytes_per_second
         << ",\"blackhole\":" << (faults.blackhole ? "true" : "false")
         << ",\"refuse\":" << (faults.refuse ? "true" : "false") << "}";
    return json.str();
}

int run_control_client(const std::string& host, std::uint16_t port, const std::string& command) {
    asio::io_context io;
    tcp::socket socket(io);
    boost::system::error_code error;
    tcp::resolver resolver(io);
    const auto addresses = resolver.resolve(host, std::to_string(port), error);
    if (!error) {
        asio::connect(socket, addresses, error);
    }
    if (error) {
        std::cerr << "fault-proxy ctl: cannot reach " << host << ":" << port << ": "
                  << error.message() << '\n';
        return 2;
    }
    const auto line = command + "\n";
    asio::write(socket, asio::buffer(line), error);
    std::string reply;
    if (!error) {
        asio::read_until(socket, asio::dynamic_buffer(reply, max_line), '\n', error);
    }
    if (error) {
        std::cerr << "fault-proxy ctl: no reply: " << error.message() << '\n';
        return 2;
    }
    reply.erase(reply.find('\n'));
    std::cout << reply << '\n';
    return reply.starts_with("ok") ? 0 : 1;
}

} // namespace encore::peers
