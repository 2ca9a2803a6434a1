// Reorders and their settlement over real HTTP: a guest's browser on the order page, the
// dev provider's hosted checkout on the same public listener, and webhooks signed and
// sent over HTTP to POST /webhooks/payment, over a real SQLite ledger.

#include "hub/settlement/counter_provider.hpp"
#include "hub/settlement/dev_provider.hpp"
#include "hub/settlement/ledger.hpp"
#include "hub/settlement/settlement.hpp"
#include "hub/settlement/webhook_signature.hpp"
#include "hub/store/image_store.hpp"
#include "hub/store/order_repository.hpp"
#include "hub/web/guest_web.hpp"
#include "kiosk/imaging/image.hpp"
#include "kiosk/imaging/jpeg.hpp"
#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/http/server.hpp"
#include "platform/wire/messages.hpp"
#include "tests/integration/web/guest_site.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cctype>
#include <csignal>
#include <future>
#include <regex>
#include <set>
#include <sstream>
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
using testing::guest_site::Headers;
using testing::guest_site::Reply;
using testing::guest_site::seed_order;
using testing::guest_site::SeededOrder;
using testing::guest_site::with_cookie;
const testing::guest_site::FetchOptions json_body{"application/json"};

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The "status" of a webhook's JSON answer, or "".
std::string webhook_status(const Reply& reply) {
    const auto json = nlohmann::json::parse(reply.body(), nullptr, false);
    return json.is_object() && json.contains("status") && json["status"].is_string()
               ? json["status"].get<std::string>()
               : std::string();
}

void check_security_headers(const Reply& reply) {
    CHECK(contains(std::string(reply["Content-Security-Policy"]), "script-src 'self'"));
    CHECK(reply["Referrer-Policy"] == "no-referrer");
    CHECK(reply["X-Content-Type-Options"] == "nosniff");
}

// The hub's public side as hubd wires it: guest pages, the webhook route and the dev
// provider's checkout on one listener, with orders recorded as the intake records them.
class ShopFixture {
public:
    ShopFixture()
        : images_(dir_ / "images")
        , orders_(hub::open_sqlite_order_repository(dir_ / "orders.db"))
        , ledger_(dir_ / "settlement.db")
        , provider_(loop_.get_executor(), dir_ / "dev_provider.db", secret_)
        , settlement_({settlement::default_price_list(), true, true, {}}, ledger_, provider_,
                      &counter_) {
        first_ = seed("Summer <Gala>", 2, 10);
        second_ = seed("Other party", 1, 200);
        hub::web::GuestWebSettings settings;
        settings.data_dir = dir_.path();
        web_ = std::make_unique<hub::web::GuestWeb>(loop_.get_executor(), settings, *orders_,
                                                    images_, &settlement_);
        web_->add_routes(router_);
        settlement::add_webhook_route(router_, settlement_);
        provider_.add_routes(router_);
        server_ = std::make_unique<http::Server>(loop_, platform::Endpoint{"127.0.0.1", 0}, router_,
                                                 "public");
        port_ = server_->local_endpoint().port;
        provider_.set_webhook_target({"127.0.0.1", port_});
        thread_ = std::thread([this] { loop_.run(); });
    }
    ~ShopFixture() {
        asio::post(loop_, [this] {
            server_->stop();
            loop_.stop();
        });
        thread_.join();
    }

    Reply get(const std::string& target, const std::string& cookie = {}) {
        return fetch(port_, verb::get, target, with_cookie(cookie));
    }
    Reply post(const std::string& target, const std::string& body, const std::string& cookie = {}) {
        return fetch(port_, verb::post, target, with_cookie(cookie), body);
    }
    Reply post_webhook(const std::string& body, const std::string& signature) {
        Headers headers;
        if (!signature.empty()) {
            headers.emplace_back("Encore-Signature", signature);
        }
        return fetch(port_, verb::post, "/webhooks/payment", headers, body, json_body);
    }

    // Opens the order with its QR link: the session cookie ("name=value").
    std::string open(const SeededOrder& order) {
        const auto reply = get("/o/" + order.token);
        REQUIRE(reply.result_int() == 303);
        const std::string line(reply[field::set_cookie]);
        REQUIRE(line.starts_with("__Host-encore_order="));
        return line.substr(0, line.find(';'));
    }

    // Puts `quantity` × `product` of the order's first photo into the cart.
    void add_to_cart(const std::string& cookie, const SeededOrder& order,
                     const std::string& product, int quantity) {
        const auto page = get("/order", cookie);
        REQUIRE(page.result_int() == 200);
        const auto csrf = form_value(page.body(), "/order/cart", "csrf");
        const auto reply = post("/order/cart",
                                "csrf=" + csrf + "&photo=" + order.photos[0] +
                                    "&product=" + product + "&quantity=" + std::to_string(quantity),
                                cookie);
        REQUIRE(reply.result_int() == 303);
        CHECK(reply[field::location] == "/order#cart");
    }

    // The checkout form's fields with `address` after them; the reply to posting it.
    Reply check_out(const std::string& cookie, const std::string& address,
                    std::string* form_fields = nullptr) {
        const auto page = get("/order", cookie);
        const auto fields = "csrf=" + form_value(page.body(), "/order/checkout", "csrf") +
                            "&key=" + form_value(page.body(), "/order/checkout", "key");
        if (form_fields != nullptr) {
            *form_fields = fields;
        }
        return post("/order/checkout", fields + "&" + address, cookie);
    }

    // Presses "Pay" or "Decline" on the dev provider's page at `checkout_path`.
    Reply press(const std::string& checkout_path, const std::string& action) {
        const auto page = get(checkout_path);
        REQUIRE(page.result_int() == 200);
        const auto token = form_value(page.body(), checkout_path, "form");
        return post(checkout_path, "form=" + token + "&action=" + action);
    }

    unsigned short port() const { return port_; }
    const SeededOrder& first() const { return first_; }
    const SeededOrder& second() const { return second_; }
    settlement::Ledger& ledger() { return ledger_; }
    settlement::DevProvider& provider() { return provider_; }
    settlement::Settlement& settlement() { return settlement_; }
    const std::string& secret() const { return secret_; }
    // Starts `awaitable` on the shop's loop: its result, to wait for.
    template <typename Awaitable>
    auto spawn(Awaitable awaitable) {
        return asio::co_spawn(loop_, std::move(awaitable), asio::use_future);
    }
    // Runs `awaitable` on the shop's loop and waits for its result.
    template <typename Awaitable>
    auto on_loop(Awaitable awaitable) {
        return spawn(std::move(awaitable)).get();
    }

private:
    SeededOrder seed(const std::string& event, int photo_count, std::uint8_t shade) {
        return seed_order(images_, *orders_, event, photo_count, shade);
    }

    testing::TempDir dir_;
    hub::ImageStore images_;
    std::unique_ptr<hub::OrderRepository> orders_;
    std::string secret_ = "whsec_" + crypto::random_token(32);
    asio::io_context loop_;
    settlement::Ledger ledger_;
    settlement::DevProvider provider_;
    settlement::CounterProvider counter_;
    settlement::Settlement settlement_;
    SeededOrder first_;
    SeededOrder second_;
    http::Router router_;
    std::unique_ptr<hub::web::GuestWeb> web_;
    std::unique_ptr<http::Server> server_;
    unsigned short port_ = 0;
    std::thread thread_;
};

const std::string address =
    "delivery=ship&name=Ada+%3CGuest%3E&street=1+Main+St&postal_code=10115&city=Berlin&country=de";

// Places a reorder of 2 × 5×7 and returns the path of its dev checkout page.
std::string checkout_of_two_five_by_seven(ShopFixture& shop, const std::string& cookie) {
    shop.add_to_cart(cookie, shop.first(), "5x7", 2);
    const auto reply = shop.check_out(cookie, address);
    REQUIRE(reply.result_int() == 303);
    const std::string location(reply[field::location]);
    REQUIRE(location.starts_with("/dev-checkout/cs_dev_"));
    return location;
}

} // namespace

