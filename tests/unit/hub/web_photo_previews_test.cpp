#include "hub/store/image_store.hpp"
#include "hub/web/photo_previews.hpp"
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
