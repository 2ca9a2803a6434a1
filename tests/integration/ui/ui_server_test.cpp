// The touchscreen UI's server, in-process on port 0, with the guest flow on a real
// journal and in-test camera and printer doubles: a whole guest journey through the
// HTTP API, the MJPEG live view, WebSocket pushes, and the operator routes' PIN.

#include "kiosk/devices/venue_prints.hpp"
#include "kiosk/journal/journal.hpp"
#include "kiosk/session/guest_flow.hpp"
#include "kiosk/ui/ui_server.hpp"
#include "platform/http/client.hpp"
#include "platform/runtime/blocking_worker.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/session/session_doubles.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = encore::platform::http;
using namespace encore::kiosk::session;
using encore::kiosk::Journal;
using encore::kiosk::session::testing::test_event;
using encore::kiosk::session::testing::TestLiveView;
using encore::kiosk::session::testing::TestPrintQueue;
using encore::kiosk::session::testing::TestShutter;
using encore::kiosk::ui::UiOptions;
using encore::kiosk::ui::UiServer;
using encore::testing::TempDir;
using json = nlohmann::json;

namespace {

constexpr const char* public_url = "https://photos.example";

EventSettings ui_event() {
    auto event = test_event();
    event.countdown_seconds = 2;
    event.countdown_step = std::chrono::milliseconds(5);
    return event;
}

// The tests read from sockets with blocking calls; this ends the process with a message
// instead of letting a broken server hang the test run.
class Watchdog {
public:
    explicit Watchdog(std::chrono::seconds limit)
        : thread_([this, limit] {
            std::unique_lock lock(mutex_);
            if (!done_.wait_for(lock, limit, [this] { return finished_; })) {
                std::fputs("ui_server_test: a test hung; giving up\n", stderr);
                std::abort();
            }
        }) {}
    ~Watchdog() {
        {
            std::lock_guard lock(mutex_);
            finished_ = true;
        }
        done_.notify_one();
        thread_.join();
    }

private:
    std::mutex mutex_;
    std::condition_variable done_;
    bool finished_ = false;
    std::thread thread_;
};

// A booth serving its UI on a loop thread of its own for the length of a test.
class RunningBooth {
public:
    explicit RunningBooth(UiOptions options = {}, EventSettings event = ui_event()) {
        options.listen = {"127.0.0.1", 0};
        flow_ = std::make_unique<GuestFlow>(loop_.get_executor(), event, *journal_, imaging_,
                                            shutter, printer, FlowOptions{public_url, 50});
        ui_ = std::make_unique<UiServer>(loop_, *flow_, live_view, std::move(options));
        endpoint = ui_->local_endpoint();
        thread_ = std::thread([this] { loop_.run(); });
    }

    ~RunningBooth() {
        asio::post(loop_, [this] {
            ui_->stop();
            loop_.stop();
        });
        thread_.join();
        ui_.reset();
        flow_.reset();
    }

    // Runs `work` on the loop's thread and returns its result.
    template <typename Work>
    auto on_loop(Work work) {
        std::packaged_task<std::invoke_result_t<Work&>()> task(std::move(work));
        auto result = task.get_future();
        asio::post(loop_, [&task] { task(); });
        return result.get();
    }

    http::ClientResponse post(const std::string& target, const std::string& body = {},
                              std::vector<std::pair<std::string, std::string>> headers = {}) {
        headers.emplace_back("Content-Type", "application/json");
        return http::request(endpoint, "POST", target, headers, body);
    }

    http::ClientResponse get(const std::string& target,
                             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        return http::request(endpoint, "GET", target, headers);
    }

    json state() { return json::parse(get("/api/state").body); }

