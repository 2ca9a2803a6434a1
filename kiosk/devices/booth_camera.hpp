#pragma once

#include "drivers/camera/camera_supervisor.hpp"
#include "drivers/usb/usb_monitor.hpp"
#include "kiosk/session/ports.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>

// The booth's camera for the guest flow: the CameraSupervisor (which keeps the camera
// open, reconnecting as needed) behind the flow's Shutter and LiveView ports.
namespace encore::kiosk::devices {

// The screen's keyword for a camera failure ("focus_failed", "disconnected", ...;
// kiosk/ui/assets/i18n has a sentence for each).
std::string camera_fault_reason(const drivers::camera::Error& error);

// What the operator screen shows of the supervisor's state.
session::DeviceStatus camera_device_status(const drivers::camera::CameraStatus& status);

class BoothCamera final : public session::Shutter, public session::LiveView {
public:
    // Borrows the supervisor, which must outlive this object; every call runs on the
    // supervisor's loop.
    explicit BoothCamera(drivers::camera::CameraSupervisor& supervisor);
    BoothCamera(const BoothCamera&) = delete;
    BoothCamera& operator=(const BoothCamera&) = delete;

    void capture(Shutter::Done done) override;
    session::DeviceStatus status() const override;
    void next_frame(LiveView::Done done) override;

    // Runs after every change of status() (wire it to GuestFlow::device_status_changed).
    void on_status_changed(std::function<void()> observer);

private:
    drivers::camera::CameraSupervisor& supervisor_;
};

// Tells the supervisor when a camera is plugged in or out, so it reopens at once instead
// of after its backoff. nullptr (logged) when this system has no USB hotplug: the
// supervisor then finds the camera by retrying.
std::unique_ptr<drivers::usb::UsbMonitor>
follow_usb_cameras(boost::asio::any_io_executor loop,
                   drivers::camera::CameraSupervisor& supervisor);

} // namespace encore::kiosk::devices
