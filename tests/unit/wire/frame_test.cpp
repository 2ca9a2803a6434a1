#include "platform/wire/frame.hpp"

#include <doctest/doctest.h>

#include <ostream>

using namespace encore::platform::wire;

namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (const int value : values) {
        out.push_back(static_cast<std::byte>(value));
    }
    return out;
}

} // namespace

TEST_CASE("a frame is [u32 big-endian length][type][payload]") {
    const auto frame = encode_frame(FrameType::ping, "{}");
    CHECK(frame == bytes({0, 0, 0, 3, 0x0A, '{', '}'}));
}

TEST_CASE("frames decode whole, whatever the pieces the socket delivers") {
    std::vector<std::byte> stream;
    for (const auto* text : {"{\"a\":1}", "", "{\"b\":2}"}) {
        const auto frame = encode_frame(FrameType::order, text);
        stream.insert(stream.end(), frame.begin(), frame.end());
    }
    for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
        CAPTURE(piece);
        FrameDecoder decoder;
        std::vector<std::string> payloads;
        for (std::size_t at = 0; at < stream.size(); at += piece) {
            decoder.feed(std::span(stream).subspan(at, std::min(piece, stream.size() - at)));
            while (auto frame = decoder.next()) {
                CHECK(frame->type == FrameType::order);
                payloads.emplace_back(frame->payload_text());
            }
        }
        CHECK_FALSE(decoder.error());
        CHECK(payloads == std::vector<std::string>{"{\"a\":1}", "", "{\"b\":2}"});
        CHECK(decoder.buffered() == 0);
    }
}

TEST_CASE("an oversized length is refused before its payload arrives") {
    FrameDecoder decoder;
    decoder.feed(bytes({0x00, 0x10, 0x00, 0x02, 0x03}));
    CHECK_FALSE(decoder.next());
    CHECK(decoder.error() == FrameError::too_large);
    CHECK(decoder.error().message() == "frame larger than the 1 MiB bound");
}

TEST_CASE("the largest allowed frame passes, one byte more does not") {
    const std::string largest(max_payload_bytes, 'x');
    FrameDecoder decoder;
    decoder.feed(encode_frame(FrameType::order, largest));
    const auto frame = decoder.next();
    REQUIRE(frame);
    CHECK(frame->payload.size() == max_payload_bytes);
    CHECK_THROWS_AS(encode_frame(FrameType::order, largest + "x"), std::length_error);
}

TEST_CASE("zero length and unknown types are errors, and the decoder stays failed") {
    FrameDecoder empty;
    empty.feed(bytes({0, 0, 0, 0, 1}));
    CHECK_FALSE(empty.next());
    CHECK(empty.error() == FrameError::empty);

    FrameDecoder unknown;
    unknown.feed(bytes({0, 0, 0, 1, 0x7f}));
    CHECK_FALSE(unknown.next());
    CHECK(unknown.error() == FrameError::unknown_type);
    unknown.feed(encode_frame(FrameType::ping, "{}"));
    CHECK_FALSE(unknown.next());
}

TEST_CASE("the venue photo frames are known types and the next byte is not") {
    FrameDecoder decoder;
    decoder.feed(encode_frame(FrameType::venue_photo_wanted, "{}"));
    decoder.feed(encode_frame(FrameType::venue_photo_unavailable, "{}"));
    const auto wanted = decoder.next();
    REQUIRE(wanted);
    CHECK(to_string(wanted->type) == "VENUE_PHOTO_WANTED");
    const auto unavailable = decoder.next();
    REQUIRE(unavailable);
    CHECK(to_string(unavailable->type) == "VENUE_PHOTO_UNAVAILABLE");
    CHECK(static_cast<int>(unavailable->type) == 0x11);

    FrameDecoder unknown;
    unknown.feed(bytes({0, 0, 0, 1, 0x12}));
    CHECK_FALSE(unknown.next());
    CHECK(unknown.error() == FrameError::unknown_type);
}
