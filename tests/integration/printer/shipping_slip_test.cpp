// The shipping station's packing slips and its "packed" step. Slips are read back with
// poppler's tools (pdftotext, pdfinfo, pdftoppm), as a clerk's PDF viewer or printer
// would; the hub runs as hubd on a private cupsd, and reorders are printed there before
// they are packed and shipped.

#include "hub/settlement/ledger.hpp"
#include "hub/shipping/packing_slip.hpp"
#include "hub/store/image_store.hpp"
#include "hub/store/order_repository.hpp"
#include "kiosk/imaging/jpeg.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/http/client.hpp"
#include "tests/integration/printer/print_rig.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/source_tree.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cairo.h>
#include <cmath>
#include <csignal>
#include <fstream>
#include <regex>
#include <strings.h>

using namespace encore;
using namespace std::chrono_literals;
namespace imaging = kiosk::imaging;
namespace settlement = hub::settlement;
namespace shipping = hub::shipping;

namespace {

// A photo with four coloured quarters, so its thumbnail is far from blank and far from
// one flat colour.
std::vector<std::byte> quartered_photo(int width = 1500, int height = 1000) {
    auto image = imaging::Image::filled(width, height, {255, 255, 255});
    REQUIRE(image.has_value());
    image->fill({0, 0, width / 2, height / 2}, {200, 30, 30});
    image->fill({width / 2, 0, width - width / 2, height / 2}, {30, 160, 40});
    image->fill({0, height / 2, width / 2, height - height / 2}, {20, 40, 180});
    image->fill({width / 2, height / 2, width - width / 2, height - height / 2}, {15, 15, 15});
    auto jpeg = imaging::encode_jpeg(*image, imaging::print_encoding);
    REQUIRE(jpeg.has_value());
    return std::move(*jpeg);
}

std::string sha256_hex(const std::vector<std::byte>& bytes) {
    return platform::crypto::to_hex(platform::crypto::sha256(bytes));
}

void write_file(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

testing::RunResult poppler(const std::string& tool, std::vector<std::string> arguments) {
    auto result = testing::run_program("/usr/bin/" + tool, std::move(arguments));
    INFO(tool, ": ", result.err);
    REQUIRE(result.exit_code == 0);
    return result;
}

// The text of one page (or all pages), in reading order.
std::string pdf_text(const std::filesystem::path& pdf, int page = 0) {
    std::vector<std::string> arguments{"-layout"};
    if (page > 0) {
        arguments.insert(arguments.end(), {"-f", std::to_string(page), "-l", std::to_string(page)});
    }
    arguments.insert(arguments.end(), {pdf.string(), "-"});
    return poppler("pdftotext", arguments).out;
}

struct PdfInfo {
    int pages = 0;
    std::string page_size;
};

PdfInfo pdf_info(const std::filesystem::path& pdf) {
    const auto out = poppler("pdfinfo", {pdf.string()}).out;
    PdfInfo info;
    std::smatch match;
    if (std::regex_search(out, match, std::regex("Pages:\\s+(\\d+)"))) {
        info.pages = std::stoi(match[1]);
    }
    if (std::regex_search(out, match, std::regex("Page size:\\s+([^\\n]+)"))) {
        info.page_size = match[1];
    }
    return info;
}

int count(const std::string& text, const std::string& word) {
    int found = 0;
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        ++found;
    }
    return found;
}

// The quantity shown in the row of `label` ("Strip 2×6   × 4"), or -1.
int row_quantity(const std::string& text, const std::string& label) {
    std::smatch match;
    const std::regex row("(^|\\n)[^\\n]*" + label + "[^\\n]*×\\s*(\\d+)[ ]*(\\n|$)");
    return std::regex_search(text, match, row) ? std::stoi(match[2]) : -1;
}

struct Region {
    double mean = 0;
    double deviation = 0;
    double non_white = 0; // share of pixels darker than near-white
};

// Page 1 drawn by pdftoppm at 50 dpi, and the luminance of `area` (in points) on it.
Region rendered_region(const std::filesystem::path& pdf, const shipping::SlipArea& area) {
    const auto prefix = pdf.parent_path() / (pdf.stem().string() + "-page");
    poppler("pdftoppm", {"-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", pdf.string(),
                         prefix.string()});
    const auto png = prefix.string() + ".png";
    cairo_surface_t* page = cairo_image_surface_create_from_png(png.c_str());
    REQUIRE(cairo_surface_status(page) == CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(page);
    const auto* data = cairo_image_surface_get_data(page);
    const int stride = cairo_image_surface_get_stride(page);
    const double scale = 50.0 / 72.0;
    const int x0 = static_cast<int>(std::ceil(area.x * scale));
    const int y0 = static_cast<int>(std::ceil(area.y * scale));
    const int x1 = static_cast<int>((area.x + area.width) * scale);
    const int y1 = static_cast<int>((area.y + area.height) * scale);
    REQUIRE(x1 <= cairo_image_surface_get_width(page));
    REQUIRE(y1 <= cairo_image_surface_get_height(page));
    double sum = 0;
    double squares = 0;
    int dark = 0;
    int pixels = 0;
    for (int y = y0; y < y1; ++y) {
        const auto* row = reinterpret_cast<const std::uint32_t*>(data + y * stride);
        for (int x = x0; x < x1; ++x) {
            const auto pixel = row[x];
            const double luma = 0.299 * ((pixel >> 16) & 0xff) + 0.587 * ((pixel >> 8) & 0xff) +
                                0.114 * (pixel & 0xff);
            sum += luma;
            squares += luma * luma;
            dark += luma < 235 ? 1 : 0;
            ++pixels;
        }
    }
    cairo_surface_destroy(page);
    REQUIRE(pixels > 100);
    Region region;
    region.mean = sum / pixels;
    region.deviation = std::sqrt(std::max(0.0, squares / pixels - region.mean * region.mean));
    region.non_white = static_cast<double>(dark) / pixels;
    return region;
}

const settlement::Delivery parcel_address{
    settlement::DeliveryMethod::ship, "Ada Guest", "14 Rue des Lilas", "75011", "Paris", "France"};
const settlement::Delivery venue_pickup{settlement::DeliveryMethod::pickup, "", "", "", "", ""};

} // namespace

std::string print_label(int item) {
    return "Print " + std::string(item < 10 ? "0" : "") + std::to_string(item);
}

TEST_CASE("a packing slip of 25 items flows onto further pages with every row on a page") {
    testing::TempDir dir;
    const auto photo = quartered_photo(600, 400);
    shipping::PackingSlip slip;
    slip.heading = "Harbour Festival";
    slip.reorder_id = "2f0c6f1e-1111-4a4a-9b9b-000000000025";
    slip.order_code = "K9Q-X4M";
    slip.placed_at = 1'795'000'000;
    slip.delivery = parcel_address;
    int prints = 0;
    for (int item = 1; item <= 25; ++item) {
        slip.lines.push_back({print_label(item), item % 3 + 1, sha256_hex(photo)});
        prints += item % 3 + 1;
    }
    for (const auto paper : {shipping::Paper::a4, shipping::Paper::letter}) {
        CAPTURE(shipping::to_string(paper));
        int reads = 0;
        const auto pdf = shipping::render_packing_slip(
            slip, paper, [&](const std::string& sha256) -> std::optional<std::vector<std::byte>> {
                ++reads;
                REQUIRE(sha256 == sha256_hex(photo));
                return photo;
            });
        // 25 rows of one photo: read and decoded once.
        CHECK(reads == 1);
        REQUIRE_MESSAGE(pdf.has_value(), pdf.error());
        const auto file = dir / ("many-" + std::string(shipping::to_string(paper)) + ".pdf");
        write_file(file, *pdf);

        const auto info = pdf_info(file);
        const auto capacity = shipping::slip_capacity(paper);
        // More rows than page 1 holds: they must go on, not off the page.
        REQUIRE(capacity.first_page < 25);
        CHECK(info.pages >= 2);
        CHECK(info.pages <=
              1 + (25 - capacity.first_page + capacity.other_pages - 1) / capacity.other_pages + 1);
        CHECK(info.page_size.find(paper == shipping::Paper::a4 ? "(A4)" : "(letter)") !=
              std::string::npos);

        // Every row once, in order, each on the page the plan says; nothing lost off a page.
        std::string all_pages;
        for (int page = 1; page <= info.pages; ++page) {
            const auto text = pdf_text(file, page);
            CHECK(text.find("Page " + std::to_string(page) + " of " + std::to_string(info.pages)) !=
                  std::string::npos);
            all_pages += text;
        }
        for (int item = 1; item <= 25; ++item) {
            const auto label = print_label(item);
            CHECK_MESSAGE(count(all_pages, label) == 1, label);
            CHECK(row_quantity(all_pages, label) == item % 3 + 1);
        }
        const auto first = pdf_text(file, 1);
        CHECK(first.find(print_label(1)) != std::string::npos);
        CHECK(first.find(print_label(capacity.first_page)) != std::string::npos);
        CHECK(first.find(print_label(capacity.first_page + 1)) == std::string::npos);
        CHECK(pdf_text(file, 2).find(print_label(capacity.first_page + 1)) != std::string::npos);
        CHECK(pdf_text(file, info.pages).find("Total prints: " + std::to_string(prints)) !=
              std::string::npos);
        CHECK(count(all_pages, "Total prints") == 1);

        // No word drawn outside its page: pdftotext -bbox gives each word's box.
        const auto boxes = poppler("pdftotext", {"-bbox", file.string(), "-"}).out;
        std::smatch page_size;
        REQUIRE(std::regex_search(boxes, page_size,
                                  std::regex("<page width=\"([0-9.]+)\" height=\"([0-9.]+)\"")));
        const double width = std::stod(page_size[1]);
        const double height = std::stod(page_size[2]);
        const std::regex word("xMin=\"([-0-9.]+)\" yMin=\"([-0-9.]+)\" xMax=\"([-0-9.]+)\" "
                              "yMax=\"([-0-9.]+)\"");
        int words = 0;
        for (auto it = std::sregex_iterator(boxes.begin(), boxes.end(), word);
             it != std::sregex_iterator(); ++it) {
            ++words;
            CHECK(std::stod((*it)[1]) >= 0);
            CHECK(std::stod((*it)[2]) >= 0);
            CHECK(std::stod((*it)[3]) <= width);
            CHECK(std::stod((*it)[4]) <= height);
        }
        CHECK(words > 25 * 3);
    }
}

TEST_CASE("a pickup reorder's slip says to pick it up at the venue, on Letter paper") {
    testing::TempDir dir;
    const auto photo = quartered_photo(400, 600);
    shipping::PackingSlip slip;
    slip.heading = "";
    slip.reorder_id = "6b1d2e9a-0000-4c4c-8d8d-123456789abc";
    slip.placed_at = 1'795'000'000;
    slip.delivery = venue_pickup;
    slip.lines.push_back({"Strip 2×6", 4, sha256_hex(photo)});
    // A photo the image store lost still gets its row, with no thumbnail.
    slip.lines.push_back({"8×10 print", 1, std::string(64, 'e')});
    const auto pdf = shipping::render_packing_slip(
        slip, shipping::Paper::letter,
        [&](const std::string& sha256) -> std::optional<std::vector<std::byte>> {
            if (sha256 == sha256_hex(photo)) {
                return photo;
            }
            return std::nullopt;
        });
    REQUIRE_MESSAGE(pdf.has_value(), pdf.error());
    const auto file = dir / "pickup.pdf";
    write_file(file, *pdf);
    const auto info = pdf_info(file);
    CHECK(info.pages == 1);
    CHECK(info.page_size.find("612 x 792 pts (letter)") != std::string::npos);
    const auto text = pdf_text(file);
    INFO(text);
    CHECK(text.find("Pick up at the venue") != std::string::npos);
    CHECK(text.find("Ship to") == std::string::npos);
    CHECK(text.find("Encore photo prints") != std::string::npos);
    CHECK(text.find(slip.reorder_id) != std::string::npos);
    CHECK(text.find("Strip 2×6") != std::string::npos);
    CHECK(row_quantity(text, "Strip 2×6") == 4);
    CHECK(row_quantity(text, "8×10 print") == 1);
    CHECK(text.find("no preview") != std::string::npos);
    CHECK(text.find("Total prints: 5") != std::string::npos);
    // The portrait photo's thumbnail is drawn where the first row's thumbnail goes.
    const auto region =
        rendered_region(file, shipping::first_thumbnail_area(shipping::Paper::letter));
    CHECK(region.non_white > 0.3);
    CHECK(region.deviation > 20);
}

namespace {

// hubd on a private cupsd with a booth order (two stored photos, event "Summer Gala")
// recorded before it starts, and its settlement ledger opened beside it.
class SlipHub {
public:
    explicit SlipHub(std::string paper = {})
        : data_(rig_.work() / "hub") {
        std::filesystem::create_directories(data_);
        hub::ImageStore images(data_ / "images");
        std::vector<platform::wire::OrderPhoto> order_photos;
        for (const auto& photo : {quartered_photo(), quartered_photo(1000, 1500)}) {
            photos_.push_back(sha256_hex(photo));
            REQUIRE_FALSE(images.put(photos_.back(), photo));
            order_photos.push_back({platform::crypto::sha256(photo), photo.size()});
        }
        {
            const auto orders = hub::open_sqlite_order_repository(data_ / "orders.db");
            platform::wire::Order order;
            order.order_id = "order-1";
            order.code = "K9Q-X4M";
            order.token_sha256 = platform::crypto::to_hex(platform::crypto::sha256(guest_token));
            order.event = "Summer Gala";
            order.created_at = "2026-11-28T12:00:00Z";
            order.copies = 1;
            order.layout = "single-4x6";
            order.photos = order_photos;
            REQUIRE(orders->record_order("booth-1", order) == hub::RecordOutcome::inserted);
        }
        nlohmann::json settings = {
            {"desk",
             {{"lab_queue", "lab"},
              {"templates_dir",
               (testing::source_dir() / "kiosk" / "imaging" / "templates").string()}}}};
        if (!paper.empty()) {
            settings["shipping"] = {{"paper", paper}};
        }
        const auto config = rig_.work() / "hub.json";
        std::ofstream(config) << settings.dump();
        hubd_ = std::make_unique<testing::ChildProcess>(
            testing::bin_dir() / "hubd",
            std::vector<std::string>{"--config", config.string(), "--data", data_.string(),
                                     "--public-listen", "127.0.0.1:0", "--private-listen",
                                     "127.0.0.1:0", "--kiosk-listen", "127.0.0.1:0"},
            std::vector<std::string>{"CUPS_SERVER=" + rig_.server()});
        const auto line = hubd_->wait_for_line("listening", 10s);
        REQUIRE_MESSAGE(line, hubd_->stderr_text());
        std::smatch match;
        REQUIRE(std::regex_search(*line, match,
                                  std::regex("public=(http://127\\.0\\.0\\.1:\\d+)/ "
                                             "private=(http://127\\.0\\.0\\.1:\\d+)/")));
        public_ = *platform::http::parse_http_url(match[1]);
        url_ = match[2];
        private_ = *platform::http::parse_http_url(url_);
        ledger_ = std::make_unique<settlement::Ledger>(data_ / "settlement.db");
    }
    ~SlipHub() {
        hubd_->send_signal(SIGTERM);
        hubd_->wait_for_exit(10s);
    }

