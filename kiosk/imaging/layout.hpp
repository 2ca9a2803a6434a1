#pragma once

#include "kiosk/imaging/bitmap_font.hpp"
#include "kiosk/imaging/image.hpp"
#include "kiosk/imaging/resample.hpp"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>
#include <vector>

// Print layouts, read from JSON templates (see docs/layouts.md). A Layout says where
// everything goes on the print in pixels; it holds no photos and no kiosk state, so
// the hub uses the same layouts for its reprints.
namespace encore::kiosk::imaging {

inline constexpr int min_photo_slots = 1;
inline constexpr int max_photo_slots = 4;

// A JPEG file drawn under the photos: a background, a frame, a logo.
struct ImageItem {
    std::filesystem::path file;
    Rect rect;
    Fit fit = Fit::contain;
};

struct PhotoSlot {
    Rect rect;
    Fit fit = Fit::cover;
};

struct TextItem {
    std::string text;
    Rect rect;
    Rgb colour{0, 0, 0};
    Align align = Align::center;
    // 0: the largest integer scale that fits the rectangle.
    int scale = 0;
};

// Where the order's short code goes; `prefix` is printed before it ("CODE ").
struct CodeSlot {
    Rect rect;
    Rgb colour{0, 0, 0};
    Align align = Align::center;
    int scale = 0;
    std::string prefix;
};

struct Layout {
    std::string name;
    // The print's physical size and resolution, and its size in pixels.
    double width_inches = 0;
    double height_inches = 0;
    int dpi = 300;
    int width = 0;
    int height = 0;
    Rgb background{255, 255, 255};
    // Drawn in this order: background colour, images, photos, texts, QR, code.
    std::vector<ImageItem> images;
    std::vector<PhotoSlot> photos;
    std::vector<TextItem> texts;
    Rect qr;
    CodeSlot code;

    Size size() const { return {width, height}; }
};

// Reads a template. Relative image paths are resolved against `base_directory`.
// Strict: throws platform::config::ConfigError listing every problem, each naming its
// key ("photos[1].width"): unknown keys, wrong types, values out of range, rectangles
// outside the print or overlapping a photo, text the font cannot draw, missing files.
Layout parse_layout(const nlohmann::json& document, const std::filesystem::path& base_directory);

// Reads and parses a template file; image paths are relative to the file's folder.
Layout load_layout(const std::filesystem::path& file);

} // namespace encore::kiosk::imaging
