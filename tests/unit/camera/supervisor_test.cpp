// The CameraSupervisor's decisions, against a small in-test Camera whose answers the
// test scripts. (The real camera, through libgphoto2 and the simulator, is in
// tests/integration/camera.)

#include "drivers/camera/camera_supervisor.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <doctest/doctest.h>

#include <deque>
#include <thread>

using namespace encore::drivers::camera;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

class ScriptedCamera final : public Camera {
public:
    explicit ScriptedCamera(boost::asio::io_context& loop)
        : loop_(loop) {}

    // Answers of the next open calls; when empty, open succeeds.
    std::deque<Error> open_failures;
    std::optional<Error> capture_failure;
    std::optional<Error> preview_failure;
    int opens = 0;
    int previews = 0;
    int stops = 0;
    int closes = 0;
    std::vector<std::string> calls;

    void list(Completion<std::vector<DetectedCamera>> done) override {
        answer(std::move(done), std::vector<DetectedCamera>{});
    }
    void open(const CameraSelector& selector, Completion<CameraInfo> done) override {
        ++opens;
        calls.push_back("open");
        if (!open_failures.empty()) {
            auto error = open_failures.front();
            open_failures.pop_front();
            answer(std::move(done), Result<CameraInfo>(error));
            return;
        }
        CameraInfo info;
        info.model = "D750";
        info.port = selector.port;
        answer(std::move(done), Result<CameraInfo>(info));
    }
    void capture(Completion<CapturedPhoto> done) override {
        calls.push_back("capture");
        if (capture_failure) {
            answer(std::move(done), Result<CapturedPhoto>(*capture_failure));
            return;
        }
        answer(std::move(done),
               Result<CapturedPhoto>(CapturedPhoto{{0xFF, 0xD8}, "a.jpg", {}, {}}));
    }
    void preview(Completion<LiveViewFrame> done) override {
        ++previews;
        calls.push_back("preview");
        if (preview_failure) {
            answer(std::move(done), Result<LiveViewFrame>(*preview_failure));
            return;
        }
        answer(std::move(done), Result<LiveViewFrame>(LiveViewFrame{{0xFF, 0xD8}}));
    }
    void stop_live_view(Completion<void> done) override {
        ++stops;
        calls.push_back("stop_live_view");
        answer(std::move(done), Result<void>());
    }
    void info(Completion<CameraInfo> done) override {
        calls.push_back("info");
        answer(std::move(done), Result<CameraInfo>(CameraInfo{}));
    }
    void close(Completion<void> done) override {
        ++closes;
        calls.push_back("close");
        answer(std::move(done), Result<void>());
    }

private:
    template <typename T, typename Value>
    void answer(Completion<T> done, Value value) {
        boost::asio::post(loop_, [done = std::move(done), value = std::move(value)]() mutable {
            done(std::move(value));
        });
    }

    boost::asio::io_context& loop_;
};

struct Fixture {
    boost::asio::io_context loop;
    ScriptedCamera camera{loop};

    SupervisorOptions options() {
        SupervisorOptions chosen;
        chosen.selector = {"usb:001,004", "Nikon DSC D750"};
        chosen.backoff = BackoffPolicy{milliseconds(20), milliseconds(80), 2.0, 0.0};
        chosen.health_check = milliseconds(0);
        chosen.live_view_idle_stop = milliseconds(0);
        return chosen;
    }

    // Runs the loop for `duration`, idling when it has nothing to do.
    void run(milliseconds duration) {
        const auto deadline = Clock::now() + duration;
        while (Clock::now() < deadline) {
            loop.restart();
            if (loop.run_one_for(milliseconds(5)) == 0) {
                std::this_thread::sleep_for(milliseconds(1));
            }
        }
    }

    template <typename Predicate>
    bool run_until(Predicate done, milliseconds limit = milliseconds(3000)) {
        const auto deadline = Clock::now() + limit;
        while (!done() && Clock::now() < deadline) {
            loop.restart();
            if (loop.run_one_for(milliseconds(10)) == 0) {
                std::this_thread::sleep_for(milliseconds(1));
            }
        }
        return done();
    }

