#include "hub/app/hub_config.hpp"

#include <boost/asio/ip/address.hpp>
#include <nlohmann/json.hpp>

namespace encore::hub {

namespace {

// settlement.events: {"<event>": {"price_list": {...}, "venue_pickup": false}, ...}.
void read_event_settlements(platform::config::ObjectReader& events,
                            std::map<std::string, settlement::EventSettings, std::less<>>& out) {
    for (const auto& name : events.remaining_keys()) {
        if (name.empty()) {
            events.value(name);
            events.problem(name, "an event needs its name as the booths' event file gives it");
            continue;
        }
        const auto* value = events.value(name);
        if (value == nullptr || !value->is_object()) {
            events.problem(name, "event \"" + name +
                                     "\": expected an object such as {\"price_list\": {...}, "
                                     "\"venue_pickup\": false}");
            continue;
        }
        auto event = events.object(name);
        settlement::EventSettings settings;
        event.read_custom("price_list", [&](const nlohmann::json& json) {
            settlement::PriceList prices;
            auto error = settlement::parse_price_list(json, prices);
            if (error) {
                return std::optional<std::string>("event \"" + name + "\": " + *error);
            }
            settings.prices = std::move(prices);
            return std::optional<std::string>();
        });
        if (const auto* pickup = event.value("venue_pickup")) {
            if (pickup->is_boolean()) {
                settings.venue_pickup = pickup->get<bool>();
            } else {
                event.problem("venue_pickup", "event \"" + name +
                                                  "\": expected true (guests may pick up at "
                                                  "the venue) or false");
            }
        }
        event.finish();
        out.insert_or_assign(name, std::move(settings));
    }
}

} // namespace

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
    auto events = settlement_side.object("events");
    read_event_settlements(events, config.settlement_events);
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
