#include "hub/shipping/packing_slip.hpp"

#include "kiosk/imaging/jpeg.hpp"
#include "kiosk/imaging/resample.hpp"

#include <algorithm>
#include <cairo-pdf.h>
#include <cairo.h>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>

namespace encore::hub::shipping {

namespace imaging = kiosk::imaging;

namespace {

// The page's geometry, in points.
constexpr double margin = 48;
constexpr double footer_height = 24;
constexpr double heading_size = 20;
constexpr double title_size = 13;
constexpr double body_size = 10.5;
constexpr double small_size = 8.5;
constexpr double line_height = 15;
// Page 1: heading, title, then the reorder's facts beside the address.
constexpr double first_table_top = margin + 150;
// Further pages: one line saying whose slip it is.
constexpr double other_table_top = margin + 30;
constexpr double table_heading_height = 22;
constexpr double row_height = 56;
constexpr double thumbnail_side = 48;
constexpr double total_height = 34;
// Table columns, from the left margin.
constexpr double number_column = 0;
constexpr double thumbnail_column = 26;
constexpr double product_column = thumbnail_column + thumbnail_side + 14;
constexpr double quantity_width = 70;
// Thumbnails are decoded for about 200 dpi on paper.
constexpr int thumbnail_pixels = 144;

constexpr std::string_view default_heading = "Encore photo prints";

double table_bottom(const PaperSize& size) {
    return size.height - margin - footer_height;
}

int rows_fitting(const PaperSize& size, double table_top) {
    const double room = table_bottom(size) - table_top - table_heading_height;
    return std::max(1, static_cast<int>(room / row_height));
}

struct PagePlan {
    std::size_t first_line = 0;
    std::size_t lines = 0;
};

// The lines on each page, and whether the total needs a page of its own after them.
std::vector<PagePlan> plan_pages(const PaperSize& size, std::size_t line_count) {
    std::vector<PagePlan> pages;
    std::size_t placed = 0;
    double table_top = first_table_top;
    while (true) {
        const auto capacity = static_cast<std::size_t>(rows_fitting(size, table_top));
        const auto lines = std::min(capacity, line_count - placed);
        pages.push_back({placed, lines});
        placed += lines;
        if (placed == line_count) {
            const double end = table_top + table_heading_height + row_height * lines;
            if (end + total_height > table_bottom(size)) {
                // The total alone on one more page, below the table's heading.
                pages.push_back({placed, 0});
            }
            return pages;
        }
        table_top = other_table_top;
    }
}

// Cairo refuses text that is not UTF-8 (and then draws nothing more): each invalid
// byte becomes '?'.
std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = lead < 0x80           ? 1
                             : (lead >> 5) == 0x6  ? 2
                             : (lead >> 4) == 0xe  ? 3
                             : (lead >> 3) == 0x1e ? 4
                                                   : 0;
        bool valid =
            length != 0 && i + length <= text.size() && lead != 0xc0 && lead != 0xc1 && lead < 0xf5;
        for (std::size_t k = 1; valid && k < length; ++k) {
            valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
        }
        if (!valid) {
            out += '?';
            ++i;
            continue;
        }
        // Control characters would show as boxes.
        out.append(lead < 0x20 || lead == 0x7f ? std::string_view(" ") : text.substr(i, length));
        i += length;
    }
    return out;
}

enum class Weight { normal, bold };
enum class Align { left, right, centre };

class Painter {
public:
    explicit Painter(cairo_t* cr)
        : cr_(cr) {}

