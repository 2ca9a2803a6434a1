// The shipping cost of a price list on the guest pages, over real HTTP with the dev
// provider's hosted checkout and a real SQLite ledger; the hub restarted with another
// shipping cost; and hubd's reading of "shipping", its admin API and command line.

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

// The hub's euro prices (5×7 at 3.50) with 4.95 shipping; pickup offered.
settlement::SettlementSettings shipping_495() {
    settlement::SettlementSettings settings;
    settings.prices.shipping = 495;
    settings.venue_pickup = true;
    return settings;
}

std::string cell(const std::string& css_class, const std::string& amount) {
    return "<td class=\"" + css_class + "\">" + amount + "</td>";
}

} // namespace

TEST_CASE("a guest who ships 2 5x7 prints pays 4.95 shipping on top, one who picks up pays none") {
    testing::TempDir dir;
    Shop shop(dir.path(), shipping_495());
    auto guest = shop.guest();
    const auto order = shop.seed("School fair", 10);
    const auto cookie = guest.open(order);
    REQUIRE(guest.add_to_cart(cookie, order, "5x7", 2).result_int() == 303);

    // The cart says what shipping costs, the total with it, and pickup's total without.
    const auto cart = guest.get("/order", cookie).body();
    CHECK(contains(cart, "<tr><th colspan=\"3\">Shipping</th>" + cell("amount shipping", "€4.95")));
    CHECK(contains(cart, "<tr><th colspan=\"3\">Total with shipping</th>" +
                             cell("amount total", "€11.95")));
    CHECK(contains(cart, "<tr><th colspan=\"3\">Total if you pick up at the venue (no shipping "
                         "cost)</th>" +
                             cell("amount pickup-total", "€7.00")));

    // Shipped: the dev checkout asks for 11.95 and the charge is 1195.
    const auto shipped = guest.check_out(cookie, address);
    REQUIRE(shipped.result_int() == 303);
    const std::string hosted(shipped[field::location]);
    REQUIRE(hosted.starts_with("/dev-checkout/"));
    const auto checkout_page = guest.get(hosted).body();
    CHECK(contains(checkout_page, "<dd class=\"amount\">11.95 EUR</dd>"));
    CHECK(contains(checkout_page, "shipping 4.95 EUR"));
    const auto paid = guest.pay(hosted);
    REQUIRE(paid.result_int() == 303);
    const std::string status_path(paid[field::location]);
    const auto status = guest.get(status_path, cookie).body();
    CHECK(contains(status, "Paid"));
    CHECK(
        contains(status, "<tr><th colspan=\"3\">Shipping</th>" + cell("amount shipping", "€4.95")));
    CHECK(contains(status, "<tr><th colspan=\"3\">Total</th>" + cell("amount total", "€11.95")));
    const auto ship_reorder = shop.ledger().reorders_of_order(order.order_id).at(0);
    CHECK(ship_reorder.shipping == 495);
    CHECK(ship_reorder.total == 1195);
    CHECK(ship_reorder.charged == 1195);

    // Picked up at the venue: 7.00, no shipping line.
    REQUIRE(guest.add_to_cart(cookie, order, "5x7", 2).result_int() == 303);
    const auto picked = guest.check_out(cookie, "delivery=pickup");
    REQUIRE(picked.result_int() == 303);
    const std::string pickup_hosted(picked[field::location]);
    REQUIRE(pickup_hosted.starts_with("/dev-checkout/"));
    const auto pickup_page = guest.get(pickup_hosted).body();
    CHECK(contains(pickup_page, "<dd class=\"amount\">7.00 EUR</dd>"));
    CHECK_FALSE(contains(pickup_page, "shipping"));
    const auto pickup_paid = guest.pay(pickup_hosted);
    REQUIRE(pickup_paid.result_int() == 303);
    const auto pickup_status = guest.get(std::string(pickup_paid[field::location]), cookie).body();
    CHECK(contains(pickup_status,
                   "<tr><th colspan=\"3\">Total</th>" + cell("amount total", "€7.00")));
    CHECK_FALSE(contains(pickup_status, "Shipping"));

    // The order page lists both reorders with what each cost.
    const auto listed = guest.get("/order", cookie).body();
    CHECK(contains(listed, "€11.95</a>"));
    CHECK(contains(listed, "€7.00</a>"));
    const auto reorders = shop.ledger().reorders_of_order(order.order_id);
    REQUIRE(reorders.size() == 2);
    std::int64_t charged = 0;
    for (const auto& reorder : reorders) {
        charged += reorder.charged;
    }
    CHECK(charged == 1195 + 700);
}

