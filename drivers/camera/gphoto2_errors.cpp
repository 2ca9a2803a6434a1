#include "drivers/camera/gphoto2_errors.hpp"

#include <gphoto2/gphoto2-port-result.h>
#include <gphoto2/gphoto2-result.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace encore::drivers::camera {

const std::string_view held_by_another_program_advice =
    "another program holds the camera, often the desktop's gvfs-gphoto2-volume-monitor: stop "
    "it with `systemctl --user stop gvfs-gphoto2-volume-monitor` or uninstall gvfs-backends";

namespace {

std::string lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

bool contains_any(const std::string& haystack, std::initializer_list<std::string_view> needles) {
    return std::any_of(needles.begin(), needles.end(), [&](std::string_view needle) {
        return haystack.find(needle) != std::string::npos;
    });
}

bool is_usb(const std::string& port) {
    return port.rfind("usb:", 0) == 0;
}

bool is_io_failure(int code) {
    switch (code) {
    case GP_ERROR_IO:
    case GP_ERROR_IO_READ:
    case GP_ERROR_IO_WRITE:
    case GP_ERROR_IO_UPDATE:
    case GP_ERROR_IO_USB_CLEAR_HALT:
    case GP_ERROR_IO_USB_FIND:
        return true;
    default:
        return false;
    }
}

std::string at_port(const std::string& port) {
    return port.empty() || port == "auto" ? std::string() : " at " + port;
}

// "Out of Focus (libgphoto2 -1: Unspecified error)".
std::string library_words(const Gphoto2Failure& failure) {
    std::string words = failure.context_message;
    const std::string code_text =
        "libgphoto2 " + std::to_string(failure.code) + ": " + gp_result_as_string(failure.code);
    return words.empty() ? code_text : words + " (" + code_text + ")";
}

} // namespace

std::string_view to_string(Operation operation) {
    switch (operation) {
    case Operation::list:
        return "list cameras";
    case Operation::open:
        return "open the camera";
    case Operation::capture:
        return "take a picture";
    case Operation::download:
        return "download the picture";
    case Operation::preview:
        return "fetch a live-view frame";
    case Operation::stop_live_view:
        return "stop live view";
    case Operation::info:
        return "read the camera's state";
    case Operation::close:
        return "close the camera";
    }
    return "use the camera";
}

Error map_gphoto2_error(const Gphoto2Failure& failure) {
    const auto said = lower(failure.context_message);
    const auto code = failure.code;
    const auto operation = failure.operation;

    // The camera's own refusals come first: they arrive as a plain GP_ERROR whose
    // meaning is only in the context's message.
    if (contains_any(said, {"out of focus", "no focus", "no auto-focus"})) {
        return make_error(Errc::focus_failed,
                          "the camera could not focus, so it took no picture: give it more "
                          "light or a target with contrast");
    }
    if (code == GP_ERROR_NO_SPACE || contains_any(said, {"store full", "card full"})) {
        return make_error(Errc::card_full,
                          "the camera's memory card is full: delete pictures from it or insert "
                          "an empty card");
    }
    if (code == GP_ERROR_IO_USB_CLAIM || code == GP_ERROR_IO_LOCK) {
        return make_error(Errc::camera_busy, "cannot claim the camera" + at_port(failure.port) +
                                                 ": " +
                                                 std::string(held_by_another_program_advice));
    }
    if (code == GP_ERROR_CAMERA_BUSY || contains_any(said, {"device busy"})) {
        return make_error(Errc::camera_busy,
                          "the camera is busy and refused to " + std::string(to_string(operation)) +
                              ": wait a moment and try again; if it stays busy, " +
                              std::string(held_by_another_program_advice));
    }

    if (operation == Operation::open || operation == Operation::list) {
        if (code == GP_ERROR_MODEL_NOT_FOUND || code == GP_ERROR_IO_USB_FIND ||
            code == GP_ERROR_UNKNOWN_PORT || code == GP_ERROR_DIRECTORY_NOT_FOUND) {
            return make_error(Errc::no_camera, "no camera found" + at_port(failure.port) +
                                                   ": connect the camera by USB and switch it on");
        }
        if (is_usb(failure.port) && (code == GP_ERROR_IO || code == GP_ERROR_IO_INIT)) {
            // Seen when another process has the USB interface: libgphoto2 lists the
            // camera but cannot open it.
            return make_error(Errc::camera_busy,
                              "the camera" + at_port(failure.port) +
                                  " is detected but cannot be opened: " +
                                  std::string(held_by_another_program_advice) +
                                  " (if nothing else holds it, check that this user may use "
                                  "USB cameras: udev rules, group plugdev; " +
                                  library_words(failure) + ")");
        }
        if (is_io_failure(code) || code == GP_ERROR_IO_INIT || code == GP_ERROR_TIMEOUT) {
            return make_error(Errc::no_camera, "cannot reach the camera" + at_port(failure.port) +
                                                   ": switch it on and check its connection (" +
                                                   library_words(failure) + ")");
        }
    }

    if (failure.connection_lost || is_io_failure(code) ||
        contains_any(said, {"i/o error", "i/o problem"})) {
        return make_error(Errc::disconnected,
                          "the camera" + at_port(failure.port) +
                              " was disconnected while trying to " +
                              std::string(to_string(operation)) +
                              ": check the cable and that the camera is switched on; Encore "
                              "reconnects by itself (" +
                              library_words(failure) + ")");
    }
    if (code == GP_ERROR_TIMEOUT) {
        return make_error(Errc::timed_out, "the camera did not answer in time while trying to " +
                                               std::string(to_string(operation)) + " (" +
                                               library_words(failure) + ")");
    }
    if (operation == Operation::preview && code == GP_ERROR_NOT_SUPPORTED) {
        return make_error(Errc::live_view_unsupported,
                          "this camera offers no live view through libgphoto2");
    }
    return make_error(Errc::camera_failed, "the camera failed to " +
                                               std::string(to_string(operation)) + ": " +
                                               library_words(failure));
}

} // namespace encore::drivers::camera
