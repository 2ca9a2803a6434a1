#pragma once

#include "drivers/camera/camera.hpp"

#include <memory>
#include <vector>

// One libgphoto2 session, called synchronously. Every call may block for as long as
// libgphoto2 likes (2.5.30 can block for ever in a capture), which is why only the
// camera host process (encore-camera-host) uses it; the rest of Encore talks to that
// process through HostedCamera. Not thread-safe: one thread per session.
namespace encore::drivers::camera {

class Gphoto2Session {
public:
    Gphoto2Session();
    ~Gphoto2Session();
    Gphoto2Session(const Gphoto2Session&) = delete;
    Gphoto2Session& operator=(const Gphoto2Session&) = delete;

    Result<std::vector<DetectedCamera>> list();
    Result<CameraInfo> open(const CameraSelector& selector);
    Result<CapturedPhoto> capture();
    Result<LiveViewFrame> preview();
    Result<void> stop_live_view();
    Result<CameraInfo> info();
    void close();
    bool is_open() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace encore::drivers::camera
