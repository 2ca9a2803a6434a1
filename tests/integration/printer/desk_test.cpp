// The order desk against a private cupsd: a paid reorder is rendered from the stored
// original at each product's size and printed on the lab queue, each copy once; an
// unpaid one is refused; a second release is refused.

#include "hub/desk/order_desk.hpp"
#include "kiosk/imaging/jpeg.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/http/client.hpp"
#include "platform/runtime/blocking_worker.hpp"
#include "tests/integration/printer/print_rig.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/source_tree.hpp"

#include <boost/asio/co_spawn.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <regex>

using namespace encore;
using namespace std::chrono_literals;
namespace imaging = kiosk::imaging;
namespace settlement = hub::settlement;

namespace {

std::vector<std::byte> camera_photo() {
    auto image = imaging::Image::filled(3000, 2000, {30, 90, 160});
    REQUIRE(image.has_value());
    auto jpeg = imaging::encode_jpeg(*image, imaging::print_encoding);
    REQUIRE(jpeg.has_value());
    return std::move(*jpeg);
}

// A hub's desk on the rig's lab queue, with one stored photo and its booth order.
class DeskRig {
public:
    DeskRig()
        : harness_(rig_, rig_.work() / "lab-ledger.db", testing::test_spooler_options())
        , ledger_(rig_.work() / "settlement.db")
        , images_(rig_.work() / "images")
        , orders_(hub::open_sqlite_order_repository(rig_.work() / "orders.db"))
        , templates_(hub::desk::LabTemplates::load(testing::source_dir() / "kiosk" / "imaging" /
                                                   "templates"))
        , worker_(harness_.loop().get_executor(), "desk")
        , desk_(harness_.loop().get_executor(), ledger_, images_, *orders_, &templates_,
                harness_.spooler(), harness_.ledger(), worker_,
                {"lab", rig_.work() / "lab", "https://photos.example/"}) {
        const auto photo = camera_photo();
        photo_sha256_ = platform::crypto::to_hex(platform::crypto::sha256(photo));
        REQUIRE_FALSE(images_.put(photo_sha256_, photo));
        platform::wire::Order order;
        order.order_id = "order-1";
        order.code = "K9Q-X4M";
        order.token_sha256 = std::string(64, 'a');
        order.event = "Summer Gala";
        order.created_at = "2026-11-28T12:00:00Z";
        order.copies = 1;
        order.layout = "single-4x6";
        order.photos.push_back({platform::crypto::sha256(photo), photo.size()});
        REQUIRE(orders_->record_order("booth-1", order) == hub::RecordOutcome::inserted);
        harness_.spooler().start();
    }

    settlement::Reorder place(std::vector<settlement::ReorderLine> lines) {
        settlement::NewReorder reorder;
        reorder.idempotency_key = "key-" + std::to_string(++placed_);
        reorder.order_id = "order-1";
        reorder.currency = "EUR";
        reorder.lines = std::move(lines);
        reorder.delivery.method = settlement::DeliveryMethod::pickup;
        return ledger_.place_reorder(reorder);
    }

    void pay(const settlement::Reorder& reorder) {
        const auto attempt = ledger_.begin_checkout(reorder.id, "dev");
        REQUIRE(attempt.has_value());
        const auto checkout_id = "checkout-" + reorder.id;
        ledger_.record_checkout_opened(attempt->idempotency_key, checkout_id, "https://pay/");
        const auto outcome =
            ledger_.apply_event({"event-" + reorder.id, "checkout.completed", checkout_id,
                                 "charge-" + reorder.id, reorder.total, "EUR"});
        (void)outcome;
        REQUIRE(ledger_.find_reorder(reorder.id)->state == settlement::ReorderState::paid);
    }

    hub::desk::ReleaseResult release(const std::string& reorder_id) {
        std::optional<hub::desk::ReleaseResult> result;
        boost::asio::co_spawn(
            harness_.loop(),
            [&]() -> boost::asio::awaitable<void> {
                auto releasing = desk_.release(reorder_id, std::nullopt);
                result = co_await std::move(releasing);
            },
            [](std::exception_ptr error) {
                if (error) {
                    std::rethrow_exception(error);
                }
            });
        REQUIRE(harness_.run_until([&] { return result.has_value(); }, 30s));
        return *result;
    }

    const std::string& photo() const { return photo_sha256_; }
    testing::PrintRig& rig() { return rig_; }
    testing::SpoolerHarness& harness() { return harness_; }
    settlement::Ledger& ledger() { return ledger_; }
    hub::desk::OrderDesk& desk() { return desk_; }

private:
    testing::PrintRig rig_;
    testing::SpoolerHarness harness_;
    settlement::Ledger ledger_;
    hub::ImageStore images_;
    std::unique_ptr<hub::OrderRepository> orders_;
    hub::desk::LabTemplates templates_;
    platform::BlockingWorker worker_;
    hub::desk::OrderDesk desk_;
    std::string photo_sha256_;
    int placed_ = 0;
};

} // namespace

