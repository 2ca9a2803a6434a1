#pragma once

#include "platform/wire/frame.hpp"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The kiosk link's messages as typed structs, with strict parsers: a message with a
// missing field, a wrong type or an out-of-range value is rejected with a reason,
// and the connection that sent it is closed. docs/protocol.md is the specification.
namespace encore::platform::wire {

// The largest photo a kiosk may upload (a 24 MP JPEG at top quality is ~15 MB).
inline constexpr std::uint64_t max_photo_bytes = 64ull * 1024 * 1024;
// A CHUNK payload: 32-byte SHA-256 of the photo, u64 offset, then the data.
inline constexpr std::size_t chunk_header_bytes = 40;
inline constexpr std::size_t max_chunk_data_bytes = max_payload_bytes - chunk_header_bytes;
// The most items (photo + product lines) one VENUE_PRINT may carry.
inline constexpr std::size_t max_venue_print_items = 64;

using Sha256 = std::array<std::uint8_t, 32>;
std::string to_hex(const Sha256& digest);
std::optional<Sha256> sha256_from_hex(std::string_view hex);
bool is_uuid(std::string_view text);

struct Hello {
    std::uint32_t protocol = protocol_version;
    std::string software;
};

struct UploadResume {
    Sha256 sha256{};
    std::uint64_t offset = 0;
};

struct Welcome {
    std::uint32_t protocol = protocol_version;
    std::string kiosk;      // the name in the kiosk's certificate, as the hub sees it
    std::string public_url; // base of the QR links printed from now on
    std::uint32_t heartbeat_seconds = 15;
    std::vector<UploadResume> uploads; // partial uploads the hub holds for this kiosk
};

struct OrderPhoto {
    Sha256 sha256{};
    std::uint64_t size = 0;
};

struct Order {
    std::string order_id;     // UUID made by the kiosk
    std::string code;         // the short code printed and shown to the guest
    std::string token_sha256; // hex SHA-256 of the QR capability token (never the token)
    std::string event;
    std::string created_at; // RFC 3339 UTC
    std::uint32_t copies = 0;
    std::string layout;
    std::vector<OrderPhoto> photos;
};

// order, photo: hub -> kiosk, the order or photo is durable at the hub.
// venue_print: kiosk -> hub, the booth holds the venue print durably (it prints it).
// venue_ready, venue_picked_up, venue_failed: kiosk -> hub, where a venue print stands;
// the hub answers with the same ACK once it recorded it.
enum class AckKind { order, photo, venue_print, venue_ready, venue_picked_up, venue_failed };

struct Ack {
    AckKind kind = AckKind::order;
    std::string id; // order_id, the photo's SHA-256 in hex, or a reorder's UUID (venue_*)
    // venue_failed only: why the booth cannot print it, for the store's staff.
    std::string reason{};
};

std::string_view to_string(AckKind kind);

// One item of a venue print: a stored photo, printed `copies` times.
struct VenuePrintItem {
    Sha256 sha256{};
    std::uint64_t size = 0;
    std::uint32_t copies = 1;
    std::string product; // the price list's product id, e.g. "print-4x6"
};

// VENUE_PRINT (hub -> kiosk): a paid reorder the guest collects at the booth that took
// the photos. Sent until the kiosk acknowledges it with ACK {"kind": "venue_print"}.
struct VenuePrint {
    std::string reorder;  // the reorder's UUID
    std::string order_id; // the booth order whose photos are reprinted
    std::string code;     // the order's short code, the guest's reference
    std::string name;     // the guest's name, empty when none was given
    std::vector<VenuePrintItem> items;
};

// VENUE_PHOTO_WANTED (kiosk -> hub): the booth does not hold a photo of a venue print it
// holds and asks the hub for its bytes from `offset` on (what the booth already has). The
// hub answers with one CHUNK at that offset, or with VENUE_PHOTO_UNAVAILABLE.
struct VenuePhotoWanted {
    std::string reorder; // the venue print's reorder UUID
    Sha256 sha256{};
    std::uint64_t offset = 0; // below the largest photo size
};

// VENUE_PHOTO_UNAVAILABLE (hub -> kiosk): the hub cannot send that photo; `reason` says
// why and what to do (at most 512 bytes).
struct VenuePhotoUnavailable {
    std::string reorder;
    Sha256 sha256{};
    std::string reason;
};

struct PhotoBegin {
    Sha256 sha256{};
    std::uint64_t size = 0;
    std::string order_id;
};

struct Offset {
    Sha256 sha256{};
    std::uint64_t offset = 0;
};

struct PhotoEnd {
    Sha256 sha256{};
};

struct Chunk {
    Sha256 sha256{};
    std::uint64_t offset = 0;
    std::span<const std::byte> data; // points into the frame it was parsed from
};

struct ErrorMessage {
    std::string code;    // machine-readable, e.g. "hash-mismatch", "too-large"
    std::string message; // for the operator's log
};

struct Ping {
    std::uint64_t sequence = 0;
};

// First contact of a kiosk that holds a join token: the one-time secret and a CSR
// for the key the kiosk made itself. Sent over TLS without a client certificate.
struct Enrol {
    std::string secret;
    std::string csr_pem;
};

// The hub's answer to ENROL: the kiosk's certificate and the CA that signed it.
struct Enrolled {
    std::string kiosk;
    std::string certificate_pem;
    std::string ca_certificate_pem;
    std::string public_url;
};

// Parse results: a value, or the reason the message was refused.
template <typename T>
struct Parsed {
    std::optional<T> value;
    std::string error;

