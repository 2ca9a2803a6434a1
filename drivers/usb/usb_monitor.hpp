#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

// USB hotplug inside the event loop: reports devices arriving and leaving, so that the
// camera (and the printer) can be reopened the moment they are plugged in, instead of
// polling. libusb's own file descriptors are watched by the loop; no thread is added.
namespace encore::drivers::usb {

// USB class codes (device or interface).
inline constexpr std::uint8_t still_image_class = 6; // PTP cameras
inline constexpr std::uint8_t printer_class = 7;

struct UsbDevice {
    std::uint16_t vendor_id = 0;
    std::uint16_t product_id = 0;
    // The device's class; 0 means its interfaces say (as with most cameras).
    std::uint8_t device_class = 0;
    // The classes of its interfaces (first alternate setting of the active configuration).
    std::vector<std::uint8_t> interface_classes;
    int bus = 0;
    int address = 0;

    // The device or one of its interfaces is of `usb_class`.
    bool has_class(std::uint8_t usb_class) const;
    // "04b0:0437 on bus 1 address 4".
    std::string describe() const;
};

enum class UsbEventKind { arrived, left };

struct UsbEvent {
    UsbEventKind kind = UsbEventKind::arrived;
    UsbDevice device;
};

struct UsbMonitorOptions {
    // Report only devices of one of these classes (device or interface); empty: all.
    std::vector<std::uint8_t> classes = {still_image_class, printer_class};
    // Also report the devices attached when the monitor starts, as arrivals.
    bool report_present = true;
};

enum class Errc {
    // libusb could not start (no usbfs, no permission to the bus).
    library_failed = 1,
    // This libusb has no hotplug support (no udev or netlink on this system).
    hotplug_unsupported,
};

const std::error_category& usb_category();
std::error_code make_error_code(Errc code);

struct Error {
    std::error_code code;
    std::string message;
};

// Found by argument-dependent lookup from boost::system::result<T, Error>::value(); throws
// std::system_error with the message.
[[noreturn]] void throw_exception_from_error(const Error& error,
                                             const boost::source_location& location);

class UsbMonitor {
public:
    using Handler = std::function<void(const UsbEvent&)>;

    // Starts watching; `on_event` runs on `loop` for each arrival and departure that
    // matches the options. Never called after the monitor is destroyed.
    static boost::system::result<std::unique_ptr<UsbMonitor>, Error>
    create(boost::asio::any_io_executor loop, UsbMonitorOptions options, Handler on_event);

    ~UsbMonitor();
    UsbMonitor(const UsbMonitor&) = delete;
    UsbMonitor& operator=(const UsbMonitor&) = delete;

private:
    class Impl;
    explicit UsbMonitor(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;
};

} // namespace encore::drivers::usb

template <>
struct std::is_error_code_enum<encore::drivers::usb::Errc> : std::true_type {};
