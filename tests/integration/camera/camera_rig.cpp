#include "tests/integration/camera/camera_rig.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>
#include <thread>

namespace encore::testing::camera {

Simulator::Simulator(SimulatorOptions options)
    : save_dir_(dir_ / "saved") {
    std::filesystem::create_directories(save_dir_);
    std::vector<std::string> arguments = {"--port", "0",          "--control",
                                          "0",      "--save-dir", save_dir_.string()};
    if (options.width > 0) {
        arguments.insert(arguments.end(), {"--width", std::to_string(options.width)});
    }
    if (options.height > 0) {
        arguments.insert(arguments.end(), {"--height", std::to_string(options.height)});
    }
    if (options.nikon_capture) {
        arguments.push_back("--nikon-capture");
    }
    if (options.verbose) {
        arguments.push_back("--verbose");
    }
    for (const auto& fault : options.faults) {
        arguments.insert(arguments.end(), {"--fault", fault});
    }
    process_ = std::make_unique<ChildProcess>(bin_dir() / "ptpip-camera", arguments);
    const auto line = process_->wait_for_line("listening", std::chrono::seconds(10));
    if (!line) {
        throw std::runtime_error("ptpip-camera did not start: " + process_->stderr_text());
    }
    std::smatch match;
    static const std::regex pattern("port=([0-9]+) control=([0-9]+)");
    if (!std::regex_search(*line, match, pattern)) {
        throw std::runtime_error("unexpected ptpip-camera line: " + *line);
    }
    port_ = std::stoi(match[1].str());
    control_port_ = std::stoi(match[2].str());
}

std::string Simulator::port_name() const {
    return "ptpip:127.0.0.1:" + std::to_string(port_) + ":" + std::to_string(port_);
}

cam::CameraSelector Simulator::selector() const {
    return {port_name(), "PTP/IP Camera"};
}

std::string Simulator::control(const std::string& command) {
    std::vector<std::string> arguments = {"ctl", "--control", std::to_string(control_port_)};
    std::size_t start = 0;
    while (start < command.size()) {
        const auto space = command.find(' ', start);
        const auto end = space == std::string::npos ? command.size() : space;
        if (end > start) {
            arguments.push_back(command.substr(start, end - start));
        }
        start = end + 1;
    }
    const auto result =
        run_program(bin_dir() / "ptpip-camera", arguments, std::chrono::seconds(10));
    auto reply = result.out;
    while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r')) {
        reply.pop_back();
    }
    return reply;
}

void Simulator::fault(const std::string& name, bool on) {
    const auto reply = control("fault " + name + (on ? " on" : " off"));
    REQUIRE_MESSAGE(reply.rfind("ok", 0) == 0, "fault " << name << ": " << reply);
}

void Simulator::healthy() {
    const auto reply = control("healthy");
    REQUIRE_MESSAGE(reply.rfind("ok", 0) == 0, "healthy: " << reply);
}

std::string Simulator::status() {
    const auto reply = control("status");
    REQUIRE_MESSAGE(reply.rfind("ok ", 0) == 0, "status: " << reply);
    return reply.substr(3);
}

std::vector<std::uint8_t> Simulator::saved_capture(int n) const {
    char name[32];
    std::snprintf(name, sizeof name, "capture-%04d.jpg", n);
    return read_bytes(save_dir_ / name);
}

cam::HostedCameraOptions camera_options(const std::filesystem::path& home,
                                        cam::CameraDeadlines deadlines) {
    cam::HostedCameraOptions options;
    options.host_program = bin_dir() / "encore-camera-host";
    options.gphoto_home = home;
    options.deadlines = deadlines;
    // ENCORE_TEST_CAMERA_LOG=debug shows every request the host serves.
    if (const char* level = std::getenv("ENCORE_TEST_CAMERA_LOG"); level != nullptr) {
        options.host_log_level = level;
    }
    return options;
}

cam::CameraDeadlines drill_deadlines() {
    cam::CameraDeadlines deadlines;
    deadlines.open = std::chrono::seconds(5);
    deadlines.capture = std::chrono::seconds(3);
    deadlines.preview = std::chrono::seconds(3);
    deadlines.info = std::chrono::seconds(3);
    deadlines.stop_live_view = std::chrono::seconds(3);
    deadlines.close = std::chrono::seconds(3);
    return deadlines;
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return {};
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void run_once(boost::asio::io_context& loop) {
    if (loop.run_one_for(std::chrono::milliseconds(20)) == 0 && loop.stopped()) {
        loop.restart();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void run_for(boost::asio::io_context& loop, std::chrono::milliseconds duration) {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    loop.restart();
    while (std::chrono::steady_clock::now() < deadline) {
        run_once(loop);
    }
}

} // namespace encore::testing::camera
