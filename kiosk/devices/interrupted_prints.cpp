#include "kiosk/devices/interrupted_prints.hpp"

#include "drivers/printer/ledger.hpp"
#include "kiosk/journal/journal.hpp"
#include "kiosk/session/guest_flow.hpp"
#include "platform/log/logger.hpp"
#include "platform/runtime/program.hpp"

namespace encore::kiosk::devices {

int print_interrupted_orders(Journal& journal, drivers::printer::PrintLedger& ledger,
                             session::GuestFlow& flow, std::chrono::minutes window) {
    platform::Logger log("printer");
    const auto since = platform::utc_text(std::chrono::system_clock::now() - window);
    int started = 0;
    for (const auto& order : journal.orders_since(since)) {
        const auto rows = ledger.order(order.order_id);
        if (!rows) {
            log.error("cannot read the print ledger for order ", order.order_id, ": ",
                      drivers::printer::describe(rows.error()));
            continue;
        }
        if (rows->empty() && flow.print_recovered(order)) {
            ++started;
        }
    }
    return started;
}

} // namespace encore::kiosk::devices