    testing::RunResult encore(std::vector<std::string> arguments) {
        arguments.insert(arguments.end(),
                         {"--hub", url_, "--token-file", (data_ / "admin.token").string()});
        return testing::run_program(testing::bin_dir() / "encore", arguments);
    }

    platform::http::ClientResponse api(const std::string& method, const std::string& target,
                                       const std::string& body = {}) {
        std::string token;
        std::getline(std::ifstream(data_ / "admin.token"), token);
        return platform::http::request(
            private_, method, target,
            {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}}, body);
    }

    // Two lines: 2 × the landscape photo as "4×6 print", 1 × the portrait one as
    // "5×7 print"; paid.
    settlement::Reorder place_paid(const std::string& key, settlement::Delivery delivery) {
        settlement::NewReorder reorder;
        reorder.idempotency_key = key;
        reorder.order_id = "order-1";
        reorder.currency = "EUR";
        reorder.lines = {{photos_[0], "4x6", "4×6 print", 2, 300},
                         {photos_[1], "5x7", "5×7 print", 1, 500}};
        reorder.delivery = std::move(delivery);
        const auto placed = ledger_->place_reorder(reorder);
        const auto attempt = ledger_->begin_checkout(placed.id, "dev");
        REQUIRE(attempt.has_value());
        ledger_->record_checkout_opened(attempt->idempotency_key, "checkout-" + key,
                                        "https://pay/");
        ledger_->apply_event({"event-" + key, "checkout.completed", "checkout-" + key,
                              "charge-" + key, placed.total, "EUR"});
        REQUIRE(ledger_->find_reorder(placed.id)->state == settlement::ReorderState::paid);
        return placed;
    }

