// The camera driver through the real libgphoto2, against the PTP/IP camera simulator.

#include "drivers/camera/camera_supervisor.hpp"
#include "drivers/camera/hosted_camera.hpp"
#include "tests/integration/camera/camera_rig.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <csignal>
#include <thread>

using namespace encore::testing::camera;
using encore::testing::TempDir;

namespace {

cam::CameraInfo open_camera(boost::asio::io_context& loop, cam::HostedCamera& camera,
                            const cam::CameraSelector& selector) {
    auto opened =
        wait_for<cam::CameraInfo>(loop, [&](auto done) { camera.open(selector, std::move(done)); });
    REQUIRE_MESSAGE(opened.has_value(), (opened ? "" : cam::describe(opened.error())));
    return *opened;
}

cam::Result<cam::CapturedPhoto> capture(boost::asio::io_context& loop, cam::Camera& camera) {
    return wait_for<cam::CapturedPhoto>(loop, [&](auto done) { camera.capture(std::move(done)); });
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t found = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++found;
    }
    return found;
}

} // namespace

TEST_CASE("open reads the camera's identity, battery and free space") {
    Simulator simulator;
    TempDir home;
    boost::asio::io_context loop;
    cam::HostedCamera camera(loop.get_executor(), camera_options(home.path()));
    const auto info = open_camera(loop, camera, simulator.selector());
    CHECK(info.manufacturer == "Nikon Corporation");
    CHECK(info.model == "D750");
    CHECK(info.serial == "3012345");
    CHECK(info.port == simulator.port_name());
    CHECK(info.battery_percent.value_or(-1) == 87);
    REQUIRE(info.free_bytes.has_value());
    CHECK(*info.free_bytes > (1ull << 30));

    CHECK(simulator.control("battery 42").rfind("ok", 0) == 0);
    // libgphoto2 caches property values for two (whole) seconds.
    run_for(loop, std::chrono::milliseconds(3100));
    const auto later = wait_for<cam::CameraInfo>(loop, [&](auto done) { camera.info(done); });
    REQUIRE(later.has_value());
    CHECK(later->battery_percent.value_or(-1) == 42);
    CHECK(camera.hosts_started() == 1);
}

TEST_CASE("a capture arrives byte for byte as the camera saved it") {
    Simulator simulator;
    TempDir home;
    boost::asio::io_context loop;
    cam::HostedCamera camera(loop.get_executor(), camera_options(home.path()));
    open_camera(loop, camera, simulator.selector());
    for (int n = 1; n <= 2; ++n) {
        const auto before = std::chrono::system_clock::now();
        const auto asked = std::chrono::steady_clock::now();
        const auto photo = capture(loop, camera);
        const auto round_trip = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - asked);
        REQUIRE_MESSAGE(photo.has_value(), (photo ? "" : cam::describe(photo.error())));
        const auto saved = simulator.saved_capture(n);
        REQUIRE(!saved.empty());
        CHECK(photo->size() == saved.size());
        CHECK(photo->jpeg == saved);
        CHECK(photo->file_name == (n == 1 ? "DSC_0001.JPG" : "DSC_0002.JPG"));
        CHECK(photo->captured_at >= before - std::chrono::seconds(1));
        CHECK(photo->captured_at <= std::chrono::system_clock::now());
        MESSAGE("capture ", n, ": ", photo->size(), " bytes; ", photo->took.count(),
                " ms in the host, ", round_trip.count(), " ms from request to the loop");
    }
    // The picture is removed from the card once downloaded.
    CHECK(simulator.status().find("\"downloads\":2") != std::string::npos);
}

TEST_CASE("the Nikon capture path (InitiateCaptureRecInSdram) delivers the same bytes") {
    SimulatorOptions options;
    options.nikon_capture = true;
    Simulator simulator(options);
    TempDir home;
    boost::asio::io_context loop;
    cam::HostedCamera camera(loop.get_executor(), camera_options(home.path()));
    open_camera(loop, camera, simulator.selector());
    const auto photo = capture(loop, camera);
    REQUIRE_MESSAGE(photo.has_value(), (photo ? "" : cam::describe(photo.error())));
    CHECK(photo->jpeg == simulator.saved_capture(1));
    CHECK(photo->file_name == "capt0000.jpg");
}

