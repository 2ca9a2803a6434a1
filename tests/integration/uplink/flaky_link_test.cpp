// Three booths deliver their orders to one hub through the fault proxy while the test
// cuts the link at random points. The hub must end up with every order exactly once
// and every photo byte for byte, and the booths with nothing left to send.

#include "hub/intake/intake_server.hpp"
#include "hub/intake/kiosk_registry.hpp"
#include "kiosk/journal/journal.hpp"
#include "kiosk/outbox/outbox.hpp"
#include "kiosk/uplink/uplink.hpp"
#include "platform/crypto/sha256.hpp"
#include "tests/integration/uplink/fault_proxy.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>

using namespace encore;
using namespace std::chrono_literals;
namespace wire = platform::wire;

namespace {

constexpr int booth_count = 3;
constexpr int orders_per_booth = 50;
constexpr int fault_actions = 40;

// The seed comes from ENCORE_TEST_SEED when set, so a failing run can be replayed.
std::uint32_t choose_seed() {
    if (const char* given = std::getenv("ENCORE_TEST_SEED")) {
        return static_cast<std::uint32_t>(std::stoul(given));
    }
    return std::random_device{}();
}

// The real intake, registry, image store and order repository on the test's loop.
struct Hub {
    explicit Hub(boost::asio::io_context& loop)
        : registry(dir / "hub", "127.0.0.1")
        , images(dir / "hub" / "images")
        , orders(hub::open_sqlite_order_repository(dir / "hub" / "orders.db")) {
        hub::IntakeSettings settings;
        settings.listen = {"127.0.0.1", 0};
        settings.public_url = "https://photos.example";
        settings.heartbeat = 2s;
        intake = std::make_unique<hub::IntakeServer>(loop, settings, registry, images, *orders);
    }

    testing::TempDir dir;
    hub::KioskRegistry registry;
    hub::ImageStore images;
    std::unique_ptr<hub::OrderRepository> orders;
    std::unique_ptr<hub::IntakeServer> intake;
};

struct TakenOrder {
    std::string order_id;
    std::vector<std::string> photo_hashes; // SHA-256 of the bytes the camera gave, in order
};

// One booth: its own data folder, journal, outbox and uplink.
struct Booth {
    Booth(std::string name_in)
        : name(std::move(name_in))
        , journal(kiosk::Journal::open(dir / "kiosk"))
        , outbox(*journal) {}

    std::string name;
    testing::TempDir dir;
    std::unique_ptr<kiosk::Journal> journal;
    kiosk::Outbox outbox;
    std::unique_ptr<kiosk::Uplink> uplink;
    std::vector<TakenOrder> orders;
    std::uint64_t photo_bytes = 0;

    // A guest session: 1 to 4 photos of 100-400 KB of random bytes, then the order.
    void take_order(std::mt19937& random) {
        const auto session = journal->begin_session("gala");
        TakenOrder taken;
        const auto photos = 1 + random() % 4;
        for (std::uint32_t shot = 0; shot < photos; ++shot) {
            std::vector<std::byte> bytes(100'000 + random() % 300'000);
            for (std::size_t index = 0; index + 4 <= bytes.size(); index += 4) {
                const auto word = random();
                std::memcpy(bytes.data() + index, &word, 4);
            }
            journal->add_photo(session, bytes);
            photo_bytes += bytes.size();
            taken.photo_hashes.push_back(platform::crypto::to_hex(platform::crypto::sha256(bytes)));
        }
        taken.order_id =
            journal->create_order(session, 1, "single-4x6", "https://photos.example").order_id;
        journal->finish_session(session);
        orders.push_back(std::move(taken));
    }

    bool drained() {
        const auto status = outbox.status();
        return status.pending_orders + status.pending_photos == 0;
    }
};

bool run_until(boost::asio::io_context& loop, const std::function<bool()>& done,
               std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        loop.run_for(20ms);
        loop.restart();
    }
    return true;
}

std::string sha256_of_file(const std::filesystem::path& file) {
    return platform::crypto::to_hex(
        platform::crypto::sha256(std::string_view(testing::read_text_file(file))));
}

