// The guest pages served by a real HTTP listener over a real SQLite order repository and
// image store, as a guest's browser sees them; and hubd's public listener as a whole.

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

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <doctest/doctest.h>

#include <csignal>
#include <future>
#include <regex>
#include <set>
#include <thread>

using namespace encore;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = platform::http;
namespace crypto = platform::crypto;
using beast::http::field;
using beast::http::verb;

namespace {

using testing::guest_site::contains;
using testing::guest_site::fetch;
using testing::guest_site::Headers;
using testing::guest_site::Reply;

std::vector<std::string> set_cookies(const Reply& reply) {
    std::vector<std::string> cookies;
    const auto [first, last] = reply.equal_range(field::set_cookie);
    for (auto header = first; header != last; ++header) {
        cookies.emplace_back(header->value());
    }
    return cookies;
}

// The whole Set-Cookie line for cookie `name`, or "".
std::string set_cookie_line(const Reply& reply, const std::string& name) {
    for (const auto& cookie : set_cookies(reply)) {
        if (cookie.starts_with(name + "=")) {
            return cookie;
        }
    }
    return {};
}

std::string cookie_value_in(const std::string& set_cookie_line) {
    const auto equals = set_cookie_line.find('=');
    return set_cookie_line.substr(equals + 1, set_cookie_line.find(';') - equals - 1);
}

std::vector<std::byte> jpeg_photo(int width, int height, std::uint8_t shade) {
    auto image = kiosk::imaging::Image::filled(width, height, {shade, 90, 200});
    REQUIRE(image.has_value());
    auto jpeg = kiosk::imaging::encode_jpeg(*image, {85, kiosk::imaging::ChromaSubsampling::both});
    REQUIRE(jpeg.has_value());
    return std::move(*jpeg);
}

struct SeededOrder {
    std::string order_id;
    std::string code;
    std::string token;
    std::vector<std::string> photos; // SHA-256 hex, in order
};

// A GuestWeb on its own listener and event loop, with orders recorded the way the
// intake records them from a booth.
class GuestWebFixture {
public:
    explicit GuestWebFixture(std::vector<std::string> trusted_proxies = {})
        : images_(dir_ / "images")
        , orders_(hub::open_sqlite_order_repository(dir_ / "orders.db")) {
        // The event name carries markup: the page must show it, never run it.
        first_ = seed("Tom & Jerry's <b>wedding</b>", {{1200, 800, 10}, {800, 1200, 60}},
                      /*with_missing_photo=*/true);
        second_ = seed("Gala", {{640, 480, 200}}, false);
        hub::web::GuestWebSettings settings;
        settings.data_dir = dir_.path();
        settings.trusted_proxies = std::move(trusted_proxies);
        web_ =
            std::make_unique<hub::web::GuestWeb>(loop_.get_executor(), settings, *orders_, images_);
        http::add_health_route(router_, {{"status", "ok"}});
        web_->add_routes(router_);
        server_ = std::make_unique<http::Server>(loop_, platform::Endpoint{"127.0.0.1", 0}, router_,
                                                 "public");
        port_ = server_->local_endpoint().port;
        thread_ = std::thread([this] { loop_.run(); });
    }
    ~GuestWebFixture() {
        asio::post(loop_, [this] {
            server_->stop();
            loop_.stop();
        });
        thread_.join();
    }

    Reply get(const std::string& target, const Headers& headers = {}) {
        return fetch(port_, verb::get, target, headers);
    }
    Reply post(const std::string& target, const std::string& body, const Headers& headers = {},
               const std::string& source = "127.0.0.1") {
        return fetch(port_, verb::post, target, headers, body, {.source = source});
    }

    // Opens an order with its QR link and returns the session cookie ("name=value").
    std::string open_with_link(const SeededOrder& order) {
        const auto reply = get("/o/" + order.token);
        REQUIRE(reply.result_int() == 303);
        const auto line = set_cookie_line(reply, "__Host-encore_order");
        REQUIRE_FALSE(line.empty());
        return "__Host-encore_order=" + cookie_value_in(line);
    }