    explicit operator bool() const { return value.has_value(); }
    static Parsed failure(std::string reason) { return {std::nullopt, std::move(reason)}; }
};

Parsed<Hello> parse_hello(std::string_view payload);
Parsed<Welcome> parse_welcome(std::string_view payload);
Parsed<Order> parse_order(std::string_view payload);
Parsed<Ack> parse_ack(std::string_view payload);
Parsed<PhotoBegin> parse_photo_begin(std::string_view payload);
Parsed<Offset> parse_offset(std::string_view payload);
Parsed<PhotoEnd> parse_photo_end(std::string_view payload);
Parsed<ErrorMessage> parse_error(std::string_view payload);
Parsed<Ping> parse_ping(std::string_view payload);
Parsed<Chunk> parse_chunk(std::span<const std::byte> payload);
Parsed<Enrol> parse_enrol(std::string_view payload);
Parsed<Enrolled> parse_enrolled(std::string_view payload);
Parsed<VenuePrint> parse_venue_print(std::string_view payload);
Parsed<VenuePhotoWanted> parse_venue_photo_wanted(std::string_view payload);
Parsed<VenuePhotoUnavailable> parse_venue_photo_unavailable(std::string_view payload);

std::vector<std::byte> encode(const Hello& message);
std::vector<std::byte> encode(const Welcome& message);
std::vector<std::byte> encode(const Order& message);
std::vector<std::byte> encode(const Ack& message);
std::vector<std::byte> encode(const PhotoBegin& message);
std::vector<std::byte> encode(const Offset& message);
std::vector<std::byte> encode(const PhotoEnd& message);
std::vector<std::byte> encode(const ErrorMessage& message);
std::vector<std::byte> encode(const Enrol& message);
std::vector<std::byte> encode(const Enrolled& message);
std::vector<std::byte> encode(const VenuePrint& message);
std::vector<std::byte> encode(const VenuePhotoWanted& message);
std::vector<std::byte> encode(const VenuePhotoUnavailable& message);
std::vector<std::byte> encode_ping(const Ping& message);
std::vector<std::byte> encode_pong(const Ping& message);
std::vector<std::byte> encode_chunk(const Sha256& sha256, std::uint64_t offset,
                                    std::span<const std::byte> data);

} // namespace encore::platform::wire
