#include "hub/desk/order_desk.hpp"

#include "platform/files/atomic_file.hpp"
#include "platform/log/logger.hpp"
#include "platform/runtime/blocking_worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace encore::hub::desk {

namespace printer = drivers::printer;
using settlement::ReorderState;

namespace {

// A print that will not come out unless a clerk reprints it.
bool is_final(printer::LedgerState state) {
    return state == printer::LedgerState::failed || state == printer::LedgerState::canceled ||
           state == printer::LedgerState::aborted || state == printer::LedgerState::unconfirmed;
}

} // namespace

std::string item_print_id(const std::string& reorder_id, int item) {
    return reorder_id + "-" + std::to_string(item);
}

std::string reprint_print_id(const std::string& reorder_id, int item, int number) {
    return item_print_id(reorder_id, item) + "-r" + std::to_string(number);
}

OrderDesk::OrderDesk(boost::asio::any_io_executor loop, settlement::Ledger& ledger,
                     const ImageStore& images, OrderRepository& orders,
                     const LabTemplates* templates, printer::PrintSpooler& spooler,
                     printer::PrintLedger& prints, platform::BlockingWorker& worker,
                     DeskSettings settings)
    : loop_(std::move(loop))
    , ledger_(ledger)
    , images_(images)
    , orders_(orders)
    , templates_(templates)
    , spooler_(spooler)
    , prints_(prints)
    , worker_(worker)
    , settings_(std::move(settings)) {
    std::filesystem::create_directories(settings_.work_dir);
    platform::remove_stale_temp_files(settings_.work_dir);
    records_ = std::make_shared<DeskRecords>(
        settings_.records_file.empty() ? settings_.work_dir / "desk.db" : settings_.records_file);
}

void OrderDesk::on_pickup_release(
    std::function<std::string(const settlement::Reorder&)> queue_at_venue) {
    queue_at_venue_ = std::move(queue_at_venue);
}

std::vector<settlement::Reorder> OrderDesk::queue() {
    return ledger_.reorders_in_state(ReorderState::paid);
}

boost::asio::awaitable<ReleaseResult> OrderDesk::release(std::string reorder_id,
                                                         std::optional<std::string> queue) {
    const auto reorder = ledger_.find_reorder(reorder_id);
    if (!reorder) {
        co_return ReleaseResult{ReleaseError::unknown_reorder, "no reorder " + reorder_id};
    }
    if (reorder->state == ReorderState::unpaid) {
        co_return ReleaseResult{ReleaseError::not_settled,
                                "reorder " + reorder_id +
                                    " is not paid: a reorder is released to the lab only once "
                                    "its payment is settled"};
    }
    if (reorder->state == ReorderState::cancelled) {
        co_return ReleaseResult{ReleaseError::not_settled,
                                "reorder " + reorder_id + " was cancelled: it is not printed"};
    }
    if (reorder->state != ReorderState::paid) {
        co_return ReleaseResult{ReleaseError::already_released,
                                "reorder " + reorder_id + " was released already (it is " +
                                    std::string(settlement::to_string(reorder->state)) + ")"};
    }
    if (reorder->delivery.method == settlement::DeliveryMethod::pickup && queue_at_venue_) {
        // Printed at the booth that took the photos, never on the lab.
        if (!ledger_.advance(reorder_id, ReorderState::paid, ReorderState::printing)) {
            co_return ReleaseResult{ReleaseError::already_released,
                                    "reorder " + reorder_id + " was released already"};
        }
        const auto problem = queue_at_venue_(*reorder);
        if (!problem.empty()) {
            ledger_.advance(reorder_id, ReorderState::printing, ReorderState::paid);
            co_return ReleaseResult{ReleaseError::cannot_print, problem};
        }
        platform::Logger("desk").info("reorder ", reorder_id, " released for pickup at the venue");
        co_return ReleaseResult{ReleaseError::none,
                                "reorder " + reorder_id + ": " +
                                    std::to_string(reorder->lines.size()) +
                                    " items sent to the booth for pickup at the venue"};
    }
    if (templates_ == nullptr) {
        co_return ReleaseResult{ReleaseError::cannot_print,
                                "the hub has no print templates: set desk.templates_dir"};
    }
    for (const auto& line : reorder->lines) {
        if (templates_->find(line.product_id) == nullptr) {
            co_return ReleaseResult{ReleaseError::cannot_print,
                                    "the lab has no template for product \"" + line.product_id +
                                        "\""};
        }
    }
    // The state first: a second release (another clerk, a double click) finds it taken.
    if (!ledger_.advance(reorder_id, ReorderState::paid, ReorderState::printing)) {
        co_return ReleaseResult{ReleaseError::already_released,
                                "reorder " + reorder_id + " was released already"};
    }
    const auto lab_queue = queue.value_or(settings_.lab_queue);
    auto printing = print_jobs(*reorder, jobs_of(*reorder, false), lab_queue);
    co_await std::move(printing);
    platform::Logger("desk").info("reorder ", reorder_id, " released to '", lab_queue, "'");
    co_return ReleaseResult{ReleaseError::none, "reorder " + reorder_id + ": " +
                                                    std::to_string(reorder->lines.size()) +
                                                    " items sent to '" + lab_queue + "'"};
}

