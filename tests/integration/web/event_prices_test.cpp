// Each event's price list and venue pickup on the guest pages, over real HTTP with the dev
// provider's hosted checkout and a real SQLite ledger; the hub restarted with a changed
// price list; and hubd's own reading of settlement.events.

#include "hub/settlement/ledger.hpp"
#include "hub/settlement/settlement.hpp"
#include "hub/store/image_store.hpp"
#include "hub/store/order_repository.hpp"
#include "hub/web/guest_web.hpp"
#include "kiosk/imaging/image.hpp"
#include "kiosk/imaging/jpeg.hpp"
#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/wire/messages.hpp"
#include "tests/integration/web/guest_site.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/source_tree.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <regex>
#include <thread>

using namespace encore;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = platform::http;
namespace crypto = platform::crypto;
namespace settlement = hub::settlement;
using beast::http::field;
using beast::http::verb;

namespace {

using testing::guest_site::capture;
using testing::guest_site::contains;
using testing::guest_site::fetch;
using testing::guest_site::form_value;
using testing::guest_site::Guest;
using testing::guest_site::Reply;
using testing::guest_site::seed_order;
using testing::guest_site::SeededOrder;
using testing::guest_site::with_cookie;
using Shop = testing::guest_site::PublicHub;

const std::string address =
    "delivery=ship&name=Ada+Guest&street=1+Main+St&postal_code=10115&city=Berlin&country=DE";

// The wedding sells two sizes in Swiss francs and lets guests pick up at the venue; the
// school fair keeps the hub's euro price list and ships only.
settlement::SettlementSettings wedding_and_fair() {
    settlement::SettlementSettings settings;
    settings.venue_pickup = true;
    settings.events["Smith wedding"] = {
        settlement::PriceList{"CHF", {{"5x7", "13×18", 900}, {"8x10", "20×25", 1500}}}, true};
    settings.events["School fair"] = {std::nullopt, false};
    return settings;
}

} // namespace

TEST_CASE("orders of two events show each event's prices, charge them, and offer pickup only "
          "where the event allows it") {
    testing::TempDir dir;
    Shop shop(dir.path(), wedding_and_fair());
    const auto wedding = shop.seed("Smith wedding", 10);
    const auto fair = shop.seed("School fair", 200);
    const auto wedding_cookie = shop.guest().open(wedding);
    const auto fair_cookie = shop.guest().open(fair);

    const auto wedding_page = shop.guest().get("/order", wedding_cookie).body();
    CHECK(contains(wedding_page, "13×18 print · 9.00\u00a0CHF"));
    CHECK(contains(wedding_page, "20×25 print · 15.00\u00a0CHF"));
    CHECK_FALSE(contains(wedding_page, "4×6 print"));
    CHECK_FALSE(contains(wedding_page, "€"));
    const auto fair_page = shop.guest().get("/order", fair_cookie).body();
    CHECK(contains(fair_page, "4×6 print · €2.00"));
    CHECK(contains(fair_page, "5×7 print · €3.50"));
    CHECK_FALSE(contains(fair_page, "CHF"));

    // A product of the other event's list is not for sale here.
    const auto foreign = shop.guest().add_to_cart(wedding_cookie, wedding, "4x6", 1);
    CHECK(foreign.result_int() == 400);
    CHECK(contains(foreign.body(), "Choose one of your photos, a product and 1 to 99 copies."));

    REQUIRE(shop.guest().add_to_cart(wedding_cookie, wedding, "5x7", 2).result_int() == 303);
    REQUIRE(shop.guest().add_to_cart(fair_cookie, fair, "5x7", 2).result_int() == 303);
    const auto wedding_cart = shop.guest().get("/order", wedding_cookie).body();
    CHECK(contains(wedding_cart, "<td class=\"amount total\">18.00\u00a0CHF</td>"));
    CHECK(contains(wedding_cart, "value=\"pickup\""));
    CHECK(contains(wedding_cart, "Pick up at the venue"));
    const auto fair_cart = shop.guest().get("/order", fair_cookie).body();
    CHECK(contains(fair_cart, "<td class=\"amount total\">€7.00</td>"));
    CHECK_FALSE(contains(fair_cart, "value=\"pickup\""));
    CHECK_FALSE(contains(fair_cart, "Pick up at the venue"));

    // The wedding guest picks up at the venue and pays in francs.
    const auto wedding_checkout = shop.guest().check_out(wedding_cookie, "delivery=pickup");
    REQUIRE(wedding_checkout.result_int() == 303);
    const std::string wedding_hosted(wedding_checkout[field::location]);
    REQUIRE(wedding_hosted.starts_with("/dev-checkout/"));
    CHECK(contains(shop.guest().get(wedding_hosted).body(), "18.00 CHF"));
    REQUIRE(shop.guest().pay(wedding_hosted).result_int() == 303);

    // The fair guest cannot choose pickup even by sending it; shipped, paid in euros.
    const auto sneaky = shop.guest().check_out(fair_cookie, "delivery=pickup");
    CHECK(sneaky.result_int() == 400);
    CHECK(contains(sneaky.body(), "Please choose how you want to get your prints."));
    CHECK(shop.ledger().reorders_of_order(fair.order_id).empty());
    const auto fair_checkout = shop.guest().check_out(fair_cookie, address);
    REQUIRE(fair_checkout.result_int() == 303);
    const std::string fair_hosted(fair_checkout[field::location]);
    CHECK(contains(shop.guest().get(fair_hosted).body(), "7.00 EUR"));
    REQUIRE(shop.guest().pay(fair_hosted).result_int() == 303);

    const auto wedding_reorders = shop.ledger().reorders_of_order(wedding.order_id);
    REQUIRE(wedding_reorders.size() == 1);
    CHECK(wedding_reorders[0].currency == "CHF");
    CHECK(wedding_reorders[0].charged == 1800);
    CHECK(wedding_reorders[0].delivery.method == settlement::DeliveryMethod::pickup);
    const auto fair_reorders = shop.ledger().reorders_of_order(fair.order_id);
    REQUIRE(fair_reorders.size() == 1);
    CHECK(fair_reorders[0].currency == "EUR");
    CHECK(fair_reorders[0].charged == 700);
    CHECK(fair_reorders[0].delivery.method == settlement::DeliveryMethod::ship);

    // Each guest's order page lists the reorder in its own currency.
    CHECK(contains(shop.guest().get("/order", wedding_cookie).body(), "18.00\u00a0CHF</a>"));
    CHECK(contains(shop.guest().get("/order", fair_cookie).body(), "€7.00</a>"));
}

