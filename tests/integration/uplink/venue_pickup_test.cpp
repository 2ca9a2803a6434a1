// Venue pickup end to end in one process: the hub's real intake, venue queue, order desk
// and settlement ledger; a booth's real journal, uplink, booth printer and venue prints
// on the rig's "booth" queue (a private cupsd). A pickup reorder released at the desk is
// sent to the booth that took the photos, printed there each copy once, reported ready
// (packed) and picked up (shipped).

#include "drivers/printer/ledger.hpp"
#include "drivers/printer/spooler.hpp"
#include "hub/desk/order_desk.hpp"
#include "hub/intake/intake_server.hpp"
#include "hub/intake/kiosk_registry.hpp"
#include "hub/settlement/ledger.hpp"
#include "hub/venue/venue_queue.hpp"
#include "kiosk/devices/booth_printer.hpp"
#include "kiosk/devices/venue_prints.hpp"
#include "kiosk/journal/journal.hpp"
#include "kiosk/outbox/outbox.hpp"
#include "kiosk/uplink/uplink.hpp"
#include "platform/runtime/blocking_worker.hpp"
#include "platform/sqlite/database.hpp"
#include "tests/integration/printer/print_rig.hpp"
#include "tests/integration/uplink/fault_proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <doctest/doctest.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <unistd.h>

using namespace encore;
using namespace std::chrono_literals;
namespace settlement = hub::settlement;
namespace wire = platform::wire;
using kiosk::devices::PickupState;

namespace {

const std::string public_url = "https://photos.example";

// Runs the loop until `done` holds or the time is up; returns whether it held.
bool run_until(boost::asio::io_context& loop, const std::function<bool()>& done,
               std::chrono::milliseconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        loop.run_for(20ms);
        loop.restart();
    }
    return true;
}

// The hub: intake with its venue queue, the settlement ledger and the order desk (whose
// lab queue must stay empty: pickups are printed at the venue).
class Hub {
public:
    Hub(boost::asio::io_context& loop, const testing::PrintRig& rig,
        const std::filesystem::path& dir, std::chrono::seconds heartbeat = 2s)
        : loop_(loop)
        , registry_(dir, "127.0.0.1")
        , images_(dir / "images")
        , orders_(hub::open_sqlite_order_repository(dir / "orders.db"))
        , ledger_(dir / "settlement.db")
        , venue_(dir / "venue.db", ledger_, *orders_)
        , lab_printer_(rig.printer())
        , lab_ledger_(drivers::printer::PrintLedger::open(dir / "lab-ledger.db"))
        , lab_spooler_(loop.get_executor(), *lab_printer_, lab_ledger_,
                       testing::test_spooler_options(), [](const drivers::printer::PrintEvent&) {})
        , worker_(loop.get_executor(), "desk")
        , desk_(loop.get_executor(), ledger_, images_, *orders_, nullptr, lab_spooler_, lab_ledger_,
                worker_, desk_settings(dir)) {
        hub::IntakeSettings settings;
        settings.listen = {"127.0.0.1", 0};
        settings.public_url = public_url;
        settings.heartbeat = heartbeat;
        intake_ = std::make_unique<hub::IntakeServer>(loop, settings, registry_, images_, *orders_,
                                                      &venue_);
        desk_.on_pickup_release(
            [this](const settlement::Reorder& reorder) { return venue_.queue(reorder); });
        lab_spooler_.start();
    }

    static hub::desk::DeskSettings desk_settings(const std::filesystem::path& dir) {
        hub::desk::DeskSettings settings;
        settings.lab_queue = "lab";
        settings.work_dir = dir / "lab";
        settings.guest_site_url = public_url;
        return settings;
    }

    wire::JoinToken join_token(const std::string& kiosk) {
        return {{"127.0.0.1", intake_->local_endpoint().port},
                public_url,
                registry_.ca_fingerprint(),
                kiosk,
                registry_.create_join_secret(kiosk, std::chrono::hours(1))};
    }

    kiosk::KioskIdentity enrol(const std::string& kiosk) {
        std::optional<std::variant<kiosk::KioskIdentity, kiosk::EnrolmentError>> result;
        const auto token = join_token(kiosk);
        boost::asio::co_spawn(
            loop_,
            [&]() -> boost::asio::awaitable<void> {
                result = co_await kiosk::enrol_with_hub(token, 5s);
            },
            boost::asio::detached);
        REQUIRE(run_until(loop_, [&] { return result.has_value(); }));
        REQUIRE(std::holds_alternative<kiosk::KioskIdentity>(*result));
        return std::get<kiosk::KioskIdentity>(*result);
    }

