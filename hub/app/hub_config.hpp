#pragma once

#include "hub/settlement/price_list.hpp"
#include "hub/settlement/settlement.hpp"
#include "platform/config/config_reader.hpp"
#include "platform/config/endpoint.hpp"
#include "platform/log/logger.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace encore::hub {

// Every setting of hubd, with its default. docs/configuration.md lists the keys.
struct HubConfig {
    // Orders database, image store and the admin token live here.
    std::filesystem::path data_dir = "/var/lib/encore/hub";
    // The first (public) network: guests' phones, payment webhooks.
    platform::Endpoint public_listen{"0.0.0.0", 8081};
    // Reverse proxies (IP addresses) in front of the public listener whose
    // X-Forwarded-For names the guest, for the short-code rate limit.
    std::vector<std::string> public_trusted_proxies;
    // Megabytes of guests' photo previews kept in memory (0: read from disk each time).
    int public_preview_cache_mb = 64;
    // The second (private) network: order desk, lab printing, shipping, admin API.
    platform::Endpoint private_listen{"127.0.0.1", 8082};
    // The kiosk link (TLS): booths send photos and orders here.
    platform::Endpoint kiosk_link_listen{"0.0.0.0", 8443};
    // The address booths use to reach the kiosk link, put into join tokens and the
    // link's certificate; empty means the listen address (0.0.0.0 as 127.0.0.1).
    std::string kiosk_link_advertise;
    int kiosk_link_heartbeat_seconds = 15;
    // Where guests reach the public side; the base of every QR link.
    std::string public_url = "http://localhost:8081";
    // The payment provider whose hosted checkout guests pay on: "dev" (built in, no
    // money moves; its webhook secret is generated into DATA/dev_provider.secret).
    std::string settlement_provider = "dev";
    // Products and prices of reorders while events carry no price list of their own.
    settlement::PriceList settlement_price_list = settlement::default_price_list();
    // Whether a guest may pick reorders up at the venue instead of having them shipped.
    bool settlement_venue_pickup = true;
    // Events (by name, as the booths report it) with a price list or venue pickup of their
    // own; every other event uses the two settings above.
    std::map<std::string, settlement::EventSettings, std::less<>> settlement_events;
    // Whether a guest may choose to pay at the venue or store counter (cash or voucher),
    // confirmed by a clerk from the back office.
    bool settlement_counter = false;
    // The CUPS queue of the lab printer the order desk releases reorders to; the print
    // server is libcups's (CUPS_SERVER, client.conf, else the local cupsd).
    std::string desk_lab_queue = "lab";
    // The print templates (single-4x6.json, single-5x7.json, single-8x10.json,
    // strip-2x6.json) reorders are rendered with.
    std::filesystem::path desk_templates_dir = "/usr/share/encore/templates";
    // The paper packing slips are laid out for: "a4" or "letter".
    std::string shipping_paper = "a4";
    // Events (by name, as the booths' event files call them) whose paid reorders go to
    // the lab without a clerk; "*" for every event. Empty: the desk releases each one.
    std::vector<std::string> desk_auto_release_events;
    platform::LogSettings log;
};

// The kiosk link's address as booths use it (kiosk_link.advertise or the listen address).
platform::Endpoint advertised_kiosk_link(const HubConfig& config);

// Fills `config` from the root object of a hubd config file.
void read_hub_config(platform::config::ObjectReader& root, HubConfig& config);

} // namespace encore::hub
