#include "drivers/printer/error.hpp"

namespace encore::drivers::printer {
namespace {

class PrinterCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "printer"; }
    std::string message(int value) const override {
        switch (static_cast<Errc>(value)) {
        case Errc::server_unreachable:
            return "print server unreachable";
        case Errc::no_such_queue:
            return "no such print queue";
        case Errc::queue_not_accepting:
            return "print queue not accepting jobs";
        case Errc::no_such_job:
            return "no such print job";
        case Errc::document_unreadable:
            return "document unreadable";
        case Errc::unsupported_format:
            return "document is neither JPEG nor PDF";
        case Errc::unsupported_media:
            return "paper size not offered by the printer";
        case Errc::invalid_argument:
            return "invalid argument";
        case Errc::not_authorized:
            return "not authorized by the print server";
        case Errc::request_failed:
            return "print server refused the request";
        case Errc::out_of_paper:
            return "printer out of paper";
        case Errc::paper_jam:
            return "paper jam";
        case Errc::out_of_ribbon:
            return "printer out of ribbon";
        case Errc::printer_offline:
            return "printer offline";
        case Errc::printer_stopped:
            return "printer stopped";
        case Errc::printer_fault:
            return "printer fault";
        case Errc::job_held:
            return "print job held";
        case Errc::ledger_failed:
            return "print ledger failed";
        }
        return "unknown printer error";
    }
};

} // namespace

const std::error_category& printer_category() {
    static const PrinterCategory category;
    return category;
}

std::error_code make_error_code(Errc code) {
    return {static_cast<int>(code), printer_category()};
}

Error make_error(Errc code, std::string message) {
    return Error{make_error_code(code), std::move(message)};
}

std::string describe(const Error& error) {
    return error.message.empty() ? error.code.message() : error.message;
}

PrinterError::PrinterError(const Error& error)
    : std::runtime_error(describe(error))
    , code_(error.code) {}

void throw_exception_from_error(const Error& error, const boost::source_location& /*location*/) {
    throw PrinterError(error);
}

} // namespace encore::drivers::printer