TEST_CASE("a guest orders 2 5x7 prints to an address, pays on the dev checkout and sees paid") {
    ShopFixture shop;
    const auto cookie = shop.open(shop.first());
    const auto page = shop.get("/order", cookie);
    CHECK(contains(page.body(), "5×7 print · €3.50"));
    CHECK(contains(page.body(), "Your cart is empty."));
    shop.add_to_cart(cookie, shop.first(), "5x7", 2);
    const auto with_cart = shop.get("/order", cookie);
    CHECK(contains(with_cart.body(), "<td class=\"quantity\">× 2</td>"));
    CHECK(contains(with_cart.body(), "<td class=\"amount total\">€7.00</td>"));

    // An address without a city comes back with the field marked and the input kept,
    // escaped.
    const auto incomplete = shop.check_out(
        cookie, "delivery=ship&name=Ada+%3CGuest%3E&street=1+Main+St&postal_code=10115&country=DE");
    CHECK(incomplete.result_int() == 400);
    CHECK(contains(incomplete.body(), "Please check the highlighted fields of your address."));
    CHECK(std::regex_search(incomplete.body(),
                            std::regex("name=\"city\" value=\"\"[^>]*aria-invalid=\"true\"")));
    CHECK(contains(incomplete.body(), "value=\"Ada &lt;Guest&gt;\""));
    CHECK_FALSE(contains(incomplete.body(), "<Guest>"));
    CHECK(shop.ledger().reorders_of_order(shop.first().order_id).empty());

    std::string form_fields;
    const auto checkout = shop.check_out(cookie, address, &form_fields);
    REQUIRE(checkout.result_int() == 303);
    const std::string hosted(checkout[field::location]);
    REQUIRE(hosted.starts_with("/dev-checkout/"));
    const auto dev_page = shop.get(hosted);
    CHECK(contains(dev_page.body(), "7.00 EUR"));
    CHECK(contains(dev_page.body(), "2 prints from Summer &lt;Gala&gt;"));
    check_security_headers(dev_page);

    const auto paid = shop.press(hosted, "pay");
    REQUIRE(paid.result_int() == 303);
    const std::string status_path(paid[field::location]);
    REQUIRE(status_path.starts_with("/order/reorders/"));
    const auto status = shop.get(status_path, cookie);
    CHECK(status.result_int() == 200);
    CHECK(contains(status.body(), "<dd class=\"state state-paid\">Paid</dd>"));
    CHECK(contains(status.body(), "Ada &lt;Guest&gt;<br>1 Main St<br>10115 Berlin<br>DE"));
    CHECK(contains(status.body(), "<td class=\"amount total\">€7.00</td>"));
    CHECK_FALSE(contains(status.body(), "Pay now"));
    check_security_headers(status);

    const auto reorders = shop.ledger().reorders_of_order(shop.first().order_id);
    REQUIRE(reorders.size() == 1);
    CHECK(reorders[0].state == settlement::ReorderState::paid);
    CHECK(reorders[0].charged == 700);
    CHECK(shop.ledger().count_charges(reorders[0].id) == 1);
    // The order page lists it as paid, and the cart is empty again.
    const auto after = shop.get("/order", cookie);
    CHECK(contains(after.body(), "<span class=\"state state-paid\">Paid</span>"));
    CHECK(contains(after.body(), "Your cart is empty."));
    // The checkout form sent again (a reload) places nothing new and leads to the status.
    const auto resent = shop.post("/order/checkout", form_fields + "&" + address, cookie);
    CHECK(resent.result_int() == 303);
    CHECK(resent[field::location] == status_path);
    CHECK(shop.ledger().reorders_of_order(shop.first().order_id).size() == 1);
    // Pressing "Pay" again on the finished checkout moves no money.
    CHECK(shop.get(hosted).result_int() == 303);
    CHECK(shop.ledger().count_charges(reorders[0].id) == 1);
}

TEST_CASE("two browsers on one order each see their own cart and form tokens, also when the "
          "page is served again from memory") {
    ShopFixture shop;
    const auto first_browser = shop.open(shop.first());
    const auto second_browser = shop.open(shop.first());
    const auto first_page = shop.get("/order", first_browser);
    const auto second_page = shop.get("/order", second_browser);
    const auto first_csrf = form_value(first_page.body(), "/order/cart", "csrf");
    const auto second_csrf = form_value(second_page.body(), "/order/cart", "csrf");
    CHECK(first_csrf != second_csrf);
    // The same view asked again is the same page.
    CHECK(shop.get("/order", first_browser).body() == first_page.body());

    shop.add_to_cart(first_browser, shop.first(), "4x6", 3);
    const auto first_with_cart = shop.get("/order", first_browser);
    CHECK(contains(first_with_cart.body(), "<td class=\"quantity\">× 3</td>"));
    CHECK(form_value(first_with_cart.body(), "/order/cart", "csrf") == first_csrf);
    const auto second_again = shop.get("/order", second_browser);
    CHECK(contains(second_again.body(), "Your cart is empty."));
    CHECK(form_value(second_again.body(), "/order/cart", "csrf") == second_csrf);

    // Each language is its own page, and the switch sets its cookie every time.
    for (int view = 0; view < 2; ++view) {
        const auto german = shop.get("/order?lang=de", first_browser);
        CHECK(contains(german.body(), "<html lang=\"de\">"));
        CHECK(contains(german.body(), "<td class=\"quantity\">× 3</td>"));
        CHECK(contains(std::string(german[field::set_cookie]), "__Host-encore_lang=de"));
    }

    // A reorder placed by the second browser belongs to the order: it shows at once on
    // both pages, and the first browser keeps its cart.
    shop.add_to_cart(second_browser, shop.first(), "5x7", 1);
    REQUIRE(shop.check_out(second_browser, address).result_int() == 303);
    const auto second_after = shop.get("/order", second_browser);
    CHECK(contains(second_after.body(), "<span class=\"state state-unpaid\">"));
    CHECK(contains(second_after.body(), "Your cart is empty."));
    const auto first_after = shop.get("/order", first_browser);
    CHECK(contains(first_after.body(), "<span class=\"state state-unpaid\">"));
    CHECK(contains(first_after.body(), "<td class=\"quantity\">× 3</td>"));
}

TEST_CASE("a declined payment leaves the reorder unpaid, and it can be paid later") {
    ShopFixture shop;
    const auto cookie = shop.open(shop.first());
    const auto hosted = checkout_of_two_five_by_seven(shop, cookie);
    const auto declined = shop.press(hosted, "decline");
    REQUIRE(declined.result_int() == 303);
    const std::string status_path(declined[field::location]);
    const auto status = shop.get(status_path, cookie);
    CHECK(contains(status.body(), "<dd class=\"state state-unpaid\">Not paid yet</dd>"));
    CHECK(contains(status.body(), "Pay now"));

    // Retrying opens a new hosted checkout (the declined one is closed).
    const auto csrf = form_value(status.body(), status_path + "/pay", "csrf");
    CHECK(shop.post(status_path + "/pay", "csrf=wrong-wrong-wrong-wrong", cookie).result_int() ==
          403);
    const auto retry = shop.post(status_path + "/pay", "csrf=" + csrf, cookie);
    REQUIRE(retry.result_int() == 303);
    const std::string second_hosted(retry[field::location]);
    CHECK(second_hosted.starts_with("/dev-checkout/"));
    CHECK(second_hosted != hosted);
    CHECK(shop.press(second_hosted, "pay").result_int() == 303);
    CHECK(contains(shop.get(status_path, cookie).body(), "state-paid"));
}

