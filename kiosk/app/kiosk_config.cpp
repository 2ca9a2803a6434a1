#include "kiosk/app/kiosk_config.hpp"

namespace encore::kiosk {

void read_kiosk_config(platform::config::ObjectReader& root, KioskConfig& config) {
    root.read("data_dir", config.data_dir);
    auto ui = root.object("ui");
    ui.read("listen", config.ui_listen);
    ui.finish();
    auto hub = root.object("hub");
    hub.read("token", config.hub_token);
    hub.read("public_url", config.public_url);
    hub.finish();
    if (!config.public_url.starts_with("http://") && !config.public_url.starts_with("https://")) {
        root.problem("hub.public_url",
                     "expected an http:// or https:// URL, got \"" + config.public_url + "\"");
    }
    while (config.public_url.ends_with('/')) {
        config.public_url.pop_back();
    }
    auto log = root.object("log");
    platform::config::read_log_settings(log, config.log);
}

} // namespace encore::kiosk
