#include "kiosk/imaging/jpeg.hpp"
#include "tests/unit/imaging/test_images.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>

using namespace encore::kiosk::imaging;
using namespace encore::kiosk::imaging::testing;

TEST_CASE("the decode scale is the smallest that still covers the slot") {
    // A 24 MP capture for a 4x6 slot: 3/8 gives 2250x1500, 1/4 would give 1500x1000.
    CHECK(choose_decode_scale({6000, 4000}, {1800, 1200}) == ScaleFactor{3, 8});
    CHECK(choose_decode_scale({6000, 4000}, {1800, 1200}).value() <= 0.5);
    CHECK(choose_decode_scale({6000, 4000}, {1500, 1000}) == ScaleFactor{1, 4});
    CHECK(choose_decode_scale({6000, 4000}, {1501, 1000}) == ScaleFactor{3, 8});
    CHECK(choose_decode_scale({6000, 4000}, {3000, 2000}) == ScaleFactor{1, 2});
    CHECK(choose_decode_scale({6000, 4000}, {3000, 2400}) == ScaleFactor{5, 8});
    CHECK(choose_decode_scale({6000, 4000}, {480, 320}) == ScaleFactor{1, 8});
    CHECK(choose_decode_scale({6000, 4000}, {0, 0}) == ScaleFactor{1, 8});
    // Larger than the JPEG: full size, the resampler enlarges.
    CHECK(choose_decode_scale({640, 480}, {1800, 1200}) == ScaleFactor{1, 1});
    // The decoder rounds scaled sizes up.
    CHECK(ScaleFactor{3, 8}.apply(6001) == 2251);
}

TEST_CASE("a 24 MP JPEG for an 1800x1200 slot decodes at 3/8, never at full size") {
    // Grey keeps the 24 MP test image small in memory (24 MB) and the JPEG tiny.
    const auto gradient = make_image(6000, 4000, [](int x, int y) {
        const auto v = static_cast<std::uint8_t>((x / 24 + y / 16) & 0xFF);
        return Rgb{v, v, v};
    });
    const auto jpeg = make_jpeg(gradient, 90, Subsampling::gray);

    const auto info = read_jpeg_info(jpeg);
    REQUIRE(info.has_value());
    CHECK(info->width == 6000);
    CHECK(info->height == 4000);

    const auto decoded = decode_jpeg(jpeg, {1800, 1200});
    REQUIRE(decoded.has_value());
    CHECK(decoded->scale == ScaleFactor{3, 8});
    CHECK(decoded->pixels.width() == 2250);
    CHECK(decoded->pixels.height() == 1500);
    CHECK(decoded->source_size == Size{6000, 4000});
    CHECK(decoded->pixels.width() * 2 <= 6000);
}

TEST_CASE("the decode request is in upright terms: a portrait EXIF swaps it") {
    const auto stored = make_jpeg(Image::filled(1600, 1200, {10, 20, 30}).value());
    const auto rotated = with_exif(stored, orientation_tiff(6, true));
    // Upright the photo is 1200x1600; a 600x800 upright slot needs 800x600 stored: 1/2.
    const auto decoded = decode_jpeg(rotated, {600, 800});
    REQUIRE(decoded.has_value());
    CHECK(decoded->orientation == Orientation::rotate_90_cw);
    CHECK(decoded->scale == ScaleFactor{1, 2});
    CHECK(decoded->pixels.size() == Size{800, 600});
    CHECK(decoded->upright_size() == Size{600, 800});
}

TEST_CASE("encode then decode keeps the size and the colours") {
    const auto image = make_image(300, 200, [](int x, int) {
        return x < 150 ? Rgb{220, 30, 40} : Rgb{20, 60, 200};
    });
    for (const auto encoding :
         {print_encoding, thumbnail_encoding, JpegEncoding{75, ChromaSubsampling::horizontal}}) {
        const auto jpeg = encode_jpeg(image, encoding);
        REQUIRE(jpeg.has_value());
        const auto decoded = decode_jpeg(*jpeg, {300, 200});
        REQUIRE(decoded.has_value());
        CHECK(decoded->pixels.size() == Size{300, 200});
        const auto left = decoded->pixels.pixel(40, 100);
        const auto right = decoded->pixels.pixel(260, 100);
        CHECK(left.r > 190);
        CHECK(left.b < 80);
        CHECK(right.b > 170);
        CHECK(right.r < 60);
    }
}