TEST_CASE("webhooks with a bad signature, a stale time or an unknown event get 400 and change "
          "nothing") {
    ShopFixture shop;
    const auto cookie = shop.open(shop.first());
    const auto hosted = checkout_of_two_five_by_seven(shop, cookie);
    const auto checkout_id = hosted.substr(std::string("/dev-checkout/").size());
    const auto reorder_id = shop.ledger().reorders_of_order(shop.first().order_id).at(0).id;
    const auto event = [&](const std::string& type, const std::string& checkout,
                           std::int64_t amount) {
        return settlement::payment_event_json(
            {"evt_" + crypto::random_token(8), type, checkout, "ch_test", amount, "EUR"});
    };
    const auto good = event("checkout.completed", checkout_id, 700);
    const auto now = unix_now();
    struct Refused {
        std::string why;
        std::string body;
        std::string signature;
    };
    const std::vector<Refused> refused = {
        {"no signature", good, ""},
        {"another secret", good, settlement::sign_webhook("whsec_wrong", now, good)},
        {"signed for another body", good, settlement::sign_webhook(shop.secret(), now, good + " ")},
        {"stale", good, settlement::sign_webhook(shop.secret(), now - 301, good)},
        {"from the future", good, settlement::sign_webhook(shop.secret(), now + 301, good)},
        {"unknown event type", event("charge.disputed", checkout_id, 700),
         settlement::sign_webhook(shop.secret(), now, event("charge.disputed", checkout_id, 700))},
        {"not JSON", "hello", settlement::sign_webhook(shop.secret(), now, "hello")},
    };
    for (const auto& attempt : refused) {
        CAPTURE(attempt.why);
        const auto reply = shop.post_webhook(attempt.body, attempt.signature);
        CHECK(reply.result_int() == 400);
        CHECK(contains(reply.body(), "\"error\""));
        CHECK(reply["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'");
        CHECK(reply["X-Content-Type-Options"] == "nosniff");
    }
    // Bodies whose signature is computed right but that name no checkout of ours or
    // the wrong amount.
    for (const auto& body : {event("checkout.completed", "cs_unknown", 700),
                             event("checkout.completed", checkout_id, 1)}) {
        CAPTURE(body);
        CHECK(shop.post_webhook(body, settlement::sign_webhook(shop.secret(), now, body))
                  .result_int() == 400);
    }
    CHECK(shop.ledger().count_applied_events() == 0);
    CHECK(shop.ledger().find_reorder(reorder_id)->state == settlement::ReorderState::unpaid);
    CHECK(contains(shop.get("/order/reorders/" + reorder_id, cookie).body(), "state-unpaid"));

    const auto signature = settlement::sign_webhook(shop.secret(), now, good);
    const auto applied = shop.post_webhook(good, signature);
    CHECK(applied.result_int() == 200);
    CHECK(webhook_status(applied) == "applied");
    const auto replay = shop.post_webhook(good, signature);
    CHECK(replay.result_int() == 200);
    CHECK(webhook_status(replay) == "already applied");
    CHECK(shop.ledger().count_charges(reorder_id) == 1);
    CHECK(contains(shop.get("/order/reorders/" + reorder_id, cookie).body(), "state-paid"));
}

TEST_CASE("one webhook delivered 5 times concurrently over HTTP settles once") {
    ShopFixture shop;
    const auto cookie = shop.open(shop.first());
    const auto hosted = checkout_of_two_five_by_seven(shop, cookie);
    const auto checkout_id = hosted.substr(std::string("/dev-checkout/").size());
    const auto reorder_id = shop.ledger().reorders_of_order(shop.first().order_id).at(0).id;
    const auto body = settlement::payment_event_json(
        {"evt_concurrent", "checkout.completed", checkout_id, "ch_once", 700, "EUR"});
    const auto signature = settlement::sign_webhook(shop.secret(), unix_now(), body);
    constexpr int deliveries = 5;
    std::atomic<int> ready = 0;
    std::vector<Reply> replies(deliveries);
    std::vector<std::thread> senders;
    for (int index = 0; index < deliveries; ++index) {
        senders.emplace_back([&, index] {
            ++ready;
            while (ready < deliveries) {
                std::this_thread::yield();
            }
            replies[index] = shop.post_webhook(body, signature);
        });
    }
    for (auto& sender : senders) {
        sender.join();
    }
    int applied = 0;
    int already = 0;
    for (const auto& reply : replies) {
        CHECK(reply.result_int() == 200);
        applied += webhook_status(reply) == "applied";
        already += webhook_status(reply) == "already applied";
    }
    CHECK(applied == 1);
    CHECK(already == 4);
    CHECK(shop.ledger().count_charges(reorder_id) == 1);
    CHECK(shop.ledger().count_applied_events() == 1);
    CHECK(shop.ledger().find_reorder(reorder_id)->charged == 700);
}

TEST_CASE("reorder forms need the session's CSRF token, and another order's reorder is not "
          "shown") {
    ShopFixture shop;
    const auto cookie = shop.open(shop.first());
    const auto photo = shop.first().photos[0];
    CHECK(shop.post("/order/cart",
                    "csrf=" + crypto::random_token(16) + "&photo=" + photo +
                        "&product=5x7&quantity=2",
                    cookie)
              .result_int() == 403);
    CHECK(shop.post("/order/cart", "photo=" + photo + "&product=5x7&quantity=2", cookie)
              .result_int() == 403);
    const auto page = shop.get("/order", cookie);
    const auto csrf = form_value(page.body(), "/order/cart", "csrf");
    // Junk lines: an unknown product, no copies, too many, another order's photo.
    for (const auto& line : {"&photo=" + photo + "&product=poster&quantity=1",
                             "&photo=" + photo + "&product=5x7&quantity=0",
                             "&photo=" + photo + "&product=5x7&quantity=100",
                             "&photo=" + shop.second().photos[0] + "&product=5x7&quantity=1"}) {
        CAPTURE(line);
        const auto reply = shop.post("/order/cart", "csrf=" + csrf + line, cookie);
        CHECK(reply.result_int() == 400);
        CHECK(contains(reply.body(), "Choose one of your photos, a product and 1 to 99 copies."));
    }
    CHECK(contains(shop.get("/order", cookie).body(), "Your cart is empty."));
    // Checkout with an empty cart, and without a session.
    const auto empty_cart =
        shop.post("/order/checkout",
                  "csrf=" + csrf + "&key=" + crypto::random_token(16) + "&" + address, cookie);
    CHECK(empty_cart.result_int() == 400);
    CHECK(contains(empty_cart.body(), "Add at least one print to your cart first."));
    CHECK(shop.post("/order/checkout", "csrf=x&key=y&" + address).result_int() == 404);

    const auto hosted = checkout_of_two_five_by_seven(shop, cookie);
    const auto reorder_id = shop.ledger().reorders_of_order(shop.first().order_id).at(0).id;
    const auto other = shop.open(shop.second());
    CHECK(shop.get("/order/reorders/" + reorder_id, other).result_int() == 404);
    CHECK(shop.get("/order/reorders/" + reorder_id).result_int() == 404);
    CHECK(shop.get("/order/reorders/not-a-reorder", cookie).result_int() == 404);
    CHECK(shop.get("/dev-checkout/cs_dev_nothing").result_int() == 404);
    CHECK(shop.post(hosted, "form=" + crypto::random_token(16) + "&action=pay").result_int() ==
          403);
    CHECK(shop.ledger().count_applied_events() == 0);
}

TEST_CASE("pickup at the venue needs no address, and the reorder pages speak the guest's "
          "language") {
    ShopFixture shop;
    const auto cookie = shop.open(shop.first());
    shop.add_to_cart(cookie, shop.first(), "8x10", 1);
    const auto german = shop.get("/order?lang=de", cookie);
    CHECK(contains(german.body(), "Abzug 8×10 · 8,00\u00a0€"));
    CHECK(contains(german.body(), "Am Veranstaltungsort abholen"));
    const auto reply = shop.check_out(cookie, "delivery=pickup");
    REQUIRE(reply.result_int() == 303);
    const auto declined = shop.press(std::string(reply[field::location]), "decline");
    const auto status_path = std::string(declined[field::location]);
    const auto japanese = shop.get(status_path, cookie + "; __Host-encore_lang=ja");
    CHECK(contains(japanese.body(), "<html lang=\"ja\">"));
    CHECK(contains(japanese.body(), "未払い"));
    CHECK(contains(japanese.body(), "会場で受け取る"));
    CHECK(contains(japanese.body(), "€8.00"));
    for (const auto& [tag, unpaid] : std::vector<std::pair<std::string, std::string>>{
             {"en", "Not paid yet"}, {"fr", "Pas encore payée"}, {"es", "Aún no pagado"}}) {
        CHECK(contains(shop.get(status_path + "?lang=" + tag, cookie).body(), unpaid));
    }
}

TEST_CASE("hubd takes payments with the dev provider by default, its secret made on first start") {
    testing::TempDir dir;
    testing::ChildProcess hubd(testing::bin_dir() / "hubd",
                               {"--data", (dir / "hub").string(), "--public-listen", "127.0.0.1:0",
                                "--private-listen", "127.0.0.1:0", "--kiosk-listen",
                                "127.0.0.1:0"});
    const auto line = hubd.wait_for_line("listening", 10s);
    REQUIRE_MESSAGE(line, hubd.stderr_text());
    const auto port = static_cast<unsigned short>(
        std::stoi(capture(*line, "public=http://127\\.0\\.0\\.1:(\\d+)/")));
    const auto secret_file = dir / "hub" / "dev_provider.secret";
    REQUIRE(std::filesystem::exists(secret_file));
    CHECK((std::filesystem::status(secret_file).permissions() &
           std::filesystem::perms::others_read) == std::filesystem::perms::none);
    const auto secret = testing::read_text_file(secret_file);
    CHECK(secret.starts_with("whsec_"));
    CHECK(std::filesystem::exists(dir / "hub" / "settlement.db"));

    // The webhook is on the public listener: a forged event is refused, a well-signed
    // one for a checkout the hub never opened too.
    const auto body = settlement::payment_event_json(
        {"evt_x", "checkout.completed", "cs_dev_none", "ch_x", 700, "EUR"});
    const auto forged =
        fetch(port, verb::post, "/webhooks/payment",
              {{"Encore-Signature", settlement::sign_webhook("guess", unix_now(), body)}}, body,
              json_body);
    CHECK(forged.result_int() == 400);
    const auto signed_body =
        settlement::sign_webhook(secret.substr(0, secret.find('\n')), unix_now(), body);
    const auto unknown = fetch(port, verb::post, "/webhooks/payment",
                               {{"Encore-Signature", signed_body}}, body, json_body);
    CHECK(unknown.result_int() == 400);
    CHECK(contains(unknown.body(), "unknown checkout"));
    CHECK(fetch(port, verb::get, "/dev-checkout/cs_dev_none").result_int() == 404);
    hubd.send_signal(SIGTERM);
    CHECK(hubd.wait_for_exit(10s) == 0);

    // A restart keeps the secret: webhooks signed before still verify.
    testing::ChildProcess again(testing::bin_dir() / "hubd",
                                {"--data", (dir / "hub").string(), "--public-listen", "127.0.0.1:0",
                                 "--private-listen", "127.0.0.1:0", "--kiosk-listen",
                                 "127.0.0.1:0"});
    REQUIRE(again.wait_for_line("listening", 10s));
    CHECK(testing::read_text_file(secret_file) == secret);
    again.send_signal(SIGTERM);
    CHECK(again.wait_for_exit(10s) == 0);
}

TEST_CASE("hubd refuses a price list that is not one") {
    testing::TempDir dir;
    testing::write_text_file(
        dir / "hub.json",
        R"({"settlement": {"price_list": {"currency": "EUR", "products": [{"id": "5x7", "label": "5×7", "price": 3.5}]}}})");
    const auto result = testing::run_program(
        testing::bin_dir() / "hubd", {"--config", (dir / "hub.json").string(), "--check-config"});
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "\"settlement.price_list\": each product is"));
    testing::write_text_file(
        dir / "good.json",
        R"({"settlement": {"provider": "dev", "venue_pickup": false, "counter": true, "price_list": {"currency": "JPY", "products": [{"id": "l", "label": "L", "price": 500}]}}})");
    CHECK(testing::run_program(testing::bin_dir() / "hubd",
                               {"--config", (dir / "good.json").string(), "--check-config"})
              .exit_code == 0);
    testing::write_text_file(dir / "counter.json", R"({"settlement": {"counter": "yes"}})");
    const auto counter =
        testing::run_program(testing::bin_dir() / "hubd",
                             {"--config", (dir / "counter.json").string(), "--check-config"});
    CHECK(counter.exit_code == 2);
    CHECK(contains(counter.err, "settlement.counter"));
}

