#include "kiosk/imaging/image.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

namespace encore::kiosk::imaging {

Result<void> check_dimensions(int width, int height, std::string_view what) {
    if (width <= 0 || height <= 0) {
        return Error{Errc::invalid_argument, std::string(what) + " has no pixels (" +
                                                 std::to_string(width) + "x" +
                                                 std::to_string(height) + ")"};
    }
    if (width > max_image_dimension || height > max_image_dimension ||
        static_cast<std::int64_t>(width) * height > max_image_pixels) {
        return Error{Errc::image_too_large,
                     std::string(what) + " is " + std::to_string(width) + "x" +
                         std::to_string(height) + " pixels; the limit is " +
                         std::to_string(max_image_dimension) + " pixels a side and " +
                         std::to_string(max_image_pixels / 1'000'000) + " megapixels"};
    }
    return {};
}

Image::Image(std::unique_ptr<std::uint8_t[]> pixels, int width, int height)
    : pixels_(std::move(pixels))
    , width_(width)
    , height_(height) {}

Result<Image> Image::create(int width, int height) {
    if (auto checked = check_dimensions(width, height, "image"); !checked) {
        return checked.error();
    }
    const auto bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3;
    // Not value-initialised: the pages of a 10 MB buffer are only touched when written.
    std::unique_ptr<std::uint8_t[]> pixels(new (std::nothrow) std::uint8_t[bytes]);
    if (!pixels) {
        return Error{Errc::out_of_memory, "cannot allocate " + std::to_string(bytes / 1024) +
                                              " KiB for a " + std::to_string(width) + "x" +
                                              std::to_string(height) + " image"};
    }
    return Image(std::move(pixels), width, height);
}

Result<Image> Image::filled(int width, int height, Rgb colour) {
    auto image = create(width, height);
    if (image) {
        image->fill(image->bounds(), colour);
    }
    return image;
}

void Image::fill(Rect area, Rgb colour) {
    const int x0 = std::max(area.x, 0);
    const int y0 = std::max(area.y, 0);
    const int x1 = std::min(area.right(), width_);
    const int y1 = std::min(area.bottom(), height_);
    if (x0 >= x1 || y0 >= y1) {
        return;
    }
    const auto span = static_cast<std::size_t>(x1 - x0) * 3;
    // Fill the first row pixel by pixel, then copy it to the others.
    std::uint8_t* first = row(y0) + static_cast<std::ptrdiff_t>(x0) * 3;
    for (std::size_t i = 0; i < span; i += 3) {
        first[i] = colour.r;
        first[i + 1] = colour.g;
        first[i + 2] = colour.b;
    }
    for (int y = y0 + 1; y < y1; ++y) {
        std::memcpy(row(y) + static_cast<std::ptrdiff_t>(x0) * 3, first, span);
    }
}

} // namespace encore::kiosk::imaging
