#pragma once

// What the guest-site tests share: one HTTP request on a fresh connection, reading a
// page's forms, orders recorded as the intake records them, a guest's steps through
// the pages, and the hub's public side wired as hubd wires it.

#include "hub/settlement/dev_provider.hpp"
#include "hub/settlement/ledger.hpp"
#include "hub/settlement/settlement.hpp"
#include "hub/store/image_store.hpp"
#include "hub/store/order_repository.hpp"
#include "hub/web/guest_web.hpp"
#include "platform/http/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace encore::testing::guest_site {

using Reply = boost::beast::http::response<boost::beast::http::string_body>;
using Headers = std::vector<std::pair<std::string, std::string>>;

struct FetchOptions {
    std::string content_type = "application/x-www-form-urlencoded";
    // Any address of 127.0.0.0/8 is the loopback on Linux, so a test can play many
    // clients.
    std::string source = "127.0.0.1";
};

// One request to 127.0.0.1:`port` on a fresh connection; the whole answer (none for the
// body of a HEAD).
Reply fetch(unsigned short port, boost::beast::http::verb method, const std::string& target,
            const Headers& headers = {}, const std::string& body = {},
            const FetchOptions& options = {});

// A Cookie header with `cookie` ("name=value"), or none when it is empty.
Headers with_cookie(const std::string& cookie);

bool contains(const std::string& text, const std::string& part);

// The first capture of `pattern` in `text`; fails the test when there is none.
std::string capture(const std::string& text, const std::string& pattern);

// The value of hidden field `name` of the form posting to `action`.
std::string form_value(const std::string& page, const std::string& action, const std::string& name);

struct SeededOrder {
    std::string order_id;
    std::string token;
    std::vector<std::string> photos; // SHA-256 hex, in order
};

// Records an order of `event` with `photo_count` small photos (each its own shade,
// from `shade` on) as the intake records them from booth-1.
SeededOrder seed_order(hub::ImageStore& images, hub::OrderRepository& orders,
                       const std::string& event, int photo_count, std::uint8_t shade);

// What a guest does on the public pages of a hub listening on `port`.
class Guest {
public:
    explicit Guest(unsigned short port)
        : port_(port) {}

    Reply get(const std::string& target, const std::string& cookie = {}) const;
    Reply post(const std::string& target, const std::string& body, const std::string& cookie) const;
    // Opens the order with its QR link: the session cookie ("name=value").
    std::string open(const SeededOrder& order) const;
    // Adds `quantity` × `product` of the order's first photo to the cart: the reply (303
    // when it was added).
    [[nodiscard]] Reply add_to_cart(const std::string& cookie, const SeededOrder& order,
                                    const std::string& product, int quantity) const;
    // The checkout form's hidden fields as the order page shows them now.
    std::string checkout_fields(const std::string& cookie) const;
    // Checks the cart out with the form as the order page shows it now, `fields` after
    // its hidden ones: the reply.
    Reply check_out(const std::string& cookie, const std::string& fields) const;
    // Presses "Pay" on the dev provider's page at `checkout_path`: the reply.
    Reply pay(const std::string& checkout_path) const;

private:
    unsigned short port_;
};

// The hub's public side as hubd wires it (guest pages, the payment webhook, the dev
// provider's checkout) over the data in `dir`: a second one on the same directory is
// the hub restarted, with other settings.
class PublicHub {
public:
    PublicHub(const std::filesystem::path& dir, hub::settlement::SettlementSettings settings);
    ~PublicHub();
    PublicHub(const PublicHub&) = delete;
    PublicHub& operator=(const PublicHub&) = delete;

    // A one-photo order of `event`.
    SeededOrder seed(const std::string& event, std::uint8_t shade);
    Guest guest() const { return Guest(port_); }
    hub::settlement::Ledger& ledger() { return ledger_; }

private:
    hub::ImageStore images_;
    std::unique_ptr<hub::OrderRepository> orders_;
    boost::asio::io_context loop_;
    hub::settlement::Ledger ledger_;
    hub::settlement::DevProvider provider_;
    hub::settlement::Settlement settlement_;
    platform::http::Router router_;
    std::unique_ptr<hub::web::GuestWeb> web_;
    std::unique_ptr<platform::http::Server> server_;
    unsigned short port_ = 0;
    std::thread thread_;
};

} // namespace encore::testing::guest_site
