#include "kiosk/session/guest_flow.hpp"

#include "kiosk/imaging/compose.hpp"
#include "kiosk/journal/journal.hpp"
#include "platform/log/logger.hpp"
#include "platform/runtime/blocking_worker.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <ctime>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

namespace encore::kiosk::session {

namespace asio = boost::asio;

void throw_exception_from_error(const DeviceFault& fault, const boost::source_location&) {
    throw std::runtime_error(fault.reason + ": " + fault.message);
}

std::string_view to_string(Stage stage) {
    switch (stage) {
    case Stage::attract:
        return "attract";
    case Stage::countdown:
        return "countdown";
    case Stage::capture:
        return "capture";
    case Stage::review:
        return "review";
    case Stage::copies:
        return "copies";
    case Stage::printing:
        return "printing";
    case Stage::code:
        return "code";
    }
    return "attract";
}

std::string_view to_string(ActionError error) {
    switch (error) {
    case ActionError::none:
        return "none";
    case ActionError::wrong_state:
        return "wrong_state";
    case ActionError::paused:
        return "paused";
    case ActionError::out_of_range:
        return "out_of_range";
    case ActionError::no_retakes_left:
        return "no_retakes_left";
    case ActionError::camera_failed:
        return "camera_failed";
    case ActionError::storage_failed:
        return "storage_failed";
    case ActionError::session_ended:
        return "session_ended";
    }
    return "none";
}

namespace {

std::string_view to_string(PrintPhase phase) {
    switch (phase) {
    case PrintPhase::queued:
        return "queued";
    case PrintPhase::printing:
        return "printing";
    case PrintPhase::held:
        return "held";
    case PrintPhase::done:
        return "done";
    case PrintPhase::failed:
        return "failed";
    }
    return "queued";
}

std::string utc_now() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm parts{};
    gmtime_r(&now, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

imaging::Result<std::vector<std::byte>> read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return imaging::Error{imaging::Errc::file_error, "cannot read " + path.string()};
    }
    std::vector<char> text((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(text.size());
    std::transform(text.begin(), text.end(), bytes.begin(),
                   [](char c) { return static_cast<std::byte>(c); });
    return bytes;
}

} // namespace

struct GuestFlow::State : std::enable_shared_from_this<GuestFlow::State> {
    State(asio::any_io_executor loop_in, const EventSettings& event_in, Journal& journal_in,
          platform::BlockingWorker& imaging_in, Shutter& shutter_in, PrintQueue& printer_in,
          FlowOptions options_in)
        : loop(std::move(loop_in))
        , event(std::make_shared<const EventSettings>(event_in))
        , journal(journal_in)
        , imaging(imaging_in)
        , shutter(shutter_in)
        , printer(printer_in)
        , options(std::move(options_in))
        , state_timer(loop)
        , step_timer(loop) {}

    asio::any_io_executor loop;
    // Shared with compositions still running on the imaging worker.
    std::shared_ptr<const EventSettings> event;
    Journal& journal;
    platform::BlockingWorker& imaging;
    Shutter& shutter;
    PrintQueue& printer;
    FlowOptions options;
    platform::Logger log{"session"};

    Snapshot snapshot;
    std::map<int, Observer> observers;
    int next_observer = 1;

    // A new value for every session and every return to attract: a completion that
    // carries an old value belongs to a session that is gone.
    std::uint64_t generation = 0;
    std::optional<std::string> session_id;
    std::vector<std::optional<JournalPhoto>> photos; // one per slot
    std::deque<int> pending;                         // slots still to shoot, in order
    int retakes_used = 0;
    // Counting down or capturing: shoot joins instead of starting anew.
    bool shooting = false;
    std::vector<ShootDone> shoot_waiters;
    bool print_requested = false;

    asio::steady_timer state_timer;
    std::uint64_t state_timer_serial = 0;
    asio::steady_timer step_timer;
    std::uint64_t step_timer_serial = 0;

    std::deque<FaultRecord> faults;
    std::optional<OrderView> last_order;
    std::optional<PrintView> last_print;

    // --- publishing -------------------------------------------------------------

    void publish() {
        ++snapshot.version;
        snapshot.camera = shutter.status();
        snapshot.printer = printer.status();
        // Observers may add or remove observers while they run.
        const auto current = observers;
        for (const auto& [id, observer] : current) {
            observer(snapshot);
        }
    }

