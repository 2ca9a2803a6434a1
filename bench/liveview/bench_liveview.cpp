// bench-liveview: live-view frames relayed from the PTP/IP camera simulator through the
// camera driver (HostedCamera: libgphoto2 in encore-camera-host, a socket pair, the
// event loop) to the loop, against `gphoto2 --capture-movie` on the same simulator in
// the same run. Prints frames per second, the latency of each frame from the request to
// its completion on the loop (p50, p99), and the ratio to the anchor.

#include "drivers/camera/hosted_camera.hpp"
#include "platform/config/command_line.hpp"
#include "platform/runtime/signals.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iostream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace camera = encore::drivers::camera;
using encore::testing::ChildProcess;
using encore::testing::TempDir;
using Clock = std::chrono::steady_clock;

std::optional<int> parse_count(const std::optional<std::string>& text, int fallback) {
    if (!text) {
        return fallback;
    }
    int value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc() || end != text->data() + text->size() || value <= 0) {
        return std::nullopt;
    }
    return value;
}

std::filesystem::path next_to_me(const std::string& name) {
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::filesystem::path(name) : self.parent_path() / name;
}

struct Run {
    int frames = 0;
    double seconds = 0;
    std::vector<double> latencies_ms;
    std::uint64_t bytes = 0;
    std::optional<camera::Error> error;

    double fps() const { return seconds > 0 ? frames / seconds : 0; }
    double percentile(double p) const {
        if (latencies_ms.empty()) {
            return 0;
        }
        auto sorted = latencies_ms;
        std::sort(sorted.begin(), sorted.end());
        const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
        return sorted[index];
    }
};

// Keeps `depth` preview requests queued in the driver until `frames` have arrived; the
// latency of a frame runs from its request to its completion on the loop.
Run relay(boost::asio::io_context& loop, camera::HostedCamera& driver, int frames, int depth) {
    Run run;
    int requested = 0;
    int completed = 0;
    const auto started = Clock::now();
    std::function<void()> request = [&] {
        if (requested >= frames || run.error) {
            return;
        }
        ++requested;
        const auto asked = Clock::now();
        driver.preview([&, asked](camera::Result<camera::LiveViewFrame> frame) {
            ++completed;
            if (!frame) {
                run.error = frame.error();
                return;
            }
            run.latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - asked).count());
            run.bytes += frame->jpeg.size();
            ++run.frames;
            request();
        });
    };
    for (int i = 0; i < depth; ++i) {
        request();
    }
    // Every request completes (at worst at its deadline), so this ends.
    loop.restart();
    while (completed < requested && loop.run_one() > 0) {
    }
    run.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return run;
}

template <typename T, typename Start>
camera::Result<T> call(boost::asio::io_context& loop, Start start) {
    std::optional<camera::Result<T>> outcome;
    start([&](camera::Result<T> result) { outcome.emplace(std::move(result)); });
    loop.restart();
    while (!outcome && loop.run_one() > 0) {
    }
    return outcome ? std::move(*outcome)
                   : camera::Result<T>(camera::make_error(camera::Errc::host_failed, "no answer"));
}

// gphoto2 --capture-movie against the simulator: frames per second as gphoto2 counts
// them ("Movie capture finished (N frames)") over the seconds asked for.
std::optional<double> anchor_fps(const std::string& gphoto2, const std::string& port, int seconds,
                                 const TempDir& home) {
    ChildProcess client("/usr/bin/env",
                        {"HOME=" + home.path().string(), gphoto2, "--port", port, "--camera",
                         "PTP/IP Camera", "--capture-movie=" + std::to_string(seconds) + "s",
                         "--filename", (home / "movie.mjpg").string(), "--force-overwrite"});
    if (!client.wait_for_exit(std::chrono::seconds(seconds + 30))) {
        std::cerr << "bench-liveview: gphoto2 did not finish\n";
        return std::nullopt;
    }
    std::smatch match;
    static const std::regex finished("finished \\(([0-9]+) frames\\)");
    // gphoto2 prints the count on stderr.
    const auto out = client.stdout_text() + client.stderr_text();
    if (!std::regex_search(out, match, finished)) {
        std::cerr << "bench-liveview: gphoto2 said: " << out << "\n";
        return std::nullopt;
    }
    std::filesystem::remove(home / "movie.mjpg");
    return std::stod(match[1].str()) / seconds;
}

