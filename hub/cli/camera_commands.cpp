#include "hub/cli/camera_commands.hpp"

#include "drivers/camera/hosted_camera.hpp"
#include "platform/config/command_line.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/runtime/signals.hpp"

#include <boost/asio/io_context.hpp>

#include <charconv>
#include <cstddef>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

namespace encore::hub::cli {
namespace {

namespace camera = drivers::camera;
using Clock = std::chrono::steady_clock;

constexpr const char* overview = R"(Usage: encore camera list
       encore camera info    [--port PORT] [--model M]
       encore camera capture [--port PORT] [--model M] --out FILE
       encore camera preview [--port PORT] [--model M] [--frames N]

PORT is a libgphoto2 port: usb:001,004 for a camera on USB (see 'encore camera list'),
ptpip:HOST:PORT:PORT for a camera on the network (the simulator: model "PTP/IP Camera"),
or auto (the default) for the first camera found on USB.

Run 'encore camera COMMAND --help' for a command's options.)";

int usage_error(const std::string& program, const std::string& message) {
    std::cerr << program << ": " << message << "\nTry '" << program << " --help'.\n";
    return 2;
}

int failure(const std::string& program, const camera::Error& error) {
    std::cerr << program << ": " << camera::describe(error) << "\n";
    return 1;
}

std::optional<int> parse_count(const std::string& text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value <= 0) {
        return std::nullopt;
    }
    return value;
}

std::string megabytes(std::uint64_t bytes) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / 1e6 << " MB";
    return text.str();
}

// The helper's routine lines ("opened ...") are noise on an operator's terminal.
camera::HostedCameraOptions quiet_host() {
    camera::HostedCameraOptions options;
    options.host_log_level = "warning";
    return options;
}

// One camera, driven call by call on a private event loop.
class Session {
public:
    Session()
        : camera_(loop_.get_executor(), quiet_host()) {}

    template <typename T, typename Start>
    camera::Result<T> call(Start start) {
        std::optional<camera::Result<T>> outcome;
        start(camera_,
              [&outcome](camera::Result<T> result) { outcome.emplace(std::move(result)); });
        loop_.restart();
        while (!outcome && loop_.run_one() > 0) {
        }
        if (!outcome) {
            return camera::make_error(camera::Errc::host_failed, "the camera call never finished");
        }
        return std::move(*outcome);
    }

    camera::Result<camera::CameraInfo> open(const camera::CameraSelector& selector) {
        return call<camera::CameraInfo>(
            [&](camera::Camera& device, auto done) { device.open(selector, std::move(done)); });
    }

    void close() {
        call<void>([](camera::Camera& device, auto done) { device.close(std::move(done)); });
    }

private:
    boost::asio::io_context loop_;
    camera::HostedCamera camera_;
};

struct Selection {
    std::optional<std::string> port;
    std::optional<std::string> model;

    void add_to(platform::CommandLine& command_line) {
        command_line.add_option("port", "PORT", "the camera's libgphoto2 port (default: auto)",
                                port);
        command_line.add_option("model", "M",
                                "the camera's model name as libgphoto2 knows it (found from the "
                                "port when left out)",
                                model);
    }

    camera::CameraSelector selector() const {
        camera::CameraSelector chosen;
        chosen.port = port.value_or("auto");
        chosen.model = model.value_or(chosen.port.rfind("ptpip:", 0) == 0 ? "PTP/IP Camera" : "");
        return chosen;
    }
};

int list_cameras(int argc, const char* const* argv) {
    platform::CommandLine command_line("encore camera list", "",
                                       "Lists the cameras attached by USB, with their ports.");
    if (const auto exit_code = command_line.parse(argc, argv, 3)) {
        return *exit_code;
    }
    Session session;
    const auto cameras = session.call<std::vector<camera::DetectedCamera>>(
        [](camera::Camera& device, auto done) { device.list(std::move(done)); });
    if (!cameras) {
        return failure("encore camera list", cameras.error());
    }
    if (cameras->empty()) {
        std::cerr << "encore camera list: no camera found: connect the camera by USB and switch "
                     "it on\n";
        return 1;
    }
    for (const auto& found : *cameras) {
        std::cout << found.port << "\t" << found.model << "\n";
    }
    return 0;
}

