#include "hub/web/short_code.hpp"
#include "platform/crypto/random.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

using encore::hub::web::normalize_short_code;

TEST_CASE("a typed short code becomes the code as the booth prints it") {
    CHECK(normalize_short_code("K9Q-X4M") == "K9Q-X4M");
    CHECK(normalize_short_code("k9qx4m") == "K9Q-X4M");
    CHECK(normalize_short_code("  k9q x4m ") == "K9Q-X4M");
    CHECK(normalize_short_code("K-9-Q.X_4\tM") == "K9Q-X4M");
}

TEST_CASE("full-width input from a Japanese keyboard counts as ASCII") {
    // "Ｋ７Ｑ－ｘ４ｍ" with an ideographic space and the long-vowel mark as separators.
    CHECK(normalize_short_code("\xEF\xBC\xAB\xEF\xBC\x99\xEF\xBC\xB1\xE3\x83\xBC"
                               "\xEF\xBD\x98\xEF\xBC\x94\xE3\x80\x80\xEF\xBD\x8D") == "K9Q-X4M");
}

TEST_CASE("symbols the booth never prints make the input not a code") {
    // The alphabet leaves out both halves of every look-alike pair, so none of these
    // can be a misread symbol of a real code.
    for (const char* typed :
         {"K9Q-X40", "K9Q-X4O", "K9Q-X41", "K9Q-X4I", "K9Q-X4L", "K9Q-X45", "K9Q-X4S", "K9Q-X42",
          "K9Q-X4Z", "K9Q-X48", "K9Q-X4B", "K9Q;X4M", "K9Q-X4M\xC3\xA9"}) {
        CAPTURE(typed);
        CHECK_FALSE(normalize_short_code(typed));
    }
}

TEST_CASE("too short or too long is not a code") {
    CHECK_FALSE(normalize_short_code(""));
    CHECK_FALSE(normalize_short_code(" - "));
    CHECK_FALSE(normalize_short_code("K9Q"));
    CHECK(normalize_short_code("K9QX") == "K9Q-X");
    CHECK(normalize_short_code("K9QX4MK9QX4M") == "K9Q-X4M-K9Q-X4M");
    CHECK_FALSE(normalize_short_code("K9QX4MK9QX4MK"));
}

TEST_CASE("every code a booth makes normalizes to itself, however the guest types it") {
    for (int round = 0; round < 500; ++round) {
        const auto code = encore::platform::crypto::random_short_code(6);
        CAPTURE(code);
        CHECK(normalize_short_code(code) == code);
        std::string sloppy;
        for (const char c : code) {
            if (c != '-') {
                sloppy.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
                sloppy.push_back(' ');
            }
        }
        CHECK(normalize_short_code(sloppy) == code);
    }
}