TEST_CASE("a paid reorder prints each item at its size and count on the lab queue, once") {
    DeskRig desk;
    const auto reorder =
        desk.place({{desk.photo(), "5x7", "5×7", 2, 350}, {desk.photo(), "4x6", "4×6", 1, 200}});

    // Not paid: refused, nothing printed, still in no queue.
    const auto early = desk.release(reorder.id);
    CHECK(early.error == hub::desk::ReleaseError::not_settled);
    CHECK(early.message.find("not paid") != std::string::npos);
    CHECK(desk.desk().queue().empty());

    desk.pay(reorder);
    REQUIRE(desk.desk().queue().size() == 1);
    const auto released = desk.release(reorder.id);
    REQUIRE_MESSAGE(released.ok(), released.message);
    CHECK(desk.ledger().find_reorder(reorder.id)->state == settlement::ReorderState::printing);
    CHECK(desk.desk().queue().empty());

    const bool all_printed =
        desk.harness().run_until([&] { return desk.desk().printed(reorder.id); }, 60s);
    for (const auto& item :
         all_printed ? std::vector<hub::desk::ItemProgress>{} : desk.desk().progress(reorder.id)) {
        MESSAGE("item ", item.item, " ", item.product_id, ": ", item.printed, "/", item.copies, " ",
                item.state, " ", item.message);
    }
    REQUIRE(all_printed);
    const auto prints = desk.rig().prints("lab");
    REQUIRE(prints.size() == 3);
    int five_by_seven = 0;
    int four_by_six = 0;
    for (const auto& print : prints) {
        const auto bytes = testing::read_bytes(print);
        const auto info = imaging::read_jpeg_info(std::as_bytes(std::span(bytes)));
        REQUIRE(info.has_value());
        five_by_seven += info->width == 2100 && info->height == 1500 ? 1 : 0;
        four_by_six += info->width == 1800 && info->height == 1200 ? 1 : 0;
    }
    CHECK(five_by_seven == 2);
    CHECK(four_by_six == 1);
    const auto items = desk.desk().progress(reorder.id);
    REQUIRE(items.size() == 2);
    CHECK(items[0].state == "completed");
    CHECK(items[0].printed == 2);

    // A second release (a double click, another clerk) prints nothing more.
    const auto again = desk.release(reorder.id);
    CHECK(again.error == hub::desk::ReleaseError::already_released);
    desk.harness().run_for(1500ms);
    CHECK(desk.rig().prints("lab").size() == 3);
}

TEST_CASE("a product the lab has no template for is refused before anything changes") {
    DeskRig desk;
    const auto reorder = desk.place({{desk.photo(), "poster", "Poster", 1, 900}});
    desk.pay(reorder);
    const auto result = desk.release(reorder.id);
    CHECK(result.error == hub::desk::ReleaseError::cannot_print);
    CHECK(result.message.find("poster") != std::string::npos);
    CHECK(desk.ledger().find_reorder(reorder.id)->state == settlement::ReorderState::paid);
}

