#include "kiosk/imaging/jpeg.hpp"
#include "kiosk/journal/journal.hpp"
#include "kiosk/session/guest_flow.hpp"
#include "platform/runtime/blocking_worker.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/session/session_doubles.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <optional>

namespace asio = boost::asio;
using namespace encore::kiosk::session;
using encore::kiosk::Journal;
using encore::kiosk::session::testing::test_event;
using encore::kiosk::session::testing::test_jpeg;
using encore::kiosk::session::testing::TestPrintQueue;
using encore::kiosk::session::testing::TestShutter;
using encore::testing::TempDir;
using std::chrono::milliseconds;

namespace {

// A booth on a loop that the test runs itself: the flow, a real journal in a temporary
// folder, a real imaging worker and the in-test camera and printer.
struct Booth {
    explicit Booth(EventSettings event_in = test_event())
        : event(std::move(event_in)) {
        flow = std::make_unique<GuestFlow>(loop.get_executor(), event, *journal, imaging, shutter,
                                           printer, FlowOptions{"https://photos.example", 50});
        flow->add_observer([this](const Snapshot& snapshot) { seen.push_back(snapshot); });
    }

    // Runs the loop until `done` holds; fails the test after `limit`.
    void run_until(const std::function<bool()>& done, milliseconds limit = milliseconds(8000)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) {
                FAIL("the flow did not get there in time; it is in ",
                     to_string(flow->snapshot().stage));
            }
            loop.restart();
            loop.run_one_for(milliseconds(10));
        }
    }

    void run_for(milliseconds time) {
        loop.restart();
        loop.run_for(time);
    }

    ActionResult shoot() {
        std::optional<ActionResult> outcome;
        flow->shoot([&](ActionResult result) { outcome = std::move(result); });
        run_until([&] { return outcome.has_value(); });
        return *outcome;
    }

    // start, then every photo of the layout: the flow is then in review.
    void shoot_all() {
        REQUIRE(flow->start().ok());
        for (int shot = 1; shot <= event.shots; ++shot) {
            REQUIRE(shoot().ok());
        }
        REQUIRE(stage() == Stage::review);
    }

    Stage stage() const { return flow->snapshot().stage; }

    bool saw(Stage stage_seen) const {
        for (const auto& snapshot : seen) {
            if (snapshot.stage == stage_seen) {
                return true;
            }
        }
        return false;
    }

    asio::io_context loop;
    TempDir dir;
    std::unique_ptr<Journal> journal = Journal::open(dir.path());
    encore::platform::BlockingWorker imaging{loop.get_executor(), "imaging"};
    TestShutter shutter{loop.get_executor()};
    TestPrintQueue printer{loop.get_executor()};
    EventSettings event;
    std::vector<Snapshot> seen;
    std::unique_ptr<GuestFlow> flow;
};

EventSettings event_with(const std::function<void(EventSettings&)>& change,
                         const std::string& layout = "grid-2x2-4x6.json") {
    auto event = test_event(layout);
    change(event);
    return event;
}

} // namespace

TEST_CASE("the flow starts clean at attract, even after a crash left a session open") {
    TempDir dir;
    {
        auto journal = Journal::open(dir.path());
        const auto session = journal->begin_session("test event");
        journal->add_photo(session, test_jpeg(1));
        // The journal goes away without finish_session, as in a power cut.
    }
    asio::io_context loop;
    auto journal = Journal::open(dir.path());
    CHECK(journal->recovery().sessions_closed == 1);
    encore::platform::BlockingWorker imaging(loop.get_executor(), "imaging");
    TestShutter shutter(loop.get_executor());
    TestPrintQueue printer(loop.get_executor());
    GuestFlow flow(loop.get_executor(), test_event(), *journal, imaging, shutter, printer);
    const auto& snapshot = flow.snapshot();
    CHECK(snapshot.stage == Stage::attract);
    CHECK(snapshot.photos.empty());
    CHECK_FALSE(snapshot.order);
    CHECK_FALSE(snapshot.notice);
    CHECK(snapshot.shots == 4);
    CHECK(flow.start().ok());
    CHECK(flow.snapshot().stage == Stage::countdown);
    CHECK(flow.snapshot().photos.empty());
}