TEST_CASE("a shipped reorder shows its carrier and tracking number on the guest's status page") {
    ShopFixture shop;
    const auto cookie = shop.open(shop.first());
    shop.add_to_cart(cookie, shop.first(), "4x6", 1);
    const auto checkout = shop.check_out(cookie, address);
    REQUIRE(checkout.result_int() == 303);
    const auto paid = shop.press(std::string(checkout[field::location]), "pay");
    REQUIRE(paid.result_int() == 303);
    const std::string status_path(paid[field::location]);
    const auto reorder = shop.ledger().reorders_of_order(shop.first().order_id).at(0);

    // Not in the lab yet: it cannot be marked shipped.
    CHECK_FALSE(shop.ledger().mark_shipped(reorder.id, "DHL", "00340434161234567890"));
    REQUIRE(shop.ledger().advance(reorder.id, settlement::ReorderState::paid,
                                  settlement::ReorderState::printing));
    REQUIRE(shop.ledger().mark_shipped(reorder.id, "DHL", "00340434161234567890"));
    CHECK_FALSE(shop.ledger().mark_shipped(reorder.id, "UPS", "1Z999"));

    const auto status = shop.get(status_path, cookie);
    CHECK(contains(status.body(), "<dd class=\"state state-shipped\">Shipped</dd>"));
    CHECK(contains(status.body(), "<dt>Shipment</dt><dd class=\"shipment\">DHL "
                                  "00340434161234567890</dd>"));
    const auto german = shop.get(status_path + "?lang=de", cookie);
    CHECK(contains(german.body(), "<dt>Sendung</dt>"));
}

TEST_CASE("a reorder cancelled before it was paid, then paid on a checkout left open, is refunded "
          "automatically") {
    ShopFixture shop;
    const auto cookie = shop.open(shop.first());
    const auto hosted = checkout_of_two_five_by_seven(shop, cookie);
    const auto reorder_id = shop.ledger().reorders_of_order(shop.first().order_id).at(0).id;
    const auto cancelled = shop.on_loop(shop.settlement().cancel(reorder_id, "guest asked"));
    CHECK(cancelled.ok());
    const auto status_path = "/order/reorders/" + reorder_id;
    CHECK(contains(shop.get(status_path, cookie).body(),
                   "<dd class=\"state state-cancelled\">Cancelled</dd>"));
    // The guest still had the provider's page open and pays there: the money was taken,
    // so it is recorded, and given back at once.
    CHECK(shop.press(hosted, "pay").result_int() == 303);
    const auto reorder = shop.ledger().find_reorder(reorder_id);
    CHECK(reorder->state == settlement::ReorderState::cancelled);
    CHECK(reorder->charged == 700);
    CHECK(reorder->refunded == 700);
    const auto charge = shop.ledger().charges_of(reorder_id).at(0).charge_id;
    CHECK(shop.provider().count_refunds(charge) == 1);
    const auto status = shop.get(status_path, cookie);
    CHECK(contains(status.body(), "Cancelled — refunded €7.00"));
    CHECK(contains(shop.get(status_path + "?lang=de", cookie).body(),
                   "Storniert — 7,00\u00a0€ erstattet"));
}

TEST_CASE("the checkout offers paying at the counter, and the status page shows the reference "
          "and amount") {
    ShopFixture shop;
    const auto cookie = shop.open(shop.first());
    shop.add_to_cart(cookie, shop.first(), "5x7", 2);
    const auto page = shop.get("/order", cookie);
    CHECK(contains(page.body(), "Pay at the counter (cash or voucher)"));
    std::string fields;
    const auto reply = shop.check_out(cookie, "delivery=pickup&payment=counter", &fields);
    REQUIRE(reply.result_int() == 303);
    const std::string status_path(reply[field::location]);
    REQUIRE(status_path.starts_with("/order/reorders/"));
    const auto reorder_id = status_path.substr(std::string("/order/reorders/").size());
    const auto status = shop.get(status_path, cookie);
    CHECK(contains(status.body(), "<dd class=\"state state-unpaid\">Not paid yet</dd>"));
    CHECK(contains(status.body(), "<dd class=\"reference\">" +
                                      settlement::counter_reference(reorder_id) + "</dd>"));
    CHECK(contains(status.body(), "<dd class=\"amount due\">€7.00</dd>"));
    CHECK(contains(status.body(), "show this reference and the amount"));
    // The form sent again leads to the same status page, and nothing was charged.
    const auto again =
        shop.post("/order/checkout", fields + "&delivery=pickup&payment=counter", cookie);
    CHECK(again[field::location] == status_path);
    CHECK(shop.ledger().reorders_of_order(shop.first().order_id).size() == 1);
    CHECK(shop.ledger().count_charges(reorder_id) == 0);
    CHECK(shop.ledger().reorders_awaiting_counter().size() == 1);
}

TEST_CASE("the dev provider makes a refund asked 5 times at once with one key once, and no more "
          "than its charge") {
    ShopFixture shop;
    const auto cookie = shop.open(shop.first());
    const auto hosted = checkout_of_two_five_by_seven(shop, cookie);
    REQUIRE(shop.press(hosted, "pay").result_int() == 303);
    const auto reorder_id = shop.ledger().reorders_of_order(shop.first().order_id).at(0).id;
    const auto charge = shop.ledger().charges_of(reorder_id).at(0).charge_id;
    // Stored pending, as when the hub stopped before the provider answered; then asked 5
    // times at once with its key (restarts, a second cancel, a retried command).
    const auto plan = shop.ledger().request_refund("refund-k5", reorder_id, 700, "smudged");
    REQUIRE(plan.outcome == settlement::RefundOutcome::recorded);
    std::vector<std::future<std::vector<settlement::RefundRecord>>> asked;
    for (int attempt = 0; attempt < 5; ++attempt) {
        asked.push_back(shop.spawn(shop.settlement().ask_refunds(plan.refunds)));
    }
    std::set<std::string> refund_ids;
    for (auto& answer : asked) {
        const auto refunds = answer.get();
        REQUIRE(refunds.size() == 1);
        CHECK(refunds[0].state == settlement::RefundState::succeeded);
        refund_ids.insert(refunds[0].provider_refund_id);
    }
    CHECK(refund_ids.size() == 1);
    CHECK(shop.provider().count_refunds(charge) == 1);
    CHECK(shop.ledger().find_reorder(reorder_id)->refunded == 700);
    // The provider itself refuses more than is left of the charge, and charges it never made.
    const auto more =
        shop.on_loop(shop.provider().refund({"refund-more", charge, 1, "EUR", "goodwill"}));
    CHECK(more.status == settlement::RefundStatus::refused);
    CHECK(contains(more.message, "0.00 EUR left to refund"));
    const auto unknown =
        shop.on_loop(shop.provider().refund({"refund-unknown", "ch_dev_forged", 100, "EUR", "x"}));
    CHECK(unknown.status == settlement::RefundStatus::refused);
    CHECK(shop.provider().count_refunds(charge) == 1);
}

