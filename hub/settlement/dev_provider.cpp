#include "hub/settlement/dev_provider.hpp"

#include "hub/settlement/ledger.hpp"
#include "hub/settlement/price_list.hpp"
#include "hub/settlement/settlement.hpp"
#include "hub/settlement/webhook_signature.hpp"
#include "platform/crypto/random.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/http/client.hpp"
#include "platform/http/html.hpp"
#include "platform/log/logger.hpp"
#include "platform/sqlite/database.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <array>
#include <chrono>
#include <fstream>
#include <system_error>

namespace encore::hub::settlement {
namespace {

namespace http = platform::http;
namespace sqlite = platform::sqlite;
using boost::beast::http::field;

constexpr std::string_view checkout_prefix = "/dev-checkout/";

constexpr std::array<sqlite::Migration, 2> migrations = {{
    {1, "dev provider checkouts", R"sql(
        CREATE TABLE dev_checkouts (
            id              TEXT PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            amount          INTEGER NOT NULL,
            currency        TEXT NOT NULL,
            description     TEXT NOT NULL,
            return_path     TEXT NOT NULL,
            form_token      TEXT NOT NULL,
            state           TEXT NOT NULL,
            created_at      INTEGER NOT NULL
        );
    )sql"},
    {2, "dev provider charges and refunds", R"sql(
        CREATE TABLE dev_charges (
            charge_id   TEXT PRIMARY KEY,
            checkout_id TEXT NOT NULL UNIQUE,
            amount      INTEGER NOT NULL,
            currency    TEXT NOT NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE TABLE dev_refunds (
            id              TEXT PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            charge_id       TEXT NOT NULL REFERENCES dev_charges(charge_id),
            amount          INTEGER NOT NULL CHECK (amount > 0),
            reason          TEXT NOT NULL,
            created_at      INTEGER NOT NULL
        );
    )sql"},
}};

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The value of `name` in a urlencoded form body.
std::optional<std::string> form_field(std::string_view body, std::string_view name) {
    while (!body.empty()) {
        const auto amp = body.find('&');
        const auto pair = body.substr(0, amp);
        const auto equals = pair.find('=');
        if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
            return http::percent_decode(pair.substr(equals + 1));
        }
        if (amp == std::string_view::npos) {
            break;
        }
        body.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

http::Response page(const http::Request& request, http::Status status, const std::string& main) {
    std::string html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
                       "<title>Test checkout</title>\n"
                       "<link rel=\"stylesheet\" href=\"/assets/guest.css\">\n</head>\n<body>\n";
    html += main;
    html += "</body>\n</html>\n";
    auto response =
        http::text_response(request, status, std::move(html), "text/html; charset=utf-8");
    response.set("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                 "frame-ancestors 'none'; form-action 'self'");
    response.set(field::cache_control, "no-store");
    return response;
}

http::Response message(const http::Request& request, http::Status status, std::string_view text) {
    std::string main = "<main class=\"narrow\">\n<h1>Test checkout</h1>\n<p>";
    main += platform::http::html_escape(text);
    main += "</p>\n</main>\n";
    return page(request, status, main);
}

http::Response redirect(const http::Request& request, const std::string& location) {
    auto response = page(request, http::Status::see_other,
                         "<a href=\"" + platform::http::html_escape(location) + "\">" +
                             platform::http::html_escape(location) + "</a>\n");
    response.set(field::location, location);
    return response;
}

struct DevCheckout {
    std::string id;
    std::int64_t amount = 0;
    std::string currency;
    std::string description;
    std::string return_path;
    std::string form_token;
    std::string state;
};

} // namespace

std::string load_or_create_webhook_secret(const std::filesystem::path& file) {
    if (std::filesystem::exists(file)) {
        std::ifstream in(file);
        std::string secret;
        std::getline(in, secret);
        if (!secret.empty()) {
            return secret;
        }
    }
    const auto secret = "whsec_" + platform::crypto::random_token(32);
    platform::AtomicWriteOptions options;
    options.mode = 0600;
    if (auto error = platform::write_file_atomically(file, secret + "\n", options)) {
        throw std::system_error(error, "cannot write " + file.string());
    }
    return secret;
}

struct DevProvider::Database {
    sqlite::Database db;

    std::optional<DevCheckout> find(std::string_view column, const std::string& value) {
        auto row = db.prepare("SELECT id, amount, currency, description, return_path, form_token, "
                              "state FROM dev_checkouts WHERE " +
                              std::string(column) + " = ?1");
        row.bind_all(value);
        if (!row.step()) {
            return std::nullopt;
        }
        return DevCheckout{row.text(0), row.int64(1), row.text(2), row.text(3),
                           row.text(4), row.text(5),  row.text(6)};
    }
};

DevProvider::DevProvider(boost::asio::any_io_executor loop, const std::filesystem::path& database,
                         std::string webhook_secret)
    : db_(std::make_unique<Database>(Database{sqlite::Database::open(database)}))
    , secret_(std::move(webhook_secret))
    , sender_(std::move(loop), "dev-provider") {
    sqlite::apply_migrations(db_->db, migrations);
}

DevProvider::~DevProvider() = default;

void DevProvider::set_webhook_target(platform::Endpoint hub_public_listener) {
    webhook_target_ = std::move(hub_public_listener);
}

boost::asio::awaitable<std::optional<HostedCheckout>>
DevProvider::open_checkout(CheckoutRequest request) {
    // Like a real provider: the same idempotency key finds the checkout it opened.
    db_->db.execute("INSERT INTO dev_checkouts (id, idempotency_key, amount, currency, "
                    "description, return_path, form_token, state, created_at) VALUES (?1, ?2, "
                    "?3, ?4, ?5, ?6, ?7, 'open', ?8) ON CONFLICT (idempotency_key) DO NOTHING",
                    "cs_dev_" + platform::crypto::random_token(16), request.idempotency_key,
                    request.amount, request.currency, request.description, request.return_path,
                    platform::crypto::random_token(16), now_seconds());
    const auto checkout = db_->find("idempotency_key", request.idempotency_key);
    co_return HostedCheckout{checkout->id, std::string(checkout_prefix) + checkout->id};
}

boost::asio::awaitable<ProviderRefund> DevProvider::refund(RefundRequest request) {
    platform::Logger log("dev-provider");
    // Like a real provider: the same key is one refund, however often it is asked, and
    // a charge gives back at most what it took.
    sqlite::Transaction transaction(db_->db);
    auto seen = db_->db.prepare("SELECT id FROM dev_refunds WHERE idempotency_key = ?1");
    seen.bind_all(request.idempotency_key);
    if (seen.step()) {
        co_return ProviderRefund{RefundStatus::succeeded, seen.text(0), "refunded before"};
    }
    auto charge = db_->db.prepare(
        "SELECT amount, currency, amount - (SELECT COALESCE(SUM(amount), 0) FROM dev_refunds r "
        "WHERE r.charge_id = dev_charges.charge_id) FROM dev_charges WHERE charge_id = ?1");
    charge.bind_all(request.charge_id);
    if (!charge.step()) {
        co_return ProviderRefund{RefundStatus::refused, "", "no charge " + request.charge_id};
    }
    if (charge.text(1) != request.currency) {
        co_return ProviderRefund{RefundStatus::refused, "",
                                 "charge " + request.charge_id + " is in " + charge.text(1)};
    }
    const auto left = charge.int64(2);
    if (request.amount <= 0 || request.amount > left) {
        co_return ProviderRefund{RefundStatus::refused, "",
                                 "charge " + request.charge_id + " has " +
                                     format_amount(left, request.currency) + " left to refund"};
    }
    charge.reset();
    seen.reset();
    const auto id = "re_dev_" + platform::crypto::random_token(16);
    db_->db.execute("INSERT INTO dev_refunds (id, idempotency_key, charge_id, amount, reason, "
                    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    id, request.idempotency_key, request.charge_id, request.amount, request.reason,
                    now_seconds());
    transaction.commit();
    log.info("refund ", id, " of ", format_amount(request.amount, request.currency),
             " from charge ", request.charge_id);
    co_return ProviderRefund{RefundStatus::succeeded, id, "refunded"};
}

std::size_t DevProvider::count_refunds(const std::string& charge_id) {
    auto row = db_->db.prepare("SELECT COUNT(*) FROM dev_refunds WHERE charge_id = ?1");
    row.bind_all(charge_id);
    row.step();
    return static_cast<std::size_t>(row.int64(0));
}

void DevProvider::add_routes(http::Router& router) {
    auto handler = [this](const http::Request& request) { return handle(request); };
    for (const auto method : {http::Method::get, http::Method::head, http::Method::post}) {
        router.add_prefix(method, std::string(checkout_prefix), handler);
    }
}

boost::asio::awaitable<http::Response> DevProvider::handle(const http::Request& request) {
    platform::Logger log("dev-provider");
    const std::string id(http::path_of(request).substr(checkout_prefix.size()));
    const auto checkout = db_->find("id", id);
    if (!checkout) {
        co_return message(request, http::Status::not_found, "No such checkout.");
    }
    if (request.method() != http::Method::post) {
        if (checkout->state != "open") {
            co_return redirect(request, checkout->return_path);
        }
        std::string main = "<main class=\"narrow\">\n<h1>Test checkout</h1>\n"
                           "<p class=\"notice\">Encore's development payment provider: no money "
                           "moves and no card is asked for.</p>\n<dl>\n<dt>For</dt><dd>";
        main += platform::http::html_escape(checkout->description);
        main += "</dd>\n<dt>Amount</dt><dd class=\"amount\">";
        main += platform::http::html_escape(format_amount(checkout->amount, checkout->currency));
        main += "</dd>\n</dl>\n";
        for (const auto& [action, label] :
             {std::pair<std::string, std::string>{"pay", "Pay"}, {"decline", "Decline"}}) {
            main += "<form method=\"post\" action=\"" +
                    platform::http::html_escape(std::string(checkout_prefix) + id) +
                    "\">\n<input type=\"hidden\" name=\"form\" value=\"" +
                    platform::http::html_escape(checkout->form_token) +
                    "\">\n<input type=\"hidden\" name=\"action\" value=\"" + action +
                    "\">\n<button type=\"submit\" class=\"" + action + "\">" + label +
                    "</button>\n</form>\n";
        }
        main += "</main>\n";
        co_return page(request, http::Status::ok, main);
    }
    const std::string_view body = request.body();
    const auto token = form_field(body, "form");
    const auto action = form_field(body, "action");
    if (!token || !platform::crypto::constant_time_equal(*token, checkout->form_token)) {
        co_return message(request, http::Status::forbidden, "This form has expired.");
    }
    if (!action || (*action != "pay" && *action != "decline")) {
        co_return message(request, http::Status::bad_request, "Pay or decline.");
    }
    if (!webhook_target_) {
        co_return message(request, http::Status::service_unavailable, "No hub to notify.");
    }
    // Claimed before the webhook goes out: a second press (another tab, a double click)
    // finds it taken instead of paying twice.
    auto claim = db_->db.prepare("UPDATE dev_checkouts SET state = 'sending' WHERE id = ?1 AND "
                                 "state = 'open' RETURNING id");
    claim.bind_all(checkout->id);
    const bool claimed = claim.step();
    claim.reset();
    if (!claimed) {
        co_return redirect(request, checkout->return_path);
    }
    PaymentEvent event;
    event.id = "evt_dev_" + platform::crypto::random_token(16);
    event.checkout_id = checkout->id;
    if (*action == "pay") {
        event.type = "checkout.completed";
        event.charge_id = "ch_dev_" + platform::crypto::random_token(16);
        event.amount = checkout->amount;
        event.currency = checkout->currency;
        // The money is taken before the shop hears of it, as with a real provider; the
        // shop may ask for it back (a refund) while it answers the webhook.
        db_->db.execute("INSERT INTO dev_charges (charge_id, checkout_id, amount, currency, "
                        "created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                        event.charge_id, checkout->id, event.amount, event.currency, now_seconds());
    } else {
        event.type = "checkout.declined";
    }
    const auto payload = payment_event_json(event);
    const auto signature = sign_webhook(secret_, now_seconds(), payload);
    const auto target = *webhook_target_;
    // Sent over HTTP to the hub's own listener, so the production webhook path verifies
    // and applies it; the blocking client runs on the worker while this loop answers it.
    auto send = [target, payload, signature] {
        try {
            return http::request(target, "POST", "/webhooks/payment",
                                 {{"Content-Type", "application/json"},
                                  {std::string(signature_header_name), signature}},
                                 payload, std::chrono::seconds(10))
                .status;
        } catch (const std::exception&) {
            return 0;
        }
    };
    // Bound to a local first: GCC 12 mishandles temporaries inside a co_await.
    auto sending = sender_.run(std::move(send), boost::asio::use_awaitable);
    const int status = co_await std::move(sending);
    if (status != 200) {
        log.error("the hub did not accept webhook ", event.id, " (HTTP ", status, ")");
        // Nothing was taken after all: the guest may press again.
        if (!event.charge_id.empty()) {
            db_->db.execute("DELETE FROM dev_charges WHERE charge_id = ?1 AND NOT EXISTS "
                            "(SELECT 1 FROM dev_refunds WHERE charge_id = ?1)",
                            event.charge_id);
        }
        db_->db.execute("UPDATE dev_checkouts SET state = 'open' WHERE id = ?1 AND state = "
                        "'sending'",
                        checkout->id);
        co_return message(request, http::Status::bad_gateway,
                          "The shop did not confirm this payment. Please try again.");
    }
    db_->db.execute("UPDATE dev_checkouts SET state = ?2 WHERE id = ?1", checkout->id,
                    *action == "pay" ? "paid" : "declined");
    log.info("checkout ", checkout->id, " ", *action == "pay" ? "paid" : "declined");
    co_return redirect(request, checkout->return_path);
}

} // namespace encore::hub::settlement
