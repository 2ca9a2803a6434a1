#include "kiosk/session/event.hpp"
#include "platform/config/config_reader.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/session/session_doubles.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace encore::kiosk::session;
using encore::kiosk::session::testing::event_directory;
using encore::kiosk::session::testing::template_directory;
using encore::platform::config::ConfigError;
using json = nlohmann::json;

namespace {

json minimal_event() {
    return {{"name", "Gala"}, {"layout", "grid-2x2-4x6.json"}, {"operator_pin", "2468"}};
}

std::string problems_of(const json& document) {
    try {
        parse_event(document, template_directory());
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "";
}

} // namespace

TEST_CASE("the shipped demo event loads, with its layout's four slots") {
    const auto event = load_event(event_directory() / "demo.json");
    CHECK(event.name == "Encore demo");
    CHECK(event.shots == 4);
    CHECK(event.layout.name == "grid-2x2-4x6");
    CHECK(event.countdown_seconds == 3);
    CHECK(event.copies.max == 4);
    CHECK(event.timeouts.review == std::chrono::seconds(90));
    CHECK(event.languages == std::vector<std::string>{"en", "de", "fr", "es", "ja"});
    CHECK(event.default_language == "en");
    CHECK(event.operator_pin == "2468");
    const auto described = describe_event(event);
    CHECK(described["shots"] == 4);
    CHECK_FALSE(described.contains("operator_pin"));
}

TEST_CASE("a minimal event takes the defaults") {
    const auto event = parse_event(minimal_event(), template_directory());
    CHECK(event.shots == 4);
    CHECK(event.countdown_seconds == 3);
    CHECK(event.max_retakes == 2);
    CHECK(event.copies.min == 1);
    CHECK(event.copies.default_copies == 1);
    CHECK(event.timeouts.countdown == std::chrono::seconds(30));
    CHECK(event.languages == std::vector<std::string>{"en"});
    CHECK(event.default_language == "en");
}

TEST_CASE("the default language is the first listed unless named") {
    auto document = minimal_event();
    document["languages"] = {"ja", "en"};
    CHECK(parse_event(document, template_directory()).default_language == "ja");
    document["default_language"] = "en";
    CHECK(parse_event(document, template_directory()).default_language == "en");
}

TEST_CASE("every problem of an event is reported, each naming its key") {
    auto document = minimal_event();
    document["colour"] = "red";
    document["countdown_seconds"] = 60;
    document["copies"] = {{"min", 2}, {"max", 3}, {"default", 5}};
    document["timeouts"] = {{"review", 1}, {"pirnting", 30}};
    document["languages"] = {"en", "it", "en"};
    document["default_language"] = "fr";
    document["operator_pin"] = "12a4";
    const auto problems = problems_of(document);
    CHECK(problems.find("\"colour\": unknown key") != std::string::npos);
    CHECK(problems.find("\"countdown_seconds\": expected an integer from 0 to 10") !=
          std::string::npos);
    CHECK(problems.find("\"copies.default\"") != std::string::npos);
    CHECK(problems.find("\"timeouts.review\"") != std::string::npos);
    CHECK(
        problems.find("\"timeouts.pirnting\": unknown key; did you mean \"timeouts.printing\"?") !=
        std::string::npos);
    CHECK(problems.find("\"languages[1]\": \"it\" is not one of") != std::string::npos);
    CHECK(problems.find("\"languages[2]\": \"en\" is listed twice") != std::string::npos);
    CHECK(problems.find("\"default_language\"") != std::string::npos);
    CHECK(problems.find("\"operator_pin\": expected 4 to 12 digits") != std::string::npos);
}

TEST_CASE("the layout and the PIN are required and a broken layout is named") {
    CHECK(problems_of({{"name", "Gala"}}).find("\"layout\": required") != std::string::npos);
    CHECK(problems_of({{"name", "Gala"}}).find("\"operator_pin\": required") != std::string::npos);
    auto document = minimal_event();
    document["layout"] = "no-such-layout.json";
    CHECK(problems_of(document).find("no-such-layout.json") != std::string::npos);
    document = minimal_event();
    document["copies"] = {{"min", 3}, {"max", 2}};
    CHECK(problems_of(document).find("\"copies.max\": must not be below") != std::string::npos);
}

TEST_CASE("an event file's problems name the file") {
    encore::testing::TempDir dir;
    const auto file = dir / "event.json";
    encore::testing::write_text_file(file, R"({"name": "Gala", "layout": "missing.json"})");
    std::string message;
    try {
        load_event(file);
    } catch (const ConfigError& error) {
        message = error.what();
    }
    CHECK(message.find(file.string() + ": layout") != std::string::npos);
}