    void record_fault(const Notice& notice) {
        log.warning(notice.device, " fault (", notice.fault.reason, "): ", notice.fault.message);
        faults.push_back({utc_now(), notice});
        while (faults.size() > options.fault_log_size) {
            faults.pop_front();
        }
    }

    void show_fault(std::string device, DeviceFault fault) {
        Notice notice{std::move(device), std::move(fault)};
        record_fault(notice);
        snapshot.notice = std::move(notice);
    }

    ActionResult result(ActionError error = ActionError::none, std::string message = {}) const {
        return {error, std::move(message), snapshot};
    }

    // --- timers -----------------------------------------------------------------

    std::chrono::milliseconds timeout_of(Stage stage) const {
        const auto& timeouts = event->timeouts;
        switch (stage) {
        case Stage::attract:
            break;
        case Stage::countdown:
            return timeouts.countdown;
        case Stage::capture:
            return timeouts.capture;
        case Stage::review:
            return timeouts.review;
        case Stage::copies:
            return timeouts.copies;
        case Stage::printing:
            return timeouts.printing;
        case Stage::code:
            return timeouts.code;
        }
        return std::chrono::milliseconds::zero();
    }

    void cancel_state_timer() {
        ++state_timer_serial;
        state_timer.cancel();
    }

    void arm_state_timer() {
        cancel_state_timer();
        const auto stage = snapshot.stage;
        if (stage == Stage::attract) {
            return;
        }
        state_timer.expires_after(timeout_of(stage));
        state_timer.async_wait([weak = weak_from_this(), serial = state_timer_serial,
                                stage](const boost::system::error_code&) {
            auto self = weak.lock();
            // A timer cancelled after it expired still runs its handler: the serial says
            // whether it is still the current one.
            if (self && serial == self->state_timer_serial && self->snapshot.stage == stage) {
                self->on_timeout(stage);
            }
        });
    }

    void cancel_step_timer() {
        ++step_timer_serial;
        step_timer.cancel();
    }

    void arm_step_timer() {
        step_timer.expires_after(event->countdown_step);
        step_timer.async_wait([weak = weak_from_this(),
                               serial = step_timer_serial](const boost::system::error_code&) {
            auto self = weak.lock();
            if (self && serial == self->step_timer_serial) {
                self->on_countdown_step();
            }
        });
    }

    void enter(Stage stage) {
        snapshot.stage = stage;
        if (stage != Stage::countdown && stage != Stage::capture) {
            snapshot.shot = 0;
        }
        if (stage != Stage::countdown) {
            snapshot.seconds_left.reset();
        }
        arm_state_timer();
        publish();
    }

    void on_timeout(Stage stage) {
        log.info("no answer in ", to_string(stage), " within ",
                 std::chrono::duration_cast<std::chrono::seconds>(timeout_of(stage)).count(),
                 " s; back to attract");
        if (stage == Stage::capture) {
            show_fault("camera",
                       {"timed_out",
                        "The camera did not deliver the picture within " +
                            std::to_string(
                                std::chrono::duration_cast<std::chrono::seconds>(timeout_of(stage))
                                    .count()) +
                            " s. Check the camera and its cable."});
        }
        end_session("timed out");
    }

    // --- the session --------------------------------------------------------------

    void complete_shooters(const ActionResult& outcome) {
        auto waiters = std::move(shoot_waiters);
        shoot_waiters.clear();
        for (auto& waiter : waiters) {
            asio::post(loop, [waiter = std::move(waiter), outcome]() { waiter(outcome); });
        }
    }

    void end_session(std::string_view why) {
        cancel_state_timer();
        cancel_step_timer();
        ++generation;
        if (session_id) {
            try {
                journal.finish_session(*session_id);
            } catch (const std::exception& error) {
                // Recovery at the next start closes it; nothing the guest can do.
                log.error("cannot finish session ", *session_id, " in the journal: ", error.what());
            }
            log.info("session ", *session_id, " ended (", why, ")");
        }
        session_id.reset();
        photos.clear();
        pending.clear();
        retakes_used = 0;
        shooting = false;
        print_requested = false;
        snapshot.photos.clear();
        snapshot.retakes_left = 0;
        snapshot.copies = 0;
        snapshot.order.reset();
        snapshot.print.reset();
        snapshot.stage = Stage::attract;
        snapshot.shot = 0;
        snapshot.seconds_left.reset();
        complete_shooters(
            result(ActionError::session_ended, "the session ended (" + std::string(why) + ")"));
        publish();
    }

