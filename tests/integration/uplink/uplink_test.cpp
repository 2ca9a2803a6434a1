#include "hub/intake/intake_server.hpp"
#include "hub/intake/kiosk_registry.hpp"
#include "kiosk/journal/journal.hpp"
#include "kiosk/outbox/outbox.hpp"
#include "kiosk/uplink/uplink.hpp"
#include "platform/crypto/sha256.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <functional>
#include <random>

using namespace encore;
using namespace std::chrono_literals;
namespace wire = platform::wire;

namespace {

// A hub and a booth in one process on one loop: the real intake, journal and uplink.
class LinkFixture {
public:
    LinkFixture()
        : registry_(dir_ / "hub", "127.0.0.1")
        , images_(dir_ / "hub" / "images")
        , orders_(hub::open_sqlite_order_repository(dir_ / "hub" / "orders.db")) {
        hub::IntakeSettings settings;
        settings.listen = {"127.0.0.1", 0};
        settings.public_url = "https://photos.example";
        settings.heartbeat = 2s;
        intake_ =
            std::make_unique<hub::IntakeServer>(loop_, settings, registry_, images_, *orders_);
    }

    wire::JoinToken join_token(const std::string& kiosk) {
        return {{"127.0.0.1", intake_->local_endpoint().port},
                "https://photos.example",
                registry_.ca_fingerprint(),
                kiosk,
                registry_.create_join_secret(kiosk, std::chrono::hours(1))};
    }

    std::variant<kiosk::KioskIdentity, kiosk::EnrolmentError> enrol(const wire::JoinToken& token) {
        std::optional<std::variant<kiosk::KioskIdentity, kiosk::EnrolmentError>> result;
        boost::asio::co_spawn(
            loop_,
            [&]() -> boost::asio::awaitable<void> {
                result = co_await kiosk::enrol_with_hub(token, 5s);
            },
            boost::asio::detached);
        run_until([&] { return result.has_value(); }, 10s);
        REQUIRE(result);
        return *result;
    }

    // Runs the loop until `done` holds or the time is up; returns whether it held.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) {
                return false;
            }
            loop_.run_for(20ms);
            loop_.restart();
        }
        return true;
    }

    boost::asio::io_context& loop() { return loop_; }
    hub::IntakeServer& intake() { return *intake_; }
    hub::ImageStore& images() { return images_; }
    hub::OrderRepository& orders() { return *orders_; }
    const testing::TempDir& dir() const { return dir_; }

private:
    testing::TempDir dir_;
    boost::asio::io_context loop_;
    hub::KioskRegistry registry_;
    hub::ImageStore images_;
    std::unique_ptr<hub::OrderRepository> orders_;
    std::unique_ptr<hub::IntakeServer> intake_;
};

std::vector<std::byte> random_photo(std::mt19937& random, std::size_t size) {
    std::vector<std::byte> bytes(size);
    for (auto& byte : bytes) {
        byte = static_cast<std::byte>(random());
    }
    return bytes;
}

std::vector<std::string> take_orders(kiosk::Journal& journal, int count, std::mt19937& random) {
    std::vector<std::string> ids;
    for (int index = 0; index < count; ++index) {
        const auto session = journal.begin_session("gala");
        for (int shot = 0; shot < 2; ++shot) {
            journal.add_photo(session, random_photo(random, 300'000 + random() % 900'000));
        }
        ids.push_back(
            journal.create_order(session, 1, "single-4x6", "https://photos.example").order_id);
    }
    return ids;
}

} // namespace