TEST_CASE("a whole journey goes through every state and back to attract") {
    Booth booth;
    CHECK(booth.stage() == Stage::attract);

    auto started = booth.flow->start();
    REQUIRE(started.ok());
    CHECK(started.snapshot.stage == Stage::countdown);
    CHECK(started.snapshot.shot == 1);
    CHECK_FALSE(started.snapshot.seconds_left); // waiting for shoot
    CHECK(started.snapshot.retakes_left == 2);

    for (int shot = 1; shot <= 4; ++shot) {
        booth.seen.clear();
        const auto shot_taken = booth.shoot();
        REQUIRE(shot_taken.ok());
        // The countdown counted 3, 2, 1, then the camera took the picture.
        std::vector<int> counted;
        for (const auto& snapshot : booth.seen) {
            if (snapshot.stage == Stage::countdown && snapshot.seconds_left) {
                counted.push_back(*snapshot.seconds_left);
            }
        }
        CHECK(counted == std::vector<int>{3, 2, 1});
        CHECK(booth.saw(Stage::capture));
        CHECK(shot_taken.snapshot.photos.size() == static_cast<std::size_t>(shot));
        CHECK(shot_taken.snapshot.stage == (shot < 4 ? Stage::countdown : Stage::review));
        if (shot < 4) {
            CHECK(shot_taken.snapshot.shot == shot + 1);
        }
    }
    CHECK(booth.shutter.captures == 4);
    CHECK(booth.flow->snapshot().photos == std::vector<int>{1, 2, 3, 4});

    const auto accepted = booth.flow->accept();
    REQUIRE(accepted.ok());
    CHECK(accepted.snapshot.stage == Stage::copies);
    CHECK(accepted.snapshot.copies == 1);

    const auto printing = booth.flow->print(2);
    REQUIRE(printing.ok());
    CHECK(printing.snapshot.stage == Stage::printing);
    REQUIRE(printing.snapshot.order);
    CHECK(printing.snapshot.order->code.size() == 7);
    CHECK(printing.snapshot.order->url.starts_with("https://photos.example/o/"));
    CHECK(printing.snapshot.print->phase == "composing");

    booth.run_until([&] { return booth.stage() == Stage::code; });
    REQUIRE(booth.printer.calls.size() == 1);
    const auto& call = booth.printer.calls.front();
    CHECK(call.request.copies == 2);
    CHECK(call.request.order_id == printing.snapshot.order->order_id);
    CHECK(call.request.code == printing.snapshot.order->code);
    // The composed print is a JPEG of the layout's size.
    const auto info = encore::kiosk::imaging::read_jpeg_info(*call.request.jpeg).value();
    CHECK(info.width == 1800);
    CHECK(info.height == 1200);
    CHECK(booth.flow->snapshot().print->phase == "done");
    CHECK(booth.flow->snapshot().print->copies_done == 2);
    CHECK(booth.flow->snapshot().order->code == printing.snapshot.order->code);

    const auto order = booth.journal->find_order(printing.snapshot.order->order_id);
    REQUIRE(order);
    CHECK(order->copies == 2);
    CHECK(order->photos.size() == 4);
    CHECK(order->layout == "grid-2x2-4x6");

    const auto finished = booth.flow->finish();
    CHECK(finished.ok());
    CHECK(finished.snapshot.stage == Stage::attract);
    CHECK_FALSE(finished.snapshot.order);
    CHECK(finished.snapshot.photos.empty());
    CHECK(booth.flow->last_order()->order_id == printing.snapshot.order->order_id);

    // A second guest starts afresh.
    REQUIRE(booth.flow->start().ok());
    CHECK(booth.flow->snapshot().photos.empty());
    CHECK(booth.flow->snapshot().retakes_left == 2);
}

