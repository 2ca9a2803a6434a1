#include "hub/store/image_store.hpp"
#include "platform/crypto/sha256.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <ostream>

using encore::hub::ImageStore;
using encore::testing::TempDir;

namespace {

std::vector<std::byte> photo_bytes(std::size_t size, unsigned seed) {
    std::vector<std::byte> bytes(size);
    unsigned state = seed;
    for (auto& byte : bytes) {
        state = state * 1103515245u + 12345u;
        byte = static_cast<std::byte>(state >> 16);
    }
    return bytes;
}

std::string hash_of(const std::vector<std::byte>& bytes) {
    return encore::platform::crypto::to_hex(encore::platform::crypto::sha256(bytes));
}

} // namespace

TEST_CASE("an upload in chunks is verified and stored under its hash") {
    TempDir dir;
    ImageStore store(dir.path());
    const auto photo = photo_bytes(300'000, 1);
    const auto hash = hash_of(photo);
    CHECK(store.upload_offset("booth-1", hash) == 0);
    for (std::size_t offset = 0; offset < photo.size(); offset += 65536) {
        const auto piece =
            std::span(photo).subspan(offset, std::min<std::size_t>(65536, photo.size() - offset));
        REQUIRE_FALSE(store.append("booth-1", hash, offset, piece, photo.size()));
        CHECK(store.upload_offset("booth-1", hash) == offset + piece.size());
    }
    CHECK(store.partial_uploads("booth-1").size() == 1);
    REQUIRE_FALSE(store.finish("booth-1", hash, photo.size()));
    CHECK(store.contains(hash));
    CHECK(store.read(hash) == photo);
    CHECK(store.partial_uploads("booth-1").empty());
    CHECK(store.path_of(hash).parent_path().filename() == hash.substr(0, 2));
}

TEST_CASE("an upload resumes from the durable offset after the store is reopened") {
    TempDir dir;
    const auto photo = photo_bytes(100'000, 2);
    const auto hash = hash_of(photo);
    {
        ImageStore store(dir.path());
        REQUIRE_FALSE(
            store.append("booth-1", hash, 0, std::span(photo).first(40'000), photo.size()));
    }
    ImageStore reopened(dir.path());
    const auto partial = reopened.partial_uploads("booth-1");
    REQUIRE(partial.size() == 1);
    CHECK(partial[0].offset == 40'000);
    REQUIRE_FALSE(
        reopened.append("booth-1", hash, 40'000, std::span(photo).subspan(40'000), photo.size()));
    REQUIRE_FALSE(reopened.finish("booth-1", hash, photo.size()));
    CHECK(reopened.read(hash) == photo);
}

TEST_CASE("a chunk at the wrong offset or past the size is refused") {
    TempDir dir;
    ImageStore store(dir.path());
    const auto photo = photo_bytes(1000, 3);
    const auto hash = hash_of(photo);
    CHECK(store.append("booth-1", hash, 10, std::span(photo).first(10), 1000) ==
          std::errc::invalid_argument);
    REQUIRE_FALSE(store.append("booth-1", hash, 0, std::span(photo).first(10), 1000));
    CHECK(store.append("booth-1", hash, 0, std::span(photo).first(10), 1000) ==
          std::errc::invalid_argument);
    CHECK(store.append("booth-1", hash, 10, photo, 1000) == std::errc::invalid_argument);
    CHECK(store.upload_offset("booth-1", hash) == 10);
}

TEST_CASE("bytes that do not match their hash are discarded, never stored") {
    TempDir dir;
    ImageStore store(dir.path());
    const auto photo = photo_bytes(5000, 4);
    const auto claimed = hash_of(photo_bytes(5000, 5));
    REQUIRE_FALSE(store.append("booth-1", claimed, 0, photo, 5000));
    CHECK(store.finish("booth-1", claimed, 5000) == std::errc::illegal_byte_sequence);
    CHECK_FALSE(store.contains(claimed));
    CHECK(store.upload_offset("booth-1", claimed) == 0);
    CHECK(store.put(claimed, photo) == std::errc::illegal_byte_sequence);
}

TEST_CASE("hostile names never reach the file system") {
    TempDir dir;
    ImageStore store(dir.path());
    CHECK_FALSE(store.contains("../../etc/passwd"));
    CHECK_THROWS_AS(store.path_of("../x"), std::invalid_argument);
    CHECK_THROWS_AS(store.upload_offset("../booth", std::string(64, 'a')), std::invalid_argument);
    CHECK(store.partial_uploads("..").empty());
}

TEST_CASE("a photo already stored is complete at once for any kiosk") {
    TempDir dir;
    ImageStore store(dir.path());
    const auto photo = photo_bytes(2000, 6);
    const auto hash = hash_of(photo);
    REQUIRE_FALSE(store.put(hash, photo));
    CHECK(store.contains(hash));
    REQUIRE_FALSE(store.append("booth-2", hash, 0, std::span(photo).first(100), 2000));
    CHECK_FALSE(store.finish("booth-2", hash, 2000));
    CHECK(store.partial_uploads("booth-2").empty());
}
