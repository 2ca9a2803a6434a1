#include "drivers/camera/gphoto2_errors.hpp"

#include <doctest/doctest.h>

using namespace encore::drivers::camera;

namespace {

// libgphoto2's result codes, as numbers: the test reads like the field reports do.
constexpr int gp_error = -1;
constexpr int gp_error_not_supported = -6;
constexpr int gp_error_io = -7;
constexpr int gp_error_timeout = -10;
constexpr int gp_error_io_read = -34;
constexpr int gp_error_io_usb_find = -52;
constexpr int gp_error_io_usb_claim = -53;
constexpr int gp_error_model_not_found = -105;
constexpr int gp_error_camera_busy = -110;
constexpr int gp_error_no_space = -115;

Error map(int code, Operation operation, std::string said = {}, std::string port = "usb:001,004",
          bool lost = false) {
    Gphoto2Failure failure;
    failure.code = code;
    failure.context_message = std::move(said);
    failure.operation = operation;
    failure.port = std::move(port);
    failure.connection_lost = lost;
    return map_gphoto2_error(failure);
}

bool mentions(const Error& error, const std::string& words) {
    return describe(error).find(words) != std::string::npos;
}

} // namespace

TEST_CASE("a USB claim failure names gvfs and how to stop it") {
    const auto error = map(gp_error_io_usb_claim, Operation::open);
    CHECK(is(error, Errc::camera_busy));
    CHECK(mentions(error, "gvfs-gphoto2-volume-monitor"));
    CHECK(mentions(error, "systemctl --user stop gvfs-gphoto2-volume-monitor"));
    CHECK(mentions(error, "gvfs-backends"));
    CHECK(mentions(error, "usb:001,004"));
}

TEST_CASE("a USB camera that is detected but cannot be opened (-7) is held by another program") {
    const auto error = map(gp_error_io, Operation::open);
    CHECK(is(error, Errc::camera_busy));
    CHECK(mentions(error, "detected but cannot be opened"));
    CHECK(mentions(error, "gvfs"));
}

TEST_CASE("a network camera that refuses the connection (-7 at open) is not found") {
    const auto error = map(gp_error_io, Operation::open, "", "ptpip:127.0.0.1:15740:15740");
    CHECK(is(error, Errc::no_camera));
    CHECK(mentions(error, "switch it on"));
}

TEST_CASE("no camera: model not found or nothing on the USB port") {
    for (const int code : {gp_error_model_not_found, gp_error_io_usb_find}) {
        const auto error = map(code, Operation::open, "", "auto");
        CHECK(is(error, Errc::no_camera));
        CHECK(mentions(error, "connect the camera by USB and switch it on"));
    }
}

TEST_CASE("PTP Device Busy (-110) is camera_busy") {
    const auto error = map(gp_error_camera_busy, Operation::capture, "PTP Device Busy");
    CHECK(is(error, Errc::camera_busy));
    CHECK(mentions(error, "try again"));
}

TEST_CASE("autofocus failures are recognised by their words, whatever the code") {
    for (const char* said : {"Out of Focus", "Capture failed: No focus.",
                             "Canon EOS Capture failed to release: Perhaps no focus?",
                             "Fuji Capture failed: Perhaps no auto-focus?"}) {
        const auto error = map(gp_error, Operation::capture, said);
        CHECK_MESSAGE(is(error, Errc::focus_failed), said);
        CHECK(mentions(error, "the camera could not focus"));
        CHECK(mentions(error, "more light or a target with contrast"));
    }
}

TEST_CASE("a full card: PTP Store Full, or GP_ERROR_NO_SPACE") {
    CHECK(is(map(gp_error, Operation::capture, "PTP Store Full"), Errc::card_full));
    CHECK(is(map(gp_error_no_space, Operation::capture), Errc::card_full));
}

TEST_CASE("I/O errors after open mean the camera went away") {
    for (const int code : {gp_error_io, gp_error_io_read, gp_error_io_usb_find}) {
        const auto error = map(code, Operation::capture);
        CHECK(is(error, Errc::disconnected));
        CHECK(mentions(error, "reconnects by itself"));
    }
    // A plain GP_ERROR after which the session's probe failed.
    CHECK(is(map(gp_error, Operation::download, "PTP General Error", "usb:001,004", true),
             Errc::disconnected));
}

TEST_CASE("libgphoto2's own timeout is timed_out") {
    const auto error = map(gp_error_timeout, Operation::preview);
    CHECK(is(error, Errc::timed_out));
    CHECK(mentions(error, "live-view frame"));
}

TEST_CASE("a camera without live view") {
    CHECK(is(map(gp_error_not_supported, Operation::preview), Errc::live_view_unsupported));
}

TEST_CASE("anything else keeps libgphoto2's words and code") {
    const auto error = map(gp_error, Operation::capture, "PTP General Error");
    CHECK(is(error, Errc::camera_failed));
    CHECK(mentions(error, "PTP General Error"));
    CHECK(mentions(error, "libgphoto2 -1"));
    const auto silent = map(gp_error, Operation::capture);
    CHECK(is(silent, Errc::camera_failed));
    CHECK(mentions(silent, "Unspecified error"));
}

TEST_CASE("the camera error category names its codes") {
    CHECK(std::string(camera_category().name()) == "camera");
    CHECK(make_error_code(Errc::focus_failed).message() == "autofocus failed");
    CHECK(make_error_code(Errc::timed_out).category() == camera_category());
    CHECK(describe(make_error(Errc::card_full, "")) == "memory card full");
}
