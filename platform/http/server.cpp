#include "platform/http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <exception>
#include <string>
#include <tuple>

namespace encore::platform::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct Server::State {
    State(asio::io_context& loop, const Router& router_in, std::string name_in,
          ServerLimits limits_in)
        : acceptor(loop)
        , router(router_in)
        , log(std::move(name_in))
        , limits(limits_in) {}

    tcp::acceptor acceptor;
    const Router& router;
    Logger log;
    ServerLimits limits;
    std::size_t connections = 0;
    bool stopped = false;
};

namespace {

// The status line and header fields of `response` as they go on the wire.
std::string wire_header(const Response& response) {
    std::string head;
    head.reserve(512);
    head += response.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head += std::to_string(response.result_int());
    head += ' ';
    head += response.reason();
    head += "\r\n";
    for (const auto& field : response) {
        head += field.name_string();
        head += ": ";
        head += field.value();
        head += "\r\n";
    }
    head += "\r\n";
    return head;
}

// Sends `response` in one gather write: its header as one buffer, its body as the
// other. Beast's serializer walks the header field by field on every write, which
// cost a tenth of the guest pages' time; a chunked response still goes through it.
asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>
write_response(beast::tcp_stream& stream, Response& response) {
    if (response.chunked()) {
        co_return co_await beast::http::async_write(stream, response,
                                                    asio::as_tuple(asio::use_awaitable));
    }
    const auto head = wire_header(response);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head),
                                                    asio::buffer(response.body())};
    co_return co_await asio::async_write(stream, buffers, asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> serve_connection(std::shared_ptr<Server::State> state, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    ++state->connections;
    struct Release {
        Server::State& state;
        ~Release() { --state.connections; }
    } release{*state};

    while (!state->stopped) {
        beast::http::request_parser<beast::http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(state->limits.max_header_bytes));
        parser.body_limit(state->limits.max_body_bytes);
        stream.expires_after(state->limits.request_timeout);
        auto [read_error, read_bytes] = co_await beast::http::async_read(
            stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (read_error) {
            if (read_error == beast::http::error::body_limit) {
                Request request;
                auto response =
                    text_response(request, Status::payload_too_large, "request too large\n");
                response.keep_alive(false);
                stream.expires_after(std::chrono::seconds(5));
                co_await beast::http::async_write(stream, response,
                                                  asio::as_tuple(asio::use_awaitable));
            } else if (read_error != beast::http::error::end_of_stream &&
                       read_error != beast::error::timeout && read_error != asio::error::eof) {
                state->log.debug("closing a connection after a bad request: ",
                                 read_error.message());
            }
            break;
        }
        Request request = parser.release();
        if (const auto* take_over = state->router.find_stream(request)) {
            stream.expires_never();
            try {
                co_await (*take_over)(request, stream, buffer);
            } catch (const std::exception& error) {
                // One broken stream must not take the daemon down with it.
                state->log.warning("a streaming handler failed: ", error.what());
            }
            co_return;
        }
        Response response = co_await state->router.route(request);
        stream.expires_after(state->limits.request_timeout);
        auto [write_error, written] = co_await write_response(stream, response);
        if (write_error || !response.keep_alive()) {
            break;
        }
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<Server::State> state) {
    while (!state->stopped) {
        auto [error, socket] =
            co_await state->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (error) {
            if (error == asio::error::operation_aborted || state->stopped) {
                break;
            }
            // Out of file descriptors and the like: log, pause briefly, keep serving.
            state->log.warning("accept failed: ", error.message());
            asio::steady_timer pause(state->acceptor.get_executor(),
                                     std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        if (state->connections >= state->limits.max_connections) {
            continue; // The socket closes as it goes out of scope.
        }
        asio::co_spawn(state->acceptor.get_executor(), serve_connection(state, std::move(socket)),
                       asio::detached);
    }
}

} // namespace

Server::Server(asio::io_context& loop, const Endpoint& endpoint, const Router& router,
               std::string name, ServerLimits limits)
    : state_(std::make_shared<State>(loop, router, std::move(name), limits)) {
    boost::system::error_code error;
    const auto address =
        asio::ip::make_address(endpoint.host == "localhost" ? "127.0.0.1" : endpoint.host, error);
    if (error) {
        throw std::system_error(EINVAL, std::generic_category(),
                                "cannot listen on " + endpoint.to_string() +
                                    ": the host must be an IP address");
    }
    const tcp::endpoint bind_to(address, endpoint.port);
    auto fail = [&](const boost::system::error_code& what) {
        throw std::system_error(what.value(), std::generic_category(),
                                "cannot listen on " + endpoint.to_string());
    };
    state_->acceptor.open(bind_to.protocol(), error);
    if (error) {
        fail(error);
    }
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true), error);
    state_->acceptor.bind(bind_to, error);
    if (error) {
        fail(error);
    }
    state_->acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
        fail(error);
    }
    asio::co_spawn(loop, accept_loop(state_), asio::detached);
}

Server::~Server() {
    stop();
}

Endpoint Server::local_endpoint() const {
    boost::system::error_code error;
    const auto bound = state_->acceptor.local_endpoint(error);
    return Endpoint{bound.address().to_string(), bound.port()};
}

void Server::stop() {
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
}

} // namespace encore::platform::http