    settlement::Reorder place_paid_pickup(const std::string& order_id,
                                          std::vector<settlement::ReorderLine> lines) {
        settlement::NewReorder placed;
        placed.idempotency_key = "key-" + order_id;
        placed.order_id = order_id;
        placed.currency = "EUR";
        placed.lines = std::move(lines);
        placed.delivery.method = settlement::DeliveryMethod::pickup;
        placed.delivery.name = "Aiko Tanaka";
        const auto reorder = ledger_.place_reorder(placed);
        const auto attempt = ledger_.begin_checkout(reorder.id, "dev");
        REQUIRE(attempt.has_value());
        const auto checkout_id = "checkout-" + reorder.id;
        ledger_.record_checkout_opened(attempt->idempotency_key, checkout_id, "https://pay/");
        ledger_.apply_event({"event-" + reorder.id, "checkout.completed", checkout_id,
                             "charge-" + reorder.id, reorder.total, "EUR"});
        REQUIRE(state(reorder.id) == settlement::ReorderState::paid);
        return reorder;
    }

    hub::desk::ReleaseResult release(const std::string& reorder_id) {
        std::optional<hub::desk::ReleaseResult> result;
        boost::asio::co_spawn(
            loop_,
            [&]() -> boost::asio::awaitable<void> {
                auto releasing = desk_.release(reorder_id, std::nullopt);
                result = co_await std::move(releasing);
            },
            boost::asio::detached);
        REQUIRE(run_until(loop_, [&] { return result.has_value(); }));
        return *result;
    }

    settlement::ReorderState state(const std::string& reorder_id) {
        return ledger_.find_reorder(reorder_id)->state;
    }
    std::string venue_reason(const std::string& reorder_id) {
        const auto entry = venue_.find(reorder_id);
        return entry ? entry->reason : std::string();
    }
    std::optional<hub::venue::VenueState> venue_state(const std::string& reorder_id) {
        const auto entry = venue_.find(reorder_id);
        return entry ? std::optional(entry->state) : std::nullopt;
    }

    hub::IntakeServer& intake() { return *intake_; }
    hub::ImageStore& images() { return images_; }
    hub::OrderRepository& orders() { return *orders_; }

private:
    boost::asio::io_context& loop_;
    hub::KioskRegistry registry_;
    hub::ImageStore images_;
    std::unique_ptr<hub::OrderRepository> orders_;
    settlement::Ledger ledger_;
    hub::venue::VenueQueue venue_;
    std::unique_ptr<drivers::printer::Printer> lab_printer_;
    drivers::printer::PrintLedger lab_ledger_;
    drivers::printer::PrintSpooler lab_spooler_;
    platform::BlockingWorker worker_;
    hub::desk::OrderDesk desk_;
    std::unique_ptr<hub::IntakeServer> intake_;
};

// A booth as kioskd wires it: journal, outbox, booth printer on the rig's "booth" queue,
// venue prints and the uplink. Destroying it and making it again from the same folder
// is a restart of kioskd.
class Booth {
public:
    Booth(boost::asio::io_context& loop, const testing::PrintRig& rig,
          const std::filesystem::path& dir, kiosk::KioskIdentity identity)
        : loop_(loop)
        , identity_(std::move(identity))
        , journal_(kiosk::Journal::open(dir))
        , outbox_(*journal_)
        , printer_(rig.printer())
        , print_ledger_(drivers::printer::PrintLedger::open(dir / "print-ledger.db"))
        , files_(loop.get_executor(), "imaging")
        , booth_printer_(loop.get_executor(), *printer_, print_ledger_, files_,
                         booth_printer_options(dir))
        , venue_prints_(loop.get_executor(), dir / "venue.db", *journal_, booth_printer_, files_) {
        booth_printer_.start();
        venue_prints_.start();
    }

    static kiosk::devices::BoothPrinterOptions
    booth_printer_options(const std::filesystem::path& dir) {
        kiosk::devices::BoothPrinterOptions options;
        options.queue = "booth";
        options.prints_dir = dir / "prints";
        options.spooler = testing::test_spooler_options();
        return options;
    }

    void connect(std::chrono::seconds heartbeat = 1s) {
        kiosk::UplinkSettings settings;
        settings.heartbeat = heartbeat;
        settings.backoff_min = 50ms;
        settings.backoff_max = 200ms;
        uplink_ = std::make_unique<kiosk::Uplink>(loop_, outbox_, identity_, settings);
        uplink_->set_venue(
            {[this](const wire::VenuePrint& print) { venue_prints_.accept(print); },
             [this] { return venue_prints_.next_report(); },
             [this](const wire::Ack& report) { venue_prints_.report_acknowledged(report); },
             [this] { return venue_prints_.next_photo_wanted(); },
             [this](const wire::Chunk& chunk) { return venue_prints_.photo_chunk(chunk); },
             [this](const wire::VenuePhotoUnavailable& answer) {
                 venue_prints_.photo_unavailable(answer);
             }});
        venue_prints_.on_report([this] { uplink_->nudge(); });
        uplink_->start();
    }