    template <typename T, typename Start>
    Result<T> call(Start start) {
        std::optional<Result<T>> outcome;
        start([&](Result<T> result) { outcome.emplace(std::move(result)); });
        REQUIRE(run_until([&] { return outcome.has_value(); }));
        return std::move(*outcome);
    }
};

Error gone() {
    return make_error(Errc::disconnected, "the camera was disconnected");
}

} // namespace

TEST_CASE_FIXTURE(Fixture, "start opens the camera and reports each state") {
    CameraSupervisor supervisor(loop.get_executor(), camera, options());
    std::vector<LinkState> states;
    supervisor.on_status_changed(
        [&](const CameraStatus& status) { states.push_back(status.state); });
    CHECK(supervisor.status().state == LinkState::stopped);
    supervisor.start();
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::connected; }));
    CHECK(states == std::vector<LinkState>{LinkState::connecting, LinkState::connected});
    REQUIRE(supervisor.status().camera.has_value());
    CHECK(supervisor.status().camera->port == "usb:001,004");
}

TEST_CASE_FIXTURE(Fixture, "failed opens are retried with backoff until one works") {
    for (int i = 0; i < 3; ++i) {
        camera.open_failures.push_back(make_error(Errc::no_camera, "no camera found"));
    }
    CameraSupervisor supervisor(loop.get_executor(), camera, options());
    int most_failures = 0;
    supervisor.on_status_changed([&](const CameraStatus& status) {
        most_failures = std::max(most_failures, status.failed_attempts);
    });
    const auto started = Clock::now();
    supervisor.start();
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::connected; }));
    // Waits of 20, 40 and 80 ms lie between the four attempts.
    CHECK(Clock::now() - started >= milliseconds(140));
    CHECK(camera.opens == 4);
    CHECK(most_failures == 3);
    CHECK(supervisor.status().failed_attempts == 0);
    CHECK(!supervisor.status().last_error.has_value());
}

TEST_CASE_FIXTURE(Fixture, "a camera arriving on USB skips the rest of the backoff") {
    auto chosen = options();
    chosen.backoff.initial = std::chrono::seconds(30);
    chosen.backoff.cap = std::chrono::seconds(30);
    camera.open_failures.push_back(make_error(Errc::no_camera, "no camera found"));
    CameraSupervisor supervisor(loop.get_executor(), camera, chosen);
    supervisor.start();
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::reconnecting; }));
    run(milliseconds(20));
    CHECK(camera.opens == 1);
    supervisor.camera_arrived();
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::connected; },
                      milliseconds(1000)));
    CHECK(camera.opens == 2);
}

TEST_CASE_FIXTURE(Fixture, "a camera arriving while an open is under way gets a second try "
                           "at once") {
    auto chosen = options();
    chosen.backoff.initial = std::chrono::seconds(30);
    chosen.backoff.cap = std::chrono::seconds(30);
    camera.open_failures.push_back(make_error(Errc::no_camera, "no camera found"));
    CameraSupervisor supervisor(loop.get_executor(), camera, chosen);
    supervisor.start(); // The open's answer is posted, not yet delivered.
    supervisor.camera_arrived();
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::connected; },
                      milliseconds(1000)));
    CHECK(camera.opens == 2);
}

TEST_CASE_FIXTURE(Fixture, "a call that finds the camera gone starts a reconnection") {
    CameraSupervisor supervisor(loop.get_executor(), camera, options());
    supervisor.start();
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::connected; }));
    camera.capture_failure = gone();
    camera.open_failures.push_back(gone());
    const auto failed = call<CapturedPhoto>([&](auto done) { supervisor.capture(done); });
    REQUIRE(!failed.has_value());
    CHECK(is(failed.error(), Errc::disconnected));
    CHECK(supervisor.status().state == LinkState::reconnecting);

    // Meanwhile calls fail at once, with the reason.
    const auto refused = call<CapturedPhoto>([&](auto done) { supervisor.capture(done); });
    REQUIRE(!refused.has_value());
    CHECK(describe(refused.error()).find("reconnecting") != std::string::npos);

    camera.capture_failure.reset();
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::connected; }));
    CHECK(camera.opens == 3);
    CHECK(call<CapturedPhoto>([&](auto done) { supervisor.capture(done); }).has_value());
}