TEST_CASE("`encore desk` lists paid reorders and releases one through hubd, refusing unpaid "
          "ones and callers without the token") {
    testing::PrintRig rig;
    const auto data = rig.work() / "hub";
    std::filesystem::create_directories(data);
    const auto config = rig.work() / "hub.json";
    {
        const nlohmann::json settings = {
            {"desk",
             {{"lab_queue", "lab"},
              {"templates_dir",
               (testing::source_dir() / "kiosk" / "imaging" / "templates").string()}}}};
        std::ofstream(config) << settings.dump();
    }
    testing::ChildProcess hubd(testing::bin_dir() / "hubd",
                               {"--config", config.string(), "--data", data.string(),
                                "--public-listen", "127.0.0.1:0", "--private-listen", "127.0.0.1:0",
                                "--kiosk-listen", "127.0.0.1:0"},
                               {"CUPS_SERVER=" + rig.server()});
    const auto line = hubd.wait_for_line("listening", 10s);
    REQUIRE_MESSAGE(line, hubd.stderr_text());
    std::smatch match;
    REQUIRE(std::regex_search(*line, match, std::regex("private=(http://127\\.0\\.0\\.1:\\d+)/")));
    const std::string hub_url = match[1];
    const auto encore = [&](std::vector<std::string> arguments) {
        arguments.insert(arguments.end(),
                         {"--hub", hub_url, "--token-file", (data / "admin.token").string()});
        return testing::run_program(testing::bin_dir() / "encore", arguments);
    };

    // A stored photo and a reorder of it, placed and paid in the hub's own ledger.
    const auto photo = camera_photo();
    const auto sha256 = platform::crypto::to_hex(platform::crypto::sha256(photo));
    REQUIRE_FALSE(hub::ImageStore(data / "images").put(sha256, photo));
    settlement::Ledger ledger(data / "settlement.db");
    const auto place = [&](const std::string& key) {
        settlement::NewReorder reorder;
        reorder.idempotency_key = key;
        reorder.order_id = "order-1";
        reorder.currency = "EUR";
        reorder.lines = {{sha256, "8x10", "8×10", 1, 800}};
        reorder.delivery.method = settlement::DeliveryMethod::pickup;
        return ledger.place_reorder(reorder);
    };
    const auto unpaid = place("unpaid");
    const auto paid = place("paid");
    const auto attempt = ledger.begin_checkout(paid.id, "dev");
    REQUIRE(attempt.has_value());
    ledger.record_checkout_opened(attempt->idempotency_key, "checkout-1", "https://pay/");
    ledger.apply_event({"event-1", "checkout.completed", "checkout-1", "charge-1", 800, "EUR"});

    const auto queue = encore({"desk", "queue"});
    REQUIRE_MESSAGE(queue.exit_code == 0, queue.err);
    CHECK(queue.out.find(paid.id) != std::string::npos);
    CHECK(queue.out.find("1x8x10") != std::string::npos);
    CHECK(queue.out.find(unpaid.id) == std::string::npos);

    const auto refused = encore({"desk", "release", unpaid.id});
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("409") != std::string::npos);
    CHECK(refused.err.find("not paid") != std::string::npos);

    const auto released = encore({"desk", "release", paid.id});
    REQUIRE_MESSAGE(released.exit_code == 0, released.err);
    CHECK(released.out.find("1 items sent to 'lab'") != std::string::npos);
    REQUIRE(testing::wait_until([&] { return rig.prints("lab").size() == 1; }, 60s));
    const auto bytes = testing::read_bytes(rig.prints("lab")[0]);
    const auto info = imaging::read_jpeg_info(std::as_bytes(std::span(bytes)));
    REQUIRE(info.has_value());
    CHECK(info->width == 3000);
    CHECK(info->height == 2400);

    const auto twice = encore({"desk", "release", paid.id});
    CHECK(twice.exit_code == 1);
    CHECK(twice.err.find("released already") != std::string::npos);

    // Shipping: a reorder picked up at the venue is not shipped; one to an address ships
    // once all its prints are out, and only once.
    const auto pickup = encore({"ship", paid.id, "--carrier", "DHL", "--tracking", "123"});
    CHECK(pickup.exit_code == 1);
    CHECK(pickup.err.find("picked up at the venue") != std::string::npos);
    settlement::NewReorder parcel;
    parcel.idempotency_key = "parcel";
    parcel.order_id = "order-1";
    parcel.currency = "EUR";
    parcel.lines = {{sha256, "4x6", "4×6", 2, 200}};
    parcel.delivery = {
        settlement::DeliveryMethod::ship, "Ada Guest", "1 Main St", "10115", "Berlin", "DE"};
    const auto to_ship = ledger.place_reorder(parcel);
    const auto parcel_attempt = ledger.begin_checkout(to_ship.id, "dev");
    REQUIRE(parcel_attempt.has_value());
    ledger.record_checkout_opened(parcel_attempt->idempotency_key, "checkout-2", "https://pay/");
    ledger.apply_event({"event-2", "checkout.completed", "checkout-2", "charge-2", 400, "EUR"});
    const auto early = encore({"ship", to_ship.id, "--carrier", "DHL", "--tracking", "0034-1"});
    CHECK(early.exit_code == 1);
    CHECK(early.err.find("has not been printed") != std::string::npos);
    REQUIRE(encore({"desk", "release", to_ship.id}).exit_code == 0);
    REQUIRE(testing::wait_until([&] { return rig.prints("lab").size() == 3; }, 60s));
    // The spooler marks the copies completed on its next poll.
    bool shipped = false;
    testing::wait_until(
        [&] {
            shipped = encore({"ship", to_ship.id, "--carrier", "DHL", "--tracking", "0034-1"})
                          .exit_code == 0;
            return shipped;
        },
        10s);
    CHECK(shipped);
    const auto after = ledger.find_reorder(to_ship.id);
    CHECK(after->state == settlement::ReorderState::shipped);
    CHECK(after->carrier == "DHL");
    CHECK(after->tracking == "0034-1");
    const auto again = encore({"ship", to_ship.id, "--carrier", "DHL", "--tracking", "0034-1"});
    CHECK(again.exit_code == 1);
    CHECK(again.err.find("shipped already") != std::string::npos);

    const auto endpoint = platform::http::parse_http_url(hub_url);
    REQUIRE(endpoint);
    CHECK(platform::http::request(*endpoint, "GET", "/api/desk/queue").status == 401);
    CHECK(platform::http::request(*endpoint, "POST", "/api/desk/release",
                                  {{"Authorization", "Bearer wrong"}}, R"({"reorder": "x"})")
              .status == 401);
    hubd.send_signal(SIGTERM);
    CHECK(hubd.wait_for_exit(10s) == 0);
}
