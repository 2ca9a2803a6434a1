#include "hub/desk/lab_render.hpp"
#include "kiosk/imaging/jpeg.hpp"
#include "tests/support/source_tree.hpp"

#include <doctest/doctest.h>

using namespace encore;
using namespace encore::hub::desk;
namespace imaging = encore::kiosk::imaging;
using drivers::printer::MediaSize;

namespace {

// A 3000x2000 photo as a camera would deliver it.
std::vector<std::byte> camera_photo() {
    auto image = imaging::Image::filled(3000, 2000, {200, 120, 40});
    REQUIRE(image.has_value());
    auto jpeg = imaging::encode_jpeg(*image, imaging::print_encoding);
    REQUIRE(jpeg.has_value());
    return std::move(*jpeg);
}

} // namespace

TEST_CASE("every product is printed at its size on its paper, from the original") {
    const auto templates =
        LabTemplates::load(testing::source_dir() / "kiosk" / "imaging" / "templates");
    const auto original = camera_photo();
    struct Expected {
        const char* product;
        int width;
        int height;
        MediaSize media;
    };
    for (const auto& expected : {Expected{"4x6", 1800, 1200, MediaSize::size_4x6},
                                 Expected{"5x7", 2100, 1500, MediaSize::size_5x7},
                                 Expected{"8x10", 3000, 2400, MediaSize::size_8x10},
                                 Expected{"strip", 600, 1800, MediaSize::strip_2x6}}) {
        CAPTURE(expected.product);
        const auto* product = templates.find(expected.product);
        REQUIRE(product != nullptr);
        CHECK(product->media == expected.media);
        const auto print =
            render_lab_print(*product, original, "K9Q-X4M", "https://photos.example/");
        REQUIRE_MESSAGE(print.has_value(), imaging::describe(print.error()));
        const auto info = imaging::read_jpeg_info(*print);
        REQUIRE(info.has_value());
        CHECK(info->width == expected.width);
        CHECK(info->height == expected.height);
    }
    CHECK(templates.find("poster") == nullptr);
}

TEST_CASE("a damaged original is an error that says so, not a blank print") {
    const auto templates =
        LabTemplates::load(testing::source_dir() / "kiosk" / "imaging" / "templates");
    auto original = camera_photo();
    original.resize(original.size() / 3);
    const auto print = render_lab_print(*templates.find("5x7"), original, "K9Q-X4M", "https://x/");
    REQUIRE_FALSE(print.has_value());
    CHECK(imaging::describe(print.error()).find("photo 1") != std::string::npos);
}
