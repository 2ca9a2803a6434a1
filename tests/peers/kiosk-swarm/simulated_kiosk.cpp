#include "tests/peers/kiosk-swarm/simulated_kiosk.hpp"

#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/runtime/program.hpp"
#include "platform/version.hpp"
#include "platform/wire/frame.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

#include <cstring>
#include <stdexcept>

namespace encore::swarm {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace wire = platform::wire;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// splitmix64: fast, good enough to make incompressible bytes and spread offsets.
std::uint64_t mix(std::uint64_t value) {
    value += 0x9E3779B97F4A7C15ull;
    value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
    value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
    return value ^ (value >> 31);
}

// Room for the photos' slices to start at different places in the pool.
constexpr std::size_t pool_spread = 256 * 1024;

double milliseconds_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct LinkError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace

PhotoPool::PhotoPool(std::size_t photo_bytes, std::uint64_t seed)
    : photo_bytes_(photo_bytes)
    , seed_(seed)
    , random_(photo_bytes + pool_spread) {
    if (photo_bytes <= stamp_bytes) {
        throw std::invalid_argument("a photo must be longer than " + std::to_string(stamp_bytes) +
                                    " bytes");
    }
    std::uint64_t state = seed;
    for (std::size_t index = 0; index < random_.size(); index += 8) {
        const std::uint64_t word = mix(state++);
        std::memcpy(random_.data() + index, &word,
                    std::min<std::size_t>(8, random_.size() - index));
    }
}

std::size_t PhotoPool::slice_offset(std::uint32_t kiosk, std::uint32_t photo) const {
    return mix(seed_ ^ (static_cast<std::uint64_t>(kiosk) << 32 | photo)) % pool_spread;
}

std::array<std::byte, PhotoPool::stamp_bytes> PhotoPool::stamp(std::uint32_t kiosk,
                                                               std::uint32_t photo) const {
    std::array<std::byte, stamp_bytes> bytes{};
    const std::uint64_t who = static_cast<std::uint64_t>(kiosk) << 32 | photo;
    std::memcpy(bytes.data(), &who, 8);
    std::memcpy(bytes.data() + 8, &seed_, 8);
    return bytes;
}

void PhotoPool::fill(std::uint32_t kiosk, std::uint32_t photo, std::span<std::byte> out) const {
    const auto head = stamp(kiosk, photo);
    std::memcpy(out.data(), head.data(), head.size());
    std::memcpy(out.data() + stamp_bytes, random_.data() + slice_offset(kiosk, photo),
                photo_bytes_ - stamp_bytes);
}

wire::Sha256 PhotoPool::sha256_of(std::uint32_t kiosk, std::uint32_t photo) const {
    platform::crypto::Sha256Hasher hasher;
    const auto head = stamp(kiosk, photo);
    hasher.update(head);
    hasher.update(
        std::span(random_).subspan(slice_offset(kiosk, photo), photo_bytes_ - stamp_bytes));
    const auto digest = hasher.finish();
    wire::Sha256 result{};
    static_assert(sizeof(digest) == sizeof(result));
    std::memcpy(result.data(), digest.data(), result.size());
    return result;
}

struct SimulatedKiosk::State {
    State(asio::io_context& loop, std::uint32_t index_in, kiosk::KioskIdentity identity_in)
        : index(index_in)
        , identity(std::move(identity_in))
        , tls(context_for(identity))
        , stream(loop, tls) {}

    // OpenSSL copies the certificate into each connection when it is made: the context
    // must be complete before the stream exists.
    static asio::ssl::context context_for(const kiosk::KioskIdentity& identity) {
        asio::ssl::context tls(asio::ssl::context::tls_client);
        SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_3_VERSION);
        tls.add_certificate_authority(asio::buffer(identity.ca_pem));
        tls.use_certificate_chain(asio::buffer(identity.certificate_pem));
        tls.use_private_key(asio::buffer(identity.key_pem), asio::ssl::context::pem);
        tls.set_verify_mode(asio::ssl::verify_peer);
        tls.set_verify_callback(asio::ssl::host_name_verification(identity.link.host));
        return tls;
    }

    std::uint32_t index;
    kiosk::KioskIdentity identity;
    asio::ssl::context tls;
    beast::ssl_stream<beast::tcp_stream> stream;
    wire::FrameDecoder decoder;
    std::array<std::byte, 64 * 1024> buffer{};
    std::vector<wire::Sha256> digests; // of photos 0, 1, ... (prepare())

