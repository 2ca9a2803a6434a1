#include "platform/wire/join_token.hpp"
#include "platform/wire/messages.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace encore::platform::wire;

namespace {

const std::string uuid = "0b7e4a6c-2f1d-4c8e-9a3b-5d6e7f809a1b";

Sha256 digest_of(std::uint8_t fill) {
    Sha256 digest{};
    digest.fill(fill);
    return digest;
}

// Decodes a frame made by encode() and returns its payload as text.
std::string payload_of(const std::vector<std::byte>& frame_bytes, FrameType expected) {
    FrameDecoder decoder;
    decoder.feed(frame_bytes);
    const auto frame = decoder.next();
    REQUIRE(frame);
    CHECK(frame->type == expected);
    return std::string(frame->payload_text());
}

} // namespace

TEST_CASE("an order survives encode and parse") {
    Order order;
    order.order_id = uuid;
    order.code = "K7Q-X2M";
    order.token_sha256 = to_hex(digest_of(0xab));
    order.event = "wedding-2026-11-28";
    order.created_at = "2026-11-28T12:00:00Z";
    order.copies = 2;
    order.layout = "grid-2x2-4x6";
    order.photos = {{digest_of(1), 5'000'000}, {digest_of(2), 4'900'000}};
    const auto parsed = parse_order(payload_of(encode(order), FrameType::order));
    REQUIRE_MESSAGE(parsed, parsed.error);
    CHECK(parsed.value->order_id == uuid);
    CHECK(parsed.value->copies == 2);
    REQUIRE(parsed.value->photos.size() == 2);
    CHECK(parsed.value->photos[1].sha256 == digest_of(2));
    CHECK(parsed.value->photos[1].size == 4'900'000);
}

TEST_CASE("a welcome carries the hub's resume points") {
    Welcome welcome;
    welcome.kiosk = "booth-1";
    welcome.public_url = "https://photos.example";
    welcome.uploads = {{digest_of(7), 3 * 1024 * 1024}};
    const auto parsed = parse_welcome(payload_of(encode(welcome), FrameType::welcome));
    REQUIRE_MESSAGE(parsed, parsed.error);
    REQUIRE(parsed.value->uploads.size() == 1);
    CHECK(parsed.value->uploads[0].offset == 3 * 1024 * 1024);
}

TEST_CASE("a chunk carries hash, offset and data in binary") {
    const std::vector<std::byte> data(1000, std::byte{0x5a});
    const auto frame = encode_chunk(digest_of(9), 65536, data);
    FrameDecoder decoder;
    decoder.feed(frame);
    const auto decoded = decoder.next();
    REQUIRE(decoded);
    const auto chunk = parse_chunk(decoded->payload);
    REQUIRE(chunk);
    CHECK(chunk.value->sha256 == digest_of(9));
    CHECK(chunk.value->offset == 65536);
    CHECK(chunk.value->data.size() == 1000);
    CHECK(parse_chunk(std::span(decoded->payload).first(39)).error ==
          "CHUNK shorter than its 40-byte header");
}

TEST_CASE("messages with missing, unknown or out-of-range fields are refused with a reason") {
    CHECK(parse_photo_begin("not json").error == "payload is not a JSON object");
    CHECK(parse_photo_begin("[1,2]").error == "payload is not a JSON object");
    const auto hash = to_hex(digest_of(3));
    CHECK(parse_photo_begin(R"({"sha256":")" + hash + R"(","size":10})").error ==
          "missing field \"order_id\"");
    CHECK(parse_photo_begin(R"({"sha256":")" + hash + R"(","size":10,"order_id":")" + uuid +
                            R"(","extra":1})")
              .error == "unknown field \"extra\"");
    CHECK(parse_photo_begin(R"({"sha256":")" + hash + R"(","size":999999999999,"order_id":")" +
                            uuid + R"("})")
              .error == "field \"size\" is above 67108864");
    CHECK(parse_photo_begin(R"({"sha256":"ABC","size":10,"order_id":")" + uuid + R"("})").error ==
          "field \"sha256\" must be 64 lowercase hex digits");
    CHECK(
        parse_photo_begin(R"({"sha256":")" + hash + R"(","size":-4,"order_id":")" + uuid + R"("})")
            .error == "field \"size\" must be a non-negative integer");
    CHECK(parse_photo_begin(R"({"sha256":")" + hash + R"(","size":10,"order_id":"x"})").error ==
          "field \"order_id\" must be a UUID");
}

TEST_CASE("a hello from another protocol version is refused") {
    CHECK(parse_hello(R"({"protocol":2,"software":"kioskd 9"})").error ==
          "protocol version 2 is not supported (this side speaks 1)");
    const auto good = parse_hello(payload_of(encode(Hello{1, "kioskd 0.1.0"}), FrameType::hello));
    REQUIRE(good);
    CHECK(good.value->software == "kioskd 0.1.0");
}

