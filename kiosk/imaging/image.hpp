#pragma once

#include "kiosk/imaging/error.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace encore::kiosk::imaging {

// Limits that keep a hostile or broken header (65535 x 65535) from asking for
// gigabytes. A 100 MP medium-format photo is 11648 x 8736.
inline constexpr int max_image_dimension = 20000;
inline constexpr std::int64_t max_image_pixels = 150'000'000;

struct Rgb {
    std::uint8_t r = 0;
    std::uint8_t g = 0;
    std::uint8_t b = 0;

    friend bool operator==(const Rgb&, const Rgb&) = default;
};

struct Size {
    int width = 0;
    int height = 0;

    friend bool operator==(const Size&, const Size&) = default;
};

// A rectangle of pixels: x, y of the top-left corner, width and height.
struct Rect {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;

    int right() const { return x + width; }
    int bottom() const { return y + height; }
    bool empty() const { return width <= 0 || height <= 0; }
    bool contains(const Rect& other) const {
        return other.x >= x && other.y >= y && other.right() <= right() &&
               other.bottom() <= bottom();
    }
    bool intersects(const Rect& other) const {
        return other.x < right() && x < other.right() && other.y < bottom() && y < other.bottom();
    }

    friend bool operator==(const Rect&, const Rect&) = default;
};

// An 8-bit RGB image, rows top to bottom, pixels packed R, G, B with no row padding.
// Owns its pixels; movable, not copyable (copies of 10 MB buffers should be visible).
class Image {
public:
    // An image whose pixels are not initialised (the decoder writes every byte).
    // Fails with image_too_large above the limits and out_of_memory when allocation fails.
    static Result<Image> create(int width, int height);
    // An image filled with one colour.
    static Result<Image> filled(int width, int height, Rgb colour);

    Image() = default;
    Image(Image&&) noexcept = default;
    Image& operator=(Image&&) noexcept = default;
    Image(const Image&) = delete;
    Image& operator=(const Image&) = delete;

    int width() const { return width_; }
    int height() const { return height_; }
    Size size() const { return {width_, height_}; }
    Rect bounds() const { return {0, 0, width_, height_}; }
    // Bytes from one row to the next (width * 3).
    std::ptrdiff_t stride() const { return static_cast<std::ptrdiff_t>(width_) * 3; }
    std::size_t byte_size() const { return static_cast<std::size_t>(stride()) * height_; }

    std::uint8_t* data() { return pixels_.get(); }
    const std::uint8_t* data() const { return pixels_.get(); }
    std::uint8_t* row(int y) { return pixels_.get() + y * stride(); }
    const std::uint8_t* row(int y) const { return pixels_.get() + y * stride(); }

    // Unchecked accessors; x and y must lie inside the image.
    Rgb pixel(int x, int y) const {
        const auto* p = row(y) + static_cast<std::ptrdiff_t>(x) * 3;
        return {p[0], p[1], p[2]};
    }
    void set_pixel(int x, int y, Rgb colour) {
        auto* p = row(y) + static_cast<std::ptrdiff_t>(x) * 3;
        p[0] = colour.r;
        p[1] = colour.g;
        p[2] = colour.b;
    }

    // Fills the part of `area` that lies inside the image.
    void fill(Rect area, Rgb colour);

private:
    Image(std::unique_ptr<std::uint8_t[]> pixels, int width, int height);

    std::unique_ptr<std::uint8_t[]> pixels_;
    int width_ = 0;
    int height_ = 0;
};

// Checks width and height against the limits; the error names `what` ("photo").
Result<void> check_dimensions(int width, int height, std::string_view what);

} // namespace encore::kiosk::imaging
