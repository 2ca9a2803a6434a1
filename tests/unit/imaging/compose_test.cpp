#include "kiosk/imaging/compose.hpp"
#include "kiosk/imaging/jpeg.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/imaging/test_images.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace encore::kiosk::imaging;
using namespace encore::kiosk::imaging::testing;

namespace {

constexpr const char* qr_url = "https://photos.example.com/o/K7QX2M?t=3q2-7wZ9kR_mVx0Lp4sA1Q";

Layout shipped(const std::string& name) {
    return load_layout(template_directory() / (name + ".json"));
}

std::vector<std::vector<std::byte>> photos_for(const Layout& layout, Rgb colour) {
    return std::vector<std::vector<std::byte>>(layout.photos.size(),
                                               solid_jpeg(1200, 800, colour, 92));
}

Rect inset(const Rect& rect, int by) {
    return {rect.x + by, rect.y + by, rect.width - 2 * by, rect.height - 2 * by};
}

} // namespace

TEST_CASE("every shipped template composes to its exact pixel size") {
    struct Case {
        const char* name;
        int width;
        int height;
    };
    for (const auto& c : {Case{"single-4x6", 1800, 1200}, Case{"grid-2x2-4x6", 1800, 1200},
                          Case{"strip-2x6", 600, 1800}, Case{"single-5x7", 2100, 1500},
                          Case{"single-8x10", 3000, 2400}}) {
        CAPTURE(c.name);
        const auto layout = shipped(c.name);
        const auto photos = photos_for(layout, {30, 120, 200});
        const auto jpeg = compose_print(layout, photos, "K7Q-X2M", qr_url);
        REQUIRE_MESSAGE(jpeg.has_value(), describe(jpeg.error()));
        const auto info = read_jpeg_info(*jpeg);
        REQUIRE(info.has_value());
        CHECK(info->width == c.width);
        CHECK(info->height == c.height);
        CHECK(info->orientation == Orientation::normal);
    }
}

TEST_CASE("a red photo stays red in its slot, the background stays white") {
    const auto layout = shipped("single-4x6");
    const std::vector<std::vector<std::byte>> photos{solid_jpeg(3000, 2000, {220, 20, 30}, 92)};
    std::vector<JpegBytes> views(photos.begin(), photos.end());
    const auto print = render_print(layout, views, "K7Q-X2M", qr_url);
    REQUIRE(print.has_value());
    const auto slot = layout.photos[0].rect;
    const auto inside = mean_colour(*print, inset(slot, 4));
    CHECK(inside.r > 200);
    CHECK(inside.g < 40);
    CHECK(inside.b < 50);
    // Right up to the slot's edges, and not one pixel beyond.
    CHECK(print->pixel(slot.x, slot.y).r > 200);
    CHECK(print->pixel(slot.right() - 1, slot.bottom() - 1).r > 200);
    CHECK(print->pixel(slot.x - 1, slot.y) == Rgb{255, 255, 255});
    CHECK(print->pixel(slot.right(), slot.bottom() - 1) == Rgb{255, 255, 255});
    CHECK(print->pixel(5, 5) == Rgb{255, 255, 255});

    // And through the print JPEG (4:4:4, quality 92).
    const auto jpeg = compose_print(layout, photos, "K7Q-X2M", qr_url);
    REQUIRE(jpeg.has_value());
    const auto decoded = decode_jpeg(*jpeg, {1800, 1200});
    REQUIRE(decoded.has_value());
    const auto after = mean_colour(decoded->pixels, inset(slot, 4));
    CHECK(std::abs(after.r - inside.r) < 3);
    CHECK(std::abs(after.g - inside.g) < 3);
    CHECK(std::abs(after.b - inside.b) < 3);
}

TEST_CASE("each photo of a grid goes to its own slot, in order") {
    const auto layout = shipped("grid-2x2-4x6");
    const std::vector<Rgb> colours{{220, 20, 20}, {20, 200, 20}, {20, 20, 220}, {230, 230, 20}};
    std::vector<std::vector<std::byte>> photos;
    for (const auto colour : colours) {
        photos.push_back(solid_jpeg(600, 400, colour));
    }
    std::vector<JpegBytes> views(photos.begin(), photos.end());
    const auto print = render_print(layout, views, "AB1-CD2", qr_url);
    REQUIRE(print.has_value());
    for (std::size_t i = 0; i < colours.size(); ++i) {
        CAPTURE(i);
        const auto mean = mean_colour(*print, inset(layout.photos[i].rect, 4));
        CHECK(std::abs(mean.r - colours[i].r) < 6);
        CHECK(std::abs(mean.g - colours[i].g) < 6);
        CHECK(std::abs(mean.b - colours[i].b) < 6);
    }
}

TEST_CASE("the code is drawn in its slot with the template's colour") {
    const auto layout = shipped("single-4x6");
    const auto photos = photos_for(layout, {255, 255, 255});
    std::vector<JpegBytes> views(photos.begin(), photos.end());
    const auto print = render_print(layout, views, "K7Q-X2M", qr_url);
    REQUIRE(print.has_value());
    const auto& box = layout.code.rect;
    int ink = 0;
    for (int y = box.y; y < box.bottom(); ++y) {
        for (int x = box.x; x < box.right(); ++x) {
            ink += print->pixel(x, y) == layout.code.colour ? 1 : 0;
        }
    }
    // "K7Q-X2M" at scale 7 has about 120 lit cells of 49 pixels.
    CHECK(ink > 3000);
    CHECK(ink < 10000);
}

