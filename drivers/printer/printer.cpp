#include "drivers/printer/printer.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace encore::drivers::printer {

std::string_view to_string(DocumentFormat format) {
    switch (format) {
    case DocumentFormat::jpeg:
        return "image/jpeg";
    case DocumentFormat::pdf:
        return "application/pdf";
    }
    return "application/octet-stream";
}

Result<DocumentFormat> sniff_document(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return make_error(Errc::document_unreadable,
                          "cannot read '" + path.string() + "': " + std::strerror(errno));
    }
    std::array<char, 4> magic{};
    file.read(magic.data(), magic.size());
    const auto got = file.gcount();
    if (got >= 3 && static_cast<unsigned char>(magic[0]) == 0xFF &&
        static_cast<unsigned char>(magic[1]) == 0xD8 &&
        static_cast<unsigned char>(magic[2]) == 0xFF) {
        return DocumentFormat::jpeg;
    }
    if (got == 4 && std::string_view(magic.data(), 4) == "%PDF") {
        return DocumentFormat::pdf;
    }
    if (std::filesystem::is_directory(path)) {
        return make_error(Errc::document_unreadable,
                          "cannot print '" + path.string() + "': it is a folder");
    }
    return make_error(Errc::unsupported_format,
                      "cannot print '" + path.string() + "': it is neither a JPEG nor a PDF file");
}

std::string_view to_string(Scaling scaling) {
    switch (scaling) {
    case Scaling::automatic:
        return "auto";
    case Scaling::fit:
        return "fit";
    case Scaling::fill:
        return "fill";
    case Scaling::none:
        return "none";
    }
    return "auto";
}

std::optional<Scaling> parse_scaling(std::string_view text) {
    for (const auto scaling : {Scaling::automatic, Scaling::fit, Scaling::fill, Scaling::none}) {
        if (to_string(scaling) == text) {
            return scaling;
        }
    }
    return std::nullopt;
}

std::string_view to_string(JobState state) {
    switch (state) {
    case JobState::pending:
        return "pending";
    case JobState::held:
        return "held";
    case JobState::processing:
        return "processing";
    case JobState::stopped:
        return "stopped";
    case JobState::canceled:
        return "canceled";
    case JobState::aborted:
        return "aborted";
    case JobState::completed:
        return "completed";
    }
    return "unknown";
}

bool is_terminal(JobState state) {
    return state == JobState::canceled || state == JobState::aborted ||
           state == JobState::completed;
}

std::string_view to_string(PrinterState state) {
    switch (state) {
    case PrinterState::idle:
        return "idle";
    case PrinterState::processing:
        return "processing";
    case PrinterState::stopped:
        return "stopped";
    }
    return "unknown";
}

bool PrinterStatus::has_reason(std::string_view keyword) const {
    for (const std::string_view reason : reasons) {
        if (!reason.starts_with(keyword)) {
            continue;
        }
        const auto rest = reason.substr(keyword.size());
        if (rest.empty() || rest == "-error" || rest == "-warning" || rest == "-report") {
            return true;
        }
    }
    return false;
}

} // namespace encore::drivers::printer
