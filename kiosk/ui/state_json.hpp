#pragma once

#include "kiosk/session/guest_flow.hpp"

#include <nlohmann/json.hpp>

// The UI's JSON shapes (documented in docs/kiosk-api.md).
namespace encore::kiosk::ui {

// GET /api/state and every WebSocket push: {"state": "countdown", ...}.
nlohmann::json state_json(const session::Snapshot& snapshot);

// A device on the operator screen, with its full message.
nlohmann::json device_json(const session::DeviceStatus& status);

// GET /api/event: what the guest screens need to know about the event.
nlohmann::json public_event_json(const session::EventSettings& event);

// GET /api/operator/status, without the booth's extra facts.
nlohmann::json operator_status_json(const session::GuestFlow& flow);

} // namespace encore::kiosk::ui
