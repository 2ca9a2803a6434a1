#include "kiosk/devices/booth_printer.hpp"

#include "drivers/printer/condition.hpp"
#include "drivers/printer/media.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/log/logger.hpp"
#include "platform/runtime/blocking_worker.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <system_error>
#include <utility>

namespace encore::kiosk::devices {

namespace printer = drivers::printer;
using printer::LedgerState;

std::optional<printer::MediaSize> media_for_print(double width_inches, double height_inches) {
    // IPP measures paper in hundredths of a millimetre.
    const auto width = width_inches * 2540.0;
    const auto height = height_inches * 2540.0;
    const auto close = [](double a, int b) { return std::abs(a - b) <= 50.0; };
    for (const auto size : printer::all_media_sizes()) {
        const auto paper = printer::dimensions(size);
        if ((close(width, paper.width) && close(height, paper.height)) ||
            (close(width, paper.height) && close(height, paper.width))) {
            return size;
        }
    }
    return std::nullopt;
}

std::string printer_fault_reason(const printer::Error& error) {
    using printer::Errc;
    if (error.code.category() != printer::printer_category()) {
        return "printer_failed";
    }
    switch (static_cast<Errc>(error.code.value())) {
    case Errc::out_of_paper:
        return "out_of_paper";
    case Errc::paper_jam:
        return "paper_jam";
    case Errc::out_of_ribbon:
        return "out_of_ribbon";
    case Errc::printer_offline:
    case Errc::server_unreachable:
        return "offline";
    case Errc::printer_stopped:
        return "stopped";
    case Errc::printer_fault:
        return "fault";
    case Errc::no_such_queue:
        return "no_such_queue";
    default:
        return "printer_failed";
    }
}

session::PrintProgress print_progress(const std::vector<printer::LedgerEntry>& rows, int copies,
                                      const std::optional<printer::Error>& condition) {
    session::PrintProgress progress;
    progress.copies = copies;
    progress.copies_done = static_cast<int>(
        std::count_if(rows.begin(), rows.end(), [](const printer::LedgerEntry& row) {
            return row.state == LedgerState::completed;
        }));
    const bool all_recorded = static_cast<int>(rows.size()) >= copies;
    const bool all_finished =
        all_recorded && std::all_of(rows.begin(), rows.end(), [](const auto& row) {
            return printer::is_finished(row.state);
        });
    if (all_finished) {
        if (progress.copies_done >= copies) {
            progress.phase = session::PrintPhase::done;
            return progress;
        }
        progress.phase = session::PrintPhase::failed;
        for (const auto& row : rows) {
            if (row.state == LedgerState::completed) {
                continue;
            }
            const auto reason =
                row.state == LedgerState::unconfirmed ? "print_unconfirmed" : "printer_failed";
            auto message = "Copy " + std::to_string(row.copy) + " of the order was " +
                           std::string(printer::to_string(row.state));
            if (!row.message.empty()) {
                message += ": " + row.message;
            }
            progress.fault = session::DeviceFault{reason, message};
            break;
        }
        return progress;
    }
    const auto any_in = [&rows](std::initializer_list<LedgerState> states) {
        return std::any_of(rows.begin(), rows.end(), [&states](const auto& row) {
            return std::find(states.begin(), states.end(), row.state) != states.end();
        });
    };
    if (condition) {
        progress.phase = session::PrintPhase::held;
        progress.fault =
            session::DeviceFault{printer_fault_reason(*condition), printer::describe(*condition)};
    } else if (any_in({LedgerState::held, LedgerState::stopped})) {
        progress.phase = session::PrintPhase::held;
        progress.fault = session::DeviceFault{
            "held", "A print of the order waits in the print queue: resume the printer."};
    } else if (any_in({LedgerState::printing})) {
        progress.phase = session::PrintPhase::printing;
    } else {
        progress.phase = session::PrintPhase::queued;
    }
    return progress;
}

namespace {

bool same_progress(const session::PrintProgress& a, const session::PrintProgress& b) {
    const auto reason = [](const session::PrintProgress& progress) {
        return progress.fault ? progress.fault->reason : std::string();
    };
    return a.phase == b.phase && a.copies_done == b.copies_done && a.copies == b.copies &&
           reason(a) == reason(b);
}

} // namespace

struct BoothPrinter::State : std::enable_shared_from_this<BoothPrinter::State> {
    // An order the flow asked to print, followed until every copy is finished.
    struct Followed {
        int copies = 0;
        std::vector<printer::LedgerEntry> rows;
        std::vector<Progress> listeners;
        std::optional<session::PrintProgress> last;
        bool submitted = false;
    };

    State(boost::asio::any_io_executor loop_in, printer::Printer& printer_in,
          printer::PrintLedger& ledger_in, platform::BlockingWorker& files_in,
          BoothPrinterOptions options_in)
        : loop(std::move(loop_in))
        , printer(printer_in)
        , ledger(ledger_in)
        , files(files_in)
        , options(std::move(options_in)) {}

