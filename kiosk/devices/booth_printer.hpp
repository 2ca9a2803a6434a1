#pragma once

#include "drivers/printer/ledger.hpp"
#include "drivers/printer/spooler.hpp"
#include "kiosk/session/ports.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace encore::platform {
class BlockingWorker;
}

// The booth's printer for the guest flow: the print spooler (ledger + CUPS) behind the
// flow's PrintQueue port.
//
// A print request becomes the file DATA/prints/<order id>.jpg (written atomically on a
// worker thread, so the loop never waits on the disk) and a spooler order of that many
// copies: one ledger row and one CUPS job per physical print. Asking again for the same
// order finds its rows and prints nothing more. The file is removed once every copy of
// the order is finished; at start, files of orders with no unfinished copy are removed.
namespace encore::kiosk::devices {

struct BoothPrinterOptions {
    // The CUPS queue of the booth's printer (`lpstat -p` lists them).
    std::string queue = "booth";
    // Where composed prints wait for the printer: DATA/prints.
    std::filesystem::path prints_dir;
    // The paper asked for; nullopt: the queue's default paper.
    std::optional<drivers::printer::MediaSize> media;
    bool borderless = true;
    drivers::printer::SpoolerOptions spooler;
};

// The paper of a print this size in inches (either orientation, within half a
// millimetre), nullopt when no photo paper Encore knows has that size.
std::optional<drivers::printer::MediaSize> media_for_print(double width_inches,
                                                           double height_inches);

// Where an order of `copies` prints stands, from its ledger rows (any order, possibly
// fewer than `copies` before they are all recorded) and what keeps the queue waiting
// (nullopt: the printer is ready). Pure, for the tests.
session::PrintProgress print_progress(const std::vector<drivers::printer::LedgerEntry>& rows,
                                      int copies,
                                      const std::optional<drivers::printer::Error>& condition);

// The screen's keyword for what keeps a printer waiting ("out_of_paper", "paper_jam",
// "out_of_ribbon", "offline", ...; kiosk/ui/assets/i18n has a sentence for each).
std::string printer_fault_reason(const drivers::printer::Error& error);

class BoothPrinter final : public session::PrintQueue {
public:
    // Borrows the printer driver, the ledger and the worker that writes print files;
    // they must outlive this object. Completions run on `loop`.
    BoothPrinter(boost::asio::any_io_executor loop, drivers::printer::Printer& printer,
                 drivers::printer::PrintLedger& ledger, platform::BlockingWorker& files,
                 BoothPrinterOptions options);
    ~BoothPrinter() override;
    BoothPrinter(const BoothPrinter&) = delete;
    BoothPrinter& operator=(const BoothPrinter&) = delete;

    // Removes print files no unfinished copy needs, reconciles the ledger with CUPS and
    // starts following the queue.
    void start();
    void stop();

    void print(session::PrintRequest request, Progress progress) override;
    void resume(ResumeDone done) override;
    session::DeviceStatus status() const override;

    // Runs after every change of status() (wire it to GuestFlow::device_status_changed).
    void on_status_changed(std::function<void()> observer);

    struct State;

private:
    std::shared_ptr<State> state_;
};

} // namespace encore::kiosk::devices
