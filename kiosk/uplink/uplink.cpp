#include "kiosk/uplink/uplink.hpp"

#include "platform/log/logger.hpp"
#include "platform/tls/certificates.hpp"
#include "platform/tls/pinning.hpp"
#include "platform/version.hpp"
#include "platform/wire/frame.hpp"
#include "platform/wire/messages.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

#include <array>
#include <deque>
#include <fstream>
#include <random>

namespace encore::kiosk {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace wire = platform::wire;
using tcp = asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

// Ends the current connection; the reconnect loop logs the reason and backs off.
struct LinkError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The hub answered with ERROR: it understood us and said no.
struct HubRefused : LinkError {
    using LinkError::LinkError;
};

bool is_ip_address(const std::string& host) {
    boost::system::error_code error;
    asio::ip::make_address(host, error);
    return !error;
}

// One TLS connection to the hub with its frame decoder.
class Link {
public:
    Link(asio::any_io_executor executor, asio::ssl::context& tls)
        : stream_(executor, tls) {}

    asio::awaitable<void> connect(const platform::Endpoint& hub, std::chrono::seconds timeout) {
        tcp::resolver resolver(stream_.get_executor());
        auto [resolve_error, addresses] = co_await resolver.async_resolve(
            hub.host, std::to_string(hub.port), asio::as_tuple(asio::use_awaitable));
        if (resolve_error) {
            throw LinkError("cannot resolve " + hub.host + ": " + resolve_error.message());
        }
        auto& tcp_stream = beast::get_lowest_layer(stream_);
        tcp_stream.expires_after(timeout);
        auto [connect_error, connected] =
            co_await tcp_stream.async_connect(addresses, asio::as_tuple(asio::use_awaitable));
        if (connect_error) {
            throw LinkError("cannot reach the hub at " + hub.to_string() + ": " +
                            connect_error.message());
        }
        boost::system::error_code ignored;
        tcp_stream.socket().set_option(tcp::no_delay(true), ignored);
        if (!is_ip_address(hub.host)) {
            // SSL_set_tlsext_host_name() is a macro with a C cast; call what it expands to.
            SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                     TLSEXT_NAMETYPE_host_name,
                     static_cast<void*>(const_cast<char*>(hub.host.c_str())));
        }
        tcp_stream.expires_after(timeout);
        auto [handshake_error] = co_await stream_.async_handshake(
            asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
        if (handshake_error) {
            throw LinkError("TLS handshake with the hub failed: " + handshake_error.message());
        }
    }

    asio::awaitable<void> send(const std::vector<std::byte>& frame, std::chrono::seconds timeout) {
        beast::get_lowest_layer(stream_).expires_after(timeout);
        auto [error, written] = co_await asio::async_write(stream_, asio::buffer(frame),
                                                           asio::as_tuple(asio::use_awaitable));
        if (error) {
            throw LinkError("lost the hub while sending: " + error.message());
        }
    }

    // From now on a reader takes every frame the hub sends as it comes (the hub sends
    // VENUE_PRINT whenever it has one), and receive() takes them from it; `arrived` runs
    // after each read. finish() must be awaited before the link goes away.
    void start_reading(std::function<void()> arrived) {
        arrived_callback_ = std::move(arrived);
        reading_ = true;
        asio::co_spawn(stream_.get_executor(), read_frames(), asio::detached);
    }

