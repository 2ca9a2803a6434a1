#pragma once

#include "drivers/camera/backoff.hpp"
#include "drivers/camera/camera.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// Keeps the booth's camera usable without an operator: opens it, reopens it after it
// drops (with jittered exponential backoff, or at once when the USB monitor reports a
// camera arriving), restarts live view before the camera's own time limit, and tells the
// booth's UI what state the camera is in. Lives on the event loop; every member function
// must be called on it.
namespace encore::drivers::camera {

enum class LinkState {
    // Not started, or stopped.
    stopped,
    // The first open is under way.
    connecting,
    connected,
    // The camera was lost (or never opened): retrying with backoff.
    reconnecting,
};
std::string_view to_string(LinkState state);

struct CameraStatus {
    LinkState state = LinkState::stopped;
    // From the last successful open or info.
    std::optional<CameraInfo> camera;
    // The last failure (of an open, or of a call), with the operator's message; cleared
    // when the camera connects.
    std::optional<Error> last_error;
    // Open attempts that failed since the camera was last connected.
    int failed_attempts = 0;
    bool live_view_on = false;
};

struct SupervisorOptions {
    CameraSelector selector;
    BackoffPolicy backoff;
    // Live view is ended and started again when it has run this long: Nikon and Canon
    // bodies end it on their own after 30 minutes.
    std::chrono::milliseconds live_view_restart{std::chrono::minutes(25)};
    // Live view is ended when no frame was asked for this long (it heats the sensor and
    // drains the battery); zero keeps it on.
    std::chrono::milliseconds live_view_idle_stop{std::chrono::minutes(2)};
    // While connected, the camera's state (battery, free space) is read this often,
    // which also notices a camera that went away quietly; zero turns it off.
    std::chrono::milliseconds health_check{std::chrono::seconds(30)};
};

// True for failures after which the camera must be opened again (it went away, stopped
// answering, or its helper process ended).
bool means_camera_lost(const Error& error);

// libgphoto2's name of a USB port, "usb:001,004", from a device's bus and address.
std::string usb_port_name(int bus, int address);

class CameraSupervisor {
public:
    // `camera` must outlive the supervisor.
    CameraSupervisor(boost::asio::any_io_executor loop, Camera& camera, SupervisorOptions options);
    ~CameraSupervisor();
    CameraSupervisor(const CameraSupervisor&) = delete;
    CameraSupervisor& operator=(const CameraSupervisor&) = delete;

    // Opens the camera, and keeps it open until stop().
    void start();
    // Stops reconnecting and closes the camera.
    void stop(Completion<void> done);

    // Calls on the camera. While it is not connected they fail at once with the
    // reason (the last error, or not_open).
    void capture(Completion<CapturedPhoto> done);
    // A live-view frame; starts live view, and restarts it when it has run for
    // live_view_restart.
    void preview(Completion<LiveViewFrame> done);
    void info(Completion<CameraInfo> done);

    // From the USB monitor: a still-image device arrived. While the camera is not
    // connected, the next open attempt starts now instead of after the backoff.
    void camera_arrived();
    // From the USB monitor: a still-image device left, at `port` (usb_port_name) when
    // known. When it is the open camera, the supervisor reconnects at once.
    void camera_left(std::optional<std::string> port = std::nullopt);

    const CameraStatus& status() const;
    // Called on the loop after every change of status().
    void on_status_changed(std::function<void(const CameraStatus&)> observer);

private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace encore::drivers::camera
