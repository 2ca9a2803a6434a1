#include "hub/desk/order_desk.hpp"

#include "platform/files/atomic_file.hpp"
#include "platform/log/logger.hpp"
#include "platform/runtime/blocking_worker.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace encore::hub::desk {

namespace printer = drivers::printer;
using settlement::ReorderState;

std::string item_print_id(const std::string& reorder_id, int item) {
    return reorder_id + "-" + std::to_string(item);
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
    , settings_(std::move(settings))
    , failed_items_(std::make_shared<std::map<std::string, std::string>>()) {
    std::filesystem::create_directories(settings_.work_dir);
    platform::remove_stale_temp_files(settings_.work_dir);
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
    auto printing = print_items(*reorder, lab_queue, false);
    co_await std::move(printing);
    platform::Logger("desk").info("reorder ", reorder_id, " released to '", lab_queue, "'");
    co_return ReleaseResult{ReleaseError::none, "reorder " + reorder_id + ": " +
                                                    std::to_string(reorder->lines.size()) +
                                                    " items sent to '" + lab_queue + "'"};
}

boost::asio::awaitable<void> OrderDesk::print_items(const settlement::Reorder& reorder,
                                                    const std::string& queue, bool only_missing) {
    platform::Logger log("desk");
    // The booth order's short code goes on every print, so the guest can find it again.
    std::string code = "REPRINT";
    if (const auto order = orders_.find_order(reorder.order_id)) {
        code = order->code;
    }
    int item = 0;
    for (const auto& line : reorder.lines) {
        const auto print_id = item_print_id(reorder.id, ++item);
        if (only_missing) {
            const auto rows = prints_.order(print_id);
            if (!rows || !rows->empty()) {
                continue;
            }
        }
        const auto* product = templates_ ? templates_->find(line.product_id) : nullptr;
        if (product == nullptr) {
            (*failed_items_)[print_id] = "no template for product \"" + line.product_id + "\"";
            continue;
        }
        const auto file = settings_.work_dir / (print_id + ".jpg");
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
            log.error("reorder ", reorder.id, " item ", item, ": ", problem);
            (*failed_items_)[print_id] = problem;
            continue;
        }
        printer::PrintOrder order;
        order.order_id = print_id;
        order.copies = line.quantity;
        order.queue = queue;
        order.document = file;
        order.media = product->media;
        order.borderless = true;
        spooler_.submit(order, [failed = std::weak_ptr(failed_items_), print_id,
                                log](printer::Result<std::vector<printer::LedgerEntry>> rows) {
            if (rows) {
                return;
            }
            log.error("print ", print_id, ": ", printer::describe(rows.error()));
            if (auto items = failed.lock()) {
                (*items)[print_id] = printer::describe(rows.error());
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
    int item = 0;
    for (const auto& line : reorder->lines) {
        ItemProgress progress;
        progress.item = ++item;
        progress.product_id = line.product_id;
        progress.photo_sha256 = line.photo_sha256;
        progress.copies = line.quantity;
        const auto print_id = item_print_id(reorder_id, item);
        const auto rows = prints_.order(print_id);
        if (rows && !rows->empty()) {
            progress.printed = static_cast<int>(
                std::count_if(rows->begin(), rows->end(), [](const printer::LedgerEntry& row) {
                    return row.state == printer::LedgerState::completed;
                }));
            progress.state = "completed";
            for (const auto& row : *rows) {
                if (row.state != printer::LedgerState::completed) {
                    progress.state = std::string(printer::to_string(row.state));
                    progress.message = row.message;
                    break;
                }
            }
        } else if (const auto failed = failed_items_->find(print_id);
                   failed != failed_items_->end()) {
            progress.state = "failed";
            progress.message = failed->second;
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
        auto printing = print_items(reorder, settings_.lab_queue, true);
        co_await std::move(printing);
        ++resumed;
    }
    co_return resumed;
}

} // namespace encore::hub::desk