namespace {

// A real hubd with settlement.counter on and one booth order seeded into its data folder,
// spoken to over HTTP (guest pages, admin API) and with the `encore` command line.
class HubdShop {
public:
    HubdShop() {
        const auto data = dir_ / "hub";
        std::filesystem::create_directories(data);
        {
            hub::ImageStore images(data / "images");
            const auto orders = hub::open_sqlite_order_repository(data / "orders.db");
            order_ = seed_order(images, *orders, "Summer Gala", 1, 10);
        }
        testing::write_text_file(dir_ / "hub.json", R"({"settlement": {"counter": true}})");
        hubd_ = std::make_unique<testing::ChildProcess>(
            testing::bin_dir() / "hubd",
            std::vector<std::string>{"--config", (dir_ / "hub.json").string(), "--data",
                                     data.string(), "--public-listen", "127.0.0.1:0",
                                     "--private-listen", "127.0.0.1:0", "--kiosk-listen",
                                     "127.0.0.1:0"});
        const auto line = hubd_->wait_for_line("listening", 10s);
        REQUIRE_MESSAGE(line, hubd_->stderr_text());
        public_port_ = static_cast<unsigned short>(
            std::stoi(capture(*line, "public=http://127\\.0\\.0\\.1:(\\d+)/")));
        private_port_ = static_cast<unsigned short>(
            std::stoi(capture(*line, "private=http://127\\.0\\.0\\.1:(\\d+)/")));
        const auto token = testing::read_text_file(data / "admin.token");
        token_ = token.substr(0, token.find('\n'));
        ledger_ = std::make_unique<settlement::Ledger>(data / "settlement.db");
    }
    ~HubdShop() {
        hubd_->send_signal(SIGTERM);
        hubd_->wait_for_exit(10s);
    }

    Reply get(const std::string& target, const std::string& cookie = {}) {
        return fetch(public_port_, verb::get, target,
                     cookie.empty() ? Headers{} : Headers{{"Cookie", cookie}});
    }
    Reply post(const std::string& target, const std::string& body, const std::string& cookie = {}) {
        return fetch(public_port_, verb::post, target,
                     cookie.empty() ? Headers{} : Headers{{"Cookie", cookie}}, body);
    }
    // The admin API with the admin token (or `token` when given, "" for none).
    Reply api(verb method, const std::string& target, const nlohmann::json& body = nullptr,
              std::optional<std::string> token = std::nullopt) {
        const auto bearer = token.value_or(token_);
        Headers headers;
        if (!bearer.empty()) {
            headers.emplace_back("Authorization", "Bearer " + bearer);
        }
        return fetch(private_port_, method, target, headers, body.is_null() ? "" : body.dump(),
                     json_body);
    }
    // `encore ARGS... --hub ... --token-file ...`.
    testing::RunResult encore(std::vector<std::string> arguments) {
        arguments.insert(arguments.end(),
                         {"--hub", "http://127.0.0.1:" + std::to_string(private_port_),
                          "--token-file", (dir_ / "hub" / "admin.token").string()});
        return testing::run_program(testing::bin_dir() / "encore", std::move(arguments));
    }

    // Opens the seeded order with its QR link: the session cookie.
    std::string open() {
        const auto reply = get("/o/" + order_.token);
        REQUIRE(reply.result_int() == 303);
        const std::string line(reply[field::set_cookie]);
        return line.substr(0, line.find(';'));
    }
    // Puts 2 × 5×7 (€7.00) in the cart and checks out with pickup and `payment`
    // ("online" or "counter"): the reply (303 to the dev checkout or the status page).
    Reply place(const std::string& cookie, const std::string& payment) {
        auto page = get("/order", cookie);
        REQUIRE(page.result_int() == 200);
        const auto added = post("/order/cart",
                                "csrf=" + form_value(page.body(), "/order/cart", "csrf") +
                                    "&photo=" + order_.photos[0] + "&product=5x7&quantity=2",
                                cookie);
        REQUIRE(added.result_int() == 303);
        page = get("/order", cookie);
        const auto reply = post("/order/checkout",
                                "csrf=" + form_value(page.body(), "/order/checkout", "csrf") +
                                    "&key=" + form_value(page.body(), "/order/checkout", "key") +
                                    "&delivery=pickup&payment=" + payment,
                                cookie);
        REQUIRE(reply.result_int() == 303);
        return reply;
    }
    // A reorder placed and paid on the dev provider's page: its id.
    std::string paid_online(const std::string& cookie) {
        const std::string hosted(place(cookie, "online")[field::location]);
        REQUIRE(hosted.starts_with("/dev-checkout/"));
        const auto page = get(hosted);
        const auto paid =
            post(hosted, "form=" + form_value(page.body(), hosted, "form") + "&action=pay");
        REQUIRE(paid.result_int() == 303);
        const std::string status(paid[field::location]);
        return status.substr(std::string("/order/reorders/").size());
    }
    // How many refunds the dev provider made of a charge, from its own database.
    std::size_t dev_refunds(const std::string& charge_id) {
        asio::io_context io;
        settlement::DevProvider dev(io.get_executor(), dir_ / "hub" / "dev_provider.db", "x");
        return dev.count_refunds(charge_id);
    }

    // Adds a back-office account with `encore staff add` and logs it in: its cookie.
    std::string staff_login(const std::string& name, const std::string& role) {
        const std::string password = "counter-clerk-2026";
        const auto command = "printf '%s\\n' '" + password + "' | '" +
                             (testing::bin_dir() / "encore").string() + "' staff add " + name +
                             " --role " + role +
                             " --hub http://127.0.0.1:" + std::to_string(private_port_) +
                             " --token-file '" + (dir_ / "hub" / "admin.token").string() + "'";
        const auto added = testing::run_program("/bin/sh", {"-c", command});
        REQUIRE_MESSAGE(added.exit_code == 0, added.err);
        const auto login = fetch(private_port_, verb::post, "/login", {},
                                 "name=" + name + "&password=" + password + "&next=%2Fdesk");
        REQUIRE(login.result_int() == 303);
        const std::string cookie(login[field::set_cookie]);
        return cookie.substr(0, cookie.find(';'));
    }
    Reply back_office(verb method, const std::string& target, const std::string& cookie,
                      const std::string& body = {}) {
        return fetch(private_port_, method, target, {{"Cookie", cookie}}, body);
    }

    // One voucher worth `cents` EUR, issued through the admin API: its code.
    std::string issue_voucher(std::int64_t cents) {
        const auto issued = api(verb::post, "/api/settlement/vouchers", {{"value", cents}});
        REQUIRE(issued.result_int() == 201);
        const auto body = nlohmann::json::parse(issued.body());
        REQUIRE(body["vouchers"].size() == 1);
        return body["vouchers"][0]["code"].get<std::string>();
    }

    settlement::Ledger& ledger() { return *ledger_; }
    testing::ChildProcess& hubd() { return *hubd_; }

private:
    testing::TempDir dir_;
    SeededOrder order_;
    std::unique_ptr<testing::ChildProcess> hubd_;
    unsigned short public_port_ = 0;
    unsigned short private_port_ = 0;
    std::string token_;
    std::unique_ptr<settlement::Ledger> ledger_;
};

std::string reorder_of_status(const Reply& reply) {
    const std::string location(reply[field::location]);
    REQUIRE(location.starts_with("/order/reorders/"));
    return location.substr(std::string("/order/reorders/").size());
}

nlohmann::json json_of(const Reply& reply) {
    return nlohmann::json::parse(reply.body(), nullptr, false);
}

} // namespace

