#include "hub/intake/intake_server.hpp"

#include "platform/log/logger.hpp"
#include "platform/tls/certificates.hpp"
#include "platform/version.hpp"
#include "platform/wire/frame.hpp"
#include "platform/wire/messages.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <array>
#include <fstream>
#include <functional>
#include <map>
#include <set>

namespace encore::hub {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace wire = platform::wire;
using tcp = asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

struct IntakeServer::State {
    State(asio::io_context& loop_in, IntakeSettings settings_in, KioskRegistry& registry_in,
          ImageStore& images_in, OrderRepository& orders_in, venue::VenueQueue* venue_in)
        : loop(loop_in)
        , settings(std::move(settings_in))
        , registry(registry_in)
        , images(images_in)
        , orders(orders_in)
        , venue(venue_in)
        , tls(asio::ssl::context::tls_server)
        , acceptor(loop_in)
        , storage(std::max<std::size_t>(1, settings.storage_threads)) {}

    asio::io_context& loop;
    IntakeSettings settings;
    KioskRegistry& registry;
    ImageStore& images;
    OrderRepository& orders;
    venue::VenueQueue* venue;
    asio::ssl::context tls;
    tcp::acceptor acceptor;
    platform::Logger log{"intake"};
    // The open connection of each kiosk, to cut it off at once on revocation.
    std::multimap<std::string, tcp::socket*> sessions;
    // Each welcomed kiosk connection's "venue prints are waiting for you".
    std::multimap<std::string, std::function<void()>> venue_listeners;
    std::size_t connections = 0;
    bool stopped = false;
    // Blocking image-store work (write, fsync, hash, rename); see IntakeSettings.
    asio::thread_pool storage;
};

namespace {

struct PeerIdentity {
    std::string kiosk;
    std::uint64_t serial = 0;
};

std::optional<PeerIdentity> peer_identity(Stream& stream) {
    X509* cert = SSL_get1_peer_certificate(stream.native_handle());
    if (cert == nullptr) {
        return std::nullopt;
    }
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    const std::string pem(data, static_cast<std::size_t>(length));
    BIO_free(bio);
    X509_free(cert);
    try {
        return PeerIdentity{platform::tls::common_name_of(pem), platform::tls::serial_of(pem)};
    } catch (const platform::tls::CertificateError&) {
        return std::nullopt;
    }
}

// Runs `work` (blocking file I/O) on the storage threads and resumes the calling
// coroutine on the loop with its result, so the session's state never leaves the loop.
// Once the server is stopping it stores nothing more: the threads may be joined already,
// and work queued behind them would never run.
template <typename Work>
asio::awaitable<std::error_code> on_storage(IntakeServer::State& state, Work work) {
    using Result = std::invoke_result_t<Work&>;
    static_assert(std::is_same_v<Result, std::error_code>);
    if (state.stopped) {
        co_return std::make_error_code(std::errc::operation_canceled);
    }
    auto initiate = [&state](auto handler, Work task) {
        auto loop_work = asio::make_work_guard(state.loop);
        asio::post(state.storage, [handler = std::move(handler), task = std::move(task),
                                   loop_work = std::move(loop_work)]() mutable {
            Result result = task();
            auto loop = loop_work.get_executor();
            asio::post(loop, [handler = std::move(handler), result = std::move(result)]() mutable {
                std::move(handler)(std::move(result));
            });
        });
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Result)>(
        initiate, asio::use_awaitable, std::move(work));
}

// One kiosk connection: reads frames, answers each, tracks the photo upload in progress.
class Session {
public:
    Session(IntakeServer::State& state, Stream& stream, std::string peer)
        : state_(state)
        , stream_(stream)
        , peer_(std::move(peer)) {}

