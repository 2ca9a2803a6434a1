#include "kiosk/ui/ui_server.hpp"

#include "kiosk/ui/assets.hpp"
#include "kiosk/ui/qr_svg.hpp"
#include "kiosk/ui/state_json.hpp"
#include "platform/http/server.hpp"
#include "platform/log/logger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <random>

namespace encore::kiosk::ui {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = platform::http;
namespace websocket = beast::websocket;
using json = nlohmann::json;
using session::ActionError;
using session::ActionResult;
using std::chrono::milliseconds;

namespace {

constexpr std::string_view mjpeg_boundary = "encore-live-frame";
constexpr std::string_view operator_cookie = "encore_operator";
constexpr auto stream_write_timeout = std::chrono::seconds(10);

// Waits for a callback-style operation of the flow; `start` receives the callback.
template <typename Result, typename Start>
asio::awaitable<Result> wait_for(Start start) {
    auto initiation = [start = std::move(start)](auto handler) mutable {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        start([shared](Result result) { std::move (*shared)(std::move(result)); });
    };
    auto waiting = asio::async_initiate<decltype(asio::use_awaitable), void(Result)>(
        std::move(initiation), asio::use_awaitable);
    co_return co_await std::move(waiting);
}

std::string_view host_name(std::string_view host) {
    // "[::1]:8080" -> "[::1]", "localhost:8080" -> "localhost".
    if (host.starts_with('[')) {
        const auto close = host.find(']');
        return close == std::string_view::npos ? host : host.substr(0, close + 1);
    }
    return host.substr(0, host.find(':'));
}

bool plain_host(std::string_view host) {
    return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    });
}

http::Status status_for(ActionError error) {
    switch (error) {
    case ActionError::none:
        return http::Status::ok;
    case ActionError::out_of_range:
        return http::Status::bad_request;
    case ActionError::camera_failed:
        return http::Status::service_unavailable;
    case ActionError::storage_failed:
        return http::Status::internal_server_error;
    case ActionError::wrong_state:
    case ActionError::paused:
    case ActionError::no_retakes_left:
    case ActionError::session_ended:
        return http::Status::conflict;
    }
    return http::Status::conflict;
}

std::optional<json> json_body(const http::Request& request) {
    if (request.body().empty()) {
        return json::object();
    }
    auto body = json::parse(request.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return std::nullopt;
    }
    return body;
}

// An integer member of a request body: nullopt when absent, an error when not an integer.
struct IntegerField {
    std::optional<int> value;
    bool malformed = false;
};

IntegerField integer_field(const json& body, const char* name) {
    const auto found = body.find(name);
    if (found == body.end() || found->is_null()) {
        return {};
    }
    if (!found->is_number_integer()) {
        return {std::nullopt, true};
    }
    const auto number = found->get<long long>();
    if (number < -1000000 || number > 1000000) {
        return {std::nullopt, true};
    }
    return {static_cast<int>(number), false};
}

std::string cookie_value(const http::Request& request, std::string_view name) {
    const std::string_view cookies = request[beast::http::field::cookie];
    std::size_t position = 0;
    while (position < cookies.size()) {
        auto end = cookies.find(';', position);
        if (end == std::string_view::npos) {
            end = cookies.size();
        }
        auto pair = cookies.substr(position, end - position);
        while (!pair.empty() && pair.front() == ' ') {
            pair.remove_prefix(1);
        }
        if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') {
            return std::string(pair.substr(name.size() + 1));
        }
        position = end + 1;
    }
    return {};
}

} // namespace

struct UiServer::State : std::enable_shared_from_this<UiServer::State> {
    State(asio::io_context& loop_in, session::GuestFlow& flow_in, session::LiveView& live_in,
          UiOptions options_in)
        : loop(loop_in)
        , flow(flow_in)
        , live_view(live_in)
        , options(std::move(options_in))
        , assets(options.assets_dir)
        , gate(flow_in.event().operator_pin, options.operator_gate)
        , state_changed(loop_in, asio::steady_timer::time_point::max())
        , frame_ready(loop_in, asio::steady_timer::time_point::max())
        , pump_timer(loop_in)
        , jitter(std::random_device{}()) {}

    asio::io_context& loop;
    session::GuestFlow& flow;
    session::LiveView& live_view;
    UiOptions options;
    AssetSource assets;
    OperatorGate gate;
    platform::Logger log{"ui"};
    http::Router router;
    std::unique_ptr<http::Server> server;
    int observer_id = 0;
    bool stopped = false;

