#pragma once

#include "kiosk/outbox/outbox.hpp"
#include "kiosk/uplink/uplink.hpp"

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace encore::kiosk {

struct HubConnectionStatus {
    bool enrolled = false;
    std::string kiosk;
    std::string public_url;
    UplinkStatus uplink;
    std::string enrolment_error;
};

// The booth's tie to its hub from start-up on: loads the saved identity, or enrols
// with the join token (retrying with backoff while the hub cannot be reached, so the
// booth works offline meanwhile), then runs the uplink. Until enrolment the public
// URL for QR links is the configured fallback; afterwards the hub's.
class HubConnection {
public:
    HubConnection(boost::asio::io_context& loop, const std::filesystem::path& data_dir,
                  Outbox& outbox, std::optional<std::string> join_token,
                  std::string fallback_public_url);
    ~HubConnection();
    HubConnection(const HubConnection&) = delete;
    HubConnection& operator=(const HubConnection&) = delete;

    // Throws std::invalid_argument with advice when the join token is malformed.
    void start();
    void stop();
    // Venue prints (docs/protocol.md): set before start().
    void set_venue(VenueHooks hooks);
    // New photos or orders are in the outbox, or a venue report waits.
    void nudge();
    const std::string& public_url() const;
    // Runs on the loop whenever the public URL changes (enrolment, or the hub announcing
    // a new one), with the new URL.
    void on_public_url_changed(std::function<void(const std::string&)> observer);
    HubConnectionStatus status();

    struct State;

private:
    std::shared_ptr<State> state_;
};

} // namespace encore::kiosk
