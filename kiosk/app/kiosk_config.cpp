#include "kiosk/app/kiosk_config.hpp"

namespace encore::kiosk {

void read_kiosk_config(platform::config::ObjectReader& root, KioskConfig& config) {
    root.read("data_dir", config.data_dir);
    auto ui = root.object("ui");
    ui.read("listen", config.ui_listen);
    ui.finish();
    root.read("event", config.event_file);
    if (config.event_file.empty()) {
        root.problem("event", "required: the event file (layout, copies, operator PIN); "
                              "start from kiosk/session/events/demo.json");
    }
    auto camera = root.object("camera");
    camera.read("port", config.camera_port);
    camera.read("model", config.camera_model);
    camera.finish();
    auto printer = root.object("printer");
    printer.read("queue", config.printer_queue);
    printer.read("borderless", config.printer_borderless);
    printer.finish();
    if (config.printer_queue.empty()) {
        root.problem("printer.queue", "must name a CUPS queue (`lpstat -p` lists them)");
    }
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