TEST_CASE("a layout with one slot takes one photo") {
    Booth booth(test_event("single-4x6.json"));
    REQUIRE(booth.flow->start().ok());
    CHECK(booth.flow->snapshot().shots == 1);
    REQUIRE(booth.shoot().ok());
    CHECK(booth.stage() == Stage::review);
}

TEST_CASE("actions out of place are refused and change nothing") {
    Booth booth;
    CHECK(booth.flow->accept().error == ActionError::wrong_state);
    CHECK(booth.flow->print(1).error == ActionError::wrong_state);
    CHECK(booth.flow->retake(std::nullopt).error == ActionError::wrong_state);
    CHECK(booth.flow->choose_copies(1).error == ActionError::wrong_state);
    CHECK(booth.shoot().error == ActionError::wrong_state);
    CHECK(booth.flow->finish().ok()); // finishing at attract is harmless
    CHECK(booth.stage() == Stage::attract);

    REQUIRE(booth.flow->start().ok());
    CHECK(booth.flow->start().error == ActionError::wrong_state);
    CHECK(booth.flow->accept().error == ActionError::wrong_state);
    CHECK(booth.flow->print(1).error == ActionError::wrong_state);
    CHECK(booth.stage() == Stage::countdown);
    CHECK(booth.shutter.captures == 0);
}

TEST_CASE("every state times out back to attract") {
    const milliseconds short_wait(40);

    SUBCASE("countdown, waiting for the guest to ask for the photo") {
        Booth booth(
            event_with([&](EventSettings& event) { event.timeouts.countdown = short_wait; }));
        REQUIRE(booth.flow->start().ok());
        booth.run_until([&] { return booth.stage() == Stage::attract; });
        CHECK(booth.shutter.captures == 0);
    }
    SUBCASE("countdown, between two photos") {
        Booth booth(
            event_with([&](EventSettings& event) { event.timeouts.countdown = short_wait; }));
        REQUIRE(booth.flow->start().ok());
        REQUIRE(booth.shoot().ok());
        CHECK(booth.stage() == Stage::countdown);
        booth.run_until([&] { return booth.stage() == Stage::attract; });
        CHECK(booth.flow->snapshot().photos.empty());
    }
    SUBCASE("capture, when the camera never answers") {
        Booth booth(event_with([&](EventSettings& event) { event.timeouts.capture = short_wait; }));
        booth.shutter.automatic = false;
        REQUIRE(booth.flow->start().ok());
        std::optional<ActionResult> outcome;
        booth.flow->shoot([&](ActionResult result) { outcome = std::move(result); });
        booth.run_until([&] { return outcome.has_value(); });
        CHECK(outcome->error == ActionError::session_ended);
        CHECK(booth.stage() == Stage::attract);
        REQUIRE(booth.flow->snapshot().notice);
        CHECK(booth.flow->snapshot().notice->device == "camera");
        CHECK(booth.flow->snapshot().notice->fault.reason == "timed_out");
        CHECK(booth.flow->recent_faults().size() == 1);

        // The camera's late answer belongs to a session that is gone: dropped.
        booth.shutter.answer(test_jpeg(99));
        booth.run_for(milliseconds(20));
        CHECK(booth.stage() == Stage::attract);
        CHECK(booth.flow->snapshot().photos.empty());
    }
    SUBCASE("review") {
        Booth booth(event_with([&](EventSettings& event) { event.timeouts.review = short_wait; }));
        booth.shoot_all();
        booth.run_until([&] { return booth.stage() == Stage::attract; });
    }
    SUBCASE("copies") {
        Booth booth(event_with([&](EventSettings& event) { event.timeouts.copies = short_wait; }));
        booth.shoot_all();
        REQUIRE(booth.flow->accept().ok());
        booth.run_until([&] { return booth.stage() == Stage::attract; });
        CHECK(booth.printer.prints == 0);
    }
    SUBCASE("printing, when the printer never finishes") {
        Booth booth(
            event_with([&](EventSettings& event) { event.timeouts.printing = short_wait; }));
        booth.printer.automatic = false;
        booth.shoot_all();
        REQUIRE(booth.flow->accept().ok());
        REQUIRE(booth.flow->print(1).ok());
        booth.run_until([&] { return booth.stage() == Stage::attract; });
        // The print carries on without the guest: the printer still gets it.
        booth.run_until([&] { return booth.printer.prints == 1; });
        CHECK(booth.flow->last_order());
    }
    SUBCASE("code") {
        Booth booth(event_with([&](EventSettings& event) { event.timeouts.code = short_wait; }));
        booth.shoot_all();
        REQUIRE(booth.flow->accept().ok());
        REQUIRE(booth.flow->print(1).ok());
        booth.run_until([&] { return booth.saw(Stage::code); });
        booth.run_until([&] { return booth.stage() == Stage::attract; });
    }
}