    boost::asio::any_io_executor loop;
    printer::Printer& printer;
    printer::PrintLedger& ledger;
    platform::BlockingWorker& files;
    BoothPrinterOptions options;
    platform::Logger log{"printer"};
    std::unique_ptr<printer::PrintSpooler> spooler;
    std::map<std::string, Followed> followed;
    // What keeps the queue waiting, from the spooler's last printer event.
    std::optional<printer::Error> condition;
    std::optional<printer::PrinterStatus> printer_status;
    bool status_known = false;
    std::function<void()> status_observer;

    std::filesystem::path file_of(const std::string& order_id) const {
        return options.prints_dir / (order_id + ".jpg");
    }

    void on_event(const printer::PrintEvent& event) {
        if (event.queue != options.queue) {
            return;
        }
        if (event.kind == printer::PrintEvent::Kind::job_changed && event.job) {
            const auto found = followed.find(event.job->order_id);
            if (found == followed.end()) {
                return;
            }
            auto& rows = found->second.rows;
            const auto row = std::find_if(rows.begin(), rows.end(), [&event](const auto& entry) {
                return entry.id == event.job->id;
            });
            if (row == rows.end()) {
                rows.push_back(*event.job);
            } else {
                *row = *event.job;
            }
            report(event.job->order_id);
            return;
        }
        const auto before = describe_status();
        condition = event.condition;
        printer_status = event.printer;
        status_known = true;
        std::vector<std::string> orders;
        for (const auto& [order_id, order] : followed) {
            if (order.submitted) {
                orders.push_back(order_id);
            }
        }
        for (const auto& order_id : orders) {
            report(order_id);
        }
        const auto after = describe_status();
        if ((before.ready != after.ready || before.condition != after.condition ||
             before.message != after.message) &&
            status_observer) {
            status_observer();
        }
    }

    // Tells the order's listeners where it stands, when that changed; forgets a finished
    // order and removes its file.
    void report(const std::string& order_id) {
        const auto found = followed.find(order_id);
        if (found == followed.end()) {
            return;
        }
        auto& order = found->second;
        const auto progress = print_progress(order.rows, order.copies, condition);
        if (order.last && same_progress(*order.last, progress)) {
            return;
        }
        order.last = progress;
        const auto listeners = order.listeners;
        const bool finished = progress.phase == session::PrintPhase::done ||
                              progress.phase == session::PrintPhase::failed;
        if (finished) {
            log.info("order ", order_id, ": ", progress.copies_done, " of ", progress.copies,
                     " prints made", progress.fault ? " (" + progress.fault->message + ")" : "");
            followed.erase(found);
            remove_file(order_id);
        }
        for (const auto& listener : listeners) {
            listener(progress);
        }
    }

    void fail(const std::string& order_id, session::DeviceFault fault) {
        const auto found = followed.find(order_id);
        if (found == followed.end()) {
            return;
        }
        session::PrintProgress progress;
        progress.phase = session::PrintPhase::failed;
        progress.copies = found->second.copies;
        progress.fault = std::move(fault);
        log.error("order ", order_id, ": ", progress.fault->message);
        const auto listeners = std::move(found->second.listeners);
        followed.erase(found);
        for (const auto& listener : listeners) {
            listener(progress);
        }
    }

    void remove_file(const std::string& order_id) {
        files.run(
            [file = file_of(order_id)] {
                std::error_code error;
                std::filesystem::remove(file, error);
                return error;
            },
            [](std::error_code) {});
    }

    void print(session::PrintRequest request, Progress progress) {
        const auto order_id = request.order_id;
        const auto existing = followed.find(order_id);
        if (existing != followed.end()) {
            // Asked again for an order already on its way: follow it, print nothing more.
            existing->second.listeners.push_back(progress);
            if (existing->second.last) {
                boost::asio::post(loop,
                                  [progress, last = *existing->second.last] { progress(last); });
            }
            return;
        }
        auto& order = followed[order_id];
        order.copies = request.copies;
        order.listeners.push_back(std::move(progress));
        files.run(
            [file = file_of(order_id), jpeg = request.jpeg]() -> std::error_code {
                std::error_code error;
                if (std::filesystem::file_size(file, error) == jpeg->size() && !error) {
                    return {};
                }
                return platform::write_file_atomically(file, *jpeg);
            },
            [weak = weak_from_this(), order_id, copies = request.copies](std::error_code error) {
                if (auto self = weak.lock()) {
                    self->on_written(order_id, copies, error);
                }
            });
    }