    void release(const settlement::Reorder& reorder) {
        const auto released = encore({"desk", "release", reorder.id});
        REQUIRE_MESSAGE(released.exit_code == 0, released.err);
    }

    // Waits until the desk reports every copy out (the spooler marks them completed on
    // its next poll after the rig saved them).
    void wait_printed(const settlement::Reorder& reorder) {
        const bool printed = testing::wait_until(
            [&] {
                const auto body = nlohmann::json::parse(
                    api("GET", "/api/shipping/packing-list").body, nullptr, false);
                if (!body.is_object()) {
                    return false;
                }
                for (const auto& entry : body["packing_list"]) {
                    if (entry["id"] == reorder.id) {
                        return entry["printed"].get<bool>();
                    }
                }
                return false;
            },
            60s);
        REQUIRE(printed);
    }

    // The status page of a reorder as the guest sees it after opening the QR link.
    std::string guest_status_page(const std::string& reorder_id) {
        const auto opened =
            platform::http::request(public_, "GET", "/o/" + std::string(guest_token));
        std::string cookies;
        for (const auto& [name, value] : opened.headers) {
            if (strcasecmp(name.c_str(), "Set-Cookie") == 0) {
                cookies += (cookies.empty() ? "" : "; ") + value.substr(0, value.find(';'));
            }
        }
        REQUIRE_MESSAGE(!cookies.empty(), opened.status, " ", opened.body);
        const auto page = platform::http::request(public_, "GET", "/order/reorders/" + reorder_id,
                                                  {{"Cookie", cookies}});
        REQUIRE(page.status == 200);
        return page.body;
    }

