#include "platform/crypto/base64url.hpp"
#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"

#include <doctest/doctest.h>

#include <regex>
#include <set>

using namespace encore::platform::crypto;

TEST_CASE("SHA-256 matches the FIPS 180-2 test vector, whole or in pieces") {
    CHECK(to_hex(sha256("abc")) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Sha256Hasher hasher;
    for (const char c : std::string("abc")) {
        hasher.update(std::as_bytes(std::span(&c, 1)));
    }
    CHECK(to_hex(hasher.finish()) == to_hex(sha256("abc")));
}

TEST_CASE("UUIDs are version 4 and differ") {
    const std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const auto uuid = random_uuid();
        CHECK(std::regex_match(uuid, v4));
        seen.insert(uuid);
    }
    CHECK(seen.size() == 100);
}

TEST_CASE("a 16-byte token is 22 URL-safe characters (128 bits)") {
    const auto token = random_token(16);
    CHECK(token.size() == 22);
    CHECK(std::regex_match(token, std::regex("[A-Za-z0-9_-]{22}")));
    CHECK(random_token(16) != token);
}

TEST_CASE("short codes use only unambiguous symbols, grouped by three") {
    for (int i = 0; i < 200; ++i) {
        const auto code = random_short_code(6);
        REQUIRE(code.size() == 7);
        CHECK(code[3] == '-');
        for (const char c : code) {
            CHECK(std::string("ACDEFGHJKMNPQRTUVWXY3469-").find(c) != std::string::npos);
        }
    }
}

TEST_CASE("constant-time comparison compares") {
    CHECK(constant_time_equal("K7Q-X4M", "K7Q-X4M"));
    CHECK_FALSE(constant_time_equal("K7Q-X4M", "K7Q-X4N"));
    CHECK_FALSE(constant_time_equal("K7Q", "K7Q-X4M"));
}

TEST_CASE("base64url round-trips every length and refuses foreign characters") {
    for (std::size_t length = 0; length < 40; ++length) {
        const auto bytes = random_bytes(length);
        const auto text = base64url_encode(bytes);
        CHECK(text.find_first_of("+/=") == std::string::npos);
        CHECK(base64url_decode(text) == bytes);
    }
    CHECK(base64url_encode(std::string_view("Encore")) == "RW5jb3Jl");
    CHECK_FALSE(base64url_decode("RW5j+3Jl"));
    CHECK_FALSE(base64url_decode("R"));
}