TEST_CASE("100 live-view frames arrive, each a JPEG") {
    Simulator simulator;
    TempDir home;
    boost::asio::io_context loop;
    cam::HostedCamera camera(loop.get_executor(), camera_options(home.path()));
    open_camera(loop, camera, simulator.selector());
    int frames = 0;
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) {
        const auto frame =
            wait_for<cam::LiveViewFrame>(loop, [&](auto done) { camera.preview(done); });
        REQUIRE_MESSAGE(frame.has_value(), (frame ? "" : cam::describe(frame.error())));
        REQUIRE(frame->jpeg.size() > 1000);
        CHECK(frame->jpeg[0] == 0xFF);
        CHECK(frame->jpeg[1] == 0xD8);
        ++frames;
    }
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    MESSAGE(frames, " frames in ", seconds, " s");
    CHECK(frames == 100);
}

TEST_CASE("stop_live_view ends live view and the next preview starts it again") {
    SimulatorOptions options;
    options.verbose = true;
    Simulator simulator(options);
    TempDir home;
    boost::asio::io_context loop;
    cam::HostedCamera camera(loop.get_executor(), camera_options(home.path()));
    open_camera(loop, camera, simulator.selector());
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 3; ++i) {
            REQUIRE(wait_for<cam::LiveViewFrame>(loop, [&](auto done) {
                        camera.preview(done);
                    }).has_value());
        }
        const auto stopped = wait_for<void>(loop, [&](auto done) { camera.stop_live_view(done); });
        REQUIRE_MESSAGE(stopped.has_value(), (stopped ? "" : cam::describe(stopped.error())));
    }
    // The simulator logs an operation as it finishes it, which can be just after the
    // camera's answer reached us: give its log a moment to catch up.
    std::string log;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    do {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        log = simulator.process().stderr_text();
    } while (count(log, "op 0x9202") < 2 && std::chrono::steady_clock::now() < deadline);
    CHECK(count(log, "op 0x9201") == 2); // StartLiveView
    CHECK(count(log, "op 0x9202") == 2); // EndLiveView
}

TEST_CASE("calls before open, and after close, fail with not_open") {
    Simulator simulator;
    TempDir home;
    boost::asio::io_context loop;
    cam::HostedCamera camera(loop.get_executor(), camera_options(home.path()));
    auto early = capture(loop, camera);
    REQUIRE(!early.has_value());
    CHECK(cam::is(early.error(), cam::Errc::not_open));
    CHECK(camera.hosts_started() == 0);

    open_camera(loop, camera, simulator.selector());
    REQUIRE(wait_for<void>(loop, [&](auto done) { camera.close(done); }).has_value());
    auto late = wait_for<cam::LiveViewFrame>(loop, [&](auto done) { camera.preview(done); });
    REQUIRE(!late.has_value());
    CHECK(cam::is(late.error(), cam::Errc::not_open));
}

TEST_CASE("a camera that is not there: no_camera with the operator's advice") {
    Simulator simulator;
    simulator.control("vanish");
    TempDir home;
    boost::asio::io_context loop;
    cam::HostedCamera camera(loop.get_executor(), camera_options(home.path(), drill_deadlines()));
    const auto opened = wait_for<cam::CameraInfo>(
        loop, [&](auto done) { camera.open(simulator.selector(), done); });
    REQUIRE(!opened.has_value());
    CHECK(cam::is(opened.error(), cam::Errc::no_camera));
    MESSAGE(cam::describe(opened.error()));

    const auto unknown = wait_for<cam::CameraInfo>(loop, [&](auto done) {
        camera.open({simulator.port_name(), "No Such Camera 9000"}, done);
    });
    REQUIRE(!unknown.has_value());
    CHECK(cam::is(unknown.error(), cam::Errc::no_camera));
    CHECK(cam::describe(unknown.error()).find("No Such Camera 9000") != std::string::npos);
}

