#include "kiosk/imaging/resample.hpp"
#include "tests/unit/imaging/test_images.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace encore::kiosk::imaging;
using namespace encore::kiosk::imaging::testing;

TEST_CASE("fitted sizes for cover and contain") {
    CHECK(fitted_size({6000, 4000}, {1800, 1200}, Fit::cover) == Size{1800, 1200});
    CHECK(fitted_size({6000, 4000}, {1800, 1200}, Fit::contain) == Size{1800, 1200});
    CHECK(fitted_size({6000, 4000}, {600, 600}, Fit::cover) == Size{900, 600});
    CHECK(fitted_size({6000, 4000}, {600, 600}, Fit::contain) == Size{600, 400});
    CHECK(fitted_size({4000, 6000}, {1800, 1200}, Fit::cover) == Size{1800, 2700});
    CHECK(fitted_size({100, 50}, {1000, 1000}, Fit::contain) == Size{1000, 500});
}

TEST_CASE("a flat colour stays exactly flat after shrinking and enlarging") {
    const Rgb red{200, 16, 32};
    const auto source = Image::filled(333, 217, red).value();
    for (const Size size : {Size{100, 80}, Size{333, 217}, Size{900, 700}, Size{1, 1}}) {
        CAPTURE(size.width);
        auto canvas = Image::filled(size.width, size.height, {0, 0, 0}).value();
        REQUIRE(draw_image(canvas, canvas.bounds(), source, Orientation::normal, Fit::cover)
                    .has_value());
        for (int y = 0; y < size.height; y += std::max(1, size.height / 7)) {
            for (int x = 0; x < size.width; x += std::max(1, size.width / 7)) {
                CHECK(canvas.pixel(x, y) == red);
            }
        }
    }
}

TEST_CASE("cover crops the overflow evenly on both sides") {
    // 300x100 source: left third blue, middle green, right third red. Into a square
    // slot, cover shows only the middle third.
    const auto source = make_image(300, 100, [](int x, int) {
        return x < 100 ? Rgb{0, 0, 255} : x < 200 ? Rgb{0, 255, 0} : Rgb{255, 0, 0};
    });
    auto canvas = Image::filled(90, 90, {0, 0, 0}).value();
    REQUIRE(draw_image(canvas, canvas.bounds(), source, Orientation::normal, Fit::cover));
    const auto mean = mean_colour(canvas, {10, 10, 70, 70});
    CHECK(mean.g > 250);
    CHECK(mean.r < 5);
    CHECK(mean.b < 5);
    // Edge columns are the very border of the green band, still green.
    CHECK(canvas.pixel(0, 45).g > 200);
    CHECK(canvas.pixel(89, 45).g > 200);
}

TEST_CASE("contain letterboxes, centred, and leaves the rest of the slot alone") {
    const auto source = Image::filled(200, 100, {255, 255, 255}).value();
    auto canvas = Image::filled(120, 120, {0, 0, 0}).value();
    REQUIRE(draw_image(canvas, canvas.bounds(), source, Orientation::normal, Fit::contain));
    // 120x60 centred: rows 30..89 white, the rest black.
    CHECK(canvas.pixel(60, 10) == Rgb{0, 0, 0});
    CHECK(canvas.pixel(60, 29) == Rgb{0, 0, 0});
    CHECK(canvas.pixel(60, 30) == Rgb{255, 255, 255});
    CHECK(canvas.pixel(60, 89) == Rgb{255, 255, 255});
    CHECK(canvas.pixel(60, 90) == Rgb{0, 0, 0});
    CHECK(canvas.pixel(0, 60) == Rgb{255, 255, 255});
    CHECK(canvas.pixel(119, 60) == Rgb{255, 255, 255});
}

TEST_CASE("shrinking averages fine detail instead of aliasing") {
    // One-pixel black and white stripes shrunk 5.5x must come out mid-grey, not as a
    // moire of black and white (what nearest-neighbour or an unfiltered kernel gives).
    const auto stripes = make_image(550, 550, [](int x, int) {
        return x % 2 == 0 ? Rgb{0, 0, 0} : Rgb{255, 255, 255};
    });
    auto canvas = Image::filled(100, 100, {0, 0, 0}).value();
    REQUIRE(draw_image(canvas, canvas.bounds(), stripes, Orientation::normal, Fit::cover));
    for (int x = 0; x < 100; ++x) {
        const auto value = canvas.pixel(x, 50).g;
        CHECK(value > 110);
        CHECK(value < 145);
    }
}

TEST_CASE("a gradient stays smooth and in order") {
    const auto ramp = make_image(256, 10, [](int x, int) {
        const auto v = static_cast<std::uint8_t>(x);
        return Rgb{v, v, v};
    });
    auto canvas = Image::filled(1000, 40, {0, 0, 0}).value();
    REQUIRE(draw_image(canvas, canvas.bounds(), ramp, Orientation::normal, Fit::contain));
    // Enlarged 3.9x: each output value is close to the source value at that place.
    for (int x = 20; x < 980; x += 10) {
        const double expected = (x + 0.5) * 256.0 / 1000.0 - 0.5;
        CHECK(std::abs(canvas.pixel(x, 20).r - expected) < 1.5);
    }
}

TEST_CASE("a target outside the canvas is an error") {
    const auto source = Image::filled(10, 10, {}).value();
    auto canvas = Image::filled(50, 50, {}).value();
    const auto drawn =
        draw_image(canvas, {40, 40, 20, 20}, source, Orientation::normal, Fit::cover);
    REQUIRE(drawn.has_error());
    CHECK(drawn.error().code == Errc::invalid_argument);
}
