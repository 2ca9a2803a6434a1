// kill -9 of hubd in the middle of a large photo upload, then a restart on the same data
// folder and port: the booth must resume from the hub's offset, sending at most the
// chunk that was in flight again. What the hub took in is counted from its own log
// (intake at debug level logs every chunk before storing it, and the log line of the
// stored photo says where this connection resumed).

#include "kiosk/journal/journal.hpp"
#include "kiosk/outbox/outbox.hpp"
#include "kiosk/uplink/uplink.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/http/client.hpp"
#include "platform/wire/join_token.hpp"
#include "tests/integration/uplink/fault_proxy.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstring>
#include <functional>
#include <iostream>
#include <random>
#include <regex>
#include <sstream>

using namespace encore;
using namespace std::chrono_literals;
using nlohmann::json;
using testing::bin_dir;
using testing::ChildProcess;
namespace wire = platform::wire;

namespace {

constexpr std::size_t chunk_bytes = 256 * 1024;
constexpr std::size_t photo_bytes = 8 * 1024 * 1024 + 12'345; // 33 chunks, the last one short

// hubd from build/bin on a fixed data folder; the kiosk link port is kept across restarts.
class Hubd {
public:
    Hubd(const std::filesystem::path& data_dir, std::uint16_t kiosk_port)
        : data_dir_(data_dir) {
        const auto config = data_dir.parent_path() / "hubd.json";
        // Every chunk the intake takes in is logged at debug level.
        testing::write_text_file(config, R"({"log": {"categories": {"intake": "debug"}}})");
        process_ = std::make_unique<ChildProcess>(
            bin_dir() / "hubd",
            std::vector<std::string>{"--config", config.string(), "--data", data_dir.string(),
                                     "--kiosk-listen", "127.0.0.1:" + std::to_string(kiosk_port),
                                     "--private-listen", "127.0.0.1:0", "--public-listen",
                                     "127.0.0.1:0", "--public-url", "https://photos.example"});
        const auto line = process_->wait_for_line("listening", 15s);
        REQUIRE_MESSAGE(line, "hubd did not start: ", process_->stderr_text());
        std::smatch match;
        REQUIRE(std::regex_search(*line, match,
                                  std::regex("private=http://127\\.0\\.0\\.1:(\\d+)/ "
                                             "kiosk_link=127\\.0\\.0\\.1:(\\d+)")));
        private_port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
        kiosk_port_ = static_cast<std::uint16_t>(std::stoi(match[2]));
        admin_token_ = testing::read_text_file(data_dir / "admin.token");
        admin_token_.erase(admin_token_.find_last_not_of('\n') + 1);
    }

    ~Hubd() {
        if (process_->running()) {
            process_->send_signal(SIGTERM);
            process_->wait_for_exit(10s);
        }
    }

    // An admin API call (docs/operations.md); fails the test on anything but 2xx.
    json admin(const std::string& method, const std::string& target, const std::string& body = {}) {
        const auto response = platform::http::request(
            {"127.0.0.1", private_port_}, method, target,
            {{"Authorization", "Bearer " + admin_token_}, {"Content-Type", "application/json"}},
            body, 10s);
        REQUIRE_MESSAGE(response.status / 100 == 2, method, " ", target, ": ", response.status, " ",
                        response.body);
        return json::parse(response.body);
    }

    std::string raw_photo(const std::string& hash) {
        const auto response =
            platform::http::request({"127.0.0.1", private_port_}, "GET", "/api/photos/" + hash,
                                    {{"Authorization", "Bearer " + admin_token_}}, {}, 30s);
        REQUIRE(response.status == 200);
        return response.body;
    }