TEST_CASE("without pickup or without a shipping cost, the cart shows one total") {
    testing::TempDir dir;
    auto settings = shipping_495();
    settings.events["Ship only"] = {std::nullopt, false};
    settings.events["Free post"] = {
        settlement::PriceList{"EUR", {{"5x7", "5×7", 350}}, /*shipping=*/0}, std::nullopt};
    Shop shop(dir.path(), settings);
    auto guest = shop.guest();

    const auto ship_only = shop.seed("Ship only", 20);
    const auto ship_cookie = guest.open(ship_only);
    REQUIRE(guest.add_to_cart(ship_cookie, ship_only, "5x7", 2).result_int() == 303);
    const auto ship_cart = guest.get("/order", ship_cookie).body();
    CHECK(contains(ship_cart, "Total with shipping</th>" + cell("amount total", "€11.95")));
    CHECK_FALSE(contains(ship_cart, "pick up"));

    const auto free_post = shop.seed("Free post", 30);
    const auto free_cookie = guest.open(free_post);
    REQUIRE(guest.add_to_cart(free_cookie, free_post, "5x7", 2).result_int() == 303);
    const auto free_cart = guest.get("/order", free_cookie).body();
    CHECK(contains(free_cart, "<tr><th colspan=\"3\">Total</th>" + cell("amount total", "€7.00")));
    CHECK_FALSE(contains(free_cart, "Shipping"));
    const auto placed = guest.check_out(free_cookie, address);
    REQUIRE(placed.result_int() == 303);
    CHECK(contains(guest.get(std::string(placed[field::location])).body(), "7.00 EUR"));
    CHECK(shop.ledger().reorders_of_order(free_post.order_id).at(0).total == 700);
}

TEST_CASE("the cart's shipping lines speak the guest's language") {
    testing::TempDir dir;
    Shop shop(dir.path(), shipping_495());
    auto guest = shop.guest();
    const auto order = shop.seed("School fair", 40);
    const auto cookie = guest.open(order);
    REQUIRE(guest.add_to_cart(cookie, order, "5x7", 2).result_int() == 303);
    const std::vector<std::tuple<std::string, std::string, std::string, std::string>> languages = {
        {"de", "Versand", "Summe mit Versand",
         "Summe bei Abholung am Veranstaltungsort (ohne Versandkosten)"},
        {"fr", "Frais de port", "Total avec frais de port",
         "Total si vous retirez sur le lieu de l&#39;événement (sans frais de port)"},
        {"es", "Gastos de envío", "Total con envío",
         "Total si recoges en el lugar del evento (sin gastos de envío)"},
        {"ja", "送料", "送料込みの合計", "会場で受け取る場合の合計（送料なし）"}};
    for (const auto& [tag, shipping, with_shipping, with_pickup] : languages) {
        CAPTURE(tag);
        const auto page = guest.get("/order?lang=" + tag, cookie).body();
        CHECK(contains(page, "<html lang=\"" + tag + "\">"));
        CHECK(contains(page, "<th colspan=\"3\">" + shipping + "</th>"));
        CHECK(contains(page, "<th colspan=\"3\">" + with_shipping + "</th>"));
        CHECK(contains(page, "<th colspan=\"3\">" + with_pickup + "</th>"));
        CHECK_FALSE(contains(page, "Total with shipping"));
    }
}