TEST_CASE("acks name an order by UUID or a photo by hash") {
    const auto order_ack = parse_ack(payload_of(encode(Ack{AckKind::order, uuid}), FrameType::ack));
    REQUIRE(order_ack);
    CHECK(order_ack.value->id == uuid);
    const auto hash = to_hex(digest_of(4));
    const auto photo_ack = parse_ack(payload_of(encode(Ack{AckKind::photo, hash}), FrameType::ack));
    REQUIRE(photo_ack);
    CHECK(photo_ack.value->kind == AckKind::photo);
    CHECK(parse_ack(R"({"kind":"refund","id":"x"})").error ==
          "field \"kind\" must be \"order\", \"photo\", \"venue_print\", \"venue_ready\", "
          "\"venue_picked_up\" or \"venue_failed\"");
}

const std::string reorder_id = "5d6e7f80-9a1b-4c8e-9a3b-0b7e4a6c2f1d";

TEST_CASE("a venue print survives encode and parse") {
    VenuePrint print;
    print.reorder = reorder_id;
    print.order_id = uuid;
    print.code = "K7Q-X2M";
    print.name = "Aiko Tanaka";
    print.items = {{digest_of(5), 4'000'000, 2, "print-4x6"}, {digest_of(6), 3'000'000, 1, "8x10"}};
    const auto parsed = parse_venue_print(payload_of(encode(print), FrameType::venue_print));
    REQUIRE_MESSAGE(parsed, parsed.error);
    CHECK(parsed.value->reorder == reorder_id);
    CHECK(parsed.value->order_id == uuid);
    CHECK(parsed.value->code == "K7Q-X2M");
    CHECK(parsed.value->name == "Aiko Tanaka");
    REQUIRE(parsed.value->items.size() == 2);
    CHECK(parsed.value->items[0].sha256 == digest_of(5));
    CHECK(parsed.value->items[0].size == 4'000'000);
    CHECK(parsed.value->items[0].copies == 2);
    CHECK(parsed.value->items[1].product == "8x10");
}

TEST_CASE("a venue print with a missing, unknown or out-of-range field is refused") {
    const auto hash = to_hex(digest_of(5));
    const auto item = R"({"sha256":")" + hash + R"(","size":10,"copies":1,"product":"print-4x6"})";
    const auto with = [&](const std::string& items, const std::string& extra = "") {
        return R"({"reorder":")" + reorder_id + R"(","order_id":")" + uuid +
               R"(","code":"K7Q-X2M","name":"")" + extra + R"(,"items":[)" + items + "]}";
    };
    REQUIRE_MESSAGE(parse_venue_print(with(item)), parse_venue_print(with(item)).error);
    CHECK(parse_venue_print(with(item, R"(,"note":"x")")).error == "unknown field \"note\"");
    CHECK(parse_venue_print(with("")).error == "field \"items\" must name at least one photo");
    CHECK(parse_venue_print(
              with(R"({"sha256":")" + hash + R"(","size":10,"copies":0,"product":"p"})"))
              .error == "an item's \"copies\" must be at least 1");
    CHECK(
        parse_venue_print(with(R"({"sha256":")" + hash + R"(","size":10,"product":"p"})")).error ==
        "missing field \"copies\"");
    CHECK(parse_venue_print(
              with(R"({"sha256":")" + hash + R"(","size":10,"copies":1,"product":"p","x":1})"))
              .error == "unknown field \"x\"");
    CHECK(parse_venue_print(R"({"reorder":"r1","order_id":")" + uuid +
                            R"(","code":"K","name":"","items":[]})")
              .error == "field \"reorder\" must be a UUID");
}

TEST_CASE("venue acks name a reorder, and only a failure carries a reason") {
    for (const auto kind : {AckKind::venue_print, AckKind::venue_ready, AckKind::venue_picked_up}) {
        const auto parsed = parse_ack(payload_of(encode(Ack{kind, reorder_id}), FrameType::ack));
        REQUIRE_MESSAGE(parsed, parsed.error);
        CHECK(parsed.value->kind == kind);
        CHECK(parsed.value->id == reorder_id);
    }
    const auto failed = parse_ack(payload_of(
        encode(Ack{AckKind::venue_failed, reorder_id, "the booth does not hold photo ab"}),
        FrameType::ack));
    REQUIRE_MESSAGE(failed, failed.error);
    CHECK(failed.value->reason == "the booth does not hold photo ab");
    CHECK(parse_ack(R"({"kind":"venue_ready","id":")" + reorder_id + R"(","reason":"x"})").error ==
          "unknown field \"reason\"");
    CHECK(parse_ack(R"({"kind":"venue_failed","id":")" + reorder_id + R"("})").error ==
          "missing field \"reason\"");
    CHECK(parse_ack(R"({"kind":"venue_print","id":"12"})").error ==
          "a venue_print ACK's \"id\" must be a reorder's UUID");
}

