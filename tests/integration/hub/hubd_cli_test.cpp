#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/http/client.hpp"
#include "platform/tls/certificates.hpp"
#include "platform/wire/join_token.hpp"
#include "platform/wire/messages.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/link_test_client.hpp"
#include "tests/support/source_tree.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <regex>
#include <thread>

using namespace encore;
using namespace std::chrono_literals;
using testing::bin_dir;
using testing::ChildProcess;
using testing::LinkTestClient;
using testing::run_program;
namespace wire = platform::wire;

namespace {

// hubd started from build/bin on free ports, with `encore` pointed at it.
class RunningHub {
public:
    RunningHub()
        : hubd_(bin_dir() / "hubd",
                {"--data", (dir_ / "hub").string(), "--public-listen", "127.0.0.1:0",
                 "--private-listen", "127.0.0.1:0", "--kiosk-listen", "127.0.0.1:0", "--public-url",
                 "https://photos.example"}) {
        const auto line = hubd_.wait_for_line("listening", 10s);
        REQUIRE_MESSAGE(line, hubd_.stderr_text());
        std::smatch match;
        REQUIRE(
            std::regex_search(*line, match, std::regex("private=(http://127\\.0\\.0\\.1:\\d+)/")));
        private_url_ = match[1];
    }
    ~RunningHub() {
        hubd_.send_signal(SIGTERM);
        hubd_.wait_for_exit(10s);
    }

    testing::RunResult encore(std::vector<std::string> arguments) {
        arguments.insert(arguments.end(), {"--hub", private_url_, "--token-file",
                                           (dir_ / "hub" / "admin.token").string()});
        return run_program(bin_dir() / "encore", arguments);
    }

    std::filesystem::path data_dir() const { return dir_ / "hub"; }
    const std::string& private_url() const { return private_url_; }

private:
    testing::TempDir dir_;
    ChildProcess hubd_;
    std::string private_url_;
};

wire::Frame expect(LinkTestClient& client, wire::FrameType type) {
    auto frame = client.receive();
    REQUIRE_MESSAGE(frame, "expected ", wire::to_string(type));
    REQUIRE_MESSAGE(frame->type == type, "got ", wire::to_string(frame->type), " ",
                    frame->payload_text());
    return std::move(*frame);
}

} // namespace

TEST_CASE("a booth enrolled with `encore enrol-token` uploads, `encore` lists and fetches it, "
          "revoke cuts it off") {
    RunningHub hub;
    const auto issued = hub.encore({"enrol-token", "--kiosk", "booth-7"});
    REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
    std::string error;
    const auto token = wire::decode_join_token(issued.out, error);
    REQUIRE_MESSAGE(token, error);
    CHECK(token->kiosk == "booth-7");
    CHECK(token->public_url == "https://photos.example");

    // The CA the hub serves is the one the token pins.
    const auto ca = testing::read_text_file(hub.data_dir() / "ca" / "ca.pem");
    CHECK(platform::tls::fingerprint_sha256(ca) == token->ca_sha256);

    const auto key = platform::tls::generate_private_key();
    std::string certificate;
    {
        LinkTestClient enrol("127.0.0.1", token->link.port, ca, std::nullopt);
        enrol.send(wire::encode(
            wire::Enrol{token->secret, platform::tls::make_signing_request(key, "booth-7")}));
        certificate = wire::parse_enrolled(expect(enrol, wire::FrameType::enrolled).payload_text())
                          .value->certificate_pem;
    }

    const std::string photo_text(200'000, 'p');
    const auto photo = std::as_bytes(std::span(photo_text.data(), photo_text.size()));
    const auto digest = platform::crypto::sha256(photo);
    wire::Sha256 hash{};
    std::copy(digest.begin(), digest.end(), hash.begin());
    wire::Order order;
    order.order_id = platform::crypto::random_uuid();
    order.code = "K7Q-X4M";
    order.token_sha256 = platform::crypto::to_hex(platform::crypto::sha256("capability"));
    order.event = "gala";
    order.created_at = "2026-11-28T12:00:00Z";
    order.copies = 2;
    order.layout = "single-4x6";
    order.photos = {{hash, photo.size()}};
    {
        LinkTestClient booth("127.0.0.1", token->link.port, ca,
                             LinkTestClient::Identity{certificate, key});
        booth.send(wire::encode(wire::Hello{wire::protocol_version, "kioskd test"}));
        expect(booth, wire::FrameType::welcome);
        booth.send(wire::encode(wire::PhotoBegin{hash, photo.size(), order.order_id}));
        expect(booth, wire::FrameType::offset);
        booth.send(wire::encode_chunk(hash, 0, photo));
        booth.send(wire::encode(wire::PhotoEnd{hash}));
        expect(booth, wire::FrameType::ack);
        booth.send(wire::encode(order));
        expect(booth, wire::FrameType::ack);
    }

    const auto listed = hub.encore({"orders", "--json"});
    REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
    const auto orders = nlohmann::json::parse(listed.out)["orders"];
    REQUIRE(orders.size() == 1);
    CHECK(orders[0]["order_id"] == order.order_id);
    CHECK(orders[0]["kiosk"] == "booth-7");
    CHECK(orders[0]["code"] == "K7Q-X4M");
    CHECK(orders[0]["photos"][0]["sha256"] == platform::crypto::to_hex(digest));
    CHECK(orders[0]["photos"][0]["stored"] == true);

    const auto table = hub.encore({"orders"});
    CHECK(table.out.find("booth-7") != std::string::npos);

    testing::TempDir out;
    const auto fetched = hub.encore(
        {"photo", "get", platform::crypto::to_hex(digest), "--out", (out / "p.jpg").string()});
    REQUIRE_MESSAGE(fetched.exit_code == 0, fetched.err);
    CHECK(testing::read_text_file(out / "p.jpg") == photo_text);

    const auto missing = hub.encore({"photo", "get", std::string(64, '0')});
    CHECK(missing.exit_code == 1);
    CHECK(missing.err.find("404") != std::string::npos);

    const auto revoked = hub.encore({"kiosk", "revoke", "booth-7"});
    CHECK_MESSAGE(revoked.exit_code == 0, revoked.err);
    LinkTestClient after("127.0.0.1", token->link.port, ca,
                         LinkTestClient::Identity{certificate, key});
    after.send(wire::encode(wire::Hello{wire::protocol_version, "kioskd test"}));
    CHECK(wire::parse_error(expect(after, wire::FrameType::error).payload_text()).value->code ==
          "revoked");
    CHECK(hub.encore({"kiosk", "list"}).out.find("REVOKED") != std::string::npos);
}

TEST_CASE("encore without the right admin token is refused with advice") {
    RunningHub hub;
    testing::TempDir dir;
    testing::write_text_file(dir / "wrong.token", "not-the-token\n");
    const auto result =
        run_program(bin_dir() / "encore", {"orders", "--hub", hub.private_url(), "--token-file",
                                           (dir / "wrong.token").string()});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("401") != std::string::npos);
    CHECK(result.err.find("admin token") != std::string::npos);
}

