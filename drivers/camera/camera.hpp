#pragma once

#include "drivers/camera/error.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

// The camera driver's narrow interface: open a camera, take a picture (JPEG bytes and
// their metadata), fetch live-view frames, read the camera's state, close it.
//
// Every call is asynchronous on the caller's event loop: it returns at once, and its
// completion runs later on that loop with a Result (never inline, never on another
// thread). Calls are carried out one at a time, in the order they were made. Which
// camera library sits behind it is the backend's business (HostedCamera runs
// libgphoto2 in a child process, see hosted_camera.hpp).
namespace encore::drivers::camera {

// Which camera to open: a libgphoto2 port ("usb:001,004", "ptpip:127.0.0.1:15740:15740")
// with its model name ("Nikon DSC D750", "PTP/IP Camera"), or port "auto" for the first
// camera found on USB. With a USB port the model may be left empty: it is looked up
// from the camera that sits there.
struct CameraSelector {
    std::string port = "auto";
    std::string model;

    bool is_auto() const { return port == "auto"; }
    static CameraSelector automatic() { return {}; }
};

// A camera seen on a port, as `list` reports it.
struct DetectedCamera {
    std::string model;
    std::string port;
};

struct CameraInfo {
    std::string manufacturer;
    std::string model;
    std::string serial;
    // The port it was opened on (resolved from "auto").
    std::string port;
    // Unknown when the camera does not report it.
    std::optional<int> battery_percent;
    std::optional<std::uint64_t> free_bytes;
    std::optional<std::uint64_t> free_images;
};

struct CapturedPhoto {
    std::vector<std::uint8_t> jpeg;
    // The name the camera gave the picture ("DSC_0001.JPG").
    std::string file_name;
    // When the camera reported the picture taken, by this machine's clock (camera
    // clocks are rarely set).
    std::chrono::system_clock::time_point captured_at;
    // From the capture request to the last byte downloaded, measured next to the camera.
    std::chrono::milliseconds took{0};

    std::size_t size() const { return jpeg.size(); }
};

struct LiveViewFrame {
    std::vector<std::uint8_t> jpeg;
};

template <typename T>
using Completion = std::function<void(Result<T>)>;

class Camera {
public:
    virtual ~Camera() = default;

    // Cameras attached by USB right now (network cameras are not discoverable).
    virtual void list(Completion<std::vector<DetectedCamera>> done) = 0;
    // Opens the selected camera (closing one already open) and reads its info.
    virtual void open(const CameraSelector& selector, Completion<CameraInfo> done) = 0;
    // Takes a picture, downloads it and removes it from the camera's card.
    virtual void capture(Completion<CapturedPhoto> done) = 0;
    // One live-view frame; the first call starts the camera's live view.
    virtual void preview(Completion<LiveViewFrame> done) = 0;
    // Ends live view; the next preview starts it again. Cameras end live view on their
    // own after a while (30 minutes for most Nikons), so a booth restarts it earlier.
    virtual void stop_live_view(Completion<void> done) = 0;
    // Battery, free space and identity, read afresh (libgphoto2 may answer property values
    // from a cache up to two seconds old).
    virtual void info(Completion<CameraInfo> done) = 0;
    // Closes the camera; calls other than open then fail with not_open.
    virtual void close(Completion<void> done) = 0;
};

} // namespace encore::drivers::camera
