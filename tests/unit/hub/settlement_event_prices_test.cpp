// Each event's price list and venue pickup, and the hub-wide ones for every other event.

#include "hub/settlement/settlement.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace encore::hub::settlement;
namespace asio = boost::asio;

namespace {

// Settlement only needs a provider to send guests to a checkout; these tests never do.
class UnusedProvider : public PaymentProvider {
public:
    std::string_view name() const override { return "unused"; }
    std::string_view webhook_secret() const override { return "whsec_unused"; }
    asio::awaitable<std::optional<HostedCheckout>> open_checkout(CheckoutRequest) override {
        co_return std::nullopt;
    }
    asio::awaitable<ProviderRefund> refund(RefundRequest) override {
        co_return ProviderRefund{RefundStatus::unreachable, "", ""};
    }
};

PriceList wedding_prices() {
    return {"CHF", {{"5x7", "13×18", 900}, {"8x10", "20×25", 1500}}};
}

SettlementSettings settings_with_events() {
    SettlementSettings settings;
    settings.venue_pickup = true;
    settings.events["Smith wedding"] = {wedding_prices(), false};
    settings.events["School fair"] = {std::nullopt, false};
    settings.events["Gala"] = {PriceList{"JPY", {{"l", "L", 500}}}, std::nullopt};
    return settings;
}

struct Shop {
    encore::testing::TempDir dir;
    Ledger ledger{dir / "settlement.db"};
    UnusedProvider provider;
    Settlement settlement;
    explicit Shop(SettlementSettings settings)
        : settlement(std::move(settings), ledger, provider) {}
};

} // namespace

TEST_CASE("an event with its own price list and pickup setting gets them") {
    Shop shop(settings_with_events());
    const auto& prices = shop.settlement.prices("Smith wedding");
    CHECK(prices.currency == "CHF");
    REQUIRE(prices.products.size() == 2);
    REQUIRE(prices.find("5x7") != nullptr);
    CHECK(prices.find("5x7")->unit_price == 900);
    CHECK(prices.find("4x6") == nullptr);
    CHECK_FALSE(shop.settlement.venue_pickup("Smith wedding"));
}

TEST_CASE("an event that sets only one part takes the other from the hub") {
    Shop shop(settings_with_events());
    // Pickup off, prices the hub's.
    CHECK(shop.settlement.prices("School fair").currency == "EUR");
    REQUIRE(shop.settlement.prices("School fair").find("4x6") != nullptr);
    CHECK(shop.settlement.prices("School fair").find("4x6")->unit_price == 200);
    CHECK_FALSE(shop.settlement.venue_pickup("School fair"));
    // Its own prices, pickup the hub's.
    CHECK(shop.settlement.prices("Gala").currency == "JPY");
    CHECK(shop.settlement.venue_pickup("Gala"));
}

TEST_CASE("an event not listed, or named with other letters, uses the hub-wide settings") {
    Shop shop(settings_with_events());
    for (const auto* event : {"Summer party", "smith wedding", "Smith wedding ", ""}) {
        CAPTURE(event);
        CHECK(shop.settlement.prices(event).currency == "EUR");
        CHECK(shop.settlement.prices(event).products.size() == 4);
        CHECK(shop.settlement.venue_pickup(event));
    }
    SettlementSettings no_pickup;
    no_pickup.venue_pickup = false;
    no_pickup.prices = wedding_prices();
    Shop plain(no_pickup);
    CHECK(plain.settlement.prices("Summer party").currency == "CHF");
    CHECK_FALSE(plain.settlement.venue_pickup("Summer party"));
}

TEST_CASE("products the lab cannot print are named with their event, the hub-wide list first") {
    auto settings = settings_with_events();
    settings.prices.products.push_back({"poster", "A2", 2500});
    const auto missing = unprintable_products(settings, [](std::string_view id) {
        return id == "4x6" || id == "5x7" || id == "8x10" || id == "strip";
    });
    REQUIRE(missing.size() == 2);
    CHECK(missing[0].event == "");
    CHECK(missing[0].product_id == "poster");
    CHECK(missing[1].event == "Gala");
    CHECK(missing[1].product_id == "l");
    CHECK(
        unprintable_products(SettlementSettings{}, [](std::string_view) { return true; }).empty());
}