    asio::awaitable<void> send(const std::vector<std::byte>& frame, std::chrono::seconds timeout) {
        beast::get_lowest_layer(stream).expires_after(timeout);
        auto [error, written] = co_await asio::async_write(stream, asio::buffer(frame),
                                                           asio::as_tuple(asio::use_awaitable));
        if (error) {
            throw LinkError("lost the hub while sending: " + error.message());
        }
    }

    asio::awaitable<wire::Frame> receive(std::chrono::seconds timeout) {
        for (;;) {
            if (auto frame = decoder.next()) {
                if (frame->type == wire::FrameType::error) {
                    const auto refused = wire::parse_error(frame->payload_text());
                    throw LinkError("the hub refused: " +
                                    (refused ? refused.value->code + ": " + refused.value->message
                                             : std::string(frame->payload_text())));
                }
                // The hub may ping an idle link; a busy swarm kiosk is never idle for long.
                if (frame->type == wire::FrameType::ping) {
                    if (const auto ping = wire::parse_ping(frame->payload_text())) {
                        const auto pong = wire::encode_pong(*ping.value);
                        co_await send(pong, timeout);
                    }
                    continue;
                }
                co_return std::move(*frame);
            }
            if (decoder.error()) {
                throw LinkError("the hub sent a bad frame: " + decoder.error().message());
            }
            beast::get_lowest_layer(stream).expires_after(timeout);
            auto [error, count] = co_await stream.async_read_some(
                asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
            if (error) {
                throw LinkError("lost the hub: " + error.message());
            }
            decoder.feed(std::span(buffer).first(count));
        }
    }

    asio::awaitable<void> connect(std::chrono::seconds timeout) {
        tcp::resolver resolver(stream.get_executor());
        const auto port = std::to_string(identity.link.port);
        auto [resolve_error, addresses] = co_await resolver.async_resolve(
            identity.link.host, port, asio::as_tuple(asio::use_awaitable));
        if (resolve_error) {
            throw LinkError("cannot resolve " + identity.link.host + ": " +
                            resolve_error.message());
        }
        auto& tcp_stream = beast::get_lowest_layer(stream);
        tcp_stream.expires_after(timeout);
        auto [connect_error, connected] =
            co_await tcp_stream.async_connect(addresses, asio::as_tuple(asio::use_awaitable));
        if (connect_error) {
            throw LinkError("cannot reach the hub at " + identity.link.to_string() + ": " +
                            connect_error.message());
        }
        boost::system::error_code ignored;
        tcp_stream.socket().set_option(tcp::no_delay(true), ignored);
        tcp_stream.expires_after(timeout);
        auto [handshake_error] = co_await stream.async_handshake(
            asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
        if (handshake_error) {
            throw LinkError("TLS handshake with the hub failed: " + handshake_error.message());
        }
        const auto hello = wire::encode(
            wire::Hello{wire::protocol_version, std::string("kiosk-swarm ") + platform::version});
        co_await send(hello, timeout);
        const auto reply = co_await receive(timeout);
        const auto welcome = wire::parse_welcome(reply.payload_text());
        if (reply.type != wire::FrameType::welcome || !welcome) {
            throw LinkError("the hub did not welcome us");
        }
    }

    asio::awaitable<void> upload_photo(const PhotoPool& pool, const SwarmPlan& plan,
                                       std::uint32_t photo, const std::string& order_id,
                                       std::vector<std::byte>& bytes, KioskResult& result) {
        const auto& digest = digests.at(photo);
        pool.fill(index, photo, bytes);
        const auto begin = wire::encode(wire::PhotoBegin{digest, bytes.size(), order_id});
        co_await send(begin, plan.reply_timeout);
        const auto reply = co_await receive(plan.reply_timeout);
        if (reply.type == wire::FrameType::ack) {
            ++result.photos_acknowledged; // The hub already held it.
            co_return;
        }
        const auto offset = wire::parse_offset(reply.payload_text());
        if (reply.type != wire::FrameType::offset || !offset ||
            offset.value->offset > bytes.size()) {
            throw LinkError("unexpected answer to PHOTO_BEGIN");
        }
        std::uint64_t position = offset.value->offset;
        while (position < bytes.size()) {
            const auto length = std::min<std::uint64_t>(plan.chunk_bytes, bytes.size() - position);
            const auto chunk = wire::encode_chunk(
                digest, position,
                std::span(bytes).subspan(position, static_cast<std::size_t>(length)));
            co_await send(chunk, plan.reply_timeout);
            position += length;
            result.photo_bytes_sent += length;
        }
        // The ack latency: from the moment the last chunk is handed to the socket until
        // the hub says the photo is durable.
        const auto last_chunk_sent = Clock::now();
        const auto end = wire::encode(wire::PhotoEnd{digest});
        co_await send(end, plan.reply_timeout);
        const auto ack = co_await receive(plan.reply_timeout);
        const auto parsed = wire::parse_ack(ack.payload_text());
        if (ack.type != wire::FrameType::ack || !parsed ||
            parsed.value->id != wire::to_hex(digest)) {
            throw LinkError("unexpected answer to PHOTO_END");
        }
        result.photo_ack_ms.push_back(milliseconds_since(last_chunk_sent));
        ++result.photos_acknowledged;
    }

    asio::awaitable<void> upload(const PhotoPool& pool, const SwarmPlan& plan, const Phase& phase,
                                 KioskResult& result) {
        std::vector<std::byte> bytes(pool.photo_bytes());
        asio::steady_timer pace(stream.get_executor());
        std::uint32_t done = 0;
        while (done < phase.photos) {
            wire::Order order;
            order.order_id = platform::crypto::random_uuid();
            order.code = platform::crypto::random_short_code(6);
            order.token_sha256 = platform::crypto::to_hex(
                platform::crypto::sha256(platform::crypto::random_token(16)));
            order.event = "kiosk-swarm";
            order.created_at = platform::utc_now_text();
            order.copies = 1;
            order.layout = "strip-2x6";
            for (std::uint32_t taken = 0; taken < plan.photos_per_order && done < phase.photos;
                 ++taken, ++done) {
                if (phase.interval.count() > 0) {
                    pace.expires_at(phase.started + phase.start_delay + phase.interval * done);
                    co_await pace.async_wait(asio::as_tuple(asio::use_awaitable));
                }
                const auto photo = phase.first_photo + done;
                co_await upload_photo(pool, plan, photo, order.order_id, bytes, result);
                order.photos.push_back({digests.at(photo), bytes.size()});
            }
            const auto message = wire::encode(order);
            const auto sent = Clock::now();
            co_await send(message, plan.reply_timeout);
            const auto ack = co_await receive(plan.reply_timeout);
            const auto parsed = wire::parse_ack(ack.payload_text());
            if (ack.type != wire::FrameType::ack || !parsed || parsed.value->id != order.order_id) {
                throw LinkError("unexpected answer to ORDER");
            }
            result.order_ack_ms.push_back(milliseconds_since(sent));
            ++result.orders_acknowledged;
        }
    }
};

SimulatedKiosk::SimulatedKiosk(asio::io_context& loop, std::uint32_t index,
                               kiosk::KioskIdentity identity)
    : state_(std::make_unique<State>(loop, index, std::move(identity))) {}

SimulatedKiosk::~SimulatedKiosk() = default;

void SimulatedKiosk::prepare(const PhotoPool& pool, std::uint32_t count) {
    while (state_->digests.size() < count) {
        state_->digests.push_back(
            pool.sha256_of(state_->index, static_cast<std::uint32_t>(state_->digests.size())));
    }
}

asio::awaitable<std::string> SimulatedKiosk::connect(std::chrono::seconds timeout) {
    try {
        co_await state_->connect(timeout);
    } catch (const std::exception& error) {
        co_return error.what();
    }
    co_return std::string();
}

asio::awaitable<void> SimulatedKiosk::upload(const PhotoPool& pool, const SwarmPlan& plan,
                                             Phase phase, KioskResult& result) {
    try {
        co_await state_->upload(pool, plan, phase, result);
    } catch (const std::exception& error) {
        result.error = error.what();
    }
}

void SimulatedKiosk::close() {
    boost::system::error_code ignored;
    beast::get_lowest_layer(state_->stream).socket().close(ignored);
}

const std::string& SimulatedKiosk::name() const {
    return state_->identity.kiosk;
}

std::string SimulatedKiosk::tls_version() const {
    return SSL_get_version(state_->stream.native_handle());
}

std::string SimulatedKiosk::tls_cipher() const {
    const char* name = SSL_CIPHER_get_name(SSL_get_current_cipher(state_->stream.native_handle()));
    return name != nullptr ? name : "";
}

} // namespace encore::swarm