    // Polls GET /api/state until its "state" is `wanted`.
    json wait_for_state(const std::string& wanted) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        for (;;) {
            auto current = state();
            if (current["state"] == wanted) {
                return current;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                FAIL("the booth stayed in ", current["state"].get<std::string>(), ", not ", wanted);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

private:
    // Declared first: the doubles below use the loop.
    Watchdog watchdog_{std::chrono::seconds(60)};
    asio::io_context loop_;
    TempDir dir_;
    std::unique_ptr<Journal> journal_ = Journal::open(dir_.path());
    encore::platform::BlockingWorker imaging_{loop_.get_executor(), "imaging"};

public:
    encore::platform::Endpoint endpoint;
    TestShutter shutter{loop_.get_executor()};
    TestLiveView live_view{loop_.get_executor()};
    TestPrintQueue printer{loop_.get_executor()};

private:
    std::unique_ptr<GuestFlow> flow_;
    std::unique_ptr<UiServer> ui_;
    std::thread thread_;
};

// One request with full control of its headers; the whole response, headers included.
beast::http::response<beast::http::string_body> raw_request(
    const encore::platform::Endpoint& endpoint, beast::http::verb method, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& fields, const std::string& body = {}) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address(endpoint.host), endpoint.port});
    beast::http::request<beast::http::string_body> request(method, target, 11);
    for (const auto& [name, value] : fields) {
        request.set(name, value);
    }
    request.body() = body;
    request.prepare_payload();
    beast::http::write(socket, request);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> response;
    beast::http::read(socket, buffer, response);
    return response;
}

std::string host_of(const encore::platform::Endpoint& endpoint) {
    return endpoint.host + ":" + std::to_string(endpoint.port);
}

} // namespace

TEST_CASE("a guest's whole journey through the HTTP API") {
    RunningBooth booth;

    auto state = booth.state();
    CHECK(state["state"] == "attract");
    CHECK(state["shots"] == 4);
    CHECK(state["order"].is_null() == !state.contains("order"));

    const auto event = json::parse(booth.get("/api/event").body);
    CHECK(event["name"] == "test event");
    CHECK(event["languages"].size() == 5);
    CHECK_FALSE(event.contains("operator_pin"));

    auto answer = booth.post("/api/session/start");
    REQUIRE(answer.status == 200);
    CHECK(answer.content_type == "application/json");
    state = json::parse(answer.body);
    CHECK(state["state"] == "countdown");
    CHECK(state["shot"] == 1);
    CHECK(state["seconds_left"].is_null());

    for (int shot = 1; shot <= 4; ++shot) {
        answer = booth.post("/api/session/shoot");
        REQUIRE(answer.status == 200);
        state = json::parse(answer.body);
        CHECK(state["photos"].size() == static_cast<std::size_t>(shot));
    }
    CHECK(state["state"] == "review");
    CHECK(booth.shutter.captures == 4);

    const auto thumbnail = booth.get("/api/session/photos/3");
    CHECK(thumbnail.status == 200);
    CHECK(thumbnail.content_type == "image/jpeg");
    REQUIRE(thumbnail.body.size() > 2);
    CHECK(static_cast<unsigned char>(thumbnail.body[0]) == 0xff);
    CHECK(static_cast<unsigned char>(thumbnail.body[1]) == 0xd8);
    CHECK(booth.get("/api/session/photos/9").status == 404);
    CHECK(booth.get("/api/session/photos/x").status == 404);

    answer = booth.post("/api/session/retake", R"({"shot": 2})");
    REQUIRE(answer.status == 200);
    state = json::parse(answer.body);
    CHECK(state["state"] == "countdown");
    CHECK(state["shot"] == 2);
    CHECK(state["retakes_left"] == 1);
    answer = booth.post("/api/session/shoot");
    REQUIRE(answer.status == 200);
    CHECK(json::parse(answer.body)["state"] == "review");

    answer = booth.post("/api/session/accept");
    REQUIRE(answer.status == 200);
    state = json::parse(answer.body);
    CHECK(state["state"] == "copies");
    CHECK(state["copies"] == 1);
    CHECK(booth.post("/api/session/copies", R"({"copies": 3})").status == 200);

    answer = booth.post("/api/session/print", R"({"copies": 2})");
    REQUIRE(answer.status == 200);
    state = json::parse(answer.body);
    REQUIRE(state.contains("order"));
    const auto code = state["order"]["code"].get<std::string>();
    // The double tap: the same order, nothing new printed.
    answer = booth.post("/api/session/print", R"({"copies": 2})");
    CHECK(answer.status == 200);
    CHECK(json::parse(answer.body)["order"]["code"] == code);

    state = booth.wait_for_state("code");
    CHECK(state["order"]["code"] == code);
    CHECK(std::regex_match(state["order"]["url"].get<std::string>(),
                           std::regex("https://photos\\.example/o/[A-Za-z0-9_-]{22}")));
    CHECK(state["print"]["phase"] == "done");
    CHECK(state["print"]["copies_done"] == 2);
    CHECK(booth.printer.prints == 1);
    CHECK(booth.printer.copies_printed == 2);
    CHECK(booth.post("/api/session/print", R"({"copies": 2})").status == 200);
    CHECK(booth.printer.prints == 1);

    const auto qr = booth.get("/api/session/qr.svg");
    CHECK(qr.status == 200);
    CHECK(qr.content_type == "image/svg+xml");
    CHECK(qr.body.starts_with("<svg"));

    answer = booth.post("/api/session/finish");
    REQUIRE(answer.status == 200);
    state = json::parse(answer.body);
    CHECK(state["state"] == "attract");
    CHECK_FALSE(state.contains("order"));
    CHECK(booth.get("/api/session/qr.svg").status == 404);
}