    void disconnect() {
        venue_prints_.on_report({});
        uplink_->stop();
        uplink_.reset();
    }

    bool connected() { return uplink_ && uplink_->status().connected; }

    // A guest's session: photos taken, an order made (queued for the hub).
    kiosk::JournalOrder take_order(const std::vector<std::string>& tags) {
        const auto session = journal_->begin_session("gala");
        for (const auto& tag : tags) {
            const auto bytes = testing::write_photo(dir_of_photos() / (tag + ".jpg"), tag);
            const auto* begin = reinterpret_cast<const std::byte*>(bytes.data());
            journal_->add_photo(session, std::vector<std::byte>(begin, begin + bytes.size()));
        }
        return journal_->create_order(session, 1, "single-4x6", public_url);
    }

    // A guest's session with one photo of about `size` bytes (a valid JPEG padded with
    // comment segments), so that the hub sends it in several chunks.
    kiosk::JournalOrder take_large_order(const std::string& tag, std::size_t size) {
        const auto small = testing::write_photo(dir_of_photos() / (tag + ".jpg"), tag);
        std::string bytes = small.substr(0, 2);
        const std::string filler(60'000, 'x');
        while (bytes.size() < size) {
            const auto length = filler.size() + 2;
            bytes += "\xff\xfe";
            bytes += static_cast<char>((length >> 8) & 0xff);
            bytes += static_cast<char>(length & 0xff);
            bytes += filler;
        }
        bytes += small.substr(2);
        const auto session = journal_->begin_session("gala");
        const auto* begin = reinterpret_cast<const std::byte*>(bytes.data());
        journal_->add_photo(session, std::vector<std::byte>(begin, begin + bytes.size()));
        return journal_->create_order(session, 1, "single-4x6", public_url);
    }

    std::filesystem::path dir_of_photos() {
        const auto dir = journal_->photo_path("x").parent_path().parent_path() / "test-photos";
        std::filesystem::create_directories(dir);
        return dir;
    }

    std::optional<kiosk::devices::Pickup> pickup(const std::string& reorder) {
        for (auto& pickup : venue_prints_.pickups()) {
            if (pickup.reorder == reorder) {
                return pickup;
            }
        }
        return std::nullopt;
    }

    // The booth no longer holds this photo (a replaced SD card, a cleared journal).
    void lose_photo(const std::string& sha256) {
        REQUIRE(std::filesystem::remove(journal_->photo_path(sha256)));
    }

    kiosk::devices::VenuePrints& venue_prints() { return venue_prints_; }
    kiosk::Outbox& outbox() { return outbox_; }
    kiosk::Uplink& uplink() { return *uplink_; }

private:
    boost::asio::io_context& loop_;
    kiosk::KioskIdentity identity_;
    std::unique_ptr<kiosk::Journal> journal_;
    kiosk::Outbox outbox_;
    std::unique_ptr<drivers::printer::Printer> printer_;
    drivers::printer::PrintLedger print_ledger_;
    platform::BlockingWorker files_;
    kiosk::devices::BoothPrinter booth_printer_;
    kiosk::devices::VenuePrints venue_prints_;
    std::unique_ptr<kiosk::Uplink> uplink_;
};

// A kiosk that speaks the link by hand with its own certificate, to send what kioskd
// never would. Every call runs the loop until it is done.
class HandLink {
public:
    HandLink(boost::asio::io_context& loop, const kiosk::KioskIdentity& identity)
        : loop_(loop)
        , tls_(client_context(identity))
        , stream_(loop, tls_)
        , port_(identity.link.port) {
        connected_ = run([this]() -> boost::asio::awaitable<bool> {
            const boost::asio::ip::tcp::endpoint hub(boost::asio::ip::make_address("127.0.0.1"),
                                                     port_);
            auto [connect_error] = co_await stream_.next_layer().async_connect(
                hub, boost::asio::as_tuple(boost::asio::use_awaitable));
            if (connect_error) {
                co_return false;
            }
            auto [handshake_error] =
                co_await stream_.async_handshake(boost::asio::ssl::stream_base::client,
                                                 boost::asio::as_tuple(boost::asio::use_awaitable));
            co_return !handshake_error;
        });
    }

    bool connected() const { return connected_; }

    void send(const std::vector<std::byte>& frame) {
        REQUIRE(run([&]() -> boost::asio::awaitable<bool> {
            auto [error, written] = co_await boost::asio::async_write(
                stream_, boost::asio::buffer(frame),
                boost::asio::as_tuple(boost::asio::use_awaitable));
            co_return !error;
        }));
    }

