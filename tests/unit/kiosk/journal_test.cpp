#include "kiosk/journal/journal.hpp"
#include "platform/crypto/sha256.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <regex>

using encore::kiosk::Journal;
using encore::kiosk::OutboxKind;
using encore::testing::read_text_file;
using encore::testing::TempDir;
using encore::testing::write_text_file;

namespace {

std::vector<std::byte> jpeg_like(std::size_t size, unsigned seed) {
    std::vector<std::byte> bytes(size);
    bytes[0] = std::byte{0xff};
    bytes[1] = std::byte{0xd8};
    for (std::size_t index = 2; index < size; ++index) {
        bytes[index] = static_cast<std::byte>((index * 13 + seed * 101) & 0xff);
    }
    return bytes;
}

} // namespace

TEST_CASE("a photo is saved under its hash and recorded in its session") {
    TempDir dir;
    auto journal = Journal::open(dir.path());
    const auto session = journal->begin_session("gala");
    const auto bytes = jpeg_like(50'000, 1);
    const auto photo = journal->add_photo(session, bytes);
    CHECK(photo.sha256 ==
          encore::platform::crypto::to_hex(encore::platform::crypto::sha256(bytes)));
    CHECK(read_text_file(photo.file) ==
          std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    CHECK(journal->session_photos(session).size() == 1);

    journal->discard_photo(session, photo.sha256);
    CHECK(journal->session_photos(session).empty());
}

TEST_CASE("an order is made once per session and queues its photos before itself") {
    TempDir dir;
    auto journal = Journal::open(dir.path());
    const auto session = journal->begin_session("gala");
    journal->add_photo(session, jpeg_like(1000, 1));
    journal->add_photo(session, jpeg_like(1000, 2));
    const auto order = journal->create_order(session, 2, "grid-2x2-4x6", "https://photos.example");
    CHECK(std::regex_match(order.code, std::regex("[A-Z0-9]{3}-[A-Z0-9]{3}")));
    CHECK(order.token.size() == 22);
    CHECK(order.url == "https://photos.example/o/" + order.token);
    CHECK(order.token_sha256 ==
          encore::platform::crypto::to_hex(encore::platform::crypto::sha256(order.token)));
    CHECK(order.photos.size() == 2);
    CHECK(order.copies == 2);

    // A double tap: the same order comes back, nothing new is queued.
    CHECK(journal->create_order(session, 5, "other", "https://x").order_id == order.order_id);

    const auto outbox = journal->pending_outbox(10);
    REQUIRE(outbox.size() == 3);
    CHECK(outbox[0].kind == OutboxKind::photo);
    CHECK(outbox[1].kind == OutboxKind::photo);
    CHECK(outbox[2].kind == OutboxKind::order);
    CHECK(outbox[2].order_id == order.order_id);

    auto status = journal->outbox_status();
    CHECK(status.pending_photos == 2);
    CHECK(status.pending_orders == 1);
    CHECK_FALSE(status.last_sync);
    for (const auto& item : outbox) {
        journal->mark_sent(item.id);
    }
    status = journal->outbox_status();
    CHECK(status.pending_photos + status.pending_orders == 0);
    CHECK(status.last_sync);
}

TEST_CASE("a session open at a crash is closed at the next start, its photos and order stay") {
    TempDir dir;
    std::string session;
    std::string order_id;
    {
        auto journal = Journal::open(dir.path());
        session = journal->begin_session("gala");
        journal->add_photo(session, jpeg_like(2000, 3));
        order_id = journal->create_order(session, 1, "single-4x6", "http://hub").order_id;
    }
    auto journal = Journal::open(dir.path());
    CHECK(journal->recovery().sessions_closed == 1);
    CHECK(journal->find_order(order_id)->photos.size() == 1);
    CHECK(journal->pending_outbox(10).size() == 2);
    CHECK(journal->integrity_check() == "ok");
}

TEST_CASE("recovery removes half-written files and quarantines orphans and damaged photos") {
    TempDir dir;
    std::string damaged_hash;
    {
        auto journal = Journal::open(dir.path());
        const auto session = journal->begin_session("gala");
        damaged_hash = journal->add_photo(session, jpeg_like(4000, 4)).sha256;
        journal->create_order(session, 1, "single-4x6", "http://hub");
    }
    write_text_file(dir / "photos" / ".abc.jpg.encore-tmp-XXXXXX", "half");
    write_text_file(dir / "photos" / "orphan.jpg", "never recorded");
    write_text_file(dir / "photos" / (damaged_hash + ".jpg"), std::string(4000, 'x'));

    auto journal = Journal::open(dir.path());
    const auto& report = journal->recovery();
    CHECK(report.temp_files_removed == 1);
    CHECK(report.orphan_files_quarantined == 1);
    CHECK(report.damaged_photos_quarantined == 1);
    CHECK(std::filesystem::exists(dir / "quarantine"));
    CHECK_FALSE(std::filesystem::exists(dir / "photos" / "orphan.jpg"));
    CHECK(report.notes.size() == 2);
}

TEST_CASE("a journal that fails its integrity check is set aside, not fatal") {
    TempDir dir;
    {
        auto journal = Journal::open(dir.path());
        journal->begin_session("gala");
    }
    std::filesystem::remove(dir / "journal.db-wal");
    std::filesystem::remove(dir / "journal.db-shm");
    write_text_file(dir / "journal.db", "SQLite format 3" + std::string(8192, '\x7f'));
    auto journal = Journal::open(dir.path());
    CHECK(journal->recovery().database_replaced);
    CHECK(journal->integrity_check() == "ok");
    CHECK_FALSE(journal->recovery().notes.empty());
    CHECK_FALSE(journal->begin_session("gala").empty());
}

TEST_CASE("a retaken photo keeps its slot, so the order lists photos in layout order") {
    TempDir dir;
    auto journal = Journal::open(dir.path());
    const auto session = journal->begin_session("gala");
    std::vector<std::string> hashes;
    for (unsigned shot = 0; shot < 4; ++shot) {
        hashes.push_back(journal->add_photo(session, jpeg_like(1000, 10 + shot)).sha256);
    }
    journal->discard_photo(session, hashes[1]);
    const auto retake = journal->add_photo(session, jpeg_like(1000, 99));
    CHECK(retake.position == 1);
    const auto photos = journal->session_photos(session);
    REQUIRE(photos.size() == 4);
    CHECK(photos[0].sha256 == hashes[0]);
    CHECK(photos[1].sha256 == retake.sha256);
    CHECK(photos[2].sha256 == hashes[2]);
    CHECK(photos[3].sha256 == hashes[3]);
    const auto order = journal->create_order(session, 1, "grid-2x2-4x6", "http://hub");
    CHECK(order.photos[1].sha256 == retake.sha256);
}

TEST_CASE("orders are listed from a moment on, oldest first, with their photos") {
    TempDir dir;
    auto journal = Journal::open(dir.path());
    std::vector<std::string> made;
    for (unsigned index = 0; index < 2; ++index) {
        const auto session = journal->begin_session("gala");
        journal->add_photo(session, jpeg_like(10'000, index));
        made.push_back(journal->create_order(session, 2, "single-4x6", "http://hub").order_id);
    }
    const auto all = journal->orders_since("2000-01-01T00:00:00Z");
    REQUIRE(all.size() == 2);
    CHECK(all[0].order_id == made[0]);
    CHECK(all[1].order_id == made[1]);
    CHECK(all[1].photos.size() == 1);
    CHECK(all[1].copies == 2);
    CHECK(journal->orders_since("2999-01-01T00:00:00Z").empty());
}