    // The latest state push; cancelling `state_changed` (which never expires) wakes
    // every WebSocket writer, which then sends it if it has not yet.
    std::string state_message;
    std::uint64_t state_version = 0;
    asio::steady_timer state_changed;

    // The live view: one pump pulls frames while anybody watches; cancelling
    // `frame_ready` wakes the MJPEG writers. Slow screens skip frames.
    std::shared_ptr<const session::Jpeg> frame;
    std::uint64_t frame_number = 0;
    asio::steady_timer frame_ready;
    asio::steady_timer pump_timer;
    int viewers = 0;
    bool pumping = false;
    std::chrono::steady_clock::time_point last_pull;
    milliseconds backoff{0};
    std::minstd_rand jitter;

    // --- state pushes ---------------------------------------------------------------

    void on_snapshot(const session::Snapshot& snapshot) {
        state_message = json{{"type", "state"}, {"state", state_json(snapshot)}}.dump();
        ++state_version;
        state_changed.cancel();
    }

    // --- checks common to every request ---------------------------------------------

    bool host_allowed(std::string_view host) const {
        const auto name = host_name(host);
        if (!plain_host(host)) {
            return false;
        }
        if (name == "localhost" || name == "127.0.0.1" || name == "[::1]") {
            return true;
        }
        const auto& listen = options.listen.host;
        if (listen == "0.0.0.0" || listen == "::") {
            return true; // listening everywhere on purpose: any name the network uses
        }
        if (name == listen || name == "[" + listen + "]") {
            return true;
        }
        return std::find(options.allowed_hosts.begin(), options.allowed_hosts.end(), name) !=
               options.allowed_hosts.end();
    }

    // A response refusing the request, or nullopt when it may go on. `changes` is for
    // requests that act (POST, WebSocket): they must come from the UI's own origin.
    std::optional<http::Response> refusal(const http::Request& request, bool changes) const {
        if (stopped) {
            return secured(request, http::text_response(request, http::Status::service_unavailable,
                                                        "the booth is shutting down\n"));
        }
        const std::string_view host = request[beast::http::field::host];
        if (!host_allowed(host)) {
            return secured(request,
                           http::text_response(request, http::Status::forbidden, "unknown host\n"));
        }
        const std::string_view origin = request[beast::http::field::origin];
        if (changes && !origin.empty() && origin != "http://" + std::string(host)) {
            return secured(request, http::text_response(request, http::Status::forbidden,
                                                        "cross-origin request refused\n"));
        }
        return std::nullopt;
    }

    http::Response secured(const http::Request& request, http::Response response) const {
        std::string_view host = request[beast::http::field::host];
        if (!plain_host(host)) {
            host = "127.0.0.1";
        }
        response.set("Content-Security-Policy",
                     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
                     "data:; connect-src 'self' ws://" +
                         std::string(host) +
                         "; font-src 'self'; base-uri 'none'; form-action 'none'; "
                         "frame-ancestors 'none'");
        response.set("X-Frame-Options", "DENY");
        response.set("Cross-Origin-Resource-Policy", "same-origin");
        return response;
    }

    http::Response reply(const http::Request& request, http::Status status,
                         const json& body) const {
        return secured(request, http::json_response(request, status, body));
    }

    http::Response action_reply(const http::Request& request, const ActionResult& result) const {
        auto body = state_json(result.snapshot);
        if (!result.ok()) {
            body["error"] = session::to_string(result.error);
            body["message"] = result.message;
        }
        return reply(request, status_for(result.error), body);
    }

    http::Response bad_request(const http::Request& request, std::string message) const {
        return reply(request, http::Status::bad_request,
                     {{"error", "bad_request"}, {"message", std::move(message)}});
    }

    // --- guest routes -----------------------------------------------------------------

