#include "drivers/usb/usb_monitor.hpp"

#include "platform/log/logger.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <libusb.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <poll.h>

namespace encore::drivers::usb {

namespace asio = boost::asio;

namespace {

const platform::Logger log("usb");

class UsbCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "usb"; }
    std::string message(int value) const override {
        switch (static_cast<Errc>(value)) {
        case Errc::library_failed:
            return "libusb failed";
        case Errc::hotplug_unsupported:
            return "USB hotplug unsupported";
        }
        return "unknown usb error";
    }
};

// Reads what the arrival or departure callback may read without opening the device.
UsbDevice describe_device(libusb_device* device) {
    UsbDevice described;
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(device, &descriptor) == LIBUSB_SUCCESS) {
        described.vendor_id = descriptor.idVendor;
        described.product_id = descriptor.idProduct;
        described.device_class = descriptor.bDeviceClass;
    }
    described.bus = libusb_get_bus_number(device);
    described.address = libusb_get_device_address(device);
    libusb_config_descriptor* config = nullptr;
    if (libusb_get_active_config_descriptor(device, &config) != LIBUSB_SUCCESS) {
        config = nullptr;
        if (libusb_get_config_descriptor(device, 0, &config) != LIBUSB_SUCCESS) {
            config = nullptr;
        }
    }
    if (config != nullptr) {
        for (int i = 0; i < config->bNumInterfaces; ++i) {
            const auto& interface = config->interface[i];
            if (interface.num_altsetting > 0) {
                described.interface_classes.push_back(interface.altsetting[0].bInterfaceClass);
            }
        }
        libusb_free_config_descriptor(config);
    }
    return described;
}

} // namespace

const std::error_category& usb_category() {
    static const UsbCategory category;
    return category;
}

std::error_code make_error_code(Errc code) {
    return {static_cast<int>(code), usb_category()};
}

void throw_exception_from_error(const Error& error, const boost::source_location& /*location*/) {
    throw std::system_error(error.code, error.message);
}

bool UsbDevice::has_class(std::uint8_t usb_class) const {
    return device_class == usb_class ||
           std::find(interface_classes.begin(), interface_classes.end(), usb_class) !=
               interface_classes.end();
}

std::string UsbDevice::describe() const {
    char text[64];
    std::snprintf(text, sizeof text, "%04x:%04x on bus %d address %d", vendor_id, product_id, bus,
                  address);
    return text;
}

class UsbMonitor::Impl : public std::enable_shared_from_this<Impl> {
public:
    Impl(asio::any_io_executor loop, UsbMonitorOptions options, Handler on_event)
        : loop_(std::move(loop))
        , options_(std::move(options))
        , on_event_(std::move(on_event))
        , timer_(loop_) {}

    ~Impl() {
        if (context_ != nullptr) {
            libusb_exit(context_);
        }
    }

    std::optional<Error> start() {
        if (const int result = libusb_init(&context_); result != LIBUSB_SUCCESS) {
            context_ = nullptr;
            return Error{make_error_code(Errc::library_failed),
                         std::string("cannot start libusb: ") + libusb_strerror(result)};
        }
        if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) == 0) {
            return Error{make_error_code(Errc::hotplug_unsupported),
                         "this libusb cannot report USB devices arriving and leaving"};
        }
        // Descriptors libusb adds or removes later (a device opened on this context)
        // are watched too; the notifiers may run on any thread, so they only post.
        libusb_set_pollfd_notifiers(context_, &Impl::on_pollfd_added, &Impl::on_pollfd_removed,
                                    this);
        if (const libusb_pollfd** pollfds = libusb_get_pollfds(context_); pollfds != nullptr) {
            for (const libusb_pollfd** entry = pollfds; *entry != nullptr; ++entry) {
                watch((*entry)->fd, (*entry)->events);
            }
            libusb_free_pollfds(pollfds);
        }
        const int flags = options_.report_present ? LIBUSB_HOTPLUG_ENUMERATE : 0;
        const int result = libusb_hotplug_register_callback(
            context_, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, flags,
            LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
            &Impl::on_hotplug, this, &callback_);
        if (result != LIBUSB_SUCCESS) {
            return Error{make_error_code(Errc::library_failed),
                         std::string("cannot watch USB devices: ") + libusb_strerror(result)};
        }
        registered_ = true;
        arm_timeout();
        return std::nullopt;
    }

    void stop() {
        stopped_ = true;
        timer_.cancel();
        if (registered_) {
            libusb_hotplug_deregister_callback(context_, callback_);
            registered_ = false;
        }
        if (context_ != nullptr) {
            libusb_set_pollfd_notifiers(context_, nullptr, nullptr, nullptr);
        }
        for (auto& [fd, descriptor] : watched_) {
            // The descriptor belongs to libusb: stop waiting on it without closing it.
            descriptor->cancel();
            descriptor->release();
        }
        watched_.clear();
    }

