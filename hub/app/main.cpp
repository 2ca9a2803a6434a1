// hubd: the store daemon. main() only wires the components together.

#include "drivers/printer/cups_printer.hpp"
#include "hub/admin/admin_api.hpp"
#include "hub/app/hub_config.hpp"
#include "hub/backoffice/backoffice_pages.hpp"
#include "hub/desk/order_desk.hpp"
#include "hub/intake/intake_server.hpp"
#include "hub/intake/kiosk_registry.hpp"
#include "hub/settlement/counter_provider.hpp"
#include "hub/settlement/dev_provider.hpp"
#include "hub/settlement/ledger.hpp"
#include "hub/settlement/settlement.hpp"
#include "hub/shipping/shipping_station.hpp"
#include "hub/staff/staff_directory.hpp"
#include "hub/staff/staff_login.hpp"
#include "hub/store/image_store.hpp"
#include "hub/store/order_repository.hpp"
#include "hub/venue/venue_queue.hpp"
#include "hub/web/guest_web.hpp"
#include "platform/config/daemon_options.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/http/server.hpp"
#include "platform/runtime/blocking_worker.hpp"
#include "platform/runtime/program.hpp"
#include "platform/runtime/service_notify.hpp"
#include "platform/runtime/signals.hpp"
#include "platform/version.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace {

using namespace encore;
namespace http = platform::http;

http::Router make_health_router(std::string listener) {
    http::Router router;
    http::add_health_route(router, {{"service", "hubd"},
                                    {"listener", std::move(listener)},
                                    {"version", platform::version},
                                    {"status", "ok"}});
    return router;
}

