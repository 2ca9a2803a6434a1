#include "hub/app/hub_config.hpp"

#include <boost/asio/ip/address.hpp>
#include <nlohmann/json.hpp>

namespace encore::hub {

void read_hub_config(platform::config::ObjectReader& root, HubConfig& config) {
    root.read("data_dir", config.data_dir);
    auto public_side = root.object("public");
    public_side.read("listen", config.public_listen);
    public_side.read("trusted_proxies", config.public_trusted_proxies);
    for (const auto& proxy : config.public_trusted_proxies) {
        boost::system::error_code error;
        boost::asio::ip::make_address(proxy, error);
        if (error) {
            public_side.problem("trusted_proxies", "expected IP addresses, got \"" + proxy + "\"");
        }
    }
    public_side.read("preview_cache_mb", config.public_preview_cache_mb, 0, 4096);
    public_side.finish();
    auto private_side = root.object("private");
    private_side.read("listen", config.private_listen);
    private_side.finish();
    auto kiosk_link = root.object("kiosk_link");
    kiosk_link.read("listen", config.kiosk_link_listen);
    kiosk_link.read("advertise", config.kiosk_link_advertise);
    kiosk_link.read("heartbeat_seconds", config.kiosk_link_heartbeat_seconds, 2, 600);
    kiosk_link.finish();
    if (!config.kiosk_link_advertise.empty() &&
        !platform::parse_endpoint(config.kiosk_link_advertise)) {
        root.problem("kiosk_link.advertise",
                     "expected \"HOST:PORT\" as booths reach the hub, got \"" +
                         config.kiosk_link_advertise + "\"");
    }
    root.read("public_url", config.public_url);
    if (!config.public_url.starts_with("http://") && !config.public_url.starts_with("https://")) {
        root.problem("public_url",
                     "expected an http:// or https:// URL, got \"" + config.public_url + "\"");
    }
    while (config.public_url.ends_with('/')) {
        config.public_url.pop_back();
    }
    auto settlement_side = root.object("settlement");
    settlement_side.read_choice("provider", config.settlement_provider, {"dev"});
    settlement_side.read_custom("price_list", [&config](const nlohmann::json& value) {
        return settlement::parse_price_list(value, config.settlement_price_list);
    });
    settlement_side.read("venue_pickup", config.settlement_venue_pickup);
    settlement_side.read("counter", config.settlement_counter);
    settlement_side.finish();
    auto desk = root.object("desk");
    desk.read("lab_queue", config.desk_lab_queue);
    desk.read("templates_dir", config.desk_templates_dir);
    desk.read("auto_release_events", config.desk_auto_release_events);
    desk.finish();
    if (config.desk_lab_queue.empty()) {
        root.problem("desk.lab_queue", "must name a CUPS queue (`lpstat -p` lists them)");
    }
    auto shipping = root.object("shipping");
    shipping.read_choice("paper", config.shipping_paper, {"a4", "letter"});
    shipping.finish();
    auto log = root.object("log");
    platform::config::read_log_settings(log, config.log);
    if (config.public_listen == config.private_listen && config.public_listen.port != 0) {
        // The back office must never be reachable through the public listener.
        root.problem("private.listen", "must differ from \"public.listen\" (" +
                                           config.public_listen.to_string() +
                                           "): the back office needs its own address");
    }
}

platform::Endpoint advertised_kiosk_link(const HubConfig& config) {
    if (const auto advertised = platform::parse_endpoint(config.kiosk_link_advertise)) {
        return *advertised;
    }
    auto endpoint = config.kiosk_link_listen;
    if (endpoint.host == "0.0.0.0" || endpoint.host == "::") {
        endpoint.host = "127.0.0.1";
    }
    return endpoint;
}

} // namespace encore::hub
