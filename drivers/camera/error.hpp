#pragma once

#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <system_error>

// Errors of the camera driver, as values. Each carries a code in the "camera" error
// category (for programs: the supervisor decides on it whether to reconnect) and a
// sentence for the operator that says what happened and what to do about it.
namespace encore::drivers::camera {

enum class Errc {
    // No camera at the port asked for, or none at all with `auto`.
    no_camera = 1,
    // The camera is held by another program (the desktop's gvfs, most often) or
    // refused the operation because it is busy.
    camera_busy,
    // The camera could not focus, so it did not take the picture.
    focus_failed,
    // The memory card is full (or the camera has no room to store the picture).
    card_full,
    // The camera went away: unplugged, switched off, out of battery, network gone.
    disconnected,
    // The camera stopped answering within the call's deadline; the camera's process
    // was killed and the next call starts afresh.
    timed_out,
    // A call that needs an open camera came before open (or after close).
    not_open,
    // The camera has no live view.
    live_view_unsupported,
    // The camera delivered something other than a JPEG (RAW only, for example).
    not_jpeg,
    // Any other failure the camera or libgphoto2 reported; the message carries its words.
    camera_failed,
    // The camera's helper process could not be started, crashed, or spoke nonsense.
    host_failed,
};

const std::error_category& camera_category();
std::error_code make_error_code(Errc code);

struct Error {
    std::error_code code;
    std::string message;
};

Error make_error(Errc code, std::string message);

// True when `error` carries `code`.
bool is(const Error& error, Errc code);

// The operator's message; the code's generic text when the message is empty.
std::string describe(const Error& error);

template <typename T>
using Result = boost::system::result<T, Error>;

// Thrown only by Result::value() on an error, for callers that prefer exceptions
// (the command line, tests).
class CameraError : public std::runtime_error {
public:
    explicit CameraError(const Error& error);
    std::error_code code() const { return code_; }

private:
    std::error_code code_;
};

// Found by argument-dependent lookup from boost::system::result<T, Error>::value().
[[noreturn]] void throw_exception_from_error(const Error& error,
                                             const boost::source_location& location);

} // namespace encore::drivers::camera

template <>
struct std::is_error_code_enum<encore::drivers::camera::Errc> : std::true_type {};