    // Waits for the reader to end (after close() or a lost connection).
    asio::awaitable<void> finish() {
        while (reading_ && !reader_done_) {
            arrived_.expires_at(asio::steady_timer::time_point::max());
            co_await arrived_.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }

    // While idle: handles the frames the hub sent unasked (venue prints).
    asio::awaitable<void> drain(std::chrono::seconds timeout) {
        while (!inbox_.empty()) {
            auto frame = std::move(inbox_.front());
            inbox_.pop_front();
            if (!(co_await handled_unasked(frame, timeout))) {
                throw LinkError("the hub sent " + std::string(wire::to_string(frame.type)) +
                                " unasked");
            }
        }
        if (reader_done_) {
            throw LinkError(read_error_);
        }
    }

    asio::awaitable<wire::Frame> receive(std::chrono::seconds timeout) {
        if (reading_) {
            const auto deadline = std::chrono::steady_clock::now() + timeout;
            for (;;) {
                while (!inbox_.empty()) {
                    auto frame = std::move(inbox_.front());
                    inbox_.pop_front();
                    if (!(co_await handled_unasked(frame, timeout))) {
                        co_return frame;
                    }
                }
                if (reader_done_) {
                    throw LinkError(read_error_);
                }
                if (std::chrono::steady_clock::now() >= deadline) {
                    throw LinkError("the hub did not answer within " +
                                    std::to_string(timeout.count()) + " s");
                }
                arrived_.expires_at(deadline);
                co_await arrived_.async_wait(asio::as_tuple(asio::use_awaitable));
            }
        }
        for (;;) {
            if (auto frame = decoder_.next()) {
                if (frame->type == wire::FrameType::error) {
                    const auto error = wire::parse_error(frame->payload_text());
                    throw HubRefused("the hub refused: " +
                                     (error ? error.value->code + ": " + error.value->message
                                            : std::string("?")));
                }
                if (frame->type == wire::FrameType::venue_print) {
                    // The hub sends these unasked (after WELCOME, before a PONG): store,
                    // acknowledge, and go on waiting for the answer the caller expects.
                    const auto ack = take_venue_print(*frame);
                    co_await send(ack, timeout);
                    continue;
                }
                co_return std::move(*frame);
            }
            if (decoder_.error()) {
                throw LinkError("the hub sent a bad frame: " + decoder_.error().message());
            }
            beast::get_lowest_layer(stream_).expires_after(timeout);
            auto [error, count] = co_await stream_.async_read_some(
                asio::buffer(buffer_), asio::as_tuple(asio::use_awaitable));
            if (error) {
                throw LinkError("lost the hub: " + error.message());
            }
            decoder_.feed(std::span(buffer_).first(count));
        }
    }

    // Where VENUE_PRINTs go; empty: the booth takes none.
    std::function<void(const wire::VenuePrint&)> on_venue_print;

    Stream& stream() { return stream_; }
    void close() {
        boost::system::error_code ignored;
        beast::get_lowest_layer(stream_).socket().close(ignored);
    }

private:
    // ERROR ends the link; a VENUE_PRINT is stored and acknowledged (true); any other
    // frame is for the caller (false).
    asio::awaitable<bool> handled_unasked(const wire::Frame& frame, std::chrono::seconds timeout) {
        if (frame.type == wire::FrameType::error) {
            const auto error = wire::parse_error(frame.payload_text());
            throw HubRefused(
                "the hub refused: " +
                (error ? error.value->code + ": " + error.value->message : std::string("?")));
        }
        if (frame.type != wire::FrameType::venue_print) {
            co_return false;
        }
        const auto ack = take_venue_print(frame);
        co_await send(ack, timeout);
        co_return true;
    }

    asio::awaitable<void> read_frames() {
        std::array<std::byte, 64 * 1024> buffer;
        for (;;) {
            // No timeout on the reader: the session's PINGs find a dead link.
            beast::get_lowest_layer(stream_).expires_never();
            auto [error, count] = co_await stream_.async_read_some(
                asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
            if (error) {
                read_error_ = "lost the hub: " + error.message();
                break;
            }
            decoder_.feed(std::span(buffer).first(count));
            while (auto frame = decoder_.next()) {
                inbox_.push_back(std::move(*frame));
            }
            if (decoder_.error()) {
                read_error_ = "the hub sent a bad frame: " + decoder_.error().message();
                break;
            }
            arrived_.cancel();
            if (arrived_callback_) {
                arrived_callback_();
            }
        }
        reader_done_ = true;
        arrived_.cancel();
        if (arrived_callback_) {
            arrived_callback_();
        }
    }

    std::vector<std::byte> take_venue_print(const wire::Frame& frame) {
        const auto print = wire::parse_venue_print(frame.payload_text());
        if (!print) {
            throw LinkError("the hub sent a VENUE_PRINT this booth cannot read: " + print.error);
        }
        if (!on_venue_print) {
            throw LinkError("the hub sent a venue print, but this booth takes none");
        }
        try {
            on_venue_print(*print.value);
        } catch (const std::exception& error) {
            throw LinkError("cannot store the venue print of reorder " + print.value->reorder +
                            ": " + error.what());
        }
        return wire::encode(wire::Ack{wire::AckKind::venue_print, print.value->reorder});
    }

    Stream stream_;
    wire::FrameDecoder decoder_;
    // Full duplex (start_reading): frames read and not yet taken, and how reading ended.
    bool reading_ = false;
    bool reader_done_ = false;
    std::string read_error_;
    std::deque<wire::Frame> inbox_;
    asio::steady_timer arrived_{stream_.get_executor()};
    std::function<void()> arrived_callback_;
    std::array<std::byte, 64 * 1024> buffer_{};
};

} // namespace

asio::awaitable<std::variant<KioskIdentity, EnrolmentError>>
enrol_with_hub(const wire::JoinToken& token, std::chrono::seconds timeout) {
    asio::ssl::context tls(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_3_VERSION);
    // The hub's CA is not known yet: verify the chain by hand against the pinned fingerprint.
    tls.set_verify_mode(asio::ssl::verify_none);
    Link link(co_await asio::this_coro::executor, tls);
    try {
        co_await link.connect(token.link, timeout);
        const auto ca = platform::tls::verify_pinned_chain(link.stream().native_handle(),
                                                           token.ca_sha256, token.link.host);
        if (!ca) {
            co_return EnrolmentError{
                "the server at " + token.link.to_string() +
                    " is not the hub that issued this join token (its certificate does not "
                    "match); check the address",
                true};
        }
        const auto key = platform::tls::generate_private_key();
        const auto request = platform::tls::make_signing_request(key, token.kiosk);
        const auto enrol = wire::encode(wire::Enrol{token.secret, request});
        co_await link.send(enrol, timeout);
        const auto reply = co_await link.receive(timeout);
        const auto enrolled = wire::parse_enrolled(reply.payload_text());
        if (reply.type != wire::FrameType::enrolled || !enrolled) {
            co_return EnrolmentError{"the hub's answer to enrolment was not understood", true};
        }
        co_return KioskIdentity{enrolled.value->kiosk,           token.link,
                                enrolled.value->public_url,      key,
                                enrolled.value->certificate_pem, *ca};
    } catch (const HubRefused& error) {
        co_return EnrolmentError{error.what(), true};
    } catch (const LinkError& error) {
        co_return EnrolmentError{error.what(), false};
    }
}

struct Uplink::State {
    State(asio::io_context& loop_in, Outbox& outbox_in, KioskIdentity identity_in,
          UplinkSettings settings_in)
        : loop(loop_in)
        , outbox(outbox_in)
        , identity(std::move(identity_in))
        , settings(settings_in)
        , tls(asio::ssl::context::tls_client)
        , wake(loop_in) {
        SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_3_VERSION);
        tls.add_certificate_authority(asio::buffer(identity.ca_pem));
        tls.use_certificate_chain(asio::buffer(identity.certificate_pem));
        tls.use_private_key(asio::buffer(identity.key_pem), asio::ssl::context::pem);
        tls.set_verify_mode(asio::ssl::verify_peer);
        tls.set_verify_callback(asio::ssl::host_name_verification(identity.link.host));
    }

