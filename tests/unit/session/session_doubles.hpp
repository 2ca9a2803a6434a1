#pragma once

#include "kiosk/session/event.hpp"
#include "kiosk/session/ports.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <deque>
#include <filesystem>
#include <vector>

// In-test doubles of the guest flow's ports, and the event the tests use. Every
// completion is posted to the loop, as the real ports do; every member is used on the
// loop's thread except the atomic counters, which tests may read from their own thread.
namespace encore::kiosk::session::testing {

// A small real JPEG (it decodes, so prints compose), different for every `seed`.
Jpeg test_jpeg(int seed, int width = 64, int height = 48);

// The layout templates shipped in kiosk/imaging/templates.
std::filesystem::path template_directory();
// kiosk/session/events.
std::filesystem::path event_directory();

// An event with the given layout template and timeouts short enough for tests: every
// state 10 s (tests that want one to expire shorten it), countdown steps of 1 ms.
EventSettings test_event(const std::string& layout_template = "grid-2x2-4x6.json");

class TestShutter : public Shutter {
public:
    explicit TestShutter(boost::asio::any_io_executor loop);

    void capture(Done done) override;
    DeviceStatus status() const override { return status_; }

    // Answers every capture at once with a fresh picture (or the next scripted result).
    bool automatic = true;
    // Results for the next captures, in order, before fresh pictures.
    std::deque<DeviceResult<Jpeg>> script;
    // Captures asked for and not answered yet (when `automatic` is off).
    std::deque<Done> waiting;
    DeviceStatus status_{true, "ready", "", "test camera", std::nullopt, 80};
    std::atomic<int> captures{0};

    // Answers the oldest waiting capture.
    void answer(DeviceResult<Jpeg> result);

private:
    boost::asio::any_io_executor loop_;
    int pictures_ = 0;
};

class TestLiveView : public LiveView {
public:
    explicit TestLiveView(boost::asio::any_io_executor loop);
    void next_frame(Done done) override;
    std::atomic<int> frames{0};

private:
    boost::asio::any_io_executor loop_;
};

class TestPrintQueue : public PrintQueue {
public:
    explicit TestPrintQueue(boost::asio::any_io_executor loop);

    void print(PrintRequest request, Progress progress) override;
    void resume(ResumeDone done) override;
    DeviceStatus status() const override { return status_; }

    // Reports printing and then done for every print at once.
    bool automatic = true;
    struct Call {
        PrintRequest request;
        Progress progress;
    };
    std::vector<Call> calls;
    DeviceStatus status_{true, "ready", "", "test queue", 700, std::nullopt};
    std::atomic<int> prints{0};
    std::atomic<int> copies_printed{0};
    std::atomic<int> resumes{0};

    // Posts `progress` to print call `index`.
    void report(std::size_t index, PrintProgress progress);

private:
    boost::asio::any_io_executor loop_;
};

} // namespace encore::kiosk::session::testing
