// Fault drills: each fault switch of the PTP/IP camera simulator gives its documented
// error through the camera driver within the call's deadline, the test process (the
// booth) stays up, and capture works again once the simulator is healthy.
//
// What libgphoto2 2.5.30 does with each fault is in tests/peers/ptpip-camera/README.md.
// On the default capture path (InitiateCapture 0x100E) busy, af-fail, card-full and
// no-object-added make gp_camera_capture never return: only the driver's watchdog
// (SIGKILL of encore-camera-host at the deadline) ends them.

#include "drivers/camera/hosted_camera.hpp"
#include "tests/integration/camera/camera_rig.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <algorithm>

using namespace encore::testing::camera;
using encore::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

// The newest capture the simulator saved (faults may leave pictures on its card).
std::vector<std::uint8_t> newest_saved(const Simulator& simulator) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(simulator.save_dir())) {
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files.empty() ? std::vector<std::uint8_t>{} : read_bytes(files.back());
}

class Drill {
public:
    explicit Drill(SimulatorOptions options = {},
                   cam::CameraDeadlines deadlines = drill_deadlines())
        : simulator_(options)
        , deadlines_(deadlines)
        , camera_(loop_.get_executor(), camera_options(home_.path(), deadlines)) {
        const auto opened = wait_for<cam::CameraInfo>(
            loop_, [&](auto done) { camera_.open(simulator_.selector(), std::move(done)); });
        REQUIRE_MESSAGE(opened.has_value(), (opened ? "" : cam::describe(opened.error())));
    }

    Simulator& simulator() { return simulator_; }
    cam::HostedCamera& camera() { return camera_; }
    const cam::CameraDeadlines& deadlines() const { return deadlines_; }

    cam::Result<cam::CapturedPhoto> capture() {
        const auto started = Clock::now();
        auto result = wait_for<cam::CapturedPhoto>(
            loop_, [&](auto done) { camera_.capture(std::move(done)); });
        took_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
        return result;
    }
    std::chrono::milliseconds took() const { return took_; }

    cam::Result<cam::LiveViewFrame> preview() {
        const auto started = Clock::now();
        auto result = wait_for<cam::LiveViewFrame>(
            loop_, [&](auto done) { camera_.preview(std::move(done)); });
        took_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
        return result;
    }

    // Captures with the fault on: the error must be `expected`, within the capture
    // deadline (plus the reopen a fresh host needs, plus slack for a loaded machine).
    cam::Error expect_failure(cam::Errc expected) {
        const auto result = capture();
        REQUIRE_MESSAGE(!result.has_value(), "the capture should have failed");
        const auto& error = result.error();
        MESSAGE("error after ", took_.count(), " ms: [", error.code.message(), "] ",
                cam::describe(error));
        CHECK_MESSAGE(cam::is(error, expected), "expected '",
                      cam::make_error_code(expected).message(), "', got '", error.code.message(),
                      "'");
        CHECK(took_ <= deadlines_.capture + deadlines_.open + std::chrono::seconds(2));
        return error;
    }

    // After `healthy`, the next capture works and carries the simulator's bytes.
    void expect_recovery() {
        simulator_.healthy();
        const auto photo = capture();
        REQUIRE_MESSAGE(photo.has_value(), (photo ? "" : cam::describe(photo.error())));
        CHECK(photo->jpeg == newest_saved(simulator_));
    }

private:
    Simulator simulator_;
    TempDir home_;
    boost::asio::io_context loop_;
    cam::CameraDeadlines deadlines_;
    cam::HostedCamera camera_;
    std::chrono::milliseconds took_{0};
};

SimulatorOptions nikon_capture() {
    SimulatorOptions options;
    options.nikon_capture = true;
    return options;
}

} // namespace

// ---------------------------------------------------------------- default capture path

TEST_CASE("busy on the default capture path: timed_out by the watchdog, then capture works") {
    Drill drill;
    const int hosts = drill.camera().hosts_started();
    drill.simulator().fault("busy", true);
    const auto error = drill.expect_failure(cam::Errc::timed_out);
    CHECK(cam::describe(error).find("stopped answering") != std::string::npos);
    CHECK(cam::describe(error).find("reset") != std::string::npos);
    drill.expect_recovery();
    CHECK(drill.camera().hosts_started() == hosts + 1);
}

TEST_CASE("af-fail on the default capture path: timed_out, then capture works") {
    Drill drill;
    drill.simulator().fault("af-fail", true);
    drill.expect_failure(cam::Errc::timed_out);
    drill.expect_recovery();
}

TEST_CASE("card-full on the default capture path: timed_out, then capture works") {
    Drill drill;
    drill.simulator().fault("card-full", true);
    drill.expect_failure(cam::Errc::timed_out);
    drill.expect_recovery();
}

