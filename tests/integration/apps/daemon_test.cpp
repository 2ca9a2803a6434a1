#include "tests/support/child_process.hpp"
#include "tests/support/source_tree.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <regex>

using namespace encore::testing;
using namespace std::chrono_literals;
namespace beast = boost::beast;

namespace {

nlohmann::json get_json(const std::string& host, std::uint16_t port, const std::string& target) {
    boost::asio::io_context client;
    boost::asio::ip::tcp::socket socket(client);
    socket.connect({boost::asio::ip::make_address(host), port});
    beast::http::request<beast::http::empty_body> request(beast::http::verb::get, target, 11);
    request.set(beast::http::field::host, host);
    beast::http::write(socket, request);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> response;
    beast::http::read(socket, buffer, response);
    REQUIRE(response.result() == beast::http::status::ok);
    return nlohmann::json::parse(response.body());
}

std::uint16_t port_after(const std::string& line, const std::string& label) {
    std::smatch match;
    REQUIRE(std::regex_search(line, match, std::regex(label + "=http://127\\.0\\.0\\.1:(\\d+)/")));
    return static_cast<std::uint16_t>(std::stoi(match[1]));
}

} // namespace

TEST_CASE("every program answers --version and --help") {
    for (const std::string program : {"kioskd", "hubd", "encore"}) {
        CAPTURE(program);
        const auto version = run_program(bin_dir() / program, {"--version"});
        CHECK(version.exit_code == 0);
        CHECK(version.out.find(program + " 0.") == 0);
        const auto help = run_program(bin_dir() / program, {"--help"});
        CHECK(help.exit_code == 0);
        CHECK(help.out.size() > 100);
    }
}

TEST_CASE("kioskd --check-config names a misspelt key and exits 2") {
    TempDir dir;
    write_text_file(dir / "kiosk.json",
                    R"({"data_dir": "/tmp/x", "ui": {"lsten": "127.0.0.1:8080"}})");
    const auto result = run_program(bin_dir() / "kioskd",
                                    {"--config", (dir / "kiosk.json").string(), "--check-config"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("\"ui.lsten\": unknown key; did you mean \"ui.listen\"?") !=
          std::string::npos);
}

TEST_CASE("kioskd --check-config accepts a good file and rejects bad values and flags") {
    TempDir dir;
    write_text_file(dir / "kiosk.json", R"({"ui": {"listen": "127.0.0.1:9000"}, "event": ")" +
                                            demo_event_file().string() +
                                            R"(", "log": {"level": "debug"}})");
    const auto good = run_program(bin_dir() / "kioskd",
                                  {"--config", (dir / "kiosk.json").string(), "--check-config"});
    CHECK(good.exit_code == 0);
    CHECK(good.out == "kioskd: configuration OK\n");

    const auto no_event = run_program(bin_dir() / "kioskd", {"--check-config"});
    CHECK(no_event.exit_code == 2);
    CHECK(no_event.err.find("\"event\": required: the event file") != std::string::npos);

    const auto bad_flag = run_program(bin_dir() / "kioskd", {"--ui", "nowhere", "--check-config"});
    CHECK(bad_flag.exit_code == 2);
    CHECK(bad_flag.err.find("\"ui.listen\": expected \"HOST:PORT\"") != std::string::npos);

    write_text_file(dir / "broken.json", "{ \"ui\": ");
    const auto broken = run_program(bin_dir() / "kioskd",
                                    {"--config", (dir / "broken.json").string(), "--check-config"});
    CHECK(broken.exit_code == 2);
    CHECK(broken.err.find("broken.json:1:") != std::string::npos);
}

TEST_CASE("hubd refuses one address for both the public and the private side") {
    const auto result =
        run_program(bin_dir() / "hubd", {"--public-listen", "127.0.0.1:9100", "--private-listen",
                                         "127.0.0.1:9100", "--check-config"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("\"private.listen\": must differ from \"public.listen\"") !=
          std::string::npos);
}

TEST_CASE("encore check-config validates either daemon's file") {
    TempDir dir;
    write_text_file(dir / "hub.json", R"({"public": {"listen": 8081}})");
    const auto result =
        run_program(bin_dir() / "encore", {"check-config", "hubd", (dir / "hub.json").string()});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("\"public.listen\": expected \"HOST:PORT\", got an integer") !=
          std::string::npos);
}

TEST_CASE("kioskd starts, says where it listens, answers, and stops cleanly on SIGTERM") {
    TempDir dir;
    ChildProcess kioskd(bin_dir() / "kioskd",
                        {"--data", (dir / "kiosk").string(), "--ui", "127.0.0.1:0", "--event",
                         demo_event_file().string()});
    const auto line = kioskd.wait_for_line("listening", 10s);
    REQUIRE_MESSAGE(line, kioskd.stderr_text());
    const auto health = get_json("127.0.0.1", port_after(*line, "ui"), "/healthz");
    CHECK(health["service"] == "kioskd");
    CHECK(std::filesystem::is_directory(dir / "kiosk"));
    kioskd.send_signal(SIGTERM);
    CHECK(kioskd.wait_for_exit(10s) == 0);
}

TEST_CASE("hubd serves its public and private listeners and stops cleanly on SIGINT") {
    TempDir dir;
    ChildProcess hubd(bin_dir() / "hubd",
                      {"--data", (dir / "hub").string(), "--public-listen", "127.0.0.1:0",
                       "--private-listen", "127.0.0.1:0", "--kiosk-listen", "127.0.0.1:0"});
    const auto line = hubd.wait_for_line("listening", 10s);
    REQUIRE_MESSAGE(line, hubd.stderr_text());
    CHECK(get_json("127.0.0.1", port_after(*line, "public"), "/healthz")["listener"] == "public");
    CHECK(get_json("127.0.0.1", port_after(*line, "private"), "/healthz")["listener"] == "private");
    // The admin API exists and wants the token from DATA/admin.token.
    CHECK(std::filesystem::status(dir / "hub" / "admin.token").permissions() ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    hubd.send_signal(SIGINT);
    CHECK(hubd.wait_for_exit(10s) == 0);
}

TEST_CASE("a daemon that cannot listen says so and exits non-zero") {
    TempDir dir;
    ChildProcess first(bin_dir() / "kioskd", {"--data", (dir / "a").string(), "--ui", "127.0.0.1:0",
                                              "--event", demo_event_file().string()});
    const auto line = first.wait_for_line("listening", 10s);
    REQUIRE(line);
    const auto port = std::to_string(port_after(*line, "ui"));
    const auto second = run_program(bin_dir() / "kioskd",
                                    {"--data", (dir / "b").string(), "--ui", "127.0.0.1:" + port,
                                     "--event", demo_event_file().string()});
    CHECK(second.exit_code == 1);
    CHECK(second.err.find("cannot listen on 127.0.0.1:" + port) != std::string::npos);
}