    void on_written(const std::string& order_id, int copies, std::error_code error) {
        if (error) {
            fail(order_id, {"storage_failed", "Cannot store the print of order " + order_id +
                                                  " in " + options.prints_dir.string() + ": " +
                                                  error.message() + " (free space on the disk)"});
            return;
        }
        if (!spooler) {
            fail(order_id, {"printer_failed", "The printer is stopped (the booth is stopping)."});
            return;
        }
        printer::PrintOrder order;
        order.order_id = order_id;
        order.copies = copies;
        order.queue = options.queue;
        order.document = file_of(order_id);
        order.media = options.media;
        order.borderless = options.borderless;
        spooler->submit(order, [weak = weak_from_this(),
                                order_id](printer::Result<std::vector<printer::LedgerEntry>> rows) {
            if (auto self = weak.lock()) {
                self->on_submitted(order_id, std::move(rows));
            }
        });
    }

    void on_submitted(const std::string& order_id,
                      printer::Result<std::vector<printer::LedgerEntry>> rows) {
        if (!rows) {
            fail(order_id, {printer_fault_reason(rows.error()), printer::describe(rows.error())});
            remove_file(order_id);
            return;
        }
        const auto found = followed.find(order_id);
        if (found == followed.end()) {
            return;
        }
        found->second.submitted = true;
        // Events may have come in first: keep the newer of each row.
        for (auto& row : *rows) {
            const auto known =
                std::find_if(found->second.rows.begin(), found->second.rows.end(),
                             [&row](const auto& entry) { return entry.id == row.id; });
            if (known == found->second.rows.end()) {
                found->second.rows.push_back(std::move(row));
            }
        }
        report(order_id);
    }

    // Print files of orders with no unfinished copy are no longer needed.
    void remove_finished_files() {
        std::set<std::string> needed;
        if (auto unfinished = ledger.unfinished()) {
            for (const auto& row : *unfinished) {
                needed.insert(row.order_id);
            }
        } else {
            log.warning("cannot read the print ledger: ", printer::describe(unfinished.error()),
                        "; print files are kept");
            return;
        }
        std::error_code error;
        std::size_t removed = 0;
        for (const auto& entry : std::filesystem::directory_iterator(options.prints_dir, error)) {
            const auto& path = entry.path();
            if (path.extension() == ".jpg" && !needed.contains(path.stem().string())) {
                std::error_code ignored;
                removed += std::filesystem::remove(path, ignored) ? 1 : 0;
            }
        }
        if (removed > 0) {
            log.info("removed ", removed, " print files of finished orders");
        }
    }

    session::DeviceStatus describe_status() const {
        session::DeviceStatus status;
        status.name = "queue " + options.queue;
        if (printer_status && !printer_status->make_and_model.empty()) {
            status.name += " (" + printer_status->make_and_model + ")";
        }
        if (!status_known) {
            status.condition = "unknown";
            status.message = "Asking the print server about queue \"" + options.queue + "\".";
            return status;
        }
        if (condition) {
            status.condition = printer_fault_reason(*condition);
            status.message = printer::describe(*condition);
            return status;
        }
        status.ready = true;
        status.condition = "ready";
        return status;
    }
};

BoothPrinter::BoothPrinter(boost::asio::any_io_executor loop, printer::Printer& printer,
                           printer::PrintLedger& ledger, platform::BlockingWorker& files,
                           BoothPrinterOptions options)
    : state_(std::make_shared<State>(std::move(loop), printer, ledger, files, std::move(options))) {
}

BoothPrinter::~BoothPrinter() {
    stop();
}

void BoothPrinter::start() {
    auto& state = *state_;
    std::filesystem::create_directories(state.options.prints_dir);
    platform::remove_stale_temp_files(state.options.prints_dir);
    state.remove_finished_files();
    state.spooler = std::make_unique<printer::PrintSpooler>(
        state.loop, state.printer, state.ledger, state.options.spooler,
        [weak = std::weak_ptr<State>(state_)](const printer::PrintEvent& event) {
            if (auto self = weak.lock()) {
                self->on_event(event);
            }
        });
    state.spooler->start();
    state.spooler->watch(state.options.queue);
}

void BoothPrinter::stop() {
    if (state_->spooler) {
        state_->spooler->stop();
    }
}

void BoothPrinter::print(session::PrintRequest request, Progress progress) {
    state_->print(std::move(request), std::move(progress));
}

void BoothPrinter::resume(ResumeDone done) {
    auto& state = *state_;
    if (!state.spooler) {
        boost::asio::post(state.loop, [done = std::move(done)] {
            done(session::DeviceFault{"printer_failed", "The printer is not started."});
        });
        return;
    }
    state.spooler->resume(state.options.queue,
                          [done = std::move(done)](printer::Result<int> released) {
                              if (!released) {
                                  done(session::DeviceFault{printer_fault_reason(released.error()),
                                                            printer::describe(released.error())});
                                  return;
                              }
                              done(session::DeviceResult<void>());
                          });
}

session::DeviceStatus BoothPrinter::status() const {
    return state_->describe_status();
}

void BoothPrinter::on_status_changed(std::function<void()> observer) {
    state_->status_observer = std::move(observer);
}

} // namespace encore::kiosk::devices