    asio::awaitable<void> run() {
        auto& tcp_stream = beast::get_lowest_layer(stream_);
        tcp_stream.expires_after(state_.settings.handshake_timeout);
        auto [handshake_error] = co_await stream_.async_handshake(
            asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
        if (handshake_error) {
            state_.log.info(peer_, ": TLS handshake refused: ", handshake_error.message());
            co_return;
        }
        identity_ = peer_identity(stream_);
        if (identity_ && !state_.registry.admits(identity_->kiosk, identity_->serial)) {
            refuse("revoked", "kiosk '" + identity_->kiosk +
                                  "' is revoked or replaced: enrol it again with a new join token");
            co_await flush();
            co_return;
        }
        const auto registration =
            identity_ ? state_.sessions.emplace(identity_->kiosk, &tcp_stream.socket())
                      : state_.sessions.end();
        struct Unregister {
            IntakeServer::State& state;
            std::multimap<std::string, tcp::socket*>::iterator entry;
            ~Unregister() {
                if (entry != state.sessions.end()) {
                    state.sessions.erase(entry);
                }
            }
        } unregister{state_, registration};
        if (identity_) {
            state_.log.info(peer_, ": kiosk '", identity_->kiosk, "' connected");
        }
        const auto listener = identity_ ? state_.venue_listeners.emplace(
                                              identity_->kiosk, [this] { venue_prints_waiting(); })
                                        : state_.venue_listeners.end();
        struct Unlisten {
            IntakeServer::State& state;
            std::multimap<std::string, std::function<void()>>::iterator entry;
            ~Unlisten() {
                if (entry != state.venue_listeners.end()) {
                    state.venue_listeners.erase(entry);
                }
            }
        } unlisten{state_, listener};

        std::array<std::byte, 64 * 1024> buffer;
        while (!closing_ && !state_.stopped) {
            tcp_stream.expires_after(state_.settings.heartbeat * 3);
            auto [read_error, count] = co_await stream_.async_read_some(
                asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
            if (read_error) {
                if (read_error != asio::error::eof &&
                    read_error != asio::ssl::error::stream_truncated) {
                    state_.log.info(peer_, ": connection ended: ", read_error.message());
                }
                break;
            }
            decoder_.feed(std::span(buffer).first(count));
            while (auto frame = decoder_.next()) {
                co_await handle(*frame);
                if (closing_) {
                    break;
                }
            }
            if (decoder_.error()) {
                refuse("bad-frame", decoder_.error().message());
            }
            co_await flush();
        }
        if (upload_) {
            const auto hash = wire::to_hex(upload_->sha256);
            state_.log.info(
                "upload of photo ", hash, " from '", identity_->kiosk, "' interrupted at byte ",
                state_.images.upload_offset(identity_->kiosk, hash), " of ", upload_->size, " (",
                upload_->received, " received on this connection); it resumes there");
        }
    }

private:
    // Frames to send are queued while a frame is handled and written by run(), so the
    // handlers stay plain functions and only run() suspends.
    void send(std::vector<std::byte> frame) { outgoing_.push_back(std::move(frame)); }

    // Tells the kiosk why, logs it, and ends the connection.
    void refuse(const std::string& code, const std::string& message) {
        state_.log.warning(peer_, ": ", code, ": ", message, "; closing the connection");
        send(wire::encode(wire::ErrorMessage{code, message}));
        closing_ = true;
    }

    // Writes the queued frames. One writer at a time: run() between reads, or a push of
    // venue prints while run() waits for the kiosk (TLS allows one read and one write at
    // once, not two writes).
    asio::awaitable<void> flush() {
        while (writing_) {
            co_await wait_for_writer();
        }
        writing_ = true;
        while (!outgoing_.empty()) {
            const auto frame = std::move(outgoing_.front());
            outgoing_.erase(outgoing_.begin());
            beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
            auto [error, written] = co_await asio::async_write(stream_, asio::buffer(frame),
                                                               asio::as_tuple(asio::use_awaitable));
            if (error) {
                closing_ = true;
                outgoing_.clear();
            }
        }
        writing_ = false;
        writer_done_.cancel();
    }

    asio::awaitable<void> wait_for_writer() {
        writer_done_.expires_at(asio::steady_timer::time_point::max());
        co_await writer_done_.async_wait(asio::as_tuple(asio::use_awaitable));
    }

public:
    // Ends pushes and waits for one in flight: then the session may go away.
    asio::awaitable<void> finish_pushes() {
        pushes_open_ = false;
        while (writing_) {
            co_await wait_for_writer();
        }
    }

private:
    // The venue queue has something new for this kiosk: send it now, not at the next PING.
    void venue_prints_waiting() {
        if (!pushes_open_ || closing_ || !welcomed_) {
            return;
        }
        send_venue_prints();
        if (!outgoing_.empty() && !writing_) {
            asio::co_spawn(state_.loop, flush(), asio::detached);
        }
    }

    asio::awaitable<void> handle(const wire::Frame& frame) {
        if (!identity_) {
            if (frame.type != wire::FrameType::enrol) {
                refuse("not-enrolled",
                       "connect with the certificate from enrolment, or send ENROL");
                co_return;
            }
            handle_enrol(frame);
            co_return;
        }
        switch (frame.type) {
        case wire::FrameType::hello:
            handle_hello(frame);
            break;
        case wire::FrameType::order:
            handle_order(frame);
            break;
        case wire::FrameType::photo_begin:
            handle_photo_begin(frame);
            break;
        case wire::FrameType::chunk:
            co_await handle_chunk(frame);
            break;
        case wire::FrameType::photo_end:
            co_await handle_photo_end(frame);
            break;
        case wire::FrameType::ping: {
            const auto ping = wire::parse_ping(frame.payload_text());
            if (!ping) {
                refuse("bad-message", "PING: " + ping.error);
                break;
            }
            // Before the PONG, so a kiosk waiting for it reads them first.
            send_venue_prints();
            send(wire::encode_pong(*ping.value));
            break;
        }
        case wire::FrameType::ack:
            handle_venue_report(frame);
            break;
        case wire::FrameType::venue_photo_wanted:
            co_await handle_venue_photo_wanted(frame);
            break;
        case wire::FrameType::pong:
            break;
        default:
            refuse("bad-message",
                   std::string("a kiosk may not send ") + std::string(wire::to_string(frame.type)));
        }
    }

    void handle_enrol(const wire::Frame& frame) {
        const auto enrol = wire::parse_enrol(frame.payload_text());
        if (!enrol) {
            refuse("bad-message", "ENROL: " + enrol.error);
            return;
        }
        auto outcome = state_.registry.enrol(enrol.value->secret, enrol.value->csr_pem);
        if (const auto* refused = std::get_if<EnrolmentRefused>(&outcome)) {
            refuse("enrol-refused", refused->reason);
            return;
        }
        const auto& granted = std::get<EnrolmentGranted>(outcome);
        state_.log.info(peer_, ": kiosk '", granted.kiosk, "' enrolled");
        send(wire::encode(wire::Enrolled{granted.kiosk, granted.certificate_pem,
                                         state_.registry.ca_certificate_pem(),
                                         state_.settings.public_url}));
        closing_ = true;
    }

    void handle_hello(const wire::Frame& frame) {
        const auto hello = wire::parse_hello(frame.payload_text());
        if (!hello) {
            refuse(hello.error.starts_with("protocol version") ? "unsupported-protocol"
                                                               : "bad-message",
                   "HELLO: " + hello.error);
            return;
        }
        wire::Welcome welcome;
        welcomed_ = true;
        welcome.kiosk = identity_->kiosk;
        welcome.public_url = state_.settings.public_url;
        welcome.heartbeat_seconds = static_cast<std::uint32_t>(state_.settings.heartbeat.count());
        for (const auto& partial : state_.images.partial_uploads(identity_->kiosk)) {
            welcome.uploads.push_back({*wire::sha256_from_hex(partial.sha256_hex), partial.offset});
        }
        send(wire::encode(welcome));
        send_venue_prints();
    }

    // Venue prints this kiosk has not acknowledged and this connection has not sent yet.
    void send_venue_prints() {
        if (state_.venue == nullptr || !welcomed_) {
            return;
        }
        std::vector<wire::VenuePrint> prints;
        try {
            prints = state_.venue->undelivered(identity_->kiosk);
        } catch (const std::exception& error) {
            state_.log.error("cannot read the venue prints of '", identity_->kiosk,
                             "': ", error.what());
            return;
        }
        for (const auto& print : prints) {
            if (venue_sent_.insert(print.reorder).second) {
                state_.log.info("venue print of reorder ", print.reorder, " (", print.code,
                                ") sent to '", identity_->kiosk, "'");
                send(wire::encode(print));
            }
        }
    }

    void handle_venue_report(const wire::Frame& frame) {
        const auto ack = wire::parse_ack(frame.payload_text());
        if (!ack) {
            refuse("bad-message", "ACK: " + ack.error);
            return;
        }
        const auto kind = ack.value->kind;
        if (kind == wire::AckKind::order || kind == wire::AckKind::photo ||
            state_.venue == nullptr) {
            refuse("bad-message", std::string("a kiosk may not send ACK \"") +
                                      std::string(wire::to_string(kind)) + "\"");
            return;
        }
        std::optional<venue::ReportOutcome> outcome;
        try {
            outcome = state_.venue->report(identity_->kiosk, *ack.value);
        } catch (const std::exception& error) {
            state_.log.error("cannot record the venue report of '", identity_->kiosk,
                             "': ", error.what());
        }
        if (!outcome) {
            refuse("storage-full", "the hub cannot record venue reports now; retry later");
            return;
        }
        if (*outcome == venue::ReportOutcome::unknown) {
            // Answered all the same: the kiosk drops it rather than sending it for ever.
            state_.log.warning("kiosk '", identity_->kiosk, "' reports ", wire::to_string(kind),
                               " for reorder ", ack.value->id,
                               ", which is no venue print of its own; ignored");
        }
        // The kiosk's report is recorded; the kiosk's own receipt needs no answer.
        if (kind != wire::AckKind::venue_print) {
            send(wire::encode(wire::Ack{kind, ack.value->id}));
        }
    }

    // The booth lacks a photo of one of its venue prints: one CHUNK of it from the asked
    // offset, or VENUE_PHOTO_UNAVAILABLE. Only a photo of a venue print this kiosk holds
    // (queued or delivered) is sent, so a kiosk cannot fetch any other photo.
    asio::awaitable<void> handle_venue_photo_wanted(const wire::Frame& frame) {
        const auto wanted = wire::parse_venue_photo_wanted(frame.payload_text());
        if (!wanted) {
            refuse("bad-message", "VENUE_PHOTO_WANTED: " + wanted.error);
            co_return;
        }
        if (state_.venue == nullptr) {
            refuse("bad-message", "this hub has no venue prints");
            co_return;
        }
        const auto& request = *wanted.value;
        const auto hash = wire::to_hex(request.sha256);
        const auto unavailable = [&](const std::string& reason) {
            send(
                wire::encode(wire::VenuePhotoUnavailable{request.reorder, request.sha256, reason}));
        };
        std::optional<venue::VenueEntry> entry;
        try {
            entry = state_.venue->find(request.reorder);
        } catch (const std::exception& error) {
            state_.log.error("cannot read the venue print of reorder ", request.reorder, ": ",
                             error.what());
            refuse("storage-full", "the hub cannot read venue prints now; retry later");
            co_return;
        }
        const wire::VenuePrintItem* item = nullptr;
        if (entry && entry->kiosk == identity_->kiosk &&
            (entry->state == venue::VenueState::queued ||
             entry->state == venue::VenueState::delivered)) {
            for (const auto& line : entry->print.items) {
                if (line.sha256 == request.sha256) {
                    item = &line;
                }
            }
        }
        if (item == nullptr) {
            state_.log.warning("kiosk '", identity_->kiosk, "' asked for photo ", hash,
                               " of reorder ", request.reorder,
                               ", which is in no venue print it is printing; refused");
            unavailable("photo " + hash + " is in no venue print this booth is printing (reorder " +
                        request.reorder + "); the hub sends only those photos");
            co_return;
        }
        if (request.offset >= item->size) {
            refuse("bad-message", "VENUE_PHOTO_WANTED: offset " + std::to_string(request.offset) +
                                      " is not below the photo's size " +
                                      std::to_string(item->size));
            co_return;
        }
        if (!state_.images.contains(hash)) {
            state_.log.error("kiosk '", identity_->kiosk, "' asked for photo ", hash,
                             " of reorder ", request.reorder, ", which is not in the image store");
            unavailable("the hub does not hold photo " + hash +
                        " either: restore it into the hub's image store, or cancel and refund "
                        "reorder " +
                        request.reorder);
            co_return;
        }
        if (request.offset == 0) {
            state_.log.info("sending photo ", hash, " of reorder ", request.reorder, " to '",
                            identity_->kiosk, "' (", item->size, " bytes)");
        }
        std::vector<std::byte> data(static_cast<std::size_t>(
            std::min<std::uint64_t>(wire::max_chunk_data_bytes, item->size - request.offset)));
        auto read = [file = state_.images.path_of(hash), offset = request.offset, &data] {
            std::ifstream input(file, std::ios::binary);
            input.seekg(static_cast<std::streamoff>(offset));
            input.read(reinterpret_cast<char*>(data.data()),
                       static_cast<std::streamsize>(data.size()));
            if (!input || static_cast<std::size_t>(input.gcount()) != data.size()) {
                return std::make_error_code(std::errc::io_error);
            }
            return std::error_code();
        };
        auto reading = on_storage(state_, std::move(read));
        const auto error = co_await std::move(reading);
        if (error == std::errc::operation_canceled) {
            closing_ = true;
            co_return;
        }
        if (error) {
            state_.log.error("cannot read photo ", hash, " from the image store at byte ",
                             request.offset, " for '", identity_->kiosk, "'");
            unavailable("the hub cannot read photo " + hash +
                        " from its image store (it is shorter than " + std::to_string(item->size) +
                        " bytes or unreadable): restore it, or cancel and refund reorder " +
                        request.reorder);
            co_return;
        }
        send(wire::encode_chunk(request.sha256, request.offset, data));
    }

    void handle_order(const wire::Frame& frame) {
        const auto order = wire::parse_order(frame.payload_text());
        if (!order) {
            refuse("bad-message", "ORDER: " + order.error);
            return;
        }
        std::optional<RecordOutcome> recorded;
        try {
            recorded = state_.orders.record_order(identity_->kiosk, *order.value);
        } catch (const std::exception& error) {
            state_.log.error("cannot store order ", order.value->order_id, ": ", error.what());
        }
        if (!recorded) {
            refuse("storage-full", "the hub cannot store orders now; keep it and retry later");
            return;
        }
        const auto outcome = *recorded;
        if (outcome == RecordOutcome::conflict) {
            refuse("order-conflict", "order " + order.value->order_id +
                                         " or its token belongs to another kiosk's order");
            return;
        }
        if (outcome == RecordOutcome::inserted) {
            state_.log.info("order ", order.value->order_id, " (", order.value->code, ") from '",
                            identity_->kiosk, "' stored");
        }
        send(wire::encode(wire::Ack{wire::AckKind::order, order.value->order_id}));
    }

    void handle_photo_begin(const wire::Frame& frame) {
        const auto begin = wire::parse_photo_begin(frame.payload_text());
        if (!begin) {
            refuse("bad-message", "PHOTO_BEGIN: " + begin.error);
            return;
        }
        const auto hash = wire::to_hex(begin.value->sha256);
        if (state_.images.contains(hash)) {
            state_.orders.record_photo(identity_->kiosk, hash, begin.value->size);
            send(wire::encode(wire::Ack{wire::AckKind::photo, hash}));
            return;
        }
        auto offset = state_.images.upload_offset(identity_->kiosk, hash);
        if (offset > begin.value->size) {
            // A part longer than the photo can only be left from a bad earlier upload.
            state_.images.finish(identity_->kiosk, hash, begin.value->size);
            offset = 0;
        }
        if (offset > 0) {
            state_.log.info("kiosk '", identity_->kiosk, "' resumes photo ", hash, " at byte ",
                            offset, " of ", begin.value->size);
        }
        upload_ = Upload{begin.value->sha256, begin.value->size, offset, 0};
        send(wire::encode(wire::Offset{begin.value->sha256, offset}));
    }

    // `frame` stays alive in run() until this returns: the chunk's data points into it.
    asio::awaitable<void> handle_chunk(const wire::Frame& frame) {
        const auto chunk = wire::parse_chunk(frame.payload);
        if (!chunk) {
            refuse("bad-message", chunk.error);
            co_return;
        }
        if (!upload_ || upload_->sha256 != chunk.value->sha256) {
            refuse("bad-message", "CHUNK for a photo without PHOTO_BEGIN");
            co_return;
        }
        const auto hash = wire::to_hex(chunk.value->sha256);
        // Logged before the bytes are stored, so that after a crash the log shows every
        // chunk the hub took in and a test can count what the kiosk had to send again.
        state_.log.debug("photo ", hash, " from '", identity_->kiosk, "': chunk at byte ",
                         chunk.value->offset, ", ", chunk.value->data.size(), " bytes");
        // Durable before the next frame of this connection is handled (docs/protocol.md).
        auto append = [&images = state_.images, &kiosk = identity_->kiosk, &hash,
                       offset = chunk.value->offset, data = chunk.value->data,
                       size = upload_->size] {
            return images.append(kiosk, hash, offset, data, size);
        };
        const auto error = co_await on_storage(state_, std::move(append));
        if (error == std::errc::operation_canceled) {
            closing_ = true; // The hub is stopping; the kiosk resumes from the hub's offset.
            co_return;
        }
        if (!error) {
            upload_->received += chunk.value->data.size();
        } else if (error == std::errc::invalid_argument) {
            refuse("bad-offset",
                   "CHUNK at offset " + std::to_string(chunk.value->offset) +
                       " but the hub holds " +
                       std::to_string(state_.images.upload_offset(identity_->kiosk, hash)));
        } else if (error) {
            state_.log.error("cannot store a photo chunk: ", error.message());
            refuse("storage-full", "the hub cannot store photos now (" + error.message() +
                                       "); keep it and retry later");
        }
    }

    asio::awaitable<void> handle_photo_end(const wire::Frame& frame) {
        const auto end = wire::parse_photo_end(frame.payload_text());
        if (!end) {
            refuse("bad-message", "PHOTO_END: " + end.error);
            co_return;
        }
        if (!upload_ || upload_->sha256 != end.value->sha256) {
            refuse("bad-message", "PHOTO_END for a photo without PHOTO_BEGIN");
            co_return;
        }
        const auto hash = wire::to_hex(end.value->sha256);
        const auto finished = *upload_;
        const auto size = upload_->size;
        upload_.reset();
        auto finish = [&images = state_.images, &kiosk = identity_->kiosk, &hash, size] {
            return images.finish(kiosk, hash, size);
        };
        const auto error = co_await on_storage(state_, std::move(finish));
        if (error == std::errc::operation_canceled) {
            closing_ = true; // The hub is stopping; the kiosk resumes from the hub's offset.
            co_return;
        }
        if (error == std::errc::illegal_byte_sequence) {
            refuse("hash-mismatch",
                   "photo " + hash + " did not match its SHA-256; upload it again");
            co_return;
        }
        if (error) {
            refuse("storage-full", "cannot store photo " + hash + ": " + error.message());
            co_return;
        }
        state_.orders.record_photo(identity_->kiosk, hash, size);
        state_.log.info("photo ", hash, " from '", identity_->kiosk, "' stored: ", size, " bytes, ",
                        finished.received, " received on this connection from byte ",
                        finished.resumed_from);
        send(wire::encode(wire::Ack{wire::AckKind::photo, hash}));
    }

    struct Upload {
        wire::Sha256 sha256;
        std::uint64_t size;
        std::uint64_t resumed_from; // the hub's offset when this connection began the upload
        std::uint64_t received;     // chunk bytes stored on this connection
    };

    IntakeServer::State& state_;
    Stream& stream_;
    std::string peer_;
    std::optional<PeerIdentity> identity_;
    std::optional<Upload> upload_;
    wire::FrameDecoder decoder_;
    std::vector<std::vector<std::byte>> outgoing_;
    bool closing_ = false;
    bool welcomed_ = false;
    bool writing_ = false;
    bool pushes_open_ = true;
    asio::steady_timer writer_done_{stream_.get_executor()};
    // Reorders whose VENUE_PRINT went out on this connection (sent again on the next).
    std::set<std::string> venue_sent_;
};

asio::awaitable<void> serve(std::shared_ptr<IntakeServer::State> state, tcp::socket socket) {
    ++state->connections;
    struct Release {
        IntakeServer::State& state;
        ~Release() { --state.connections; }
    } release{*state};
    boost::system::error_code ignored;
    const auto remote = socket.remote_endpoint(ignored);
    const std::string peer = remote.address().to_string() + ":" + std::to_string(remote.port());
    socket.set_option(tcp::no_delay(true), ignored);
    Stream stream(beast::tcp_stream(std::move(socket)), state->tls);
    Session session(*state, stream, peer);
    try {
        co_await session.run();
    } catch (const std::exception& error) {
        // A defect in handling one connection must not take the hub down.
        state->log.error(peer, ": session failed: ", error.what());
    }
    co_await session.finish_pushes();
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> accept_loop(std::shared_ptr<IntakeServer::State> state) {
    while (!state->stopped) {
        auto [error, socket] =
            co_await state->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (error) {
            if (state->stopped) {
                break;
            }
            state->log.warning("accept failed: ", error.message());
            continue;
        }
        if (state->connections >= state->settings.max_connections) {
            continue;
        }
        asio::co_spawn(state->loop, serve(state, std::move(socket)), asio::detached);
    }
}

} // namespace

IntakeServer::IntakeServer(asio::io_context& loop, IntakeSettings settings, KioskRegistry& registry,
                           ImageStore& images, OrderRepository& orders, venue::VenueQueue* venue)
    : state_(std::make_shared<State>(loop, std::move(settings), registry, images, orders, venue)) {
    if (venue != nullptr) {
        venue->on_queued([weak = std::weak_ptr<State>(state_)](const std::string& kiosk) {
            auto state = weak.lock();
            if (!state) {
                return;
            }
            // Posted: the desk's release goes on first, and a listener may go meanwhile.
            asio::post(state->loop, [weak, kiosk] {
                if (auto alive = weak.lock()) {
                    const auto [first, last] = alive->venue_listeners.equal_range(kiosk);
                    std::vector<std::function<void()>> listeners;
                    for (auto entry = first; entry != last; ++entry) {
                        listeners.push_back(entry->second);
                    }
                    for (const auto& listener : listeners) {
                        listener();
                    }
                }
            });
        });
    }
    auto& tls = state_->tls;
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_3_VERSION);
    tls.use_certificate_chain_file(registry.link_certificate_file().string());
    tls.use_private_key_file(registry.link_key_file().string(), asio::ssl::context::pem);
    tls.load_verify_file(registry.ca_certificate_file().string());
    // Ask for a client certificate and verify any that is sent; a connection without
    // one may only enrol.
    tls.set_verify_mode(asio::ssl::verify_peer);

    const auto& endpoint = state_->settings.listen;
    boost::system::error_code error;
    const auto address =
        asio::ip::make_address(endpoint.host == "localhost" ? "127.0.0.1" : endpoint.host, error);
    if (error) {
        throw std::system_error(EINVAL, std::generic_category(),
                                "cannot listen on " + endpoint.to_string() +
                                    ": the host must be an IP address");
    }
    const tcp::endpoint bind_to(address, endpoint.port);
    auto& acceptor = state_->acceptor;
    acceptor.open(bind_to.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(bind_to, error);
    if (error) {
        throw std::system_error(error.value(), std::generic_category(),
                                "cannot listen on " + endpoint.to_string());
    }
    acceptor.listen();
    asio::co_spawn(loop, accept_loop(state_), asio::detached);
}

IntakeServer::~IntakeServer() {
    stop();
    // Let the storage threads finish what they hold, so none of them touches the image
    // store after its owner let it go.
    state_->storage.join();
}

platform::Endpoint IntakeServer::local_endpoint() const {
    boost::system::error_code error;
    const auto bound = state_->acceptor.local_endpoint(error);
    return {bound.address().to_string(), bound.port()};
}

void IntakeServer::disconnect(const std::string& kiosk) {
    const auto [first, last] = state_->sessions.equal_range(kiosk);
    for (auto entry = first; entry != last; ++entry) {
        boost::system::error_code ignored;
        entry->second->close(ignored);
    }
}

std::size_t IntakeServer::connected_kiosks() const {
    return state_->sessions.size();
}

void IntakeServer::stop() {
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (auto& [kiosk, socket] : state_->sessions) {
        socket->close(ignored);
    }
}

} // namespace encore::hub
