// hubd's config file as read_hub_config reads it: settlement.events.

#include "hub/app/hub_config.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace encore;
using platform::config::Problem;

namespace {

struct Read {
    hub::HubConfig config;
    std::vector<Problem> problems;

    // Every problem as hubd prints it: "key: message".
    std::string said() const {
        std::string text;
        for (const auto& problem : problems) {
            text += problem.key + ": " + problem.message + "\n";
        }
        return text;
    }
};

Read read(const std::string& text) {
    Read result;
    const auto json = nlohmann::json::parse(text);
    platform::config::ObjectReader root(json, "", result.problems);
    hub::read_hub_config(root, result.config);
    root.finish();
    return result;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("settlement.events gives an event its own price list and venue pickup") {
    const auto result = read(R"({"settlement": {"venue_pickup": true, "events": {
        "Smith wedding": {"price_list": {"currency": "CHF", "products": [
            {"id": "5x7", "label": "13×18", "price": 900}]}, "venue_pickup": false},
        "School fair": {"venue_pickup": true},
        "Quiet night": {}}}})");
    CHECK(result.said() == "");
    const auto& events = result.config.settlement_events;
    REQUIRE(events.size() == 3);
    const auto& wedding = events.at("Smith wedding");
    REQUIRE(wedding.prices.has_value());
    CHECK(wedding.prices->currency == "CHF");
    REQUIRE(wedding.prices->find("5x7") != nullptr);
    CHECK(wedding.prices->find("5x7")->unit_price == 900);
    CHECK(wedding.venue_pickup == false);
    CHECK_FALSE(events.at("School fair").prices.has_value());
    CHECK(events.at("School fair").venue_pickup == true);
    CHECK_FALSE(events.at("Quiet night").prices.has_value());
    CHECK_FALSE(events.at("Quiet night").venue_pickup.has_value());
    // The hub-wide settings stay as they were.
    CHECK(result.config.settlement_price_list.currency == "EUR");
    CHECK(result.config.settlement_venue_pickup);
}

TEST_CASE("no settlement.events: every event uses the hub-wide settings") {
    const auto result = read(R"({"settlement": {"venue_pickup": false}})");
    CHECK(result.said() == "");
    CHECK(result.config.settlement_events.empty());
}

TEST_CASE("a broken event price list is refused, naming the event and the field") {
    const auto result = read(R"({"settlement": {"events": {"Smith wedding": {"price_list":
        {"currency": "CHF", "products": [{"id": "5x7", "label": "13×18", "price": 9.5}]}}}}})");
    CHECK(contains(result.said(), "settlement.events.Smith wedding.price_list: event \"Smith "
                                  "wedding\": each product is {\"id\": \"5x7\""));
    CHECK(contains(result.said(), "price in minor units, an integer"));
    const auto currency = read(
        R"({"settlement": {"events": {"Gala": {"price_list": {"currency": "eur", "products": []}}}}})");
    CHECK(contains(currency.said(), "settlement.events.Gala.price_list: event \"Gala\": "
                                    "\"currency\" must be three capital letters"));
}

TEST_CASE("an event's venue_pickup must be true or false") {
    const auto result = read(R"({"settlement": {"events": {"Gala": {"venue_pickup": "no"}}}})");
    CHECK(contains(result.said(), "settlement.events.Gala.venue_pickup: event \"Gala\": expected "
                                  "true (guests may pick up at the venue) or false"));
}

TEST_CASE("unknown keys of an event are refused with a suggestion") {
    const auto result = read(R"({"settlement": {"events": {"Gala": {"price_lst": {}}}}})");
    CHECK(contains(result.said(), "settlement.events.Gala.price_lst: unknown key; did you mean "
                                  "\"settlement.events.Gala.price_list\"?"));
    const auto far = read(R"({"settlement": {"events": {"Gala": {"currency": "EUR"}}}})");
    CHECK(contains(far.said(), "settlement.events.Gala.currency: unknown key; expected one of "
                               "\"price_list\", \"venue_pickup\""));
}

TEST_CASE("an event that is not an object, or has no name, is refused") {
    const auto listed = read(R"({"settlement": {"events": {"Gala": ["5x7"]}}})");
    CHECK(contains(listed.said(), "settlement.events.Gala: event \"Gala\": expected an object "
                                  "such as {\"price_list\": {...}, \"venue_pickup\": false}"));
    const auto unnamed = read(R"({"settlement": {"events": {"": {"venue_pickup": false}}}})");
    CHECK(contains(unnamed.said(), "settlement.events.: an event needs its name"));
    const auto not_object = read(R"({"settlement": {"events": ["Gala"]}})");
    CHECK(contains(not_object.said(), "settlement.events: expected an object"));
}
