#include "platform/config/config_reader.hpp"
#include "platform/config/endpoint.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace encore::platform;
using namespace encore::platform::config;
using nlohmann::json;

namespace {

struct SampleConfig {
    std::string name = "booth";
    Endpoint listen{"127.0.0.1", 8080};
    int countdown = 3;
    bool borderless = false;
    std::string media = "4x6";
    LogSettings log;
};

std::vector<Problem> read_sample(const json& document, SampleConfig& config) {
    std::vector<Problem> problems;
    ObjectReader root(document, "", problems);
    root.read("name", config.name);
    auto ui = root.object("ui");
    ui.read("listen", config.listen);
    ui.read("countdown_seconds", config.countdown, 1, 10);
    ui.finish();
    root.read("borderless", config.borderless);
    root.read_choice("media", config.media, {"4x6", "5x7", "2x6"});
    auto log = root.object("log");
    read_log_settings(log, config.log);
    root.finish();
    return problems;
}

} // namespace

TEST_CASE("absent keys keep their defaults, present keys are read") {
    SampleConfig config;
    const auto problems = read_sample(
        json::parse(
            R"({"ui": {"listen": "[::1]:9000"}, "log": {"categories": {"camera": "debug"}}})"),
        config);
    CHECK(problems.empty());
    CHECK(config.name == "booth");
    CHECK(config.listen == Endpoint{"::1", 9000});
    CHECK(config.countdown == 3);
    CHECK(config.log.categories.at("camera") == LogLevel::debug);
}

TEST_CASE("a misspelt key is named, with the key that was probably meant") {
    SampleConfig config;
    const auto problems = read_sample(json::parse(R"({"ui": {"lisen": "127.0.0.1:1"}})"), config);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].key == "ui.lisen");
    CHECK(problems[0].message == "unknown key; did you mean \"ui.listen\"?");
}

TEST_CASE("an unknown key far from any known one lists the expected keys") {
    SampleConfig config;
    const auto problems = read_sample(json::parse(R"({"ui": {"zzzzzzzz": 1}})"), config);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].key == "ui.zzzzzzzz");
    CHECK(problems[0].message.find("expected one of \"listen\", \"countdown_seconds\"") !=
          std::string::npos);
}

TEST_CASE("a wrong type names the key and the expected type") {
    SampleConfig config;
    const auto problems = read_sample(json::parse(R"({"borderless": "yes", "name": 5})"), config);
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].key == "name");
    CHECK(problems[0].message == "expected a string, got an integer");
    CHECK(problems[1].key == "borderless");
    CHECK(problems[1].message == "expected true or false, got a string");
    CHECK(config.borderless == false);
}

TEST_CASE("bad values name the key and say what is expected") {
    SampleConfig config;
    const auto problems =
        read_sample(json::parse(R"({"ui": {"listen": "localhost", "countdown_seconds": 60},
                        "media": "A4", "log": {"level": "loud"}})"),
                    config);
    REQUIRE(problems.size() == 4);
    CHECK(problems[0].key == "ui.listen");
    CHECK(problems[0].message.find("expected \"HOST:PORT\"") == 0);
    CHECK(problems[1].key == "ui.countdown_seconds");
    CHECK(problems[1].message == "expected an integer from 1 to 10, got 60");
    CHECK(problems[2].key == "media");
    CHECK(problems[2].message == "expected one of \"4x6\", \"5x7\", \"2x6\", got \"A4\"");
    CHECK(problems[3].key == "log.level");
}

TEST_CASE("a section that is not an object is an error, not a crash") {
    SampleConfig config;
    const auto problems = read_sample(json::parse(R"({"ui": [1, 2]})"), config);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].key == "ui");
    CHECK(problems[0].message == "expected an object, got a list");
}

TEST_CASE("a JSON syntax error names the file, line and column") {
    encore::testing::TempDir dir;
    encore::testing::write_text_file(dir / "kiosk.json", "{\n  \"ui\": {\n    \"listen\": ,\n}\n");
    try {
        load_json_file(dir / "kiosk.json");
        FAIL("expected a ConfigError");
    } catch (const ConfigError& error) {
        CHECK(std::string(error.what()).find("kiosk.json:3:") != std::string::npos);
    }
    CHECK_THROWS_AS(load_json_file(dir / "missing.json"), ConfigError);
}

TEST_CASE("endpoints parse HOST:PORT and reject the rest") {
    CHECK(parse_endpoint("0.0.0.0:8081") == Endpoint{"0.0.0.0", 8081});
    CHECK(parse_endpoint("[::]:0") == Endpoint{"::", 0});
    CHECK(parse_endpoint("hub.example:443") == Endpoint{"hub.example", 443});
    CHECK_FALSE(parse_endpoint("8080"));
    CHECK_FALSE(parse_endpoint("host:"));
    CHECK_FALSE(parse_endpoint(":80"));
    CHECK_FALSE(parse_endpoint("host:65536"));
    CHECK_FALSE(parse_endpoint("host:80x"));
    CHECK_FALSE(parse_endpoint("::1:80"));
    CHECK_FALSE(parse_endpoint("ho st:80"));
    CHECK(Endpoint{"::1", 80}.to_string() == "[::1]:80");
}
