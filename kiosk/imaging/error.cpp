#include "kiosk/imaging/error.hpp"

#include <ostream>

namespace encore::kiosk::imaging {

std::string_view to_string(Errc code) {
    switch (code) {
    case Errc::invalid_argument:
        return "invalid_argument";
    case Errc::not_a_jpeg:
        return "not_a_jpeg";
    case Errc::corrupt_jpeg:
        return "corrupt_jpeg";
    case Errc::corrupt_exif:
        return "corrupt_exif";
    case Errc::unsupported_jpeg:
        return "unsupported_jpeg";
    case Errc::image_too_large:
        return "image_too_large";
    case Errc::file_error:
        return "file_error";
    case Errc::qr_failed:
        return "qr_failed";
    case Errc::encode_failed:
        return "encode_failed";
    case Errc::out_of_memory:
        return "out_of_memory";
    }
    return "unknown";
}

std::string describe(const Error& error) {
    return std::string(to_string(error.code)) + ": " + error.message;
}

std::ostream& operator<<(std::ostream& out, const Error& error) {
    return out << describe(error);
}

Error with_context(Error error, std::string_view context) {
    error.message = std::string(context) + ": " + error.message;
    return error;
}

ImagingError::ImagingError(const Error& error)
    : std::runtime_error(describe(error))
    , code_(error.code) {}

void throw_exception_from_error(const Error& error, const boost::source_location& /*location*/) {
    throw ImagingError(error);
}

} // namespace encore::kiosk::imaging