TEST_CASE("encoding rejects a bad quality") {
    const auto image = Image::filled(8, 8, {}).value();
    const auto jpeg = encode_jpeg(image, {0, ChromaSubsampling::none});
    REQUIRE(jpeg.has_error());
    CHECK(jpeg.error().code == Errc::invalid_argument);
}

TEST_CASE("garbage is an error, not a crash") {
    std::mt19937 random(7);
    for (int round = 0; round < 50; ++round) {
        std::vector<std::byte> garbage(static_cast<std::size_t>(random() % 4096));
        for (auto& b : garbage) {
            b = static_cast<std::byte>(random());
        }
        if (round % 2 == 0 && garbage.size() >= 2) {
            garbage[0] = std::byte{0xFF}; // Past the SOI check, into the segment walk.
            garbage[1] = std::byte{0xD8};
        }
        const auto decoded = decode_jpeg(garbage, {100, 100});
        REQUIRE(decoded.has_error());
        CHECK(!decoded.error().message.empty());
    }
    const auto text = decode_jpeg(to_bytes("hello, this is not a JPEG"), {10, 10});
    REQUIRE(text.has_error());
    CHECK(text.error().code == Errc::not_a_jpeg);
}

TEST_CASE("every truncation of a JPEG is an error") {
    const auto image = make_image(64, 48, [](int x, int y) {
        return Rgb{static_cast<std::uint8_t>(x * 4), static_cast<std::uint8_t>(y * 5), 90};
    });
    const auto jpeg =
        with_exif(make_jpeg(image, 90, Subsampling::s420), orientation_tiff(3, false));
    REQUIRE(decode_jpeg(jpeg, {64, 48}).has_value());
    // The last two bytes are EOI; libjpeg-turbo tolerates a missing EOI silently only
    // when the scan is complete, so stop before the scan data ends.
    for (std::size_t length = 0; length + 2 < jpeg.size(); ++length) {
        CAPTURE(length);
        const std::vector<std::byte> prefix(jpeg.begin(),
                                            jpeg.begin() + static_cast<std::ptrdiff_t>(length));
        const auto decoded = decode_jpeg(prefix, {64, 48});
        REQUIRE(decoded.has_error());
        CHECK(!decoded.error().message.empty());
    }
}

TEST_CASE("a truncated JPEG's error says what happened") {
    const auto jpeg = make_jpeg(make_image(256, 256, [](int x, int y) {
        return Rgb{static_cast<std::uint8_t>(x ^ y), static_cast<std::uint8_t>(x), 40};
    }));
    const std::vector<std::byte> half(jpeg.begin(),
                                      jpeg.begin() + static_cast<std::ptrdiff_t>(jpeg.size() / 2));
    const auto decoded = decode_jpeg(half, {256, 256});
    REQUIRE(decoded.has_error());
    CHECK(decoded.error().code == Errc::corrupt_jpeg);
    CHECK(decoded.error().message.find("Premature end of JPEG file") != std::string::npos);
}

TEST_CASE("corrupt scan data is an error or a picture, never a crash") {
    const auto image = make_image(128, 96, [](int x, int y) {
        return Rgb{static_cast<std::uint8_t>(x * 2), static_cast<std::uint8_t>(y * 2), 128};
    });
    const auto jpeg = make_jpeg(image, 85, Subsampling::s420);
    std::mt19937 random(11);
    for (int round = 0; round < 200; ++round) {
        auto corrupted = jpeg;
        for (int flips = 0; flips < 4; ++flips) {
            corrupted[random() % corrupted.size()] = static_cast<std::byte>(random());
        }
        const auto decoded = decode_jpeg(corrupted, {128, 96});
        if (decoded) {
            CHECK(decoded->pixels.width() > 0);
        } else {
            CHECK(!decoded.error().message.empty());
        }
    }
}

TEST_CASE("a header claiming a huge image is refused before any allocation") {
    auto jpeg = solid_jpeg(16, 16, {1, 2, 3});
    // Find SOF0 (FF C0) and write 60000 x 60000 into it.
    for (std::size_t i = 2; i + 8 < jpeg.size(); ++i) {
        if (jpeg[i] == std::byte{0xFF} && jpeg[i + 1] == std::byte{0xC0}) {
            jpeg[i + 5] = std::byte{0xEA};
            jpeg[i + 6] = std::byte{0x60};
            jpeg[i + 7] = std::byte{0xEA};
            jpeg[i + 8] = std::byte{0x60};
            break;
        }
    }
    const auto decoded = decode_jpeg(jpeg, {100, 100});
    REQUIRE(decoded.has_error());
    CHECK(decoded.error().code == Errc::image_too_large);
}