TEST_CASE("hubd: a counter payment confirmed by API and CLI settles the reorder once and puts it "
          "in the desk's queue") {
    HubdShop shop;
    const auto cookie = shop.open();
    const auto reorder_id = reorder_of_status(shop.place(cookie, "counter"));
    const auto reference = settlement::counter_reference(reorder_id);
    const auto status_path = "/order/reorders/" + reorder_id;
    CHECK(contains(shop.get(status_path, cookie).body(),
                   "<dd class=\"reference\">" + reference + "</dd>"));
    const auto awaiting = json_of(shop.api(verb::get, "/api/settlement/counter"));
    REQUIRE(awaiting["awaiting"].size() == 1);
    CHECK(awaiting["awaiting"][0]["reference"] == reference);
    CHECK(contains(shop.encore({"pay", "counter"}).out, reference + "  7.00 EUR"));

    // Without the admin token, or with a wrong one: 401 and nothing changes.
    const nlohmann::json cash = {{"reorder", reorder_id}, {"method", "cash"}};
    CHECK(shop.api(verb::post, "/api/settlement/confirm", cash, "").result_int() == 401);
    CHECK(shop.api(verb::post, "/api/settlement/confirm", cash, "wrong-token").result_int() == 401);
    CHECK(shop.api(verb::post, "/api/desk/cancel", {{"reorder", reorder_id}, {"reason", "x"}},
                   "wrong-token")
              .result_int() == 401);
    const auto wrong_cli =
        testing::run_program(testing::bin_dir() / "encore",
                             {"pay", "confirm", reorder_id, "--cash", "--hub", "http://127.0.0.1:1",
                              "--token-file", "/nonexistent/admin.token"});
    CHECK(wrong_cli.exit_code == 1);
    CHECK(contains(wrong_cli.err, "cannot read the admin token"));
    CHECK(shop.ledger().count_charges(reorder_id) == 0);
    CHECK(shop.ledger().find_reorder(reorder_id)->state == settlement::ReorderState::unpaid);
    // A voucher needs its code.
    CHECK(shop.api(verb::post, "/api/settlement/confirm",
                   {{"reorder", reorder_id}, {"method", "voucher"}})
              .result_int() == 400);

    // Confirmed by the counter reference the guest shows, then again by id and by CLI.
    const auto confirmed = shop.api(verb::post, "/api/settlement/confirm",
                                    {{"reorder", reference}, {"method", "cash"}});
    CHECK(confirmed.result_int() == 200);
    CHECK(json_of(confirmed)["status"] == "paid");
    CHECK(json_of(confirmed)["charged"] == 700);
    const auto twice = shop.api(verb::post, "/api/settlement/confirm", cash);
    CHECK(twice.result_int() == 200);
    CHECK(json_of(twice)["status"] == "already paid");
    const auto cli = shop.encore({"pay", "confirm", reorder_id, "--cash"});
    CHECK(cli.exit_code == 0);
    CHECK(contains(cli.out, "paid at the counter already"));
    CHECK(shop.ledger().count_charges(reorder_id) == 1);
    CHECK(shop.ledger().find_reorder(reorder_id)->charged == 700);
    CHECK(shop.ledger().find_reorder(reorder_id)->state == settlement::ReorderState::paid);
    const auto queue = json_of(shop.api(verb::get, "/api/desk/queue"));
    REQUIRE(queue["queue"].size() == 1);
    CHECK(queue["queue"][0]["id"] == reorder_id);
    CHECK(contains(shop.encore({"desk", "queue"}).out, reorder_id));
    CHECK(
        contains(shop.get(status_path, cookie).body(), "<dd class=\"state state-paid\">Paid</dd>"));
    CHECK(json_of(shop.api(verb::get, "/api/settlement/counter"))["awaiting"].empty());

    // A second reorder paid by a voucher the store issued, through the CLI; the voucher
    // does not pay a third.
    const auto gala = shop.issue_voucher(700);
    const auto second = reorder_of_status(shop.place(cookie, "counter"));
    const auto by_voucher = shop.encore({"pay", "confirm", second, "--voucher", gala});
    CHECK(by_voucher.exit_code == 0);
    CHECK(contains(by_voucher.out, "paid at the counter: 7.00 EUR by voucher " + gala));
    CHECK(shop.ledger().find_reorder(second)->state == settlement::ReorderState::paid);
    const auto third = reorder_of_status(shop.place(cookie, "counter"));
    const auto reused = shop.encore({"pay", "confirm", third, "--voucher", gala});
    CHECK(reused.exit_code == 1);
    CHECK(contains(reused.err, "the hub answered 409: voucher " + gala + " was redeemed already"));
    CHECK(shop.ledger().count_charges(third) == 0);
    // A reorder paid online takes no counter payment.
    const auto online = shop.paid_online(cookie);
    const auto refused =
        shop.api(verb::post, "/api/settlement/confirm", {{"reorder", online}, {"method", "cash"}});
    CHECK(refused.result_int() == 409);
    CHECK(contains(refused.body(), "paid online already"));
    CHECK(shop.ledger().count_charges(online) == 1);
}

TEST_CASE("hubd: cancelling refunds a paid reorder in full once, closes an unpaid one, and refuses "
          "one at the lab") {
    HubdShop shop;
    const auto cookie = shop.open();
    const auto paid = shop.paid_online(cookie);
    REQUIRE(shop.ledger().find_reorder(paid)->charged == 700);
    const auto cancelled = shop.encore({"desk", "cancel", paid, "--reason", "wrong photo"});
    CHECK(cancelled.exit_code == 0);
    CHECK(contains(cancelled.out, "cancelled; refunds: 7.00 EUR back by dev (re_dev_"));
    auto reorder = shop.ledger().find_reorder(paid);
    CHECK(reorder->state == settlement::ReorderState::cancelled);
    CHECK(reorder->refunded == reorder->charged);
    CHECK(reorder->cancel_reason == "wrong photo");
    const auto charge = shop.ledger().charges_of(paid).at(0).charge_id;
    CHECK(shop.dev_refunds(charge) == 1);
    CHECK(contains(shop.get("/order/reorders/" + paid, cookie).body(),
                   "<dd class=\"state state-cancelled\">Cancelled — refunded €7.00</dd>"));
    CHECK(json_of(shop.api(verb::get, "/api/desk/queue"))["queue"].empty());

    // Again: nothing changes.
    const auto again =
        shop.api(verb::post, "/api/desk/cancel", {{"reorder", paid}, {"reason", "twice"}});
    CHECK(again.result_int() == 200);
    CHECK(json_of(again)["status"] == "already cancelled");
    CHECK(json_of(again)["refunded"] == 700);
    CHECK(shop.ledger().refunds_of(paid).size() == 1);
    CHECK(shop.ledger().find_reorder(paid)->refunded == 700);
    CHECK(shop.dev_refunds(charge) == 1);
    // Nothing is left to refund.
    const auto more = shop.api(verb::post, "/api/settlement/refund",
                               {{"reorder", paid}, {"amount", 1}, {"reason", "goodwill"}});
    CHECK(more.result_int() == 409);
    CHECK(contains(more.body(), "exceeds what is left"));
    CHECK(shop.dev_refunds(charge) == 1);

    // Unpaid: cancelled without money moving.
    const auto unpaid = reorder_of_status(shop.place(cookie, "counter"));
    const auto closed =
        shop.api(verb::post, "/api/desk/cancel", {{"reorder", unpaid}, {"reason", "left"}});
    CHECK(closed.result_int() == 200);
    CHECK(json_of(closed)["state"] == "cancelled");
    CHECK(json_of(closed)["charged"] == 0);
    CHECK(shop.ledger().refunds_of(unpaid).empty());
    CHECK(contains(shop.get("/order/reorders/" + unpaid, cookie).body(),
                   "<dd class=\"state state-cancelled\">Cancelled</dd>"));
    CHECK(shop.api(verb::post, "/api/settlement/confirm", {{"reorder", unpaid}, {"method", "cash"}})
              .result_int() == 409);

    // At the lab: refused with what to do, and nothing changes.
    const auto printing = shop.paid_online(cookie);
    REQUIRE(shop.ledger().advance(printing, settlement::ReorderState::paid,
                                  settlement::ReorderState::printing));
    const auto late =
        shop.api(verb::post, "/api/desk/cancel", {{"reorder", printing}, {"reason", "late"}});
    CHECK(late.result_int() == 409);
    CHECK(contains(late.body(), "already at the lab: reorder " + printing + " is printing"));
    CHECK(contains(late.body(), "encore pay refund"));
    const auto late_cli = shop.encore({"desk", "cancel", printing, "--reason", "late"});
    CHECK(late_cli.exit_code == 1);
    CHECK(contains(late_cli.err, "409: already at the lab"));
    CHECK(shop.ledger().find_reorder(printing)->state == settlement::ReorderState::printing);
    CHECK(shop.ledger().refunds_of(printing).empty());
    CHECK(shop.api(verb::post, "/api/desk/cancel", {{"reorder", "no-such"}, {"reason", "x"}})
              .result_int() == 404);
}