TEST_CASE("requests out of place or malformed get clear errors") {
    RunningBooth booth;
    auto answer = booth.post("/api/session/accept");
    CHECK(answer.status == 409);
    auto body = json::parse(answer.body);
    CHECK(body["error"] == "wrong_state");
    CHECK(body["state"] == "attract");
    CHECK(booth.post("/api/session/shoot").status == 409);
    CHECK(booth.post("/api/session/start", "not json").status == 400);

    REQUIRE(booth.post("/api/session/start").status == 200);
    for (int shot = 0; shot < 4; ++shot) {
        REQUIRE(booth.post("/api/session/shoot").status == 200);
    }
    CHECK(booth.post("/api/session/retake", R"({"shot": 7})").status == 400);
    CHECK(booth.post("/api/session/retake", R"({"shot": "two"})").status == 400);
    REQUIRE(booth.post("/api/session/accept").status == 200);
    CHECK(booth.post("/api/session/print").status == 400);
    CHECK(booth.post("/api/session/print", R"({"copies": "2"})").status == 400);
    answer = booth.post("/api/session/print", R"({"copies": 9})");
    CHECK(answer.status == 400);
    CHECK(json::parse(answer.body)["error"] == "out_of_range");
    CHECK(booth.printer.prints == 0);
    CHECK(booth.get("/api/nothing-here").status == 404);
}

TEST_CASE("a camera fault answers 503 with the message, and the next shot works") {
    RunningBooth booth;
    booth.on_loop([&] {
        booth.shutter.script.push_back(DeviceFault{"focus_failed", "The camera could not focus."});
        return 0;
    });
    REQUIRE(booth.post("/api/session/start").status == 200);
    auto answer = booth.post("/api/session/shoot");
    CHECK(answer.status == 503);
    auto body = json::parse(answer.body);
    CHECK(body["error"] == "camera_failed");
    CHECK(body["state"] == "countdown");
    CHECK(body["notice"]["device"] == "camera");
    CHECK(body["notice"]["reason"] == "focus_failed");
    CHECK(body["notice"]["message"] == "The camera could not focus.");
    answer = booth.post("/api/session/shoot");
    CHECK(answer.status == 200);
    body = json::parse(answer.body);
    CHECK(body["notice"].is_null());
    CHECK(body["photos"] == json::array({1}));
}

