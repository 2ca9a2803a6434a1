#include "kiosk/app/kiosk_config.hpp"

namespace encore::kiosk {

void read_kiosk_config(platform::config::ObjectReader& root, KioskConfig& config) {
    root.read("data_dir", config.data_dir);
    auto ui = root.object("ui");
    ui.read("listen", config.ui_listen);
    ui.finish();
    auto log = root.object("log");
    platform::config::read_log_settings(log, config.log);
}

} // namespace encore::kiosk