TEST_CASE("a missing host program is a host_failed error, not a crash") {
    TempDir home;
    boost::asio::io_context loop;
    auto options = camera_options(home.path());
    options.host_program = home / "no-such-host";
    cam::HostedCamera camera(loop.get_executor(), options);
    const auto listed =
        wait_for<std::vector<cam::DetectedCamera>>(loop, [&](auto done) { camera.list(done); });
    REQUIRE(!listed.has_value());
    CHECK(cam::is(listed.error(), cam::Errc::host_failed));
    CHECK(cam::describe(listed.error()).find("ENCORE_CAMERA_HOST") != std::string::npos);
}

TEST_CASE("a host killed behind the driver's back costs one call, then the camera reopens") {
    Simulator simulator;
    TempDir home;
    boost::asio::io_context loop;
    cam::HostedCamera camera(loop.get_executor(), camera_options(home.path()));
    open_camera(loop, camera, simulator.selector());
    REQUIRE(camera.host_pid());
    ::kill(*camera.host_pid(), SIGKILL);
    const auto lost = capture(loop, camera);
    REQUIRE(!lost.has_value());
    CHECK(cam::is(lost.error(), cam::Errc::host_failed));
    const auto photo = capture(loop, camera);
    REQUIRE_MESSAGE(photo.has_value(), (photo ? "" : cam::describe(photo.error())));
    CHECK(camera.hosts_started() == 2);
}

TEST_CASE("the supervisor reconnects after the camera vanishes and returns") {
    Simulator simulator;
    TempDir home;
    boost::asio::io_context loop;
    cam::HostedCamera camera(loop.get_executor(), camera_options(home.path(), drill_deadlines()));
    cam::SupervisorOptions options;
    options.selector = simulator.selector();
    options.backoff.initial = std::chrono::milliseconds(100);
    options.backoff.cap = std::chrono::milliseconds(400);
    options.health_check = std::chrono::milliseconds(200);
    cam::CameraSupervisor supervisor(loop.get_executor(), camera, options);
    std::vector<cam::LinkState> states;
    supervisor.on_status_changed([&](const cam::CameraStatus& status) {
        if (states.empty() || states.back() != status.state) {
            states.push_back(status.state);
        }
    });
    supervisor.start();
    const auto until = [&](cam::LinkState state, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        loop.restart();
        while (supervisor.status().state != state && std::chrono::steady_clock::now() < deadline) {
            run_once(loop);
        }
        return supervisor.status().state == state;
    };
    REQUIRE(until(cam::LinkState::connected, std::chrono::seconds(10)));
    const auto supervised_capture = [&] {
        return wait_for<cam::CapturedPhoto>(
            loop, [&](auto done) { supervisor.capture(std::move(done)); });
    };
    REQUIRE(supervised_capture().has_value());

    // The camera goes away: the health check notices, the supervisor retries with backoff
    // and captures fail at once with the reason meanwhile.
    simulator.control("vanish");
    REQUIRE(until(cam::LinkState::reconnecting, std::chrono::seconds(5)));
    const auto refused = supervised_capture();
    REQUIRE(!refused.has_value());
    MESSAGE(cam::describe(refused.error()));
    run_for(loop, std::chrono::milliseconds(1500));
    CHECK(supervisor.status().failed_attempts >= 2);
    CHECK(supervisor.status().last_error.has_value());

    simulator.control("return");
    REQUIRE(until(cam::LinkState::connected, std::chrono::seconds(5)));
    const auto photo = supervised_capture();
    REQUIRE_MESSAGE(photo.has_value(), (photo ? "" : cam::describe(photo.error())));
    CHECK(photo->jpeg == simulator.saved_capture(2));
    CHECK(states ==
          std::vector<cam::LinkState>{cam::LinkState::connecting, cam::LinkState::connected,
                                      cam::LinkState::reconnecting, cam::LinkState::connected});
}
