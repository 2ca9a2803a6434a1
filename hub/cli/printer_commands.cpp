#include "hub/cli/printer_commands.hpp"

#include "drivers/printer/condition.hpp"
#include "drivers/printer/cups_printer.hpp"
#include "drivers/printer/ledger.hpp"
#include "drivers/printer/spooler.hpp"
#include "platform/config/command_line.hpp"
#include "platform/log/logger.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <iostream>
#include <map>
#include <random>

namespace encore::hub::cli {
namespace {

namespace printer = drivers::printer;

std::optional<int> parse_int(const std::string& text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

int usage_error(const std::string& program, const std::string& message) {
    std::cerr << program << ": " << message << "\nTry '" << program << " --help'.\n";
    return 2;
}

int failure(const std::string& program, const printer::Error& error) {
    std::cerr << program << ": " << printer::describe(error) << "\n";
    return 1;
}

std::string random_order_id() {
    std::random_device random;
    std::uniform_int_distribution<int> digit(0, 15);
    std::string id = "cli-";
    for (int i = 0; i < 10; ++i) {
        id += "0123456789abcdef"[digit(random)];
    }
    return id;
}

std::string sizes_list() {
    std::string list;
    for (const auto size : printer::all_media_sizes()) {
        list += (list.empty() ? "" : ", ") + std::string(printer::to_string(size));
    }
    return list;
}

// ------------------------------------------------------------------ encore print

struct PrintArguments {
    printer::PrintOrder order;
    std::optional<std::string> ledger;
    printer::SpoolerOptions spooler;
    bool wait = true;
    std::chrono::seconds timeout{600};
};

// Follows one order's copies on the event loop and decides the exit code.
class PrintWatcher {
public:
    PrintWatcher(const PrintArguments& arguments, boost::asio::io_context& loop)
        : arguments_(arguments)
        , loop_(loop) {}

    void on_event(const printer::PrintEvent& event) {
        if (event.kind == printer::PrintEvent::Kind::printer_changed) {
            on_printer(event);
        } else if (event.job && event.job->order_id == arguments_.order.order_id) {
            on_copy(*event.job);
        }
    }

    void on_submitted(printer::Result<std::vector<printer::LedgerEntry>> entries) {
        if (!entries) {
            finish(failure("encore print", entries.error()));
            return;
        }
        std::cout << "order " << arguments_.order.order_id << ": " << arguments_.order.copies
                  << (arguments_.order.copies == 1 ? " copy" : " copies") << " on printer '"
                  << arguments_.order.queue << "'" << std::endl;
        for (const auto& entry : *entries) {
            if (entry.copy <= arguments_.order.copies) {
                on_copy(entry);
            }
        }
    }

    void give_up() {
        std::cerr << "encore print: gave up waiting after " << arguments_.timeout.count()
                  << " s; what was sent stays queued in CUPS\n";
        finish(1);
    }

    int exit_code() const { return exit_code_.value_or(1); }

private:
    void on_printer(const printer::PrintEvent& event) {
        if (event.queue != arguments_.order.queue) {
            return;
        }
        if (event.condition) {
            std::cout << printer::describe(*event.condition) << std::endl;
            condition_shown_ = true;
        } else if (condition_shown_) {
            std::cout << "printer '" << event.queue << "' is ready again" << std::endl;
            condition_shown_ = false;
        }
    }

    void on_copy(const printer::LedgerEntry& entry) {
        auto& seen = copies_[entry.copy];
        if (seen && seen->state == entry.state && seen->message == entry.message &&
            seen->cups_job_id == entry.cups_job_id) {
            return;
        }
        std::cout << "copy " << entry.copy << ": " << printer::to_string(entry.state);
        if (entry.cups_job_id && (!seen || seen->cups_job_id != entry.cups_job_id)) {
            std::cout << " (job " << *entry.cups_job_id << ")";
        }
        if (!entry.message.empty()) {
            std::cout << ": " << entry.message;
        }
        std::cout << std::endl;
        seen = entry;
        check_done();
    }

    void check_done() {
        if (static_cast<int>(copies_.size()) < arguments_.order.copies) {
            return;
        }
        bool all_finished = true;
        bool all_sent = true;
        int completed = 0;
        for (const auto& [copy, entry] : copies_) {
            all_finished = all_finished && printer::is_finished(entry->state);
            all_sent = all_sent && entry->state != printer::LedgerState::recorded;
            completed += entry->state == printer::LedgerState::completed ? 1 : 0;
        }
        if (!arguments_.wait && all_sent) {
            std::cout << "sent; not waiting for the prints" << std::endl;
            finish(0);
            return;
        }
        if (!all_finished) {
            return;
        }
        if (completed == arguments_.order.copies) {
            std::cout << "printed " << completed << (completed == 1 ? " copy" : " copies")
                      << std::endl;
            finish(0);
            return;
        }
        std::cerr << "encore print: " << completed << " of " << arguments_.order.copies
                  << " copies printed; see the messages above\n";
        finish(1);
    }

    void finish(int code) {
        if (!exit_code_) {
            exit_code_ = code;
        }
        loop_.stop();
    }

    const PrintArguments& arguments_;
    boost::asio::io_context& loop_;
    std::map<int, std::optional<printer::LedgerEntry>> copies_;
    bool condition_shown_ = false;
    std::optional<int> exit_code_;
};

// Reads the command line into `arguments`; returns an exit code when the program
// should stop (help, version, usage error).
std::optional<int> parse_print(int argc, const char* const* argv, PrintArguments& arguments) {
    const std::string program = "encore print";
    std::optional<std::string> queue, media, copies, order, scaling, timeout;
    bool borderless = false, fit = false, one_at_a_time = false, no_auto_resume = false,
         no_wait = false;
    platform::CommandLine command_line(
        program, "--printer QUEUE [options] FILE",
        "Prints a JPEG or PDF file through CUPS (CUPS_SERVER names the print server) and waits "
        "until every copy has come out. Each copy is its own job, written to a print ledger "
        "before it is sent: after a crash, the same command with the same --order and "
        "--ledger prints only what is missing.");
    command_line.add_option("printer", "QUEUE", "the print queue (see `encore printer status`)",
                            queue);
    command_line.add_option("media", "SIZE",
                            "paper size: " + sizes_list() +
                                " (default: the "
                                "queue's)",
                            media);
    command_line.add_flag("borderless", "print without margins", borderless);
    command_line.add_flag("fit", "fit the picture to the page (print-scaling=fit)", fit);
    command_line.add_option("scaling", "MODE", "auto, fit, fill or none (default auto)", scaling);
    command_line.add_option("copies", "N", "copies, 1 to 99 (default 1)", copies);
    command_line.add_option("order", "ID",
                            "order id, letters, digits, '-' and '_' (default: a new one)", order);
    command_line.add_option("ledger", "FILE",
                            "print ledger database (default: in memory, forgotten at exit)",
                            arguments.ledger);
    command_line.add_flag("one-at-a-time", "send a copy only when the previous one has printed",
                          one_at_a_time);
    command_line.add_flag("no-auto-resume",
                          "leave a queue stopped by a fault for `encore printer resume`",
                          no_auto_resume);
    command_line.add_flag("no-wait", "return once CUPS has every copy", no_wait);
    command_line.add_option("timeout", "SECONDS", "give up waiting after this long (default 600)",
                            timeout);
    command_line.allow_positionals();
    if (const auto exit_code = command_line.parse(argc, argv, 2)) {
        return exit_code;
    }
    if (command_line.positionals().size() != 1) {
        return usage_error(program, "expected one FILE to print");
    }
    if (!queue) {
        return usage_error(program, "--printer QUEUE is required");
    }
    auto& print = arguments.order;
    print.queue = *queue;
    print.document = command_line.positionals().front();
    print.order_id = order.value_or(random_order_id());
    if (media) {
        print.media = printer::parse_media_size(*media);
        if (!print.media) {
            return usage_error(program, "--media must be one of " + sizes_list());
        }
    }
    print.borderless = borderless;
    if (fit) {
        print.scaling = printer::Scaling::fit;
    }
    if (scaling) {
        const auto parsed = printer::parse_scaling(*scaling);
        if (!parsed) {
            return usage_error(program, "--scaling must be auto, fit, fill or none");
        }
        print.scaling = *parsed;
    }
    if (copies) {
        const auto parsed = parse_int(*copies);
        if (!parsed || *parsed < 1 || *parsed > 99) {
            return usage_error(program, "--copies must be a number from 1 to 99");
        }
        print.copies = *parsed;
    }
    if (timeout) {
        const auto parsed = parse_int(*timeout);
        if (!parsed || *parsed < 1) {
            return usage_error(program, "--timeout must be a positive number of seconds");
        }
        arguments.timeout = std::chrono::seconds(*parsed);
    }
    arguments.spooler.pacing =
        one_at_a_time ? printer::Pacing::one_at_a_time : printer::Pacing::all_at_once;
    arguments.spooler.auto_resume =
        no_auto_resume ? printer::AutoResume::off : printer::AutoResume::on;
    arguments.wait = !no_wait;
    return std::nullopt;
}

// ------------------------------------------------------------------ encore printer

nlohmann::json job_json(const printer::JobInfo& job) {
    return {{"id", job.id},
            {"name", job.name},
            {"state", printer::to_string(job.state)},
            {"reasons", job.reasons},
            {"message", job.printer_message}};
}

int list_printers(printer::Printer& driver, bool json) {
    auto destinations = driver.destinations();
    if (!destinations) {
        return failure("encore printer status", destinations.error());
    }
    if (json) {
        auto list = nlohmann::json::array();
        for (const auto& destination : *destinations) {
            list.push_back({{"name", destination.name},
                            {"default", destination.is_default},
                            {"state", printer::to_string(destination.state)},
                            {"accepting", destination.accepting},
                            {"info", destination.info}});
        }
        std::cout << nlohmann::json{{"server", driver.server()}, {"printers", list}}.dump(2)
                  << "\n";
        return 0;
    }
    std::cout << "print server " << driver.server() << ": " << destinations->size()
              << " printer(s)\n";
    for (const auto& destination : *destinations) {
        std::cout << "  " << destination.name << (destination.is_default ? " (default)" : "")
                  << "  " << printer::to_string(destination.state)
                  << (destination.accepting ? "" : ", not accepting jobs") << "  "
                  << destination.info << "\n";
    }
    return 0;
}

int show_status(printer::Printer& driver, const std::string& queue, bool json) {
    const std::string program = "encore printer status";
    auto status = driver.status(queue);
    if (!status) {
        return failure(program, status.error());
    }
    auto jobs = driver.jobs(queue, printer::WhichJobs::active);
    if (!jobs) {
        return failure(program, jobs.error());
    }
    // An operator at the command line resumes by hand; a running kioskd may do it itself.
    const auto condition = printer::condition_error(*status, printer::AutoResume::off);
    if (json) {
        auto job_list = nlohmann::json::array();
        for (const auto& job : *jobs) {
            job_list.push_back(job_json(job));
        }
        nlohmann::json out = {{"queue", queue},
                              {"server", driver.server()},
                              {"state", printer::to_string(status->state)},
                              {"accepting", status->accepting},
                              {"reasons", status->reasons},
                              {"message", status->message},
                              {"condition", printer::to_string(printer::classify(*status))},
                              {"advice", condition ? condition->message : ""},
                              {"jobs", job_list}};
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << "printer '" << queue << "': " << printer::to_string(status->state)
              << (status->accepting ? "" : ", not accepting jobs") << "\n";
    if (!status->reasons.empty()) {
        std::string reasons;
        for (const auto& reason : status->reasons) {
            reasons += (reasons.empty() ? "" : ", ") + reason;
        }
        std::cout << "reasons: " << reasons << "\n";
    }
    if (!status->message.empty()) {
        std::cout << "message: " << status->message << "\n";
    }
    if (condition) {
        std::cout << condition->message << "\n";
    }
    std::cout << jobs->size() << " queued job(s)\n";
    for (const auto& job : *jobs) {
        std::cout << "  " << job.id << "  " << job.name << "  " << printer::to_string(job.state);
        for (const auto& reason : job.reasons) {
            std::cout << " " << reason;
        }
        std::cout << "\n";
    }
    return 0;
}

int resume_printer(printer::Printer& driver, const std::string& queue) {
    const std::string program = "encore printer resume";
    if (auto resumed = driver.resume(queue); !resumed) {
        return failure(program, resumed.error());
    }
    auto released = driver.release_held_jobs(queue);
    if (!released) {
        return failure(program, released.error());
    }
    std::cout << "printer '" << queue << "' resumed and accepting jobs; released " << *released
              << " held job(s)\n";
    return 0;
}

} // namespace

int print_command(int argc, const char* const* argv) {
    PrintArguments arguments;
    if (const auto exit_code = parse_print(argc, argv, arguments)) {
        return *exit_code;
    }
    // The lines on stdout tell the story; the spooler's log only adds its warnings.
    platform::configure_logging({platform::LogLevel::warning, {}});
    auto ledger = printer::PrintLedger::open(arguments.ledger.value_or(":memory:"));
    // Made on this thread, so it takes CUPS_SERVER (or cupsSetServer) from here.
    auto driver = printer::make_cups_printer();
    // A wrong queue or a server that is down is an error now, not a long wait. (The
    // spooler has not started: nothing else uses the driver yet.)
    if (auto status = driver->status(arguments.order.queue); !status) {
        return failure("encore print", status.error());
    }
    boost::asio::io_context loop;
    PrintWatcher watcher(arguments, loop);
    printer::PrintSpooler spooler(
        loop.get_executor(), *driver, ledger, arguments.spooler,
        [&](const printer::PrintEvent& event) { watcher.on_event(event); });
    spooler.start();
    spooler.submit(arguments.order,
                   [&](auto entries) { watcher.on_submitted(std::move(entries)); });
    boost::asio::steady_timer deadline(loop, arguments.timeout);
    deadline.async_wait([&](const boost::system::error_code& error) {
        if (!error) {
            watcher.give_up();
        }
    });
    loop.run();
    return watcher.exit_code();
}

int printer_command(int argc, const char* const* argv) {
    const std::string program = "encore printer";
    const std::string_view first = argc >= 3 ? argv[2] : "";
    if (first == "--help" || first == "-h") {
        std::cout << "Usage: encore printer status [QUEUE] [--json]\n"
                     "       encore printer resume QUEUE\n\n"
                     "Run 'encore printer status --help' or 'encore printer resume --help'.\n";
        return 0;
    }
    if (first != "status" && first != "resume") {
        return usage_error(program, "expected 'status [QUEUE] [--json]' or 'resume QUEUE'");
    }
    const std::string action = argv[2];
    bool json = false;
    platform::CommandLine command_line(
        "encore printer " + action, action == "resume" ? "QUEUE" : "[QUEUE] [--json]",
        action == "resume"
            ? "Starts a stopped print queue again (as cupsenable), makes it accept jobs (as "
              "cupsaccept) and releases its held jobs. CUPS_SERVER names the print server."
            : "Shows a print queue's state, its reasons, what to do about them and its queued "
              "jobs; without QUEUE, lists the print queues. CUPS_SERVER names the print server.");
    if (action == "status") {
        command_line.add_flag("json", "print JSON", json);
    }
    command_line.allow_positionals();
    if (const auto exit_code = command_line.parse(argc, argv, 3)) {
        return *exit_code;
    }
    const auto& operands = command_line.positionals();
    auto driver = printer::make_cups_printer();
    if (action == "resume") {
        if (operands.size() != 1) {
            return usage_error("encore printer resume", "expected one QUEUE");
        }
        return resume_printer(*driver, operands.front());
    }
    if (operands.size() > 1) {
        return usage_error("encore printer status", "expected at most one QUEUE");
    }
    return operands.empty() ? list_printers(*driver, json)
                            : show_status(*driver, operands.front(), json);
}

} // namespace encore::hub::cli
