#pragma once

#include "kiosk/session/guest_flow.hpp"
#include "kiosk/session/ports.hpp"
#include "kiosk/ui/operator_gate.hpp"
#include "platform/config/endpoint.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

// The touchscreen UI's server: the screen's browser (in kiosk mode, on the same board)
// loads the UI from here, follows the guest flow over a WebSocket, shows the camera's
// live view as an MJPEG stream and drives the flow through a small JSON API
// (docs/kiosk-api.md). The operator screen's routes sit behind the event's PIN.
//
// Security: it listens on 127.0.0.1 unless told otherwise; every page carries a
// Content-Security-Policy without inline scripts or styles; requests whose Host is not
// the booth's, and POSTs or WebSocket upgrades from another Origin, are refused (DNS
// rebinding, cross-site requests); operator routes need a session bought with the PIN,
// whose attempts are rate limited (operator_gate.hpp).
namespace encore::kiosk::ui {

struct UiOptions {
    platform::Endpoint listen{"127.0.0.1", 8080};
    // Empty: the assets built into the binary. A folder: its files, for UI work.
    std::filesystem::path assets_dir;
    // Host names the screen may use besides localhost, 127.0.0.1, [::1] and the listen
    // address (for a screen on another machine when listening beyond localhost).
    std::vector<std::string> allowed_hosts;
    // The live view is pulled from the camera at most this often, whatever the number of
    // screens watching; nobody watching, nothing is pulled.
    int live_view_max_fps = 20;
    GateOptions operator_gate;
    // Extra facts for the operator screen ("booth" in GET /api/operator/status), for
    // kioskd to fill: version, journal recovery notes, outbox, uplink.
    std::function<nlohmann::json()> booth_info;
    // Venue pickups for the operator screen (GET /api/operator/pickups answers
    // {"pickups": [...]} with what this returns), and the operator's "picked up"
    // (POST /api/operator/pickups/picked-up {"reorder": ID}): returns an empty string, or
    // why not for the operator. Empty: the booth has no pickups.
    std::function<nlohmann::json()> pickups;
    std::function<std::string(const std::string& reorder)> mark_picked_up;
};

class UiServer {
public:
    // Borrows the loop, the flow and the live view; they must outlive the server. Binds
    // and starts serving at once; throws std::system_error naming the address when it
    // cannot listen (a start-up failure).
    UiServer(boost::asio::io_context& loop, session::GuestFlow& flow, session::LiveView& live_view,
             UiOptions options = {});
    // Stops (see stop()).
    ~UiServer();
    UiServer(const UiServer&) = delete;
    UiServer& operator=(const UiServer&) = delete;

    // The address bound (the real port when asked for port 0).
    platform::Endpoint local_endpoint() const;

    // Stops accepting, ends the WebSocket and MJPEG streams, and stops using the flow
    // and the live view. Call it on the loop's thread before they go away.
    void stop();

    // Shared with the coroutines of open connections; public only so ui_server.cpp can
    // name it.
    struct State;

private:
    std::shared_ptr<State> state_;
};

} // namespace encore::kiosk::ui
