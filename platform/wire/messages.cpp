#include "platform/wire/messages.hpp"

#include "platform/crypto/sha256.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace encore::platform::wire {
namespace {

using nlohmann::json;

// Thrown inside the parsers only; each parser turns it into Parsed::failure.
struct Refused : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Reads one message's fields strictly: each field must exist with the right type,
// and unknown fields are refused so a typo on the sending side is found at once.
class Fields {
public:
    explicit Fields(std::string_view payload) {
        json parsed = json::parse(payload, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object()) {
            throw Refused("payload is not a JSON object");
        }
        object_ = std::move(parsed);
    }

    const json& get(const char* key) {
        const auto found = object_.find(key);
        if (found == object_.end()) {
            throw Refused(std::string("missing field \"") + key + "\"");
        }
        seen_.emplace_back(key);
        return *found;
    }
    bool has(const char* key) const { return object_.contains(key); }

    std::string text(const char* key, std::size_t max_length = 256) {
        const auto& value = get(key);
        if (!value.is_string()) {
            throw Refused(std::string("field \"") + key + "\" must be a string");
        }
        auto result = value.get<std::string>();
        if (result.size() > max_length) {
            throw Refused(std::string("field \"") + key + "\" is longer than " +
                          std::to_string(max_length) + " bytes");
        }
        return result;
    }
    std::uint64_t number(const char* key, std::uint64_t max) {
        const auto& value = get(key);
        if (!value.is_number_unsigned() &&
            !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
            throw Refused(std::string("field \"") + key + "\" must be a non-negative integer");
        }
        const auto result = value.get<std::uint64_t>();
        if (result > max) {
            throw Refused(std::string("field \"") + key + "\" is above " + std::to_string(max));
        }
        return result;
    }
    Sha256 sha256(const char* key) {
        const auto hex = text(key, 64);
        const auto digest = sha256_from_hex(hex);
        if (!digest) {
            throw Refused(std::string("field \"") + key + "\" must be 64 lowercase hex digits");
        }
        return *digest;
    }
    const json& array(const char* key, std::size_t max_items) {
        const auto& value = get(key);
        if (!value.is_array() || value.size() > max_items) {
            throw Refused(std::string("field \"") + key + "\" must be a list of at most " +
                          std::to_string(max_items) + " items");
        }
        return value;
    }
    void finish() const {
        for (const auto& item : object_.items()) {
            if (std::find(seen_.begin(), seen_.end(), item.key()) == seen_.end()) {
                throw Refused("unknown field \"" + item.key() + "\"");
            }
        }
    }

private:
    json object_;
    std::vector<std::string> seen_;
};

template <typename T, typename Read>
Parsed<T> parse_with(std::string_view payload, Read read) {
    try {
        Fields fields(payload);
        T value = read(fields);
        fields.finish();
        return {std::move(value), {}};
    } catch (const Refused& refused) {
        return Parsed<T>::failure(refused.what());
    } catch (const json::exception& error) {
        return Parsed<T>::failure(std::string("malformed message: ") + error.what());
    }
}

std::vector<std::byte> json_frame(FrameType type, const json& body) {
    return encode_frame(type, body.dump());
}

void check_protocol(std::uint64_t protocol) {
    if (protocol != protocol_version) {
        throw Refused("protocol version " + std::to_string(protocol) +
                      " is not supported (this side speaks " + std::to_string(protocol_version) +
                      ")");
    }
}

std::optional<AckKind> venue_ack_kind(std::string_view kind) {
    for (const auto candidate : {AckKind::venue_print, AckKind::venue_ready,
                                 AckKind::venue_picked_up, AckKind::venue_failed}) {
        if (kind == to_string(candidate)) {
            return candidate;
        }
    }
    return std::nullopt;
}

std::string order_id(Fields& fields) {
    auto id = fields.text("order_id", 36);
    if (!is_uuid(id)) {
        throw Refused("field \"order_id\" must be a UUID");
    }
    return id;
}

std::string reorder_id(Fields& fields) {
    auto id = fields.text("reorder", 36);
    if (!is_uuid(id)) {
        throw Refused("field \"reorder\" must be a UUID");
    }
    return id;
}

} // namespace

std::string_view to_string(AckKind kind) {
    switch (kind) {
    case AckKind::order:
        return "order";
    case AckKind::photo:
        return "photo";
    case AckKind::venue_print:
        return "venue_print";
    case AckKind::venue_ready:
        return "venue_ready";
    case AckKind::venue_picked_up:
        return "venue_picked_up";
    case AckKind::venue_failed:
        return "venue_failed";
    }
    return "?";
}

