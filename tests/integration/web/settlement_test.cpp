// Reorders and their settlement over real HTTP: a guest's browser on the order page, the
// dev provider's hosted checkout on the same public listener, and webhooks signed and
// sent over HTTP to POST /webhooks/payment, over a real SQLite ledger.

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

#include <atomic>
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

using Reply = beast::http::response<beast::http::string_body>;
using Headers = std::vector<std::pair<std::string, std::string>>;

Reply fetch(unsigned short port, verb method, const std::string& target,
            const Headers& headers = {}, const std::string& body = {},
            const std::string& content_type = "application/x-www-form-urlencoded") {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    beast::http::request<beast::http::string_body> request(method, target, 11);
    request.set(field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [name, value] : headers) {
        request.insert(name, value);
    }
    if (!body.empty()) {
        request.set(field::content_type, content_type);
        request.body() = body;
    }
    request.prepare_payload();
    beast::http::write(socket, request);
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    beast::http::read(socket, buffer, parser);
    return parser.release();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The first capture of `pattern` in `text`; fails the test when there is none.
std::string capture(const std::string& text, const std::string& pattern) {
    std::smatch match;
    REQUIRE_MESSAGE(std::regex_search(text, match, std::regex(pattern)), pattern);
    return match[1];
}

std::string form_value(const std::string& page, const std::string& action,
                       const std::string& name) {
    return capture(page, "action=\"" + action +
                             "\">\\s*(?:<input type=\"hidden\" name=\"[a-z]+\" "
                             "value=\"[^\"]*\">\\s*)*?<input type=\"hidden\" "
                             "name=\"" +
                             name + "\" value=\"([^\"]+)\"");
}

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

struct SeededOrder {
    std::string order_id;
    std::string token;
    std::vector<std::string> photos;
};

// The hub's public side as hubd wires it: guest pages, the webhook route and the dev
// provider's checkout on one listener, with orders recorded as the intake records them.
class ShopFixture {
public:
    ShopFixture()
        : images_(dir_ / "images")
        , orders_(hub::open_sqlite_order_repository(dir_ / "orders.db"))
        , ledger_(dir_ / "settlement.db")
        , provider_(loop_.get_executor(), dir_ / "dev_provider.db", secret_)
        , settlement_({}, ledger_, provider_) {
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
        return fetch(port_, verb::get, target,
                     cookie.empty() ? Headers{} : Headers{{"Cookie", cookie}});
    }
    Reply post(const std::string& target, const std::string& body, const std::string& cookie = {}) {
        return fetch(port_, verb::post, target,
                     cookie.empty() ? Headers{} : Headers{{"Cookie", cookie}}, body);
    }
    Reply post_webhook(const std::string& body, const std::string& signature) {
        Headers headers;
        if (!signature.empty()) {
            headers.emplace_back("Encore-Signature", signature);
        }
        return fetch(port_, verb::post, "/webhooks/payment", headers, body, "application/json");
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
    const std::string& secret() const { return secret_; }

private:
    SeededOrder seed(const std::string& event, int photo_count, std::uint8_t shade) {
        SeededOrder seeded;
        seeded.order_id = crypto::random_uuid();
        seeded.token = crypto::random_token(16);
        platform::wire::Order order;
        order.order_id = seeded.order_id;
        order.code = crypto::random_short_code(6);
        order.token_sha256 = crypto::to_hex(crypto::sha256(seeded.token));
        order.event = event;
        order.created_at = "2026-11-28T12:00:00Z";
        order.copies = 1;
        order.layout = "single-4x6";
        for (int index = 0; index < photo_count; ++index) {
            auto image = kiosk::imaging::Image::filled(
                320, 240, {static_cast<std::uint8_t>(shade + index * 20), 90, 200});
            REQUIRE(image.has_value());
            auto jpeg =
                kiosk::imaging::encode_jpeg(*image, {85, kiosk::imaging::ChromaSubsampling::both});
            REQUIRE(jpeg.has_value());
            const auto digest = crypto::sha256(*jpeg);
            const auto hex = crypto::to_hex(digest);
            REQUIRE_FALSE(images_.put(hex, *jpeg));
            orders_->record_photo("booth-1", hex, jpeg->size());
            platform::wire::Sha256 wire_digest{};
            std::copy(digest.begin(), digest.end(), wire_digest.begin());
            order.photos.push_back({wire_digest, jpeg->size()});
            seeded.photos.push_back(hex);
        }
        REQUIRE(orders_->record_order("booth-1", order) == hub::RecordOutcome::inserted);
        return seeded;
    }

    testing::TempDir dir_;
    hub::ImageStore images_;
    std::unique_ptr<hub::OrderRepository> orders_;
    std::string secret_ = "whsec_" + crypto::random_token(32);
    asio::io_context loop_;
    settlement::Ledger ledger_;
    settlement::DevProvider provider_;
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
              "application/json");
    CHECK(forged.result_int() == 400);
    const auto signed_body =
        settlement::sign_webhook(secret.substr(0, secret.find('\n')), unix_now(), body);
    const auto unknown = fetch(port, verb::post, "/webhooks/payment",
                               {{"Encore-Signature", signed_body}}, body, "application/json");
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
        R"({"settlement": {"provider": "dev", "venue_pickup": false, "price_list": {"currency": "JPY", "products": [{"id": "l", "label": "L", "price": 500}]}}})");
    CHECK(testing::run_program(testing::bin_dir() / "hubd",
                               {"--config", (dir / "good.json").string(), "--check-config"})
              .exit_code == 0);
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
