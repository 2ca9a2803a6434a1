#pragma once

#include "drivers/camera/camera.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

// The libgphoto2 backend of Camera, isolated in a child process.
//
// libgphoto2 blocks, and 2.5.30 can block for ever (a capture whose InitiateCapture
// fails, or whose ObjectAdded event never comes, never returns, and cancelling the
// context does not end it). So the session runs in encore-camera-host, a small program
// HostedCamera starts on first use and talks to over a socket pair (host_protocol.hpp).
// Every call has a deadline; when it passes, HostedCamera kills the host with SIGKILL,
// fails the call with Errc::timed_out ("the camera stopped answering ... reset"), and the
// next call starts a fresh host and opens the camera again by itself (with the selector
// of the last successful open). The same happens after a call fails with
// Errc::disconnected: the session is gone, and the next call reopens it.
//
// The host asks the kernel to kill it when the thread that started it ends
// (PR_SET_PDEATHSIG), so a booth that dies leaves no libgphoto2 session behind: make the
// calls from the loop's long-lived thread, not from a short-lived one.
//
// Calls queue and run one at a time; a call's deadline counts from the moment it is sent
// to the host, not while it waits in the queue. Completions run on the loop given at
// construction. Destroying a HostedCamera drops the completions of calls still pending
// (they are never called) and ends the host: it exits when it sees its socket close, and
// is killed if it has not within a second.
namespace encore::drivers::camera {

struct CameraDeadlines {
    std::chrono::milliseconds list{10'000};
    std::chrono::milliseconds open{10'000};
    // Capture includes downloading the picture.
    std::chrono::milliseconds capture{20'000};
    std::chrono::milliseconds preview{5'000};
    std::chrono::milliseconds stop_live_view{5'000};
    std::chrono::milliseconds info{5'000};
    std::chrono::milliseconds close{5'000};
};

struct HostedCameraOptions {
    // The encore-camera-host program; empty: find_camera_host().
    std::filesystem::path host_program;
    CameraDeadlines deadlines;
    // HOME for libgphoto2 (it keeps ~/.gphoto/settings); empty: the process's own, and
    // when that is not writable the host falls back to /tmp/encore-camera-UID.
    std::filesystem::path gphoto_home;
    // The host's log level (debug shows every request); empty: info.
    std::string host_log_level;
};

// Where the camera host program is: $ENCORE_CAMERA_HOST when set (tests, unusual
// installs), otherwise encore-camera-host in the folder of the running executable
// (/proc/self/exe), where the build and the packages put it next to kioskd and encore.
std::filesystem::path find_camera_host();

class HostedCamera final : public Camera {
public:
    explicit HostedCamera(boost::asio::any_io_executor loop, HostedCameraOptions options = {});
    ~HostedCamera() override;
    HostedCamera(const HostedCamera&) = delete;
    HostedCamera& operator=(const HostedCamera&) = delete;

    void list(Completion<std::vector<DetectedCamera>> done) override;
    void open(const CameraSelector& selector, Completion<CameraInfo> done) override;
    void capture(Completion<CapturedPhoto> done) override;
    void preview(Completion<LiveViewFrame> done) override;
    void stop_live_view(Completion<void> done) override;
    void info(Completion<CameraInfo> done) override;
    void close(Completion<void> done) override;

    // The host's process id while one runs (tests look at it).
    std::optional<int> host_pid() const;
    // Hosts started so far (a new one after every reset).
    int hosts_started() const;

private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace encore::drivers::camera