TEST_CASE("no-object-added on the default capture path: timed_out, then capture works") {
    Drill drill;
    drill.simulator().fault("no-object-added", true);
    drill.expect_failure(cam::Errc::timed_out);
    drill.expect_recovery();
}

TEST_CASE("drop-mid-transfer on the default capture path: disconnected, then capture works") {
    Drill drill;
    drill.simulator().fault("drop-mid-transfer", true);
    drill.expect_failure(cam::Errc::disconnected);
    drill.expect_recovery();
}

TEST_CASE("slow transfer: a small picture arrives within the deadline, intact") {
    SimulatorOptions options;
    options.width = 1200;
    options.height = 800;
    Drill drill(options);
    drill.simulator().fault("slow", true);
    const auto photo = drill.capture();
    REQUIRE_MESSAGE(photo.has_value(), (photo ? "" : cam::describe(photo.error())));
    CHECK(photo->jpeg == newest_saved(drill.simulator()));
    MESSAGE(photo->size(), " bytes at the slow rate in ", drill.took().count(), " ms");
}

TEST_CASE("slow transfer past the deadline: timed_out, then capture works") {
    auto deadlines = drill_deadlines();
    deadlines.capture = std::chrono::seconds(1); // 0.7 MB at 200 KB/s needs about 3.6 s.
    Drill drill({}, deadlines);
    drill.simulator().fault("slow", true);
    drill.expect_failure(cam::Errc::timed_out);
    drill.expect_recovery();
}

TEST_CASE("vanish: disconnected, no_camera while gone, capture works after return") {
    Drill drill;
    CHECK(drill.simulator().control("vanish").rfind("ok", 0) == 0);
    drill.expect_failure(cam::Errc::disconnected);
    // Still gone: the driver tries to reopen and cannot reach it.
    const auto error = drill.expect_failure(cam::Errc::no_camera);
    CHECK(cam::describe(error).find("switch it on") != std::string::npos);
    CHECK(drill.simulator().control("return").rfind("ok return", 0) == 0);
    drill.expect_recovery();
}

// ------------------------------------------------------------------ Nikon capture path

TEST_CASE("busy on the Nikon capture path: camera_busy at once") {
    Drill drill(nikon_capture());
    drill.simulator().fault("busy", true);
    const auto error = drill.expect_failure(cam::Errc::camera_busy);
    CHECK(cam::describe(error).find("gvfs") != std::string::npos);
    CHECK(drill.took() < std::chrono::seconds(2));
    drill.expect_recovery();
}

TEST_CASE("af-fail on the Nikon capture path: focus_failed with advice") {
    Drill drill(nikon_capture());
    drill.simulator().fault("af-fail", true);
    const auto error = drill.expect_failure(cam::Errc::focus_failed);
    CHECK(cam::describe(error).find("more light or a target with contrast") != std::string::npos);
    CHECK(drill.took() < std::chrono::seconds(2));
    drill.expect_recovery();
}

TEST_CASE("card-full on the Nikon capture path: card_full") {
    Drill drill(nikon_capture());
    drill.simulator().fault("card-full", true);
    drill.expect_failure(cam::Errc::card_full);
    CHECK(drill.took() < std::chrono::seconds(2));
    drill.expect_recovery();
}

TEST_CASE("no-object-added on the Nikon capture path: timed_out (libgphoto2 waits 70 s)") {
    Drill drill(nikon_capture());
    drill.simulator().fault("no-object-added", true);
    drill.expect_failure(cam::Errc::timed_out);
    drill.expect_recovery();
}

TEST_CASE("drop-mid-transfer on the Nikon capture path: disconnected, then capture works") {
    Drill drill(nikon_capture());
    drill.simulator().fault("drop-mid-transfer", true);
    drill.expect_failure(cam::Errc::disconnected);
    drill.expect_recovery();
}

// ---------------------------------------------------------------------- live view

TEST_CASE("vanish during live view: disconnected, live view resumes after return") {
    Drill drill;
    REQUIRE(drill.preview().has_value());
    CHECK(drill.simulator().control("vanish").rfind("ok", 0) == 0);
    const auto frame = drill.preview();
    REQUIRE(!frame.has_value());
    MESSAGE("error after ", drill.took().count(), " ms: ", cam::describe(frame.error()));
    CHECK(cam::is(frame.error(), cam::Errc::disconnected));
    CHECK(drill.took() <= drill.deadlines().preview + std::chrono::seconds(2));
    CHECK(drill.simulator().control("return").rfind("ok return", 0) == 0);
    const auto again = drill.preview();
    REQUIRE_MESSAGE(again.has_value(), (again ? "" : cam::describe(again.error())));
}
