#include "tests/unit/session/session_doubles.hpp"

#include "kiosk/imaging/image.hpp"
#include "kiosk/imaging/jpeg.hpp"

#include <boost/asio/post.hpp>

namespace encore::kiosk::session::testing {

namespace asio = boost::asio;

Jpeg test_jpeg(int seed, int width, int height) {
    const auto colour = imaging::Rgb{static_cast<std::uint8_t>(seed * 37 % 256),
                                     static_cast<std::uint8_t>(seed * 91 % 256),
                                     static_cast<std::uint8_t>(seed * 53 % 256)};
    auto image = imaging::Image::filled(width, height, colour).value();
    // A second colour in one corner, so two seeds never give the same bytes.
    image.fill({0, 0, 8, 8}, {static_cast<std::uint8_t>(seed % 256), 0, 0});
    return imaging::encode_jpeg(image, imaging::thumbnail_encoding).value();
}

std::filesystem::path template_directory() {
    return std::filesystem::path(ENCORE_SOURCE_DIR) / "kiosk/imaging/templates";
}

std::filesystem::path event_directory() {
    return std::filesystem::path(ENCORE_SOURCE_DIR) / "kiosk/session/events";
}

EventSettings test_event(const std::string& layout_template) {
    EventSettings event;
    event.name = "test event";
    event.layout_file = template_directory() / layout_template;
    event.layout = imaging::load_layout(event.layout_file);
    event.shots = static_cast<int>(event.layout.photos.size());
    event.countdown_seconds = 3;
    event.countdown_step = std::chrono::milliseconds(1);
    event.max_retakes = 2;
    event.copies = {1, 4, 1};
    const std::chrono::milliseconds long_wait = std::chrono::seconds(10);
    event.timeouts = {long_wait, long_wait, long_wait, long_wait, long_wait, long_wait};
    event.languages = {"en", "de", "fr", "es", "ja"};
    event.default_language = "en";
    event.operator_pin = "2468";
    return event;
}

TestShutter::TestShutter(asio::any_io_executor loop)
    : loop_(std::move(loop)) {}

void TestShutter::capture(Done done) {
    ++captures;
    waiting.push_back(std::move(done));
    if (automatic) {
        if (!script.empty()) {
            auto next = std::move(script.front());
            script.pop_front();
            answer(std::move(next));
        } else {
            answer(test_jpeg(++pictures_));
        }
    }
}

void TestShutter::answer(DeviceResult<Jpeg> result) {
    auto done = std::move(waiting.front());
    waiting.pop_front();
    asio::post(loop_, [done = std::move(done), result = std::move(result)]() mutable {
        done(std::move(result));
    });
}

TestLiveView::TestLiveView(asio::any_io_executor loop)
    : loop_(std::move(loop)) {}

void TestLiveView::next_frame(Done done) {
    const int frame = ++frames;
    asio::post(loop_, [done = std::move(done), frame]() { done(test_jpeg(frame, 32, 24)); });
}

TestPrintQueue::TestPrintQueue(asio::any_io_executor loop)
    : loop_(std::move(loop)) {}

void TestPrintQueue::print(PrintRequest request, Progress progress) {
    ++prints;
    const int copies = request.copies;
    calls.push_back({std::move(request), std::move(progress)});
    if (automatic) {
        const auto index = calls.size() - 1;
        report(index, {PrintPhase::printing, 0, copies, std::nullopt});
        report(index, {PrintPhase::done, copies, copies, std::nullopt});
    }
}

void TestPrintQueue::report(std::size_t index, PrintProgress progress) {
    asio::post(loop_, [this, index, progress = std::move(progress)]() {
        if (progress.phase == PrintPhase::done) {
            copies_printed += progress.copies;
        }
        calls[index].progress(progress);
    });
}

void TestPrintQueue::resume(ResumeDone done) {
    ++resumes;
    status_ = {true, "ready", "", "test queue", 700, std::nullopt};
    asio::post(loop_, [done = std::move(done)]() { done(DeviceResult<void>()); });
}

} // namespace encore::kiosk::session::testing
