#include "tests/support/link_test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>

#include <array>
#include <poll.h>

namespace encore::testing {

namespace asio = boost::asio;

struct LinkTestClient::State {
    asio::io_context io;
    asio::ssl::context tls{asio::ssl::context::tls_client};
    std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> stream;
    platform::wire::FrameDecoder decoder;
};

LinkTestClient::LinkTestClient(const std::string& host, std::uint16_t port,
                               const std::string& ca_pem, const std::optional<Identity>& identity)
    : state_(std::make_unique<State>()) {
    SSL_CTX_set_min_proto_version(state_->tls.native_handle(), TLS1_3_VERSION);
    state_->tls.add_certificate_authority(asio::buffer(ca_pem));
    state_->tls.set_verify_mode(asio::ssl::verify_peer);
    if (identity) {
        state_->tls.use_certificate_chain(asio::buffer(identity->certificate_pem));
        state_->tls.use_private_key(asio::buffer(identity->key_pem), asio::ssl::context::pem);
    }
    state_->stream =
        std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(state_->io, state_->tls);
    state_->stream->next_layer().connect({asio::ip::make_address(host), port});
    state_->stream->handshake(asio::ssl::stream_base::client);
}

LinkTestClient::~LinkTestClient() {
    boost::system::error_code ignored;
    state_->stream->next_layer().close(ignored);
}

void LinkTestClient::send(const std::vector<std::byte>& frame) {
    asio::write(*state_->stream, asio::buffer(frame));
}

void LinkTestClient::send_raw(const std::string& bytes) {
    asio::write(*state_->stream, asio::buffer(bytes));
}

std::optional<platform::wire::Frame> LinkTestClient::receive(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::array<std::byte, 16 * 1024> buffer;
    for (;;) {
        if (auto frame = state_->decoder.next()) {
            return frame;
        }
        // TLS may hold decrypted bytes already; otherwise wait for the socket.
        if (SSL_pending(state_->stream->native_handle()) == 0) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                return std::nullopt;
            }
            pollfd descriptor{state_->stream->next_layer().native_handle(), POLLIN, 0};
            if (::poll(&descriptor, 1, static_cast<int>(left.count())) <= 0) {
                return std::nullopt;
            }
        }
        boost::system::error_code error;
        const auto count = state_->stream->read_some(asio::buffer(buffer), error);
        if (error) {
            return std::nullopt;
        }
        state_->decoder.feed(std::span(buffer).first(count));
    }
}

} // namespace encore::testing