TEST_CASE("after the event's price list changes, a placed reorder keeps its prices and a cart "
          "line no longer offered is taken out before checkout") {
    testing::TempDir dir;
    SeededOrder wedding;
    std::string cookie;
    std::string status_path;
    std::string stale_fields;
    {
        Shop shop(dir.path(), wedding_and_fair());
        wedding = shop.seed("Smith wedding", 10);
        cookie = shop.guest().open(wedding);
        REQUIRE(shop.guest().add_to_cart(cookie, wedding, "5x7", 2).result_int() == 303);
        const auto placed = shop.guest().check_out(cookie, address);
        REQUIRE(placed.result_int() == 303);
        // Not paid before the change.
        status_path = "/order/reorders/" + shop.ledger().reorders_of_order(wedding.order_id)[0].id;
        // A new cart, and the checkout form as the guest's phone shows it before the change.
        REQUIRE(shop.guest().add_to_cart(cookie, wedding, "8x10", 1).result_int() == 303);
        REQUIRE(shop.guest().add_to_cart(cookie, wedding, "5x7", 1).result_int() == 303);
        CHECK(contains(shop.guest().get("/order", cookie).body(),
                       "<td class=\"amount total\">24.00\u00a0CHF</td>"));
        stale_fields = shop.guest().checkout_fields(cookie);
    }

    // The hub restarts with the wedding in euros at a new price, without 8×10.
    auto changed = wedding_and_fair();
    changed.events["Smith wedding"].prices = settlement::PriceList{"EUR", {{"5x7", "13×18", 1200}}};
    Shop shop(dir.path(), changed);

    // The placed reorder still reads and charges what it was placed with.
    const auto status = shop.guest().get(status_path, cookie);
    REQUIRE(status.result_int() == 200);
    CHECK(contains(status.body(), "<td class=\"amount total\">18.00\u00a0CHF</td>"));
    const auto pay_again = shop.guest().post(
        status_path + "/pay", "csrf=" + form_value(status.body(), status_path + "/pay", "csrf"),
        cookie);
    REQUIRE(pay_again.result_int() == 303);
    const std::string hosted(pay_again[field::location]);
    REQUIRE(hosted.starts_with("/dev-checkout/"));
    CHECK(contains(shop.guest().get(hosted).body(), "18.00 CHF"));
    REQUIRE(shop.guest().pay(hosted).result_int() == 303);
    const auto first = shop.ledger().reorders_of_order(wedding.order_id).at(0);
    CHECK(first.currency == "CHF");
    CHECK(first.total == 1800);
    CHECK(first.charged == 1800);

    // The cart shows only what is still offered, at today's price, and says why.
    const auto page = shop.guest().get("/order", cookie).body();
    CHECK(contains(page, "Some prints in your cart are no longer offered for this event"));
    CHECK_FALSE(contains(page, "20×25"));
    CHECK(contains(page, "<td class=\"amount total\">€12.00</td>"));

    // The form shown before the change is refused: nothing is placed, and the cart is
    // shown as it now stands.
    const auto refused = shop.guest().post("/order/checkout", stale_fields + "&" + address, cookie);
    CHECK(refused.result_int() == 409);
    CHECK(contains(refused.body(), "Some prints in your cart are no longer offered for this "
                                   "event and were taken out."));
    CHECK(contains(refused.body(), "<td class=\"amount total\">€12.00</td>"));
    CHECK(shop.ledger().reorders_of_order(wedding.order_id).size() == 1);
    CHECK_FALSE(contains(shop.guest().get("/order", cookie).body(), "no longer offered"));

    // Checking out again places the cart the guest now sees.
    const auto placed = shop.guest().check_out(cookie, address);
    REQUIRE(placed.result_int() == 303);
    CHECK(contains(shop.guest().get(std::string(placed[field::location])).body(), "12.00 EUR"));
    const auto reorders = shop.ledger().reorders_of_order(wedding.order_id);
    REQUIRE(reorders.size() == 2);
    const auto& second = reorders[0].id == first.id ? reorders[1] : reorders[0];
    CHECK(second.currency == "EUR");
    CHECK(second.total == 1200);
    REQUIRE(second.lines.size() == 1);
    CHECK(second.lines[0].product_id == "5x7");
}