TEST_CASE("a running countdown is not cut short by the countdown timeout") {
    Booth booth(event_with([](EventSettings& event) {
        event.timeouts.countdown = milliseconds(30);
        event.countdown_step = milliseconds(20); // the countdown takes 60 ms
    }));
    REQUIRE(booth.flow->start().ok());
    CHECK(booth.shoot().ok());
    CHECK(booth.flow->snapshot().photos.size() == 1);
}

TEST_CASE("choosing copies restarts the copies timeout") {
    Booth booth(
        event_with([](EventSettings& event) { event.timeouts.copies = milliseconds(150); }));
    booth.shoot_all();
    REQUIRE(booth.flow->accept().ok());
    for (int round = 0; round < 4; ++round) {
        booth.run_for(milliseconds(60));
        REQUIRE(booth.flow->choose_copies(1 + round % 2).ok());
    }
    CHECK(booth.stage() == Stage::copies);
    booth.run_until([&] { return booth.stage() == Stage::attract; });
}

TEST_CASE("retakes: one photo or all of them, up to the event's limit") {
    Booth booth;
    booth.shoot_all();
    CHECK(booth.flow->retake(0).error == ActionError::out_of_range);
    CHECK(booth.flow->retake(5).error == ActionError::out_of_range);
    CHECK(booth.stage() == Stage::review);

    // One photo again: only slot 2 is shot.
    auto retaking = booth.flow->retake(2);
    REQUIRE(retaking.ok());
    CHECK(retaking.snapshot.stage == Stage::countdown);
    CHECK(retaking.snapshot.shot == 2);
    CHECK(retaking.snapshot.photos == std::vector<int>{1, 3, 4});
    CHECK(retaking.snapshot.retakes_left == 1);
    REQUIRE(booth.shoot().ok());
    CHECK(booth.stage() == Stage::review);
    CHECK(booth.flow->snapshot().photos == std::vector<int>{1, 2, 3, 4});
    CHECK(booth.shutter.captures == 5);

    // All of them again.
    retaking = booth.flow->retake(std::nullopt);
    REQUIRE(retaking.ok());
    CHECK(retaking.snapshot.shot == 1);
    CHECK(retaking.snapshot.photos.empty());
    CHECK(retaking.snapshot.retakes_left == 0);
    for (int shot = 1; shot <= 4; ++shot) {
        REQUIRE(booth.shoot().ok());
    }
    CHECK(booth.stage() == Stage::review);
    CHECK(booth.shutter.captures == 9);

    // The limit.
    CHECK(booth.flow->retake(1).error == ActionError::no_retakes_left);
    CHECK(booth.flow->retake(std::nullopt).error == ActionError::no_retakes_left);
    CHECK(booth.stage() == Stage::review);

    // The order holds the four photos the guest kept.
    REQUIRE(booth.flow->accept().ok());
    const auto printing = booth.flow->print(1);
    REQUIRE(printing.ok());
    const auto order = booth.journal->find_order(printing.snapshot.order->order_id);
    CHECK(order->photos.size() == 4);
}

