// kioskd: the booth firmware. main() only wires the components together.

#include "kiosk/app/kiosk_config.hpp"
#include "kiosk/journal/journal.hpp"
#include "kiosk/outbox/outbox.hpp"
#include "kiosk/uplink/hub_connection.hpp"
#include "platform/config/daemon_options.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/http/server.hpp"
#include "platform/runtime/program.hpp"
#include "platform/runtime/service_notify.hpp"
#include "platform/runtime/signals.hpp"
#include "platform/version.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>

namespace {

using namespace encore;
namespace http = platform::http;

http::Router make_router(kiosk::HubConnection& hub) {
    http::Router router;
    router.add(
        http::Method::get, "/healthz",
        [&hub](const http::Request& request) -> boost::asio::awaitable<http::Response> {
            const auto status = hub.status();
            const nlohmann::json body = {
                {"service", "kioskd"},
                {"version", platform::version},
                {"status", "ok"},
                {"hub",
                 {{"enrolled", status.enrolled},
                  {"kiosk", status.kiosk},
                  {"public_url", status.public_url},
                  {"connected", status.uplink.connected},
                  {"last_error", status.uplink.last_error.empty() ? status.enrolment_error
                                                                  : status.uplink.last_error},
                  {"backlog_photos", status.uplink.backlog.pending_photos},
                  {"backlog_orders", status.uplink.backlog.pending_orders},
                  {"last_sync", status.uplink.backlog.last_sync.value_or("")}}}};
            co_return http::json_response(request, http::Status::ok, body);
        });
    return router;
}

int run(int argc, char** argv) {
    platform::ignore_sigpipe();
    platform::CommandLine command_line(
        "kioskd", "[OPTIONS]", "Encore booth firmware: camera, prints and the touchscreen UI.");
    platform::config::DaemonOptions options(command_line);
    options.add_override("data", "DIR", "data_dir", "keep the journal and photos in DIR");
    options.add_override("ui", "HOST:PORT", "ui.listen", "serve the touchscreen UI here");
    options.add_override("hub-token", "TOKEN", "hub.token",
                         "join the hub with this token from `encore enrol-token` (first start)");
    if (const auto exit_code = command_line.parse(argc, argv)) {
        return *exit_code;
    }
    kiosk::KioskConfig config;
    if (const auto exit_code = platform::config::load_daemon_config<kiosk::KioskConfig>(
            "kioskd", options, kiosk::read_kiosk_config, config)) {
        return *exit_code;
    }
    platform::configure_logging(config.log);
    platform::Logger log("kioskd");

    platform::prepare_data_directory(config.data_dir);

    // The journal first: opening it is the recovery from whatever stopped us last.
    const auto journal = kiosk::Journal::open(config.data_dir);
    for (const auto& note : journal->recovery().notes) {
        log.warning("recovery: ", note);
    }
    kiosk::Outbox outbox(*journal);

    boost::asio::io_context loop;
    kiosk::HubConnection hub(loop, config.data_dir, outbox, config.hub_token, config.public_url);
    hub.start();
    const auto router = make_router(hub);
    http::Server ui_server(loop, config.ui_listen, router, "ui");
    platform::StopSignals stop_signals(loop, [&](int) {
        hub.stop();
        ui_server.stop();
        loop.stop();
    });

    log.info("kioskd ", platform::version, " data in ", config.data_dir.string());
    std::cout << "kioskd listening ui=http://" << ui_server.local_endpoint().to_string() << "/"
              << std::endl;
    platform::notify_service_manager("READY=1");
    loop.run();
    log.info("stopped");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    return encore::platform::run_program("kioskd", [&] { return run(argc, argv); });
}
