#pragma once

#include "kiosk/imaging/error.hpp"
#include "kiosk/imaging/image.hpp"
#include "kiosk/imaging/jpeg.hpp"
#include "kiosk/imaging/layout.hpp"

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

// The imaging pipeline's front door: a layout, the photos as JPEG bytes, the order's
// short code and QR link in; a print-ready JPEG out. Pure functions of their
// arguments (the only I/O is reading the layout's image files), safe to call from a
// worker thread, shared by the kiosk (initial prints) and the hub (reprints).
namespace encore::kiosk::imaging {

using JpegBytes = std::span<const std::byte>;

inline constexpr int max_order_code_length = 32;
inline constexpr int default_thumbnail_side = 480;

// Draws the print: background, the layout's images, each photo decoded at the
// smallest DCT scale that covers its slot, turned upright from its EXIF orientation
// and resampled into the slot, the layout's texts, the QR code of `qr_url` and
// `order_code` (with the layout's prefix). `photos` must have one JPEG per slot, in
// slot order. An error's message starts with the part that failed ("photo 2: ...",
// "QR code: ...").
Result<Image> render_print(const Layout& layout, std::span<const JpegBytes> photos,
                           std::string_view order_code, std::string_view qr_url);

// render_print, then JPEG-encodes the print (quality 92, 4:4:4 by default: see
// print_encoding in jpeg.hpp).
Result<std::vector<std::byte>> compose_print(const Layout& layout,
                                             std::span<const JpegBytes> photos,
                                             std::string_view order_code, std::string_view qr_url,
                                             const JpegEncoding& encoding = print_encoding);
Result<std::vector<std::byte>> compose_print(const Layout& layout,
                                             const std::vector<std::vector<std::byte>>& photos,
                                             std::string_view order_code, std::string_view qr_url,
                                             const JpegEncoding& encoding = print_encoding);

// A smaller upright copy of a JPEG (a photo or a composed print) for the screen and
// the hub: the longest side becomes `max_side` (never enlarged), EXIF orientation
// applied, quality 80 and 4:2:0 by default.
Result<std::vector<std::byte>> make_thumbnail(std::span<const std::byte> jpeg,
                                              int max_side = default_thumbnail_side,
                                              const JpegEncoding& encoding = thumbnail_encoding);

} // namespace encore::kiosk::imaging