TEST_CASE("an event without retakes refuses them") {
    Booth booth(event_with([](EventSettings& event) { event.max_retakes = 0; }));
    booth.shoot_all();
    CHECK(booth.flow->snapshot().retakes_left == 0);
    CHECK(booth.flow->retake(1).error == ActionError::no_retakes_left);
}

TEST_CASE("copies stay within the event's limits") {
    Booth booth(event_with([](EventSettings& event) { event.copies = {2, 3, 2}; }));
    booth.shoot_all();
    REQUIRE(booth.flow->accept().ok());
    CHECK(booth.flow->snapshot().copies == 2);
    CHECK(booth.flow->choose_copies(1).error == ActionError::out_of_range);
    CHECK(booth.flow->choose_copies(4).error == ActionError::out_of_range);
    CHECK(booth.flow->choose_copies(3).ok());
    CHECK(booth.flow->snapshot().copies == 3);
    CHECK(booth.flow->print(0).error == ActionError::out_of_range);
    CHECK(booth.flow->print(4).error == ActionError::out_of_range);
    CHECK(booth.stage() == Stage::copies);
    REQUIRE(booth.flow->print(3).ok());
    booth.run_until([&] { return booth.stage() == Stage::code; });
    CHECK(booth.printer.calls.at(0).request.copies == 3);
    CHECK(booth.printer.copies_printed == 3);
}

TEST_CASE("a double print request prints once") {
    Booth booth;
    booth.printer.automatic = false;
    booth.shoot_all();
    REQUIRE(booth.flow->accept().ok());

    const auto first = booth.flow->print(2);
    REQUIRE(first.ok());
    // The double tap, and a confused third tap with another count: no-ops.
    const auto second = booth.flow->print(2);
    const auto third = booth.flow->print(3);
    CHECK(second.ok());
    CHECK(third.ok());
    CHECK(second.snapshot.stage == Stage::printing);
    CHECK(third.snapshot.order->order_id == first.snapshot.order->order_id);
    CHECK(third.snapshot.copies == 2);

    booth.run_until([&] { return booth.printer.calls.size() == 1; });
    booth.printer.report(0, {PrintPhase::done, 2, 2, std::nullopt});
    booth.run_until([&] { return booth.stage() == Stage::code; });
    // In the code state too.
    const auto fourth = booth.flow->print(2);
    CHECK(fourth.ok());
    CHECK(fourth.snapshot.stage == Stage::code);
    booth.run_for(milliseconds(300)); // time for a second composition, if one had started
    CHECK(booth.printer.calls.size() == 1);
    CHECK(booth.printer.copies_printed == 2);
    CHECK(booth.journal->find_order(first.snapshot.order->order_id)->copies == 2);
}

TEST_CASE("a double tap on shoot takes one picture") {
    Booth booth;
    REQUIRE(booth.flow->start().ok());
    std::optional<ActionResult> first;
    std::optional<ActionResult> second;
    booth.flow->shoot([&](ActionResult result) { first = std::move(result); });
    booth.flow->shoot([&](ActionResult result) { second = std::move(result); });
    booth.run_until([&] { return first && second; });
    CHECK(first->ok());
    CHECK(second->ok());
    CHECK(booth.shutter.captures == 1);
    CHECK(booth.flow->snapshot().photos == std::vector<int>{1});
    CHECK(booth.flow->snapshot().shot == 2);
}