int run(int argc, char** argv) {
    platform::ignore_sigpipe();
    platform::CommandLine command_line("hubd", "[OPTIONS]",
                                       "Encore store daemon: kiosk intake, guest reorders, order "
                                       "desk, lab printing and shipping.");
    platform::config::DaemonOptions options(command_line);
    options.add_override("data", "DIR", "data_dir", "keep orders and images in DIR");
    options.add_override("kiosk-listen", "HOST:PORT", "kiosk_link.listen",
                         "accept booths (TLS) here");
    options.add_override("public-listen", "HOST:PORT", "public.listen",
                         "serve guests and payment webhooks here");
    options.add_override("private-listen", "HOST:PORT", "private.listen",
                         "serve the back office here");
    options.add_override("public-url", "URL", "public_url", "the URL guests reach the hub at");
    if (const auto exit_code = command_line.parse(argc, argv)) {
        return *exit_code;
    }
    hub::HubConfig config;
    if (const auto exit_code = platform::config::load_daemon_config<hub::HubConfig>(
            "hubd", options, hub::read_hub_config, config)) {
        return *exit_code;
    }
    platform::configure_logging(config.log);
    platform::Logger log("hubd");
    platform::prepare_data_directory(config.data_dir);

    // Storage first: everything else hands work to it.
    const auto advertised_link = hub::advertised_kiosk_link(config);
    hub::KioskRegistry registry(config.data_dir, advertised_link.host);
    hub::ImageStore images(config.data_dir / "images");
    const auto orders = hub::open_sqlite_order_repository(config.data_dir / "orders.db");
    const auto admin_token = hub::load_or_create_admin_token(config.data_dir);
    hub::staff::StaffDirectory staff(config.data_dir / "staff.db");
    hub::settlement::Ledger ledger(config.data_dir / "settlement.db");
    // Released pickup reorders wait here for the booth that took the photos.
    hub::venue::VenueQueue venue(config.data_dir / "venue.db", ledger, *orders);
    if (const auto recovered = venue.recover(); recovered > 0) {
        log.info(recovered, " released pickup reorders queued for their booths after a restart");
    }

    boost::asio::io_context loop;
    hub::IntakeSettings intake_settings;
    intake_settings.listen = config.kiosk_link_listen;
    intake_settings.public_url = config.public_url;
    intake_settings.heartbeat = std::chrono::seconds(config.kiosk_link_heartbeat_seconds);
    hub::IntakeServer intake(loop, intake_settings, registry, images, *orders, &venue);

    // Settlement before the guest pages, which send guests to its checkout.
    hub::settlement::DevProvider payment_provider(
        loop.get_executor(), config.data_dir / "dev_provider.db",
        hub::settlement::load_or_create_webhook_secret(config.data_dir / "dev_provider.secret"));
    hub::settlement::CounterProvider counter_provider;
    const hub::settlement::SettlementSettings settlement_settings{
        config.settlement_price_list, config.settlement_venue_pickup, config.settlement_counter,
        config.settlement_events};
    hub::settlement::Settlement settlement(settlement_settings, ledger, payment_provider,
                                           &counter_provider);

    // Vouchers issued for one event pay only reorders of that event's orders.
    settlement.set_order_events([&orders](const std::string& order_id) {
        const auto order = orders->find_order(order_id);
        return order ? order->event : std::string();
    });

    auto public_router = make_health_router("public");
    hub::web::GuestWebSettings guest_web_settings;
    guest_web_settings.data_dir = config.data_dir;
    guest_web_settings.trusted_proxies = config.public_trusted_proxies;
    guest_web_settings.preview_memory =
        static_cast<std::size_t>(config.public_preview_cache_mb) * 1024 * 1024;
    hub::web::GuestWeb guest_web(loop.get_executor(), guest_web_settings, *orders, images,
                                 &settlement);
    guest_web.add_routes(public_router);
    hub::settlement::add_webhook_route(public_router, settlement);
    // A prefix route of its own: after the guest pages' catch-all.
    payment_provider.add_routes(public_router);
    auto private_router = make_health_router("private");
    // With port 0 the system chose the port: join tokens must carry the real one.
    auto join_link = advertised_link;
    if (join_link.port == 0) {
        join_link.port = intake.local_endpoint().port;
    }
    // The order desk prints paid reorders on the lab printer through its own spooler.
    const auto lab_templates = hub::desk::load_lab_templates(config.desk_templates_dir);
    if (lab_templates) {
        // Guests can still buy such a product; the desk refuses to release it.
        for (const auto& [event, product] :
             hub::settlement::unprintable_products(settlement_settings, [&](std::string_view id) {
                 return lab_templates->find(id) != nullptr;
             })) {
            log.warning(event.empty() ? std::string("settlement.price_list")
                                      : "the price list of event \"" + event + "\"",
                        " offers product \"", product,
                        "\", which has no print template: the order desk will refuse to "
                        "release its reorders; offer only products the lab prints (see "
                        "desk.templates_dir in docs/configuration.md)");
        }
    }
    const auto lab_printer = drivers::printer::make_cups_printer();
    auto lab_ledger = drivers::printer::PrintLedger::open(config.data_dir / "lab-ledger.db");
    drivers::printer::PrintSpooler lab_spooler(loop.get_executor(), *lab_printer, lab_ledger, {},
                                               [](const drivers::printer::PrintEvent&) {});
    platform::BlockingWorker desk_worker(loop.get_executor(), "desk");
    hub::desk::OrderDesk desk(loop.get_executor(), ledger, images, *orders,
                              lab_templates ? &*lab_templates : nullptr, lab_spooler, lab_ledger,
                              desk_worker,
                              {config.desk_lab_queue, config.data_dir / "lab", config.public_url,
                               config.data_dir / "desk.db", config.desk_auto_release_events});
    desk.on_pickup_release(
        [&venue](const hub::settlement::Reorder& reorder) { return venue.queue(reorder); });
    lab_spooler.start();
    boost::asio::co_spawn(loop, desk.resume_released(), boost::asio::detached);
    desk.start_auto_release(std::chrono::seconds(2));

    hub::shipping::ShippingStation shipping(
        loop.get_executor(), ledger, desk, images, *orders,
        {hub::shipping::parse_paper(config.shipping_paper).value_or(hub::shipping::Paper::a4)});

    hub::AdminContext admin{
        admin_token, join_link, config.public_url, registry, intake, images, *orders,
        staff,       desk,      shipping,          ledger};
    admin.settlement = &settlement;
    hub::add_admin_routes(private_router, admin);
    hub::staff::StaffLogin staff_login(loop.get_executor(), staff);
    staff_login.add_routes(private_router);
    hub::backoffice::BackOffice back_office{staff_login, desk,        shipping,
                                            *orders,     &settlement, &venue};
    hub::backoffice::add_backoffice_routes(private_router, back_office);
    http::Server public_server(loop, config.public_listen, public_router, "public");
    http::Server private_server(loop, config.private_listen, private_router, "private");
    // The dev provider's webhooks come in over HTTP like a real provider's, on the
    // public listener as bound (with port 0 the system chose it).
    auto webhook_target = public_server.local_endpoint();
    if (webhook_target.host == "0.0.0.0") {
        webhook_target.host = "127.0.0.1";
    } else if (webhook_target.host == "::") {
        webhook_target.host = "::1";
    }
    payment_provider.set_webhook_target(webhook_target);
    // Refunds stored but never answered (the hub stopped, a provider was down) are asked
    // again with their keys.
    boost::asio::co_spawn(loop, settlement.resume_refunds(), boost::asio::detached);
    platform::StopSignals stop_signals(loop, [&](int) {
        intake.stop();
        lab_spooler.stop();
        public_server.stop();
        private_server.stop();
        loop.stop();
    });

    log.info("hubd ", platform::version, " data in ", config.data_dir.string());
    std::cout << "hubd listening public=http://" << public_server.local_endpoint().to_string()
              << "/ private=http://" << private_server.local_endpoint().to_string()
              << "/ kiosk_link=" << intake.local_endpoint().to_string() << std::endl;
    platform::notify_service_manager("READY=1");
    loop.run();
    log.info("stopped");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    return encore::platform::run_program("hubd", [&] { return run(argc, argv); });
}
