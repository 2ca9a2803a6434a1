#pragma once

#include "hub/settlement/settlement.hpp"
#include "hub/store/image_store.hpp"
#include "hub/store/order_repository.hpp"
#include "hub/web/order_cache.hpp"
#include "hub/web/photo_previews.hpp"
#include "hub/web/rate_limiter.hpp"
#include "hub/web/session_store.hpp"
#include "hub/web/strings.hpp"
#include "platform/http/router.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace encore::hub::web {

struct GuestWebSettings {
    // DATA: guest_sessions.db and previews/ live here.
    std::filesystem::path data_dir;
    // Failed short-code lookups allowed per client address and over all clients.
    MissLimits code_lookups;
    // Addresses of reverse proxies in front of the public listener whose
    // X-Forwarded-For names the client (see client_address). Empty: the TCP peer is
    // the client.
    std::vector<std::string> trusted_proxies;
    // How long a browser keeps an order open after its QR link or code was used.
    std::chrono::seconds session_lifetime = std::chrono::hours(24 * 30);
    // Bytes of preview JPEGs kept in memory (config public.preview_cache_mb); 0 reads
    // each from its file under previews/.
    std::size_t preview_memory = default_preview_memory;
};

// The language and extra headers of one guest request (guest_web.cpp).
struct RequestContext;
// What a guest typed into the checkout form, and what was wrong with it (guest_web.cpp).
struct CheckoutForm;

// The Content-Security-Policy of every guest response: no inline script or style, no
// third-party anything, never framed, forms post only here.
inline constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'";

// The guests' pages on the public listener (docs/guest-web.md): open an order by its QR
// link (GET /o/<token>) or short code (POST /find, rate limited), see its photos
// (GET /order), and with `settlement` reorder prints: a cart tied to the session,
// address or pickup, checkout on the provider's hosted page, a status page per reorder
// (docs/guest-web.md). The QR token is swapped at once for an opaque session cookie and never
// appears in a URL again. Every response carries the CSP above, Referrer-Policy
// no-referrer and X-Content-Type-Options nosniff; every form a CSRF token. Runs on the
// hub's event loop; previews are made on a worker thread of its own.
class GuestWeb {
public:
    // Throws std::invalid_argument when a trusted proxy is not an IP address. Without
    // `settlement` the order page shows photos only.
    GuestWeb(boost::asio::any_io_executor loop, GuestWebSettings settings, OrderRepository& orders,
             const ImageStore& images, settlement::Settlement* settlement = nullptr);
    ~GuestWeb();
    GuestWeb(const GuestWeb&) = delete;
    GuestWeb& operator=(const GuestWeb&) = delete;

    // Takes over every path of `router` that has no exact route of its own (so the
    // public listener answers unknown paths, /api/ included, with the guest 404 page),
    // and POST /find as a stream route, which knows the client's address. The Router
    // lets the last matching prefix route win, so components with prefix routes of their
    // own on the same listener add them after this call.
    void add_routes(platform::http::Router& router);

    // POST /find from a client counted under `client` (rate_limit_key of its address).
    platform::http::Response find_by_code(const platform::http::Request& request,
                                          std::string_view client,
                                          MissRateLimiter::Clock::time_point now);
    // Every other guest request.
    boost::asio::awaitable<platform::http::Response> handle(const platform::http::Request& request);

private:
    boost::asio::awaitable<platform::http::Response>
    dispatch(const platform::http::Request& request, RequestContext& context);
    platform::http::Response landing(const platform::http::Request& request,
                                     RequestContext& context);
    platform::http::Response open_by_token(const platform::http::Request& request,
                                           RequestContext& context);
    platform::http::Response order_page(const platform::http::Request& request,
                                        RequestContext& context,
                                        platform::http::Status status = platform::http::Status::ok,
                                        const CheckoutForm* form = nullptr);
    platform::http::Response change_cart(const platform::http::Request& request,
                                         RequestContext& context);
    boost::asio::awaitable<platform::http::Response>
    checkout(const platform::http::Request& request, RequestContext& context);
    platform::http::Response reorder_page(const platform::http::Request& request,
                                          RequestContext& context);
    boost::asio::awaitable<platform::http::Response>
    pay_reorder(const platform::http::Request& request, RequestContext& context);
    // Sends the guest to the provider's hosted page for an unpaid reorder.
    boost::asio::awaitable<platform::http::Response>
    send_to_checkout(const platform::http::Request& request, RequestContext& context,
                     const settlement::Reorder& reorder, const StoredOrder& order);
    // The header and the photos of the order page.
    std::string gallery(const StoredOrder& order, Language language);
    boost::asio::awaitable<platform::http::Response> photo(const platform::http::Request& request,
                                                           RequestContext& context);
    platform::http::Response forget(const platform::http::Request& request,
                                    RequestContext& context);

    GuestWebSettings settings_;
    OrderRepository& orders_;
    std::vector<boost::asio::ip::address> trusted_proxies_;
    SessionStore sessions_;
    // The gallery and the photos read orders through it; the reorder forms ask the
    // repository.
    OrderCache guest_orders_;
    MissRateLimiter limiter_;
    PhotoPreviews previews_;
    // gallery()'s HTML of complete orders by "<order id>/<language>", up to 4 MiB.
    LruCache<std::string, std::string> gallery_html_{4 * 1024 * 1024};
    // Each order's reorders as the ledger listed them, with the ledger's content version
    // then: read again once the ledger has changed. Up to 1,000 orders.
    struct ListedReorders {
        std::uint64_t ledger_version = 0;
        std::vector<settlement::Reorder> reorders;
    };
    const std::vector<settlement::Reorder>& reorders_of(const std::string& order_id);
    // The order page as a session last saw it, by "<session id>/<language>", with the
    // versions of the ledger and of the session's cart it was drawn from: served again
    // while both are unchanged. Up to 8 MiB.
    struct SessionPage {
        std::uint64_t ledger_version = 0;
        std::uint64_t cart_version = 0;
        std::string html;
    };
    LruCache<std::string, SessionPage> session_pages_{8 * 1024 * 1024};
    LruCache<std::string, ListedReorders> listed_reorders_{1000};
    settlement::Settlement* settlement_;
};

} // namespace encore::hub::web
