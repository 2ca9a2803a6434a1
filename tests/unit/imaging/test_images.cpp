#include "tests/unit/imaging/test_images.hpp"

#include <turbojpeg.h>

#include <stdexcept>

namespace encore::kiosk::imaging::testing {

Image make_image(int width, int height, const std::function<Rgb(int x, int y)>& colour_at) {
    auto image = Image::create(width, height).value();
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            image.set_pixel(x, y, colour_at(x, y));
        }
    }
    return image;
}

std::vector<std::byte> make_jpeg(const Image& image, int quality, Subsampling subsampling) {
    tjhandle handle = tjInitCompress();
    unsigned char* output = nullptr;
    unsigned long size = 0;
    const int samp = subsampling == Subsampling::s444   ? TJSAMP_444
                     : subsampling == Subsampling::s422 ? TJSAMP_422
                     : subsampling == Subsampling::s420 ? TJSAMP_420
                                                        : TJSAMP_GRAY;
    const int status =
        tjCompress2(handle, image.data(), image.width(), static_cast<int>(image.stride()),
                    image.height(), TJPF_RGB, &output, &size, samp, quality, 0);
    tjDestroy(handle);
    if (status != 0) {
        tjFree(output);
        throw std::runtime_error("tjCompress2 failed");
    }
    const auto* begin = reinterpret_cast<const std::byte*>(output);
    std::vector<std::byte> jpeg(begin, begin + size);
    tjFree(output);
    return jpeg;
}

std::vector<std::byte> solid_jpeg(int width, int height, Rgb colour, int quality) {
    auto image = Image::filled(width, height, colour).value();
    return make_jpeg(image, quality);
}

namespace {

void put16(std::vector<std::byte>& out, std::uint16_t value, bool little_endian) {
    const auto low = static_cast<std::byte>(value & 0xFF);
    const auto high = static_cast<std::byte>(value >> 8);
    if (little_endian) {
        out.push_back(low);
        out.push_back(high);
    } else {
        out.push_back(high);
        out.push_back(low);
    }
}

void put32(std::vector<std::byte>& out, std::uint32_t value, bool little_endian) {
    if (little_endian) {
        put16(out, static_cast<std::uint16_t>(value & 0xFFFF), true);
        put16(out, static_cast<std::uint16_t>(value >> 16), true);
    } else {
        put16(out, static_cast<std::uint16_t>(value >> 16), false);
        put16(out, static_cast<std::uint16_t>(value & 0xFFFF), false);
    }
}

} // namespace

std::vector<std::byte> make_tiff(bool little_endian, const std::vector<IfdEntry>& entries) {
    std::vector<std::byte> tiff;
    const auto mark = static_cast<std::byte>(little_endian ? 'I' : 'M');
    tiff.push_back(mark);
    tiff.push_back(mark);
    put16(tiff, 42, little_endian);
    put32(tiff, 8, little_endian);
    put16(tiff, static_cast<std::uint16_t>(entries.size()), little_endian);
    for (const auto& entry : entries) {
        put16(tiff, entry.tag, little_endian);
        put16(tiff, entry.type, little_endian);
        put32(tiff, entry.count, little_endian);
        if (entry.type == 3 && entry.count == 1) {
            // A SHORT sits in the first two bytes of the value field.
            put16(tiff, static_cast<std::uint16_t>(entry.value), little_endian);
            put16(tiff, 0, little_endian);
        } else {
            put32(tiff, entry.value, little_endian);
        }
    }
    put32(tiff, 0, little_endian);
    return tiff;
}

std::vector<std::byte> orientation_tiff(int orientation, bool little_endian) {
    // A camera-like IFD0: Make (ASCII, offset), Orientation, XResolution (offset).
    return make_tiff(little_endian, {{0x010F, 2, 6, 0x100},
                                     {0x0112, 3, 1, static_cast<std::uint32_t>(orientation)},
                                     {0x011A, 5, 1, 0x108}});
}

std::vector<std::byte> insert_segment(const std::vector<std::byte>& jpeg, std::uint8_t marker,
                                      const std::vector<std::byte>& payload) {
    std::vector<std::byte> out(jpeg.begin(), jpeg.begin() + 2);
    out.push_back(std::byte{0xFF});
    out.push_back(static_cast<std::byte>(marker));
    put16(out, static_cast<std::uint16_t>(payload.size() + 2), false);
    out.insert(out.end(), payload.begin(), payload.end());
    out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
    return out;
}

std::vector<std::byte> with_exif(const std::vector<std::byte>& jpeg,
                                 const std::vector<std::byte>& tiff) {
    auto payload = to_bytes(std::string_view("Exif\0\0", 6));
    payload.insert(payload.end(), tiff.begin(), tiff.end());
    return insert_segment(jpeg, 0xE1, payload);
}

std::vector<std::byte> to_bytes(std::string_view text) {
    const auto* begin = reinterpret_cast<const std::byte*>(text.data());
    return {begin, begin + text.size()};
}

std::filesystem::path template_directory() {
    return ENCORE_IMAGING_TEMPLATE_DIR;
}

MeanColour mean_colour(const Image& image, Rect area) {
    MeanColour mean;
    for (int y = area.y; y < area.bottom(); ++y) {
        for (int x = area.x; x < area.right(); ++x) {
            const Rgb pixel = image.pixel(x, y);
            mean.r += pixel.r;
            mean.g += pixel.g;
            mean.b += pixel.b;
        }
    }
    const double count = static_cast<double>(area.width) * area.height;
    mean.r /= count;
    mean.g /= count;
    mean.b /= count;
    return mean;
}

} // namespace encore::kiosk::imaging::testing