boost::asio::awaitable<ReleaseResult>
OrderDesk::reprint(std::string reorder_id, int item, int copies, std::optional<std::string> queue) {
    const auto reorder = ledger_.find_reorder(reorder_id);
    if (!reorder) {
        co_return ReleaseResult{ReleaseError::unknown_reorder, "no reorder " + reorder_id};
    }
    if (reorder->state != ReorderState::printing && reorder->state != ReorderState::packed) {
        co_return ReleaseResult{ReleaseError::not_released,
                                "reorder " + reorder_id + " is " +
                                    std::string(settlement::to_string(reorder->state)) +
                                    ": only items of a reorder at the lab (printing or packed) "
                                    "are reprinted"};
    }
    if (item < 1 || item > static_cast<int>(reorder->lines.size())) {
        co_return ReleaseResult{ReleaseError::unknown_item,
                                "reorder " + reorder_id + " has items 1 to " +
                                    std::to_string(reorder->lines.size()) + ", not " +
                                    std::to_string(item)};
    }
    if (copies < 1 || copies > 99) {
        co_return ReleaseResult{ReleaseError::unknown_item, "a reprint makes 1 to 99 copies"};
    }
    // Recorded before anything is printed: after a crash, resume_released prints it.
    const auto recorded = records_->add_reprint(reorder_id, item, copies);
    records_->clear_problem(item_print_id(reorder_id, item));
    const auto lab_queue = queue.value_or(settings_.lab_queue);
    std::vector<PrintJob> jobs{{reprint_print_id(reorder_id, item, recorded.number),
                                &reorder->lines[static_cast<std::size_t>(item - 1)], copies}};
    auto printing = print_jobs(*reorder, std::move(jobs), lab_queue);
    co_await std::move(printing);
    platform::Logger("desk").info("reorder ", reorder_id, " item ", item, ": reprint ",
                                  recorded.number, " of ", copies, " sent to '", lab_queue, "'");
    co_return ReleaseResult{ReleaseError::none,
                            "reorder " + reorder_id + " item " + std::to_string(item) + ": " +
                                std::to_string(copies) + (copies == 1 ? " copy" : " copies") +
                                " sent again to '" + lab_queue + "'"};
}