    // The next frame the hub sends, or nullopt once the hub closed the link.
    std::optional<wire::Frame> receive() {
        std::optional<wire::Frame> frame;
        run([&]() -> boost::asio::awaitable<bool> {
            for (;;) {
                if ((frame = decoder_.next())) {
                    co_return true;
                }
                auto [error, count] = co_await stream_.async_read_some(
                    boost::asio::buffer(buffer_),
                    boost::asio::as_tuple(boost::asio::use_awaitable));
                if (error || decoder_.error()) {
                    co_return false;
                }
                decoder_.feed(std::span(buffer_).first(count));
            }
        });
        return frame;
    }

    // The next frame that is not a VENUE_PRINT (those the hub sends unasked).
    std::optional<wire::Frame> answer() {
        for (;;) {
            auto frame = receive();
            if (!frame || frame->type != wire::FrameType::venue_print) {
                return frame;
            }
        }
    }

private:
    // Set up before the stream is made: the stream copies the certificate when it is made.
    static boost::asio::ssl::context client_context(const kiosk::KioskIdentity& identity) {
        boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
        SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_3_VERSION);
        tls.add_certificate_authority(boost::asio::buffer(identity.ca_pem));
        tls.use_certificate_chain(boost::asio::buffer(identity.certificate_pem));
        tls.use_private_key(boost::asio::buffer(identity.key_pem), boost::asio::ssl::context::pem);
        tls.set_verify_mode(boost::asio::ssl::verify_peer);
        return tls;
    }

    bool run(const std::function<boost::asio::awaitable<bool>()>& work) {
        std::optional<bool> done;
        boost::asio::co_spawn(
            loop_,
            [&]() -> boost::asio::awaitable<void> {
                auto running = work();
                done = co_await std::move(running);
            },
            boost::asio::detached);
        const bool finished = run_until(
            loop_, [&] { return done.has_value(); }, 30s);
        return finished && *done;
    }

    boost::asio::io_context& loop_;
    boost::asio::ssl::context tls_;
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
    std::uint16_t port_;
    bool connected_ = false;
    wire::FrameDecoder decoder_;
    std::array<std::byte, 64 * 1024> buffer_{};
};

// What this process writes to stderr (the daemons' log) while it lives.
class StderrCapture {
public:
    explicit StderrCapture(std::filesystem::path file)
        : file_(std::move(file))
        , saved_(::dup(2)) {
        const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, 2);
        ::close(fd);
    }
    ~StderrCapture() { restore(); }
    std::string text() {
        restore();
        return testing::read_bytes(file_);
    }

private:
    void restore() {
        if (saved_ >= 0) {
            ::dup2(saved_, 2);
            ::close(saved_);
            saved_ = -1;
        }
    }
    std::filesystem::path file_;
    int saved_;
};

std::size_t booth_prints(const testing::PrintRig& rig, const std::string& reorder, int item) {
    return rig.prints_of("booth", "encore." + kiosk::devices::venue_print_order_id(reorder, item))
        .size();
}

} // namespace

