// ptpip-camera: a PTP/IP camera on 127.0.0.1 that unmodified libgphoto2 can
// open, capture from, download from and stream live view from. See
// README.md for the flags, the control commands and the faults.

#include "camera_model.hpp"
#include "capture_pipeline.hpp"
#include "control_channel.hpp"
#include "live_view.hpp"
#include "ptpip_server.hpp"
#include "simulator_config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdint>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using encore::peers::SimulatorConfig;

constexpr std::string_view usage =
    "usage: ptpip-camera [--port P] [--control C] [--width W] [--height H] [--seed N]\n"
    "                    [--save-dir DIR] [--model NAME] [--fault NAME]... [--battery PERCENT]\n"
    "                    [--nikon-capture] [--verbose]\n"
    "       ptpip-camera ctl --control C COMMAND...\n"
    "Ports 0 (the default) pick a free port; the chosen ones are printed as\n"
    "  ptpip-camera listening port=P control=C\n";

unsigned long parse_number(std::string_view flag, const std::string& text, unsigned long max) {
    std::size_t used = 0;
    unsigned long value = 0;
    try {
        value = std::stoul(text, &used, 10);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || text.empty() || text[0] == '-' || value > max) {
        throw std::invalid_argument(std::string(flag) + " takes a number from 0 to " +
                                    std::to_string(max) + ", not '" + text + "'");
    }
    return value;
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

SimulatorConfig parse_simulator_arguments(Arguments args) {
    SimulatorConfig config;
    while (!args.done()) {
        const auto flag = args.take();
        if (flag == "--port") {
            config.port =
                static_cast<std::uint16_t>(parse_number(flag, args.value_of(flag), 65535));
        } else if (flag == "--control") {
            config.control_port =
                static_cast<std::uint16_t>(parse_number(flag, args.value_of(flag), 65535));
        } else if (flag == "--width") {
            config.width = static_cast<int>(parse_number(flag, args.value_of(flag), 12000));
        } else if (flag == "--height") {
            config.height = static_cast<int>(parse_number(flag, args.value_of(flag), 12000));
        } else if (flag == "--seed") {
            config.seed =
                static_cast<std::uint32_t>(parse_number(flag, args.value_of(flag), 0xFFFFFFFF));
        } else if (flag == "--save-dir") {
            config.save_dir = args.value_of(flag);
        } else if (flag == "--model") {
            config.model = args.value_of(flag);
        } else if (flag == "--battery") {
            config.battery_percent =
                static_cast<std::uint8_t>(parse_number(flag, args.value_of(flag), 100));
        } else if (flag == "--fault") {
            const auto& name = args.value_of(flag);
            const auto fault = encore::peers::parse_fault(name);
            if (!fault) {
                throw std::invalid_argument("unknown fault '" + name +
                                            "'; known: " + encore::peers::all_fault_names());
            }
            config.initial_faults.push_back(*fault);
        } else if (flag == "--nikon-capture") {
            config.capture_operation = encore::peers::CaptureOperation::Nikon;
        } else if (flag == "--verbose") {
            config.verbose = true;
        } else {
            throw std::invalid_argument("unknown argument '" + flag + "'");
        }
    }
    if (config.width < 16 || config.height < 16) {
        throw std::invalid_argument("--width and --height must be at least 16");
    }
    if (config.model.empty() || config.model.size() > 60) {
        throw std::invalid_argument("--model must have 1 to 60 characters");
    }
    return config;
}

int run_ctl(Arguments args) {
    std::uint16_t port = 0;
    std::string command;
    while (!args.done()) {
        const auto word = args.take();
        if (word == "--control" && port == 0 && command.empty()) {
            port = static_cast<std::uint16_t>(parse_number(word, args.value_of(word), 65535));
        } else {
            command += (command.empty() ? "" : " ") + word;
        }
    }
    if (port == 0 || command.empty()) {
        throw std::invalid_argument("ctl needs --control PORT and a command");
    }
    return encore::peers::run_control_client(port, command);
}

int run_simulator(const SimulatorConfig& config) {
    namespace peers = encore::peers;
    // A host that disconnects mid-write must cost the simulator an error
    // code, not its life.
    std::signal(SIGPIPE, SIG_IGN);

    boost::asio::io_context io;
    peers::CameraModel camera(config);
    auto captures = peers::CapturePipeline::create(config);
    auto live_view = peers::LiveView::create(config);
    if (!captures || !live_view) {
        std::cerr << "ptpip-camera: turbojpeg cannot create a compressor\n";
        return 1;
    }
    peers::PtpIpServer server(io, peers::SessionServices{camera, *captures, *live_view});
    if (auto ec = server.listen(config.port)) {
        std::cerr << "ptpip-camera: cannot listen on 127.0.0.1:" << config.port << ": "
                  << ec.message() << '\n';
        return 1;
    }
    peers::ControlChannel control(io, camera, server);
    if (auto ec = control.listen(config.control_port)) {
        std::cerr << "ptpip-camera: cannot listen for control on 127.0.0.1:" << config.control_port
                  << ": " << ec.message() << '\n';
        return 1;
    }

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
        control.stop();
        server.stop();
        io.stop();
    });

    // Tests read the ports from this line, so it is the only thing on
    // stdout and is flushed at once.
    std::cout << "ptpip-camera listening port=" << server.port() << " control=" << control.port()
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
        return run_simulator(parse_simulator_arguments(std::move(args)));
    } catch (const std::invalid_argument& error) {
        std::cerr << "ptpip-camera: " << error.what() << '\n' << usage;
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "ptpip-camera: " << error.what() << '\n';
        return 1;
    }
}
