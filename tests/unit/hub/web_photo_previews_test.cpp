#include "hub/store/image_store.hpp"
#include "hub/web/photo_previews.hpp"
#include "kiosk/imaging/image.hpp"
#include "kiosk/imaging/jpeg.hpp"
#include "platform/crypto/sha256.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

using encore::hub::ImageStore;
using encore::hub::web::PhotoPreviews;
using encore::hub::web::PreviewSize;
using encore::testing::TempDir;

namespace {

std::optional<std::string> preview_of(PhotoPreviews& previews, boost::asio::io_context& loop,
                                      const std::string& sha256) {
    std::optional<std::string> result;
    boost::asio::co_spawn(loop, previews.get(sha256, PreviewSize::thumbnail),
                          [&](std::exception_ptr error, std::optional<std::string> bytes) {
                              REQUIRE_FALSE(error);
                              result = std::move(bytes);
                          });
    loop.run();
    loop.restart();
    return result;
}

} // namespace

TEST_CASE("start-up removes previews a crash left half-written, and keeps the finished ones") {
    TempDir dir;
    const auto folder = dir / "previews" / "480" / "ab";
    std::filesystem::create_directories(folder);
    encore::testing::write_text_file(folder / ".ab12.jpg.encore-tmp-4711", "half");
    encore::testing::write_text_file(folder / "ab12.jpg", "whole");
    ImageStore images(dir / "images");
    boost::asio::io_context loop;
    PhotoPreviews previews(loop.get_executor(), images, dir / "previews");
    CHECK_FALSE(std::filesystem::exists(folder / ".ab12.jpg.encore-tmp-4711"));
    CHECK(std::filesystem::exists(folder / "ab12.jpg"));
}

TEST_CASE("a photo the store lacks, or bytes that are not a JPEG, have no preview") {
    TempDir dir;
    ImageStore images(dir / "images");
    const std::string not_a_jpeg = "these bytes are no photo";
    const auto hash =
        encore::platform::crypto::to_hex(encore::platform::crypto::sha256(not_a_jpeg));
    REQUIRE_FALSE(images.put(hash, std::as_bytes(std::span(not_a_jpeg))));
    boost::asio::io_context loop;
    PhotoPreviews previews(loop.get_executor(), images, dir / "previews");
    CHECK_FALSE(preview_of(previews, loop, hash));
    CHECK_FALSE(preview_of(previews, loop, std::string(64, 'c')));
}

namespace {

// A stored JPEG original of `width` x `height`, returned by its SHA-256.
std::string store_photo(ImageStore& images, int width, int height, std::uint8_t shade) {
    auto image = encore::kiosk::imaging::Image::filled(width, height, {shade, 90, 200});
    REQUIRE(image.has_value());
    auto jpeg = encore::kiosk::imaging::encode_jpeg(
        *image, {85, encore::kiosk::imaging::ChromaSubsampling::both});
    REQUIRE(jpeg.has_value());
    const auto hash = encore::platform::crypto::to_hex(encore::platform::crypto::sha256(*jpeg));
    REQUIRE_FALSE(images.put(hash, *jpeg));
    return hash;
}

} // namespace

TEST_CASE("previews kept in memory never exceed their budget, and come back byte for byte") {
    TempDir dir;
    ImageStore images(dir / "images");
    const std::vector<std::string> photos = {store_photo(images, 1200, 800, 10),
                                             store_photo(images, 800, 1200, 120),
                                             store_photo(images, 900, 900, 240)};
    boost::asio::io_context loop;
    std::vector<std::string> made;
    {
        PhotoPreviews previews(loop.get_executor(), images, dir / "previews");
        for (const auto& photo : photos) {
            const auto bytes = preview_of(previews, loop, photo);
            REQUIRE(bytes);
            CHECK(bytes->substr(0, 2) == "\xFF\xD8");
            made.push_back(*bytes);
        }
        CHECK(previews.memory_used() == made[0].size() + made[1].size() + made[2].size());
        // From memory: the files are not needed any more.
        std::filesystem::remove_all(dir / "previews");
        for (std::size_t index = 0; index < photos.size(); ++index) {
            CHECK(preview_of(previews, loop, photos[index]) == made[index]);
        }
        CHECK_FALSE(std::filesystem::exists(dir / "previews"));
    }
    // A budget that holds any two previews but not all three.
    const auto budget = made[0].size() + made[1].size() + made[2].size() - 1;
    PhotoPreviews bounded(loop.get_executor(), images, dir / "previews", budget);
    for (int round = 0; round < 3; ++round) {
        for (std::size_t index = 0; index < photos.size(); ++index) {
            CHECK(preview_of(bounded, loop, photos[index]) == made[index]);
            CHECK(bounded.memory_used() <= budget);
        }
    }
    PhotoPreviews from_disk(loop.get_executor(), images, dir / "previews", 0);
    for (std::size_t index = 0; index < photos.size(); ++index) {
        CHECK(preview_of(from_disk, loop, photos[index]) == made[index]);
        CHECK(from_disk.memory_used() == 0);
    }
}