    testing::PrintRig& rig() { return rig_; }
    settlement::Ledger& ledger() { return *ledger_; }
    const platform::Endpoint& endpoint() const { return private_; }
    std::filesystem::path work() const { return rig_.work(); }

    static constexpr const char* guest_token = "Qr-Token_of-the-guest-0123456789abc";

private:
    testing::PrintRig rig_;
    std::filesystem::path data_;
    std::unique_ptr<testing::ChildProcess> hubd_;
    std::string url_;
    platform::Endpoint public_;
    platform::Endpoint private_;
    std::vector<std::string> photos_;
    std::unique_ptr<settlement::Ledger> ledger_;
};

} // namespace

TEST_CASE("hubd's packing slip of a printed reorder shows the address, items and thumbnails on "
          "one A4 page, through the API and `encore ship slip`") {
    SlipHub hub;
    const auto reorder = hub.place_paid("slip", parcel_address);

    // Paid but not released: nothing to pack, so no slip yet; an unknown reorder is 404.
    const auto early = hub.api("GET", "/api/shipping/slip?reorder=" + reorder.id);
    CHECK(early.status == 409);
    CHECK(early.body.find("release it at the order desk first") != std::string::npos);
    CHECK(hub.api("GET", "/api/shipping/slip?reorder=no-such-reorder").status == 404);
    CHECK(hub.api("GET", "/api/shipping/slip").status == 400);
    CHECK(platform::http::request(hub.endpoint(), "GET", "/api/shipping/slip?reorder=" + reorder.id)
              .status == 401);
    const auto refused =
        hub.encore({"ship", "slip", reorder.id, "-o", (hub.work() / "x.pdf").string()});
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("409") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(hub.work() / "x.pdf"));

    hub.release(reorder);
    const auto response = hub.api("GET", "/api/shipping/slip?reorder=" + reorder.id);
    REQUIRE(response.status == 200);
    CHECK(response.content_type == "application/pdf");
    CHECK(response.body.starts_with("%PDF-"));
    const auto file = hub.work() / "slip.pdf";
    write_file(file, response.body);

    const auto info = pdf_info(file);
    CHECK(info.pages == 1);
    CHECK(info.page_size.find("(A4)") != std::string::npos);
    const auto text = pdf_text(file);
    for (const auto* expected :
         {"Summer Gala", "Packing slip", "Ship to", "Ada Guest", "14 Rue des Lilas", "75011 Paris",
          "France", "K9Q-X4M", "4×6 print", "5×7 print", "Total prints: 3"}) {
        CHECK_MESSAGE(text.find(expected) != std::string::npos, expected, " in:\n", text);
    }
    CHECK(row_quantity(text, "4×6 print") == 2);
    CHECK(row_quantity(text, "5×7 print") == 1);
    CHECK(text.find(reorder.id) != std::string::npos);
    // The date it was placed (UTC), as the ledger recorded it.
    const auto placed = static_cast<std::time_t>(hub.ledger().find_reorder(reorder.id)->created_at);
    std::tm utc{};
    gmtime_r(&placed, &utc);
    char date[16];
    std::strftime(date, sizeof date, "%Y-%m-%d", &utc);
    CHECK(text.find(date) != std::string::npos);
    CHECK(text.find("Pick up at the venue") == std::string::npos);

    // The first thumbnail shows the photo's quarters: dark, and far from one flat colour.
    const auto region = rendered_region(file, shipping::first_thumbnail_area(shipping::Paper::a4));
    CHECK(region.non_white > 0.3);
    CHECK(region.deviation > 20);
    // Beside it, the row's text column is mostly paper.
    auto beside = shipping::first_thumbnail_area(shipping::Paper::a4);
    beside.x += 200;
    CHECK(rendered_region(file, beside).non_white < 0.2);

    // `encore ship slip` saves the same PDF.
    const auto saved_file = hub.work() / "from-cli.pdf";
    const auto saved = hub.encore({"ship", "slip", reorder.id, "-o", saved_file.string()});
    REQUIRE_MESSAGE(saved.exit_code == 0, saved.err);
    CHECK(saved.out.find(saved_file.string()) != std::string::npos);
    CHECK(pdf_text(saved_file).find("14 Rue des Lilas") != std::string::npos);
    CHECK(pdf_info(saved_file).pages == 1);
}