TEST_CASE("a pickup reorder is printed at the booth that took it, each copy once, and its "
          "guest collects it there") {
    testing::PrintRig rig;
    boost::asio::io_context loop;
    Hub hub(loop, rig, rig.work() / "hub");
    const auto identity = hub.enrol("booth-1");
    auto booth = std::make_unique<Booth>(loop, rig, rig.work() / "booth", identity);

    // The guest's photos and order reach the hub.
    const auto order = booth->take_order({"first", "second"});
    REQUIRE(order.photos.size() == 2);
    booth->connect();
    REQUIRE(run_until(loop, [&] {
        return booth->outbox().status().pending_orders == 0 &&
               booth->outbox().status().pending_photos == 0;
    }));
    REQUIRE(hub.orders().find_order(order.order_id));

    // The booth is offline when the desk releases the guest's pickup reorder.
    booth->disconnect();
    REQUIRE(run_until(loop, [&] { return hub.intake().connected_kiosks() == 0; }));
    const auto reorder = hub.place_paid_pickup(
        order.order_id, {{order.photos[0].sha256, "print-4x6", "4×6", 2, 200},
                         {order.photos[1].sha256, "print-8x10", "8×10", 1, 900}});
    const auto released = hub.release(reorder.id);
    REQUIRE_MESSAGE(released.ok(), released.message);
    CHECK(released.message.find("pickup at the venue") != std::string::npos);
    CHECK(hub.state(reorder.id) == settlement::ReorderState::printing);
    CHECK(hub.venue_state(reorder.id) == hub::venue::VenueState::queued);
    // Released twice (a double click): refused, nothing queued twice.
    CHECK(hub.release(reorder.id).error == hub::desk::ReleaseError::already_released);

    // At its next connection the booth gets it, prints every copy and reports it ready.
    booth->connect();
    REQUIRE(
        run_until(loop, [&] { return hub.state(reorder.id) == settlement::ReorderState::packed; }));
    CHECK(booth_prints(rig, reorder.id, 1) == 2);
    CHECK(booth_prints(rig, reorder.id, 2) == 1);
    CHECK(rig.prints("booth").size() == 3);
    CHECK(rig.prints("lab").empty());
    auto pickup = booth->pickup(reorder.id);
    REQUIRE(pickup);
    CHECK(pickup->state == PickupState::ready);
    CHECK(pickup->code == order.code);
    CHECK(pickup->name == "Aiko Tanaka");
    REQUIRE(pickup->items.size() == 2);
    CHECK(pickup->items[0].copies_done == 2);
    CHECK(hub.venue_state(reorder.id) == hub::venue::VenueState::ready);

    // Its report of the prints is acknowledged by the hub: nothing more to send.
    REQUIRE(run_until(loop, [&] { return !booth->venue_prints().next_report(); }));

    // The booth's ACK of the venue print is lost (the hub sends it again after a
    // reconnect), and kioskd restarts: nothing is printed a second time.
    {
        auto venue_db = platform::sqlite::Database::open(rig.work() / "hub" / "venue.db");
        venue_db.execute("UPDATE venue_prints SET state = 'queued' WHERE reorder = ?1", reorder.id);
    }
    booth->disconnect();
    booth.reset();
    REQUIRE(run_until(loop, [&] { return hub.intake().connected_kiosks() == 0; }));
    booth = std::make_unique<Booth>(loop, rig, rig.work() / "booth", identity);
    booth->connect();
    REQUIRE(run_until(
        loop, [&] { return hub.venue_state(reorder.id) == hub::venue::VenueState::delivered; }));
    CHECK(booth->pickup(reorder.id)->state == PickupState::ready);
    // A whole heartbeat later (a PING and its PONG), still nothing more.
    loop.run_for(1500ms);
    loop.restart();
    CHECK(booth_prints(rig, reorder.id, 1) == 2);
    CHECK(booth_prints(rig, reorder.id, 2) == 1);

    // The operator hands the prints over: the hub marks the reorder shipped.
    CHECK(booth->venue_prints().mark_picked_up(reorder.id) == kiosk::devices::PickupOutcome::done);
    REQUIRE(run_until(loop,
                      [&] { return hub.state(reorder.id) == settlement::ReorderState::shipped; }));
    CHECK(booth->pickup(reorder.id)->state == PickupState::picked_up);
    CHECK(hub.venue_state(reorder.id) == hub::venue::VenueState::picked_up);
    CHECK_FALSE(booth->venue_prints().next_report());
    CHECK(booth_prints(rig, reorder.id, 1) == 2);
    CHECK(booth_prints(rig, reorder.id, 2) == 1);
    CHECK(rig.prints("booth").size() == 3);
    CHECK(rig.prints("lab").empty());
}

