#include "kiosk/devices/booth_camera.hpp"

#include "platform/log/logger.hpp"

#include <cstring>
#include <utility>

namespace encore::kiosk::devices {

namespace camera = drivers::camera;

namespace {

session::Jpeg to_jpeg(const std::vector<std::uint8_t>& bytes) {
    session::Jpeg jpeg(bytes.size());
    if (!bytes.empty()) {
        std::memcpy(jpeg.data(), bytes.data(), bytes.size());
    }
    return jpeg;
}

session::DeviceFault to_fault(const camera::Error& error) {
    return {camera_fault_reason(error), camera::describe(error)};
}

} // namespace

std::string camera_fault_reason(const camera::Error& error) {
    using camera::Errc;
    if (error.code.category() != camera::camera_category()) {
        return "camera_failed";
    }
    switch (static_cast<Errc>(error.code.value())) {
    case Errc::no_camera:
        return "no_camera";
    case Errc::camera_busy:
        return "camera_busy";
    case Errc::focus_failed:
        return "focus_failed";
    case Errc::card_full:
        return "card_full";
    case Errc::disconnected:
    case Errc::not_open:
    case Errc::host_failed:
        return "disconnected";
    case Errc::timed_out:
        return "timed_out";
    case Errc::live_view_unsupported:
        return "live_view_unsupported";
    case Errc::not_jpeg:
        return "not_jpeg";
    case Errc::camera_failed:
        break;
    }
    return "camera_failed";
}

session::DeviceStatus camera_device_status(const camera::CameraStatus& status) {
    session::DeviceStatus device;
    if (status.camera) {
        device.name = status.camera->model;
        if (!status.camera->port.empty()) {
            device.name += " on " + status.camera->port;
        }
        device.battery_percent = status.camera->battery_percent;
    }
    switch (status.state) {
    case camera::LinkState::connected:
        device.ready = true;
        device.condition = "ready";
        return device;
    case camera::LinkState::stopped:
        device.condition = "stopped";
        device.message = "The camera is not in use (the booth is stopping).";
        return device;
    case camera::LinkState::connecting:
    case camera::LinkState::reconnecting:
        break;
    }
    if (status.last_error) {
        device.condition = camera_fault_reason(*status.last_error);
        device.message = camera::describe(*status.last_error);
    } else {
        device.condition = "connecting";
        device.message = "Looking for the camera: check that it is switched on and connected.";
    }
    if (status.failed_attempts > 0) {
        device.message +=
            " (" + std::to_string(status.failed_attempts) + " attempts so far, retrying)";
    }
    return device;
}

BoothCamera::BoothCamera(camera::CameraSupervisor& supervisor)
    : supervisor_(supervisor) {}

void BoothCamera::capture(Shutter::Done done) {
    supervisor_.capture([done = std::move(done)](camera::Result<camera::CapturedPhoto> photo) {
        if (!photo) {
            done(session::DeviceResult<session::Jpeg>(to_fault(photo.error())));
            return;
        }
        done(to_jpeg(photo->jpeg));
    });
}

session::DeviceStatus BoothCamera::status() const {
    return camera_device_status(supervisor_.status());
}

void BoothCamera::next_frame(LiveView::Done done) {
    supervisor_.preview([done = std::move(done)](camera::Result<camera::LiveViewFrame> frame) {
        if (!frame) {
            done(session::DeviceResult<session::Jpeg>(to_fault(frame.error())));
            return;
        }
        done(to_jpeg(frame->jpeg));
    });
}

void BoothCamera::on_status_changed(std::function<void()> observer) {
    supervisor_.on_status_changed(
        [observer = std::move(observer)](const camera::CameraStatus&) { observer(); });
}

std::unique_ptr<drivers::usb::UsbMonitor> follow_usb_cameras(boost::asio::any_io_executor loop,
                                                             camera::CameraSupervisor& supervisor) {
    namespace usb = drivers::usb;
    usb::UsbMonitorOptions options;
    options.classes = {usb::still_image_class};
    auto monitor = usb::UsbMonitor::create(
        std::move(loop), options, [&supervisor](const usb::UsbEvent& event) {
            if (event.kind == usb::UsbEventKind::arrived) {
                supervisor.camera_arrived();
            } else {
                supervisor.camera_left(
                    camera::usb_port_name(event.device.bus, event.device.address));
            }
        });
    if (!monitor) {
        platform::Logger("camera").warning(
            "no USB hotplug (", monitor.error().message,
            "): a camera plugged in is found at the next retry instead of at once");
        return nullptr;
    }
    return std::move(*monitor);
}

} // namespace encore::kiosk::devices