    // The landing page's form secret for a browser at `source`: {cookie header, field}.
    std::pair<std::string, std::string> form_secret(const std::string& source = "127.0.0.1") {
        const auto reply = fetch(port_, verb::get, "/", {}, {}, {.source = source});
        REQUIRE(reply.result_int() == 200);
        const auto line = set_cookie_line(reply, "__Host-encore_csrf");
        REQUIRE_FALSE(line.empty());
        const auto secret = cookie_value_in(line);
        std::smatch field_match;
        const std::string& page = reply.body();
        REQUIRE(std::regex_search(page, field_match,
                                  std::regex("name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"")));
        CHECK(field_match[1] == secret);
        return {"__Host-encore_csrf=" + secret, secret};
    }

    Reply post_code(const std::string& code, const std::string& source = "127.0.0.1",
                    const Headers& extra_headers = {}) {
        const auto [cookie, secret] = form_secret(source);
        Headers headers = {{"Cookie", cookie}};
        headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
        return post("/find", "csrf=" + secret + "&code=" + code, headers, source);
    }

    // An order whose one photo the booth has announced but not uploaded yet: the order
    // and the photo's bytes, for store_photo().
    std::pair<SeededOrder, std::vector<std::byte>> seed_waiting_for_photo() {
        std::pair<SeededOrder, std::vector<std::byte>> result;
        run_on_loop([&] {
            result.first = seed("Late", {}, false, {{1000, 700, 150}});
            result.second = jpeg_photo(1000, 700, 150);
        });
        return result;
    }
    // Stores a photo the way the intake does when its upload completes.
    void store_photo(const std::string& sha256, const std::vector<std::byte>& bytes) {
        run_on_loop([&] {
            REQUIRE_FALSE(images_.put(sha256, bytes));
            orders_->record_photo("booth-1", sha256, bytes.size());
        });
    }

    unsigned short port() const { return port_; }
    const SeededOrder& first() const { return first_; }
    const SeededOrder& second() const { return second_; }

private:
    struct PhotoSpec {
        int width;
        int height;
        std::uint8_t shade;
    };

    // The repository belongs to the loop's thread once it runs.
    template <typename Work>
    void run_on_loop(Work&& work) {
        std::promise<void> done;
        asio::post(loop_, [&] {
            work();
            done.set_value();
        });
        done.get_future().get();
    }

    // `announced`: photos the booth lists in the order but has not uploaded.
    SeededOrder seed(const std::string& event, const std::vector<PhotoSpec>& photos,
                     bool with_missing_photo, const std::vector<PhotoSpec>& announced = {}) {
        SeededOrder seeded;
        seeded.order_id = crypto::random_uuid();
        seeded.token = crypto::random_token(16);
        do {
            seeded.code = crypto::random_short_code(6);
        } while (seeded.code == first_.code);
        platform::wire::Order order;
        order.order_id = seeded.order_id;
        order.code = seeded.code;
        order.token_sha256 = crypto::to_hex(crypto::sha256(seeded.token));
        order.event = event;
        order.created_at = "2026-11-28T12:00:00Z";
        order.copies = 1;
        order.layout = "single-4x6";
        for (const auto& spec : photos) {
            const auto bytes = jpeg_photo(spec.width, spec.height, spec.shade);
            const auto digest = crypto::sha256(bytes);
            const auto hex = crypto::to_hex(digest);
            REQUIRE_FALSE(images_.put(hex, bytes));
            orders_->record_photo("booth-1", hex, bytes.size());
            platform::wire::Sha256 wire_digest{};
            std::copy(digest.begin(), digest.end(), wire_digest.begin());
            order.photos.push_back({wire_digest, bytes.size()});
            seeded.photos.push_back(hex);
        }
        for (const auto& spec : announced) {
            const auto bytes = jpeg_photo(spec.width, spec.height, spec.shade);
            const auto digest = crypto::sha256(bytes);
            platform::wire::Sha256 wire_digest{};
            std::copy(digest.begin(), digest.end(), wire_digest.begin());
            order.photos.push_back({wire_digest, bytes.size()});
            seeded.photos.push_back(crypto::to_hex(digest));
        }
        if (with_missing_photo) {
            // Announced by the booth, not uploaded yet.
            platform::wire::Sha256 absent{};
            absent.fill(0x5a);
            order.photos.push_back({absent, 12345});
        }
        REQUIRE(orders_->record_order("booth-1", order) == hub::RecordOutcome::inserted);
        return seeded;
    }

    testing::TempDir dir_;
    hub::ImageStore images_;
    std::unique_ptr<hub::OrderRepository> orders_;
    SeededOrder first_;
    SeededOrder second_;
    asio::io_context loop_;
    http::Router router_;
    std::unique_ptr<hub::web::GuestWeb> web_;
    std::unique_ptr<http::Server> server_;
    unsigned short port_ = 0;
    std::thread thread_;
};

void check_security_headers(const Reply& reply) {
    CHECK(reply["Content-Security-Policy"] ==
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
          "frame-ancestors 'none'; form-action 'self'");
    CHECK(reply["Referrer-Policy"] == "no-referrer");
    CHECK(reply["X-Content-Type-Options"] == "nosniff");
}

} // namespace

TEST_CASE("the QR link swaps its token for a session cookie and a clean URL") {
    GuestWebFixture web;
    const auto& order = web.first();
    const auto reply = web.get("/o/" + order.token);
    CHECK(reply.result_int() == 303);
    CHECK(reply[field::location] == "/order");
    const auto cookie = set_cookie_line(reply, "__Host-encore_order");
    CAPTURE(cookie);
    CHECK(contains(cookie, "; Secure"));
    CHECK(contains(cookie, "; HttpOnly"));
    CHECK(contains(cookie, "; SameSite=Lax"));
    CHECK(contains(cookie, "; Path=/"));
    CHECK_FALSE(contains(cookie, "Domain"));
    const auto session = cookie_value_in(cookie);
    CHECK(session.size() >= 43);
    CHECK_FALSE(contains(session, order.token));
    CHECK_FALSE(contains(std::string(reply[field::location]), order.token));

    const auto page = web.get("/order", {{"Cookie", "__Host-encore_order=" + session}});
    CHECK(page.result_int() == 200);
    CHECK_FALSE(contains(page.body(), order.token));
    CHECK(contains(page.body(), order.code));
    // The event name is shown as text, its markup escaped.
    CHECK(contains(page.body(), "Tom &amp; Jerry&#39;s &lt;b&gt;wedding&lt;/b&gt;"));
    CHECK_FALSE(contains(page.body(), "<b>wedding"));
    for (const auto& photo : order.photos) {
        CHECK(contains(page.body(), "src=\"/order/photos/" + photo + "/thumb\""));
        CHECK(contains(page.body(), "href=\"/order/photos/" + photo + "\""));
    }
    // The photo the booth has not uploaded yet is shown as on its way, not as a link.
    CHECK(contains(page.body(), "Still on its way from the booth"));
    CHECK_FALSE(contains(page.body(), std::string(64, '5')));
    // No inline script or style anywhere: only the embedded files.
    CHECK_FALSE(contains(page.body(), "<script>"));
    CHECK_FALSE(contains(page.body(), "style="));
    CHECK(contains(page.body(), "<script src=\"/assets/guest.js\" defer></script>"));
}

TEST_CASE("an order's photos come as previews, only to its own session") {
    GuestWebFixture web;
    const auto first_session = web.open_with_link(web.first());
    const Headers as_first = {{"Cookie", first_session}};

    const auto thumbnail = web.get("/order/photos/" + web.first().photos[0] + "/thumb", as_first);
    REQUIRE(thumbnail.result_int() == 200);
    CHECK(thumbnail[field::content_type] == "image/jpeg");
    CHECK(thumbnail.body().substr(0, 2) == "\xFF\xD8");
    const auto large = web.get("/order/photos/" + web.first().photos[0], as_first);
    REQUIRE(large.result_int() == 200);
    CHECK(large.body().substr(0, 2) == "\xFF\xD8");
    CHECK(thumbnail.body().size() < large.body().size());
    // Asked again, the preview comes from the cache with the same bytes.
    CHECK(web.get("/order/photos/" + web.first().photos[0] + "/thumb", as_first).body() ==
          thumbnail.body());

    // Another order's photo, a photo that is not stored, a malformed name, no session:
    // all the same 404.
    for (const std::string& target : std::vector<std::string>{
             "/order/photos/" + web.second().photos[0] + "/thumb",
             "/order/photos/" + web.second().photos[0], "/order/photos/" + std::string(64, 'a'),
             "/order/photos/../../orders.db", "/order/photos/" + web.first().photos[0] + "/x"}) {
        CAPTURE(target);
        const auto reply = web.get(target, as_first);
        CHECK(reply.result_int() == 404);
        CHECK(reply[field::content_type] == "text/html; charset=utf-8");
    }
    CHECK(web.get("/order/photos/" + web.first().photos[0] + "/thumb").result_int() == 404);
    CHECK(web.get("/order/photos/" + web.first().photos[0] + "/thumb",
                  {{"Cookie", "__Host-encore_order=forged"}})
              .result_int() == 404);
}

TEST_CASE("an unknown or malformed token gets a plain 404 page and no cookie") {
    GuestWebFixture web;
    for (const std::string& target : std::vector<std::string>{
             "/o/" + crypto::random_token(16), "/o/", "/o/short", "/o/" + web.first().token + "%00",
             "/o/" + web.first().token + "x"}) {
        CAPTURE(target);
        const auto reply = web.get(target);
        CHECK(reply.result_int() == 404);
        CHECK(reply[field::content_type] == "text/html; charset=utf-8");
        CHECK(set_cookie_line(reply, "__Host-encore_order").empty());
        CHECK(contains(reply.body(), "<h1>Not found</h1>"));
    }
    const auto no_session = web.get("/order");
    CHECK(no_session.result_int() == 404);
    CHECK(contains(no_session.body(), "No order open"));
}

TEST_CASE("a short code typed sloppily opens the order, with the same cookie as the link") {
    GuestWebFixture web;
    std::string sloppy;
    for (const char c : web.first().code) {
        sloppy += c == '-' ? std::string("+") : std::string(1, static_cast<char>(std::tolower(c)));
    }
    const auto reply = web.post_code(sloppy);
    CHECK(reply.result_int() == 303);
    CHECK(reply[field::location] == "/order");
    const auto cookie = set_cookie_line(reply, "__Host-encore_order");
    CHECK(contains(cookie, "; Secure; HttpOnly; SameSite=Lax"));
    const auto page =
        web.get("/order", {{"Cookie", "__Host-encore_order=" + cookie_value_in(cookie)}});
    CHECK(page.result_int() == 200);
    CHECK(contains(page.body(), web.first().photos[0]));
}

TEST_CASE("the code form refuses a post without its CSRF secret") {
    GuestWebFixture web;
    const auto code = web.first().code;
    // No cookie at all (a cross-site form post: the SameSite=Strict cookie stays home).
    const auto without_cookie = web.post("/find", "csrf=AAAAAAAAAAAAAAAAAAAAAA&code=" + code);
    CHECK(without_cookie.result_int() == 403);
    CHECK(set_cookie_line(without_cookie, "__Host-encore_order").empty());
    // The cookie, but another field value.
    const auto [cookie, secret] = web.form_secret();
    const auto mismatch =
        web.post("/find", "csrf=BBBBBBBBBBBBBBBBBBBBBB&code=" + code, {{"Cookie", cookie}});
    CHECK(mismatch.result_int() == 403);
    CHECK(set_cookie_line(mismatch, "__Host-encore_order").empty());
    const auto missing_field = web.post("/find", "code=" + code, {{"Cookie", cookie}});
    CHECK(missing_field.result_int() == 403);
    // And the form still works with the secret.
    CHECK(
        web.post("/find", "csrf=" + secret + "&code=" + code, {{"Cookie", cookie}}).result_int() ==
        303);
}

TEST_CASE("1,000 guessed short codes find nothing and engage the limiter") {
    GuestWebFixture web;
    const auto [cookie, secret] = web.form_secret();
    int opened = 0;
    int not_found = 0;
    int limited = 0;
    std::set<std::string> retry_after;
    for (int guess = 0; guess < 1000; ++guess) {
        std::string code;
        do {
            code = crypto::random_short_code(6);
        } while (code == web.first().code || code == web.second().code);
        const auto reply =
            web.post("/find", "csrf=" + secret + "&code=" + code, {{"Cookie", cookie}});
        opened +=
            reply.result_int() == 303 || !set_cookie_line(reply, "__Host-encore_order").empty();
        not_found += reply.result_int() == 404;
        if (reply.result_int() == 429) {
            ++limited;
            retry_after.insert(std::string(reply[field::retry_after]));
            CHECK(contains(reply.body(), "Too many tries"));
        }
    }
    CHECK(opened == 0);
    CHECK(not_found == 5);
    CHECK(limited == 995);
    CHECK_FALSE(retry_after.contains(""));
    // Once engaged, even the right code waits: guessing cannot be mixed with a known code.
    CHECK(web.post("/find", "csrf=" + secret + "&code=" + web.first().code, {{"Cookie", cookie}})
              .result_int() == 429);
    // Another client is not held up by this one.
    CHECK(web.post_code(web.first().code, "127.0.0.9").result_int() == 303);
}

TEST_CASE("misses from many addresses engage the global limit") {
    GuestWebFixture web;
    for (int client = 2; client < 22; ++client) {
        const auto source = "127.0.0." + std::to_string(client);
        for (int guess = 0; guess < 5; ++guess) {
            CAPTURE(source);
            REQUIRE(web.post_code("AAA-AAA", source).result_int() == 404);
        }
    }
    // 100 misses within the minute: a fresh address is refused on its first try.
    CHECK(web.post_code(web.first().code, "127.0.0.30").result_int() == 429);
}

TEST_CASE("behind a trusted proxy each guest is counted by X-Forwarded-For, and no one else "
          "can pick an address") {
    GuestWebFixture web({"127.0.0.1"});
    const Headers guest_a = {{"X-Forwarded-For", "203.0.113.5"}};
    for (int guess = 0; guess < 5; ++guess) {
        REQUIRE(web.post_code("AAA-AAA", "127.0.0.1", guest_a).result_int() == 404);
    }
    CHECK(web.post_code("AAA-AAA", "127.0.0.1", guest_a).result_int() == 429);
    // Another guest behind the same proxy is not held up.
    CHECK(web.post_code(web.first().code, "127.0.0.1", {{"X-Forwarded-For", "203.0.113.6"}})
              .result_int() == 303);
    // A client that is not the proxy is counted by its own address, whatever it claims.
    for (int guess = 0; guess < 5; ++guess) {
        const Headers spoofed = {{"X-Forwarded-For", "198.51.100." + std::to_string(guess)}};
        REQUIRE(web.post_code("AAA-AAA", "127.0.0.2", spoofed).result_int() == 404);
    }
    CHECK(web.post_code("AAA-AAA", "127.0.0.2", {{"X-Forwarded-For", "198.51.100.99"}})
              .result_int() == 429);
}

TEST_CASE("hubd refuses a trusted proxy that is not an IP address") {
    testing::TempDir dir;
    testing::write_text_file(dir / "hub.json",
                             R"({"public": {"trusted_proxies": ["10.0.0.1", "proxy.local"]}})");
    const auto result = testing::run_program(
        testing::bin_dir() / "hubd", {"--config", (dir / "hub.json").string(), "--check-config"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("\"public.trusted_proxies\": expected IP addresses, got "
                          "\"proxy.local\"") != std::string::npos);
}

TEST_CASE("every guest response carries the security headers") {
    GuestWebFixture web;
    const auto session = web.open_with_link(web.first());
    const auto [csrf_cookie, csrf] = web.form_secret();
    struct Probe {
        verb method;
        std::string target;
        std::string cookie;
        std::string body;
        int status;
    };
    const auto photo = "/order/photos/" + web.first().photos[0];
    const std::vector<Probe> probes = {
        {verb::get, "/", "", "", 200},
        {verb::get, "/?lang=ja", "", "", 200},
        {verb::head, "/", "", "", 200},
        {verb::head, "/order", session, "", 200},
        {verb::get, "/robots.txt", "", "", 200},
        {verb::get, "/assets/guest.css", "", "", 200},
        {verb::get, "/assets/guest.js", "", "", 200},
        {verb::get, "/assets/missing.js", "", "", 404},
        {verb::get, "/o/" + web.first().token, "", "", 303},
        {verb::get, "/o/" + crypto::random_token(16), "", "", 404},
        {verb::get, "/order", session, "", 200},
        {verb::get, "/order", "", "", 404},
        {verb::get, photo + "/thumb", session, "", 200},
        {verb::get, photo, session, "", 200},
        {verb::get, photo, "", "", 404},
        {verb::post, "/find", csrf_cookie, "csrf=" + csrf + "&code=AAA-AAA", 404},
        {verb::post, "/find", csrf_cookie, "csrf=" + csrf + "&code=0", 400},
        {verb::post, "/find", "", "code=AAA-AAA", 403},
        {verb::get, "/find", "", "", 405},
        {verb::post, "/order/forget", session, "csrf=wrong-token-wrong-token", 403},
        {verb::post, "/", "", "x=1", 405},
        {verb::get, "/api/orders", "", "", 404},
        {verb::post, "/api/enrol-tokens", "", "x=1", 404},
        {verb::get, "/desk", "", "", 404},
        {verb::get, "/shipping", "", "", 404},
        {verb::delete_, "/order", session, "", 405},
        {verb::get, "/nothing/here", "", "", 404},
    };
    for (const auto& probe : probes) {
        CAPTURE(probe.target);
        CAPTURE(beast::http::to_string(probe.method));
        Headers headers;
        if (!probe.cookie.empty()) {
            headers.emplace_back("Cookie", probe.cookie);
        }
        const auto reply = fetch(web.port(), probe.method, probe.target, headers, probe.body);
        CHECK(reply.result_int() == probe.status);
        check_security_headers(reply);
    }
}

TEST_CASE("robots.txt keeps crawlers away from order pages") {
    GuestWebFixture web;
    const auto reply = web.get("/robots.txt");
    CHECK(reply.body() == "User-agent: *\nDisallow: /o/\nDisallow: /order\n");
}

TEST_CASE("pages speak the browser's language, and ?lang= switches and is remembered") {
    GuestWebFixture web;
    const auto japanese = web.get("/", {{"Accept-Language", "ja-JP,ja;q=0.9,en;q=0.5"}});
    CHECK(contains(japanese.body(), "<html lang=\"ja\">"));
    CHECK(contains(japanese.body(), "写真を探す"));
    const auto german = web.get("/?lang=de", {{"Accept-Language", "ja"}});
    CHECK(contains(german.body(), "<html lang=\"de\">"));
    CHECK(contains(german.body(), "Finden Sie Ihre Fotos"));
    const auto remembered = set_cookie_line(german, "__Host-encore_lang");
    CHECK(contains(remembered, "__Host-encore_lang=de; Path=/; Secure"));
    const auto later = web.get("/order", {{"Cookie", "__Host-encore_lang=de"}});
    CHECK(contains(later.body(), "Keine Bestellung geöffnet"));
    for (const auto& [tag, heading] :
         std::vector<std::pair<std::string, std::string>>{{"en", "Find your photos"},
                                                          {"fr", "Retrouvez vos photos"},
                                                          {"es", "Encuentra tus fotos"}}) {
        CHECK(contains(web.get("/?lang=" + tag).body(), heading));
    }
}

TEST_CASE("forgetting the order ends the session, and its form needs the session CSRF token") {
    GuestWebFixture web;
    const auto session = web.open_with_link(web.first());
    const auto page = web.get("/order", {{"Cookie", session}});
    std::smatch token;
    REQUIRE(std::regex_search(page.body(), token,
                              std::regex("action=\"/order/forget\">\\s*<input type=\"hidden\" "
                                         "name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"")));
    CHECK(web.post("/order/forget", "csrf=" + crypto::random_token(16), {{"Cookie", session}})
              .result_int() == 403);
    CHECK(web.get("/order", {{"Cookie", session}}).result_int() == 200);
    const auto forgotten =
        web.post("/order/forget", "csrf=" + std::string(token[1]), {{"Cookie", session}});
    CHECK(forgotten.result_int() == 200);
    CHECK(contains(set_cookie_line(forgotten, "__Host-encore_order"), "Max-Age=0"));
    CHECK(web.get("/order", {{"Cookie", session}}).result_int() == 404);
}

TEST_CASE("a photo that arrives after the order was first shown appears on the next visit") {
    GuestWebFixture web;
    const auto [order, bytes] = web.seed_waiting_for_photo();
    const Headers as_guest = {{"Cookie", web.open_with_link(order)}};
    const auto thumb = "/order/photos/" + order.photos[0] + "/thumb";
    for (int visit = 0; visit < 2; ++visit) {
        const auto page = web.get("/order", as_guest);
        REQUIRE(page.result_int() == 200);
        CHECK(contains(page.body(), "Still on its way from the booth"));
        CHECK_FALSE(contains(page.body(), "src=\"" + thumb + "\""));
        CHECK(web.get(thumb, as_guest).result_int() == 404);
    }
    web.store_photo(order.photos[0], bytes);
    for (int visit = 0; visit < 2; ++visit) {
        const auto page = web.get("/order", as_guest);
        REQUIRE(page.result_int() == 200);
        CHECK_FALSE(contains(page.body(), "Still on its way from the booth"));
        CHECK(contains(page.body(), "src=\"" + thumb + "\""));
        const auto reply = web.get(thumb, as_guest);
        CHECK(reply.result_int() == 200);
        CHECK(reply.body().substr(0, 2) == "\xFF\xD8");
    }
}

TEST_CASE("a thumbnail asked again with its ETag is a 304 without the bytes, for its session "
          "only") {
    GuestWebFixture web;
    const Headers as_first = {{"Cookie", web.open_with_link(web.first())}};
    const auto thumb = "/order/photos/" + web.first().photos[0] + "/thumb";
    const auto first = web.get(thumb, as_first);
    REQUIRE(first.result_int() == 200);
    const std::string etag(first[field::etag]);
    CHECK_FALSE(etag.empty());
    CHECK(first[field::cache_control] == "private, max-age=86400");
    // The large view is another representation: another tag.
    const auto large = web.get("/order/photos/" + web.first().photos[0], as_first);
    CHECK(large[field::etag] != etag);

    const auto again = web.get(thumb, {{"Cookie", as_first[0].second}, {"If-None-Match", etag}});
    CHECK(again.result_int() == 304);
    CHECK(again.body().empty());
    CHECK(again[field::etag] == etag);
    CHECK(again[field::cache_control] == "private, max-age=86400");
    check_security_headers(again);
    // A stale tag gets the bytes.
    const auto stale = web.get(thumb, {{"Cookie", as_first[0].second}, {"If-None-Match", "\"x\""}});
    CHECK(stale.result_int() == 200);
    CHECK(stale.body() == first.body());

    // Another order's session, or none, learns nothing from the tag.
    const Headers as_second = {{"Cookie", web.open_with_link(web.second())},
                               {"If-None-Match", etag}};
    CHECK(web.get(thumb, as_second).result_int() == 404);
    CHECK(web.get(thumb, {{"If-None-Match", etag}}).result_int() == 404);
    CHECK(web.get(thumb, {{"If-None-Match", "*"}}).result_int() == 404);
}

TEST_CASE("once the order is forgotten, the page and photos it was just served are refused") {
    GuestWebFixture web;
    const auto session = web.open_with_link(web.first());
    const auto thumb = "/order/photos/" + web.first().photos[0] + "/thumb";
    const auto page = web.get("/order", {{"Cookie", session}});
    REQUIRE(page.result_int() == 200);
    REQUIRE(web.get(thumb, {{"Cookie", session}}).result_int() == 200);
    std::smatch token;
    REQUIRE(std::regex_search(page.body(), token,
                              std::regex("action=\"/order/forget\">\\s*<input type=\"hidden\" "
                                         "name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"")));
    REQUIRE(web.post("/order/forget", "csrf=" + std::string(token[1]), {{"Cookie", session}})
                .result_int() == 200);
    CHECK(web.get("/order", {{"Cookie", session}}).result_int() == 404);
    CHECK(web.get(thumb, {{"Cookie", session}}).result_int() == 404);
    CHECK(web.get("/order/photos/" + web.first().photos[0], {{"Cookie", session}}).result_int() ==
          404);
}

TEST_CASE("hubd serves the guest pages on its public listener and no back-office route") {
    testing::TempDir dir;
    testing::ChildProcess hubd(testing::bin_dir() / "hubd",
                               {"--data", (dir / "hub").string(), "--public-listen", "127.0.0.1:0",
                                "--private-listen", "127.0.0.1:0", "--kiosk-listen",
                                "127.0.0.1:0"});
    const auto line = hubd.wait_for_line("listening", 10s);
    REQUIRE_MESSAGE(line, hubd.stderr_text());
    std::smatch ports;
    REQUIRE(std::regex_search(*line, ports,
                              std::regex("public=http://127\\.0\\.0\\.1:(\\d+)/ "
                                         "private=http://127\\.0\\.0\\.1:(\\d+)/")));
    const auto public_port = static_cast<unsigned short>(std::stoi(ports[1]));
    const auto private_port = static_cast<unsigned short>(std::stoi(ports[2]));

    const auto landing = fetch(public_port, verb::get, "/");
    CHECK(landing.result_int() == 200);
    check_security_headers(landing);
    CHECK(contains(landing.body(), "action=\"/find\""));
    for (const std::string& target : std::vector<std::string>{
             "/api/orders", "/api/kiosks", "/api/photos/" + std::string(64, 'a'),
             std::string("/desk"), std::string("/shipping")}) {
        CAPTURE(target);
        const auto reply = fetch(public_port, verb::get, target);
        CHECK(reply.result_int() == 404);
        check_security_headers(reply);
    }
    CHECK(fetch(public_port, verb::post, "/api/enrol-tokens", {}, "{}").result_int() == 404);
    // The same route on the private listener exists (and wants the admin token).
    CHECK(fetch(private_port, verb::get, "/api/orders").result_int() == 401);
    CHECK(std::filesystem::exists(dir / "hub" / "guest_sessions.db"));
    hubd.send_signal(SIGTERM);
    CHECK(hubd.wait_for_exit(10s) == 0);
}