TEST_CASE("a venue print of photos the booth no longer holds is printed from the hub's "
          "copies, resuming a cut download and fetching a damaged one again") {
    testing::PrintRig rig;
    boost::asio::io_context loop;
    Hub hub(loop, rig, rig.work() / "hub");
    const auto identity = hub.enrol("booth-1");
    auto booth = std::make_unique<Booth>(loop, rig, rig.work() / "booth", identity);
    // Three photos of several chunks each (a chunk carries at most 1 MiB - 40 bytes).
    const auto first = booth->take_large_order("first", 2'500'000);
    const auto second = booth->take_large_order("second", 1'200'000);
    const auto third = booth->take_large_order("third", 1'100'000);
    booth->connect();
    REQUIRE(run_until(loop, [&] {
        return booth->outbox().status().pending_orders == 0 &&
               booth->outbox().status().pending_photos == 0;
    }));
    // The booth's journal no longer holds any of them (pruned after the hub confirmed them,
    // or a replaced SD card).
    const auto& photo = first.photos[0].sha256;
    const auto& cut = second.photos[0].sha256;
    const auto& damaged = third.photos[0].sha256;
    booth->lose_photo(photo);
    booth->lose_photo(cut);
    booth->lose_photo(damaged);
    const auto venue_photos = rig.work() / "booth" / "venue-photos";
    const auto hub_bytes = [&](const std::string& sha256) {
        const auto bytes = hub.images().read(sha256);
        REQUIRE(bytes);
        return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    };
    // A download of the second cut short before a restart of kioskd, and a third whose
    // bytes were damaged: the booth resumes the first and fetches the other one again.
    booth->disconnect();
    booth.reset();
    std::filesystem::create_directories(venue_photos);
    std::ofstream(venue_photos / (cut + ".part"), std::ios::binary)
        << hub_bytes(cut).substr(0, 700'000);
    std::ofstream(venue_photos / (damaged + ".part"), std::ios::binary)
        << std::string(1'100'000, 'z');
    booth = std::make_unique<Booth>(loop, rig, rig.work() / "booth", identity);
    booth->connect();

    std::vector<settlement::Reorder> reorders;
    reorders.push_back(
        hub.place_paid_pickup(first.order_id, {{photo, "print-4x6", "4×6", 2, 200}}));
    reorders.push_back(hub.place_paid_pickup(second.order_id, {{cut, "print-4x6", "4×6", 1, 200}}));
    reorders.push_back(
        hub.place_paid_pickup(third.order_id, {{damaged, "print-4x6", "4×6", 1, 200}}));
    for (const auto& reorder : reorders) {
        REQUIRE(hub.release(reorder.id).ok());
    }
    REQUIRE(run_until(loop, [&] {
        return std::all_of(reorders.begin(), reorders.end(), [&](const auto& reorder) {
            return hub.state(reorder.id) == settlement::ReorderState::packed;
        });
    }));
    CHECK(booth_prints(rig, reorders[0].id, 1) == 2);
    CHECK(booth_prints(rig, reorders[1].id, 1) == 1);
    CHECK(booth_prints(rig, reorders[2].id, 1) == 1);
    CHECK(rig.prints("booth").size() == 4);
    CHECK(rig.prints("lab").empty());
    for (const auto& reorder : reorders) {
        CHECK(hub.venue_state(reorder.id) == hub::venue::VenueState::ready);
        CHECK(booth->pickup(reorder.id)->state == PickupState::ready);
    }
    // The booth keeps the hub's copies where venue prints read them, whole and checked.
    for (const auto& sha256 : {photo, cut, damaged}) {
        CHECK(testing::read_bytes(venue_photos / (sha256 + ".jpg")) == hub_bytes(sha256));
        CHECK_FALSE(std::filesystem::exists(venue_photos / (sha256 + ".part")));
    }

    // Once the guest collected it, the hub marks it shipped; nothing printed again.
    CHECK(booth->venue_prints().mark_picked_up(reorders[0].id) ==
          kiosk::devices::PickupOutcome::done);
    REQUIRE(run_until(
        loop, [&] { return hub.state(reorders[0].id) == settlement::ReorderState::shipped; }));
    REQUIRE(run_until(loop, [&] { return !booth->venue_prints().next_report(); }));
    CHECK(rig.prints("booth").size() == 4);
}

TEST_CASE("a venue print of a photo neither the booth nor the hub holds fails with the reason, "
          "and nothing is printed") {
    testing::PrintRig rig;
    boost::asio::io_context loop;
    Hub hub(loop, rig, rig.work() / "hub");
    Booth booth(loop, rig, rig.work() / "booth", hub.enrol("booth-1"));
    const auto order = booth.take_order({"only"});
    booth.connect();
    REQUIRE(run_until(loop, [&] {
        return booth.outbox().status().pending_orders == 0 &&
               booth.outbox().status().pending_photos == 0;
    }));
    const auto& photo = order.photos[0].sha256;
    booth.lose_photo(photo);
    REQUIRE(std::filesystem::remove(hub.images().path_of(photo)));

    const auto reorder =
        hub.place_paid_pickup(order.order_id, {{photo, "print-4x6", "4×6", 1, 200}});
    REQUIRE(hub.release(reorder.id).ok());
    REQUIRE(run_until(
        loop, [&] { return hub.venue_state(reorder.id) == hub::venue::VenueState::failed; }));
    CHECK(hub.venue_reason(reorder.id) ==
          "the booth does not hold photo " + photo +
              ", and the hub cannot send it: the hub does not hold photo " + photo +
              " either: restore it into the hub's image store, or cancel and refund reorder " +
              reorder.id);
    CHECK(hub.state(reorder.id) == settlement::ReorderState::printing);
    const auto pickup = booth.pickup(reorder.id);
    REQUIRE(pickup);
    CHECK(pickup->state == PickupState::failed);
    CHECK(pickup->reason == hub.venue_reason(reorder.id));
    CHECK(booth.venue_prints().mark_picked_up(reorder.id) ==
          kiosk::devices::PickupOutcome::not_ready);
    REQUIRE(run_until(loop, [&] { return !booth.venue_prints().next_report(); }));
    CHECK(rig.prints("booth").empty());
    CHECK(booth.connected());
}

TEST_CASE("kioskd stopping before a venue print came out prints each copy once after its "
          "restart") {
    testing::PrintRig rig;
    boost::asio::io_context loop;
    Hub hub(loop, rig, rig.work() / "hub");
    const auto identity = hub.enrol("booth-1");
    auto booth = std::make_unique<Booth>(loop, rig, rig.work() / "booth", identity);
    const auto order = booth->take_order({"one"});
    booth->connect();
    REQUIRE(run_until(loop, [&] {
        return booth->outbox().status().pending_orders == 0 &&
               booth->outbox().status().pending_photos == 0;
    }));

    // The booth's printer is offline: the venue print is taken but nothing comes out.
    rig.fault("booth", "offline");
    const auto reorder = hub.place_paid_pickup(
        order.order_id, {{order.photos[0].sha256, "print-4x6", "4×6", 3, 200}});
    REQUIRE(hub.release(reorder.id).ok());
    REQUIRE(run_until(
        loop, [&] { return hub.venue_state(reorder.id) == hub::venue::VenueState::delivered; }));
    REQUIRE(booth->pickup(reorder.id)->state == PickupState::printing);

    // kioskd stops (its objects go away) and starts again once the printer is back.
    booth->disconnect();
    booth.reset();
    rig.fault("booth", "clear");
    booth = std::make_unique<Booth>(loop, rig, rig.work() / "booth", identity);
    booth->connect();
    REQUIRE(
        run_until(loop, [&] { return hub.state(reorder.id) == settlement::ReorderState::packed; }));
    CHECK(booth_prints(rig, reorder.id, 1) == 3);
    CHECK(rig.prints("booth").size() == 3);
    CHECK(booth->pickup(reorder.id)->state == PickupState::ready);
}

TEST_CASE("a booth connected at the release gets the venue print at once, not at its next "
          "heartbeat") {
    testing::PrintRig rig;
    boost::asio::io_context loop;
    // Heartbeats longer than the waits below (neither side pings or gives the link up):
    // only the hub's push can bring the venue print in time.
    Hub hub(loop, rig, rig.work() / "hub", std::chrono::seconds(600));
    Booth booth(loop, rig, rig.work() / "booth", hub.enrol("booth-1"));
    const auto order = booth.take_order({"one"});
    booth.connect(std::chrono::seconds(600));
    REQUIRE(run_until(loop, [&] {
        return booth.outbox().status().pending_orders == 0 &&
               booth.outbox().status().pending_photos == 0;
    }));
    const auto reorder = hub.place_paid_pickup(
        order.order_id, {{order.photos[0].sha256, "print-4x6", "4×6", 2, 200}});
    REQUIRE(hub.release(reorder.id).ok());
    REQUIRE(run_until(
        loop, [&] { return hub.state(reorder.id) == settlement::ReorderState::packed; }, 30s));
    CHECK(booth_prints(rig, reorder.id, 1) == 2);
    CHECK(booth.pickup(reorder.id)->state == PickupState::ready);
}

TEST_CASE("a kiosk asking for a photo of no venue print of its own is refused and logged, and "
          "its link stays up") {
    testing::PrintRig rig;
    boost::asio::io_context loop;
    Hub hub(loop, rig, rig.work() / "hub");
    const auto identity = hub.enrol("booth-1");
    Booth booth(loop, rig, rig.work() / "booth", identity);
    Booth other(loop, rig, rig.work() / "other", hub.enrol("booth-2"));
    const auto order = booth.take_order({"mine"});
    const auto foreign = other.take_order({"theirs"});
    booth.connect();
    other.connect();
    REQUIRE(run_until(loop, [&] {
        return booth.outbox().status().pending_photos == 0 &&
               booth.outbox().status().pending_orders == 0 &&
               other.outbox().status().pending_photos == 0 &&
               other.outbox().status().pending_orders == 0;
    }));
    booth.disconnect();
    other.disconnect();
    REQUIRE(run_until(loop, [&] { return hub.intake().connected_kiosks() == 0; }));
    const auto& mine = order.photos[0].sha256;
    const auto& theirs = foreign.photos[0].sha256;
    const auto reorder =
        hub.place_paid_pickup(order.order_id, {{mine, "print-4x6", "4×6", 1, 200}});
    const auto other_reorder =
        hub.place_paid_pickup(foreign.order_id, {{theirs, "print-4x6", "4×6", 1, 200}});
    REQUIRE(hub.release(reorder.id).ok());
    REQUIRE(hub.release(other_reorder.id).ok());

    StderrCapture log(rig.work() / "hub-log.txt");
    HandLink link(loop, identity);
    REQUIRE(link.connected());
    link.send(wire::encode(wire::Hello{wire::protocol_version, "kioskd by hand"}));
    const auto welcome = link.answer();
    REQUIRE(welcome);
    REQUIRE_MESSAGE(welcome->type == wire::FrameType::welcome, welcome->payload_text());

    // Another booth's photo, named under this booth's reorder and under the other booth's.
    const auto hash = *wire::sha256_from_hex(theirs);
    for (const auto& named : {reorder.id, other_reorder.id}) {
        link.send(wire::encode(wire::VenuePhotoWanted{named, hash, 0}));
        const auto answer = link.answer();
        REQUIRE(answer);
        REQUIRE(answer->type == wire::FrameType::venue_photo_unavailable);
        const auto refused = wire::parse_venue_photo_unavailable(answer->payload_text());
        REQUIRE_MESSAGE(refused, refused.error);
        CHECK(refused.value->reason == "photo " + theirs +
                                           " is in no venue print this booth is printing "
                                           "(reorder " +
                                           named + "); the hub sends only those photos");
    }
    // Its own photo comes (the hub holds it); the link is still up.
    link.send(wire::encode(wire::VenuePhotoWanted{reorder.id, *wire::sha256_from_hex(mine), 0}));
    const auto chunk_frame = link.answer();
    REQUIRE(chunk_frame);
    REQUIRE(chunk_frame->type == wire::FrameType::chunk);
    const auto chunk = wire::parse_chunk(chunk_frame->payload);
    REQUIRE(chunk);
    const auto held = hub.images().read(mine);
    REQUIRE(held);
    CHECK(chunk.value->data.size() == held->size());
    CHECK(std::equal(chunk.value->data.begin(), chunk.value->data.end(), held->begin()));
    link.send(wire::encode_ping(wire::Ping{7}));
    const auto pong = link.answer();
    REQUIRE(pong);
    CHECK(pong->type == wire::FrameType::pong);

    // A malformed request ends only that connection, with the reason.
    link.send(
        wire::encode_frame(wire::FrameType::venue_photo_wanted,
                           R"({"reorder":")" + reorder.id + R"(","sha256":"../x","offset":0})"));
    const auto error = link.answer();
    REQUIRE(error);
    REQUIRE(error->type == wire::FrameType::error);
    CHECK(wire::parse_error(error->payload_text()).value->message ==
          "VENUE_PHOTO_WANTED: field \"sha256\" must be 64 lowercase hex digits");
    CHECK_FALSE(link.receive());
    const auto logged = log.text();
    CHECK(logged.find("kiosk 'booth-1' asked for photo " + theirs + " of reorder " + reorder.id +
                      ", which is in no venue print it is printing; refused") != std::string::npos);

    // The hub goes on serving: the booth gets its venue print and prints it.
    booth.connect();
    REQUIRE(
        run_until(loop, [&] { return hub.state(reorder.id) == settlement::ReorderState::packed; }));
    CHECK(booth_prints(rig, reorder.id, 1) == 1);
    CHECK(rig.prints("booth").size() == 1);
}

TEST_CASE("a link cut in the middle of a venue photo resumes from the bytes the booth holds, and "
          "the photo prints once") {
    testing::PrintRig rig;
    boost::asio::io_context loop;
    Hub hub(loop, rig, rig.work() / "hub");
    testing::FaultProxy proxy(hub.intake().local_endpoint().port);
    auto identity = hub.enrol("booth-1");
    identity.link.port = proxy.port(); // the booth reaches the hub through the proxy
    Booth booth(loop, rig, rig.work() / "booth", identity);
    const auto order = booth.take_large_order("large", 2'500'000);
    booth.connect();
    REQUIRE(run_until(loop, [&] {
        return booth.outbox().status().pending_orders == 0 &&
               booth.outbox().status().pending_photos == 0;
    }));
    booth.disconnect();
    REQUIRE(run_until(loop, [&] { return hub.intake().connected_kiosks() == 0; }));
    const auto& photo = order.photos[0].sha256;
    booth.lose_photo(photo);
    const auto reorder =
        hub.place_paid_pickup(order.order_id, {{photo, "print-4x6", "4×6", 1, 200}});
    REQUIRE(hub.release(reorder.id).ok());

    // The next connection is cut once 1.5 MB went through: inside the photo's second chunk.
    proxy.command("cut-after 1500000");
    StderrCapture log(rig.work() / "hub-log.txt");
    booth.connect();
    REQUIRE(
        run_until(loop, [&] { return hub.state(reorder.id) == settlement::ReorderState::packed; }));
    const auto logged = log.text();
    CHECK(proxy.status()["cuts"].get<std::uint64_t>() == 1);
    // The hub sent the photo from byte 0 once: after the cut the booth asked from where it was.
    const auto sent_from_start = "sending photo " + photo + " of reorder " + reorder.id;
    const auto first = logged.find(sent_from_start);
    CHECK(first != std::string::npos);
    CHECK(logged.find(sent_from_start, first + 1) == std::string::npos);
    CHECK(booth_prints(rig, reorder.id, 1) == 1);
    CHECK(rig.prints("booth").size() == 1);
    const auto held = hub.images().read(photo);
    REQUIRE(held);
    CHECK(testing::read_bytes(rig.work() / "booth" / "venue-photos" / (photo + ".jpg")) ==
          std::string(reinterpret_cast<const char*>(held->data()), held->size()));
}