    asio::io_context& loop;
    Outbox& outbox;
    KioskIdentity identity;
    UplinkSettings settings;
    asio::ssl::context tls;
    asio::steady_timer wake;
    platform::Logger log{"uplink"};
    std::function<void(const std::string&)> on_public_url;
    VenueHooks venue;
    Link* current = nullptr;
    bool stopped = false;
    bool connected = false;
    std::string last_error;
    std::mt19937 random{std::random_device{}()};

    std::chrono::milliseconds backoff(int attempt) {
        const auto ceiling = std::min<long long>(
            settings.backoff_max.count(), settings.backoff_min.count() << std::min(attempt, 20));
        // Full jitter between half and all of the ceiling, so booths that lost the
        // link together do not all come back in the same millisecond.
        std::uniform_int_distribution<long long> spread(ceiling / 2, ceiling);
        return std::chrono::milliseconds(spread(random));
    }

    asio::awaitable<void> deliver_photo(Link& link, const OutboxItem& item) {
        const auto digest = wire::sha256_from_hex(item.sha256);
        const auto file = outbox.photo_file(item.sha256);
        std::error_code size_error;
        const auto size = std::filesystem::file_size(file, size_error);
        if (size_error || !digest) {
            // The journal quarantined it as damaged or it is gone: the order goes on
            // without it rather than blocking every later order.
            log.error("photo ", item.sha256, " of order ", item.order_id,
                      " is missing on the booth (", size_error.message(),
                      "); the order is sent without it");
            outbox.delivered(item);
            co_return;
        }
        const auto begin = wire::encode(wire::PhotoBegin{*digest, size, item.order_id});
        co_await link.send(begin, settings.reply_timeout);
        const auto reply = co_await link.receive(settings.reply_timeout);
        if (reply.type == wire::FrameType::ack) {
            outbox.delivered(item); // The hub already holds it.
            co_return;
        }
        const auto offset = wire::parse_offset(reply.payload_text());
        if (reply.type != wire::FrameType::offset || !offset || offset.value->offset > size) {
            throw LinkError("unexpected answer to PHOTO_BEGIN");
        }
        std::ifstream input(file, std::ios::binary);
        input.seekg(static_cast<std::streamoff>(offset.value->offset));
        std::vector<char> buffer(settings.chunk_bytes);
        std::uint64_t position = offset.value->offset;
        while (position < size) {
            input.read(buffer.data(), static_cast<std::streamsize>(
                                          std::min<std::uint64_t>(buffer.size(), size - position)));
            const auto got = static_cast<std::size_t>(input.gcount());
            if (got == 0) {
                throw LinkError("cannot read photo " + file.string());
            }
            const auto chunk =
                wire::encode_chunk(*digest, position, std::as_bytes(std::span(buffer.data(), got)));
            co_await link.send(chunk, settings.reply_timeout);
            position += got;
        }
        const auto end = wire::encode(wire::PhotoEnd{*digest});
        co_await link.send(end, settings.reply_timeout);
        const auto ack = co_await link.receive(settings.reply_timeout);
        const auto parsed = wire::parse_ack(ack.payload_text());
        if (ack.type != wire::FrameType::ack || !parsed || parsed.value->id != item.sha256) {
            throw LinkError("unexpected answer to PHOTO_END");
        }
        outbox.delivered(item);
    }