// Enrols every booth with the hub through the proxy (with the link healthy); their
// identities point at the proxy.
std::map<std::string, kiosk::KioskIdentity>
enrol(boost::asio::io_context& loop, Hub& hub, testing::FaultProxy& proxy,
      const std::vector<std::unique_ptr<Booth>>& booths) {
    std::map<std::string, std::variant<kiosk::KioskIdentity, kiosk::EnrolmentError>> enrolled;
    for (const auto& booth : booths) {
        const wire::JoinToken token{{"127.0.0.1", proxy.port()},
                                    "https://photos.example",
                                    hub.registry.ca_fingerprint(),
                                    booth->name,
                                    hub.registry.create_join_secret(booth->name, 1h)};
        boost::asio::co_spawn(
            loop,
            [&enrolled, token, name = booth->name]() -> boost::asio::awaitable<void> {
                auto result = co_await kiosk::enrol_with_hub(token, 10s);
                enrolled.emplace(name, std::move(result));
            },
            boost::asio::detached);
    }
    REQUIRE(run_until(
        loop, [&] { return enrolled.size() == booths.size(); }, 30s));
    std::map<std::string, kiosk::KioskIdentity> identities;
    for (auto& [name, result] : enrolled) {
        const auto* identity = std::get_if<kiosk::KioskIdentity>(&result);
        REQUIRE_MESSAGE(identity, std::get<kiosk::EnrolmentError>(result).message);
        identities.emplace(name, *identity);
    }
    return identities;
}

// Every order of every booth exactly once at the hub, under the booth's name, with
// every photo stored byte for byte (the SHA-256 of the hub's file is the booth's);
// no upload left half-way. Returns how many photos were checked.
std::size_t check_hub_holds_exactly(Hub& hub, const std::vector<std::unique_ptr<Booth>>& booths) {
    std::set<std::string> expected_ids;
    std::size_t expected_count = 0;
    for (const auto& booth : booths) {
        for (const auto& order : booth->orders) {
            expected_ids.insert(order.order_id);
            ++expected_count;
        }
    }
    REQUIRE(expected_ids.size() == expected_count);
    CHECK(hub.orders->count_orders() == expected_ids.size());
    std::multiset<std::string> hub_ids;
    for (const auto& order : hub.orders->list_orders("", 10'000)) {
        hub_ids.insert(order.order_id);
    }
    CHECK(hub_ids == std::multiset<std::string>(expected_ids.begin(), expected_ids.end()));

    std::size_t photos_checked = 0;
    for (const auto& booth : booths) {
        for (const auto& order : booth->orders) {
            const auto stored = hub.orders->find_order(order.order_id);
            REQUIRE_MESSAGE(stored, "order ", order.order_id, " of ", booth->name);
            CHECK(stored->kiosk == booth->name);
            REQUIRE(stored->photos.size() == order.photo_hashes.size());
            for (std::size_t index = 0; index < order.photo_hashes.size(); ++index) {
                const auto& hash = order.photo_hashes[index];
                CHECK(stored->photos[index].sha256 == hash);
                CHECK(stored->photos[index].stored);
                const auto file = hub.images.path_of(hash);
                REQUIRE_MESSAGE(std::filesystem::exists(file), "photo ", hash, " not at the hub");
                CHECK(sha256_of_file(file) == hash);
                ++photos_checked;
            }
        }
        CHECK(hub.images.partial_uploads(booth->name).empty());
    }
    return photos_checked;
}

} // namespace

