#pragma once

#include "kiosk/imaging/error.hpp"
#include "kiosk/imaging/exif.hpp"
#include "kiosk/imaging/image.hpp"

#include <cstddef>
#include <span>
#include <vector>

// JPEG decoding and encoding with libjpeg-turbo. Decoding happens at the smallest DCT
// scale that still covers the size the caller needs, so a 24 MP capture meant for an
// 1800x1200 slot is decoded at 3/8 (2250x1500) and never at full size.
namespace encore::kiosk::imaging {

// A scaling factor of libjpeg-turbo's decoder: num/denom, one of 1/8, 1/4, 3/8, 1/2,
// 5/8, 3/4, 7/8, 1/1.
struct ScaleFactor {
    int num = 1;
    int denom = 1;

    // The scaled size of one dimension, rounded up as the decoder does.
    int apply(int dimension) const { return (dimension * num + denom - 1) / denom; }
    double value() const { return static_cast<double>(num) / denom; }

    friend bool operator==(const ScaleFactor&, const ScaleFactor&) = default;
};

// What read_jpeg_info learns from the headers alone.
struct JpegInfo {
    // As stored, before the orientation is applied.
    int width = 0;
    int height = 0;
    Orientation orientation = Orientation::normal;

    // As shown upright.
    Size upright_size() const {
        return swaps_axes(orientation) ? Size{height, width} : Size{width, height};
    }
};

// Reads the size (SOF) and the EXIF orientation without decoding any pixels.
Result<JpegInfo> read_jpeg_info(std::span<const std::byte> jpeg);

// The smallest factor whose output is at least `needed` in both dimensions (both
// sizes as stored); 1/1 when even the full size is smaller (the resampler then
// enlarges). Never above 1/1.
ScaleFactor choose_decode_scale(Size stored, Size needed);

struct DecodedJpeg {
    // The pixels at `scale`, as stored: the orientation is not applied here but by
    // whoever draws them (draw_image), which saves a rotated copy.
    Image pixels;
    Orientation orientation = Orientation::normal;
    ScaleFactor scale;
    // The full size of the JPEG, as stored.
    Size source_size;

    Size upright_size() const {
        return swaps_axes(orientation) ? Size{pixels.height(), pixels.width()} : pixels.size();
    }
};

// Decodes to RGB at the smallest scale whose upright size is at least `needed_upright`
// in both dimensions (a zero size decodes at 1/8 or the smallest scale possible;
// use {width, height} of the JPEG for full size). A truncated or corrupt JPEG, even one
// libjpeg would decode with a warning, is an error.
Result<DecodedJpeg> decode_jpeg(std::span<const std::byte> jpeg, Size needed_upright);

enum class ChromaSubsampling {
    // Full colour resolution (4:4:4).
    none,
    // Colour at half horizontal resolution (4:2:2), as most cameras write.
    horizontal,
    // Colour at half resolution in both directions (4:2:0).
    both,
};

struct JpegEncoding {
    int quality = 92; // 1..100
    ChromaSubsampling subsampling = ChromaSubsampling::none;
};

// Prints go to a dye-sublimation printer at 300 dpi: quality 92 and 4:4:4, because the
// print carries a QR code and bitmap text with hard, saturated colour edges that 4:2:0
// would blur and fringe. The cost is small: a 4x6 print is about 25% larger (0.44 vs
// 0.36 MB) and takes about 5 ms more to encode, on the local path to the printer.
inline constexpr JpegEncoding print_encoding{92, ChromaSubsampling::none};
// Thumbnails are for screens and phones, where size matters and 4:2:0 is invisible.
inline constexpr JpegEncoding thumbnail_encoding{80, ChromaSubsampling::both};

Result<std::vector<std::byte>> encode_jpeg(const Image& image, const JpegEncoding& encoding);

} // namespace encore::kiosk::imaging
