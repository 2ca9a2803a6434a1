#pragma once

#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

// Errors of the printer driver, as values. Each carries a code in the "printer" error
// category (for programs) and a sentence for the operator that says what happened and
// what to do about it ("printer 'booth' is out of paper: load paper, printing resumes
// by itself").
namespace encore::drivers::printer {

enum class Errc {
    // The print server (cupsd) does not answer at the address libcups was given.
    server_unreachable = 1,
    // No print queue of that name on the server.
    no_such_queue,
    // The queue exists but rejects new jobs (cupsreject, or an administrator's choice).
    queue_not_accepting,
    // No job of that id on the server (finished long ago, or never there).
    no_such_job,
    // The document to print cannot be read.
    document_unreadable,
    // The document is neither a JPEG nor a PDF.
    unsupported_format,
    // The queue offers no paper of the size asked for.
    unsupported_media,
    // An argument the caller controls is malformed (an order id with spaces, 0 copies).
    invalid_argument,
    // The server refused an operation for lack of rights (resume needs lpadmin).
    not_authorized,
    // Any other refusal by the server; the message carries its words.
    request_failed,
    // Conditions of a printer, reported while jobs wait (not failures of a call):
    out_of_paper,
    paper_jam,
    out_of_ribbon,
    printer_offline,
    // Stopped by an operator or by an error the printer did not explain.
    printer_stopped,
    // Stopped with a reason Encore has no words for; the message names it.
    printer_fault,
    // A job sits held in CUPS until it is released.
    job_held,
    // The print ledger (SQLite) could not be read or written.
    ledger_failed,
};

const std::error_category& printer_category();
std::error_code make_error_code(Errc code);

struct Error {
    std::error_code code;
    std::string message;
};

Error make_error(Errc code, std::string message);

// The operator's message; the code's generic text when the message is empty.
std::string describe(const Error& error);

template <typename T>
using Result = boost::system::result<T, Error>;

// Thrown only by Result::value() on an error, for callers that prefer exceptions
// (the command line, tests).
class PrinterError : public std::runtime_error {
public:
    explicit PrinterError(const Error& error);
    std::error_code code() const { return code_; }

private:
    std::error_code code_;
};

// Found by argument-dependent lookup from boost::system::result<T, Error>::value().
[[noreturn]] void throw_exception_from_error(const Error& error,
                                             const boost::source_location& location);

} // namespace encore::drivers::printer

template <>
struct std::is_error_code_enum<encore::drivers::printer::Errc> : std::true_type {};