TEST_CASE("hubd: one refund asked 5 times at once with one key is made once by the dev "
          "provider") {
    HubdShop shop;
    const auto cookie = shop.open();
    const auto reorder_id = shop.paid_online(cookie);
    const auto charge = shop.ledger().charges_of(reorder_id).at(0).charge_id;
    const nlohmann::json request = {
        {"reorder", reorder_id}, {"amount", 300}, {"reason", "one print smudged"}, {"key", "k-1"}};
    constexpr int attempts = 5;
    std::atomic<int> ready = 0;
    std::vector<Reply> replies(attempts);
    std::vector<std::thread> senders;
    for (int index = 0; index < attempts; ++index) {
        senders.emplace_back([&, index] {
            ++ready;
            while (ready < attempts) {
                std::this_thread::yield();
            }
            replies[index] = shop.api(verb::post, "/api/settlement/refund", request);
        });
    }
    for (auto& sender : senders) {
        sender.join();
    }
    int refunded = 0;
    int repeated = 0;
    for (const auto& reply : replies) {
        CHECK(reply.result_int() == 200);
        refunded += json_of(reply)["status"] == "refunded";
        repeated += json_of(reply)["status"] == "already refunded";
    }
    CHECK(refunded == 1);
    CHECK(repeated == 4);
    CHECK(shop.ledger().refunds_of(reorder_id).size() == 1);
    CHECK(shop.ledger().find_reorder(reorder_id)->refunded == 300);
    CHECK(shop.dev_refunds(charge) == 1);
    // 4.00 EUR is left: 4.01 is refused, 4.00 (by CLI) is made.
    const auto over =
        shop.encore({"pay", "refund", reorder_id, "--amount", "401", "--reason", "too much"});
    CHECK(over.exit_code == 1);
    CHECK(contains(over.err, "409: a refund of 4.01 EUR exceeds what is left"));
    const auto rest =
        shop.encore({"pay", "refund", reorder_id, "--amount", "400", "--reason", "the rest"});
    CHECK(rest.exit_code == 0);
    CHECK(shop.ledger().find_reorder(reorder_id)->refunded == 700);
    CHECK(shop.dev_refunds(charge) == 2);
}

TEST_CASE("hubd: a guest who pays online after paying at the counter gets the second payment "
          "back automatically") {
    HubdShop shop;
    const auto cookie = shop.open();
    const auto reorder_id = reorder_of_status(shop.place(cookie, "counter"));
    const auto status_path = "/order/reorders/" + reorder_id;
    // The guest opens the online checkout in another tab, and leaves it open.
    const auto status = shop.get(status_path, cookie);
    const auto pay =
        shop.post(status_path + "/pay",
                  "csrf=" + form_value(status.body(), status_path + "/pay", "csrf"), cookie);
    REQUIRE(pay.result_int() == 303);
    const std::string hosted(pay[field::location]);
    REQUIRE(hosted.starts_with("/dev-checkout/"));
    const auto page = shop.get(hosted);
    // Meanwhile the clerk takes cash at the counter.
    REQUIRE(shop.api(verb::post, "/api/settlement/confirm",
                     {{"reorder", reorder_id}, {"method", "cash"}})
                .result_int() == 200);
    // Then the guest presses Pay in the other tab.
    const auto paid =
        shop.post(hosted, "form=" + form_value(page.body(), hosted, "form") + "&action=pay");
    CHECK(paid.result_int() == 303);
    const auto reorder = shop.ledger().find_reorder(reorder_id);
    CHECK(reorder->state == settlement::ReorderState::paid);
    CHECK(shop.ledger().count_charges(reorder_id) == 2);
    CHECK(reorder->charged == 1400);
    CHECK(reorder->refunded == 700);
    CHECK(reorder->refunding == 0);
    std::string online_charge;
    for (const auto& charge : shop.ledger().charges_of(reorder_id)) {
        if (charge.provider == "dev") {
            online_charge = charge.charge_id;
        }
    }
    REQUIRE_FALSE(online_charge.empty());
    CHECK(shop.dev_refunds(online_charge) == 1);
    const auto refunds = shop.ledger().refunds_of(reorder_id);
    REQUIRE(refunds.size() == 1);
    CHECK(refunds[0].charge_id == online_charge);
    CHECK(refunds[0].state == settlement::RefundState::succeeded);
    CHECK(contains(shop.hubd().stderr_text(), "paid twice"));
    CHECK(contains(shop.get(status_path, cookie).body(), "state-paid"));
}

TEST_CASE("hubd: the desk page lists counter payments to confirm and cancels a paid reorder, with "
          "the form's CSRF token") {
    HubdShop shop;
    const auto cookie = shop.open();
    const auto reorder_id = reorder_of_status(shop.place(cookie, "counter"));
    const auto reference = settlement::counter_reference(reorder_id);
    const auto clerk = shop.staff_login("clerk", "desk");
    auto desk = shop.back_office(verb::get, "/desk", clerk);
    REQUIRE(desk.result_int() == 200);
    CHECK(contains(desk.body(), "<h2>Awaiting payment at the counter</h2>"));
    CHECK(contains(desk.body(), "<td class=\"reference\">" + reference));
    CHECK(contains(desk.body(), "7.00 EUR"));
    const auto csrf = form_value(desk.body(), "/desk/confirm", "csrf");
    // A packer may not confirm payments; a stale form changes nothing.
    const auto packer = shop.staff_login("packer", "shipping");
    CHECK(shop.back_office(verb::post, "/desk/confirm", packer,
                           "reorder=" + reorder_id + "&method=cash&csrf=" + csrf)
              .result_int() == 403);
    CHECK(shop.back_office(verb::post, "/desk/confirm", clerk,
                           "reorder=" + reorder_id + "&method=cash&csrf=stale")
              .result_int() == 403);
    CHECK(shop.ledger().count_charges(reorder_id) == 0);

    // A voucher worth too little, or never issued: the clerk reads why and what to do.
    const auto small = shop.issue_voucher(500);
    const auto too_little = shop.back_office(
        verb::post, "/desk/confirm", clerk,
        "reorder=" + reorder_id + "&method=voucher&voucher=" + small + "&csrf=" + csrf);
    CHECK(too_little.result_int() == 409);
    CHECK(contains(too_little.body(), "Not confirmed"));
    CHECK(contains(too_little.body(), "voucher " + small +
                                          " is worth 5.00 EUR, the reorder is 7.00 EUR: take "
                                          "cash instead"));
    const auto made_up =
        shop.back_office(verb::post, "/desk/confirm", clerk,
                         "reorder=" + reorder_id + "&method=voucher&voucher=VIP-7&csrf=" + csrf);
    CHECK(made_up.result_int() == 409);
    CHECK(contains(made_up.body(), "no voucher VIP-7 was issued by this store"));
    CHECK(shop.ledger().count_charges(reorder_id) == 0);

    // The clerk types an issued code in lower case with spaces.
    const auto vip = shop.issue_voucher(700);
    std::string typed;
    for (const char c : vip) {
        typed += c == '-' ? '+' : static_cast<char>(std::tolower(c));
    }
    const auto confirmed = shop.back_office(
        verb::post, "/desk/confirm", clerk,
        "reorder=" + reorder_id + "&method=voucher&voucher=" + typed + "&csrf=" + csrf);
    CHECK(confirmed.result_int() == 200);
    CHECK(contains(confirmed.body(), "paid at the counter: 7.00 EUR by voucher " + vip));
    const auto twice = shop.back_office(verb::post, "/desk/confirm", clerk,
                                        "reorder=" + reorder_id + "&method=cash&csrf=" + csrf);
    CHECK(contains(twice.body(), "Already paid"));
    CHECK(shop.ledger().count_charges(reorder_id) == 1);

    desk = shop.back_office(verb::get, "/desk", clerk);
    CHECK(contains(desk.body(), "No guest is waiting to pay at the counter."));
    CHECK(contains(desk.body(), "Cancel and refund 7.00 EUR"));
    const auto cancel_csrf = form_value(desk.body(), "/desk/cancel", "csrf");
    CHECK(shop.back_office(verb::post, "/desk/cancel", clerk,
                           "reorder=" + reorder_id + "&reason=changed+mind&csrf=stale")
              .result_int() == 403);
    const auto cancelled =
        shop.back_office(verb::post, "/desk/cancel", clerk,
                         "reorder=" + reorder_id + "&reason=changed+mind&csrf=" + cancel_csrf);
    CHECK(cancelled.result_int() == 200);
    // Paid by voucher: the guest gets the voucher back, valid again, not cash.
    CHECK(contains(cancelled.body(),
                   "7.00 EUR on voucher " + vip + ", which is valid again: hand it back"));
    CHECK(shop.ledger().find_voucher(vip)->state == settlement::VoucherState::open);
    const auto reorder = shop.ledger().find_reorder(reorder_id);
    CHECK(reorder->state == settlement::ReorderState::cancelled);
    CHECK(reorder->refunded == 700);
    CHECK(contains(shop.get("/order/reorders/" + reorder_id, cookie).body(),
                   "Cancelled — refunded €7.00"));
    CHECK(contains(shop.back_office(verb::get, "/desk", clerk).body(),
                   "No paid reorders are waiting."));
}

