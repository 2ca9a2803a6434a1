#include "jpeg_factory.hpp"

#include <turbojpeg.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace encore::peers {

namespace {

// A small integer hash so that colours look unrelated from one serial to the
// next while staying reproducible.
std::uint32_t mix(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
    std::uint32_t h =
        a * 0x9E3779B1u ^ (b + 0x7F4A7C15u) * 0x85EBCA77u ^ (c + 0x165667B1u) * 0xC2B2AE3Du;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    h *= 0x297A2D39u;
    h ^= h >> 15;
    return h;
}

struct Rgb {
    std::uint8_t r;
    std::uint8_t g;
    std::uint8_t b;
};

void fill_rect(Bytes& pixels, int width, int height, int x0, int y0, int w, int h, Rgb colour) {
    const int x1 = std::min(width, x0 + w);
    const int y1 = std::min(height, y0 + h);
    x0 = std::max(0, x0);
    y0 = std::max(0, y0);
    for (int y = y0; y < y1; ++y) {
        auto* row = pixels.data() + (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                                     static_cast<std::size_t>(x0)) *
                                        3;
        for (int x = x0; x < x1; ++x) {
            *row++ = colour.r;
            *row++ = colour.g;
            *row++ = colour.b;
        }
    }
}

// Draws 32 squares spelling value in binary, most significant bit first,
// framed by a red square on each side so the strip can be found by eye.
void paint_bit_strip(Bytes& pixels, int width, int height, int top, int cell, std::uint32_t value) {
    const int left = cell;
    fill_rect(pixels, width, height, left - cell / 2, top - cell / 4, cell * 34, cell + cell / 2,
              Rgb{128, 128, 128});
    fill_rect(pixels, width, height, left, top, cell, cell, Rgb{255, 0, 0});
    for (int bit = 0; bit < 32; ++bit) {
        const bool set = ((value >> (31 - bit)) & 1u) != 0;
        const auto shade = static_cast<std::uint8_t>(set ? 255 : 0);
        fill_rect(pixels, width, height, left + cell * (bit + 1), top, cell, cell,
                  Rgb{shade, shade, shade});
    }
    fill_rect(pixels, width, height, left + cell * 33, top, cell, cell, Rgb{255, 0, 0});
}

} // namespace

std::unique_ptr<JpegFactory> JpegFactory::create(int quality) {
    void* handle = tjInitCompress();
    if (handle == nullptr) {
        return nullptr;
    }
    return std::unique_ptr<JpegFactory>(new JpegFactory(handle, quality));
}

JpegFactory::JpegFactory(void* handle, int quality)
    : handle_(handle)
    , quality_(quality) {}

JpegFactory::~JpegFactory() {
    tjFree(output_);
    tjDestroy(handle_);
}

Bytes JpegFactory::render_capture(std::uint32_t seed, std::uint32_t serial, int width, int height) {
    paint(seed, serial, width, height);
    return encode(width, height);
}

Bytes JpegFactory::render_preview(std::uint32_t seed, std::uint32_t frame, int width, int height) {
    paint(seed, frame, width, height);
    paint_moving_bar(frame, width, height);
    return encode(width, height);
}

void JpegFactory::paint(std::uint32_t seed, std::uint32_t serial, int width, int height) {
    const auto row_bytes = static_cast<std::size_t>(width) * 3;
    pixels_.resize(row_bytes * static_cast<std::size_t>(height));

    // The gradients: red grows to the right, green downwards, and blue is a
    // per-picture constant so consecutive captures differ at a glance.
    const auto blue = static_cast<std::uint8_t>(mix(seed, serial, 0) & 0xFF);
    Bytes first_row(row_bytes);
    for (int x = 0; x < width; ++x) {
        const auto index = static_cast<std::size_t>(x) * 3;
        first_row[index] = static_cast<std::uint8_t>(width > 1 ? x * 255 / (width - 1) : 0);
        first_row[index + 2] = blue;
    }
    for (int y = 0; y < height; ++y) {
        const auto green = static_cast<std::uint8_t>(height > 1 ? y * 255 / (height - 1) : 0);
        auto* row = pixels_.data() + row_bytes * static_cast<std::size_t>(y);
        std::memcpy(row, first_row.data(), row_bytes);
        for (std::size_t x = 1; x < row_bytes; x += 3) {
            row[x] = green;
        }
    }

    // A 6 x 4 grid of blocks whose colours and sizes depend on seed and serial.
    constexpr int columns = 6;
    constexpr int rows = 4;
    const int cell_w = width / columns;
    const int cell_h = height / rows;
    for (int row = 0; row < rows; ++row) {
        for (int column = 0; column < columns; ++column) {
            const auto h =
                mix(seed, serial, static_cast<std::uint32_t>(1 + row * columns + column));
            const Rgb colour{static_cast<std::uint8_t>(h), static_cast<std::uint8_t>(h >> 8),
                             static_cast<std::uint8_t>(h >> 16)};
            const int percent = 30 + static_cast<int>((h >> 24) % 50);
            const int w = cell_w * percent / 100;
            const int hgt = cell_h * percent / 100;
            fill_rect(pixels_, width, height, column * cell_w + (cell_w - w) / 2,
                      row * cell_h + (cell_h - hgt) / 2, w, hgt, colour);
        }
    }

    // Two strips across the top: the serial, then the seed.
    const int cell = std::max(2, width / 40);
    if (cell * 36 <= width && cell * 5 <= height) {
        paint_bit_strip(pixels_, width, height, cell, cell, serial);
        paint_bit_strip(pixels_, width, height, cell * 3, cell, seed);
    }
}

void JpegFactory::paint_moving_bar(std::uint32_t frame, int width, int height) {
    const int bar = std::max(2, width / 32);
    const int span = std::max(1, width - bar);
    const int x = static_cast<int>((frame * 7u) % static_cast<std::uint32_t>(span));
    fill_rect(pixels_, width, height, x, 0, bar, height, Rgb{255, 255, 255});
}

Bytes JpegFactory::encode(int width, int height) {
    const auto needed = tjBufSize(width, height, TJSAMP_420);
    if (needed > output_capacity_) {
        tjFree(output_);
        output_ = tjAlloc(static_cast<int>(needed));
        output_capacity_ = output_ != nullptr ? needed : 0;
        if (output_ == nullptr) {
            throw std::runtime_error("turbojpeg cannot allocate its output buffer");
        }
    }
    unsigned long size = output_capacity_;
    // NOREALLOC keeps turbojpeg writing into the buffer allocated once above;
    // FASTDCT keeps a 24-megapixel capture well under a second.
    const int result = tjCompress2(handle_, pixels_.data(), width, 0, height, TJPF_RGB, &output_,
                                   &size, TJSAMP_420, quality_, TJFLAG_NOREALLOC | TJFLAG_FASTDCT);
    if (result != 0) {
        throw std::runtime_error(std::string("turbojpeg cannot encode: ") +
                                 tjGetErrorStr2(handle_));
    }
    return Bytes(output_, output_ + size);
}

} // namespace encore::peers
