#include "kiosk/imaging/bitmap_font.hpp"
#include "kiosk/imaging/qr.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace encore::kiosk::imaging;

namespace {

// The bounding box of pixels that are not `background`.
Rect ink_box(const Image& image, Rgb background) {
    int x0 = image.width(), y0 = image.height(), x1 = -1, y1 = -1;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            if (image.pixel(x, y) != background) {
                x0 = std::min(x0, x);
                y0 = std::min(y0, y);
                x1 = std::max(x1, x);
                y1 = std::max(y1, y);
            }
        }
    }
    return x1 < 0 ? Rect{} : Rect{x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

} // namespace

TEST_CASE("text sizes and the largest scale that fits") {
    CHECK(text_size("K7Q-X2M", 1) == Size{41, 7});
    CHECK(text_size("K7Q-X2M", 7) == Size{287, 49});
    CHECK(largest_scale("K7Q-X2M", {288, 60}) == 7);
    CHECK(largest_scale("K7Q-X2M", {40, 60}) == 0);
    CHECK(font_supports("ENCORE 2026: PHOTOS & FUN! (K7Q-X2M) #1 @HOME"));
    CHECK(font_supports("lower case is drawn as capitals"));
    CHECK_FALSE(font_supports("caf\xc3\xa9"));
    CHECK(first_unsupported("AB~C") == '~');
}

TEST_CASE("every glyph is drawn inside its cell, in whole blocks of the scale") {
    const std::string all = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.,:;!?'\"&/#+()@_*=<>%$";
    for (const char character : all) {
        CAPTURE(character);
        auto canvas = Image::filled(60, 60, {255, 255, 255}).value();
        REQUIRE(draw_text(canvas, {10, 10, 30, 42}, std::string(1, character), {0, 0, 0}, 6,
                          Align::left));
        const Rect ink = ink_box(canvas, {255, 255, 255});
        CHECK(ink.width > 0);
        CHECK(Rect{10, 10, 30, 42}.contains(ink));
        // Scale 6: every run of ink starts and ends on the 6-pixel grid of the cell.
        CHECK((ink.x - 10) % 6 == 0);
        CHECK((ink.y - 10) % 6 == 0);
        CHECK(ink.width % 6 == 0);
        CHECK(ink.height % 6 == 0);
    }
}

TEST_CASE("glyphs are distinct") {
    const std::string all = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.,:;!?'\"&/#+()@_*=<>%$";
    std::vector<std::string> seen;
    for (const char character : all) {
        auto canvas = Image::filled(5, 7, {255, 255, 255}).value();
        REQUIRE(
            draw_text(canvas, {0, 0, 5, 7}, std::string(1, character), {0, 0, 0}, 1, Align::left));
        std::string bits;
        for (int y = 0; y < 7; ++y) {
            for (int x = 0; x < 5; ++x) {
                bits += canvas.pixel(x, y).r == 0 ? '#' : '.';
            }
        }
        CAPTURE(character);
        CHECK(std::find(seen.begin(), seen.end(), bits) == seen.end());
        seen.push_back(bits);
    }
}

TEST_CASE("text is aligned and centred vertically in its box") {
    auto canvas = Image::filled(400, 100, {255, 255, 255}).value();
    REQUIRE(draw_text(canvas, {0, 0, 400, 100}, "HH", {0, 0, 0}, 0, Align::center));
    // "HH" is 11 units wide, 7 high: scale min(400/11, 100/7) = 14, 154x98.
    const Rect ink = ink_box(canvas, {255, 255, 255});
    CHECK(ink == Rect{123, 1, 154, 98});

    auto right = Image::filled(400, 100, {255, 255, 255}).value();
    REQUIRE(draw_text(right, {0, 0, 400, 100}, "HH", {0, 0, 0}, 2, Align::right));
    CHECK(ink_box(right, {255, 255, 255}).right() == 400);
}

TEST_CASE("text that does not fit or has no glyph is an error") {
    auto canvas = Image::filled(100, 20, {255, 255, 255}).value();
    const auto too_big = draw_text(canvas, {0, 0, 100, 20}, "K7Q-X2M", {}, 3, Align::left);
    REQUIRE(too_big.has_error());
    CHECK(too_big.error().message.find("does not fit") != std::string::npos);
    const auto unknown = draw_text(canvas, {0, 0, 100, 20}, "A~", {}, 1, Align::left);
    REQUIRE(unknown.has_error());
    CHECK(unknown.error().message.find("'~'") != std::string::npos);
}

TEST_CASE("the QR code has a white quiet zone of 4 modules and whole-pixel modules") {
    auto canvas = Image::filled(300, 300, {200, 50, 50}).value();
    const std::string url = "https://photos.example.com/o/K7QX2M?t=3q2-7wZ9kR_mVx0Lp4sA1Q";
    const auto placement = draw_qr(canvas, {20, 20, 260, 260}, url);
    REQUIRE(placement.has_value());
    CHECK(placement->modules >= 21);
    CHECK((placement->modules - 17) % 4 == 0); // 21, 25, 29, ... modules a side
    const int side = placement->modules + 2 * qr_quiet_zone_modules;
    CHECK(placement->module_pixels == 260 / side);
    CHECK(placement->area.width == side * placement->module_pixels);
    // Centred in the slot.
    CHECK(placement->area.x == 20 + (260 - placement->area.width) / 2);

    const int m = placement->module_pixels;
    const int quiet = qr_quiet_zone_modules * m;
    // The quiet zone is white all round.
    for (int i = 0; i < placement->area.width; ++i) {
        for (int d = 0; d < quiet; ++d) {
            CHECK(canvas.pixel(placement->area.x + i, placement->area.y + d) == Rgb{255, 255, 255});
            CHECK(canvas.pixel(placement->area.x + d, placement->area.y + i) == Rgb{255, 255, 255});
        }
    }
    // The top-left finder pattern: a dark ring 7 modules wide, then a light ring, then
    // a dark 3x3 centre; each module a solid m x m block.
    const int ox = placement->area.x + quiet;
    const int oy = placement->area.y + quiet;
    const auto module_colour = [&](int column, int row) {
        const Rgb first = canvas.pixel(ox + column * m, oy + row * m);
        for (int dy = 0; dy < m; ++dy) {
            for (int dx = 0; dx < m; ++dx) {
                REQUIRE(canvas.pixel(ox + column * m + dx, oy + row * m + dy) == first);
            }
        }
        return first;
    };
    for (int row = 0; row < 7; ++row) {
        for (int column = 0; column < 7; ++column) {
            const bool ring = row == 0 || row == 6 || column == 0 || column == 6;
            const bool centre = row >= 2 && row <= 4 && column >= 2 && column <= 4;
            CHECK(module_colour(column, row) ==
                  (ring || centre ? Rgb{0, 0, 0} : Rgb{255, 255, 255}));
        }
    }
    // Outside the drawn square the canvas is untouched.
    CHECK(canvas.pixel(5, 5) == Rgb{200, 50, 50});
}

TEST_CASE("a QR slot too small for the URL is an error that says how much room it needs") {
    auto canvas = Image::filled(300, 300, {255, 255, 255}).value();
    const std::string url(300, 'x');
    const auto placement = draw_qr(canvas, {0, 0, 60, 60}, url);
    REQUIRE(placement.has_error());
    CHECK(placement.error().code == Errc::qr_failed);
    CHECK(placement.error().message.find("too small") != std::string::npos);

    const auto too_long = draw_qr(canvas, {0, 0, 300, 300}, std::string(5000, 'y'));
    REQUIRE(too_long.has_error());
    CHECK(too_long.error().message.find("too long") != std::string::npos);
}