TEST_CASE("the live view is an MJPEG stream of the camera's frames") {
    RunningBooth booth;
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), booth.endpoint.port});
    const std::string request =
        "GET /live.mjpeg HTTP/1.1\r\nHost: " + host_of(booth.endpoint) + "\r\n\r\n";
    asio::write(socket, asio::buffer(request));

    asio::streambuf input;
    asio::read_until(socket, input, "\r\n\r\n");
    std::string head(asio::buffers_begin(input.data()), asio::buffers_end(input.data()));
    const auto head_end = head.find("\r\n\r\n");
    input.consume(head_end + 4);
    head.resize(head_end);
    CHECK(head.starts_with("HTTP/1.1 200 OK\r\n"));
    std::smatch boundary;
    REQUIRE(std::regex_search(
        head, boundary,
        std::regex("Content-Type: multipart/x-mixed-replace; boundary=([A-Za-z0-9-]+)")));

    for (int frame = 0; frame < 3; ++frame) {
        asio::read_until(socket, input, "\r\n\r\n");
        std::string part(asio::buffers_begin(input.data()), asio::buffers_end(input.data()));
        const auto part_end = part.find("\r\n\r\n");
        part.resize(part_end);
        input.consume(part_end + 4);
        CHECK(part.starts_with("--" + boundary[1].str() + "\r\n"));
        CHECK(part.find("Content-Type: image/jpeg") != std::string::npos);
        std::smatch length;
        REQUIRE(std::regex_search(part, length, std::regex("Content-Length: ([0-9]+)")));
        const auto size = std::stoul(length[1].str());
        if (input.size() < size + 2) {
            asio::read(socket, input, asio::transfer_at_least(size + 2 - input.size()));
        }
        std::string jpeg(asio::buffers_begin(input.data()),
                         asio::buffers_begin(input.data()) + static_cast<long>(size));
        input.consume(size + 2);
        CHECK(static_cast<unsigned char>(jpeg[0]) == 0xff);
        CHECK(static_cast<unsigned char>(jpeg[1]) == 0xd8);
        CHECK(static_cast<unsigned char>(jpeg[size - 1]) == 0xd9);
    }
    socket.close();

    // Nobody watches any more: the camera is left alone.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const int frames = booth.live_view.frames;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(booth.live_view.frames == frames);
}

TEST_CASE("state changes are pushed over the WebSocket") {
    RunningBooth booth;
    asio::io_context io;
    beast::websocket::stream<asio::ip::tcp::socket> socket(io);
    socket.next_layer().connect({asio::ip::make_address("127.0.0.1"), booth.endpoint.port});
    socket.handshake(host_of(booth.endpoint), "/ws");

    const auto next_state = [&] {
        beast::flat_buffer buffer;
        socket.read(buffer);
        const auto message = json::parse(beast::buffers_to_string(buffer.data()));
        CHECK(message["type"] == "state");
        return message["state"];
    };
    // The current state first, at once.
    CHECK(next_state()["state"] == "attract");

    REQUIRE(booth.post("/api/session/start").status == 200);
    REQUIRE(booth.post("/api/session/shoot").status == 200);
    // Pushes may be merged when they come quickly: read until the state after the shot.
    std::set<std::string> seen;
    std::uint64_t last_version = 0;
    for (;;) {
        const auto state = next_state();
        CHECK(state["version"].get<std::uint64_t>() > last_version);
        last_version = state["version"].get<std::uint64_t>();
        seen.insert(state["state"].get<std::string>());
        if (state["state"] == "countdown" && state["photos"].size() == 1) {
            break;
        }
    }
    CHECK(seen.count("countdown") == 1);

    REQUIRE(booth.post("/api/session/finish").status == 200);
    for (;;) {
        if (next_state()["state"] == "attract") {
            break;
        }
    }
    socket.close(beast::websocket::close_code::normal);
}

