#pragma once

#include <string_view>

namespace encore::platform {

// Tells a service manager (systemd's Type=notify) about the daemon's state, e.g.
// "READY=1" once listening or "STOPPING=1". Does nothing when NOTIFY_SOCKET is unset.
void notify_service_manager(std::string_view state);

} // namespace encore::platform