    // Draws `text` with its baseline at `baseline`, shortened with "…" to `max_width`.
    void text(double x, double baseline, std::string_view text, double size,
              Weight weight = Weight::normal, Align align = Align::left, double max_width = 0) {
        cairo_select_font_face(cr_, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                               weight == Weight::bold ? CAIRO_FONT_WEIGHT_BOLD
                                                      : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr_, size);
        auto shown = valid_utf8(text);
        double width = advance(shown);
        if (max_width > 0 && width > max_width) {
            while (!shown.empty() && advance(shown + "…") > max_width) {
                // Drop one whole code point.
                do {
                    shown.pop_back();
                } while (!shown.empty() &&
                         (static_cast<unsigned char>(shown.back()) & 0xc0) == 0x80);
                if (!shown.empty() && static_cast<unsigned char>(shown.back()) >= 0xc0) {
                    shown.pop_back();
                }
            }
            shown += "…";
            width = advance(shown);
        }
        const double left = align == Align::left    ? x
                            : align == Align::right ? x - width
                                                    : x - width / 2;
        cairo_move_to(cr_, left, baseline);
        cairo_show_text(cr_, shown.c_str());
    }

    void rule(double x, double y, double width, double grey, double thickness = 0.75) {
        cairo_set_source_rgb(cr_, grey, grey, grey);
        cairo_set_line_width(cr_, thickness);
        cairo_move_to(cr_, x, y);
        cairo_line_to(cr_, x + width, y);
        cairo_stroke(cr_);
        ink();
    }

    void ink() { cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1); }

    cairo_t* context() { return cr_; }

private:
    double advance(const std::string& text) {
        cairo_text_extents_t extents;
        cairo_text_extents(cr_, text.c_str(), &extents);
        return extents.x_advance;
    }

    cairo_t* cr_;
};

struct SurfaceDeleter {
    void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;

struct ContextDeleter {
    void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};

// The photo as a small image surface, upright, its longest side thumbnail_pixels; the
// JPEG of the same pixels is attached, so the PDF embeds it as it is (a few kB) instead
// of deflated pixels. Null when the photo cannot be decoded.
Surface make_thumbnail(std::span<const std::byte> jpeg) {
    const auto info = imaging::read_jpeg_info(jpeg);
    if (!info) {
        return nullptr;
    }
    const auto size = imaging::fitted_size(
        info->upright_size(), {thumbnail_pixels, thumbnail_pixels}, imaging::Fit::contain);
    auto decoded = imaging::decode_jpeg(jpeg, size);
    if (!decoded) {
        return nullptr;
    }
    auto canvas = imaging::Image::filled(size.width, size.height, {255, 255, 255});
    if (!canvas || !imaging::draw_image(*canvas, canvas->bounds(), decoded->pixels,
                                        decoded->orientation, imaging::Fit::contain)) {
        return nullptr;
    }
    Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, size.width, size.height));
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
        return nullptr;
    }
    cairo_surface_flush(surface.get());
    auto* data = cairo_image_surface_get_data(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    for (int y = 0; y < size.height; ++y) {
        auto* row =
            reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
        for (int x = 0; x < size.width; ++x) {
            const auto pixel = canvas->pixel(x, y);
            row[x] = (std::uint32_t{pixel.r} << 16) | (std::uint32_t{pixel.g} << 8) | pixel.b;
        }
    }
    cairo_surface_mark_dirty(surface.get());
    if (auto encoded = imaging::encode_jpeg(*canvas, imaging::thumbnail_encoding)) {
        auto* bytes = new std::vector<std::byte>(std::move(*encoded));
        const auto status = cairo_surface_set_mime_data(
            surface.get(), CAIRO_MIME_TYPE_JPEG,
            reinterpret_cast<const unsigned char*>(bytes->data()), bytes->size(),
            [](void* owned) { delete static_cast<std::vector<std::byte>*>(owned); }, bytes);
        if (status != CAIRO_STATUS_SUCCESS) {
            delete bytes;
        }
    }
    return surface;
}

void draw_thumbnail(Painter& painter, double x, double y, cairo_surface_t* thumbnail) {
    auto* cr = painter.context();
    if (thumbnail == nullptr) {
        cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
        cairo_rectangle(cr, x, y, thumbnail_side, thumbnail_side);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        painter.text(x + thumbnail_side / 2, y + thumbnail_side / 2 + 3, "no preview", 6.5,
                     Weight::normal, Align::centre);
        painter.ink();
        return;
    }
    const double width = cairo_image_surface_get_width(thumbnail);
    const double height = cairo_image_surface_get_height(thumbnail);
    const double scale = std::min(thumbnail_side / width, thumbnail_side / height);
    cairo_save(cr);
    cairo_translate(cr, x + (thumbnail_side - width * scale) / 2,
                    y + (thumbnail_side - height * scale) / 2);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, thumbnail, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
}