TEST_CASE("a camera fault shows a message and the same photo can be taken again") {
    Booth booth;
    booth.shutter.script.push_back(
        DeviceFault{"focus_failed", "The camera could not focus, so it did not take the picture."});
    REQUIRE(booth.flow->start().ok());
    const auto failed = booth.shoot();
    CHECK(failed.error == ActionError::camera_failed);
    CHECK(failed.message == "The camera could not focus, so it did not take the picture.");
    CHECK(failed.snapshot.stage == Stage::countdown);
    CHECK(failed.snapshot.shot == 1);
    CHECK(failed.snapshot.photos.empty());
    REQUIRE(failed.snapshot.notice);
    CHECK(failed.snapshot.notice->device == "camera");
    CHECK(failed.snapshot.notice->fault.reason == "focus_failed");
    // The operator sees it too.
    const auto faults = booth.flow->recent_faults();
    REQUIRE(faults.size() == 1);
    CHECK(faults[0].notice.fault.reason == "focus_failed");
    CHECK_FALSE(faults[0].at.empty());

    // Recovery: the next try works and the message goes away.
    const auto again = booth.shoot();
    CHECK(again.ok());
    CHECK(again.snapshot.photos == std::vector<int>{1});
    CHECK_FALSE(again.snapshot.notice);
    CHECK(again.snapshot.shot == 2);
}

TEST_CASE("a camera that is not ready refuses a session until it is back") {
    Booth booth;
    booth.shutter.status_ = {
        false,         "disconnected", "The camera went away: check its cable and that it is on.",
        "test camera", std::nullopt,   std::nullopt};
    const auto refused = booth.flow->start();
    CHECK(refused.error == ActionError::camera_failed);
    CHECK(refused.snapshot.stage == Stage::attract);
    REQUIRE(refused.snapshot.notice);
    CHECK(refused.snapshot.notice->fault.reason == "disconnected");
    CHECK_FALSE(refused.snapshot.camera.ready);

    booth.shutter.status_ = {true, "ready", "", "test camera", std::nullopt, 80};
    booth.flow->device_status_changed();
    CHECK_FALSE(booth.flow->snapshot().notice);
    CHECK(booth.flow->snapshot().camera.ready);
    CHECK(booth.flow->start().ok());
}

TEST_CASE("a printer fault holds the print with a message until the operator resumes it") {
    Booth booth;
    booth.printer.automatic = false;
    booth.shoot_all();
    REQUIRE(booth.flow->accept().ok());
    REQUIRE(booth.flow->print(2).ok());
    booth.run_until([&] { return booth.printer.calls.size() == 1; });

    booth.printer.report(0, {PrintPhase::printing, 0, 2, std::nullopt});
    booth.printer.report(
        0, {PrintPhase::held, 1, 2,
            DeviceFault{"out_of_paper", "The printer is out of paper: load paper, then resume."}});
    booth.printer.status_ = {false, "out_of_paper", "The printer is out of paper.", "test queue",
                             0,     std::nullopt};
    booth.run_until([&] {
        return booth.flow->snapshot().print && booth.flow->snapshot().print->phase == "held";
    });
    CHECK(booth.stage() == Stage::printing);
    REQUIRE(booth.flow->snapshot().notice);
    CHECK(booth.flow->snapshot().notice->device == "printer");
    CHECK(booth.flow->snapshot().notice->fault.reason == "out_of_paper");
    CHECK(booth.flow->snapshot().print->copies_done == 1);
    CHECK(booth.flow->recent_faults().back().notice.fault.reason == "out_of_paper");
    // A print request now is still the same print.
    CHECK(booth.flow->print(2).ok());

    std::optional<DeviceResult<void>> resumed;
    booth.flow->resume_printer([&](DeviceResult<void> result) { resumed = std::move(result); });
    booth.run_until([&] { return resumed.has_value(); });
    CHECK(resumed->has_value());
    CHECK(booth.printer.resumes == 1);
    booth.printer.report(0, {PrintPhase::printing, 1, 2, std::nullopt});
    booth.run_until([&] { return booth.flow->snapshot().print->phase == "printing"; });
    CHECK_FALSE(booth.flow->snapshot().notice);
    booth.printer.report(0, {PrintPhase::done, 2, 2, std::nullopt});
    booth.run_until([&] { return booth.stage() == Stage::code; });
    CHECK_FALSE(booth.flow->snapshot().notice);
    CHECK(booth.printer.calls.size() == 1);
}

