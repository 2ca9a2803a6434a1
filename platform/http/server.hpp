#pragma once

#include "platform/config/endpoint.hpp"
#include "platform/http/router.hpp"
#include "platform/log/logger.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <system_error>

namespace encore::platform::http {

struct ServerLimits {
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;
    // A request must arrive whole within this time; idle keep-alive connections close too.
    std::chrono::seconds request_timeout{15};
    std::size_t max_connections = 512;
};

// An HTTP/1.1 server on one listening socket; one coroutine per connection. A request
// whose route was added with Router::add_stream hands its connection to that handler
// (WebSocket upgrades, MJPEG streams).
class Server {
public:
    // Binds and starts accepting. Throws std::system_error naming the address when
    // it cannot listen (address in use, no permission); callers do this at start-up.
    Server(boost::asio::io_context& loop, const Endpoint& endpoint, const Router& router,
           std::string name, ServerLimits limits = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // The address actually bound (the port the system chose when asked for port 0).
    Endpoint local_endpoint() const;
    // Stops accepting; open connections finish their current request. Connections taken
    // over by a stream handler are that handler's to end.
    void stop();

    // Shared by the accept loop and every connection; public only so the
    // coroutines in server.cpp can name it.
    struct State;

private:
    std::shared_ptr<State> state_;
};

} // namespace encore::platform::http