TEST_CASE("a booth enrols with a join token, and the token cannot be used twice") {
    LinkFixture fixture;
    const auto token = fixture.join_token("booth-1");
    const auto first = fixture.enrol(token);
    REQUIRE(std::holds_alternative<kiosk::KioskIdentity>(first));
    const auto& identity = std::get<kiosk::KioskIdentity>(first);
    CHECK(identity.kiosk == "booth-1");
    CHECK(identity.public_url == "https://photos.example");

    kiosk::save_identity(fixture.dir() / "kiosk", identity);
    const auto loaded = kiosk::load_identity(fixture.dir() / "kiosk");
    REQUIRE(loaded);
    CHECK(loaded->certificate_pem == identity.certificate_pem);
    CHECK(std::filesystem::status(fixture.dir() / "kiosk" / "identity" / "key.pem").permissions() ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

    const auto replay = fixture.enrol(token);
    REQUIRE(std::holds_alternative<kiosk::EnrolmentError>(replay));
    CHECK(std::get<kiosk::EnrolmentError>(replay).message.find("already used") !=
          std::string::npos);
}

TEST_CASE("a join token pointing at a different hub is refused before the secret is sent") {
    LinkFixture fixture;
    auto token = fixture.join_token("booth-1");
    token.ca_sha256 = std::string(64, 'a');
    const auto result = fixture.enrol(token);
    REQUIRE(std::holds_alternative<kiosk::EnrolmentError>(result));
    CHECK(std::get<kiosk::EnrolmentError>(result).message.find("not the hub") != std::string::npos);
}

TEST_CASE("the outbox drains to the hub: every order once, every photo byte-identical") {
    LinkFixture fixture;
    const auto identity =
        std::get<kiosk::KioskIdentity>(fixture.enrol(fixture.join_token("booth-1")));
    auto journal = kiosk::Journal::open(fixture.dir() / "kiosk");
    std::mt19937 random(7);
    const auto ids = take_orders(*journal, 5, random);

    kiosk::Outbox outbox(*journal);
    kiosk::Uplink uplink(fixture.loop(), outbox, identity);
    uplink.start();
    const bool drained = fixture.run_until(
        [&] {
            const auto status = outbox.status();
            return status.pending_orders + status.pending_photos == 0;
        },
        30s);
    CHECK_MESSAGE(drained, uplink.status().last_error);
    CHECK(uplink.status().connected);
    CHECK(fixture.orders().count_orders() == 5);
    for (const auto& id : ids) {
        const auto stored = fixture.orders().find_order(id);
        REQUIRE(stored);
        for (const auto& photo : stored->photos) {
            CHECK(photo.stored);
            const auto bytes = fixture.images().read(photo.sha256);
            REQUIRE(bytes);
            CHECK(platform::crypto::to_hex(platform::crypto::sha256(*bytes)) == photo.sha256);
        }
    }
    uplink.stop();
}

TEST_CASE("cuts in the middle of uploads are resumed, and nothing is lost or doubled") {
    LinkFixture fixture;
    const auto identity =
        std::get<kiosk::KioskIdentity>(fixture.enrol(fixture.join_token("booth-1")));
    auto journal = kiosk::Journal::open(fixture.dir() / "kiosk");
    std::mt19937 random(11);
    const auto ids = take_orders(*journal, 8, random);

    kiosk::Outbox outbox(*journal);
    kiosk::UplinkSettings settings;
    settings.backoff_min = 50ms;
    settings.backoff_max = 200ms;
    settings.chunk_bytes = 64 * 1024;
    kiosk::Uplink uplink(fixture.loop(), outbox, identity, settings);
    uplink.start();
    int cuts = 0;
    const bool drained = fixture.run_until(
        [&] {
            // Cut the link every few rounds of the loop while work remains.
            if (random() % 4 == 0 && cuts < 15) {
                fixture.intake().disconnect("booth-1");
                ++cuts;
            }
            const auto status = outbox.status();
            return status.pending_orders + status.pending_photos == 0;
        },
        60s);
    CHECK_MESSAGE(drained, uplink.status().last_error);
    CHECK(cuts > 3);
    CHECK(fixture.orders().count_orders() == ids.size());
    for (const auto& id : ids) {
        const auto stored = fixture.orders().find_order(id);
        REQUIRE(stored);
        CHECK(stored->photos.size() == 2);
        for (const auto& photo : stored->photos) {
            CHECK(photo.stored);
        }
    }
    CHECK(fixture.images().partial_uploads("booth-1").empty());
    uplink.stop();
}

TEST_CASE("a booth works offline and drains its backlog when the hub appears") {
    LinkFixture fixture;
    const auto identity =
        std::get<kiosk::KioskIdentity>(fixture.enrol(fixture.join_token("booth-1")));
    auto offline_identity = identity;
    offline_identity.link.port = 1; // Nothing listens there: the uplink keeps retrying.
    auto journal = kiosk::Journal::open(fixture.dir() / "kiosk");
    std::mt19937 random(3);
    take_orders(*journal, 2, random);
    kiosk::Outbox outbox(*journal);
    kiosk::UplinkSettings settings;
    settings.backoff_min = 20ms;
    settings.backoff_max = 100ms;
    {
        kiosk::Uplink uplink(fixture.loop(), outbox, offline_identity, settings);
        uplink.start();
        fixture.run_until([] { return false; }, 500ms);
        CHECK_FALSE(uplink.status().connected);
        CHECK(uplink.status().last_error.find("cannot reach the hub") != std::string::npos);
        CHECK(uplink.status().backlog.pending_orders == 2);
        uplink.stop();
        fixture.run_until([] { return false; }, 100ms);
    }
    kiosk::Uplink uplink(fixture.loop(), outbox, identity, settings);
    uplink.start();
    CHECK(fixture.run_until([&] { return outbox.status().pending_orders == 0; }, 30s));
    CHECK(fixture.orders().count_orders() == 2);
    uplink.stop();
}