    void wait_for_next_shot() {
        snapshot.shot = pending.front();
        snapshot.seconds_left.reset();
        enter(Stage::countdown);
    }

    void on_countdown_step() {
        if (snapshot.stage != Stage::countdown || !shooting || !snapshot.seconds_left) {
            return;
        }
        const int left = *snapshot.seconds_left - 1;
        if (left <= 0) {
            begin_capture();
            return;
        }
        snapshot.seconds_left = left;
        publish();
        arm_step_timer();
    }

    void begin_capture() {
        enter(Stage::capture);
        const int slot = snapshot.shot;
        shutter.capture([weak = weak_from_this(), generation_then = generation,
                         slot](DeviceResult<Jpeg> picture) {
            if (auto self = weak.lock()) {
                self->on_captured(generation_then, slot, std::move(picture));
            }
        });
    }

    void on_captured(std::uint64_t generation_then, int slot, DeviceResult<Jpeg> picture) {
        if (generation_then != generation || snapshot.stage != Stage::capture ||
            snapshot.shot != slot) {
            // Never shown to the guest, never stored: as if it was not taken.
            log.info("dropping a picture that came after its session ended");
            return;
        }
        cancel_state_timer();
        shooting = false;
        if (!picture) {
            show_fault("camera", picture.error());
            wait_for_next_shot();
            complete_shooters(result(ActionError::camera_failed, picture.error().message));
            return;
        }
        try {
            auto photo = journal.add_photo(*session_id, *picture);
            photos[static_cast<std::size_t>(slot - 1)] = std::move(photo);
        } catch (const std::exception& error) {
            show_fault("booth",
                       {"storage_failed", std::string("Cannot store the photo: ") + error.what()});
            wait_for_next_shot();
            complete_shooters(result(ActionError::storage_failed, error.what()));
            return;
        }
        pending.pop_front();
        snapshot.photos.clear();
        for (std::size_t index = 0; index < photos.size(); ++index) {
            if (photos[index]) {
                snapshot.photos.push_back(static_cast<int>(index) + 1);
            }
        }
        if (snapshot.notice && snapshot.notice->device == "camera") {
            snapshot.notice.reset();
        }
        if (pending.empty()) {
            enter(Stage::review);
        } else {
            wait_for_next_shot();
        }
        complete_shooters(result());
    }

    // --- printing ---------------------------------------------------------------

    // The order's photos are its session's, in slot order (the journal keeps them so).
    void compose_and_print(const JournalOrder& order, int copies) {
        std::vector<std::filesystem::path> files;
        for (const auto& photo : order.photos) {
            files.push_back(photo.file);
        }
        OrderView view{order.order_id, order.code, order.url};
        imaging.run(
            [event_then = event, files = std::move(files), code = order.code,
             url = order.url]() -> imaging::Result<std::vector<std::byte>> {
                std::vector<std::vector<std::byte>> jpegs;
                for (std::size_t index = 0; index < files.size(); ++index) {
                    auto bytes = read_file(files[index]);
                    if (!bytes) {
                        return imaging::with_context(bytes.error(),
                                                     "photo " + std::to_string(index + 1));
                    }
                    jpegs.push_back(std::move(*bytes));
                }
                return imaging::compose_print(event_then->layout, jpegs, code, url);
            },
            [weak = weak_from_this(), generation_then = generation, view,
             copies](imaging::Result<std::vector<std::byte>> composed) {
                if (auto self = weak.lock()) {
                    self->on_composed(generation_then, view, copies, std::move(composed));
                }
            });
    }

    bool showing(std::uint64_t generation_then) const {
        return generation_then == generation &&
               (snapshot.stage == Stage::printing || snapshot.stage == Stage::code);
    }