TEST_CASE("with shipping.paper letter hubd lays its slips out on US Letter") {
    SlipHub hub("letter");
    const auto reorder = hub.place_paid("letter", venue_pickup);
    hub.release(reorder);
    const auto file = hub.work() / "letter.pdf";
    const auto saved = hub.encore({"ship", "slip", reorder.id, "--output", file.string()});
    REQUIRE_MESSAGE(saved.exit_code == 0, saved.err);
    const auto info = pdf_info(file);
    CHECK(info.pages == 1);
    CHECK(info.page_size.find("612 x 792 pts (letter)") != std::string::npos);
    CHECK(pdf_text(file).find("Pick up at the venue") != std::string::npos);
}

TEST_CASE("a reorder is packed only once every print is out, then ships and the guest sees it "
          "shipped") {
    SlipHub hub;
    const auto reorder = hub.place_paid("pack", parcel_address);
    const auto pack_body = nlohmann::json{{"reorder", reorder.id}}.dump();

    // Not released yet.
    const auto unreleased = hub.api("POST", "/api/shipping/pack", pack_body);
    CHECK(unreleased.status == 409);
    CHECK(unreleased.body.find("release it at the order desk first") != std::string::npos);

    // Released while the lab printer is offline: nothing comes out, so nothing is packed.
    hub.rig().fault("lab", "offline");
    hub.release(reorder);
    const auto early = hub.api("POST", "/api/shipping/pack", pack_body);
    CHECK(early.status == 409);
    CHECK(early.body.find("is not fully printed: 0 of 3 prints are out") != std::string::npos);
    const auto early_cli = hub.encore({"ship", "pack", reorder.id});
    CHECK(early_cli.exit_code == 1);
    CHECK(early_cli.err.find("not fully printed") != std::string::npos);
    CHECK(hub.ledger().find_reorder(reorder.id)->state == settlement::ReorderState::printing);
    CHECK(hub.api("POST", "/api/shipping/pack", R"({"reorder": "no-such-reorder"})").status == 404);
    CHECK(hub.api("POST", "/api/shipping/pack", R"({"id": 1})").status == 400);

    hub.rig().fault("lab", "clear");
    hub.wait_printed(reorder);
    const auto packed = hub.encore({"ship", "pack", reorder.id});
    REQUIRE_MESSAGE(packed.exit_code == 0, packed.err);
    CHECK(packed.out.find("packed") != std::string::npos);
    CHECK(hub.ledger().find_reorder(reorder.id)->state == settlement::ReorderState::packed);
    CHECK(hub.guest_status_page(reorder.id).find("state-packed") != std::string::npos);
    const auto twice = hub.api("POST", "/api/shipping/pack", pack_body);
    CHECK(twice.status == 409);
    CHECK(twice.body.find("packed already") != std::string::npos);

    // A packed reorder still has its slip, and ships.
    CHECK(hub.api("GET", "/api/shipping/slip?reorder=" + reorder.id).status == 200);
    const auto shipped =
        hub.encore({"ship", reorder.id, "--carrier", "DHL", "--tracking", "0034-9"});
    REQUIRE_MESSAGE(shipped.exit_code == 0, shipped.err);
    const auto after = hub.ledger().find_reorder(reorder.id);
    CHECK(after->state == settlement::ReorderState::shipped);
    const auto status = hub.guest_status_page(reorder.id);
    CHECK(status.find("state-shipped") != std::string::npos);
    CHECK(status.find("Shipped") != std::string::npos);
    CHECK(status.find("DHL 0034-9") != std::string::npos);
    const auto late = hub.encore({"ship", "pack", reorder.id});
    CHECK(late.exit_code == 1);
    CHECK(late.err.find("shipped already") != std::string::npos);
}