TEST_CASE("3 booths x 50 orders through a link cut at random points: every order once at the "
          "hub, every photo byte-identical, nothing left in the outboxes") {
    const auto seed = choose_seed();
    std::cout << "flaky link test: seed " << seed << " (ENCORE_TEST_SEED=" << seed << " replays it)"
              << std::endl;
    INFO("seed ", seed);
    std::mt19937 random(seed);

    boost::asio::io_context loop;
    Hub hub(loop);
    testing::FaultProxy proxy(hub.intake->local_endpoint().port);

    std::vector<std::unique_ptr<Booth>> booths;
    for (int index = 1; index <= booth_count; ++index) {
        booths.push_back(std::make_unique<Booth>("booth-" + std::to_string(index)));
    }

    const auto identities = enrol(loop, hub, proxy, booths);

    kiosk::UplinkSettings settings;
    settings.connect_timeout = 5s;
    settings.reply_timeout = 10s;
    settings.heartbeat = 1s;
    settings.backoff_min = 20ms;
    settings.backoff_max = 200ms;
    // Small chunks, so a photo of a few hundred KB takes several and cuts land inside uploads.
    settings.chunk_bytes = 64 * 1024;
    for (const auto& booth : booths) {
        const auto& identity = identities.at(booth->name);
        CHECK(identity.link.port == proxy.port());
        // A few guests before the link comes up; the rest arrive while it flaps.
        for (int order = 0; order < 5; ++order) {
            booth->take_order(random);
        }
        booth->uplink = std::make_unique<kiosk::Uplink>(loop, booth->outbox, identity, settings);
        booth->uplink->start();
    }

    int actions = 0;
    const bool faults_done = run_until(
        loop,
        [&] {
            for (const auto& booth : booths) {
                if (static_cast<int>(booth->orders.size()) < orders_per_booth &&
                    random() % 3 == 0) {
                    booth->take_order(random);
                    booth->uplink->nudge();
                }
            }
            // A fault every 8 rounds of 20 ms on average, at a random point of the traffic.
            if (actions < fault_actions && random() % 8 == 0) {
                ++actions;
                if (random() % 2 == 0) {
                    proxy.command("cut");
                } else {
                    proxy.command("cut-after " + std::to_string(2'000 + random() % 1'500'000));
                }
            }
            bool all_taken = true;
            for (const auto& booth : booths) {
                all_taken = all_taken && static_cast<int>(booth->orders.size()) == orders_per_booth;
            }
            return all_taken && actions == fault_actions;
        },
        60s);
    REQUIRE(faults_done);
    proxy.command("healthy");

    const bool drained = run_until(
        loop,
        [&] {
            for (const auto& booth : booths) {
                if (!booth->drained()) {
                    return false;
                }
            }
            return true;
        },
        60s);
    const auto proxy_status = proxy.status();
    std::cout << "flaky link test: " << actions << " faults, proxy " << proxy_status.dump()
              << std::endl;
    for (const auto& booth : booths) {
        const auto status = booth->uplink->status();
        INFO(booth->name, ": ", status.backlog.pending_photos, " photos and ",
             status.backlog.pending_orders, " orders pending, last error: ", status.last_error);
        CHECK(drained);
        // The booths' outboxes are empty: everything was acknowledged.
        CHECK(status.backlog.pending_photos == 0);
        CHECK(status.backlog.pending_orders == 0);
    }
    // The faults really happened: connections were cut, many of them mid-stream.
    CHECK(proxy_status["cuts"].get<int>() >= 10);
    CHECK(proxy_status["accepted"].get<int>() > booth_count + 10);

    // Every order exactly once, every photo byte-identical.
    const auto photos_checked = check_hub_holds_exactly(hub, booths);

    std::uint64_t photo_bytes = 0;
    for (const auto& booth : booths) {
        photo_bytes += booth->photo_bytes;
    }
    std::cout << "flaky link test: " << booth_count * orders_per_booth << " orders and "
              << photos_checked << " photos (" << photo_bytes
              << " bytes) checked; the proxy carried "
              << proxy_status["bytes_to_target"].get<std::uint64_t>()
              << " bytes to the hub (TLS, frames, handshakes and resent chunks included)"
              << std::endl;

    for (const auto& booth : booths) {
        booth->uplink->stop();
    }
    run_until(
        loop, [] { return false; }, 100ms);
}

TEST_CASE("a link that goes silent is given up after the reply timeout, and the backlog goes "
          "through once it works again") {
    boost::asio::io_context loop;
    Hub hub(loop);
    testing::FaultProxy proxy(hub.intake->local_endpoint().port);
    std::vector<std::unique_ptr<Booth>> booths;
    booths.push_back(std::make_unique<Booth>("booth-1"));
    auto& booth = *booths.front();
    const auto identities = enrol(loop, hub, proxy, booths);
    std::mt19937 random(5);

    kiosk::UplinkSettings settings;
    settings.connect_timeout = 2s;
    settings.reply_timeout = 2s;
    settings.heartbeat = 1s;
    settings.backoff_min = 20ms;
    settings.backoff_max = 200ms;
    settings.chunk_bytes = 64 * 1024;
    booth.uplink =
        std::make_unique<kiosk::Uplink>(loop, booth.outbox, identities.at("booth-1"), settings);
    booth.uplink->start();
    booth.take_order(random);
    REQUIRE(run_until(
        loop, [&] { return booth.drained(); }, 20s));

    // The link hangs without a word: no reset, no FIN, every byte dropped.
    proxy.command("blackhole on");
    for (int order = 0; order < 3; ++order) {
        booth.take_order(random);
    }
    booth.uplink->nudge();
    // Twice the reply timeout: the booth must have noticed and be trying again.
    run_until(
        loop, [] { return false; }, 4500ms);
    const auto silent = booth.uplink->status();
    CHECK_FALSE(silent.connected);
    CHECK_MESSAGE(silent.last_error.find("timeout") != std::string::npos, silent.last_error);
    CHECK(silent.backlog.pending_orders == 3);
    CHECK(proxy.status()["bytes_dropped"].get<std::uint64_t>() > 0);

    // The bytes dropped in the hole broke the connections that were open; start clean.
    proxy.command("blackhole off");
    proxy.command("cut");
    CHECK(run_until(
        loop, [&] { return booth.drained(); }, 30s));
    check_hub_holds_exactly(hub, booths);
    booth.uplink->stop();
    run_until(
        loop, [] { return false; }, 100ms);
}
