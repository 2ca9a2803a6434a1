// hubd: the store daemon. main() only wires the components together.

#include "hub/app/hub_config.hpp"
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
    options.add_override("public-listen", "HOST:PORT", "public.listen",
                         "serve guests and payment webhooks here");
    options.add_override("private-listen", "HOST:PORT", "private.listen",
                         "serve the back office here");
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

    boost::asio::io_context loop;
    const auto public_router = make_health_router("public");
    const auto private_router = make_health_router("private");
    http::Server public_server(loop, config.public_listen, public_router, "public");
    http::Server private_server(loop, config.private_listen, private_router, "private");
    platform::StopSignals stop_signals(loop, [&](int) {
        public_server.stop();
        private_server.stop();
        loop.stop();
    });

    log.info("hubd ", platform::version, " data in ", config.data_dir.string());
    std::cout << "hubd listening public=http://" << public_server.local_endpoint().to_string()
              << "/ private=http://" << private_server.local_endpoint().to_string() << "/"
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
        std::cerr << "hubd: " << error.what() << "\n";
        return 1;
    }
}
