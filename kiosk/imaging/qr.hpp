#pragma once

#include "kiosk/imaging/error.hpp"
#include "kiosk/imaging/image.hpp"

#include <string_view>

// The order's QR code: libqrencode, error correction level M, a quiet zone of 4
// modules, every module a square of whole pixels (no resampling, so the edges stay
// crisp on the print).
namespace encore::kiosk::imaging {

inline constexpr int qr_quiet_zone_modules = 4;
// Below 2 pixels a module (0.17 mm at 300 dpi) phones stop reading the code reliably.
inline constexpr int qr_min_module_pixels = 2;

struct QrPlacement {
    // Modules per side, without the quiet zone.
    int modules = 0;
    int module_pixels = 0;
    // The drawn square, quiet zone included, centred in the slot.
    Rect area;
};

// Draws `text` as a QR code, dark on white, centred in the square `slot`, with the
// largest integer module size that fits. Fails with qr_failed when the text is empty,
// too long for a QR code, or needs modules smaller than qr_min_module_pixels.
Result<QrPlacement> draw_qr(Image& canvas, Rect slot, std::string_view text);

} // namespace encore::kiosk::imaging