TEST_CASE("a failed print still gives the guest the code, with the message") {
    Booth booth;
    booth.printer.automatic = false;
    booth.shoot_all();
    REQUIRE(booth.flow->accept().ok());
    const auto printing = booth.flow->print(1);
    booth.run_until([&] { return booth.printer.calls.size() == 1; });
    booth.printer.report(
        0, {PrintPhase::failed, 0, 1, DeviceFault{"printer_gone", "The print queue was deleted."}});
    booth.run_until([&] { return booth.stage() == Stage::code; });
    CHECK(booth.flow->snapshot().print->phase == "failed");
    CHECK(booth.flow->snapshot().order->code == printing.snapshot.order->code);
    REQUIRE(booth.flow->snapshot().notice);
    CHECK(booth.flow->snapshot().notice->fault.reason == "printer_gone");

    // The next guest's print works once the printer is back.
    booth.printer.automatic = true;
    REQUIRE(booth.flow->finish().ok());
    booth.shoot_all();
    REQUIRE(booth.flow->accept().ok());
    REQUIRE(booth.flow->print(1).ok());
    booth.run_until([&] { return booth.stage() == Stage::code; });
    CHECK(booth.flow->snapshot().print->phase == "done");
    CHECK_FALSE(booth.flow->snapshot().notice);
}

TEST_CASE("finishing during a countdown ends the session and drops the late picture") {
    Booth booth;
    booth.shutter.automatic = false;
    REQUIRE(booth.flow->start().ok());
    std::optional<ActionResult> outcome;
    booth.flow->shoot([&](ActionResult result) { outcome = std::move(result); });
    booth.run_until([&] { return !booth.shutter.waiting.empty(); });
    CHECK(booth.flow->finish().ok());
    booth.run_until([&] { return outcome.has_value(); });
    CHECK(outcome->error == ActionError::session_ended);
    booth.shutter.answer(test_jpeg(5));
    booth.run_for(milliseconds(20));
    CHECK(booth.stage() == Stage::attract);
    CHECK(booth.flow->snapshot().photos.empty());
}

TEST_CASE("a paused booth starts no session until the operator resumes it") {
    Booth booth;
    booth.flow->pause();
    CHECK(booth.flow->snapshot().paused);
    CHECK(booth.flow->start().error == ActionError::paused);
    CHECK(booth.stage() == Stage::attract);
    booth.flow->resume();
    CHECK_FALSE(booth.flow->snapshot().paused);
    CHECK(booth.flow->start().ok());

    // Pausing during a session lets the guest finish.
    booth.flow->pause();
    CHECK(booth.shoot().ok());
    CHECK(booth.stage() == Stage::countdown);
}

TEST_CASE("thumbnails of the session's photos are made on the imaging worker") {
    Booth booth;
    booth.shoot_all();
    std::optional<std::optional<Jpeg>> small;
    booth.flow->thumbnail(2, [&](std::optional<Jpeg> jpeg) { small = std::move(jpeg); });
    booth.run_until([&] { return small.has_value(); });
    REQUIRE(small->has_value());
    CHECK(encore::kiosk::imaging::read_jpeg_info(**small).value().width == 64);

    std::optional<std::optional<Jpeg>> none;
    booth.flow->thumbnail(7, [&](std::optional<Jpeg> jpeg) { none = std::move(jpeg); });
    booth.run_until([&] { return none.has_value(); });
    CHECK_FALSE(none->has_value());
}

TEST_CASE("every change reaches the observers with a higher version") {
    Booth booth;
    std::uint64_t last = booth.flow->snapshot().version;
    int calls = 0;
    const int id = booth.flow->add_observer([&](const Snapshot& snapshot) {
        CHECK(snapshot.version > last);
        last = snapshot.version;
        ++calls;
    });
    REQUIRE(booth.flow->start().ok());
    REQUIRE(booth.shoot().ok());
    CHECK(calls >= 5); // countdown, 3, 2, 1, capture, next countdown
    booth.flow->remove_observer(id);
    const int before = calls;
    booth.flow->finish();
    CHECK(calls == before);
}