std::vector<OrderDesk::PrintJob> OrderDesk::jobs_of(const settlement::Reorder& reorder,
                                                    bool only_missing) {
    std::vector<PrintJob> jobs;
    const auto problems =
        only_missing ? records_->problems() : std::map<std::string, std::string>{};
    const auto unrecorded = [&](const std::string& print_id) {
        const auto rows = prints_.order(print_id);
        return rows && rows->empty() && !problems.contains(print_id);
    };
    int item = 0;
    for (const auto& line : reorder.lines) {
        const auto print_id = item_print_id(reorder.id, ++item);
        if (!only_missing || unrecorded(print_id)) {
            jobs.push_back({print_id, &line, line.quantity});
        }
    }
    if (only_missing) {
        for (const auto& reprint : records_->reprints(reorder.id)) {
            const auto print_id = reprint_print_id(reorder.id, reprint.item, reprint.number);
            if (reprint.item >= 1 && reprint.item <= static_cast<int>(reorder.lines.size()) &&
                unrecorded(print_id)) {
                jobs.push_back({print_id,
                                &reorder.lines[static_cast<std::size_t>(reprint.item - 1)],
                                reprint.copies});
            }
        }
    }
    return jobs;
}

boost::asio::awaitable<void> OrderDesk::print_jobs(const settlement::Reorder& reorder,
                                                   std::vector<PrintJob> jobs, std::string queue) {
    platform::Logger log("desk");
    // The booth order's short code goes on every print, so the guest can find it again.
    std::string code = "REPRINT";
    if (const auto order = orders_.find_order(reorder.order_id)) {
        code = order->code;
    }
    for (const auto& job : jobs) {
        const auto& line = *job.line;
        const auto* product = templates_ ? templates_->find(line.product_id) : nullptr;
        if (product == nullptr) {
            records_->record_problem(job.print_id,
                                     "no template for product \"" + line.product_id + "\"");
            continue;
        }
        const auto file = settings_.work_dir / (job.print_id + ".jpg");
        auto render = [&images = images_, product, sha256 = line.photo_sha256, code,
                       url = settings_.guest_site_url, file]() -> std::string {
            const auto original = images.read(sha256);
            if (!original) {
                return "the original photo " + sha256 + " is not in the image store";
            }
            const auto print = render_lab_print(*product, *original, code, url);
            if (!print) {
                return kiosk::imaging::describe(print.error());
            }
            if (const auto error = platform::write_file_atomically(file, *print)) {
                return "cannot write " + file.string() + ": " + error.message();
            }
            return {};
        };
        auto rendering = worker_.run(std::move(render), boost::asio::use_awaitable);
        const auto problem = co_await std::move(rendering);
        if (!problem.empty()) {
            log.error("reorder ", reorder.id, " print ", job.print_id, ": ", problem);
            records_->record_problem(job.print_id, problem);
            continue;
        }
        printer::PrintOrder order;
        order.order_id = job.print_id;
        order.copies = job.copies;
        order.queue = queue;
        order.document = file;
        order.media = product->media;
        order.borderless = true;
        spooler_.submit(order, [records = std::weak_ptr(records_), print_id = job.print_id,
                                log](printer::Result<std::vector<printer::LedgerEntry>> rows) {
            if (rows) {
                return;
            }
            log.error("print ", print_id, ": ", printer::describe(rows.error()));
            if (auto desk_records = records.lock()) {
                desk_records->record_problem(print_id, printer::describe(rows.error()));
            }
        });
    }
}

