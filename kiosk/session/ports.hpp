#pragma once

#include <boost/system/result.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// The guest flow's view of the booth's hardware: three small asynchronous ports that
// kioskd implements on top of the camera and printer drivers, and that tests replace
// with in-test doubles.
//
// Rules every implementation keeps:
// - Calls are made on the event loop's thread and return at once.
// - Each completion runs later on that same loop, never inside the call that started
//   it and never on another thread.
// - Each completion runs exactly once (a PrintQueue's progress: until its last update).
namespace encore::kiosk::session {

using Jpeg = std::vector<std::byte>;

// What went wrong with a device, for two readers: `reason` is a keyword the screen
// turns into a sentence in the guest's language ("focus_failed", "disconnected",
// "out_of_paper", "paper_jam", "timed_out"; anything else gets a generic sentence),
// `message` is the operator's sentence, in English, as the driver put it.
struct DeviceFault {
    std::string reason;
    std::string message;
};

template <typename T>
using DeviceResult = boost::system::result<T, DeviceFault>;

// Thrown by DeviceResult::value() on an error (tests only; the flow checks first).
[[noreturn]] void throw_exception_from_error(const DeviceFault& fault,
                                             const boost::source_location& location);

// A device as the operator screen shows it.
struct DeviceStatus {
    bool ready = false;
    // A keyword: "ready", or what keeps the device from working ("disconnected",
    // "out_of_paper", "stopped", ...).
    std::string condition = "unknown";
    // The operator's sentence: what happened and what to do. Empty when ready.
    std::string message;
    // Which device: "Nikon DSC D750 on usb:001,004", "queue booth".
    std::string name;
    // Printer: prints the media has left, when the printer reports it.
    std::optional<int> prints_left;
    // Camera: battery level, when the camera reports it.
    std::optional<int> battery_percent;
};

// The camera's shutter.
class Shutter {
public:
    using Done = std::function<void(DeviceResult<Jpeg>)>;

    virtual ~Shutter() = default;

    // Takes one picture and delivers it as a JPEG, downloaded and removed from the
    // camera. The flow gives up waiting after its capture timeout, but `done` must still
    // run once when the camera finally answers (it is then ignored); a capture asked for
    // while an abandoned one is still running waits for it.
    virtual void capture(Done done) = 0;

    // The camera's state now (the implementation keeps it current; this never blocks).
    // While it is not `ready`, no new session starts (the guest sees why); call
    // GuestFlow::device_status_changed() when it changes.
    virtual DeviceStatus status() const = 0;
};

// The camera's live view, for the screen's MJPEG stream.
class LiveView {
public:
    using Done = std::function<void(DeviceResult<Jpeg>)>;

    virtual ~LiveView() = default;

    // One live-view frame as a JPEG. The caller asks for the next frame only after
    // `done` ran, so at most one call is in flight. While the camera is capturing, the
    // frame may come late or fail; the caller backs off and asks again.
    virtual void next_frame(Done done) = 0;
};

// What to print: `copies` prints of one composed JPEG for one order.
struct PrintRequest {
    // The journal's order id: unique per order, the printer's key for never printing
    // an order twice.
    std::string order_id;
    // The order's short code, for the operator's job list.
    std::string code;
    std::shared_ptr<const Jpeg> jpeg;
    int copies = 1;
};

enum class PrintPhase {
    queued,   // accepted, waiting for the printer
    printing, // the printer is working on it
    held,     // waiting for a fault to be fixed (paper, ribbon, jam, offline)
    done,     // every copy came out
    failed,   // the print will not be made (the fault says why)
};

struct PrintProgress {
    PrintPhase phase = PrintPhase::queued;
    int copies_done = 0;
    int copies = 0;
    // held: what keeps the print waiting; failed: why it will not be made.
    std::optional<DeviceFault> fault;
};

// The booth's printer, through the print spooler.
class PrintQueue {
public:
    using Progress = std::function<void(const PrintProgress&)>;
    using ResumeDone = std::function<void(DeviceResult<void>)>;

    virtual ~PrintQueue() = default;

    // Prints the request. `progress` runs on the loop each time the print's phase or
    // count of finished copies changes; its last call has phase done or failed. The
    // flow asks once per order; an implementation must still make sure that asking again
    // for the same order id never prints it again (the spooler's ledger does).
    virtual void print(PrintRequest request, Progress progress) = 0;

    // Starts a printer that stopped on a fault the operator has fixed (what the
    // operator screen's "resume printer" does). Held prints then continue.
    virtual void resume(ResumeDone done) = 0;

    // The printer's state now (kept current by the implementation; never blocks). A
    // printer that is not ready does not stop sessions: prints wait in the queue. Call
    // GuestFlow::device_status_changed() when it changes.
    virtual DeviceStatus status() const = 0;
};

} // namespace encore::kiosk::session