    void on_composed(std::uint64_t generation_then, const OrderView& order, int copies,
                     imaging::Result<std::vector<std::byte>> composed) {
        if (!composed) {
            const DeviceFault fault{"compose_failed", "Cannot compose the print of order " +
                                                          order.code + ": " +
                                                          imaging::describe(composed.error())};
            last_print = PrintView{"failed", 0, copies};
            if (showing(generation_then)) {
                snapshot.print = last_print;
                show_fault("booth", fault);
                enter(Stage::code);
            } else {
                record_fault({"booth", fault});
                publish();
            }
            return;
        }
        log.info("order ", order.order_id, ": print composed (", composed->size(),
                 " bytes), sending ", copies, " copies");
        PrintRequest request{order.order_id, order.code,
                             std::make_shared<const Jpeg>(std::move(*composed)), copies};
        printer.print(std::move(request),
                      [weak = weak_from_this(), generation_then,
                       order_id = order.order_id](const PrintProgress& progress) {
                          if (auto self = weak.lock()) {
                              self->on_print_progress(generation_then, order_id, progress);
                          }
                      });
    }

    void on_print_progress(std::uint64_t generation_then, const std::string& order_id,
                           const PrintProgress& progress) {
        PrintView view{std::string(to_string(progress.phase)), progress.copies_done,
                       progress.copies};
        const bool changed_phase = !last_print || last_print->phase != view.phase;
        if (last_order && last_order->order_id == order_id) {
            last_print = view;
        }
        const bool faulted =
            progress.phase == PrintPhase::held || progress.phase == PrintPhase::failed;
        const DeviceFault fault =
            progress.fault.value_or(DeviceFault{"printer_failed", "The printer reported a fault."});
        if (!showing(generation_then)) {
            if (faulted && changed_phase) {
                record_fault({"printer", fault});
            }
            publish();
            return;
        }
        snapshot.print = view;
        if (faulted) {
            if (changed_phase || !snapshot.notice ||
                snapshot.notice->fault.reason != fault.reason) {
                show_fault("printer", fault);
            }
        } else if (snapshot.notice && snapshot.notice->device == "printer") {
            snapshot.notice.reset();
        }
        if ((progress.phase == PrintPhase::done || progress.phase == PrintPhase::failed) &&
            snapshot.stage == Stage::printing) {
            enter(Stage::code);
            return;
        }
        publish();
    }
};

GuestFlow::GuestFlow(asio::any_io_executor loop, const EventSettings& event, Journal& journal,
                     platform::BlockingWorker& imaging, Shutter& shutter, PrintQueue& printer,
                     FlowOptions options)
    : state_(std::make_shared<State>(std::move(loop), event, journal, imaging, shutter, printer,
                                     std::move(options))) {
    state_->snapshot.shots = event.shots;
    state_->snapshot.camera = shutter.status();
    state_->snapshot.printer = printer.status();
}

GuestFlow::~GuestFlow() {
    auto& state = *state_;
    state.observers.clear();
    state.shoot_waiters.clear();
    state.cancel_state_timer();
    state.cancel_step_timer();
    if (state.session_id) {
        try {
            state.journal.finish_session(*state.session_id);
        } catch (const std::exception& error) {
            state.log.error("cannot finish session ", *state.session_id, ": ", error.what());
        }
    }
}

const Snapshot& GuestFlow::snapshot() const {
    return state_->snapshot;
}

const EventSettings& GuestFlow::event() const {
    return *state_->event;
}

int GuestFlow::add_observer(Observer observer) {
    const int id = state_->next_observer++;
    state_->observers.emplace(id, std::move(observer));
    return id;
}

void GuestFlow::remove_observer(int id) {
    state_->observers.erase(id);
}

ActionResult GuestFlow::start() {
    auto& state = *state_;
    if (state.snapshot.stage != Stage::attract) {
        return state.result(ActionError::wrong_state, "a session is already running");
    }
    if (state.snapshot.paused) {
        return state.result(ActionError::paused, "the operator paused the booth");
    }
    const auto camera = state.shutter.status();
    if (!camera.ready) {
        const DeviceFault fault{
            camera.condition, camera.message.empty() ? "The camera is not ready." : camera.message};
        if (!state.snapshot.notice || state.snapshot.notice->fault.reason != fault.reason) {
            state.show_fault("camera", fault);
        }
        state.publish();
        return state.result(ActionError::camera_failed, fault.message);
    }
    try {
        state.session_id = state.journal.begin_session(state.event->name);
    } catch (const std::exception& error) {
        state.show_fault(
            "booth", {"storage_failed", std::string("Cannot begin a session: ") + error.what()});
        state.publish();
        return state.result(ActionError::storage_failed, error.what());
    }
    ++state.generation;
    const auto shots = static_cast<std::size_t>(state.event->shots);
    state.photos.assign(shots, std::nullopt);
    state.pending.clear();
    for (int slot = 1; slot <= state.event->shots; ++slot) {
        state.pending.push_back(slot);
    }
    state.retakes_used = 0;
    state.print_requested = false;
    state.snapshot.notice.reset();
    state.snapshot.photos.clear();
    state.snapshot.retakes_left = state.event->max_retakes;
    state.log.info("session ", *state.session_id, " started");
    state.wait_for_next_shot();
    return state.result();
}

void GuestFlow::shoot(ShootDone done) {
    auto& state = *state_;
    const auto stage = state.snapshot.stage;
    if ((stage == Stage::countdown && state.shooting) || stage == Stage::capture) {
        state.shoot_waiters.push_back(std::move(done));
        return;
    }
    if (stage != Stage::countdown) {
        asio::post(state.loop,
                   [done = std::move(done),
                    refused = state.result(ActionError::wrong_state, "no photo to take now")]() {
                       done(refused);
                   });
        return;
    }
    state.shooting = true;
    state.shoot_waiters.push_back(std::move(done));
    // The countdown itself is bounded; the countdown state's timeout is for a guest who
    // walked away before asking for the picture.
    state.cancel_state_timer();
    if (state.event->countdown_seconds == 0) {
        state.begin_capture();
        return;
    }
    state.snapshot.seconds_left = state.event->countdown_seconds;
    state.publish();
    state.arm_step_timer();
}

ActionResult GuestFlow::retake(std::optional<int> shot) {
    auto& state = *state_;
    if (state.snapshot.stage != Stage::review) {
        return state.result(ActionError::wrong_state, "retakes are chosen on the review screen");
    }
    if (state.retakes_used >= state.event->max_retakes) {
        return state.result(ActionError::no_retakes_left,
                            "all " + std::to_string(state.event->max_retakes) +
                                " retakes are used");
    }
    if (shot && (*shot < 1 || *shot > state.event->shots)) {
        return state.result(ActionError::out_of_range,
                            "shot must be from 1 to " + std::to_string(state.event->shots));
    }
    std::vector<int> slots;
    if (shot) {
        slots.push_back(*shot);
    } else {
        for (int slot = 1; slot <= state.event->shots; ++slot) {
            slots.push_back(slot);
        }
    }
    try {
        for (const int slot : slots) {
            auto& photo = state.photos[static_cast<std::size_t>(slot - 1)];
            if (photo) {
                state.journal.discard_photo(*state.session_id, photo->sha256);
            }
        }
    } catch (const std::exception& error) {
        return state.result(ActionError::storage_failed, error.what());
    }
    for (const int slot : slots) {
        state.photos[static_cast<std::size_t>(slot - 1)].reset();
        std::erase(state.snapshot.photos, slot);
        state.pending.push_back(slot);
    }
    ++state.retakes_used;
    state.snapshot.retakes_left = state.event->max_retakes - state.retakes_used;
    state.wait_for_next_shot();
    return state.result();
}

ActionResult GuestFlow::accept() {
    auto& state = *state_;
    if (state.snapshot.stage != Stage::review) {
        return state.result(ActionError::wrong_state, "nothing to accept now");
    }
    state.snapshot.copies = state.event->copies.default_copies;
    state.enter(Stage::copies);
    return state.result();
}

ActionResult GuestFlow::choose_copies(int copies) {
    auto& state = *state_;
    if (state.snapshot.stage != Stage::copies) {
        return state.result(ActionError::wrong_state, "copies are chosen on the copies screen");
    }
    const auto& limits = state.event->copies;
    if (copies < limits.min || copies > limits.max) {
        return state.result(ActionError::out_of_range, "copies must be from " +
                                                           std::to_string(limits.min) + " to " +
                                                           std::to_string(limits.max));
    }
    state.snapshot.copies = copies;
    state.enter(Stage::copies);
    return state.result();
}

bool GuestFlow::print_recovered(const JournalOrder& order) {
    auto& state = *state_;
    if (order.layout != state.event->layout.name ||
        static_cast<int>(order.photos.size()) != state.event->shots) {
        state.log.warning("order ", order.order_id, " (", order.code, ") was made with layout \"",
                          order.layout, "\", not this event's: it is not printed again");
        return false;
    }
    state.log.info("order ", order.order_id, " (", order.code, ") never reached the printer ",
                   "before the booth stopped: printing it now, ", order.copies,
                   order.copies == 1 ? " copy" : " copies");
    state.last_order = OrderView{order.order_id, order.code, order.url};
    state.last_print = PrintView{"composing", 0, order.copies};
    state.compose_and_print(order, order.copies);
    return true;
}

ActionResult GuestFlow::print(int copies) {
    auto& state = *state_;
    const auto stage = state.snapshot.stage;
    if ((stage == Stage::printing || stage == Stage::code) && state.print_requested) {
        // The double tap: the order is printing or printed already.
        return state.result();
    }
    if (stage != Stage::copies) {
        return state.result(ActionError::wrong_state, "printing follows choosing copies");
    }
    const auto& limits = state.event->copies;
    if (copies < limits.min || copies > limits.max) {
        return state.result(ActionError::out_of_range, "copies must be from " +
                                                           std::to_string(limits.min) + " to " +
                                                           std::to_string(limits.max));
    }
    JournalOrder order;
    try {
        order = state.journal.create_order(*state.session_id, copies, state.event->layout.name,
                                           state.options.public_url);
    } catch (const std::exception& error) {
        state.show_fault(
            "booth", {"storage_failed", std::string("Cannot record the order: ") + error.what()});
        state.publish();
        return state.result(ActionError::storage_failed, error.what());
    }
    state.print_requested = true;
    state.snapshot.copies = copies;
    state.snapshot.order = OrderView{order.order_id, order.code, order.url};
    state.snapshot.print = PrintView{"composing", 0, copies};
    state.last_order = state.snapshot.order;
    state.last_print = state.snapshot.print;
    state.log.info("session ", *state.session_id, ": order ", order.order_id, ", ", copies,
                   copies == 1 ? " copy" : " copies");
    state.enter(Stage::printing);
    state.compose_and_print(order, copies);
    return state.result();
}

ActionResult GuestFlow::finish() {
    auto& state = *state_;
    if (state.snapshot.stage != Stage::attract) {
        state.end_session("finished by the guest");
    }
    return state.result();
}

void GuestFlow::pause() {
    state_->snapshot.paused = true;
    state_->log.info("paused by the operator");
    state_->publish();
}

void GuestFlow::resume() {
    state_->snapshot.paused = false;
    state_->log.info("resumed by the operator");
    state_->publish();
}

void GuestFlow::resume_printer(ResumeDone done) {
    state_->log.info("the operator resumes the printer");
    state_->printer.resume(
        [weak = std::weak_ptr<State>(state_), done = std::move(done)](DeviceResult<void> outcome) {
            if (auto self = weak.lock()) {
                if (!outcome) {
                    self->record_fault({"printer", outcome.error()});
                }
                self->publish();
            }
            done(std::move(outcome));
        });
}

void GuestFlow::device_status_changed() {
    auto& state = *state_;
    auto& notice = state.snapshot.notice;
    if (notice && notice->device == "camera" && state.shutter.status().ready &&
        state.snapshot.stage == Stage::attract) {
        notice.reset();
    }
    if (notice && notice->device == "printer" && state.printer.status().ready &&
        !(state.snapshot.print && state.snapshot.print->phase == "held")) {
        notice.reset();
    }
    state.publish();
}

std::vector<FaultRecord> GuestFlow::recent_faults() const {
    return {state_->faults.begin(), state_->faults.end()};
}

std::optional<OrderView> GuestFlow::last_order() const {
    return state_->last_order;
}

std::optional<PrintView> GuestFlow::last_print() const {
    return state_->last_print;
}

void GuestFlow::thumbnail(int shot, ThumbnailDone done) {
    auto& state = *state_;
    if (shot < 1 || shot > static_cast<int>(state.photos.size()) ||
        !state.photos[static_cast<std::size_t>(shot - 1)]) {
        asio::post(state.loop, [done = std::move(done)]() { done(std::nullopt); });
        return;
    }
    state.imaging.run(
        [file = state.photos[static_cast<std::size_t>(shot - 1)]->file]() -> std::optional<Jpeg> {
            auto bytes = read_file(file);
            if (!bytes) {
                return std::nullopt;
            }
            auto small = imaging::make_thumbnail(*bytes);
            if (!small) {
                return std::nullopt;
            }
            return std::move(*small);
        },
        std::move(done));
}

void GuestFlow::set_public_url(std::string public_url) {
    state_->options.public_url = std::move(public_url);
}

} // namespace encore::kiosk::session