    asio::awaitable<http::Response> serve_asset(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = refusal(request, false)) {
            co_return std::move(*refused);
        }
        const auto path = http::path_of(request);
        auto content = assets.load(path);
        if (!content) {
            co_return secured(request,
                              http::text_response(request, http::Status::not_found, "not found\n"));
        }
        const auto type = content_type_for(path == "/" ? std::string_view("/index.html") : path);
        co_return secured(
            request, http::text_response(request, http::Status::ok, std::move(*content), type));
    }

    asio::awaitable<http::Response> get_state(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = refusal(request, false)) {
            co_return std::move(*refused);
        }
        co_return reply(request, http::Status::ok, state_json(flow.snapshot()));
    }

    asio::awaitable<http::Response> get_event(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = refusal(request, false)) {
            co_return std::move(*refused);
        }
        co_return reply(request, http::Status::ok, public_event_json(flow.event()));
    }

    // start, accept, finish: no arguments.
    asio::awaitable<http::Response> simple_action(const http::Request& request,
                                                  ActionResult (session::GuestFlow::*action)()) {
        auto keep = shared_from_this();
        if (auto refused = refusal(request, true)) {
            co_return std::move(*refused);
        }
        if (!json_body(request)) {
            co_return bad_request(request, "the body must be a JSON object (or empty)");
        }
        const auto result = (flow.*action)();
        co_return action_reply(request, result);
    }

    asio::awaitable<http::Response> shoot(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = refusal(request, true)) {
            co_return std::move(*refused);
        }
        auto* flow_pointer = &flow;
        const auto result =
            co_await wait_for<ActionResult>([flow_pointer](session::GuestFlow::ShootDone done) {
                flow_pointer->shoot(std::move(done));
            });
        co_return action_reply(request, result);
    }

    asio::awaitable<http::Response> retake(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = refusal(request, true)) {
            co_return std::move(*refused);
        }
        const auto body = json_body(request);
        const auto shot = body ? integer_field(*body, "shot") : IntegerField{std::nullopt, true};
        if (shot.malformed) {
            co_return bad_request(request, "expected {\"shot\": N} with N from 1 to the number of "
                                           "photos, or no shot to retake them all");
        }
        const auto result = flow.retake(shot.value);
        co_return action_reply(request, result);
    }

    // copies and print: {"copies": N}.
    asio::awaitable<http::Response> copies_action(const http::Request& request,
                                                  ActionResult (session::GuestFlow::*action)(int)) {
        auto keep = shared_from_this();
        if (auto refused = refusal(request, true)) {
            co_return std::move(*refused);
        }
        const auto body = json_body(request);
        const auto copies =
            body ? integer_field(*body, "copies") : IntegerField{std::nullopt, true};
        if (copies.malformed || !copies.value) {
            co_return bad_request(request, "expected {\"copies\": N}");
        }
        const auto result = (flow.*action)(*copies.value);
        co_return action_reply(request, result);
    }

    asio::awaitable<http::Response> photo(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = refusal(request, false)) {
            co_return std::move(*refused);
        }
        const auto number =
            http::path_of(request).substr(std::string_view("/api/session/photos/").size());
        int shot = 0;
        const auto [end, error] =
            std::from_chars(number.data(), number.data() + number.size(), shot);
        if (error != std::errc() || end != number.data() + number.size()) {
            co_return secured(
                request, http::text_response(request, http::Status::not_found, "no such photo\n"));
        }
        auto* flow_pointer = &flow;
        auto thumbnail = co_await wait_for<std::optional<session::Jpeg>>(
            [flow_pointer, shot](session::GuestFlow::ThumbnailDone done) {
                flow_pointer->thumbnail(shot, std::move(done));
            });
        if (!thumbnail) {
            co_return secured(
                request, http::text_response(request, http::Status::not_found, "no such photo\n"));
        }
        std::string bytes(reinterpret_cast<const char*>(thumbnail->data()), thumbnail->size());
        co_return secured(request, http::text_response(request, http::Status::ok, std::move(bytes),
                                                       "image/jpeg"));
    }

    asio::awaitable<http::Response> qr_code(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = refusal(request, false)) {
            co_return std::move(*refused);
        }
        const auto& order = flow.snapshot().order;
        auto svg = order ? qr_svg(order->url) : std::nullopt;
        if (!svg) {
            co_return secured(
                request, http::text_response(request, http::Status::not_found, "no order yet\n"));
        }
        co_return secured(request, http::text_response(request, http::Status::ok, std::move(*svg),
                                                       "image/svg+xml"));
    }

    // --- operator routes ----------------------------------------------------------------

    std::string operator_token(const http::Request& request) const {
        const std::string_view header = request["X-Operator-Token"];
        if (!header.empty()) {
            return std::string(header);
        }
        return cookie_value(request, operator_cookie);
    }

    std::optional<http::Response> operator_refusal(const http::Request& request, bool changes) {
        if (auto refused = refusal(request, changes)) {
            return refused;
        }
        if (!gate.authorised(operator_token(request))) {
            return reply(request, http::Status::unauthorized,
                         {{"error", "operator_login_required"},
                          {"message", "log in with the operator PIN first"}});
        }
        return std::nullopt;
    }

    asio::awaitable<http::Response> operator_login(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = refusal(request, true)) {
            co_return std::move(*refused);
        }
        const auto body = json_body(request);
        if (!body || !body->contains("pin") || !(*body)["pin"].is_string()) {
            co_return bad_request(request, "expected {\"pin\": \"1234\"}");
        }
        const auto login = gate.login((*body)["pin"].get<std::string>());
        switch (login.verdict) {
        case OperatorGate::Verdict::granted: {
            log.info("operator logged in");
            const auto idle = gate.options().session_idle.count();
            auto response =
                reply(request, http::Status::ok, {{"token", login.token}, {"expires_in", idle}});
            response.set(beast::http::field::set_cookie,
                         std::string(operator_cookie) + "=" + login.token +
                             "; Path=/api/operator; HttpOnly; SameSite=Strict; Max-Age=" +
                             std::to_string(idle));
            co_return response;
        }
        case OperatorGate::Verdict::wrong_pin:
            log.warning("operator login with a wrong PIN");
            co_return reply(request, http::Status::unauthorized,
                            {{"error", "wrong_pin"}, {"message", "wrong PIN"}});
        case OperatorGate::Verdict::locked_out:
            break;
        }
        log.warning("operator login refused: too many wrong PINs, locked for ",
                    login.retry_after.count(), " s");
        auto response = reply(request, http::Status::too_many_requests,
                              {{"error", "locked_out"},
                               {"message", "too many wrong PINs; try again later"},
                               {"retry_after", login.retry_after.count()}});
        response.set(beast::http::field::retry_after, std::to_string(login.retry_after.count()));
        co_return response;
    }

    asio::awaitable<http::Response> operator_logout(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = refusal(request, true)) {
            co_return std::move(*refused);
        }
        gate.logout(operator_token(request));
        auto response = reply(request, http::Status::ok, {{"ok", true}});
        response.set(beast::http::field::set_cookie,
                     std::string(operator_cookie) +
                         "=; Path=/api/operator; HttpOnly; SameSite=Strict; Max-Age=0");
        co_return response;
    }

    json operator_status() const {
        auto status = operator_status_json(flow);
        status["booth"] = options.booth_info ? options.booth_info() : json::object();
        return status;
    }

    // For monitoring on the board: the booth's facts (hub link, backlog), no guest data.
    asio::awaitable<http::Response> get_health(const http::Request& request) {
        auto keep = shared_from_this();
        json health = {{"service", "kioskd"}, {"status", "ok"}};
        if (options.booth_info) {
            health.update(options.booth_info());
        }
        co_return reply(request, http::Status::ok, health);
    }

    asio::awaitable<http::Response> get_operator_status(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = operator_refusal(request, false)) {
            co_return std::move(*refused);
        }
        co_return reply(request, http::Status::ok, operator_status());
    }

    asio::awaitable<http::Response> get_operator_event(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = operator_refusal(request, false)) {
            co_return std::move(*refused);
        }
        co_return reply(request, http::Status::ok, session::describe_event(flow.event()));
    }

    asio::awaitable<http::Response> pause_or_resume(const http::Request& request, bool pause) {
        auto keep = shared_from_this();
        if (auto refused = operator_refusal(request, true)) {
            co_return std::move(*refused);
        }
        if (pause) {
            flow.pause();
        } else {
            flow.resume();
        }
        co_return reply(request, http::Status::ok, operator_status());
    }

    asio::awaitable<http::Response> resume_printer(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = operator_refusal(request, true)) {
            co_return std::move(*refused);
        }
        auto* flow_pointer = &flow;
        const auto resumed = co_await wait_for<session::DeviceResult<void>>(
            [flow_pointer](session::GuestFlow::ResumeDone done) {
                flow_pointer->resume_printer(std::move(done));
            });
        if (stopped) {
            co_return http::text_response(request, http::Status::service_unavailable,
                                          "the booth is shutting down\n");
        }
        auto status = operator_status();
        if (!resumed) {
            status["error"] = "printer_failed";
            status["message"] = resumed.error().message;
            co_return reply(request, http::Status::service_unavailable, status);
        }
        co_return reply(request, http::Status::ok, status);
    }

    asio::awaitable<http::Response> get_pickups(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = operator_refusal(request, false)) {
            co_return std::move(*refused);
        }
        co_return reply(request, http::Status::ok,
                        {{"pickups", options.pickups ? options.pickups() : json::array()}});
    }

    // {"reorder": ID}: the operator handed a ready venue print to its guest.
    asio::awaitable<http::Response> picked_up(const http::Request& request) {
        auto keep = shared_from_this();
        if (auto refused = operator_refusal(request, true)) {
            co_return std::move(*refused);
        }
        const auto body = json_body(request);
        if (!body || !body->contains("reorder") || !(*body)["reorder"].is_string()) {
            co_return bad_request(request, "expected {\"reorder\": ID}");
        }
        const auto problem = options.mark_picked_up
                                 ? options.mark_picked_up((*body)["reorder"].get<std::string>())
                                 : std::string("this booth takes no venue prints");
        if (!problem.empty()) {
            co_return reply(request, http::Status::conflict,
                            {{"error", "not_picked_up"}, {"message", problem}});
        }
        co_return reply(request, http::Status::ok,
                        {{"pickups", options.pickups ? options.pickups() : json::array()}});
    }

    // --- streams --------------------------------------------------------------------

    // Takes `response` by reference: a by-value class parameter would be a temporary
    // living across the co_await in the caller, which GCC 12 destroys twice.
    static asio::awaitable<void> write_and_close(beast::tcp_stream& stream,
                                                 http::Response& response) {
        response.keep_alive(false);
        stream.expires_after(stream_write_timeout);
        co_await beast::http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
        beast::error_code ignored;
        stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    }

    // Reads until the screen goes away (for a stream that only writes), then wakes the
    // writer with `closed` set.
    static asio::awaitable<void> watch_for_close(std::shared_ptr<beast::tcp_stream> stream,
                                                 std::shared_ptr<bool> closed,
                                                 std::shared_ptr<State> self) {
        std::array<char, 512> ignored{};
        for (;;) {
            // The socket itself, not the tcp_stream: its timeout is for the writes.
            auto [error, size] = co_await stream->socket().async_read_some(
                asio::buffer(ignored), asio::as_tuple(asio::use_awaitable));
            if (error) {
                break;
            }
        }
        *closed = true;
        self->frame_ready.cancel();
    }

    asio::awaitable<void> serve_live_view(const http::Request& request,
                                          beast::tcp_stream& connection, beast::flat_buffer&) {
        auto self = shared_from_this();
        if (auto refused = refusal(request, false)) {
            co_await write_and_close(connection, *refused);
            co_return;
        }
        auto stream = std::make_shared<beast::tcp_stream>(std::move(connection));
        const std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=" +
            std::string(mjpeg_boundary) +
            "\r\nCache-Control: no-store\r\nPragma: no-cache\r\nX-Content-Type-Options: "
            "nosniff\r\nCross-Origin-Resource-Policy: same-origin\r\nConnection: close\r\n\r\n";
        stream->expires_after(stream_write_timeout);
        auto [head_error, head_size] = co_await asio::async_write(
            *stream, asio::buffer(head), asio::as_tuple(asio::use_awaitable));
        if (head_error) {
            co_return;
        }
        auto closed = std::make_shared<bool>(false);
        asio::co_spawn(loop, watch_for_close(stream, closed, self), asio::detached);
        ++viewers;
        struct Viewer {
            State& state;
            ~Viewer() { --state.viewers; }
        } viewer{*this};
        start_pump();

        // Only frames pulled from now on: an old frame would show a moment long gone.
        std::uint64_t sent = frame_number;
        const std::string crlf = "\r\n";
        while (!stopped && !*closed) {
            if (frame && frame_number != sent) {
                sent = frame_number;
                const auto current = frame;
                const std::string part_head = "--" + std::string(mjpeg_boundary) +
                                              "\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                                              std::to_string(current->size()) + "\r\n\r\n";
                const std::array<asio::const_buffer, 3> part{
                    asio::buffer(part_head), asio::buffer(*current), asio::buffer(crlf)};
                stream->expires_after(stream_write_timeout);
                auto [error, size] =
                    co_await asio::async_write(*stream, part, asio::as_tuple(asio::use_awaitable));
                if (error) {
                    break;
                }
                continue;
            }
            co_await frame_ready.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        beast::error_code ignored;
        stream->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        stream->socket().close(ignored);
    }

    void start_pump() {
        if (pumping || stopped || viewers == 0) {
            return;
        }
        pumping = true;
        pull_frame();
    }

    void pull_frame() {
        if (stopped || viewers == 0) {
            pumping = false;
            return;
        }
        last_pull = std::chrono::steady_clock::now();
        live_view.next_frame(
            [weak = weak_from_this()](session::DeviceResult<session::Jpeg> result) {
                if (auto self = weak.lock(); self && !self->stopped) {
                    self->on_frame(std::move(result));
                }
            });
    }

    void on_frame(session::DeviceResult<session::Jpeg> result) {
        milliseconds delay{0};
        if (result) {
            frame = std::make_shared<const session::Jpeg>(std::move(*result));
            ++frame_number;
            backoff = milliseconds(0);
            frame_ready.cancel();
            const auto interval = milliseconds(1000 / std::max(1, options.live_view_max_fps));
            const auto spent = std::chrono::duration_cast<milliseconds>(
                std::chrono::steady_clock::now() - last_pull);
            delay = std::max(milliseconds(0), interval - spent);
        } else {
            if (backoff == milliseconds(0)) {
                log.warning("live view: ", result.error().message);
            }
            // Back off with jitter and a cap while the camera cannot give frames.
            backoff = std::min(backoff == milliseconds(0) ? milliseconds(250) : backoff * 2,
                               milliseconds(5000));
            delay =
                backoff / 2 +
                milliseconds(std::uniform_int_distribution<long>(0, backoff.count() / 2)(jitter));
        }
        pump_timer.expires_after(delay);
        pump_timer.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
            auto self = weak.lock();
            if (!self) {
                return;
            }
            if (error || self->stopped) {
                self->pumping = false;
                return;
            }
            self->pull_frame();
        });
    }

    static asio::awaitable<void>
    drain_websocket(std::shared_ptr<websocket::stream<beast::tcp_stream>> socket,
                    std::shared_ptr<bool> closed, std::shared_ptr<State> self) {
        // The screen sends nothing the server needs; reading keeps pings and the closing
        // handshake going and notices a screen that went away.
        for (;;) {
            beast::flat_buffer ignored;
            auto [error, size] =
                co_await socket->async_read(ignored, asio::as_tuple(asio::use_awaitable));
            if (error) {
                break;
            }
        }
        *closed = true;
        self->state_changed.cancel();
    }

    asio::awaitable<void> serve_websocket(const http::Request& request,
                                          beast::tcp_stream& connection, beast::flat_buffer&) {
        auto self = shared_from_this();
        if (auto refused = refusal(request, true)) {
            co_await write_and_close(connection, *refused);
            co_return;
        }
        if (!websocket::is_upgrade(request)) {
            auto response = secured(request, http::text_response(request, http::Status::bad_request,
                                                                 "expected a WebSocket upgrade\n"));
            co_await write_and_close(connection, response);
            co_return;
        }
        auto socket = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(connection));
        socket->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        socket->read_message_max(4096);
        auto [accept_error] =
            co_await socket->async_accept(request, asio::as_tuple(asio::use_awaitable));
        if (accept_error) {
            co_return;
        }
        auto closed = std::make_shared<bool>(false);
        asio::co_spawn(loop, drain_websocket(socket, closed, self), asio::detached);
        socket->text(true);
        std::uint64_t sent = 0;
        while (!stopped && !*closed) {
            if (sent != state_version) {
                sent = state_version;
                // A copy: the next change may replace the message while this one is sent.
                const std::string message = state_message;
                auto [error, size] = co_await socket->async_write(
                    asio::buffer(message), asio::as_tuple(asio::use_awaitable));
                if (error) {
                    co_return;
                }
                continue;
            }
            co_await state_changed.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        if (!*closed) {
            co_await socket->async_close(websocket::close_code::going_away,
                                         asio::as_tuple(asio::use_awaitable));
        }
    }

    // --- wiring -------------------------------------------------------------------------

    void add_routes() {
        using http::Method;
        router.add_prefix(Method::get, "/",
                          [this](const http::Request& request) { return serve_asset(request); });
        router.add(Method::get, "/healthz",
                   [this](const http::Request& request) { return get_health(request); });
        router.add(Method::get, "/api/state",
                   [this](const http::Request& request) { return get_state(request); });
        router.add(Method::get, "/api/event",
                   [this](const http::Request& request) { return get_event(request); });
        router.add(Method::post, "/api/session/start", [this](const http::Request& request) {
            return simple_action(request, &session::GuestFlow::start);
        });
        router.add(Method::post, "/api/session/shoot",
                   [this](const http::Request& request) { return shoot(request); });
        router.add(Method::post, "/api/session/retake",
                   [this](const http::Request& request) { return retake(request); });
        router.add(Method::post, "/api/session/accept", [this](const http::Request& request) {
            return simple_action(request, &session::GuestFlow::accept);
        });
        router.add(Method::post, "/api/session/copies", [this](const http::Request& request) {
            return copies_action(request, &session::GuestFlow::choose_copies);
        });
        router.add(Method::post, "/api/session/print", [this](const http::Request& request) {
            return copies_action(request, &session::GuestFlow::print);
        });
        router.add(Method::post, "/api/session/finish", [this](const http::Request& request) {
            return simple_action(request, &session::GuestFlow::finish);
        });
        router.add_prefix(Method::get, "/api/session/photos/",
                          [this](const http::Request& request) { return photo(request); });
        router.add(Method::get, "/api/session/qr.svg",
                   [this](const http::Request& request) { return qr_code(request); });

        router.add(Method::post, "/api/operator/login",
                   [this](const http::Request& request) { return operator_login(request); });
        router.add(Method::post, "/api/operator/logout",
                   [this](const http::Request& request) { return operator_logout(request); });
        router.add(Method::get, "/api/operator/status",
                   [this](const http::Request& request) { return get_operator_status(request); });
        router.add(Method::get, "/api/operator/event",
                   [this](const http::Request& request) { return get_operator_event(request); });
        router.add(Method::post, "/api/operator/pause",
                   [this](const http::Request& request) { return pause_or_resume(request, true); });
        router.add(Method::post, "/api/operator/resume", [this](const http::Request& request) {
            return pause_or_resume(request, false);
        });
        router.add(Method::post, "/api/operator/printer/resume",
                   [this](const http::Request& request) { return resume_printer(request); });

        router.add(Method::get, "/api/operator/pickups",
                   [this](const http::Request& request) { return get_pickups(request); });
        router.add(Method::post, "/api/operator/pickups/picked-up",
                   [this](const http::Request& request) { return picked_up(request); });
        router.add_stream(Method::get, "/live.mjpeg",
                          [this](const http::Request& request, beast::tcp_stream& stream,
                                 beast::flat_buffer& buffer) {
                              return serve_live_view(request, stream, buffer);
                          });
        router.add_stream(Method::get, "/ws",
                          [this](const http::Request& request, beast::tcp_stream& stream,
                                 beast::flat_buffer& buffer) {
                              return serve_websocket(request, stream, buffer);
                          });
    }
};

