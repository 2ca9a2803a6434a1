#include "platform/http/client.hpp"
#include "platform/http/server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <array>
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

TEST_CASE("prefix routes catch the paths under them; exact routes win") {
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
