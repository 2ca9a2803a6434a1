#pragma once

#include "kiosk/uplink/identity.hpp"
#include "platform/wire/messages.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace encore::swarm {

// The bytes every simulated photo is cut from: random, shared read-only by all kiosks.
// Photo i is a 16-byte stamp (kiosk, photo, run) followed by a slice of the pool at an
// offset of its own, so every photo is distinct without holding them all in memory.
class PhotoPool {
public:
    PhotoPool(std::size_t photo_bytes, std::uint64_t seed);

    std::size_t photo_bytes() const { return photo_bytes_; }
    // Writes photo (`kiosk`, `photo`) into `out` (photo_bytes() long).
    void fill(std::uint32_t kiosk, std::uint32_t photo, std::span<std::byte> out) const;
    platform::wire::Sha256 sha256_of(std::uint32_t kiosk, std::uint32_t photo) const;

private:
    static constexpr std::size_t stamp_bytes = 16;
    std::size_t slice_offset(std::uint32_t kiosk, std::uint32_t photo) const;
    std::array<std::byte, stamp_bytes> stamp(std::uint32_t kiosk, std::uint32_t photo) const;

    std::size_t photo_bytes_;
    std::uint64_t seed_;
    std::vector<std::byte> random_;
};

struct SwarmPlan {
    std::uint32_t photos_per_order = 3;
    // As kioskd's uplink sends them (UplinkSettings::chunk_bytes).
    std::size_t chunk_bytes = 512 * 1024;
    std::chrono::seconds reply_timeout{60};
};

// One measured phase: photos [first_photo, first_photo + photos) of each kiosk. With an
// interval, photo i of a kiosk starts no earlier than start_delay + i * interval after
// the phase began (booths taking photos at their own pace); without, back to back.
struct Phase {
    std::uint32_t first_photo = 0;
    std::uint32_t photos = 0;
    std::chrono::steady_clock::time_point started;
    std::chrono::microseconds start_delay{0};
    std::chrono::microseconds interval{0};
};

// What one kiosk measured in a phase. Latencies in milliseconds.
struct KioskResult {
    std::vector<double> photo_ack_ms; // last CHUNK written -> ACK read
    std::vector<double> order_ack_ms; // ORDER written -> ACK read
    std::uint64_t photo_bytes_sent = 0;
    std::uint32_t photos_acknowledged = 0;
    std::uint32_t orders_acknowledged = 0;
    std::string error; // empty when every upload was acknowledged
};

// One booth of the swarm: a kiosk-link connection with the booth's own certificate
// (from enrolment), speaking the protocol as kioskd's uplink does: one photo at a time
// (PHOTO_BEGIN, OFFSET, CHUNKs, PHOTO_END, wait for ACK), then the ORDER naming the
// photos (wait for ACK). It does not retry: a benchmark reports a failure instead.
class SimulatedKiosk {
public:
    SimulatedKiosk(boost::asio::io_context& loop, std::uint32_t index,
                   kiosk::KioskIdentity identity);
    ~SimulatedKiosk();
    SimulatedKiosk(const SimulatedKiosk&) = delete;
    SimulatedKiosk& operator=(const SimulatedKiosk&) = delete;

    // Hashes photos [0, count) ahead, as a booth hashes a photo when it is taken, so
    // the measured phases do not include it.
    void prepare(const PhotoPool& pool, std::uint32_t count);
    // TLS handshake with the kiosk's certificate, HELLO, WELCOME. Returns the reason on
    // failure, empty on success.
    boost::asio::awaitable<std::string> connect(std::chrono::seconds timeout);
    // Uploads the phase's photos and their orders into `result`; run after connect()
    // succeeded and prepare() covered the phase. The phase is taken by value: the
    // coroutine starts later, when the caller's copy may be gone.
    boost::asio::awaitable<void> upload(const PhotoPool& pool, const SwarmPlan& plan, Phase phase,
                                        KioskResult& result);
    void close();

    const std::string& name() const;
    // The TLS version and cipher suite the hub negotiated ("TLSv1.3", "TLS_AES_256_...").
    std::string tls_version() const;
    std::string tls_cipher() const;

    struct State;

private:
    std::unique_ptr<State> state_;
};

} // namespace encore::swarm