std::string date_of(std::int64_t seconds) {
    const auto time = static_cast<std::time_t>(seconds);
    std::tm utc{};
    gmtime_r(&time, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
    return text;
}

void draw_first_page_header(Painter& painter, const PackingSlip& slip, const PaperSize& size) {
    const double content_width = size.width - 2 * margin;
    painter.text(margin, margin + 18, slip.heading.empty() ? default_heading : slip.heading,
                 heading_size, Weight::bold, Align::left, content_width);
    painter.text(margin, margin + 40, "Packing slip", title_size);
    // A reorder id is a UUID: the whole of it, on the title's line, to compare by eye.
    painter.text(margin + content_width, margin + 40, "Reorder " + slip.reorder_id, body_size,
                 Weight::bold, Align::right, content_width - 110);
    painter.rule(margin, margin + 50, content_width, 0.6);

    double y = margin + 72;
    const double label_width = 78;
    const double facts_width = content_width / 2 - 12;
    const auto fact = [&](std::string_view label, const std::string& value) {
        painter.text(margin, y, label, body_size, Weight::bold);
        painter.text(margin + label_width, y, value, body_size, Weight::normal, Align::left,
                     facts_width - label_width);
        y += line_height;
    };
    fact("Placed", date_of(slip.placed_at));
    if (!slip.order_code.empty()) {
        fact("Booth order", slip.order_code);
    }

    const double address_x = margin + content_width / 2;
    const double address_width = content_width / 2;
    y = margin + 72;
    const auto& to = slip.delivery;
    const auto line = [&](const std::string& text, Weight weight = Weight::normal) {
        painter.text(address_x, y, text, body_size, weight, Align::left, address_width);
        y += line_height;
    };
    if (to.method == settlement::DeliveryMethod::pickup) {
        line("Delivery", Weight::bold);
        line("Pick up at the venue");
        if (!to.name.empty()) {
            line(to.name);
        }
    } else {
        line("Ship to", Weight::bold);
        line(to.name);
        line(to.street);
        line(to.postal_code + " " + to.city);
        line(to.country);
    }
}

void draw_table_heading(Painter& painter, const PaperSize& size, double top) {
    const double right = size.width - margin;
    const double baseline = top + 15;
    painter.text(margin + number_column, baseline, "#", small_size, Weight::bold);
    painter.text(margin + thumbnail_column, baseline, "Photo", small_size, Weight::bold);
    painter.text(margin + product_column, baseline, "Product", small_size, Weight::bold);
    painter.text(right, baseline, "Quantity", small_size, Weight::bold, Align::right);
    painter.rule(margin, top + table_heading_height, size.width - 2 * margin, 0.3, 1);
}

} // namespace

std::string_view to_string(Paper paper) {
    return paper == Paper::letter ? "letter" : "a4";
}

std::optional<Paper> parse_paper(std::string_view text) {
    if (text == "a4") {
        return Paper::a4;
    }
    if (text == "letter") {
        return Paper::letter;
    }
    return std::nullopt;
}

PaperSize paper_size(Paper paper) {
    // A4 is 210 x 297 mm; Letter 8.5 x 11 inches.
    return paper == Paper::letter ? PaperSize{612, 792}
                                  : PaperSize{210 / 25.4 * 72, 297 / 25.4 * 72};
}

SlipArea first_thumbnail_area(Paper) {
    const double row_top = first_table_top + table_heading_height;
    return {margin + thumbnail_column, row_top + (row_height - thumbnail_side) / 2, thumbnail_side,
            thumbnail_side};
}

SlipCapacity slip_capacity(Paper paper) {
    const auto size = paper_size(paper);
    return {rows_fitting(size, first_table_top), rows_fitting(size, other_table_top)};
}

