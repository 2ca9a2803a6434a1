#include "hub/intake/intake_server.hpp"
#include "hub/intake/kiosk_registry.hpp"
#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/tls/certificates.hpp"
#include "platform/wire/messages.hpp"
#include "tests/support/link_test_client.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <doctest/doctest.h>

#include <future>
#include <thread>

using namespace encore;
using testing::LinkTestClient;
namespace wire = platform::wire;
namespace tls = platform::tls;

namespace {

// A hub's intake on its own thread, with its data in a temporary folder.
class HubFixture {
public:
    HubFixture()
        : registry_(dir_.path(), "127.0.0.1")
        , images_(dir_ / "images")
        , orders_(hub::open_sqlite_order_repository(dir_ / "orders.db")) {
        hub::IntakeSettings settings;
        settings.listen = {"127.0.0.1", 0};
        settings.public_url = "https://photos.example";
        intake_ =
            std::make_unique<hub::IntakeServer>(loop_, settings, registry_, images_, *orders_);
        port_ = intake_->local_endpoint().port;
        thread_ = std::thread([this] { loop_.run(); });
    }
    ~HubFixture() {
        boost::asio::post(loop_, [this] {
            intake_->stop();
            loop_.stop();
        });
        thread_.join();
    }

    // Runs `work` on the hub's loop and waits for it (the registry is not thread-safe).
    template <typename Work>
    auto on_loop(Work work) {
        std::packaged_task<decltype(work())()> task(std::move(work));
        auto result = task.get_future();
        boost::asio::post(loop_, [&task] { task(); });
        return result.get();
    }

    // Enrols a kiosk the way a booth does and returns its identity.
    LinkTestClient::Identity enrol(const std::string& kiosk) {
        const auto secret =
            on_loop([&] { return registry_.create_join_secret(kiosk, std::chrono::hours(1)); });
        const auto key = tls::generate_private_key();
        LinkTestClient client("127.0.0.1", port_, registry_.ca_certificate_pem(), std::nullopt);
        client.send(wire::encode(wire::Enrol{secret, tls::make_signing_request(key, kiosk)}));
        const auto reply = client.receive();
        REQUIRE(reply);
        REQUIRE(reply->type == wire::FrameType::enrolled);
        const auto enrolled = wire::parse_enrolled(reply->payload_text());
        REQUIRE(enrolled);
        CHECK(enrolled.value->kiosk == kiosk);
        CHECK(enrolled.value->public_url == "https://photos.example");
        return {enrolled.value->certificate_pem, key};
    }

    std::unique_ptr<LinkTestClient> connect(const LinkTestClient::Identity& identity) {
        auto client = std::make_unique<LinkTestClient>("127.0.0.1", port_,
                                                       registry_.ca_certificate_pem(), identity);
        client->send(wire::encode(wire::Hello{wire::protocol_version, "test-kiosk"}));
        return client;
    }