int show_info(int argc, const char* const* argv) {
    const std::string program = "encore camera info";
    Selection selection;
    platform::CommandLine command_line(program, "[--port PORT] [--model M]",
                                       "Opens the camera and shows its identity, battery level "
                                       "and free space.");
    selection.add_to(command_line);
    if (const auto exit_code = command_line.parse(argc, argv, 3)) {
        return *exit_code;
    }
    Session session;
    const auto info = session.open(selection.selector());
    if (!info) {
        return failure(program, info.error());
    }
    std::cout << "manufacturer: " << info->manufacturer << "\n"
              << "model:        " << info->model << "\n"
              << "serial:       " << info->serial << "\n"
              << "port:         " << info->port << "\n"
              << "battery:      "
              << (info->battery_percent ? std::to_string(*info->battery_percent) + " %"
                                        : std::string("unknown"))
              << "\n"
              << "free space:   "
              << (info->free_bytes ? megabytes(*info->free_bytes) : std::string("unknown"));
    if (info->free_images) {
        std::cout << " (" << *info->free_images << " pictures)";
    }
    std::cout << "\n";
    session.close();
    return 0;
}

int capture_picture(int argc, const char* const* argv) {
    const std::string program = "encore camera capture";
    Selection selection;
    std::optional<std::string> out;
    platform::CommandLine command_line(program, "[--port PORT] [--model M] --out FILE",
                                       "Takes a picture and writes the camera's JPEG to FILE, "
                                       "byte for byte.");
    selection.add_to(command_line);
    command_line.add_option("out", "FILE", "where to write the JPEG", out);
    if (const auto exit_code = command_line.parse(argc, argv, 3)) {
        return *exit_code;
    }
    if (!out) {
        return usage_error(program, "--out FILE is required");
    }
    Session session;
    if (const auto info = session.open(selection.selector()); !info) {
        return failure(program, info.error());
    }
    const auto photo = session.call<camera::CapturedPhoto>(
        [](camera::Camera& device, auto done) { device.capture(std::move(done)); });
    if (!photo) {
        return failure(program, photo.error());
    }
    const auto bytes = std::as_bytes(std::span(photo->jpeg));
    if (const auto error = platform::write_file_atomically(*out, bytes)) {
        std::cerr << program << ": cannot write " << *out << ": " << error.message() << "\n";
        return 1;
    }
    std::cout << "captured " << photo->file_name << ": " << photo->size() << " bytes in "
              << photo->took.count() << " ms, written to " << *out << "\n";
    session.close();
    return 0;
}

int preview_frames(int argc, const char* const* argv) {
    const std::string program = "encore camera preview";
    Selection selection;
    std::optional<std::string> frames_text;
    platform::CommandLine command_line(program, "[--port PORT] [--model M] [--frames N]",
                                       "Fetches N live-view frames (100 by default) and prints "
                                       "how many arrived and how fast.");
    selection.add_to(command_line);
    command_line.add_option("frames", "N", "how many frames to fetch", frames_text);
    if (const auto exit_code = command_line.parse(argc, argv, 3)) {
        return *exit_code;
    }
    const auto frames = frames_text ? parse_count(*frames_text) : std::optional<int>(100);
    if (!frames) {
        return usage_error(program, "--frames takes a positive number");
    }
    Session session;
    if (const auto info = session.open(selection.selector()); !info) {
        return failure(program, info.error());
    }
    int received = 0;
    std::uint64_t bytes = 0;
    std::optional<camera::Error> stopped_by;
    const auto started = Clock::now();
    for (int i = 0; i < *frames; ++i) {
        const auto frame = session.call<camera::LiveViewFrame>(
            [](camera::Camera& device, auto done) { device.preview(std::move(done)); });
        if (!frame) {
            stopped_by = frame.error();
            break;
        }
        ++received;
        bytes += frame->jpeg.size();
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::cout << "frames received: " << received << " of " << *frames << "\n"
              << std::fixed << std::setprecision(1)
              << "frames per second: " << (seconds > 0 ? received / seconds : 0.0) << "\n"
              << "average frame: " << (received > 0 ? bytes / static_cast<unsigned>(received) : 0)
              << " bytes\n";
    if (stopped_by) {
        return failure(program, *stopped_by);
    }
    session.close();
    return 0;
}

} // namespace

int camera_command(int argc, const char* const* argv) {
    // A camera that closes its socket must give an error, not end the command.
    platform::ignore_sigpipe();
    const std::string_view action = argc >= 3 ? argv[2] : "";
    if (action == "--help" || action == "-h") {
        std::cout << overview << "\n";
        return 0;
    }
    if (action == "list") {
        return list_cameras(argc, argv);
    }
    if (action == "info") {
        return show_info(argc, argv);
    }
    if (action == "capture") {
        return capture_picture(argc, argv);
    }
    if (action == "preview") {
        return preview_frames(argc, argv);
    }
    std::cerr << overview << "\n";
    return 2;
}

} // namespace encore::hub::cli