TEST_CASE("after the shipping cost changes, a placed reorder keeps its shipping and total") {
    testing::TempDir dir;
    SeededOrder order;
    std::string cookie;
    std::string status_path;
    {
        Shop shop(dir.path(), shipping_495());
        auto guest = shop.guest();
        order = shop.seed("School fair", 50);
        cookie = guest.open(order);
        REQUIRE(guest.add_to_cart(cookie, order, "5x7", 2).result_int() == 303);
        const auto placed = guest.check_out(cookie, address);
        REQUIRE(placed.result_int() == 303);
        // Not paid before the change.
        status_path = "/order/reorders/" + shop.ledger().reorders_of_order(order.order_id).at(0).id;
    }

    // The hub restarts with postage at 6.50.
    auto dearer = shipping_495();
    dearer.prices.shipping = 650;
    Shop shop(dir.path(), dearer);
    auto guest = shop.guest();
    const auto status = guest.get(status_path, cookie);
    REQUIRE(status.result_int() == 200);
    CHECK(contains(status.body(), cell("amount shipping", "€4.95")));
    CHECK(contains(status.body(), cell("amount total", "€11.95")));
    const auto pay_again =
        guest.post(status_path + "/pay",
                   "csrf=" + form_value(status.body(), status_path + "/pay", "csrf"), cookie);
    REQUIRE(pay_again.result_int() == 303);
    const std::string hosted(pay_again[field::location]);
    REQUIRE(hosted.starts_with("/dev-checkout/"));
    CHECK(contains(guest.get(hosted).body(), "<dd class=\"amount\">11.95 EUR</dd>"));
    REQUIRE(guest.pay(hosted).result_int() == 303);
    const auto first = shop.ledger().reorders_of_order(order.order_id).at(0);
    CHECK(first.shipping == 495);
    CHECK(first.total == 1195);
    CHECK(first.charged == 1195);

    // A new cart is offered at today's shipping.
    REQUIRE(guest.add_to_cart(cookie, order, "5x7", 2).result_int() == 303);
    const auto cart = guest.get("/order", cookie).body();
    CHECK(contains(cart, cell("amount shipping", "€6.50")));
    CHECK(contains(cart, cell("amount total", "€13.50")));
    const auto placed = guest.check_out(cookie, address);
    REQUIRE(placed.result_int() == 303);
    CHECK(contains(guest.get(std::string(placed[field::location])).body(), "13.50 EUR"));
    const auto reorders = shop.ledger().reorders_of_order(order.order_id);
    REQUIRE(reorders.size() == 2);
    const auto& second = reorders[0].id == first.id ? reorders[1] : reorders[0];
    CHECK(second.shipping == 650);
    CHECK(second.total == 1350);
}