    asio::awaitable<void> deliver_order(Link& link, const OutboxItem& item) {
        const auto message = wire::encode(outbox.order_message(item.order_id));
        co_await link.send(message, settings.reply_timeout);
        const auto ack = co_await link.receive(settings.reply_timeout);
        const auto parsed = wire::parse_ack(ack.payload_text());
        if (ack.type != wire::FrameType::ack || !parsed || parsed.value->id != item.order_id) {
            throw LinkError("unexpected answer to ORDER");
        }
        outbox.delivered(item);
        log.info("order ", item.order_id, " delivered to the hub");
    }

    // Sends the venue reports, oldest first, each dropped on the hub's ACK.
    asio::awaitable<void> deliver_venue_reports(Link& link) {
        if (!venue.next_report) {
            co_return;
        }
        while (auto report = venue.next_report()) {
            const auto message = wire::encode(*report);
            co_await link.send(message, settings.reply_timeout);
            const auto ack = co_await link.receive(settings.reply_timeout);
            const auto parsed = wire::parse_ack(ack.payload_text());
            if (ack.type != wire::FrameType::ack || !parsed || parsed.value->kind != report->kind ||
                parsed.value->id != report->id) {
                throw LinkError("unexpected answer to a venue report");
            }
            venue.report_acknowledged(*report);
            log.info(wire::to_string(report->kind), " of reorder ", report->id,
                     " delivered to the hub");
        }
    }

    // Asks the hub for the photos of venue prints the booth does not hold, one chunk per
    // request, from the bytes it holds (so a cut or a restart resumes there).
    asio::awaitable<void> deliver_venue_photo_requests(Link& link) {
        if (!venue.next_photo_wanted || !venue.photo_chunk || !venue.photo_unavailable) {
            co_return;
        }
        while (!stopped) {
            const auto wanted = venue.next_photo_wanted();
            if (!wanted) {
                break;
            }
            const auto message = wire::encode(*wanted);
            co_await link.send(message, settings.reply_timeout);
            const auto reply = co_await link.receive(settings.reply_timeout);
            const auto hash = wire::to_hex(wanted->sha256);
            if (reply.type == wire::FrameType::chunk) {
                const auto chunk = wire::parse_chunk(reply.payload);
                if (!chunk || chunk.value->sha256 != wanted->sha256 ||
                    chunk.value->offset != wanted->offset) {
                    throw LinkError("unexpected answer to VENUE_PHOTO_WANTED for photo " + hash);
                }
                const auto problem = venue.photo_chunk(*chunk.value);
                if (!problem.empty()) {
                    throw LinkError(problem);
                }
                continue;
            }
            const auto unavailable = wire::parse_venue_photo_unavailable(reply.payload_text());
            if (reply.type != wire::FrameType::venue_photo_unavailable || !unavailable ||
                unavailable.value->sha256 != wanted->sha256 ||
                unavailable.value->reorder != wanted->reorder) {
                throw LinkError("unexpected answer to VENUE_PHOTO_WANTED for photo " + hash);
            }
            log.warning("the hub cannot send photo ", hash, " of reorder ", wanted->reorder, ": ",
                        unavailable.value->reason);
            venue.photo_unavailable(*unavailable.value);
        }
    }

