// fault-proxy: a TCP proxy between a client and a server that plays a bad network on
// command (cut, delay, throttle, blackhole, refuse, cut after N bytes). See README.md.

#include "control_channel.hpp"
#include "proxy.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::string_view usage =
    "usage: fault-proxy --listen HOST:PORT --target HOST:PORT --control HOST:PORT\n"
    "       fault-proxy ctl --control HOST:PORT COMMAND...\n"
    "Port 0 picks a free port; the chosen ones are printed first on stdout as\n"
    "  fault-proxy listening port=P control=C\n";

struct HostPort {
    std::string host;
    std::uint16_t port = 0;
};

HostPort parse_host_port(std::string_view flag, const std::string& text) {
    const auto colon = text.rfind(':');
    const auto fail = [&] {
        return std::invalid_argument(std::string(flag) + " takes HOST:PORT, not '" + text + "'");
    };
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
        throw fail();
    }
    std::size_t used = 0;
    unsigned long port = 0;
    try {
        port = std::stoul(text.substr(colon + 1), &used);
    } catch (const std::exception&) {
        throw fail();
    }
    if (used != text.size() - colon - 1 || port > 65535) {
        throw fail();
    }
    return {text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

tcp::endpoint resolve(asio::io_context& io, const HostPort& where) {
    tcp::resolver resolver(io);
    boost::system::error_code error;
    const auto results = resolver.resolve(where.host, std::to_string(where.port), error);
    if (error || results.empty()) {
        throw std::runtime_error("cannot resolve " + where.host + ": " + error.message());
    }
    return results.begin()->endpoint();
}

struct Arguments {
    std::vector<std::string> words;
    std::size_t next = 0;

    bool done() const { return next >= words.size(); }
    const std::string& take() { return words[next++]; }
    const std::string& value_of(std::string_view flag) {
        if (done()) {
            throw std::invalid_argument(std::string(flag) + " needs a value");
        }
        return take();
    }
};

int run_ctl(Arguments args) {
    std::optional<HostPort> control;
    std::string command;
    while (!args.done()) {
        const auto word = args.take();
        if (word == "--control" && !control && command.empty()) {
            control = parse_host_port(word, args.value_of(word));
        } else {
            command += (command.empty() ? "" : " ") + word;
        }
    }
    if (!control || command.empty()) {
        throw std::invalid_argument("ctl needs --control HOST:PORT and a command");
    }
    return encore::peers::run_control_client(control->host, control->port, command);
}

int run_proxy(Arguments args) {
    std::optional<HostPort> listen;
    std::optional<HostPort> target;
    std::optional<HostPort> control;
    while (!args.done()) {
        const auto flag = args.take();
        if (flag == "--listen") {
            listen = parse_host_port(flag, args.value_of(flag));
        } else if (flag == "--target") {
            target = parse_host_port(flag, args.value_of(flag));
        } else if (flag == "--control") {
            control = parse_host_port(flag, args.value_of(flag));
        } else {
            throw std::invalid_argument("unknown argument '" + flag + "'");
        }
    }
    if (!listen || !target || !control) {
        throw std::invalid_argument("--listen, --target and --control are all needed");
    }
    // A peer that goes away mid-write must cost an error code, not the proxy's life.
    std::signal(SIGPIPE, SIG_IGN);

    asio::io_context io;
    encore::peers::Proxy proxy(io, resolve(io, *target));
    if (const auto error = proxy.listen(resolve(io, *listen))) {
        std::cerr << "fault-proxy: cannot listen on " << listen->host << ":" << listen->port << ": "
                  << error.message() << '\n';
        return 1;
    }
    encore::peers::ControlChannel channel(io, proxy);
    if (const auto error = channel.listen(resolve(io, *control))) {
        std::cerr << "fault-proxy: cannot listen for control on " << control->host << ":"
                  << control->port << ": " << error.message() << '\n';
        return 1;
    }
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
        channel.stop();
        proxy.stop();
        io.stop();
    });
    // Tests read the ports from this line, so it comes first and is flushed at once.
    std::cout << "fault-proxy listening port=" << proxy.port() << " control=" << channel.port()
              << std::endl;
    io.run();
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        Arguments args{std::vector<std::string>(argv + 1, argv + argc)};
        if (!args.done() && (args.words[0] == "--help" || args.words[0] == "-h")) {
            std::cout << usage;
            return 0;
        }
        if (!args.done() && args.words[0] == "ctl") {
            args.next = 1;
            return run_ctl(std::move(args));
        }
        return run_proxy(std::move(args));
    } catch (const std::invalid_argument& error) {
        std::cerr << "fault-proxy: " << error.what() << '\n' << usage;
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "fault-proxy: " << error.what() << '\n';
        return 1;
    }
}