TEST_CASE("hubd: vouchers issued by CLI and API are listed, pay one reorder once, can be voided "
          "until they are redeemed, and only staff on the private listener reach them") {
    HubdShop shop;
    const auto cookie = shop.open();

    // Three printable codes from the CLI, one a line; one more from the API.
    const auto printed = shop.encore({"pay", "vouchers", "issue", "--value", "700", "--count", "3",
                                      "--expires", "2999-12-31", "--note", "gala prizes"});
    REQUIRE_MESSAGE(printed.exit_code == 0, printed.err);
    const std::regex code_line("ENC-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}");
    std::vector<std::string> codes;
    std::istringstream lines(printed.out);
    for (std::string line; std::getline(lines, line);) {
        CHECK(std::regex_match(line, code_line));
        codes.push_back(line);
    }
    REQUIRE(codes.size() == 3);
    CHECK(contains(printed.err, "issued 3 vouchers worth 7.00 EUR each, valid through 2999-12-31"));
    const auto winter = shop.api(verb::post, "/api/settlement/vouchers",
                                 {{"value", 1000}, {"event", "Winter Ball"}, {"count", 1}});
    REQUIRE(winter.result_int() == 201);
    const auto ball = json_of(winter)["vouchers"][0];
    CHECK(ball["currency"] == "EUR");
    CHECK(ball["state"] == "open");
    const auto ball_code = ball["code"].get<std::string>();

    auto listed = json_of(shop.api(verb::get, "/api/settlement/vouchers?state=open"));
    CHECK(listed["vouchers"].size() == 4);
    CHECK(listed["vouchers"][0]["note"] == "gala prizes");
    CHECK(listed["vouchers"][0]["expires"] == "2999-12-31");

    // Bad requests say what to send.
    CHECK(shop.api(verb::post, "/api/settlement/vouchers", {{"value", 700}, {"count", 501}})
              .result_int() == 400);
    const auto past = shop.api(verb::post, "/api/settlement/vouchers",
                               {{"value", 700}, {"expires", "2020-01-01"}});
    CHECK(past.result_int() == 400);
    CHECK(contains(past.body(), "expires 2020-01-01 is in the past"));
    CHECK(shop.api(verb::post, "/api/settlement/vouchers", {{"count", 2}}).result_int() == 400);
    CHECK(shop.api(verb::post, "/api/settlement/vouchers", {{"value", 700}, {"count", "2"}})
              .result_int() == 400);
    CHECK(shop.api(verb::get, "/api/settlement/vouchers?state=spent").result_int() == 400);
    const auto bad_cli = shop.encore({"pay", "vouchers", "issue", "--value", "7.00"});
    CHECK(bad_cli.exit_code == 2);
    CHECK(contains(bad_cli.err, "give --value CENTS"));
    CHECK(json_of(shop.api(verb::get, "/api/settlement/vouchers"))["vouchers"].size() == 4);

    // Another event's voucher pays no Summer Gala reorder; an issued one, typed sloppily,
    // pays it once.
    const auto reorder_id = reorder_of_status(shop.place(cookie, "counter"));
    const auto other_event =
        shop.api(verb::post, "/api/settlement/confirm",
                 {{"reorder", reorder_id}, {"method", "voucher"}, {"reference", ball_code}});
    CHECK(other_event.result_int() == 409);
    CHECK(contains(other_event.body(), "is valid only for the event Winter Ball, and this "
                                       "reorder is from Summer Gala: take cash instead"));
    std::string sloppy;
    for (const char c : codes[0]) {
        if (c != '-') {
            sloppy += static_cast<char>(std::tolower(c));
        }
    }
    const auto paid = shop.encore({"pay", "confirm", reorder_id, "--voucher", sloppy});
    CHECK(paid.exit_code == 0);
    CHECK(contains(paid.out, "paid at the counter: 7.00 EUR by voucher " + codes[0]));
    CHECK(shop.ledger().count_charges(reorder_id) == 1);

    // Listed as redeemed with its reorder, by API and CLI.
    listed = json_of(shop.api(verb::get, "/api/settlement/vouchers?state=redeemed"));
    REQUIRE(listed["vouchers"].size() == 1);
    CHECK(listed["vouchers"][0]["code"] == codes[0]);
    CHECK(listed["vouchers"][0]["redeemed_by"] == reorder_id);
    const auto redeemed_cli = shop.encore({"pay", "vouchers", "list", "--state", "redeemed"});
    CHECK(redeemed_cli.exit_code == 0);
    CHECK(contains(redeemed_cli.out, codes[0] + "  7.00 EUR  redeemed  reorder " + reorder_id));
    CHECK_FALSE(contains(redeemed_cli.out, codes[1]));

    // A redeemed voucher cannot be voided; an open one can, and then pays nothing.
    const auto void_redeemed = shop.api(verb::post, "/api/settlement/vouchers/void",
                                        {{"code", codes[0]}, {"reason", "mistake"}});
    CHECK(void_redeemed.result_int() == 409);
    CHECK(contains(void_redeemed.body(), "paid reorder " + reorder_id));
    const auto void_cli = shop.encore({"pay", "vouchers", "void", codes[0], "--reason", "mistake"});
    CHECK(void_cli.exit_code == 1);
    CHECK(contains(void_cli.err, "the hub answered 409"));
    const auto voided =
        shop.encore({"pay", "vouchers", "void", codes[1], "--reason", "lost by the winner"});
    CHECK(voided.exit_code == 0);
    CHECK(contains(voided.out, "voucher " + codes[1] + " voided: lost by the winner"));
    CHECK(shop.api(verb::post, "/api/settlement/vouchers/void",
                   {{"code", "ENC-AAAA-AAAA-AAAA"}, {"reason", "x"}})
              .result_int() == 404);
    const auto next = reorder_of_status(shop.place(cookie, "counter"));
    const auto refused =
        shop.api(verb::post, "/api/settlement/confirm",
                 {{"reorder", next}, {"method", "voucher"}, {"reference", codes[1]}});
    CHECK(refused.result_int() == 409);
    CHECK(contains(refused.body(), "voucher " + codes[1] +
                                       " was voided (lost by the winner): keep it, and take "
                                       "cash instead"));
    CHECK(shop.ledger().count_charges(next) == 0);
    const auto voided_cli = shop.encore({"pay", "vouchers", "list", "--state", "voided"});
    CHECK(contains(voided_cli.out, codes[1] + "  7.00 EUR  voided  (lost by the winner)"));

    // Without the admin token: 401, nothing issued or voided.
    CHECK(shop.api(verb::get, "/api/settlement/vouchers", nullptr, "").result_int() == 401);
    CHECK(shop.api(verb::post, "/api/settlement/vouchers", {{"value", 700}}, "wrong-token")
              .result_int() == 401);
    CHECK(shop.api(verb::post, "/api/settlement/vouchers/void",
                   {{"code", codes[2]}, {"reason", "x"}}, "")
              .result_int() == 401);
    CHECK(json_of(shop.api(verb::get, "/api/settlement/vouchers"))["vouchers"].size() == 4);
    CHECK(shop.ledger().find_voucher(codes[2])->state == settlement::VoucherState::open);

    // The public listener has none of these routes, with the token or without.
    for (const auto* path : {"/api/settlement/vouchers", "/api/settlement/vouchers?state=open"}) {
        CAPTURE(path);
        CHECK(shop.get(path).result_int() == 404);
    }
    for (const auto* path : {"/api/settlement/vouchers", "/api/settlement/vouchers/void"}) {
        CAPTURE(path);
        CHECK(shop.post(path, R"({"value": 700, "code": "x", "reason": "x"})").result_int() == 404);
    }
    CHECK(json_of(shop.api(verb::get, "/api/settlement/vouchers"))["vouchers"].size() == 4);
}