    asio::awaitable<void> session(Link& link) {
        link.on_venue_print = venue.received;
        co_await link.connect(identity.link, settings.connect_timeout);
        // A frame the hub sends unasked (a venue print) ends the idle wait below.
        link.start_reading([this] { wake.cancel(); });
        const auto hello = wire::encode(
            wire::Hello{wire::protocol_version, std::string("kioskd ") + platform::version});
        co_await link.send(hello, settings.reply_timeout);
        const auto reply = co_await link.receive(settings.reply_timeout);
        const auto welcome = wire::parse_welcome(reply.payload_text());
        if (reply.type != wire::FrameType::welcome || !welcome) {
            throw LinkError("the hub did not welcome us: " +
                            (welcome ? std::string("wrong frame") : welcome.error));
        }
        connected = true;
        last_error.clear();
        log.info("connected to the hub at ", identity.link.to_string(), " as '",
                 welcome.value->kiosk, "'");
        if (welcome.value->public_url != identity.public_url) {
            identity.public_url = welcome.value->public_url;
            if (on_public_url) {
                on_public_url(identity.public_url);
            }
        }
        std::uint64_t ping = 0;
        while (!stopped) {
            while (auto item = outbox.next()) {
                if (item->kind == OutboxKind::photo) {
                    co_await deliver_photo(link, *item);
                } else {
                    co_await deliver_order(link, *item);
                }
            }
            // Reports first, so that none waits behind a photo; then again for the failures
            // the hub's answers caused.
            co_await deliver_venue_reports(link);
            co_await deliver_venue_photo_requests(link);
            co_await deliver_venue_reports(link);
            co_await link.drain(settings.reply_timeout);
            wake.expires_after(settings.heartbeat);
            auto [waited] = co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
            if (!waited && !stopped) {
                const auto frame = wire::encode_ping(wire::Ping{++ping});
                co_await link.send(frame, settings.reply_timeout);
                const auto pong = co_await link.receive(settings.reply_timeout);
                if (pong.type != wire::FrameType::pong) {
                    throw LinkError("unexpected answer to PING");
                }
            }
        }
    }

    asio::awaitable<void> run() {
        int attempt = 0;
        while (!stopped) {
            Link link(loop.get_executor(), tls);
            current = &link;
            try {
                co_await session(link);
            } catch (const LinkError& error) {
                last_error = error.what();
            } catch (const std::exception& error) {
                last_error = std::string("uplink failure: ") + error.what();
            }
            current = nullptr;
            link.close();
            co_await link.finish();
            if (stopped) {
                break;
            }
            attempt = connected ? 0 : attempt + 1;
            connected = false;
            const auto delay = backoff(attempt);
            log.warning(last_error, "; retrying in ", delay.count(), " ms");
            wake.expires_after(delay);
            co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }
};

Uplink::Uplink(asio::io_context& loop, Outbox& outbox, KioskIdentity identity,
               UplinkSettings settings)
    : state_(std::make_shared<State>(loop, outbox, std::move(identity), settings)) {}

Uplink::~Uplink() {
    stop();
}

void Uplink::start() {
    state_->on_public_url = on_public_url;
    auto state = state_;
    asio::co_spawn(
        state->loop, [state]() -> asio::awaitable<void> { co_await state->run(); }, asio::detached);
}

void Uplink::stop() {
    state_->stopped = true;
    state_->wake.cancel();
    if (state_->current != nullptr) {
        state_->current->close();
    }
}

void Uplink::set_venue(VenueHooks hooks) {
    state_->venue = std::move(hooks);
}

void Uplink::nudge() {
    if (state_->connected) {
        state_->wake.cancel();
    }
}

UplinkStatus Uplink::status() {
    return {state_->connected, state_->last_error, state_->outbox.status()};
}

} // namespace encore::kiosk
