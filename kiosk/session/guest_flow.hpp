#pragma once

#include "kiosk/session/event.hpp"
#include "kiosk/session/ports.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace encore::kiosk {
class Journal;
struct JournalOrder;
} // namespace encore::kiosk
namespace encore::platform {
class BlockingWorker;
}

// The guest flow: what a guest goes through at the booth, as a state machine on the
// event loop.
//
//   attract ─start─► countdown ─shoot─► (seconds) ─► capture ─► countdown (next photo)
//                                                         └──► review (all photos taken)
//   review ─retake─► countdown    review ─accept─► copies ─print─► printing ─► code
//   any state ─finish or its timeout─► attract
//
// In `countdown` the flow waits for `shoot` (the screen sends it at once, or after
// showing the last photo), then counts down the event's seconds and takes the picture.
// Every state but attract has a timeout back to attract. Photos go to the journal as
// soon as they arrive; the order (code + QR link) is made when the guest asks to print;
// asking again never prints again. The print is composed on the imaging worker and
// sent to the PrintQueue; a camera or printer fault becomes a notice on screen (for the
// guest and the operator) and the flow carries on: a failed picture can be taken again,
// a held print continues once the operator fixed the printer.
namespace encore::kiosk::session {

enum class Stage { attract, countdown, capture, review, copies, printing, code };

// "attract", "countdown", ... as the UI's API spells them.
std::string_view to_string(Stage stage);

// A fault shown on screen until the next session starts (or the device recovers).
struct Notice {
    // "camera", "printer" or "booth" (the booth's own storage or imaging).
    std::string device;
    DeviceFault fault;
};

// A fault as the operator's log keeps it.
struct FaultRecord {
    std::string at; // UTC, ISO 8601
    Notice notice;
};

struct OrderView {
    std::string order_id;
    std::string code;
    std::string url; // the QR link
};

// The print of the current (or last) order, as the flow follows it.
struct PrintView {
    // "composing", then the PrintPhase names: "queued", "printing", "held", "done",
    // "failed".
    std::string phase = "composing";
    int copies_done = 0;
    int copies = 0;
};

// Everything the screen shows.
struct Snapshot {
    Stage stage = Stage::attract;
    // Increases with every change, so observers can drop stale pushes.
    std::uint64_t version = 0;
    // The operator paused the booth: no new session starts.
    bool paused = false;
    // Photos the layout takes.
    int shots = 0;
    // countdown and capture: the slot being shot (1-based); 0 otherwise.
    int shot = 0;
    // The slots (1-based) that hold a photo of this session.
    std::vector<int> photos;
    // countdown: seconds left while counting down; nullopt while waiting for `shoot`.
    std::optional<int> seconds_left;
    int retakes_left = 0;
    // copies onward: the copies chosen.
    int copies = 0;
    // printing and code: the order.
    std::optional<OrderView> order;
    std::optional<PrintView> print;
    std::optional<Notice> notice;
    DeviceStatus camera;
    DeviceStatus printer;
};

enum class ActionError {
    none,
    wrong_state,     // not possible in the current state (409)
    paused,          // the operator paused the booth (409)
    out_of_range,    // copies or shot number outside the event's limits (400)
    no_retakes_left, // the event's retake limit is used up (409)
    camera_failed,   // the camera did not deliver (503)
    storage_failed,  // the journal could not store the photo or the order (500)
    session_ended,   // the session ended (timeout, finish) before the action completed (409)
};

std::string_view to_string(ActionError error);

struct ActionResult {
    ActionError error = ActionError::none;
    // A sentence for the screen's developer and the logs; empty on success.
    std::string message;
    // The state after the action (or after the refusal: unchanged).
    Snapshot snapshot;

    bool ok() const { return error == ActionError::none; }
};

struct FlowOptions {
    // Where the order's QR link points: <public_url>/o/<token>. From the config until
    // the booth is enrolled with a hub, then from the hub (set_public_url).
    std::string public_url = "http://localhost";
    // How many faults the operator's log keeps.
    std::size_t fault_log_size = 50;
};

class GuestFlow {
public:
    using Observer = std::function<void(const Snapshot&)>;
    using ShootDone = std::function<void(ActionResult)>;
    using ResumeDone = std::function<void(DeviceResult<void>)>;
    using ThumbnailDone = std::function<void(std::optional<Jpeg>)>;

    // Borrows the journal, the imaging worker (composing prints and thumbnails) and the
    // three ports; all must outlive the flow. Starts at attract: a session left open by
    // a crash was closed by the journal's recovery, never resumed here.
    GuestFlow(boost::asio::any_io_executor loop, const EventSettings& event, Journal& journal,
              platform::BlockingWorker& imaging, Shutter& shutter, PrintQueue& printer,
              FlowOptions options = {});
    // Ends a session still open (finishing it in the journal). Completions that arrive
    // later are dropped.
    ~GuestFlow();
    GuestFlow(const GuestFlow&) = delete;
    GuestFlow& operator=(const GuestFlow&) = delete;

    const Snapshot& snapshot() const;
    const EventSettings& event() const;

    // Observers run on the loop after every change, with the new snapshot.
    int add_observer(Observer observer);
    void remove_observer(int id);

    // attract → countdown: begins a session in the journal. Refused while paused and
    // fails (camera_failed) while the camera reports it is not ready.
    ActionResult start();
    // countdown → (count down) → capture → countdown for the next photo or review.
    // `done` runs on the loop once the picture is in the journal, or it failed (the
    // flow then waits in countdown for the same photo again). A second shoot while one
    // is counting down or capturing joins it: both complete with the same picture.
    void shoot(ShootDone done);
    // review → countdown: takes photo `shot` (1-based) again, or all of them when
    // nullopt. Each call uses one of the event's retakes.
    ActionResult retake(std::optional<int> shot);
    // review → copies, with the event's default copies chosen.
    ActionResult accept();
    // copies: chooses the copies (within the event's limits) and restarts the timeout.
    ActionResult choose_copies(int copies);
    // copies → printing: makes the order, composes the print, prints it. In printing
    // or code, for the session's order, it does nothing and returns the current state:
    // a double tap never prints twice.
    ActionResult print(int copies);
    // Any state → attract, finishing the session in the journal. A print in progress
    // carries on.
    ActionResult finish();

    // After a restart: composes and prints an order of an earlier run whose print never
    // reached the printer (the booth stopped in between). The screen is not involved;
    // faults go to the operator's log. False (logged) when the order was made with
    // another layout than this event's.
    bool print_recovered(const JournalOrder& order);

    // Operator: no new session starts while paused; one in progress carries on.
    void pause();
    void resume();
    // Operator: PrintQueue::resume; `done` runs on the loop.
    void resume_printer(ResumeDone done);
    // kioskd calls this when a port's status() changed, so screens learn of it. A device
    // that became ready clears its notice.
    void device_status_changed();
    // The operator's log of faults, oldest first.
    std::vector<FaultRecord> recent_faults() const;
    // The last order printed at this booth (for the operator), if any since start.
    std::optional<OrderView> last_order() const;
    std::optional<PrintView> last_print() const;

    // A small upright copy of photo `shot` (1-based) of the current session, made on
    // the imaging worker; nullopt when there is no such photo.
    void thumbnail(int shot, ThumbnailDone done);

    void set_public_url(std::string public_url);

    // Shared with the completions that outlive a call; public only so guest_flow.cpp can
    // name it.
    struct State;

private:
    std::shared_ptr<State> state_;
};

} // namespace encore::kiosk::session