TEST_CASE("a venue photo request and the hub's refusal survive encode and parse") {
    const auto wanted = parse_venue_photo_wanted(
        payload_of(encode(VenuePhotoWanted{reorder_id, digest_of(7), 2'097'000}),
                   FrameType::venue_photo_wanted));
    REQUIRE_MESSAGE(wanted, wanted.error);
    CHECK(wanted.value->reorder == reorder_id);
    CHECK(wanted.value->sha256 == digest_of(7));
    CHECK(wanted.value->offset == 2'097'000);

    const auto unavailable = parse_venue_photo_unavailable(
        payload_of(encode(VenuePhotoUnavailable{reorder_id, digest_of(7), "not on the hub"}),
                   FrameType::venue_photo_unavailable));
    REQUIRE_MESSAGE(unavailable, unavailable.error);
    CHECK(unavailable.value->reorder == reorder_id);
    CHECK(unavailable.value->sha256 == digest_of(7));
    CHECK(unavailable.value->reason == "not on the hub");
}

TEST_CASE("a venue photo request or refusal with a bad field is refused with the field named") {
    const auto hash = to_hex(digest_of(7));
    const auto wanted = [&](const std::string& fields) {
        return parse_venue_photo_wanted("{" + fields + "}").error;
    };
    const auto reorder = R"("reorder":")" + reorder_id + R"(")";
    CHECK(wanted(reorder + R"(,"sha256":")" + hash + R"(","offset":0)").empty());
    CHECK(wanted(reorder + R"(,"sha256":")" + hash + R"(")") == "missing field \"offset\"");
    CHECK(wanted(reorder + R"(,"sha256":")" + hash + R"(","offset":-1)") ==
          "field \"offset\" must be a non-negative integer");
    CHECK(wanted(reorder + R"(,"sha256":")" + hash + R"(","offset":67108864)") ==
          "field \"offset\" is above 67108863");
    CHECK(wanted(reorder + R"(,"sha256":"ABC","offset":0)") ==
          "field \"sha256\" must be 64 lowercase hex digits");
    CHECK(wanted(reorder + R"(,"sha256":")" + std::string(64, 'A') + R"(","offset":0)") ==
          "field \"sha256\" must be 64 lowercase hex digits");
    CHECK(wanted(R"("reorder":"x","sha256":")" + hash + R"(","offset":0)") ==
          "field \"reorder\" must be a UUID");
    CHECK(wanted(reorder + R"(,"sha256":")" + hash + R"(","offset":0,"path":"/etc/passwd")") ==
          "unknown field \"path\"");
    CHECK(parse_venue_photo_wanted("[1]").error == "payload is not a JSON object");

    const auto unavailable = [&](const std::string& fields) {
        return parse_venue_photo_unavailable("{" + fields + "}").error;
    };
    CHECK(unavailable(reorder + R"(,"sha256":")" + hash + R"(","reason":"gone")").empty());
    CHECK(unavailable(reorder + R"(,"sha256":")" + hash + R"(","reason":"")") ==
          "field \"reason\" must say why");
    CHECK(unavailable(reorder + R"(,"sha256":")" + hash + R"(","reason":")" +
                      std::string(513, 'x') + R"(")") ==
          "field \"reason\" is longer than 512 bytes");
    CHECK(unavailable(reorder + R"(,"sha256":")" + hash + R"(")") == "missing field \"reason\"");
}

TEST_CASE("a join token survives encoding and pasting with a trailing newline") {
    JoinToken token{
        {"hub.example", 8443}, "https://photos.example", std::string(64, 'c'), "booth-1", "s3cret"};
    const auto text = encode_join_token(token) + "\n";
    CHECK(text.starts_with("encore-join-1."));
    std::string error;
    const auto decoded = decode_join_token(text, error);
    REQUIRE_MESSAGE(decoded, error);
    CHECK(decoded->link.port == 8443);
    CHECK(decoded->kiosk == "booth-1");
    CHECK(decoded->secret == "s3cret");
    CHECK_FALSE(decode_join_token("encore-join-1.!!!", error));
    CHECK(error.find("damaged") != std::string::npos);
    CHECK_FALSE(decode_join_token("hello", error));
    CHECK(error.find("not an Encore join token") != std::string::npos);
}