TEST_CASE("kioskd started with a join token enrols itself and keeps its identity across restarts") {
    RunningHub hub;
    const auto issued = hub.encore({"enrol-token", "--kiosk", "booth-9"});
    REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
    std::string token = issued.out;
    while (!token.empty() && token.back() == '\n') {
        token.pop_back();
    }
    testing::TempDir dir;
    const auto health = [](const std::string& line) {
        std::smatch match;
        REQUIRE(std::regex_search(line, match, std::regex("ui=http://127\\.0\\.0\\.1:(\\d+)/")));
        const platform::Endpoint ui{"127.0.0.1", static_cast<std::uint16_t>(std::stoi(match[1]))};
        for (int attempt = 0; attempt < 100; ++attempt) {
            const auto body =
                nlohmann::json::parse(platform::http::request(ui, "GET", "/healthz").body);
            if (body["hub"]["connected"] == true) {
                return body;
            }
            std::this_thread::sleep_for(100ms);
        }
        return nlohmann::json::parse(platform::http::request(ui, "GET", "/healthz").body);
    };
    {
        ChildProcess kioskd(bin_dir() / "kioskd",
                            {"--data", (dir / "kiosk").string(), "--ui", "127.0.0.1:0", "--event",
                             testing::demo_event_file().string(), "--hub-token", token});
        const auto line = kioskd.wait_for_line("listening", 10s);
        REQUIRE_MESSAGE(line, kioskd.stderr_text());
        const auto body = health(*line);
        CHECK_MESSAGE(body["hub"]["connected"] == true, body.dump());
        CHECK(body["hub"]["kiosk"] == "booth-9");
        CHECK(body["hub"]["public_url"] == "https://photos.example");
        kioskd.send_signal(SIGTERM);
        CHECK(kioskd.wait_for_exit(10s) == 0);
    }
    CHECK(std::filesystem::exists(dir / "kiosk" / "identity" / "cert.pem"));
    // Second start: no token needed, the saved certificate is used.
    ChildProcess again(bin_dir() / "kioskd",
                       {"--data", (dir / "kiosk").string(), "--ui", "127.0.0.1:0", "--event",
                        testing::demo_event_file().string()});
    const auto line = again.wait_for_line("listening", 10s);
    REQUIRE(line);
    CHECK(health(*line)["hub"]["connected"] == true);
    CHECK(hub.encore({"kiosk", "list"}).out.find("booth-9") != std::string::npos);
}
