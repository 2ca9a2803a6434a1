#include "tests/integration/web/guest_site.hpp"

#include "kiosk/imaging/image.hpp"
#include "kiosk/imaging/jpeg.hpp"
#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/wire/messages.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <regex>

namespace encore::testing::guest_site {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace crypto = platform::crypto;
using beast::http::field;
using beast::http::verb;

Reply fetch(unsigned short port, verb method, const std::string& target, const Headers& headers,
            const std::string& body, const FetchOptions& options) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.open(asio::ip::tcp::v4());
    if (options.source != "127.0.0.1") {
        // Bound only when asked: a port chosen at bind() cannot be shared with the
        // connections in TIME_WAIT that many short requests leave behind.
        socket.bind({asio::ip::make_address(options.source), 0});
    }
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    beast::http::request<beast::http::string_body> request(method, target, 11);
    request.set(field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [name, value] : headers) {
        request.insert(name, value);
    }
    if (!body.empty()) {
        request.set(field::content_type, options.content_type);
        request.body() = body;
    }
    request.prepare_payload();
    beast::http::write(socket, request);
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    // The answer to HEAD has a Content-Length but no body.
    parser.skip(method == verb::head);
    beast::http::read(socket, buffer, parser);
    return parser.release();
}

Headers with_cookie(const std::string& cookie) {
    return cookie.empty() ? Headers{} : Headers{{"Cookie", cookie}};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

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

SeededOrder seed_order(hub::ImageStore& images, hub::OrderRepository& orders,
                       const std::string& event, int photo_count, std::uint8_t shade) {
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
        REQUIRE_FALSE(images.put(hex, *jpeg));
        orders.record_photo("booth-1", hex, jpeg->size());
        platform::wire::Sha256 wire_digest{};
        std::copy(digest.begin(), digest.end(), wire_digest.begin());
        order.photos.push_back({wire_digest, jpeg->size()});
        seeded.photos.push_back(hex);
    }
    REQUIRE(orders.record_order("booth-1", order) == hub::RecordOutcome::inserted);
    return seeded;
}

Reply Guest::get(const std::string& target, const std::string& cookie) const {
    return fetch(port_, verb::get, target, with_cookie(cookie));
}

Reply Guest::post(const std::string& target, const std::string& body,
                  const std::string& cookie) const {
    return fetch(port_, verb::post, target, with_cookie(cookie), body);
}

std::string Guest::open(const SeededOrder& order) const {
    const auto reply = get("/o/" + order.token);
    REQUIRE(reply.result_int() == 303);
    const std::string line(reply[field::set_cookie]);
    return line.substr(0, line.find(';'));
}

Reply Guest::add_to_cart(const std::string& cookie, const SeededOrder& order,
                         const std::string& product, int quantity) const {
    const auto page = get("/order", cookie);
    REQUIRE(page.result_int() == 200);
    REQUIRE_FALSE(order.photos.empty());
    const auto csrf = form_value(page.body(), "/order/cart", "csrf");
    return post("/order/cart",
                "csrf=" + csrf + "&photo=" + order.photos.front() + "&product=" + product +
                    "&quantity=" + std::to_string(quantity),
                cookie);
}

std::string Guest::checkout_fields(const std::string& cookie) const {
    const auto page = get("/order", cookie);
    return "csrf=" + form_value(page.body(), "/order/checkout", "csrf") +
           "&key=" + form_value(page.body(), "/order/checkout", "key");
}

Reply Guest::check_out(const std::string& cookie, const std::string& fields) const {
    return post("/order/checkout", checkout_fields(cookie) + "&" + fields, cookie);
}

Reply Guest::pay(const std::string& checkout_path) const {
    const auto page = get(checkout_path);
    REQUIRE(page.result_int() == 200);
    const auto token = form_value(page.body(), checkout_path, "form");
    return fetch(port_, verb::post, checkout_path, {}, "form=" + token + "&action=pay");
}

PublicHub::PublicHub(const std::filesystem::path& dir, hub::settlement::SettlementSettings settings)
    : images_(dir / "images")
    , orders_(hub::open_sqlite_order_repository(dir / "orders.db"))
    , ledger_(dir / "settlement.db")
    , provider_(loop_.get_executor(), dir / "dev_provider.db", "whsec_guest_site_test")
    , settlement_(std::move(settings), ledger_, provider_) {
    hub::web::GuestWebSettings web_settings;
    web_settings.data_dir = dir;
    web_ = std::make_unique<hub::web::GuestWeb>(loop_.get_executor(), web_settings, *orders_,
                                                images_, &settlement_);
    web_->add_routes(router_);
    hub::settlement::add_webhook_route(router_, settlement_);
    provider_.add_routes(router_);
    server_ = std::make_unique<platform::http::Server>(loop_, platform::Endpoint{"127.0.0.1", 0},
                                                       router_, "public");
    port_ = server_->local_endpoint().port;
    provider_.set_webhook_target({"127.0.0.1", port_});
    thread_ = std::thread([this] { loop_.run(); });
}

PublicHub::~PublicHub() {
    asio::post(loop_, [this] {
        server_->stop();
        loop_.stop();
    });
    thread_.join();
}

SeededOrder PublicHub::seed(const std::string& event, std::uint8_t shade) {
    return seed_order(images_, *orders_, event, 1, shade);
}

} // namespace encore::testing::guest_site