TEST_CASE("hubd checks settlement.events and names products without a print template at start") {
    testing::TempDir dir;
    const nlohmann::json config = {
        {"settlement",
         {{"events",
           {{"Smith wedding",
             {{"price_list",
               {{"currency", "CHF"},
                {"products",
                 {{{"id", "5x7"}, {"label", "13×18"}, {"price", 900}},
                  {{"id", "poster"}, {"label", "A2"}, {"price", 2500}}}}}},
              {"venue_pickup", false}}}}}}},
        {"desk",
         {{"templates_dir",
           (testing::source_dir() / "kiosk" / "imaging" / "templates").string()}}}};
    testing::write_text_file(dir / "hub.json", config.dump());
    CHECK(testing::run_program(testing::bin_dir() / "hubd",
                               {"--config", (dir / "hub.json").string(), "--check-config"})
              .exit_code == 0);

    testing::ChildProcess hubd(testing::bin_dir() / "hubd",
                               {"--config", (dir / "hub.json").string(), "--data",
                                (dir / "data").string(), "--public-listen", "127.0.0.1:0",
                                "--private-listen", "127.0.0.1:0", "--kiosk-listen",
                                "127.0.0.1:0"});
    REQUIRE_MESSAGE(hubd.wait_for_line("listening", 10s), hubd.stderr_text());
    hubd.send_signal(SIGTERM);
    CHECK(hubd.wait_for_exit(10s) == 0);
    const auto log = hubd.stderr_text();
    CHECK(contains(log, "the price list of event \"Smith wedding\" offers product \"poster\", "
                        "which has no print template"));
    CHECK_FALSE(contains(log, "product \"5x7\""));

    testing::write_text_file(
        dir / "bad.json",
        R"({"settlement": {"events": {"Smith wedding": {"venue_pickup": "yes"}}}})");
    const auto bad = testing::run_program(
        testing::bin_dir() / "hubd", {"--config", (dir / "bad.json").string(), "--check-config"});
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.err, "settlement.events.Smith wedding.venue_pickup"));
    CHECK(contains(bad.err, "expected true (guests may pick up at the venue) or false"));
}