    hub::KioskRegistry& registry() { return registry_; }
    hub::ImageStore& images() { return images_; }
    hub::OrderRepository& orders() { return *orders_; }
    hub::IntakeServer& intake() { return *intake_; }
    std::uint16_t port() const { return port_; }

private:
    testing::TempDir dir_;
    boost::asio::io_context loop_;
    hub::KioskRegistry registry_;
    hub::ImageStore images_;
    std::unique_ptr<hub::OrderRepository> orders_;
    std::unique_ptr<hub::IntakeServer> intake_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

wire::Frame expect(LinkTestClient& client, wire::FrameType type) {
    auto frame = client.receive();
    REQUIRE_MESSAGE(frame, "no frame arrived, expected ", wire::to_string(type));
    if (frame->type != type) {
        FAIL("got ", wire::to_string(frame->type), " ", frame->payload_text(), ", expected ",
             wire::to_string(type));
    }
    return std::move(*frame);
}

std::vector<std::byte> photo_bytes(std::size_t size, unsigned seed) {
    std::vector<std::byte> bytes(size);
    for (std::size_t index = 0; index < size; ++index) {
        bytes[index] = static_cast<std::byte>((index * 31 + seed * 7) ^ (index >> 8));
    }
    return bytes;
}

wire::Sha256 digest_of(const std::vector<std::byte>& bytes) {
    const auto digest = platform::crypto::sha256(bytes);
    wire::Sha256 out{};
    std::copy(digest.begin(), digest.end(), out.begin());
    return out;
}

wire::Order make_order(const wire::Sha256& photo, std::uint64_t size) {
    wire::Order order;
    order.order_id = platform::crypto::random_uuid();
    order.code = platform::crypto::random_short_code(6);
    order.token_sha256 =
        platform::crypto::to_hex(platform::crypto::sha256(platform::crypto::random_token(16)));
    order.event = "wedding";
    order.created_at = "2026-11-28T12:00:00Z";
    order.copies = 1;
    order.layout = "single-4x6";
    order.photos = {{photo, size}};
    return order;
}

void upload(LinkTestClient& client, const std::vector<std::byte>& photo, std::size_t from,
            std::size_t until, std::size_t chunk = 256 * 1024) {
    for (std::size_t offset = from; offset < until; offset += chunk) {
        const auto piece = std::span(photo).subspan(offset, std::min(chunk, until - offset));
        client.send(wire::encode_chunk(digest_of(photo), offset, piece));
    }
}

} // namespace

TEST_CASE("a kiosk enrols once with its join secret, the secret cannot be replayed") {
    HubFixture hub;
    const auto secret = hub.on_loop(
        [&] { return hub.registry().create_join_secret("booth-1", std::chrono::hours(1)); });
    const auto key = tls::generate_private_key();
    const auto request = tls::make_signing_request(key, "booth-1");
    {
        LinkTestClient client("127.0.0.1", hub.port(), hub.registry().ca_certificate_pem(),
                              std::nullopt);
        client.send(wire::encode(wire::Enrol{secret, request}));
        const auto reply = expect(client, wire::FrameType::enrolled);
        CHECK(tls::common_name_of(
                  wire::parse_enrolled(reply.payload_text()).value->certificate_pem) == "booth-1");
    }
    LinkTestClient replay("127.0.0.1", hub.port(), hub.registry().ca_certificate_pem(),
                          std::nullopt);
    replay.send(wire::encode(wire::Enrol{secret, request}));
    const auto refused = expect(replay, wire::FrameType::error);
    CHECK(wire::parse_error(refused.payload_text()).value->code == "enrol-refused");
    CHECK(refused.payload_text().find("already used") != std::string_view::npos);
    CHECK_FALSE(replay.receive(std::chrono::seconds(2)));
}

TEST_CASE("an order is acknowledged once stored, and a resent order is absorbed") {
    HubFixture hub;
    const auto identity = hub.enrol("booth-1");
    auto client = hub.connect(identity);
    const auto welcome =
        wire::parse_welcome(expect(*client, wire::FrameType::welcome).payload_text());
    REQUIRE(welcome);
    CHECK(welcome.value->kiosk == "booth-1");
    CHECK(welcome.value->public_url == "https://photos.example");

    const auto order = make_order(digest_of(photo_bytes(10, 1)), 10);
    client->send(wire::encode(order));
    const auto ack = wire::parse_ack(expect(*client, wire::FrameType::ack).payload_text());
    REQUIRE(ack);
    CHECK(ack.value->id == order.order_id);
    CHECK(hub.on_loop([&] { return hub.orders().find_order(order.order_id).has_value(); }));

    client->send(wire::encode(order));
    expect(*client, wire::FrameType::ack);
    CHECK(hub.on_loop([&] { return hub.orders().count_orders(); }) == 1);
}

TEST_CASE("a photo uploaded in chunks is stored byte for byte, and resumes after a cut") {
    HubFixture hub;
    const auto identity = hub.enrol("booth-1");
    const auto photo = photo_bytes(3 * 1024 * 1024 + 123, 2);
    const auto digest = digest_of(photo);
    const auto order = make_order(digest, photo.size());
    {
        auto client = hub.connect(identity);
        expect(*client, wire::FrameType::welcome);
        client->send(wire::encode(wire::PhotoBegin{digest, photo.size(), order.order_id}));
        const auto offset =
            wire::parse_offset(expect(*client, wire::FrameType::offset).payload_text());
        CHECK(offset.value->offset == 0);
        upload(*client, photo, 0, 2 * 1024 * 1024);
        // Let the hub take the chunks in, then cut the connection mid-photo.
        client->send(wire::encode_ping(wire::Ping{1}));
        expect(*client, wire::FrameType::pong);
    }
    auto client = hub.connect(identity);
    const auto welcome =
        wire::parse_welcome(expect(*client, wire::FrameType::welcome).payload_text());
    REQUIRE(welcome.value->uploads.size() == 1);
    CHECK(welcome.value->uploads[0].offset == 2 * 1024 * 1024);

    client->send(wire::encode(wire::PhotoBegin{digest, photo.size(), order.order_id}));
    const auto resume = wire::parse_offset(expect(*client, wire::FrameType::offset).payload_text());
    REQUIRE(resume.value->offset == 2 * 1024 * 1024);
    upload(*client, photo, resume.value->offset, photo.size());
    client->send(wire::encode(wire::PhotoEnd{digest}));
    const auto ack = wire::parse_ack(expect(*client, wire::FrameType::ack).payload_text());
    CHECK(ack.value->kind == wire::AckKind::photo);
    CHECK(ack.value->id == wire::to_hex(digest));
    CHECK(hub.on_loop([&] { return hub.images().read(wire::to_hex(digest)); }) == photo);

    // The same photo again (another order, another booth session) is acknowledged at once.
    client->send(wire::encode(wire::PhotoBegin{digest, photo.size(), order.order_id}));
    expect(*client, wire::FrameType::ack);
}

TEST_CASE("a photo whose bytes do not match its hash is refused and not stored") {
    HubFixture hub;
    auto client = hub.connect(hub.enrol("booth-1"));
    expect(*client, wire::FrameType::welcome);
    const auto photo = photo_bytes(5000, 3);
    const auto claimed = digest_of(photo_bytes(5000, 4));
    client->send(
        wire::encode(wire::PhotoBegin{claimed, photo.size(), platform::crypto::random_uuid()}));
    expect(*client, wire::FrameType::offset);
    client->send(wire::encode_chunk(claimed, 0, photo));
    client->send(wire::encode(wire::PhotoEnd{claimed}));
    const auto error = wire::parse_error(expect(*client, wire::FrameType::error).payload_text());
    CHECK(error.value->code == "hash-mismatch");
    CHECK_FALSE(hub.on_loop([&] { return hub.images().contains(wire::to_hex(claimed)); }));
}

TEST_CASE("without a certificate only enrolment is possible") {
    HubFixture hub;
    LinkTestClient client("127.0.0.1", hub.port(), hub.registry().ca_certificate_pem(),
                          std::nullopt);
    client.send(wire::encode(wire::Hello{wire::protocol_version, "intruder"}));
    const auto error = wire::parse_error(expect(client, wire::FrameType::error).payload_text());
    CHECK(error.value->code == "not-enrolled");
    CHECK_FALSE(client.receive(std::chrono::seconds(2)));
}

TEST_CASE("a revoked kiosk is cut off at once and refused from then on") {
    HubFixture hub;
    const auto identity = hub.enrol("booth-1");
    auto client = hub.connect(identity);
    expect(*client, wire::FrameType::welcome);
    CHECK(hub.on_loop([&] {
        hub.intake().disconnect("booth-1");
        return hub.registry().revoke("booth-1");
    }));
    CHECK_FALSE(client->receive(std::chrono::seconds(2)));

    auto again = hub.connect(identity);
    const auto error = wire::parse_error(expect(*again, wire::FrameType::error).payload_text());
    CHECK(error.value->code == "revoked");
}

TEST_CASE("a certificate from another hub's CA fails the handshake") {
    HubFixture hub;
    const auto other_ca_key = tls::generate_private_key();
    const auto other_ca = tls::make_ca_certificate(other_ca_key, "other hub", 10);
    const auto key = tls::generate_private_key();
    const auto cert =
        tls::issue_certificate(other_ca_key, other_ca, tls::make_signing_request(key, "booth-1"),
                               "booth-1", tls::CertificateUse::client, 10, 99);
    bool refused = false;
    try {
        LinkTestClient client("127.0.0.1", hub.port(), hub.registry().ca_certificate_pem(),
                              LinkTestClient::Identity{cert, key});
        client.send(wire::encode(wire::Hello{wire::protocol_version, "forged"}));
        // With TLS 1.3 the client learns of the refusal on its first read.
        refused = !client.receive(std::chrono::seconds(3)).has_value();
    } catch (const std::exception&) {
        refused = true;
    }
    CHECK(refused);
}

TEST_CASE("garbage frames close that connection, other kiosks are still served") {
    HubFixture hub;
    const auto identity = hub.enrol("booth-1");
    auto good = hub.connect(identity);
    expect(*good, wire::FrameType::welcome);

    auto bad = hub.connect(hub.enrol("booth-2"));
    expect(*bad, wire::FrameType::welcome);
    bad->send_raw(std::string("\x7f\xff\xff\xff\x03garbage", 12));
    const auto error = wire::parse_error(expect(*bad, wire::FrameType::error).payload_text());
    CHECK(error.value->code == "bad-frame");
    CHECK_FALSE(bad->receive(std::chrono::seconds(2)));

    auto malformed = hub.connect(identity);
    expect(*malformed, wire::FrameType::welcome);
    malformed->send(wire::encode_frame(wire::FrameType::order, "{\"order_id\": 5}"));
    CHECK(
        wire::parse_error(expect(*malformed, wire::FrameType::error).payload_text()).value->code ==
        "bad-message");

    good->send(wire::encode_ping(wire::Ping{7}));
    CHECK(wire::parse_ping(expect(*good, wire::FrameType::pong).payload_text()).value->sequence ==
          7);
}
