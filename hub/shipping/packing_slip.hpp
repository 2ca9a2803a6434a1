#pragma once

#include "hub/settlement/ledger.hpp"

#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The packing slip that goes into a reorder's parcel: a PDF drawn with cairo, on A4 or
// US Letter. The first page carries the event's name as heading, the reorder id, the
// date it was placed, the booth order's short code and the address it ships to (or
// "Pick up at the venue"); then a table with one row per item: a thumbnail of the photo,
// decoded from the stored original with the booth's imaging code, the product and the
// quantity; after the last row the total number of prints. Rows that do not fit flow
// onto further pages, each with the table's heading again and "Page N of M" below.
// Every word is PDF text (copyable, found by pdftotext), not pixels.
namespace encore::hub::shipping {

enum class Paper { a4, letter };

std::string_view to_string(Paper paper);
// "a4" or "letter"; nullopt for anything else.
std::optional<Paper> parse_paper(std::string_view text);

struct PaperSize {
    // In PDF points (1/72 inch).
    double width = 0;
    double height = 0;
};
PaperSize paper_size(Paper paper);

struct SlipLine {
    std::string product_label;
    int quantity = 0;
    // The photo (SHA-256 hex of the stored original); lines showing the same photo share
    // one thumbnail.
    std::string photo_sha256;
};

// Reads a stored original (JPEG) by its SHA-256; nullopt when the image store lacks it,
// and its rows then show "no preview" where the thumbnail would be. Called once per
// photo, one at a time, so only one original is in memory at once.
using PhotoSource = std::function<std::optional<std::vector<std::byte>>(const std::string& sha256)>;

struct PackingSlip {
    // The event of the booth order ("Summer Gala"); empty gives "Encore photo prints".
    std::string heading;
    std::string reorder_id;
    // The booth order's short code, as printed on the guest's prints.
    std::string order_code;
    // Seconds since 1970 (UTC), when the reorder was placed.
    std::int64_t placed_at = 0;
    settlement::Delivery delivery;
    std::vector<SlipLine> lines;
};

// Where the thumbnail of the first row is drawn on page 1, in points from the page's
// top-left corner: tests look there for the photo's pixels.
struct SlipArea {
    double x = 0;
    double y = 0;
    double width = 0;
    double height = 0;
};
SlipArea first_thumbnail_area(Paper paper);

// How many item rows page 1 and each further page hold (the total needs room after the
// last row too, and may go onto a page of its own).
struct SlipCapacity {
    int first_page = 0;
    int other_pages = 0;
};
SlipCapacity slip_capacity(Paper paper);

// The PDF, or what went wrong (cairo's status) in a sentence. Slow (reads and decodes
// each photo through `photos`): call it on a worker thread.
boost::system::result<std::vector<std::byte>, std::string>
render_packing_slip(const PackingSlip& slip, Paper paper, const PhotoSource& photos);

} // namespace encore::hub::shipping
