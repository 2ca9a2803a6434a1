// kioskd: the booth firmware. main() only wires the components together.

#include "drivers/camera/camera_supervisor.hpp"
#include "drivers/camera/hosted_camera.hpp"
#include "drivers/printer/cups_printer.hpp"
#include "drivers/printer/ledger.hpp"
#include "kiosk/app/kiosk_config.hpp"
#include "kiosk/devices/booth_camera.hpp"
#include "kiosk/devices/booth_printer.hpp"
#include "kiosk/devices/interrupted_prints.hpp"
#include "kiosk/devices/venue_prints.hpp"
#include "kiosk/journal/journal.hpp"
#include "kiosk/outbox/outbox.hpp"
#include "kiosk/session/event.hpp"
#include "kiosk/session/guest_flow.hpp"
#include "kiosk/ui/ui_server.hpp"
#include "kiosk/uplink/hub_connection.hpp"
#include "platform/config/daemon_options.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/runtime/blocking_worker.hpp"
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
namespace camera = drivers::camera;
namespace printer = drivers::printer;

// What the operator screen and /healthz show of the booth itself.
nlohmann::json booth_facts(kiosk::HubConnection& hub, const kiosk::Journal& journal) {
    const auto status = hub.status();
    return {{"version", platform::version},
            {"recovery", journal.recovery().notes},
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
}

// New photos and orders go to the hub at once rather than at the uplink's next look.
kiosk::session::GuestFlow::Observer nudge_on_new_data(kiosk::HubConnection& hub) {
    return [&hub, photos = std::size_t{0},
            order = std::string()](const kiosk::session::Snapshot& snapshot) mutable {
        const auto order_now = snapshot.order ? snapshot.order->order_id : std::string();
        if (snapshot.photos.size() != photos || order_now != order) {
            photos = snapshot.photos.size();
            order = order_now;
            hub.nudge();
        }
    };
}

int run(int argc, char** argv) {
    platform::ignore_sigpipe();
    platform::CommandLine command_line(
        "kioskd", "[OPTIONS]", "Encore booth firmware: camera, prints and the touchscreen UI.");
    platform::config::DaemonOptions options(command_line);
    options.add_override("data", "DIR", "data_dir", "keep the journal and photos in DIR");
    options.add_override("ui", "HOST:PORT", "ui.listen", "serve the touchscreen UI here");
    options.add_override("event", "FILE", "event",
                         "the event: layout, copies, countdown, languages, operator PIN");
    options.add_override("camera", "PORT", "camera.port",
                         "the camera's libgphoto2 port: auto, usb:BUS,DEV or ptpip:HOST:P:P");
    options.add_override("camera-model", "MODEL", "camera.model",
                         "the camera's libgphoto2 model name (for ptpip: \"PTP/IP Camera\")");
    options.add_override("printer", "QUEUE", "printer.queue", "print on this CUPS queue");
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
    const auto event = kiosk::session::load_event(config.event_file);

    platform::prepare_data_directory(config.data_dir);
    // The journal first: opening it is the recovery from whatever stopped us last.
    const auto journal = kiosk::Journal::open(config.data_dir);
    for (const auto& note : journal->recovery().notes) {
        log.warning("recovery: ", note);
    }
    kiosk::Outbox outbox(*journal);

    boost::asio::io_context loop;
    // Composing prints, thumbnails and print files: never on the loop.
    platform::BlockingWorker imaging(loop.get_executor(), "imaging");

    camera::HostedCamera camera(loop.get_executor());
    camera::SupervisorOptions camera_options;
    camera_options.selector = {config.camera_port, config.camera_model};
    camera::CameraSupervisor camera_supervisor(loop.get_executor(), camera, camera_options);
    kiosk::devices::BoothCamera booth_camera(camera_supervisor);
    const auto usb_monitor =
        kiosk::devices::follow_usb_cameras(loop.get_executor(), camera_supervisor);

    const auto cups = printer::make_cups_printer();
    auto print_ledger = printer::PrintLedger::open(config.data_dir / "print-ledger.db");
    kiosk::devices::BoothPrinterOptions printer_options;
    printer_options.queue = config.printer_queue;
    printer_options.prints_dir = config.data_dir / "prints";
    printer_options.media =
        kiosk::devices::media_for_print(event.layout.width_inches, event.layout.height_inches);
    printer_options.borderless = config.printer_borderless;
    kiosk::devices::BoothPrinter booth_printer(loop.get_executor(), *cups, print_ledger, imaging,
                                               printer_options);

    kiosk::HubConnection hub(loop, config.data_dir, outbox, config.hub_token, config.public_url);
    // Venue pickups: reorders the hub sends to print here; their reports go back to it.
    kiosk::devices::VenuePrints venue_prints(loop.get_executor(), config.data_dir / "venue.db",
                                             *journal, booth_printer, imaging);
    venue_prints.on_report([&hub] { hub.nudge(); });
    hub.set_venue(
        {[&venue_prints](const platform::wire::VenuePrint& print) { venue_prints.accept(print); },
         [&venue_prints] { return venue_prints.next_report(); },
         [&venue_prints](const platform::wire::Ack& report) {
             venue_prints.report_acknowledged(report);
         },
         [&venue_prints] { return venue_prints.next_photo_wanted(); },
         [&venue_prints](const platform::wire::Chunk& chunk) {
             return venue_prints.photo_chunk(chunk);
         },
         [&venue_prints](const platform::wire::VenuePhotoUnavailable& answer) {
             venue_prints.photo_unavailable(answer);
         }});
    kiosk::session::GuestFlow flow(loop.get_executor(), event, *journal, imaging, booth_camera,
                                   booth_printer, {hub.public_url()});
    hub.on_public_url_changed([&flow](const std::string& url) { flow.set_public_url(url); });
    booth_camera.on_status_changed([&flow] { flow.device_status_changed(); });
    booth_printer.on_status_changed([&flow] { flow.device_status_changed(); });
    flow.add_observer(nudge_on_new_data(hub));

    kiosk::ui::UiOptions ui_options;
    ui_options.listen = config.ui_listen;
    ui_options.booth_info = [&hub, &journal] { return booth_facts(hub, *journal); };
    ui_options.pickups = [&venue_prints] {
        return kiosk::devices::pickup_list(venue_prints.pickups());
    };
    ui_options.mark_picked_up = [&venue_prints](const std::string& reorder) {
        return kiosk::devices::picked_up_problem(venue_prints.mark_picked_up(reorder), reorder);
    };
    kiosk::ui::UiServer ui(loop, flow, booth_camera, ui_options);

    camera_supervisor.start();
    booth_printer.start();
    kiosk::devices::print_interrupted_orders(*journal, print_ledger, flow);
    venue_prints.start();
    hub.start();
    platform::StopSignals stop_signals(loop, [&](int) {
        ui.stop();
        hub.stop();
        booth_printer.stop();
        camera_supervisor.stop([](camera::Result<void>) {});
        loop.stop();
    });

    log.info("kioskd ", platform::version, " event \"", event.name, "\", data in ",
             config.data_dir.string());
    std::cout << "kioskd listening ui=http://" << ui.local_endpoint().to_string() << "/"
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
