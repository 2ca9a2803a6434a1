#include "kiosk/imaging/jpeg.hpp"
#include "kiosk/imaging/resample.hpp"
#include "tests/unit/imaging/test_images.hpp"

#include <doctest/doctest.h>

using namespace encore::kiosk::imaging;
using namespace encore::kiosk::imaging::testing;

namespace {

// The upright scene: a landscape picture with four coloured quadrants.
constexpr int scene_width = 96;
constexpr int scene_height = 64;
constexpr Rgb top_left{230, 20, 20};
constexpr Rgb top_right{20, 200, 20};
constexpr Rgb bottom_left{20, 20, 230};
constexpr Rgb bottom_right{240, 240, 240};

Rgb scene(int x, int y) {
    const bool left = x < scene_width / 2;
    const bool top = y < scene_height / 2;
    return top ? (left ? top_left : top_right) : (left ? bottom_left : bottom_right);
}

// How a camera stores the scene for each EXIF orientation: the inverse of what a viewer
// does to show it. Written from the EXIF definitions of where row 0 and column 0 of the
// stored image lie in the scene, independently of the code under test.
Image stored_for(int orientation) {
    const bool swap = orientation >= 5;
    const int w = swap ? scene_height : scene_width;
    const int h = swap ? scene_width : scene_height;
    return make_image(w, h, [&](int sx, int sy) {
        int x = 0;
        int y = 0;
        switch (orientation) {
        case 1: // row 0 = top, column 0 = left
            x = sx, y = sy;
            break;
        case 2: // row 0 = top, column 0 = right
            x = scene_width - 1 - sx, y = sy;
            break;
        case 3: // row 0 = bottom, column 0 = right
            x = scene_width - 1 - sx, y = scene_height - 1 - sy;
            break;
        case 4: // row 0 = bottom, column 0 = left
            x = sx, y = scene_height - 1 - sy;
            break;
        case 5: // row 0 = left, column 0 = top
            x = sy, y = sx;
            break;
        case 6: // row 0 = right, column 0 = top
            x = scene_width - 1 - sy, y = sx;
            break;
        case 7: // row 0 = right, column 0 = bottom
            x = scene_width - 1 - sy, y = scene_height - 1 - sx;
            break;
        case 8: // row 0 = left, column 0 = bottom
            x = sy, y = scene_height - 1 - sx;
            break;
        default:
            break;
        }
        return scene(x, y);
    });
}

void check_near(Rgb actual, Rgb expected) {
    CHECK(std::abs(actual.r - expected.r) < 40);
    CHECK(std::abs(actual.g - expected.g) < 40);
    CHECK(std::abs(actual.b - expected.b) < 40);
}

} // namespace

TEST_CASE("every EXIF orientation 1..8 is drawn upright") {
    for (const bool little_endian : {true, false}) {
        for (int orientation = 1; orientation <= 8; ++orientation) {
            CAPTURE(orientation);
            CAPTURE(little_endian);
            const auto jpeg = with_exif(make_jpeg(stored_for(orientation), 95),
                                        orientation_tiff(orientation, little_endian));
            const auto decoded = decode_jpeg(jpeg, {scene_width, scene_height});
            REQUIRE(decoded.has_value());
            CHECK(static_cast<int>(decoded->orientation) == orientation);
            CHECK(decoded->upright_size() == Size{scene_width, scene_height});

            // Drawn at twice the size into a canvas with a margin.
            auto canvas =
                Image::filled(2 * scene_width + 20, 2 * scene_height + 20, {0, 0, 0}).value();
            const Rect slot{10, 10, 2 * scene_width, 2 * scene_height};
            REQUIRE(draw_image(canvas, slot, decoded->pixels, decoded->orientation, Fit::cover)
                        .has_value());
            const int qx = scene_width / 2;
            const int qy = scene_height / 2;
            check_near(canvas.pixel(slot.x + qx, slot.y + qy), top_left);
            check_near(canvas.pixel(slot.x + 3 * qx, slot.y + qy), top_right);
            check_near(canvas.pixel(slot.x + qx, slot.y + 3 * qy), bottom_left);
            check_near(canvas.pixel(slot.x + 3 * qx, slot.y + 3 * qy), bottom_right);
            // The margin is untouched.
            CHECK(canvas.pixel(5, 5) == Rgb{0, 0, 0});
            CHECK(canvas.pixel(canvas.width() - 5, canvas.height() - 5) == Rgb{0, 0, 0});
        }
    }
}

TEST_CASE("orientation with contain: a turned photo is letterboxed upright in a square") {
    for (int orientation = 1; orientation <= 8; ++orientation) {
        CAPTURE(orientation);
        const auto jpeg = with_exif(make_jpeg(stored_for(orientation), 95),
                                    orientation_tiff(orientation, orientation % 2 == 0));
        const auto decoded = decode_jpeg(jpeg, {scene_width, scene_height});
        REQUIRE(decoded.has_value());
        // A 150x150 square: the upright 96x64 scene becomes 150x100, rows 25..124.
        auto canvas = Image::filled(150, 150, {0, 0, 0}).value();
        REQUIRE(
            draw_image(canvas, canvas.bounds(), decoded->pixels, decoded->orientation, Fit::contain)
                .has_value());
        CHECK(canvas.pixel(75, 10) == Rgb{0, 0, 0});
        CHECK(canvas.pixel(75, 140) == Rgb{0, 0, 0});
        check_near(canvas.pixel(30, 45), top_left);
        check_near(canvas.pixel(120, 45), top_right);
        check_near(canvas.pixel(30, 105), bottom_left);
        check_near(canvas.pixel(120, 105), bottom_right);
    }
}
