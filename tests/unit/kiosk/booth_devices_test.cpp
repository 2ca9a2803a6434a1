#include "drivers/printer/condition.hpp"
#include "kiosk/devices/booth_camera.hpp"
#include "kiosk/devices/booth_printer.hpp"

#include <doctest/doctest.h>

using namespace encore;
using namespace encore::kiosk::devices;
namespace printer = drivers::printer;
namespace camera = drivers::camera;
using kiosk::session::PrintPhase;
using printer::LedgerState;

namespace {

std::vector<printer::LedgerEntry> rows(std::initializer_list<LedgerState> states) {
    std::vector<printer::LedgerEntry> entries;
    int copy = 0;
    for (const auto state : states) {
        printer::LedgerEntry entry;
        entry.id = ++copy;
        entry.copy = copy;
        entry.order_id = "order-1";
        entry.state = state;
        entries.push_back(entry);
    }
    return entries;
}

printer::Error out_of_paper() {
    printer::PrinterStatus status;
    status.queue = "booth";
    status.state = printer::PrinterState::stopped;
    status.reasons = {"media-empty-error"};
    return *printer::condition_error(status, printer::AutoResume::on);
}

} // namespace

TEST_CASE("the paper of a print is found from its size in inches, either way round") {
    CHECK(media_for_print(6, 4) == printer::MediaSize::size_4x6);
    CHECK(media_for_print(4, 6) == printer::MediaSize::size_4x6);
    CHECK(media_for_print(2, 6) == printer::MediaSize::strip_2x6);
    CHECK(media_for_print(8, 10) == printer::MediaSize::size_8x10);
    CHECK_FALSE(media_for_print(3, 3).has_value());
}

TEST_CASE("an order's progress follows its ledger rows") {
    SUBCASE("copies not yet recorded count as queued") {
        const auto progress = print_progress({}, 2, std::nullopt);
        CHECK(progress.phase == PrintPhase::queued);
        CHECK(progress.copies == 2);
        CHECK(progress.copies_done == 0);
    }
    SUBCASE("one printing, one queued") {
        const auto progress =
            print_progress(rows({LedgerState::printing, LedgerState::queued}), 2, std::nullopt);
        CHECK(progress.phase == PrintPhase::printing);
    }
    SUBCASE("one done of two is not done") {
        const auto progress =
            print_progress(rows({LedgerState::completed, LedgerState::recorded}), 2, std::nullopt);
        CHECK(progress.phase == PrintPhase::queued);
        CHECK(progress.copies_done == 1);
    }
    SUBCASE("every copy completed") {
        const auto progress =
            print_progress(rows({LedgerState::completed, LedgerState::completed}), 2, std::nullopt);
        CHECK(progress.phase == PrintPhase::done);
        CHECK(progress.copies_done == 2);
        CHECK_FALSE(progress.fault.has_value());
    }
    SUBCASE("all finished but one aborted: failed, and the fault names the copy") {
        auto entries = rows({LedgerState::completed, LedgerState::aborted});
        entries[1].message = "the printer gave up";
        const auto progress = print_progress(entries, 2, std::nullopt);
        CHECK(progress.phase == PrintPhase::failed);
        CHECK(progress.copies_done == 1);
        REQUIRE(progress.fault.has_value());
        CHECK(progress.fault->reason == "printer_failed");
        CHECK(progress.fault->message.find("Copy 2") != std::string::npos);
        CHECK(progress.fault->message.find("the printer gave up") != std::string::npos);
    }
    SUBCASE("a copy CUPS lost while printing may or may not have come out") {
        const auto progress = print_progress(
            rows({LedgerState::completed, LedgerState::unconfirmed}), 2, std::nullopt);
        CHECK(progress.phase == PrintPhase::failed);
        CHECK(progress.fault->reason == "print_unconfirmed");
    }
    SUBCASE("a printer fault holds the order, with the printer's reason for the screen") {
        const auto progress =
            print_progress(rows({LedgerState::stopped, LedgerState::queued}), 2, out_of_paper());
        CHECK(progress.phase == PrintPhase::held);
        REQUIRE(progress.fault.has_value());
        CHECK(progress.fault->reason == "out_of_paper");
        CHECK(progress.fault->message.find("load paper") != std::string::npos);
    }
    SUBCASE("a job held in CUPS holds the order even while the printer is ready") {
        const auto progress =
            print_progress(rows({LedgerState::held, LedgerState::completed}), 2, std::nullopt);
        CHECK(progress.phase == PrintPhase::held);
        CHECK(progress.fault->reason == "held");
    }
    SUBCASE("a finished order stays finished whatever the printer does next") {
        const auto progress = print_progress(rows({LedgerState::completed, LedgerState::completed}),
                                             2, out_of_paper());
        CHECK(progress.phase == PrintPhase::done);
    }
}

TEST_CASE("printer and camera faults get the keywords the screen has sentences for") {
    CHECK(printer_fault_reason(out_of_paper()) == "out_of_paper");
    CHECK(printer_fault_reason(printer::make_error(printer::Errc::server_unreachable, "x")) ==
          "offline");
    CHECK(printer_fault_reason(printer::make_error(printer::Errc::paper_jam, "x")) == "paper_jam");
    CHECK(camera_fault_reason(camera::make_error(camera::Errc::focus_failed, "x")) ==
          "focus_failed");
    CHECK(camera_fault_reason(camera::make_error(camera::Errc::host_failed, "x")) ==
          "disconnected");
    CHECK(camera_fault_reason(camera::make_error(camera::Errc::card_full, "x")) == "card_full");
}

TEST_CASE("the operator sees why the camera is not ready") {
    camera::CameraStatus status;
    status.state = camera::LinkState::reconnecting;
    status.last_error = camera::make_error(camera::Errc::no_camera, "No camera at usb:001,004.");
    status.failed_attempts = 3;
    const auto device = camera_device_status(status);
    CHECK_FALSE(device.ready);
    CHECK(device.condition == "no_camera");
    CHECK(device.message.find("No camera at usb:001,004.") != std::string::npos);
    CHECK(device.message.find("3 attempts") != std::string::npos);

    status.state = camera::LinkState::connected;
    status.camera = camera::CameraInfo{"Nikon", "D750", "123", "usb:001,004", 80, {}, {}};
    const auto ready = camera_device_status(status);
    CHECK(ready.ready);
    CHECK(ready.name == "D750 on usb:001,004");
    CHECK(ready.battery_percent == 80);
}