TEST_CASE_FIXTURE(Fixture, "autofocus failure keeps the camera connected and is shown until the "
                           "next picture") {
    CameraSupervisor supervisor(loop.get_executor(), camera, options());
    supervisor.start();
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::connected; }));
    camera.capture_failure = make_error(Errc::focus_failed, "the camera could not focus");
    const auto failed = call<CapturedPhoto>([&](auto done) { supervisor.capture(done); });
    REQUIRE(!failed.has_value());
    CHECK(supervisor.status().state == LinkState::connected);
    REQUIRE(supervisor.status().last_error.has_value());
    CHECK(is(*supervisor.status().last_error, Errc::focus_failed));
    camera.capture_failure.reset();
    CHECK(call<CapturedPhoto>([&](auto done) { supervisor.capture(done); }).has_value());
    CHECK(!supervisor.status().last_error.has_value());
    CHECK(camera.opens == 1);
}

TEST_CASE_FIXTURE(Fixture, "live view is ended and started again once it has run its time") {
    auto chosen = options();
    chosen.live_view_restart = milliseconds(100);
    CameraSupervisor supervisor(loop.get_executor(), camera, chosen);
    supervisor.start();
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::connected; }));
    for (int i = 0; i < 5; ++i) {
        CHECK(call<LiveViewFrame>([&](auto done) { supervisor.preview(done); }).has_value());
    }
    CHECK(supervisor.status().live_view_on);
    CHECK(camera.stops == 0);
    run(milliseconds(150));
    CHECK(call<LiveViewFrame>([&](auto done) { supervisor.preview(done); }).has_value());
    CHECK(camera.stops == 1);
    // end, then start: the frame after the stop comes from a fresh live view.
    const auto stop_at = std::find(camera.calls.begin(), camera.calls.end(), "stop_live_view");
    REQUIRE(stop_at != camera.calls.end());
    CHECK(*std::next(stop_at) == "preview");
    CHECK(supervisor.status().live_view_on);
    // The clock starts again with the new live view.
    CHECK(call<LiveViewFrame>([&](auto done) { supervisor.preview(done); }).has_value());
    CHECK(camera.stops == 1);
}

TEST_CASE_FIXTURE(Fixture, "live view nobody watches is ended") {
    auto chosen = options();
    chosen.live_view_idle_stop = milliseconds(50);
    CameraSupervisor supervisor(loop.get_executor(), camera, chosen);
    supervisor.start();
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::connected; }));
    CHECK(call<LiveViewFrame>([&](auto done) { supervisor.preview(done); }).has_value());
    REQUIRE(run_until([&] { return !supervisor.status().live_view_on; }, milliseconds(1000)));
    CHECK(camera.stops == 1);
}

TEST_CASE_FIXTURE(Fixture, "the open camera leaving USB starts a reconnection at once") {
    CameraSupervisor supervisor(loop.get_executor(), camera, options());
    supervisor.start();
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::connected; }));
    supervisor.camera_left(usb_port_name(1, 7)); // Another device.
    CHECK(supervisor.status().state == LinkState::connected);
    camera.open_failures.push_back(gone());
    supervisor.camera_left(usb_port_name(1, 4));
    CHECK(supervisor.status().state == LinkState::reconnecting);
    REQUIRE(run_until([&] { return supervisor.status().state == LinkState::connected; }));
}

TEST_CASE_FIXTURE(Fixture, "stop closes the camera and ends the retries") {
    camera.open_failures.assign(100, make_error(Errc::no_camera, "no camera found"));
    CameraSupervisor supervisor(loop.get_executor(), camera, options());
    supervisor.start();
    run(milliseconds(60));
    const auto opens = camera.opens;
    CHECK(opens >= 2);
    CHECK(call<void>([&](auto done) { supervisor.stop(done); }).has_value());
    CHECK(camera.closes == 1);
    CHECK(supervisor.status().state == LinkState::stopped);
    run(milliseconds(200));
    CHECK(camera.opens <= opens + 1);
}

TEST_CASE("usb_port_name spells libgphoto2's USB ports") {
    CHECK(usb_port_name(1, 4) == "usb:001,004");
    CHECK(usb_port_name(3, 120) == "usb:003,120");
}
