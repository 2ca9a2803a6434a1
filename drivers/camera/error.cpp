#include "drivers/camera/error.hpp"

namespace encore::drivers::camera {
namespace {

class CameraCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "camera"; }
    std::string message(int value) const override {
        switch (static_cast<Errc>(value)) {
        case Errc::no_camera:
            return "no camera found";
        case Errc::camera_busy:
            return "camera busy or held by another program";
        case Errc::focus_failed:
            return "autofocus failed";
        case Errc::card_full:
            return "memory card full";
        case Errc::disconnected:
            return "camera disconnected";
        case Errc::timed_out:
            return "camera timed out";
        case Errc::not_open:
            return "camera not open";
        case Errc::live_view_unsupported:
            return "camera has no live view";
        case Errc::not_jpeg:
            return "camera delivered no JPEG";
        case Errc::camera_failed:
            return "camera failed";
        case Errc::host_failed:
            return "camera helper process failed";
        }
        return "unknown camera error";
    }
};

} // namespace

const std::error_category& camera_category() {
    static const CameraCategory category;
    return category;
}

std::error_code make_error_code(Errc code) {
    return {static_cast<int>(code), camera_category()};
}

Error make_error(Errc code, std::string message) {
    return Error{make_error_code(code), std::move(message)};
}

bool is(const Error& error, Errc code) {
    return error.code == make_error_code(code);
}

std::string describe(const Error& error) {
    return error.message.empty() ? error.code.message() : error.message;
}

CameraError::CameraError(const Error& error)
    : std::runtime_error(describe(error))
    , code_(error.code) {}

void throw_exception_from_error(const Error& error, const boost::source_location& /*location*/) {
    throw CameraError(error);
}

} // namespace encore::drivers::camera