TEST_CASE("a bad photo makes an error that names it, nothing crashes") {
    const auto layout = shipped("grid-2x2-4x6");
    auto photos = photos_for(layout, {10, 10, 10});
    auto truncated = photos[2];
    truncated.resize(truncated.size() / 2);
    photos[2] = truncated;
    const auto result = compose_print(layout, photos, "K7Q-X2M", qr_url);
    REQUIRE(result.has_error());
    CHECK(result.error().code == Errc::corrupt_jpeg);
    CHECK(result.error().message.rfind("photo 3: ", 0) == 0);

    photos[2] = to_bytes("garbage");
    const auto garbage = compose_print(layout, photos, "K7Q-X2M", qr_url);
    REQUIRE(garbage.has_error());
    CHECK(garbage.error().code == Errc::not_a_jpeg);
}

TEST_CASE("wrong requests are invalid_argument errors") {
    const auto layout = shipped("strip-2x6");
    const auto photos = photos_for(layout, {1, 2, 3});
    const std::vector<std::vector<std::byte>> two(photos.begin(), photos.begin() + 2);
    const auto missing = compose_print(layout, two, "K7Q-X2M", qr_url);
    REQUIRE(missing.has_error());
    CHECK(missing.error().message.find("has 3 photo slots but 2 photos") != std::string::npos);

    CHECK(compose_print(layout, photos, "", qr_url).error().code == Errc::invalid_argument);
    CHECK(compose_print(layout, photos, "k7q~x2m", qr_url).error().code == Errc::invalid_argument);
    CHECK(compose_print(layout, photos, "K7Q-X2M", "").error().code == Errc::invalid_argument);
    const auto long_url = compose_print(layout, photos, "K7Q-X2M", std::string(2000, 'u'));
    REQUIRE(long_url.has_error());
    CHECK(long_url.error().code == Errc::qr_failed);
    CHECK(long_url.error().message.rfind("QR code: ", 0) == 0);
}

TEST_CASE("layout images are drawn under the photos") {
    encore::testing::TempDir dir;
    const auto logo = solid_jpeg(200, 100, {0, 0, 250});
    std::ofstream(dir / "logo.jpg", std::ios::binary)
        .write(reinterpret_cast<const char*>(logo.data()), static_cast<long>(logo.size()));
    auto document = nlohmann::json::parse(std::ifstream(template_directory() / "single-4x6.json"));
    document["images"] = nlohmann::json::parse(
        R"([{"file": "logo.jpg", "x": 1476, "y": 240, "width": 288, "height": 300}])");
    const auto layout = parse_layout(document, dir.path());
    const auto photos = photos_for(layout, {200, 200, 200});
    std::vector<JpegBytes> views(photos.begin(), photos.end());
    const auto print = render_print(layout, views, "K7Q-X2M", qr_url);
    REQUIRE(print.has_value());
    // Contain: 288x144 centred in the 300-high box, so rows 318..461 are blue.
    CHECK(print->pixel(1620, 390).b > 230);
    CHECK(print->pixel(1620, 390).r < 20);
    CHECK(print->pixel(1620, 300) == Rgb{255, 255, 255});

    std::filesystem::remove(dir / "logo.jpg");
    const auto gone = render_print(layout, views, "K7Q-X2M", qr_url);
    REQUIRE(gone.has_error());
    CHECK(gone.error().code == Errc::file_error);
}

TEST_CASE("thumbnails: longest side 480, upright, never enlarged") {
    const auto landscape = solid_jpeg(6000, 4000, {90, 140, 200}, 80);
    const auto thumbnail = make_thumbnail(landscape);
    REQUIRE(thumbnail.has_value());
    auto info = read_jpeg_info(*thumbnail);
    REQUIRE(info.has_value());
    CHECK(info->width == 480);
    CHECK(info->height == 320);

    // Stored landscape with orientation 6 is a portrait photo.
    const auto portrait =
        with_exif(solid_jpeg(1200, 800, {90, 140, 200}), orientation_tiff(6, true));
    info = read_jpeg_info(*make_thumbnail(portrait));
    CHECK(info->width == 320);
    CHECK(info->height == 480);
    CHECK(info->orientation == Orientation::normal);

    const auto small = solid_jpeg(300, 200, {1, 1, 1});
    info = read_jpeg_info(*make_thumbnail(small, 480));
    CHECK(info->width == 300);
    CHECK(info->height == 200);

    CHECK(make_thumbnail(to_bytes("nope")).has_error());
    CHECK(make_thumbnail(small, 0).has_error());
}

TEST_CASE("a composed print can be thumbnailed for the screen") {
    const auto layout = shipped("strip-2x6");
    const auto jpeg = compose_print(layout, photos_for(layout, {100, 50, 25}), "K7Q-X2M", qr_url);
    REQUIRE(jpeg.has_value());
    const auto thumbnail = make_thumbnail(*jpeg);
    REQUIRE(thumbnail.has_value());
    const auto info = read_jpeg_info(*thumbnail);
    CHECK(info->width == 160);
    CHECK(info->height == 480);
}
