#pragma once

#include "kiosk/imaging/error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace encore::kiosk::imaging {

// The EXIF Orientation tag (0x0112): how the stored pixels must be turned to be shown
// upright. The values are those of the tag.
enum class Orientation : std::uint8_t {
    normal = 1,
    mirror_horizontal = 2,
    rotate_180 = 3,
    mirror_vertical = 4,
    // Mirrored along the top-left to bottom-right diagonal.
    transpose = 5,
    // The stored image must be turned 90 degrees clockwise to be upright (a camera
    // held with its grip up).
    rotate_90_cw = 6,
    // Mirrored along the top-right to bottom-left diagonal.
    transverse = 7,
    rotate_270_cw = 8,
};

// True for orientations 5..8, where the upright image is the stored one with width and
// height exchanged.
constexpr bool swaps_axes(Orientation orientation) {
    return static_cast<int>(orientation) >= 5;
}

// Reads the Orientation of IFD0 from the first APP1 "Exif" segment of a JPEG (both
// TIFF byte orders). A JPEG without EXIF, or EXIF without the tag, is `normal`.
// Walks the JPEG's segments up to the start of scan with bounds checks on every
// length and offset: a truncated segment is corrupt_jpeg, a malformed EXIF block
// (bad byte order mark, IFD outside the block, a wrong tag type, a value outside
// 1..8) is corrupt_exif. Never reads outside `jpeg`.
Result<Orientation> read_exif_orientation(std::span<const std::byte> jpeg);

// Parses the TIFF structure of an EXIF block (the bytes after "Exif\0\0") alone.
Result<Orientation> parse_exif_orientation(std::span<const std::byte> tiff);

} // namespace encore::kiosk::imaging