boost::system::result<std::vector<std::byte>, std::string>
render_packing_slip(const PackingSlip& slip, Paper paper, const PhotoSource& photos) {
    const auto size = paper_size(paper);
    std::vector<std::byte> pdf;
    Surface surface(cairo_pdf_surface_create_for_stream(
        [](void* closure, const unsigned char* data, unsigned int length) {
            auto& out = *static_cast<std::vector<std::byte>*>(closure);
            const auto* bytes = reinterpret_cast<const std::byte*>(data);
            out.insert(out.end(), bytes, bytes + length);
            return CAIRO_STATUS_SUCCESS;
        },
        &pdf, size.width, size.height));
    if (const auto status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS) {
        return std::string("cannot start the PDF: ") + cairo_status_to_string(status);
    }
    const std::string title = "Packing slip " + valid_utf8(slip.reorder_id);
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Encore hub");
    std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));
    Painter painter(cr.get());
    painter.ink();

    // One thumbnail per photo, however many lines show it.
    std::map<std::string, Surface> thumbnails;
    for (const auto& line : slip.lines) {
        if (!thumbnails.contains(line.photo_sha256)) {
            const auto original = photos(line.photo_sha256);
            thumbnails.emplace(line.photo_sha256, original ? make_thumbnail(*original) : Surface());
        }
    }

    const auto pages = plan_pages(size, slip.lines.size());
    const double right = size.width - margin;
    const double content_width = size.width - 2 * margin;
    int prints = 0;
    for (const auto& line : slip.lines) {
        prints += line.quantity;
    }
    for (std::size_t page = 0; page < pages.size(); ++page) {
        double top = other_table_top;
        if (page == 0) {
            draw_first_page_header(painter, slip, size);
            top = first_table_top;
        } else {
            painter.text(margin, margin + 12,
                         "Packing slip, reorder " + slip.reorder_id + " (continued)", body_size,
                         Weight::bold, Align::left, content_width);
        }
        draw_table_heading(painter, size, top);
        double row_top = top + table_heading_height;
        const auto& plan = pages[page];
        for (std::size_t index = plan.first_line; index < plan.first_line + plan.lines; ++index) {
            const auto& line = slip.lines[index];
            const double baseline = row_top + row_height / 2 + 4;
            painter.text(margin + number_column, baseline, std::to_string(index + 1), body_size);
            const auto found = thumbnails.find(line.photo_sha256);
            draw_thumbnail(painter, margin + thumbnail_column,
                           row_top + (row_height - thumbnail_side) / 2,
                           found != thumbnails.end() ? found->second.get() : nullptr);
            painter.text(margin + product_column, baseline, line.product_label, body_size,
                         Weight::normal, Align::left,
                         right - quantity_width - (margin + product_column));
            painter.text(right, baseline, "× " + std::to_string(line.quantity), body_size + 1,
                         Weight::bold, Align::right);
            row_top += row_height;
            painter.rule(margin, row_top, content_width, 0.85);
        }
        if (page + 1 == pages.size()) {
            painter.text(right, row_top + 24, "Total prints: " + std::to_string(prints),
                         body_size + 1, Weight::bold, Align::right);
            painter.text(margin, row_top + 24,
                         std::to_string(slip.lines.size()) +
                             (slip.lines.size() == 1 ? " item" : " items"),
                         body_size);
        }
        painter.text(right, size.height - margin + 8,
                     "Page " + std::to_string(page + 1) + " of " + std::to_string(pages.size()),
                     small_size, Weight::normal, Align::right);
        cairo_show_page(cr.get());
    }
    if (const auto status = cairo_status(cr.get()); status != CAIRO_STATUS_SUCCESS) {
        return std::string("cannot draw the packing slip: ") + cairo_status_to_string(status);
    }
    cr.reset();
    cairo_surface_finish(surface.get());
    if (const auto status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS) {
        return std::string("cannot write the packing slip: ") + cairo_status_to_string(status);
    }
    surface.reset();
    return pdf;
}

} // namespace encore::hub::shipping
