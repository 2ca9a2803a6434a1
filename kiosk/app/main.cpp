// kioskd: the booth firmware. main() only wires the components together.

#include "kiosk/app/kiosk_config.hpp"
#include "platform/config/daemon_options.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/http/server.hpp"
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

http::Router make_router() {
    http::Router router;
    http::add_health_route(
        router, {{"service", "kioskd"}, {"version", platform::version}, {"status", "ok"}});
    return router;
}

int run(int argc, char** argv) {
    platform::ignore_sigpipe();
    platform::CommandLine command_line(
        "kioskd", "[OPTIONS]", "Encore booth firmware: camera, prints and the touchscreen UI.");
    platform::config::DaemonOptions options(command_line);
    options.add_override("data", "DIR", "data_dir", "keep the journal and photos in DIR");
    options.add_override("ui", "HOST:PORT", "ui.listen", "serve the touchscreen UI here");
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

    boost::asio::io_context loop;
    const auto router = make_router();
    http::Server ui_server(loop, config.ui_listen, router, "ui");
    platform::StopSignals stop_signals(loop, [&](int) {
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
    try {
        return run(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << "kioskd: " << error.what() << "\n";
        return 1;
    }
}
