#pragma once

#include "platform/config/config_reader.hpp"
#include "platform/config/endpoint.hpp"
#include "platform/log/logger.hpp"

#include <filesystem>

namespace encore::hub {

// Every setting of hubd, with its default. docs/configuration.md lists the keys.
struct HubConfig {
    // Orders database, image store and the admin token live here.
    std::filesystem::path data_dir = "/var/lib/encore/hub";
    // The first (public) network: guests' phones, payment webhooks.
    platform::Endpoint public_listen{"0.0.0.0", 8081};
    // The second (private) network: order desk, lab printing, shipping, admin API.
    platform::Endpoint private_listen{"127.0.0.1", 8082};
    platform::LogSettings log;
};

// Fills `config` from the root object of a hubd config file.
void read_hub_config(platform::config::ObjectReader& root, HubConfig& config);

} // namespace encore::hub
