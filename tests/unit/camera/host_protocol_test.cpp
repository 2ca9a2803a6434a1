#include "drivers/camera/host_protocol.hpp"

#include <doctest/doctest.h>

using namespace encore::drivers::camera;
namespace host = encore::drivers::camera::host;

namespace {

std::span<const std::uint8_t> body_of(const std::vector<std::uint8_t>& frame) {
    REQUIRE(frame.size() >= host::frame_header_size);
    const auto length =
        host::body_length(std::span<const std::uint8_t, host::frame_header_size>(frame.data(), 4));
    REQUIRE(length.has_value());
    REQUIRE(*length == frame.size() - host::frame_header_size);
    return std::span<const std::uint8_t>(frame).subspan(host::frame_header_size);
}

host::Reply round_trip(const host::Reply& reply) {
    const auto frame = host::encode(reply);
    const auto decoded = host::decode_reply(body_of(frame));
    REQUIRE(decoded.has_value());
    CHECK(decoded->op == reply.op);
    CHECK(decoded->sequence == reply.sequence);
    return *decoded;
}

} // namespace

TEST_CASE("an open request carries its port and model") {
    const host::Request request{host::Op::open, 7, {"ptpip:127.0.0.1:1:1", "PTP/IP Camera"}};
    const auto frame = host::encode(request);
    const auto decoded = host::decode_request(body_of(frame));
    REQUIRE(decoded.has_value());
    CHECK(decoded->op == host::Op::open);
    CHECK(decoded->sequence == 7);
    CHECK(decoded->selector.port == "ptpip:127.0.0.1:1:1");
    CHECK(decoded->selector.model == "PTP/IP Camera");
}

TEST_CASE("a capture reply carries the JPEG bytes and metadata unchanged") {
    host::Reply reply;
    reply.op = host::Op::capture;
    reply.sequence = 42;
    CapturedPhoto photo;
    for (int i = 0; i < 100'000; ++i) {
        photo.jpeg.push_back(static_cast<std::uint8_t>(i * 7));
    }
    photo.file_name = "DSC_0001.JPG";
    photo.captured_at = std::chrono::system_clock::now();
    photo.took = std::chrono::milliseconds(55);
    reply.payload = photo;
    const auto decoded = round_trip(reply);
    const auto* got = std::get_if<CapturedPhoto>(&decoded.payload);
    REQUIRE(got != nullptr);
    CHECK(got->jpeg == photo.jpeg);
    CHECK(got->file_name == "DSC_0001.JPG");
    CHECK(got->captured_at == photo.captured_at);
    CHECK(got->took == std::chrono::milliseconds(55));
}

TEST_CASE("info, camera lists and frames round-trip") {
    CameraInfo info{"Nikon Corporation", "D750", "3012345", "usb:001,004", 87, 32ull << 30, 900};
    host::Reply with_info{host::Op::info, 1, std::nullopt, info};
    const auto info_reply = round_trip(with_info);
    const auto* got_info = std::get_if<CameraInfo>(&info_reply.payload);
    REQUIRE(got_info != nullptr);
    CHECK(got_info->serial == "3012345");
    CHECK(got_info->battery_percent == 87);
    CHECK(got_info->free_bytes == (32ull << 30));
    CHECK(got_info->free_images == 900);

    CameraInfo unknown;
    host::Reply without{host::Op::open, 2, std::nullopt, unknown};
    const auto unknown_reply = round_trip(without);
    const auto* got_unknown = std::get_if<CameraInfo>(&unknown_reply.payload);
    REQUIRE(got_unknown != nullptr);
    CHECK(!got_unknown->battery_percent.has_value());
    CHECK(!got_unknown->free_bytes.has_value());

    std::vector<DetectedCamera> cameras = {{"Nikon DSC D750", "usb:001,004"},
                                           {"Canon EOS 2000D", "usb:001,007"}};
    host::Reply listed{host::Op::list, 3, std::nullopt, cameras};
    const auto listed_reply = round_trip(listed);
    const auto* got_cameras = std::get_if<std::vector<DetectedCamera>>(&listed_reply.payload);
    REQUIRE(got_cameras != nullptr);
    REQUIRE(got_cameras->size() == 2);
    CHECK((*got_cameras)[1].port == "usb:001,007");

    host::Reply frame{host::Op::preview, 4, std::nullopt, LiveViewFrame{{0xFF, 0xD8, 0xFF, 0xD9}}};
    const auto frame_reply = round_trip(frame);
    const auto* got_frame = std::get_if<LiveViewFrame>(&frame_reply.payload);
    REQUIRE(got_frame != nullptr);
    CHECK(got_frame->jpeg.size() == 4);
}

TEST_CASE("an error reply carries its code and the operator's message") {
    host::Reply reply;
    reply.op = host::Op::capture;
    reply.sequence = 9;
    reply.error = make_error(Errc::focus_failed, "the camera could not focus");
    const auto decoded = round_trip(reply);
    REQUIRE(decoded.error.has_value());
    CHECK(is(*decoded.error, Errc::focus_failed));
    CHECK(decoded.error->message == "the camera could not focus");
    CHECK(decoded.payload.index() == 0);
}

TEST_CASE("every truncation of a valid reply is rejected") {
    host::Reply reply{host::Op::open, 5, std::nullopt,
                      CameraInfo{"Nikon Corporation", "D750", "1", "usb:001,004", 50, 1, 2}};
    const auto frame = host::encode(reply);
    const auto body = std::span<const std::uint8_t>(frame).subspan(host::frame_header_size);
    for (std::size_t size = 0; size < body.size(); ++size) {
        CHECK_MESSAGE(!host::decode_reply(body.first(size)).has_value(), "size ", size);
    }
    auto longer = std::vector<std::uint8_t>(body.begin(), body.end());
    longer.push_back(0);
    CHECK(!host::decode_reply(longer).has_value());
}

TEST_CASE("unknown ops, unknown error codes and oversized frames are rejected") {
    const std::vector<std::uint8_t> bad_op = {99, 1, 0, 0, 0};
    CHECK(!host::decode_request(bad_op).has_value());
    // op info, sequence 1, errc 200 (no such camera Errc), empty message, no payload.
    const std::vector<std::uint8_t> bad_errc = {6, 1, 0, 0, 0, 200, 0, 0, 0, 0, 0, 0};
    CHECK(!host::decode_reply(bad_errc).has_value());
    const std::array<std::uint8_t, 4> huge = {0xFF, 0xFF, 0xFF, 0xFF};
    CHECK(!host::body_length(huge).has_value());
    // A list that claims a billion cameras but holds none.
    const std::vector<std::uint8_t> lying = {1, 1, 0, 0, 0,    0,    0,    0,
                                             0, 0, 0, 1, 0x00, 0xCA, 0x9A, 0x3B};
    CHECK(!host::decode_reply(lying).has_value());
}