TEST_CASE("the operator routes refuse without the PIN") {
    RunningBooth booth;
    CHECK(booth.get("/api/operator/status").status == 401);
    CHECK(booth.get("/api/operator/event").status == 401);
    CHECK(booth.post("/api/operator/pause").status == 401);
    CHECK(booth.post("/api/operator/resume").status == 401);
    CHECK(booth.post("/api/operator/printer/resume").status == 401);
    CHECK(booth.get("/api/operator/status", {{"X-Operator-Token", "made-up"}}).status == 401);
    CHECK(booth.post("/api/operator/login", R"({"pin": "1111"})").status == 401);
    CHECK(booth.post("/api/operator/login", R"({"code": "2468"})").status == 400);
    CHECK(booth.state()["paused"] == false);
    CHECK(booth.printer.resumes == 0);

    const auto login = booth.post("/api/operator/login", R"({"pin": "2468"})");
    REQUIRE(login.status == 200);
    const auto token = json::parse(login.body)["token"].get<std::string>();
    CHECK(token.size() == 22);
    const std::vector<std::pair<std::string, std::string>> operator_headers{
        {"X-Operator-Token", token}};

    auto status = json::parse(booth.get("/api/operator/status", operator_headers).body);
    CHECK(status["camera"]["ready"] == true);
    CHECK(status["camera"]["name"] == "test camera");
    CHECK(status["printer"]["prints_left"] == 700);
    CHECK(status["faults"].empty());

    const auto settings = json::parse(booth.get("/api/operator/event", operator_headers).body);
    CHECK(settings["shots"] == 4);
    CHECK_FALSE(settings.contains("operator_pin"));

    REQUIRE(booth.post("/api/operator/pause", "", operator_headers).status == 200);
    CHECK(booth.state()["paused"] == true);
    const auto refused = booth.post("/api/session/start");
    CHECK(refused.status == 409);
    CHECK(json::parse(refused.body)["error"] == "paused");
    REQUIRE(booth.post("/api/operator/resume", "", operator_headers).status == 200);
    CHECK(booth.post("/api/session/start").status == 200);

    CHECK(booth.post("/api/operator/printer/resume", "", operator_headers).status == 200);
    CHECK(booth.printer.resumes == 1);

    // A cookie works as well as the header (the screen's browser uses the cookie).
    CHECK(booth.get("/api/operator/status", {{"Cookie", "lang=de; encore_operator=" + token}})
              .status == 200);

    REQUIRE(booth.post("/api/operator/logout", "", operator_headers).status == 200);
    CHECK(booth.get("/api/operator/status", operator_headers).status == 401);
}

TEST_CASE("the operator screen lists venue pickups and marks a ready one picked up, behind the "
          "PIN") {
    // The pickups as kioskd hands them to the screen (VenuePrints keeps them in venue.db):
    // one ready, one still printing. Read and changed on the booth's loop only.
    using encore::kiosk::devices::Pickup;
    using encore::kiosk::devices::PickupOutcome;
    using encore::kiosk::devices::PickupState;
    auto pickups_kept = std::make_shared<std::vector<Pickup>>(std::vector<Pickup>{
        {"r-ready",
         "order-1",
         "K7Q2M9",
         "Ada",
         PickupState::ready,
         "",
         {{"ab12", "5x7", 120000, 2, 2}}},
        {"r-printing", "order-2", "P3X8N4", "Bo", PickupState::printing, "", {}}});
    UiOptions options;
    options.pickups = [pickups_kept] { return encore::kiosk::devices::pickup_list(*pickups_kept); };
    options.mark_picked_up = [pickups_kept](const std::string& reorder) {
        auto outcome = PickupOutcome::unknown;
        for (auto& pickup : *pickups_kept) {
            if (pickup.reorder == reorder) {
                outcome = pickup.state == PickupState::ready ? PickupOutcome::done
                                                             : PickupOutcome::not_ready;
                if (outcome == PickupOutcome::done) {
                    pickup.state = PickupState::picked_up;
                }
            }
        }
        return encore::kiosk::devices::picked_up_problem(outcome, reorder);
    };
    RunningBooth booth(std::move(options));
    CHECK(booth.get("/api/operator/pickups").status == 401);
    CHECK(booth.post("/api/operator/pickups/picked-up", R"({"reorder": "r-ready"})").status == 401);
    CHECK(booth.on_loop([pickups_kept] { return (*pickups_kept)[0].state; }) == PickupState::ready);

    const auto login = booth.post("/api/operator/login", R"({"pin": "2468"})");
    REQUIRE(login.status == 200);
    const std::vector<std::pair<std::string, std::string>> operator_headers{
        {"X-Operator-Token", json::parse(login.body)["token"].get<std::string>()}};
    const auto listed = booth.get("/api/operator/pickups", operator_headers);
    REQUIRE(listed.status == 200);
    const auto pickups = json::parse(listed.body)["pickups"];
    REQUIRE(pickups.size() == 2);
    CHECK(pickups[0]["code"] == "K7Q2M9");
    CHECK(pickups[0]["state"] == "ready");
    CHECK(pickups[0]["items"][0]["copies_done"] == 2);
    CHECK(pickups[1]["state"] == "printing");

    const auto malformed =
        booth.post("/api/operator/pickups/picked-up", R"({"order": "r-ready"})", operator_headers);
    CHECK(malformed.status == 400);
    const auto early = booth.post("/api/operator/pickups/picked-up", R"({"reorder": "r-printing"})",
                                  operator_headers);
    CHECK(early.status == 409);
    CHECK(json::parse(early.body)["message"] == "the prints of this pickup are not all out yet");
    const auto unknown =
        booth.post("/api/operator/pickups/picked-up", R"({"reorder": "r-404"})", operator_headers);
    CHECK(unknown.status == 409);
    CHECK(json::parse(unknown.body)["message"] == "this booth has no pickup r-404");

    const auto handed = booth.post("/api/operator/pickups/picked-up", R"({"reorder": "r-ready"})",
                                   operator_headers);
    REQUIRE(handed.status == 200);
    CHECK(json::parse(handed.body)["pickups"][0]["state"] == "picked_up");
    CHECK(json::parse(
              booth.get("/api/operator/pickups", operator_headers).body)["pickups"][0]["state"] ==
          "picked_up");
}

