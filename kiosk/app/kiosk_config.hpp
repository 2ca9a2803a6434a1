#pragma once

#include "platform/config/config_reader.hpp"
#include "platform/config/endpoint.hpp"
#include "platform/log/logger.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace encore::kiosk {

// Every setting of kioskd, with its default. docs/configuration.md lists the keys.
struct KioskConfig {
    // Where the journal, photos and prints live; must be on durable storage.
    std::filesystem::path data_dir = "/var/lib/encore/kiosk";
    // The touchscreen UI's HTTP server; the screen's browser opens it.
    platform::Endpoint ui_listen{"127.0.0.1", 8080};
    // The event file: layout, countdown, copies, languages, operator PIN. Required.
    std::filesystem::path event_file;
    // The camera's libgphoto2 port ("auto": the first camera on USB; "usb:001,004";
    // "ptpip:HOST:PORT:PORT") and model (may stay empty for a USB port).
    std::string camera_port = "auto";
    std::string camera_model;
    // The CUPS queue of the booth's printer; the print server is libcups's (CUPS_SERVER,
    // client.conf, else the local cupsd).
    std::string printer_queue = "booth";
    // Borderless prints (the photo fills the paper); off for printers without it.
    bool printer_borderless = true;
    // The join token from `encore enrol-token`, used once on first start.
    std::optional<std::string> hub_token;
    // The base of QR links until the booth is enrolled with a hub (then the hub's).
    std::string public_url = "http://localhost:8081";
    platform::LogSettings log;
};

// Fills `config` from the root object of a kioskd config file.
void read_kiosk_config(platform::config::ObjectReader& root, KioskConfig& config);

} // namespace encore::kiosk
