#pragma once

#include <chrono>

namespace encore::drivers::printer {
class PrintLedger;
}
namespace encore::kiosk {
class Journal;
}
namespace encore::kiosk::session {
class GuestFlow;
}

// Start-up recovery of prints: a guest asked for prints, the order was journalled, and
// the booth stopped (power cut, crash) before the print reached the print ledger. Such
// an order has no ledger rows; when it is recent, it is composed and printed now. Older
// ones are left alone (the guest has gone; the operator can reprint from the hub).
namespace encore::kiosk::devices {

// How recent an order must be to be printed after a restart.
inline constexpr std::chrono::minutes interrupted_print_window{15};

// Prints each order of the last `window` that the ledger has never seen; returns how
// many it started.
int print_interrupted_orders(Journal& journal, drivers::printer::PrintLedger& ledger,
                             session::GuestFlow& flow,
                             std::chrono::minutes window = interrupted_print_window);

} // namespace encore::kiosk::devices