TEST_CASE("a booth without venue prints lists no pickups and says so when one is marked") {
    RunningBooth booth;
    const auto login = booth.post("/api/operator/login", R"({"pin": "2468"})");
    REQUIRE(login.status == 200);
    const std::vector<std::pair<std::string, std::string>> operator_headers{
        {"X-Operator-Token", json::parse(login.body)["token"].get<std::string>()}};
    CHECK(
        json::parse(booth.get("/api/operator/pickups", operator_headers).body)["pickups"].empty());
    const auto marked =
        booth.post("/api/operator/pickups/picked-up", R"({"reorder": "r-1"})", operator_headers);
    CHECK(marked.status == 409);
    CHECK(json::parse(marked.body)["message"] == "this booth takes no venue prints");
}

TEST_CASE("wrong PINs are rate limited") {
    UiOptions options;
    options.operator_gate.max_failures = 3;
    options.operator_gate.lockout = std::chrono::seconds(60);
    RunningBooth booth(options);
    CHECK(booth.post("/api/operator/login", R"({"pin": "0000"})").status == 401);
    CHECK(booth.post("/api/operator/login", R"({"pin": "0001"})").status == 401);
    const auto locked = booth.post("/api/operator/login", R"({"pin": "0002"})");
    CHECK(locked.status == 429);
    CHECK(json::parse(locked.body)["retry_after"] == 60);
    // Locked: even the right PIN is not looked at.
    CHECK(booth.post("/api/operator/login", R"({"pin": "2468"})").status == 429);
    const auto response =
        raw_request(booth.endpoint, beast::http::verb::post, "/api/operator/login",
                    {{"Host", host_of(booth.endpoint)}, {"Content-Type", "application/json"}},
                    R"({"pin": "2468"})");
    CHECK(response.result_int() == 429);
    CHECK(std::stoi(std::string(response[beast::http::field::retry_after])) > 0);
}