UiServer::UiServer(asio::io_context& loop, session::GuestFlow& flow, session::LiveView& live_view,
                   UiOptions options)
    : state_(std::make_shared<State>(loop, flow, live_view, std::move(options))) {
    auto& state = *state_;
    state.add_routes();
    state.on_snapshot(flow.snapshot());
    state.server = std::make_unique<http::Server>(loop, state.options.listen, state.router, "ui");
    state.observer_id =
        flow.add_observer([weak = std::weak_ptr<State>(state_)](const session::Snapshot& snapshot) {
            if (auto self = weak.lock()) {
                self->on_snapshot(snapshot);
            }
        });
    state.log.info("touchscreen UI on http://", state.server->local_endpoint().to_string(), "/ (",
                   state.assets.embedded() ? "built-in assets"
                                           : "assets from " + state.options.assets_dir.string(),
                   ")");
}

UiServer::~UiServer() {
    stop();
}

platform::Endpoint UiServer::local_endpoint() const {
    return state_->server->local_endpoint();
}

void UiServer::stop() {
    auto& state = *state_;
    if (state.stopped) {
        return;
    }
    state.stopped = true;
    state.flow.remove_observer(state.observer_id);
    state.server->stop();
    state.pump_timer.cancel();
    state.state_changed.cancel();
    state.frame_ready.cancel();
}

} // namespace encore::kiosk::ui
