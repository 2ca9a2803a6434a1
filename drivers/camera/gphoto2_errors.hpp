#pragma once

#include "drivers/camera/error.hpp"

#include <string>
#include <string_view>

// How a libgphoto2 failure becomes a camera Error with an operator's message. Kept
// apart from the session so that it can be tested without a camera.
namespace encore::drivers::camera {

enum class Operation { list, open, capture, download, preview, stop_live_view, info, close };
std::string_view to_string(Operation operation);

struct Gphoto2Failure {
    // libgphoto2's result code (GP_ERROR_IO = -7, GP_ERROR_CAMERA_BUSY = -110, ...).
    int code = 0;
    // What libgphoto2 reported through the context's error callback during the call
    // ("Out of Focus", "PTP Store Full", "PTP Device Busy"); often empty.
    std::string context_message;
    Operation operation = Operation::open;
    // The libgphoto2 port ("usb:001,004", "ptpip:127.0.0.1:15740:15740"); empty or
    // "auto" when the failure came before a camera was chosen.
    std::string port;
    // A check after the failure found the camera gone (its connection is closed).
    bool connection_lost = false;
};

Error map_gphoto2_error(const Gphoto2Failure& failure);

// The operator's advice for a camera held by another program, shared by every message
// that may have that cause.
extern const std::string_view held_by_another_program_advice;

} // namespace encore::drivers::camera
