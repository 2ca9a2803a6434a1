#pragma once

#include "hub/intake/kiosk_registry.hpp"
#include "hub/store/image_store.hpp"
#include "hub/store/order_repository.hpp"
#include "hub/venue/venue_queue.hpp"
#include "platform/config/endpoint.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace encore::hub {

struct IntakeSettings {
    platform::Endpoint listen{"0.0.0.0", 8443};
    // Base of the QR links kiosks print, sent to each kiosk in WELCOME.
    std::string public_url = "http://localhost:8081";
    // A kiosk pings when idle this long; silence for three intervals closes the link.
    std::chrono::seconds heartbeat{15};
    std::chrono::seconds handshake_timeout{10};
    std::size_t max_connections = 2000;
    // Threads that write and fsync photo chunks and move finished photos into the image
    // store. Each connection still waits for its own chunk to be durable before it reads
    // the next frame; the threads let many kiosks' fsyncs overlap (the file system
    // commits them together) while the loop keeps reading and decrypting.
    std::size_t storage_threads = 8;
};

// The hub's end of the kiosk link (docs/protocol.md): a TLS 1.3 listener where each
// kiosk is known by its client certificate. Orders and photos are acknowledged only
// once they are durable in the repository and the image store; a duplicate is
// acknowledged again without a second copy. A bad frame or message closes that
// connection with a logged reason; the other kiosks are not affected.
//
// With a venue queue, each kiosk is sent the venue prints it has not acknowledged
// (VENUE_PRINT) after WELCOME, and a print queued while it is connected at once; its
// venue reports (ACK venue_*) are recorded there and acknowledged back. A kiosk that
// lacks a photo of one of its own venue prints (queued or delivered) gets it from the
// image store a CHUNK per VENUE_PHOTO_WANTED; any other photo is refused with
// VENUE_PHOTO_UNAVAILABLE and a logged warning, the link staying up.
class IntakeServer {
public:
    // Binds at once; throws std::system_error naming the address when it cannot.
    // `venue` may be null (no venue pickup); it is borrowed.
    IntakeServer(boost::asio::io_context& loop, IntakeSettings settings, KioskRegistry& registry,
                 ImageStore& images, OrderRepository& orders, venue::VenueQueue* venue = nullptr);
    ~IntakeServer();
    IntakeServer(const IntakeServer&) = delete;
    IntakeServer& operator=(const IntakeServer&) = delete;

    platform::Endpoint local_endpoint() const;
    // Closes the open connection of `kiosk`, if any (after revoking it).
    void disconnect(const std::string& kiosk);
    std::size_t connected_kiosks() const;
    void stop();

    struct State;

private:
    std::shared_ptr<State> state_;
};

} // namespace encore::hub
