#include "platform/http/client.hpp"
#include "platform/http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <thread>

namespace http = encore::platform::http;
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

// Runs a server on its own loop thread for the length of a test.
class ServerFixture {
public:
    explicit ServerFixture(http::ServerLimits limits = {}) {
        router_.add(
            http::Method::get, "/hello",
            [](const http::Request& request) -> asio::awaitable<http::Response> {
                co_return http::json_response(request, http::Status::ok, {{"hello", "guest"}});
            });
        router_.add(http::Method::post, "/echo",
                    [](const http::Request& request) -> asio::awaitable<http::Response> {
                        co_return http::text_response(request, http::Status::ok, request.body());
                    });
        server_ = std::make_unique<http::Server>(loop_, encore::platform::Endpoint{"127.0.0.1", 0},
                                                 router_, "test", limits);
        port_ = server_->local_endpoint().port;
        thread_ = std::thread([this] { loop_.run(); });
    }
    ~ServerFixture() {
        asio::post(loop_, [this] {
            server_->stop();
            loop_.stop();
        });
        thread_.join();
    }

    http::Response request(http::Method method, std::string target, std::string body = {}) {
        asio::io_context client;
        asio::ip::tcp::socket socket(client);
        socket.connect({asio::ip::make_address("127.0.0.1"), port_});
        http::Request request(method, target, 11);
        request.set(beast::http::field::host, "localhost");
        request.body() = std::move(body);
        request.prepare_payload();
        beast::http::write(socket, request);
        beast::flat_buffer buffer;
        http::Response response;
        beast::http::read(socket, buffer, response);
        return response;
    }

    std::uint16_t port() const { return port_; }

private:
    asio::io_context loop_;
    http::Router router_;
    std::unique_ptr<http::Server> server_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

} // namespace

TEST_CASE("a route answers with JSON and the safety headers") {
    ServerFixture server;
    const auto response = server.request(http::Method::get, "/hello?lang=de");
    CHECK(response.result() == http::Status::ok);
    CHECK(nlohmann::json::parse(response.body())["hello"] == "guest");
    CHECK(response["X-Content-Type-Options"] == "nosniff");
    CHECK(response["Referrer-Policy"] == "no-referrer");
    CHECK(response[beast::http::field::content_type] == "application/json");
}

TEST_CASE("unknown paths get 404 and wrong methods 405 with Allow") {
    ServerFixture server;
    CHECK(server.request(http::Method::get, "/nope").result() == http::Status::not_found);
    const auto response = server.request(http::Method::get, "/echo");
    CHECK(response.result() == http::Status::method_not_allowed);
    CHECK(response[beast::http::field::allow] == "POST");
}

TEST_CASE("a body over the limit gets 413 and the server keeps serving") {
    http::ServerLimits limits;
    limits.max_body_bytes = 1024;
    ServerFixture server(limits);
    CHECK(server.request(http::Method::post, "/echo", std::string(4096, 'x')).result() ==
          http::Status::payload_too_large);
    const auto response = server.request(http::Method::post, "/echo", "small");
    CHECK(response.result() == http::Status::ok);
    CHECK(response.body() == "small");
}

TEST_CASE("garbage instead of HTTP closes that connection only") {
    ServerFixture server;
    asio::io_context client;
    asio::ip::tcp::socket socket(client);
    socket.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    asio::write(socket, asio::buffer(std::string("\x01\x02 not http at all\r\n\r\n")));
    std::array<char, 64> reply{};
    boost::system::error_code error;
    socket.read_some(asio::buffer(reply), error);
    CHECK(error == asio::error::eof);
    CHECK(server.request(http::Method::get, "/hello").result() == http::Status::ok);
}

