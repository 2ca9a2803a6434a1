#pragma once

#include "kiosk/outbox/outbox.hpp"
#include "kiosk/uplink/identity.hpp"
#include "platform/wire/join_token.hpp"
#include "platform/wire/messages.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace encore::kiosk {

struct EnrolmentError {
    std::string message;
    // True when retrying cannot help (the hub refused the token, or the server is not
    // the hub the token names); false for an unreachable hub.
    bool permanent = false;
};

// First start with a join token: makes this booth's key, asks the hub (trusted only
// through the CA fingerprint in the token) for a certificate, and saves the identity
// in DATA/identity/. The join secret is sent once, over TLS, and never stored.
boost::asio::awaitable<std::variant<KioskIdentity, EnrolmentError>>
enrol_with_hub(const platform::wire::JoinToken& token, std::chrono::seconds timeout);

struct UplinkSettings {
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds reply_timeout{30};
    std::chrono::seconds heartbeat{15};
    std::chrono::milliseconds backoff_min{500};
    std::chrono::milliseconds backoff_max{60'000};
    std::size_t chunk_bytes = 512 * 1024;
};

// The booth's side of venue prints (docs/protocol.md, "Venue prints"), as the uplink
// sees it. Each may be empty: the booth then takes no venue prints.
struct VenueHooks {
    // Stores a VENUE_PRINT durably before the uplink acknowledges it; throws when it
    // cannot (it is not acknowledged and the hub sends it again).
    std::function<void(const platform::wire::VenuePrint&)> received;
    // The oldest report (ACK venue_ready, venue_picked_up, venue_failed) not yet
    // acknowledged by the hub.
    std::function<std::optional<platform::wire::Ack>()> next_report;
    // The hub acknowledged that report.
    std::function<void(const platform::wire::Ack&)> report_acknowledged;
    // A photo of a venue print the booth does not hold, to ask the hub for
    // (VENUE_PHOTO_WANTED); nullopt when none is wanted now.
    std::function<std::optional<platform::wire::VenuePhotoWanted>()> next_photo_wanted;
    // The hub's CHUNK of it; returns why the booth refuses it (the link ends), or "".
    std::function<std::string(const platform::wire::Chunk&)> photo_chunk;
    // The hub's VENUE_PHOTO_UNAVAILABLE.
    std::function<void(const platform::wire::VenuePhotoUnavailable&)> photo_unavailable;
};

struct UplinkStatus {
    bool connected = false;
    std::string last_error;
    OutboxStatus backlog;
};

// Store-and-forward to the hub: keeps one TLS connection up (reconnecting with
// jittered exponential backoff), delivers the outbox in order, resumes a photo from
// the hub's offset after any cut, and marks an item delivered only on the hub's ACK.
// The booth works fully offline meanwhile.
class Uplink {
public:
    Uplink(boost::asio::io_context& loop, Outbox& outbox, KioskIdentity identity,
           UplinkSettings settings = {});
    ~Uplink();
    Uplink(const Uplink&) = delete;
    Uplink& operator=(const Uplink&) = delete;

    void start();
    void stop();
    // Venue prints: set before start().
    void set_venue(VenueHooks hooks);
    // New items are in the outbox (or a venue report waits): deliver now rather than at
    // the next heartbeat.
    void nudge();
    UplinkStatus status();
    // The public URL the hub announced (for QR links); changes are saved by the caller.
    std::function<void(const std::string&)> on_public_url;

    struct State;

private:
    std::shared_ptr<State> state_;
};

} // namespace encore::kiosk