namespace {

// The value of the hidden field `name` in the first form posting to `action`.
std::string form_value(const std::string& page, const std::string& action,
                       const std::string& name) {
    const auto form = page.find("action=\"" + action + "\"");
    REQUIRE(form != std::string::npos);
    const auto field = page.find("name=\"" + name + "\" value=\"", form);
    REQUIRE(field != std::string::npos);
    const auto start = field + name.size() + 15;
    return page.substr(start, page.find('"', start) - start);
}

} // namespace

TEST_CASE("the shipping page links each entry's packing slip and marks a printed one packed") {
    SlipHub hub;
    const auto command =
        "printf '%s\\n' 'ship-password-1' | '" + (testing::bin_dir() / "encore").string() +
        "' staff add packer --role shipping --hub http://" + hub.endpoint().to_string() +
        " --token-file '" + (hub.work() / "hub" / "admin.token").string() + "'";
    REQUIRE(testing::run_program("/bin/sh", {"-c", command}).exit_code == 0);
    const auto logged_in = platform::http::request(
        hub.endpoint(), "POST", "/login", {{"Content-Type", "application/x-www-form-urlencoded"}},
        "name=packer&password=ship-password-1");
    REQUIRE(logged_in.status == 303);
    const auto set_cookie = logged_in.header("Set-Cookie").value_or("");
    const auto cookie = set_cookie.substr(0, set_cookie.find(';'));
    const auto get = [&](const std::string& target) {
        return platform::http::request(hub.endpoint(), "GET", target, {{"Cookie", cookie}});
    };
    const auto post = [&](const std::string& target, const std::string& body) {
        return platform::http::request(
            hub.endpoint(), "POST", target,
            {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}}, body);
    };

    const auto reorder = hub.place_paid("page", parcel_address);
    hub.release(reorder);
    hub.wait_printed(reorder);
    const auto list = get("/shipping");
    REQUIRE(list.status == 200);
    const auto link = "href=\"/shipping/slip?reorder=" + reorder.id + "\"";
    CHECK(list.body.find(link) != std::string::npos);
    CHECK(list.body.find(">Packing slip (PDF)</a>") != std::string::npos);
    CHECK(list.body.find("<button type=\"submit\">Mark packed</button>") != std::string::npos);

    const auto slip = get("/shipping/slip?reorder=" + reorder.id);
    CHECK(slip.status == 200);
    CHECK(slip.content_type == "application/pdf");
    CHECK(slip.body.starts_with("%PDF-"));
    CHECK(platform::http::request(hub.endpoint(), "GET", "/shipping/slip?reorder=" + reorder.id)
              .status == 401);
    CHECK(get("/shipping/slip?reorder=nothing").status == 404);

    const auto csrf = form_value(list.body, "/shipping/pack", "csrf");
    CHECK(post("/shipping/pack", "reorder=" + reorder.id + "&csrf=forged").status == 403);
    CHECK(hub.ledger().find_reorder(reorder.id)->state == settlement::ReorderState::printing);
    const auto packed = post("/shipping/pack", "reorder=" + reorder.id + "&csrf=" + csrf);
    CHECK(packed.status == 200);
    CHECK(packed.body.find("packed") != std::string::npos);
    CHECK(hub.ledger().find_reorder(reorder.id)->state == settlement::ReorderState::packed);
    const auto again = post("/shipping/pack", "reorder=" + reorder.id + "&csrf=" + csrf);
    CHECK(again.status == 409);
    CHECK(again.body.find("packed already") != std::string::npos);

    // Packed: no second "Mark packed", and the ship form is still there.
    const auto after = get("/shipping").body;
    CHECK(after.find("Mark packed") == std::string::npos);
    CHECK(after.find("<p class=\"done\">Packed</p>") != std::string::npos);
    CHECK(after.find("action=\"/shipping/ship\"") != std::string::npos);
}

TEST_CASE("hubd --check-config refuses a paper size other than a4 or letter, naming the key") {
    testing::TempDir dir;
    const auto config = dir / "hub.json";
    std::ofstream(config) << R"({"shipping": {"paper": "a5"}})";
    const auto refused = testing::run_program(testing::bin_dir() / "hubd",
                                              {"--config", config.string(), "--check-config"});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("shipping.paper") != std::string::npos);
    CHECK(refused.err.find("letter") != std::string::npos);
    std::ofstream(config) << R"({"shipping": {"paper": "letter"}})";
    const auto accepted = testing::run_program(testing::bin_dir() / "hubd",
                                               {"--config", config.string(), "--check-config"});
    CHECK_MESSAGE(accepted.exit_code == 0, accepted.err);
}
