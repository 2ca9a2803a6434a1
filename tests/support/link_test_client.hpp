#pragma once

#include "platform/wire/frame.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace encore::testing {

// A blocking kiosk-link client for tests: TLS 1.3 to the hub, optionally with a client
// certificate, trusting only the given CA. Sends raw frames and reads them back.
class LinkTestClient {
public:
    struct Identity {
        std::string certificate_pem;
        std::string key_pem;
    };

    // Throws std::system_error when the TCP connection or the TLS handshake fails.
    LinkTestClient(const std::string& host, std::uint16_t port, const std::string& ca_pem,
                   const std::optional<Identity>& identity);
    ~LinkTestClient();

    void send(const std::vector<std::byte>& frame);
    void send_raw(const std::string& bytes);
    // The next frame, or nullopt when the hub closed the connection or `timeout` passed.
    std::optional<platform::wire::Frame>
    receive(std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace encore::testing
