#pragma once

#include "drivers/camera/hosted_camera.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// What the camera tests share: a PTP/IP camera simulator of their own (each test starts
// one on free ports, so tests run in parallel), and a way to wait for an asynchronous
// camera call on an io_context.
namespace encore::testing::camera {

namespace cam = drivers::camera;

struct SimulatorOptions {
    // 0: the simulator's default (6000 x 4000).
    int width = 0;
    int height = 0;
    bool nikon_capture = false;
    bool verbose = false;
    std::vector<std::string> faults;
};

// `ptpip-camera --port 0 --control 0 --save-dir DIR ...` from ENCORE_BIN_DIR, killed when
// the object goes away.
class Simulator {
public:
    explicit Simulator(SimulatorOptions options = {});

    int port() const { return port_; }
    int control_port() const { return control_port_; }
    // ptpip:127.0.0.1:P:P with the model "PTP/IP Camera".
    cam::CameraSelector selector() const;
    std::string port_name() const;

    // Sends one control command ("fault busy on", "healthy", "status"); returns the reply.
    std::string control(const std::string& command);
    void fault(const std::string& name, bool on);
    void healthy();
    // The `status` reply's JSON.
    std::string status();

    // The bytes the simulator saved for capture number `n` (1-based).
    std::vector<std::uint8_t> saved_capture(int n) const;
    const std::filesystem::path& save_dir() const { return save_dir_; }
    ChildProcess& process() { return *process_; }

private:
    TempDir dir_;
    std::filesystem::path save_dir_;
    std::unique_ptr<ChildProcess> process_;
    int port_ = 0;
    int control_port_ = 0;
};

// A private HOME for libgphoto2 (it writes ~/.gphoto/settings) and the host program from
// ENCORE_BIN_DIR, with the deadlines given.
cam::HostedCameraOptions camera_options(const std::filesystem::path& home,
                                        cam::CameraDeadlines deadlines = {});

// Short deadlines for fault drills, so that calls that never return end fast.
cam::CameraDeadlines drill_deadlines();

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path);

// Runs `loop` until the call started by `start` completes (or `limit` passes, which fails
// the test) and returns its result.
// Runs one handler, or idles a moment when there is none.
void run_once(boost::asio::io_context& loop);

template <typename T, typename Start>
cam::Result<T> wait_for(boost::asio::io_context& loop, Start start,
                        std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    std::optional<cam::Result<T>> outcome;
    start([&outcome](cam::Result<T> result) { outcome.emplace(std::move(result)); });
    const auto deadline = std::chrono::steady_clock::now() + limit;
    loop.restart();
    while (!outcome && std::chrono::steady_clock::now() < deadline) {
        run_once(loop);
    }
    REQUIRE_MESSAGE(outcome.has_value(), "the camera call did not complete in time");
    return std::move(*outcome);
}

// Runs the loop for `duration` (timers and posted work).
void run_for(boost::asio::io_context& loop, std::chrono::milliseconds duration);

} // namespace encore::testing::camera