private:
    static void LIBUSB_CALL on_pollfd_added(int fd, short events, void* data) {
        auto* self = static_cast<Impl*>(data);
        asio::post(self->loop_, [weak = self->weak_from_this(), fd, events] {
            if (auto impl = weak.lock(); impl && !impl->stopped_) {
                impl->watch(fd, events);
            }
        });
    }

    static void LIBUSB_CALL on_pollfd_removed(int fd, void* data) {
        auto* self = static_cast<Impl*>(data);
        asio::post(self->loop_, [weak = self->weak_from_this(), fd] {
            if (auto impl = weak.lock(); impl) {
                impl->unwatch(fd);
            }
        });
    }

    static int LIBUSB_CALL on_hotplug(libusb_context* /*context*/, libusb_device* device,
                                      libusb_hotplug_event event, void* data) {
        auto* self = static_cast<Impl*>(data);
        UsbEvent happened;
        happened.kind = event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? UsbEventKind::arrived
                                                                     : UsbEventKind::left;
        happened.device = describe_device(device);
        asio::post(self->loop_, [weak = self->weak_from_this(), happened = std::move(happened)] {
            if (auto impl = weak.lock(); impl && !impl->stopped_) {
                impl->deliver(happened);
            }
        });
        return 0; // Stay registered.
    }

    void watch(int fd, short events) {
        if (watched_.count(fd) != 0) {
            return;
        }
        auto descriptor = std::make_unique<asio::posix::stream_descriptor>(loop_, fd);
        auto* raw = descriptor.get();
        watched_.emplace(fd, std::move(descriptor));
        if ((events & POLLIN) != 0) {
            wait(fd, raw, asio::posix::stream_descriptor::wait_read);
        }
        if ((events & POLLOUT) != 0) {
            wait(fd, raw, asio::posix::stream_descriptor::wait_write);
        }
    }

    void unwatch(int fd) {
        const auto found = watched_.find(fd);
        if (found == watched_.end()) {
            return;
        }
        found->second->cancel();
        found->second->release();
        watched_.erase(found);
    }

    void wait(int fd, asio::posix::stream_descriptor* descriptor,
              asio::posix::stream_descriptor::wait_type type) {
        descriptor->async_wait(type, [this, self = shared_from_this(), fd, descriptor,
                                      type](boost::system::error_code error) {
            if (error || stopped_) {
                return;
            }
            handle_events();
            // The descriptor may have been removed while libusb handled its events.
            const auto found = watched_.find(fd);
            if (found != watched_.end() && found->second.get() == descriptor) {
                wait(fd, descriptor, type);
            }
        });
    }

    void handle_events() {
        timeval zero{0, 0};
        libusb_handle_events_timeout_completed(context_, &zero, nullptr);
        arm_timeout();
    }

    // libusb on Linux keeps its timeouts on a timerfd among its pollfds; elsewhere it
    // asks to be called back at its next timeout.
    void arm_timeout() {
        if (stopped_ || libusb_pollfds_handle_timeouts(context_) != 0) {
            return;
        }
        timeval next{};
        if (libusb_get_next_timeout(context_, &next) != 1) {
            return;
        }
        timer_.expires_after(std::chrono::seconds(next.tv_sec) +
                             std::chrono::microseconds(next.tv_usec));
        timer_.async_wait([this, self = shared_from_this()](boost::system::error_code error) {
            if (!error && !stopped_) {
                handle_events();
            }
        });
    }

    bool wanted(const UsbDevice& device) const {
        return options_.classes.empty() ||
               std::any_of(options_.classes.begin(), options_.classes.end(),
                           [&](std::uint8_t usb_class) { return device.has_class(usb_class); });
    }

    void deliver(UsbEvent event) {
        const auto key = std::make_pair(event.device.bus, event.device.address);
        if (event.kind == UsbEventKind::arrived) {
            // libusb may report a device present at start twice.
            const auto known = present_.find(key);
            if (known != present_.end() && known->second.vendor_id == event.device.vendor_id &&
                known->second.product_id == event.device.product_id) {
                return;
            }
            present_[key] = event.device;
        } else {
            // A departing device may no longer show its interfaces: use what it showed
            // when it arrived.
            if (const auto known = present_.find(key); known != present_.end()) {
                if (event.device.interface_classes.empty()) {
                    event.device.interface_classes = known->second.interface_classes;
                }
                present_.erase(known);
            }
        }
        if (!wanted(event.device)) {
            return;
        }
        log.info("USB device ", event.kind == UsbEventKind::arrived ? "arrived: " : "left: ",
                 event.device.describe());
        if (on_event_) {
            on_event_(event);
        }
    }

    asio::any_io_executor loop_;
    UsbMonitorOptions options_;
    Handler on_event_;
    libusb_context* context_ = nullptr;
    libusb_hotplug_callback_handle callback_{};
    bool registered_ = false;
    bool stopped_ = false;
    std::map<int, std::unique_ptr<asio::posix::stream_descriptor>> watched_;
    std::map<std::pair<int, int>, UsbDevice> present_;
    asio::steady_timer timer_;
};

boost::system::result<std::unique_ptr<UsbMonitor>, Error>
UsbMonitor::create(asio::any_io_executor loop, UsbMonitorOptions options, Handler on_event) {
    auto impl = std::make_shared<Impl>(std::move(loop), std::move(options), std::move(on_event));
    if (auto error = impl->start()) {
        impl->stop();
        return *error;
    }
    return std::unique_ptr<UsbMonitor>(new UsbMonitor(std::move(impl)));
}

UsbMonitor::UsbMonitor(std::shared_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

UsbMonitor::~UsbMonitor() {
    impl_->stop();
}

} // namespace encore::drivers::usb
