// The QR code on a composed print, read back by a real decoder (zbarimg from
// zbar-tools), must give the order's link: the end-to-end check that module size,
// quiet zone and JPEG encoding leave it scannable.

#include "kiosk/imaging/compose.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/imaging/test_images.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <unistd.h>

using namespace encore::kiosk::imaging;
using namespace encore::kiosk::imaging::testing;

namespace {

std::optional<std::filesystem::path> find_on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::stringstream folders(path != nullptr ? path : "/usr/bin:/bin");
    std::string folder;
    while (std::getline(folders, folder, ':')) {
        const auto candidate = std::filesystem::path(folder) / program;
        if (!folder.empty() && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return std::nullopt;
}

// A photo with something in it: gradients, rings and stripes, so the QR code sits
// next to busy content as on a real print.
std::vector<std::byte> busy_photo(int width, int height) {
    const auto image = make_image(width, height, [&](int x, int y) {
        const double dx = x - width / 2.0;
        const double dy = y - height / 2.0;
        const double ring = std::sin(std::sqrt(dx * dx + dy * dy) / 9.0);
        return Rgb{static_cast<std::uint8_t>(x * 255 / width),
                   static_cast<std::uint8_t>(128 + 100 * ring),
                   static_cast<std::uint8_t>((x / 17 + y / 13) % 2 == 0 ? 40 : 210)};
    });
    return make_jpeg(image, 90, Subsampling::s422);
}

} // namespace

TEST_CASE("the QR code of every shipped template scans back to the order's link") {
    const auto zbarimg = find_on_path("zbarimg");
    if (!zbarimg) {
        MESSAGE("zbarimg is not installed (Debian: zbar-tools); skipping the scan test");
        return;
    }
    encore::testing::TempDir dir;
    const auto photo = busy_photo(1500, 1000);
    const std::vector<std::string> urls{
        "https://photos.example.com/o/K7QX2M?t=3q2-7wZ9kR_mVx0Lp4sA1Q",
        "https://encore.example.org/order/AB12CD/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c"};
    for (const char* name :
         {"single-4x6", "grid-2x2-4x6", "strip-2x6", "single-5x7", "single-8x10"}) {
        const auto layout = load_layout(template_directory() / (std::string(name) + ".json"));
        for (const auto& url : urls) {
            CAPTURE(name);
            CAPTURE(url);
            const std::vector<std::vector<std::byte>> photos(layout.photos.size(), photo);
            const auto jpeg = compose_print(layout, photos, "K7Q-X2M", url);
            REQUIRE_MESSAGE(jpeg.has_value(), describe(jpeg.error()));
            const auto file = dir / (std::string(name) + ".jpg");
            std::ofstream(file, std::ios::binary)
                .write(reinterpret_cast<const char*>(jpeg->data()),
                       static_cast<std::streamsize>(jpeg->size()));
            const auto scan =
                encore::testing::run_program(*zbarimg, {"--raw", "-q", file.string()});
            CHECK(scan.exit_code == 0);
            CHECK(scan.out == url + "\n");
        }
    }
}

TEST_CASE("the QR code still scans from the screen thumbnail of a single print") {
    const auto zbarimg = find_on_path("zbarimg");
    if (!zbarimg) {
        MESSAGE("zbarimg is not installed (Debian: zbar-tools); skipping the scan test");
        return;
    }
    encore::testing::TempDir dir;
    const auto layout = load_layout(template_directory() / "single-4x6.json");
    const std::string url = "https://photos.example.com/o/K7QX2M";
    const std::vector<std::vector<std::byte>> photos{busy_photo(1500, 1000)};
    const auto print = compose_print(layout, photos, "K7Q-X2M", url);
    REQUIRE(print.has_value());
    // The booth shows the print on screen; a guest may scan it from there.
    const auto thumbnail = make_thumbnail(*print, 1200);
    REQUIRE(thumbnail.has_value());
    const auto file = dir / "thumbnail.jpg";
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(thumbnail->data()),
               static_cast<std::streamsize>(thumbnail->size()));
    const auto scan = encore::testing::run_program(*zbarimg, {"--raw", "-q", file.string()});
    CHECK(scan.exit_code == 0);
    CHECK(scan.out == url + "\n");
}
