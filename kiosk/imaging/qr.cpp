#include "kiosk/imaging/qr.hpp"

#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string>
#include <system_error>

namespace encore::kiosk::imaging {
namespace {

struct QrDeleter {
    void operator()(QRcode* code) const { QRcode_free(code); }
};

constexpr Rgb dark{0, 0, 0};
constexpr Rgb light{255, 255, 255};

} // namespace

Result<QrPlacement> draw_qr(Image& canvas, Rect slot, std::string_view text) {
    if (text.empty()) {
        return Error{Errc::qr_failed, "no text to put in the QR code"};
    }
    if (slot.empty() || !canvas.bounds().contains(slot)) {
        return Error{Errc::invalid_argument, "the QR slot does not lie inside the canvas"};
    }
    const std::string terminated(text);
    if (terminated.find('\0') != std::string::npos) {
        return Error{Errc::qr_failed, "the QR text contains a NUL byte"};
    }
    // Version 0 lets libqrencode pick the smallest version that holds the text.
    errno = 0;
    const std::unique_ptr<QRcode, QrDeleter> code(
        QRcode_encodeString(terminated.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
    if (!code) {
        return Error{Errc::qr_failed,
                     errno == ERANGE
                         ? "the text (" + std::to_string(text.size()) +
                               " bytes) is too long for a QR code at error correction level M"
                         : "libqrencode failed: " + std::generic_category().message(errno)};
    }
    QrPlacement placement;
    placement.modules = code->width;
    const int side_modules = code->width + 2 * qr_quiet_zone_modules;
    const int side = std::min(slot.width, slot.height);
    placement.module_pixels = side / side_modules;
    if (placement.module_pixels < qr_min_module_pixels) {
        return Error{Errc::qr_failed,
                     "the QR slot of " + std::to_string(side) + " pixels is too small for \"" +
                         std::string(text) + "\": its " + std::to_string(code->width) +
                         " modules plus the quiet zone need at least " +
                         std::to_string(side_modules * qr_min_module_pixels) + " pixels"};
    }
    const int drawn = side_modules * placement.module_pixels;
    placement.area = {slot.x + (slot.width - drawn) / 2, slot.y + (slot.height - drawn) / 2, drawn,
                      drawn};
    canvas.fill(placement.area, light);
    const int origin_x = placement.area.x + qr_quiet_zone_modules * placement.module_pixels;
    const int origin_y = placement.area.y + qr_quiet_zone_modules * placement.module_pixels;
    for (int row = 0; row < code->width; ++row) {
        for (int column = 0; column < code->width; ++column) {
            // Bit 0 of each byte is the module's colour (1 = dark).
            if ((code->data[row * code->width + column] & 1) != 0) {
                canvas.fill({origin_x + column * placement.module_pixels,
                             origin_y + row * placement.module_pixels, placement.module_pixels,
                             placement.module_pixels},
                            dark);
            }
        }
    }
    return placement;
}

} // namespace encore::kiosk::imaging