int run(int argc, char** argv) {
    encore::platform::ignore_sigpipe();
    encore::platform::CommandLine command_line(
        "bench-liveview", "[--frames N] [--depth D] [--anchor-seconds S]",
        "Relays live-view frames from the PTP/IP camera simulator through the camera driver "
        "to the event loop and compares the rate with gphoto2 --capture-movie on the same "
        "simulator.");
    std::optional<std::string> frames_text;
    std::optional<std::string> depth_text;
    std::optional<std::string> seconds_text;
    std::optional<std::string> gphoto2;
    command_line.add_option("frames", "N", "frames to relay (default 2000)", frames_text);
    command_line.add_option("depth", "D",
                            "requests kept queued in the driver for the pipelined run "
                            "(default 2)",
                            depth_text);
    command_line.add_option("anchor-seconds", "S", "length of the gphoto2 run (default 3)",
                            seconds_text);
    command_line.add_option("gphoto2", "PATH", "the gphoto2 client (default: gphoto2)", gphoto2);
    if (const auto exit_code = command_line.parse(argc, argv)) {
        return *exit_code;
    }
    const auto frames = parse_count(frames_text, 2000);
    const auto depth = parse_count(depth_text, 2);
    const auto seconds = parse_count(seconds_text, 3);
    if (!frames || !depth || !seconds) {
        std::cerr << "bench-liveview: --frames, --depth and --anchor-seconds take positive "
                     "numbers\n";
        return 2;
    }

    TempDir home;
    ChildProcess simulator(next_to_me("ptpip-camera"), {"--port", "0", "--control", "0", "--width",
                                                        "1600", "--height", "1200"});
    const auto line = simulator.wait_for_line("listening", std::chrono::seconds(10));
    std::smatch match;
    static const std::regex listening("port=([0-9]+)");
    if (!line || !std::regex_search(*line, match, listening)) {
        std::cerr << "bench-liveview: ptpip-camera did not start: " << simulator.stderr_text();
        return 1;
    }
    const std::string port = "ptpip:127.0.0.1:" + match[1].str() + ":" + match[1].str();

    boost::asio::io_context loop;
    camera::HostedCameraOptions options;
    options.gphoto_home = home.path();
    if (!std::getenv("ENCORE_CAMERA_HOST")) {
        options.host_program = next_to_me("encore-camera-host");
    }
    camera::HostedCamera driver(loop.get_executor(), options);
    const auto opened = call<camera::CameraInfo>(loop, [&](auto done) {
        driver.open({port, "PTP/IP Camera"}, std::move(done));
    });
    if (!opened) {
        std::cerr << "bench-liveview: " << camera::describe(opened.error()) << "\n";
        return 1;
    }
    // Warm up: live view starts (and skips its first frame) on the first preview.
    relay(loop, driver, 20, 1);

    const auto sequential = relay(loop, driver, *frames, 1);
    const auto pipelined = relay(loop, driver, *frames, *depth);
    for (const auto* result : {&sequential, &pipelined}) {
        if (result->error) {
            std::cerr << "bench-liveview: " << camera::describe(*result->error) << "\n";
            return 1;
        }
    }
    call<void>(loop, [&](auto done) { driver.close(std::move(done)); });

    const auto anchor = anchor_fps(gphoto2.value_or("gphoto2"), port, *seconds, home);

    std::printf("live view through the camera driver (%d frames, %.0f bytes each on average)\n",
                *frames, static_cast<double>(sequential.bytes) / sequential.frames);
    std::printf("  one request at a time: %8.1f frames/s   latency p50 %.3f ms  p99 %.3f ms\n",
                sequential.fps(), sequential.percentile(0.50), sequential.percentile(0.99));
    std::printf("  %d requests queued:     %8.1f frames/s   latency p50 %.3f ms  p99 %.3f ms\n",
                *depth, pipelined.fps(), pipelined.percentile(0.50), pipelined.percentile(0.99));
    if (!anchor) {
        std::printf("anchor: gphoto2 --capture-movie did not run\n");
        return 1;
    }
    std::printf("anchor: gphoto2 --capture-movie=%ds   %8.1f frames/s\n", *seconds, *anchor);
    std::printf("ratio driver/anchor: one at a time %.2f, %d queued %.2f\n",
                sequential.fps() / *anchor, *depth, pipelined.fps() / *anchor);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << "bench-liveview: " << error.what() << "\n";
        return 1;
    }
}