TEST_CASE("responses go on the wire whole, one after another on a kept-alive connection") {
    ServerFixture server;
    asio::io_context client;
    asio::ip::tcp::socket socket(client);
    socket.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    // Two requests at once: an HTTP/1.1 echo, then an HTTP/1.0 request, after which the
    // server closes the connection.
    asio::write(socket, asio::buffer(std::string("POST /echo HTTP/1.1\r\nHost: x\r\n"
                                                 "Content-Length: 5\r\n\r\nhello"
                                                 "GET /nope HTTP/1.0\r\nHost: x\r\n\r\n")));
    std::string received;
    std::array<char, 4096> chunk{};
    boost::system::error_code error;
    while (!error) {
        const auto got = socket.read_some(asio::buffer(chunk), error);
        received.append(chunk.data(), got);
    }
    CHECK(error == asio::error::eof);
    const auto second = received.find("HTTP/1.0 404 Not Found\r\n");
    REQUIRE(second != std::string::npos);
    const auto first = received.substr(0, second);
    CHECK(first.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(first.find("\r\nContent-Length: 5\r\n") != std::string::npos);
    CHECK(first.find("\r\nX-Content-Type-Options: nosniff\r\n") != std::string::npos);
    CHECK(first.ends_with("\r\n\r\nhello"));
    CHECK(received.ends_with("\r\n\r\nnot found\n"));
    CHECK(received.substr(second).find("\r\nContent-Length: 10\r\n") != std::string::npos);
}

TEST_CASE("listening on a port in use is a clear start-up error") {
    asio::io_context loop;
    http::Router router;
    http::Server first(loop, {"127.0.0.1", 0}, router, "first");
    const auto taken = first.local_endpoint();
    CHECK_THROWS_WITH_AS(http::Server(loop, taken, router, "second"),
                         doctest::Contains("cannot listen on 127.0.0.1:"), std::system_error);
}

TEST_CASE("query parameters are found and percent-decoded") {
    http::Request request(http::Method::get, "/api/orders?state=paid%20out&limit=5&empty=&x", 11);
    CHECK(http::query_parameter(request, "state") == "paid out");
    CHECK(http::query_parameter(request, "limit") == "5");
    CHECK(http::query_parameter(request, "empty") == "");
    CHECK(http::query_parameter(request, "x") == "");
    CHECK_FALSE(http::query_parameter(request, "missing"));
    CHECK_FALSE(http::percent_decode("%4"));
    CHECK_FALSE(http::percent_decode("%zz"));
    CHECK(http::percent_decode("a+b%2Fc") == "a b/c");
}

TEST_CASE("prefix routes catch the paths under them, exact routes win") {
    asio::io_context loop;
    http::Router router;
    router.add_prefix(http::Method::get, "/api/photos/",
                      [](const http::Request& request) -> asio::awaitable<http::Response> {
                          co_return http::text_response(
                              request, http::Status::ok,
                              std::string(http::path_of(request).substr(12)));
                      });
    http::Server server(loop, {"127.0.0.1", 0}, router, "test");
    std::thread thread([&] { loop.run(); });
    const auto response =
        http::request(server.local_endpoint(), "GET", "/api/photos/abc123?size=thumb");
    CHECK(response.status == 200);
    CHECK(response.body == "abc123");
    CHECK(http::request(server.local_endpoint(), "GET", "/api/other").status == 404);
    asio::post(loop, [&] {
        server.stop();
        loop.stop();
    });
    thread.join();
}

TEST_CASE("the client names the address it cannot reach") {
    CHECK_THROWS_WITH_AS(http::request({"127.0.0.1", 1}, "GET", "/"),
                         doctest::Contains("cannot reach http://127.0.0.1:1"), std::runtime_error);
    CHECK(http::parse_http_url("http://127.0.0.1:8082/") ==
          encore::platform::Endpoint{"127.0.0.1", 8082});
    CHECK_FALSE(http::parse_http_url("https://hub:443"));
    CHECK_FALSE(http::parse_http_url("http://hub:80/path"));
}

namespace {

// A stream route for the tests below: answers with a hand-written head, then streams
// three parts and closes, the way an MJPEG stream would.
asio::awaitable<void> stream_three_parts(const http::Request&, beast::tcp_stream& stream,
                                         beast::flat_buffer&) {
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                             "Connection: close\r\n\r\n";
    co_await asio::async_write(stream, asio::buffer(head), asio::use_awaitable);
    for (int part = 1; part <= 3; ++part) {
        const std::string text = "part " + std::to_string(part) + "\n";
        co_await asio::async_write(stream, asio::buffer(text), asio::use_awaitable);
    }
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send);
}

// Upgrades to a WebSocket and echoes each message in upper case until the client closes.
asio::awaitable<void> shouting_echo(const http::Request& request, beast::tcp_stream& stream,
                                    beast::flat_buffer&) {
    beast::websocket::stream<beast::tcp_stream> socket(std::move(stream));
    co_await socket.async_accept(request, asio::use_awaitable);
    for (;;) {
        beast::flat_buffer message;
        auto [error, size] =
            co_await socket.async_read(message, asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return;
        }
        std::string text = beast::buffers_to_string(message.data());
        for (auto& c : text) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        socket.text(true);
        co_await socket.async_write(asio::buffer(text), asio::use_awaitable);
    }
}

} // namespace

TEST_CASE("a stream route takes the connection over and other routes keep working") {
    asio::io_context loop;
    http::Router router;
    router.add_stream(http::Method::get, "/parts", stream_three_parts);
    router.add(http::Method::get, "/hello",
               [](const http::Request& request) -> asio::awaitable<http::Response> {
                   co_return http::text_response(request, http::Status::ok, "hi");
               });
    http::Server server(loop, {"127.0.0.1", 0}, router, "test");
    std::thread thread([&] { loop.run(); });

    asio::io_context client;
    asio::ip::tcp::socket socket(client);
    socket.connect({asio::ip::make_address("127.0.0.1"), server.local_endpoint().port});
    asio::write(socket, asio::buffer(std::string("GET /parts HTTP/1.1\r\nHost: x\r\n\r\n")));
    std::string received;
    std::array<char, 256> chunk{};
    boost::system::error_code error;
    while (!error) {
        const auto n = socket.read_some(asio::buffer(chunk), error);
        received.append(chunk.data(), n);
    }
    CHECK(error == asio::error::eof);
    CHECK(received.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(received.ends_with("\r\n\r\npart 1\npart 2\npart 3\n"));

    CHECK(http::request(server.local_endpoint(), "GET", "/hello").body == "hi");
    // Another method on a stream route's path is 405 with the stream route's method.
    const auto wrong = http::request(server.local_endpoint(), "POST", "/parts");
    CHECK(wrong.status == 405);

    asio::post(loop, [&] {
        server.stop();
        loop.stop();
    });
    thread.join();
}

TEST_CASE("a stream route can upgrade to a WebSocket") {
    asio::io_context loop;
    http::Router router;
    router.add_stream(http::Method::get, "/ws", shouting_echo);
    http::Server server(loop, {"127.0.0.1", 0}, router, "test");
    std::thread thread([&] { loop.run(); });

    asio::io_context client;
    beast::websocket::stream<asio::ip::tcp::socket> socket(client);
    socket.next_layer().connect(
        {asio::ip::make_address("127.0.0.1"), server.local_endpoint().port});
    socket.handshake("localhost", "/ws");
    for (const std::string text : {"hello", "again"}) {
        socket.write(asio::buffer(text));
        beast::flat_buffer reply;
        socket.read(reply);
        std::string expected = text;
        for (auto& c : expected) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        CHECK(beast::buffers_to_string(reply.data()) == expected);
    }
    socket.close(beast::websocket::close_code::normal);

    asio::post(loop, [&] {
        server.stop();
        loop.stop();
    });
    thread.join();
}
