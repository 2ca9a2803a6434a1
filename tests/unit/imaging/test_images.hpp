#pragma once

#include "kiosk/imaging/image.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

// Test images made in the tests themselves: pixels from a function, JPEGs made with
// libjpeg-turbo directly (not through the code under test), EXIF blocks assembled by
// hand.
namespace encore::kiosk::imaging::testing {

Image make_image(int width, int height, const std::function<Rgb(int x, int y)>& colour_at);

enum class Subsampling { s444, s422, s420, gray };

// Encodes with tjCompress2.
std::vector<std::byte> make_jpeg(const Image& image, int quality = 95,
                                 Subsampling subsampling = Subsampling::s444);

// A flat-colour JPEG.
std::vector<std::byte> solid_jpeg(int width, int height, Rgb colour, int quality = 95);

// A TIFF block (what follows "Exif\0\0") whose IFD0 holds `entries` (tag, type,
// count, value) in the given byte order; a trailing IFD offset of 0.
struct IfdEntry {
    std::uint16_t tag;
    std::uint16_t type;
    std::uint32_t count;
    std::uint32_t value;
};
std::vector<std::byte> make_tiff(bool little_endian, const std::vector<IfdEntry>& entries);

// The TIFF block of an EXIF block with only an Orientation entry.
std::vector<std::byte> orientation_tiff(int orientation, bool little_endian);

// Inserts a segment (marker FFxx, then the length, then `payload`) right after SOI.
std::vector<std::byte> insert_segment(const std::vector<std::byte>& jpeg, std::uint8_t marker,
                                      const std::vector<std::byte>& payload);

// Inserts an APP1 "Exif\0\0" segment carrying `tiff`.
std::vector<std::byte> with_exif(const std::vector<std::byte>& jpeg,
                                 const std::vector<std::byte>& tiff);

std::vector<std::byte> to_bytes(std::string_view text);

// The shipped templates (kiosk/imaging/templates).
std::filesystem::path template_directory();

// The mean colour of a rectangle.
struct MeanColour {
    double r = 0;
    double g = 0;
    double b = 0;
};
MeanColour mean_colour(const Image& image, Rect area);

} // namespace encore::kiosk::imaging::testing