    std::uint16_t kiosk_port() const { return kiosk_port_; }
    ChildProcess& process() { return *process_; }

private:
    std::filesystem::path data_dir_;
    std::unique_ptr<ChildProcess> process_;
    std::uint16_t private_port_ = 0;
    std::uint16_t kiosk_port_ = 0;
    std::string admin_token_;
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

// The chunk bytes of photo `hash` that the intake logged as taken in.
std::uint64_t chunk_bytes_logged(const std::string& log, const std::string& hash) {
    const std::regex chunk_line("photo " + hash +
                                " from '[^']+': chunk at byte \\d+, (\\d+) bytes");
    std::uint64_t total = 0;
    std::istringstream lines(log);
    std::string line;
    while (std::getline(lines, line)) {
        std::smatch match;
        if (std::regex_search(line, match, chunk_line)) {
            total += std::stoull(match[1]);
        }
    }
    return total;
}

std::uint64_t bytes_held(const json& uploads, const std::string& hash) {
    for (const auto& upload : uploads["uploads"]) {
        if (upload["sha256"] == hash) {
            return upload["bytes"].get<std::uint64_t>();
        }
    }
    return 0;
}

} // namespace

TEST_CASE("kill -9 of hubd mid-upload: after the restart the booth resumes from the hub's "
          "offset and sends at most one chunk again") {
    testing::TempDir dir;
    const auto hub_data = dir / "hub";
    auto hub = std::make_unique<Hubd>(hub_data, 0);
    const auto kiosk_port = hub->kiosk_port();
    // A venue uplink of 2 MB/s, so that the upload takes seconds and the kill lands in it.
    testing::FaultProxy proxy(kiosk_port);
    proxy.command("throttle 2000000");

    const auto issued =
        hub->admin("POST", "/api/enrol-tokens", R"({"kiosk": "booth-1", "valid_hours": 1})");
    std::string decode_error;
    auto token = wire::decode_join_token(issued["token"].get<std::string>(), decode_error);
    REQUIRE_MESSAGE(token, decode_error);
    token->link.port = proxy.port();

    boost::asio::io_context loop;
    std::optional<std::variant<kiosk::KioskIdentity, kiosk::EnrolmentError>> enrolled;
    boost::asio::co_spawn(
        loop,
        [&]() -> boost::asio::awaitable<void> {
            enrolled = co_await kiosk::enrol_with_hub(*token, 10s);
        },
        boost::asio::detached);
    REQUIRE(run_until(
        loop, [&] { return enrolled.has_value(); }, 20s));
    const auto* identity = std::get_if<kiosk::KioskIdentity>(&*enrolled);
    REQUIRE_MESSAGE(identity, std::get<kiosk::EnrolmentError>(*enrolled).message);

    auto journal = kiosk::Journal::open(dir / "kiosk");
    std::mt19937 random(42);
    std::vector<std::byte> photo(photo_bytes);
    for (std::size_t index = 0; index + 4 <= photo.size(); index += 4) {
        const auto word = random();
        std::memcpy(photo.data() + index, &word, 4);
    }
    const auto hash = platform::crypto::to_hex(platform::crypto::sha256(photo));
    const auto session = journal->begin_session("gala");
    journal->add_photo(session, photo);
    const auto order_id =
        journal->create_order(session, 1, "single-4x6", "https://photos.example").order_id;

    kiosk::Outbox outbox(*journal);
    kiosk::UplinkSettings settings;
    settings.chunk_bytes = chunk_bytes;
    settings.backoff_min = 20ms;
    settings.backoff_max = 200ms;
    kiosk::Uplink uplink(loop, outbox, *identity, settings);
    uplink.start();

    // Kill once the hub holds a third of the photo.
    std::uint64_t held_before_kill = 0;
    const bool partway = run_until(
        loop,
        [&] {
            held_before_kill = bytes_held(hub->admin("GET", "/api/uploads"), hash);
            hub->process().stderr_text(); // keeps hubd's log pipe from filling up
            return held_before_kill >= photo_bytes / 3;
        },
        60s);
    REQUIRE_MESSAGE(partway, "the upload never reached a third: ", hub->process().stderr_text());
    hub->process().send_signal(SIGKILL);
    CHECK(hub->process().wait_for_exit(10s) == 128 + SIGKILL);
    const auto first_log = hub->process().stderr_text();
    const auto received_before_kill = chunk_bytes_logged(first_log, hash);
    CHECK(first_log.find("photo " + hash + " from 'booth-1' stored") == std::string::npos);
    hub.reset();

    // Let the booth find the hub gone for a moment, then bring it back on the same port.
    run_until(
        loop, [] { return false; }, 300ms);
    CHECK_FALSE(uplink.status().connected);
    hub = std::make_unique<Hubd>(hub_data, kiosk_port);
    const auto resumed_at = bytes_held(hub->admin("GET", "/api/uploads"), hash);
    const bool drained = run_until(
        loop,
        [&] {
            hub->process().stderr_text();
            const auto status = outbox.status();
            return status.pending_photos + status.pending_orders == 0;
        },
        60s);
    CHECK_MESSAGE(drained, uplink.status().last_error);
    uplink.stop();
    run_until(
        loop, [] { return false; }, 100ms);

    const auto second_log = hub->process().stderr_text();
    const auto received_after_restart = chunk_bytes_logged(second_log, hash);
    const auto received = received_before_kill + received_after_restart;
    const auto sent_again = received > photo_bytes ? received - photo_bytes : 0;
    std::cout << "hubd kill drill: photo of " << photo_bytes << " bytes in chunks of "
              << chunk_bytes << "; the hub held " << held_before_kill
              << " bytes when polled before the kill, took in " << received_before_kill
              << " before dying and resumed at byte " << resumed_at << "; "
              << received_after_restart << " bytes sent after the restart; " << sent_again
              << " bytes (" << static_cast<double>(sent_again) / chunk_bytes
              << " chunks) sent twice" << std::endl;

    // The hub kept what it had made durable, and the booth went on from there.
    CHECK(resumed_at >= held_before_kill);
    CHECK(resumed_at < photo_bytes);
    CHECK(second_log.find("kiosk 'booth-1' resumes photo " + hash + " at byte " +
                          std::to_string(resumed_at) + " of " + std::to_string(photo_bytes)) !=
          std::string::npos);
    CHECK(received_after_restart == photo_bytes - resumed_at);
    // At most the chunk in flight at the kill was sent twice.
    CHECK(received >= photo_bytes);
    CHECK(sent_again <= chunk_bytes);

    // The photo is stored whole and the order names it; nothing is left half-way.
    const auto stored = hub->raw_photo(hash);
    CHECK(stored.size() == photo_bytes);
    CHECK(platform::crypto::to_hex(platform::crypto::sha256(std::string_view(stored))) == hash);
    const auto order = hub->admin("GET", "/api/orders/" + order_id);
    REQUIRE(order["photos"].size() == 1);
    CHECK(order["photos"][0]["sha256"] == hash);
    CHECK(order["photos"][0]["stored"] == true);
    CHECK(hub->admin("GET", "/api/uploads")["uploads"].empty());
}