std::vector<ItemProgress> OrderDesk::progress(const std::string& reorder_id) {
    std::vector<ItemProgress> items;
    const auto reorder = ledger_.find_reorder(reorder_id);
    if (!reorder) {
        return items;
    }
    const auto problems = records_->problems();
    const auto reprints = records_->reprints(reorder_id);
    int item = 0;
    for (const auto& line : reorder->lines) {
        ItemProgress progress;
        progress.item = ++item;
        progress.product_id = line.product_id;
        progress.photo_sha256 = line.photo_sha256;
        progress.copies = line.quantity;
        std::vector<std::string> print_ids{item_print_id(reorder_id, item)};
        for (const auto& reprint : reprints) {
            if (reprint.item == item) {
                print_ids.push_back(reprint_print_id(reorder_id, item, reprint.number));
                ++progress.reprints;
            }
        }
        std::optional<std::string> under_way; // the state of a copy still under way
        std::string under_way_message;
        std::optional<std::string> failure; // why a copy or a rendering failed
        for (const auto& print_id : print_ids) {
            const auto rows = prints_.order(print_id);
            if (!rows || rows->empty()) {
                if (const auto found = problems.find(print_id); found != problems.end()) {
                    failure = found->second;
                }
                continue;
            }
            for (const auto& row : *rows) {
                if (row.state == printer::LedgerState::completed) {
                    ++progress.printed;
                } else if (is_final(row.state)) {
                    failure = std::string(printer::to_string(row.state)) +
                              (row.message.empty() ? "" : ": " + row.message);
                } else if (!under_way) {
                    under_way = std::string(printer::to_string(row.state));
                    under_way_message = row.message;
                }
            }
        }
        if (progress.printed >= progress.copies) {
            progress.state = "completed";
        } else if (under_way) {
            progress.state = *under_way;
            progress.message = under_way_message;
        } else if (failure) {
            progress.state = "failed";
            progress.message = *failure;
        }
        items.push_back(std::move(progress));
    }
    return items;
}

bool OrderDesk::printed(const std::string& reorder_id) {
    const auto items = progress(reorder_id);
    return !items.empty() && std::all_of(items.begin(), items.end(), [](const auto& item) {
        return item.printed >= item.copies;
    });
}

boost::asio::awaitable<int> OrderDesk::resume_released() {
    int resumed = 0;
    for (const auto& reorder : ledger_.reorders_in_state(ReorderState::printing)) {
        if (reorder.delivery.method == settlement::DeliveryMethod::pickup && queue_at_venue_) {
            continue; // printed at the venue (hub/venue resumes it), not on the lab
        }
        auto jobs = jobs_of(reorder, true);
        if (jobs.empty()) {
            continue;
        }
        auto printing = print_jobs(reorder, std::move(jobs), settings_.lab_queue);
        co_await std::move(printing);
        ++resumed;
    }
    co_return resumed;
}

bool OrderDesk::releases_automatically(const settlement::Reorder& reorder) {
    if (settings_.auto_release_events.empty()) {
        return false;
    }
    const auto& events = settings_.auto_release_events;
    if (std::find(events.begin(), events.end(), "*") != events.end()) {
        return true;
    }
    const auto order = orders_.find_order(reorder.order_id);
    return order && std::find(events.begin(), events.end(), order->event) != events.end();
}

boost::asio::awaitable<int> OrderDesk::auto_release_pass() {
    int released = 0;
    for (const auto& reorder : queue()) {
        if (!releases_automatically(reorder)) {
            continue;
        }
        auto releasing = release(reorder.id, std::nullopt);
        const auto result = co_await std::move(releasing);
        if (result.ok()) {
            ++released;
        } else if (auto_release_refused_.insert(reorder.id).second) {
            platform::Logger("desk").warning("reorder ", reorder.id,
                                             " stays in the queue: it cannot be released "
                                             "automatically: ",
                                             result.message);
        }
    }
    co_return released;
}

void OrderDesk::start_auto_release(std::chrono::milliseconds interval) {
    if (settings_.auto_release_events.empty()) {
        return;
    }
    boost::asio::co_spawn(
        loop_,
        [this, interval]() -> boost::asio::awaitable<void> {
            boost::asio::steady_timer timer(loop_);
            for (;;) {
                try {
                    auto pass = auto_release_pass();
                    co_await std::move(pass);
                } catch (const std::exception& error) {
                    platform::Logger("desk").error("automatic release: ", error.what());
                }
                timer.expires_after(interval);
                co_await timer.async_wait(boost::asio::use_awaitable);
            }
        },
        boost::asio::detached);
}

} // namespace encore::hub::desk