TEST_CASE("requests for another host or from another origin are refused") {
    RunningBooth booth;
    const auto host = host_of(booth.endpoint);
    auto response = raw_request(booth.endpoint, beast::http::verb::get, "/api/state",
                                {{"Host", "attacker.example:8080"}});
    CHECK(response.result_int() == 403);
    response = raw_request(booth.endpoint, beast::http::verb::get, "/api/state",
                           {{"Host", "localhost:" + std::to_string(booth.endpoint.port)}});
    CHECK(response.result_int() == 200);
    response = raw_request(booth.endpoint, beast::http::verb::post, "/api/session/start",
                           {{"Host", host}, {"Origin", "http://attacker.example"}});
    CHECK(response.result_int() == 403);
    CHECK(booth.state()["state"] == "attract");
    response = raw_request(booth.endpoint, beast::http::verb::post, "/api/session/start",
                           {{"Host", host}, {"Origin", "http://" + host}});
    CHECK(response.result_int() == 200);

    // A WebSocket from another origin is refused before the upgrade.
    asio::io_context io;
    beast::websocket::stream<asio::ip::tcp::socket> socket(io);
    socket.next_layer().connect({asio::ip::make_address("127.0.0.1"), booth.endpoint.port});
    socket.set_option(
        beast::websocket::stream_base::decorator([](beast::websocket::request_type& request) {
            request.set(beast::http::field::origin, "http://attacker.example");
        }));
    beast::websocket::response_type refused;
    beast::error_code error;
    socket.handshake(refused, host, "/ws", error);
    CHECK(error);
    CHECK(refused.result_int() == 403);
}

TEST_CASE("pages carry a strict Content-Security-Policy and no inline code") {
    RunningBooth booth;
    const auto page = raw_request(booth.endpoint, beast::http::verb::get, "/",
                                  {{"Host", host_of(booth.endpoint)}});
    REQUIRE(page.result_int() == 200);
    CHECK(page[beast::http::field::content_type] == "text/html; charset=utf-8");
    const std::string policy(page["Content-Security-Policy"]);
    CHECK(policy.find("script-src 'self'") != std::string::npos);
    CHECK(policy.find("style-src 'self'") != std::string::npos);
    CHECK(policy.find("unsafe-inline") == std::string::npos);
    CHECK(policy.find("connect-src 'self' ws://" + host_of(booth.endpoint)) != std::string::npos);
    CHECK(page["X-Frame-Options"] == "DENY");

    const auto& html = page.body();
    CHECK(html.find("<script src=\"/app.js\" defer></script>") != std::string::npos);
    CHECK(std::regex_search(html, std::regex("<script[^>]*>[^<]")) == false); // no inline script
    CHECK(html.find("style=") == std::string::npos);
    CHECK(std::regex_search(html, std::regex("\\son[a-z]+=")) == false); // no onclick=...

    const auto script = booth.get("/app.js");
    CHECK(script.status == 200);
    CHECK(script.content_type == "text/javascript; charset=utf-8");
    CHECK(booth.get("/app.css").content_type == "text/css; charset=utf-8");
    CHECK(booth.get("/../CMakeLists.txt").status == 404);
    CHECK(booth.get("/nothing.html").status == 404);
    CHECK(booth.get("/healthz").status == 200);
}

TEST_CASE("every language has every string the English screen has") {
    RunningBooth booth;
    const auto english = json::parse(booth.get("/i18n/en.json").body);
    REQUIRE(english.size() > 20);
    for (const auto* language : {"de", "fr", "es", "ja"}) {
        const auto answer = booth.get(std::string("/i18n/") + language + ".json");
        REQUIRE(answer.status == 200);
        const auto strings = json::parse(answer.body);
        for (const auto& [key, value] : english.items()) {
            INFO(language, ": ", key);
            CHECK(strings.contains(key));
            CHECK(strings[key].is_string());
        }
        CHECK(strings.size() == english.size());
    }
    // Every key the page names exists.
    const auto html = booth.get("/").body;
    const std::regex key("data-i18n=\"([a-z_.]+)\"");
    for (auto match = std::sregex_iterator(html.begin(), html.end(), key);
         match != std::sregex_iterator(); ++match) {
        INFO((*match)[1].str());
        CHECK(english.contains((*match)[1].str()));
    }
}

TEST_CASE("an assets folder can be served instead of the built-in assets") {
    TempDir assets;
    encore::testing::write_text_file(assets / "index.html", "<!doctype html><p>work in progress");
    UiOptions options;
    options.assets_dir = assets.path();
    RunningBooth booth(options);
    const auto page = booth.get("/");
    CHECK(page.status == 200);
    CHECK(page.body == "<!doctype html><p>work in progress");
    CHECK(booth.get("/app.js").status == 404);
    CHECK(booth.get("/%2e%2e/etc/passwd").status == 404);
}