std::string to_hex(const Sha256& digest) {
    return crypto::to_hex(digest);
}

std::optional<Sha256> sha256_from_hex(std::string_view hex) {
    if (hex.size() != 64) {
        return std::nullopt;
    }
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    };
    Sha256 digest{};
    for (std::size_t index = 0; index < digest.size(); ++index) {
        const int high = nibble(hex[2 * index]);
        const int low = nibble(hex[2 * index + 1]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        digest[index] = static_cast<std::uint8_t>(high * 16 + low);
    }
    return digest;
}

bool is_uuid(std::string_view text) {
    if (text.size() != 36) {
        return false;
    }
    for (std::size_t index = 0; index < text.size(); ++index) {
        const char c = text[index];
        if (index == 8 || index == 13 || index == 18 || index == 23) {
            if (c != '-') {
                return false;
            }
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

Parsed<Hello> parse_hello(std::string_view payload) {
    return parse_with<Hello>(payload, [](Fields& fields) {
        Hello hello;
        hello.protocol = static_cast<std::uint32_t>(fields.number("protocol", 0xffff));
        check_protocol(hello.protocol);
        hello.software = fields.text("software", 64);
        return hello;
    });
}

Parsed<Welcome> parse_welcome(std::string_view payload) {
    return parse_with<Welcome>(payload, [](Fields& fields) {
        Welcome welcome;
        welcome.protocol = static_cast<std::uint32_t>(fields.number("protocol", 0xffff));
        check_protocol(welcome.protocol);
        welcome.kiosk = fields.text("kiosk", 64);
        welcome.public_url = fields.text("public_url", 512);
        welcome.heartbeat_seconds =
            static_cast<std::uint32_t>(fields.number("heartbeat_seconds", 3600));
        for (const auto& item : fields.array("uploads", 10000)) {
            Fields upload(item.dump());
            welcome.uploads.push_back(
                {upload.sha256("sha256"), upload.number("offset", max_photo_bytes)});
            upload.finish();
        }
        return welcome;
    });
}

Parsed<Order> parse_order(std::string_view payload) {
    return parse_with<Order>(payload, [](Fields& fields) {
        Order order;
        order.order_id = order_id(fields);
        order.code = fields.text("code", 16);
        order.token_sha256 = to_hex(fields.sha256("token_sha256"));
        order.event = fields.text("event", 128);
        order.created_at = fields.text("created_at", 40);
        order.copies = static_cast<std::uint32_t>(fields.number("copies", 100));
        order.layout = fields.text("layout", 64);
        for (const auto& item : fields.array("photos", 16)) {
            Fields photo(item.dump());
            order.photos.push_back({photo.sha256("sha256"), photo.number("size", max_photo_bytes)});
            photo.finish();
        }
        return order;
    });
}

Parsed<Ack> parse_ack(std::string_view payload) {
    return parse_with<Ack>(payload, [](Fields& fields) {
        Ack ack;
        const auto kind = fields.text("kind", 16);
        if (kind == "order") {
            ack.kind = AckKind::order;
            ack.id = fields.text("id", 36);
            if (!is_uuid(ack.id)) {
                throw Refused("an order ACK's \"id\" must be a UUID");
            }
        } else if (kind == "photo") {
            ack.kind = AckKind::photo;
            ack.id = to_hex(fields.sha256("id"));
        } else if (const auto venue = venue_ack_kind(kind)) {
            ack.kind = *venue;
            ack.id = fields.text("id", 36);
            if (!is_uuid(ack.id)) {
                throw Refused("a " + kind + " ACK's \"id\" must be a reorder's UUID");
            }
            if (ack.kind == AckKind::venue_failed) {
                ack.reason = fields.text("reason", 512);
            }
        } else {
            throw Refused("field \"kind\" must be \"order\", \"photo\", \"venue_print\", "
                          "\"venue_ready\", \"venue_picked_up\" or \"venue_failed\"");
        }
        return ack;
    });
}

Parsed<VenuePrint> parse_venue_print(std::string_view payload) {
    return parse_with<VenuePrint>(payload, [](Fields& fields) {
        VenuePrint print;
        print.reorder = fields.text("reorder", 36);
        if (!is_uuid(print.reorder)) {
            throw Refused("field \"reorder\" must be a UUID");
        }
        print.order_id = order_id(fields);
        print.code = fields.text("code", 16);
        print.name = fields.text("name", 128);
        const auto& items = fields.array("items", max_venue_print_items);
        if (items.empty()) {
            throw Refused("field \"items\" must name at least one photo");
        }
        for (const auto& entry : items) {
            Fields item(entry.dump());
            VenuePrintItem line;
            line.sha256 = item.sha256("sha256");
            line.size = item.number("size", max_photo_bytes);
            line.copies = static_cast<std::uint32_t>(item.number("copies", 100));
            if (line.copies == 0) {
                throw Refused("an item's \"copies\" must be at least 1");
            }
            line.product = item.text("product", 64);
            item.finish();
            print.items.push_back(std::move(line));
        }
        return print;
    });
}

Parsed<VenuePhotoWanted> parse_venue_photo_wanted(std::string_view payload) {
    return parse_with<VenuePhotoWanted>(payload, [](Fields& fields) {
        VenuePhotoWanted wanted;
        wanted.reorder = reorder_id(fields);
        wanted.sha256 = fields.sha256("sha256");
        wanted.offset = fields.number("offset", max_photo_bytes - 1);
        return wanted;
    });
}

Parsed<VenuePhotoUnavailable> parse_venue_photo_unavailable(std::string_view payload) {
    return parse_with<VenuePhotoUnavailable>(payload, [](Fields& fields) {
        VenuePhotoUnavailable unavailable;
        unavailable.reorder = reorder_id(fields);
        unavailable.sha256 = fields.sha256("sha256");
        unavailable.reason = fields.text("reason", 512);
        if (unavailable.reason.empty()) {
            throw Refused("field \"reason\" must say why");
        }
        return unavailable;
    });
}

Parsed<PhotoBegin> parse_photo_begin(std::string_view payload) {
    return parse_with<PhotoBegin>(payload, [](Fields& fields) {
        PhotoBegin begin;
        begin.sha256 = fields.sha256("sha256");
        begin.size = fields.number("size", max_photo_bytes);
        if (begin.size == 0) {
            throw Refused("field \"size\" must be at least 1");
        }
        begin.order_id = order_id(fields);
        return begin;
    });
}

Parsed<Offset> parse_offset(std::string_view payload) {
    return parse_with<Offset>(payload, [](Fields& fields) {
        return Offset{fields.sha256("sha256"), fields.number("offset", max_photo_bytes)};
    });
}

Parsed<PhotoEnd> parse_photo_end(std::string_view payload) {
    return parse_with<PhotoEnd>(payload,
                                [](Fields& fields) { return PhotoEnd{fields.sha256("sha256")}; });
}

Parsed<ErrorMessage> parse_error(std::string_view payload) {
    return parse_with<ErrorMessage>(payload, [](Fields& fields) {
        return ErrorMessage{fields.text("code", 64), fields.text("message", 1024)};
    });
}

Parsed<Ping> parse_ping(std::string_view payload) {
    return parse_with<Ping>(payload, [](Fields& fields) {
        return Ping{fields.number("seq", std::numeric_limits<std::uint64_t>::max())};
    });
}

Parsed<Chunk> parse_chunk(std::span<const std::byte> payload) {
    if (payload.size() < chunk_header_bytes) {
        return Parsed<Chunk>::failure("CHUNK shorter than its 40-byte header");
    }
    Chunk chunk;
    for (std::size_t index = 0; index < chunk.sha256.size(); ++index) {
        chunk.sha256[index] = std::to_integer<std::uint8_t>(payload[index]);
    }
    for (std::size_t index = 32; index < chunk_header_bytes; ++index) {
        chunk.offset = (chunk.offset << 8) | std::to_integer<std::uint64_t>(payload[index]);
    }
    chunk.data = payload.subspan(chunk_header_bytes);
    if (chunk.offset > max_photo_bytes || chunk.data.size() > max_photo_bytes - chunk.offset) {
        return Parsed<Chunk>::failure("CHUNK reaches past the largest photo size");
    }
    return {chunk, {}};
}

Parsed<Enrol> parse_enrol(std::string_view payload) {
    return parse_with<Enrol>(payload, [](Fields& fields) {
        return Enrol{fields.text("secret", 128), fields.text("csr_pem", 8192)};
    });
}

Parsed<Enrolled> parse_enrolled(std::string_view payload) {
    return parse_with<Enrolled>(payload, [](Fields& fields) {
        Enrolled enrolled;
        enrolled.kiosk = fields.text("kiosk", 64);
        enrolled.certificate_pem = fields.text("certificate_pem", 16384);
        enrolled.ca_certificate_pem = fields.text("ca_certificate_pem", 16384);
        enrolled.public_url = fields.text("public_url", 512);
        return enrolled;
    });
}

std::vector<std::byte> encode(const Enrol& message) {
    return json_frame(FrameType::enrol, {{"secret", message.secret}, {"csr_pem", message.csr_pem}});
}

std::vector<std::byte> encode(const Enrolled& message) {
    return json_frame(FrameType::enrolled, {{"kiosk", message.kiosk},
                                            {"certificate_pem", message.certificate_pem},
                                            {"ca_certificate_pem", message.ca_certificate_pem},
                                            {"public_url", message.public_url}});
}

std::vector<std::byte> encode(const Hello& message) {
    return json_frame(FrameType::hello,
                      {{"protocol", message.protocol}, {"software", message.software}});
}

std::vector<std::byte> encode(const Welcome& message) {
    json uploads = json::array();
    for (const auto& upload : message.uploads) {
        uploads.push_back({{"sha256", to_hex(upload.sha256)}, {"offset", upload.offset}});
    }
    return json_frame(FrameType::welcome, {{"protocol", message.protocol},
                                           {"kiosk", message.kiosk},
                                           {"public_url", message.public_url},
                                           {"heartbeat_seconds", message.heartbeat_seconds},
                                           {"uploads", uploads}});
}

std::vector<std::byte> encode(const Order& message) {
    json photos = json::array();
    for (const auto& photo : message.photos) {
        photos.push_back({{"sha256", to_hex(photo.sha256)}, {"size", photo.size}});
    }
    return json_frame(FrameType::order, {{"order_id", message.order_id},
                                         {"code", message.code},
                                         {"token_sha256", message.token_sha256},
                                         {"event", message.event},
                                         {"created_at", message.created_at},
                                         {"copies", message.copies},
                                         {"layout", message.layout},
                                         {"photos", photos}});
}

std::vector<std::byte> encode(const Ack& message) {
    json body{{"kind", to_string(message.kind)}, {"id", message.id}};
    if (message.kind == AckKind::venue_failed) {
        body["reason"] = message.reason;
    }
    return json_frame(FrameType::ack, body);
}

std::vector<std::byte> encode(const VenuePrint& message) {
    json items = json::array();
    for (const auto& item : message.items) {
        items.push_back({{"sha256", to_hex(item.sha256)},
                         {"size", item.size},
                         {"copies", item.copies},
                         {"product", item.product}});
    }
    return json_frame(FrameType::venue_print, {{"reorder", message.reorder},
                                               {"order_id", message.order_id},
                                               {"code", message.code},
                                               {"name", message.name},
                                               {"items", items}});
}

std::vector<std::byte> encode(const VenuePhotoWanted& message) {
    return json_frame(FrameType::venue_photo_wanted, {{"reorder", message.reorder},
                                                      {"sha256", to_hex(message.sha256)},
                                                      {"offset", message.offset}});
}

std::vector<std::byte> encode(const VenuePhotoUnavailable& message) {
    return json_frame(FrameType::venue_photo_unavailable, {{"reorder", message.reorder},
                                                           {"sha256", to_hex(message.sha256)},
                                                           {"reason", message.reason}});
}

std::vector<std::byte> encode(const PhotoBegin& message) {
    return json_frame(FrameType::photo_begin, {{"sha256", to_hex(message.sha256)},
                                               {"size", message.size},
                                               {"order_id", message.order_id}});
}

std::vector<std::byte> encode(const Offset& message) {
    return json_frame(FrameType::offset,
                      {{"sha256", to_hex(message.sha256)}, {"offset", message.offset}});
}

std::vector<std::byte> encode(const PhotoEnd& message) {
    return json_frame(FrameType::photo_end, {{"sha256", to_hex(message.sha256)}});
}

std::vector<std::byte> encode(const ErrorMessage& message) {
    return json_frame(FrameType::error, {{"code", message.code}, {"message", message.message}});
}

std::vector<std::byte> encode_ping(const Ping& message) {
    return json_frame(FrameType::ping, {{"seq", message.sequence}});
}

std::vector<std::byte> encode_pong(const Ping& message) {
    return json_frame(FrameType::pong, {{"seq", message.sequence}});
}

std::vector<std::byte> encode_chunk(const Sha256& sha256, std::uint64_t offset,
                                    std::span<const std::byte> data) {
    if (data.size() > max_chunk_data_bytes) {
        throw std::length_error("CHUNK data over the frame bound");
    }
    std::vector<std::byte> payload;
    payload.reserve(chunk_header_bytes + data.size());
    for (const auto byte : sha256) {
        payload.push_back(static_cast<std::byte>(byte));
    }
    for (int shift = 56; shift >= 0; shift -= 8) {
        payload.push_back(static_cast<std::byte>((offset >> shift) & 0xff));
    }
    payload.insert(payload.end(), data.begin(), data.end());
    return encode_frame(FrameType::chunk, payload);
}

} // namespace encore::platform::wire
