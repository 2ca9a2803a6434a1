#include "kiosk/imaging/exif.hpp"
#include "tests/unit/imaging/test_images.hpp"

#include <doctest/doctest.h>

using namespace encore::kiosk::imaging;
using namespace encore::kiosk::imaging::testing;

namespace {

std::vector<std::byte> small_jpeg() {
    return solid_jpeg(16, 8, {200, 100, 50});
}

} // namespace

TEST_CASE("a JPEG without EXIF is upright") {
    const auto orientation = read_exif_orientation(small_jpeg());
    REQUIRE(orientation.has_value());
    CHECK(*orientation == Orientation::normal);
}

TEST_CASE("the Orientation tag is read in both TIFF byte orders") {
    for (const bool little_endian : {true, false}) {
        for (int value = 1; value <= 8; ++value) {
            CAPTURE(little_endian);
            CAPTURE(value);
            const auto jpeg = with_exif(small_jpeg(), orientation_tiff(value, little_endian));
            const auto orientation = read_exif_orientation(jpeg);
            REQUIRE(orientation.has_value());
            CHECK(static_cast<int>(*orientation) == value);
        }
    }
}

TEST_CASE("EXIF without an Orientation tag is upright") {
    const auto jpeg = with_exif(small_jpeg(), make_tiff(true, {{0x010F, 2, 4, 0x43414E00}}));
    const auto orientation = read_exif_orientation(jpeg);
    REQUIRE(orientation.has_value());
    CHECK(*orientation == Orientation::normal);
}

TEST_CASE("other APP1 segments (XMP) are skipped and the EXIF one found after them") {
    auto xmp = to_bytes("http://ns.adobe.com/xap/1.0/");
    xmp.push_back(std::byte{0});
    const auto jpeg =
        insert_segment(with_exif(small_jpeg(), orientation_tiff(6, false)), 0xE1, xmp);
    const auto orientation = read_exif_orientation(jpeg);
    REQUIRE(orientation.has_value());
    CHECK(*orientation == Orientation::rotate_90_cw);
}

TEST_CASE("fill bytes before a marker are allowed") {
    auto jpeg = with_exif(small_jpeg(), orientation_tiff(3, true));
    jpeg.insert(jpeg.begin() + 2, {std::byte{0xFF}, std::byte{0xFF}});
    const auto orientation = read_exif_orientation(jpeg);
    REQUIRE(orientation.has_value());
    CHECK(*orientation == Orientation::rotate_180);
}

TEST_CASE("malformed EXIF blocks are errors that say what is wrong") {
    struct Case {
        const char* name;
        std::vector<std::byte> tiff;
        const char* expected;
    };
    auto bad_order = orientation_tiff(1, true);
    bad_order[0] = std::byte{'X'};
    auto bad_magic = orientation_tiff(1, true);
    bad_magic[2] = std::byte{43};
    auto far_ifd = orientation_tiff(1, true);
    far_ifd[4] = std::byte{0xFF};
    far_ifd[5] = std::byte{0xFF};
    auto many_entries = orientation_tiff(1, false);
    many_entries[8] = std::byte{0x10}; // 4096 + 3 entries
    auto short_tiff = orientation_tiff(1, true);
    short_tiff.resize(6);
    const std::vector<Case> cases{
        {"byte order", bad_order, "byte order mark"},
        {"magic", bad_magic, "magic number is 43"},
        {"IFD offset", far_ifd, "lies outside the EXIF block"},
        {"entry count", many_entries, "run past the end"},
        {"short block", short_tiff, "too short for a TIFF header"},
        {"orientation 0", orientation_tiff(0, true), "Orientation is 0; expected 1 to 8"},
        {"orientation 9", orientation_tiff(9, false), "Orientation is 9; expected 1 to 8"},
        {"wrong type", make_tiff(true, {{0x0112, 4, 1, 1}}), "expected one SHORT"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const auto orientation = read_exif_orientation(with_exif(small_jpeg(), c.tiff));
        REQUIRE(orientation.has_error());
        CHECK(orientation.error().code == Errc::corrupt_exif);
        CHECK(orientation.error().message.find(c.expected) != std::string::npos);
    }
}

TEST_CASE("not a JPEG, or a JPEG cut before its image data, is an error") {
    const auto empty = read_exif_orientation({});
    REQUIRE(empty.has_error());
    CHECK(empty.error().code == Errc::not_a_jpeg);

    const auto png = read_exif_orientation(to_bytes("\x89PNG\r\n\x1a\n"));
    REQUIRE(png.has_error());
    CHECK(png.error().code == Errc::not_a_jpeg);
    CHECK(png.error().message.find("89 50 4E 47") != std::string::npos);

    const auto jpeg = with_exif(small_jpeg(), orientation_tiff(6, true));
    auto cut = jpeg;
    cut.resize(30); // inside the APP1 segment
    const auto truncated = read_exif_orientation(cut);
    REQUIRE(truncated.has_error());
    CHECK(truncated.error().code == Errc::corrupt_jpeg);
    CHECK(truncated.error().message.find("declares") != std::string::npos);
}

TEST_CASE("every prefix of a JPEG with EXIF is handled without reading past the end") {
    const auto jpeg = with_exif(small_jpeg(), orientation_tiff(8, false));
    for (std::size_t length = 0; length < 200 && length < jpeg.size(); ++length) {
        CAPTURE(length);
        const std::vector<std::byte> prefix(jpeg.begin(), jpeg.begin() + length);
        // Inside the headers every prefix is an error; the data is read through a span
        // of exactly `length` bytes, so ASan builds catch any read past it.
        CHECK(read_exif_orientation(prefix).has_error());
    }
}

TEST_CASE("every single-byte corruption of the EXIF block gives a value or an error") {
    const auto jpeg = with_exif(small_jpeg(), orientation_tiff(5, true));
    const std::size_t exif_end = 4 + 2 + 6 + orientation_tiff(5, true).size() + 2;
    for (std::size_t position = 2; position < exif_end; ++position) {
        for (const unsigned value : {0x00u, 0x01u, 0x7Fu, 0xFFu}) {
            auto corrupted = jpeg;
            corrupted[position] = static_cast<std::byte>(value);
            const auto orientation = read_exif_orientation(corrupted);
            if (orientation) {
                CHECK(static_cast<int>(*orientation) >= 1);
                CHECK(static_cast<int>(*orientation) <= 8);
            } else {
                CHECK(!orientation.error().message.empty());
            }
        }
    }
}
