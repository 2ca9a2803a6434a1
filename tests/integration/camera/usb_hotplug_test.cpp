// USB hotplug under umockdev: a hand-written Nikon D750 (04b0:0437) arrives and leaves
// in a mock /sys and /dev; the USB monitor reports both, and libgphoto2 lists the camera
// but cannot open it (a mock device node accepts no USB requests), which must read as
// "detected but cannot be opened" with the advice about gvfs.
//
// Runs under umockdev-wrapper (see CMakeLists.txt), which preloads the library that
// redirects /sys, /dev and udev's netlink socket into the testbed.

#include "drivers/camera/camera_supervisor.hpp"
#include "drivers/camera/hosted_camera.hpp"
#include "drivers/usb/usb_monitor.hpp"
#include "tests/integration/camera/camera_rig.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <string>
#include <umockdev.h>

using namespace encore::testing::camera;
using encore::testing::TempDir;
namespace usb = encore::drivers::usb;

namespace {

constexpr const char* camera_syspath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2";

// A Nikon D750 as udev would record it: device descriptor (class 0, 04b0:0437), one
// configuration with one still-image interface (class 6, subclass 1, protocol 1) and its
// bulk in, bulk out and interrupt endpoints.
constexpr const char* descriptors = "1201000200000040B0043704000101020301"
                                    "09022700010100C001"
                                    "090400000306010100"
                                    "07058102000200"
                                    "07050202000200"
                                    "07058303080009";

std::string nikon_record() {
    std::string record;
    record += std::string("P: /devices/pci0000:00/0000:00:14.0/usb1/1-2\n");
    record += std::string("N: bus/usb/001/004=") + descriptors + "\n";
    record += "E: SUBSYSTEM=usb\n"
              "E: DEVTYPE=usb_device\n"
              "E: DEVNAME=/dev/bus/usb/001/004\n"
              "E: DRIVER=usb\n"
              "E: BUSNUM=001\n"
              "E: DEVNUM=004\n"
              "E: PRODUCT=4b0/437/100\n"
              "E: TYPE=0/0/0\n"
              "E: ID_VENDOR_ID=04b0\n"
              "E: ID_MODEL_ID=0437\n"
              "E: ID_USB_INTERFACES=:060101:\n"
              "E: ID_GPHOTO2=1\n"
              "E: GPHOTO2_DRIVER=PTP\n"
              "A: idVendor=04b0\n"
              "A: idProduct=0437\n"
              "A: bcdDevice=0100\n"
              "A: bDeviceClass=00\n"
              "A: bDeviceSubClass=00\n"
              "A: bDeviceProtocol=00\n"
              "A: bNumConfigurations=1\n"
              "A: bConfigurationValue=1\n"
              "A: bNumInterfaces= 1\n"
              "A: bMaxPacketSize0=64\n"
              "A: busnum=1\n"
              "A: devnum=4\n"
              "A: devpath=2\n"
              "A: speed=480\n"
              "A: manufacturer=Nikon Corp.\n"
              "A: product=NIKON DSC D750\n"
              "A: serial=3012345\n";
    record += std::string("H: descriptors=") + descriptors + "\n";
    return record;
}

// A testbed for the duration of a test case.
class Testbed {
public:
    Testbed()
        : testbed_(umockdev_testbed_new()) {}
    ~Testbed() { g_object_unref(testbed_); }
    Testbed(const Testbed&) = delete;
    Testbed& operator=(const Testbed&) = delete;

    void add_camera() {
        GError* error = nullptr;
        const auto record = nikon_record();
        const bool added = umockdev_testbed_add_from_string(testbed_, record.c_str(), &error);
        std::string message = error != nullptr ? error->message : "";
        if (error != nullptr) {
            g_error_free(error);
        }
        REQUIRE_MESSAGE(added, "umockdev rejected the device record: ", message);
    }
    void uevent(const char* action) { umockdev_testbed_uevent(testbed_, camera_syspath, action); }
    void remove_camera() { umockdev_testbed_remove_device(testbed_, camera_syspath); }

private:
    UMockdevTestbed* testbed_;
};

template <typename Predicate>
bool run_until(boost::asio::io_context& loop, Predicate done,
               std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    loop.restart();
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        run_once(loop);
    }
    return done();
}

} // namespace

TEST_CASE("the test runs inside umockdev") {
    const Testbed testbed; // The wrapper's environment is complete once a testbed exists.
    REQUIRE_MESSAGE(umockdev_in_mock_environment(), "run this test through umockdev-wrapper");
}

TEST_CASE("the USB monitor reports a camera arriving, then leaving") {
    Testbed testbed;
    boost::asio::io_context loop;
    std::vector<usb::UsbEvent> events;
    auto monitor = usb::UsbMonitor::create(
        loop.get_executor(), {}, [&](const usb::UsbEvent& event) { events.push_back(event); });
    REQUIRE_MESSAGE(monitor.has_value(), (monitor ? "" : monitor.error().message));
    run_for(loop, std::chrono::milliseconds(100));
    CHECK(events.empty());

    testbed.add_camera();
    testbed.uevent("add");
    REQUIRE_MESSAGE(run_until(loop, [&] { return !events.empty(); }), "no arrival reported");
    const auto& arrived = events.front();
    CHECK(arrived.kind == usb::UsbEventKind::arrived);
    CHECK(arrived.device.vendor_id == 0x04b0);
    CHECK(arrived.device.product_id == 0x0437);
    CHECK(arrived.device.bus == 1);
    CHECK(arrived.device.address == 4);
    CHECK(arrived.device.has_class(usb::still_image_class));
    CHECK(!arrived.device.has_class(usb::printer_class));

    testbed.uevent("remove");
    testbed.remove_camera();
    REQUIRE_MESSAGE(run_until(loop, [&] { return events.size() >= 2; }), "no departure reported");
    const auto& left = events[1];
    CHECK(left.kind == usb::UsbEventKind::left);
    CHECK(left.device.vendor_id == 0x04b0);
    CHECK(left.device.product_id == 0x0437);
    CHECK(left.device.has_class(usb::still_image_class));
    CHECK(events.size() == 2);
}