TEST_CASE("hubd charges the configured shipping, shows it to staff, and refuses a bad one") {
    testing::TempDir dir;
    const auto data = dir / "hub";
    std::filesystem::create_directories(data);
    SeededOrder order;
    {
        hub::ImageStore images(data / "images");
        const auto orders = hub::open_sqlite_order_repository(data / "orders.db");
        order = seed_order(images, *orders, "Summer Gala", 1, 60);
    }
    testing::write_text_file(
        dir / "hub.json",
        R"({"settlement": {"counter": true, "price_list": {"currency": "EUR", "shipping": 495,
            "products": [{"id": "5x7", "label": "5×7", "price": 350}]}}})");
    CHECK(testing::run_program(testing::bin_dir() / "hubd",
                               {"--config", (dir / "hub.json").string(), "--check-config"})
              .exit_code == 0);
    testing::ChildProcess hubd(testing::bin_dir() / "hubd",
                               {"--config", (dir / "hub.json").string(), "--data", data.string(),
                                "--public-listen", "127.0.0.1:0", "--private-listen", "127.0.0.1:0",
                                "--kiosk-listen", "127.0.0.1:0"});
    const auto line = hubd.wait_for_line("listening", 10s);
    REQUIRE_MESSAGE(line, hubd.stderr_text());
    const auto public_port = static_cast<unsigned short>(
        std::stoi(capture(*line, "public=http://127\\.0\\.0\\.1:(\\d+)/")));
    const auto private_port = static_cast<unsigned short>(
        std::stoi(capture(*line, "private=http://127\\.0\\.0\\.1:(\\d+)/")));
    const auto encore = [&](std::vector<std::string> arguments) {
        arguments.insert(arguments.end(),
                         {"--hub", "http://127.0.0.1:" + std::to_string(private_port),
                          "--token-file", (data / "admin.token").string()});
        return testing::run_program(testing::bin_dir() / "encore", std::move(arguments));
    };

    // The guest ships and chooses to pay at the counter: the amount due includes shipping.
    Guest guest(public_port);
    const auto cookie = guest.open(order);
    REQUIRE(guest.add_to_cart(cookie, order, "5x7", 2).result_int() == 303);
    const auto placed = guest.check_out(cookie, address + "&payment=counter");
    REQUIRE(placed.result_int() == 303);
    const std::string status_path(placed[field::location]);
    REQUIRE(status_path.starts_with("/order/reorders/"));
    const auto reorder_id = status_path.substr(std::string("/order/reorders/").size());
    const auto status = guest.get(status_path, cookie).body();
    CHECK(contains(status, "<dd class=\"amount due\">€11.95</dd>"));
    CHECK(contains(status, cell("amount shipping", "€4.95")));

    // Staff see the total and the shipping in it.
    const auto token = testing::read_text_file(data / "admin.token");
    const auto shown = fetch(private_port, verb::get, "/api/reorders/" + reorder_id,
                             {{"Authorization", "Bearer " + token.substr(0, token.find('\n'))}});
    REQUIRE(shown.result_int() == 200);
    const auto body = nlohmann::json::parse(shown.body());
    CHECK(body["total"] == 1195);
    CHECK(body["shipping"] == 495);
    const std::string password = "counter-clerk-2026";
    const auto added = testing::run_program(
        "/bin/sh",
        {"-c", "printf '%s\\n' '" + password + "' | '" + (testing::bin_dir() / "encore").string() +
                   "' staff add clerk --role desk --hub http://127.0.0.1:" +
                   std::to_string(private_port) + " --token-file '" +
                   (data / "admin.token").string() + "'"});
    REQUIRE_MESSAGE(added.exit_code == 0, added.err);
    const auto login = fetch(private_port, verb::post, "/login", {},
                             "name=clerk&password=" + password + "&next=%2Fdesk");
    REQUIRE(login.result_int() == 303);
    const std::string clerk(login[field::set_cookie]);
    const auto desk =
        fetch(private_port, verb::get, "/desk", with_cookie(clerk.substr(0, clerk.find(';'))));
    REQUIRE(desk.result_int() == 200);
    CHECK(contains(desk.body(), "<td class=\"amount\">11.95 EUR</td>"));
    CHECK(contains(desk.body(), "2 × 5x7, shipping 4.95 EUR"));
    const auto awaiting = encore({"pay", "counter"});
    CHECK(awaiting.exit_code == 0);
    CHECK(contains(awaiting.out, "11.95 EUR  reorder " + reorder_id));
    const auto confirmed = encore({"pay", "confirm", reorder_id, "--cash"});
    CHECK(confirmed.exit_code == 0);
    CHECK(contains(confirmed.out, "11.95 EUR"));
    settlement::Ledger ledger(data / "settlement.db");
    CHECK(ledger.find_reorder(reorder_id)->charged == 1195);
    hubd.send_signal(SIGTERM);
    CHECK(hubd.wait_for_exit(10s) == 0);

    testing::write_text_file(
        dir / "bad.json",
        R"({"settlement": {"events": {"Gala": {"price_list": {"currency": "EUR", "shipping": -5,
            "products": [{"id": "5x7", "label": "5×7", "price": 350}]}}}}})");
    const auto bad = testing::run_program(
        testing::bin_dir() / "hubd", {"--config", (dir / "bad.json").string(), "--check-config"});
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.err, "settlement.events.Gala.price_list"));
    CHECK(contains(bad.err, "\"shipping\" must be 0 to 10000000 minor units"));
}
