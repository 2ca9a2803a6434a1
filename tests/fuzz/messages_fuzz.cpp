// Runs every JSON message parser of the kiosk link over arbitrary text; a parser may
// refuse the input but must never crash, and anything it accepts must encode again.
#include "platform/wire/messages.hpp"

#include <cstdint>
#include <string_view>

using namespace encore::platform::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto hello = parse_hello(text)) {
        (void)encode(*hello.value);
    }
    if (const auto welcome = parse_welcome(text)) {
        (void)encode(*welcome.value);
    }
    if (const auto order = parse_order(text)) {
        (void)encode(*order.value);
    }
    if (const auto ack = parse_ack(text)) {
        (void)encode(*ack.value);
    }
    if (const auto venue_print = parse_venue_print(text)) {
        (void)encode(*venue_print.value);
    }
    if (const auto wanted = parse_venue_photo_wanted(text)) {
        (void)encode(*wanted.value);
    }
    if (const auto unavailable = parse_venue_photo_unavailable(text)) {
        (void)encode(*unavailable.value);
    }
    (void)parse_photo_begin(text);
    (void)parse_offset(text);
    (void)parse_photo_end(text);
    (void)parse_error(text);
    (void)parse_enrol(text);
    (void)parse_enrolled(text);
    (void)parse_ping(text);
    (void)parse_chunk(std::as_bytes(std::span(data, size)));
    return 0;
}