TEST_CASE("a camera present at start is reported as an arrival, other classes are filtered") {
    Testbed testbed;
    testbed.add_camera();
    boost::asio::io_context loop;
    std::vector<usb::UsbEvent> cameras;
    auto camera_monitor = usb::UsbMonitor::create(
        loop.get_executor(), {}, [&](const usb::UsbEvent& event) { cameras.push_back(event); });
    REQUIRE(camera_monitor.has_value());
    std::vector<usb::UsbEvent> printers;
    usb::UsbMonitorOptions printers_only;
    printers_only.classes = {usb::printer_class};
    auto printer_monitor =
        usb::UsbMonitor::create(loop.get_executor(), printers_only,
                                [&](const usb::UsbEvent& event) { printers.push_back(event); });
    REQUIRE(printer_monitor.has_value());
    REQUIRE(run_until(loop, [&] { return !cameras.empty(); }));
    run_for(loop, std::chrono::milliseconds(100));
    CHECK(cameras.size() == 1);
    CHECK(printers.empty());
}

TEST_CASE("libgphoto2 lists the mock camera but cannot open it: camera_busy, naming gvfs") {
    Testbed testbed;
    testbed.add_camera();
    TempDir home;
    boost::asio::io_context loop;
    cam::HostedCamera camera(loop.get_executor(), camera_options(home.path(), drill_deadlines()));
    const auto listed = wait_for<std::vector<cam::DetectedCamera>>(
        loop, [&](auto done) { camera.list(std::move(done)); });
    REQUIRE_MESSAGE(listed.has_value(), (listed ? "" : cam::describe(listed.error())));
    REQUIRE(listed->size() == 1);
    CHECK(listed->front().model == "Nikon DSC D750");
    CHECK(listed->front().port == "usb:001,004");

    for (const auto& selector :
         {cam::CameraSelector{"usb:001,004", "Nikon DSC D750"},
          cam::CameraSelector{"usb:001,004", ""}, cam::CameraSelector::automatic()}) {
        const auto opened = wait_for<cam::CameraInfo>(
            loop, [&](auto done) { camera.open(selector, std::move(done)); });
        REQUIRE(!opened.has_value());
        MESSAGE(selector.port, " '", selector.model, "': [", opened.error().code.message(), "] ",
                cam::describe(opened.error()));
        CHECK(cam::is(opened.error(), cam::Errc::camera_busy));
        CHECK(cam::describe(opened.error()).find("detected but cannot be opened") !=
              std::string::npos);
        CHECK(cam::describe(opened.error()).find("gvfs-gphoto2-volume-monitor") !=
              std::string::npos);
    }
}

TEST_CASE("a camera arriving on USB makes the supervisor try at once, not after its backoff") {
    Testbed testbed;
    TempDir home;
    boost::asio::io_context loop;
    cam::HostedCamera camera(loop.get_executor(), camera_options(home.path(), drill_deadlines()));
    cam::SupervisorOptions options;
    options.selector = cam::CameraSelector::automatic();
    options.backoff.initial = std::chrono::seconds(60);
    options.backoff.cap = std::chrono::seconds(60);
    cam::CameraSupervisor supervisor(loop.get_executor(), camera, options);
    // The wiring kioskd does: still-image arrivals and departures go to the supervisor.
    auto monitor =
        usb::UsbMonitor::create(loop.get_executor(), {}, [&](const usb::UsbEvent& event) {
            if (!event.device.has_class(usb::still_image_class)) {
                return;
            }
            if (event.kind == usb::UsbEventKind::arrived) {
                supervisor.camera_arrived();
            } else {
                supervisor.camera_left(cam::usb_port_name(event.device.bus, event.device.address));
            }
        });
    REQUIRE(monitor.has_value());

    supervisor.start();
    REQUIRE(run_until(loop, [&] { return supervisor.status().failed_attempts == 1; }));
    REQUIRE(supervisor.status().last_error.has_value());
    CHECK(cam::is(*supervisor.status().last_error, cam::Errc::no_camera));

    testbed.add_camera();
    testbed.uevent("add");
    // The next attempt would be a minute away; the arrival brings it forward. This mock
    // camera cannot be opened, so the attempt ends in camera_busy.
    REQUIRE_MESSAGE(run_until(loop, [&] { return supervisor.status().failed_attempts == 2; }),
                    "no open attempt after the camera arrived");
    REQUIRE(supervisor.status().last_error.has_value());
    CHECK(cam::is(*supervisor.status().last_error, cam::Errc::camera_busy));
    CHECK(supervisor.status().state == cam::LinkState::reconnecting);
}
