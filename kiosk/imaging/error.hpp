#pragma once

#include <boost/system/result.hpp>

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>

// Errors of the imaging pipeline. Every function that can fail on bad input (a broken
// JPEG, a malformed EXIF block, a URL too long for its QR slot) returns a Result: the
// value, or an Error that says what failed in a sentence a person can act on.
namespace encore::kiosk::imaging {

enum class Errc {
    // The caller asked for something impossible: a wrong number of photos, an empty
    // order code, a rectangle outside the canvas.
    invalid_argument = 1,
    // The bytes do not start with a JPEG SOI marker.
    not_a_jpeg,
    // A JPEG whose structure or entropy-coded data is broken or truncated.
    corrupt_jpeg,
    // A malformed EXIF (APP1) block: bad TIFF header, offsets outside the block, an
    // orientation outside 1..8.
    corrupt_exif,
    // A valid JPEG that Encore does not decode (for example CMYK).
    unsupported_jpeg,
    // Dimensions above the limits in image.hpp.
    image_too_large,
    // An image file named by a layout could not be read.
    file_error,
    // The QR code could not be made or does not fit its slot.
    qr_failed,
    // The JPEG encoder failed.
    encode_failed,
    // A pixel buffer could not be allocated.
    out_of_memory,
};

// A short name for an Errc ("corrupt_jpeg"), for logs and tests.
std::string_view to_string(Errc code);

struct Error {
    Errc code = Errc::invalid_argument;
    std::string message;
};

// The message with the code's name in front: "corrupt_jpeg: Premature end of JPEG file".
std::string describe(const Error& error);

// Writes describe(error); lets tests and logs print a Result.
std::ostream& operator<<(std::ostream& out, const Error& error);

// Prefixes the message with context: with_context(error, "photo 2") gives
// "photo 2: <message>".
Error with_context(Error error, std::string_view context);

template <typename T>
using Result = boost::system::result<T, Error>;

// Thrown only by Result::value() on an error, for callers that prefer exceptions
// (tests, start-up code).
class ImagingError : public std::runtime_error {
public:
    explicit ImagingError(const Error& error);
    Errc code() const { return code_; }

private:
    Errc code_;
};

// Found by argument-dependent lookup from boost::system::result<T, Error>::value().
[[noreturn]] void throw_exception_from_error(const Error& error,
                                             const boost::source_location& location);

} // namespace encore::kiosk::imaging
