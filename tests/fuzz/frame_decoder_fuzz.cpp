// Feeds arbitrary bytes to the kiosk link's frame decoder in uneven pieces, and parses
// every frame it yields with that frame type's parser.
#include "platform/wire/frame.hpp"
#include "platform/wire/messages.hpp"

#include <cstdint>
#include <cstdlib>

using namespace encore::platform::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto bytes = std::as_bytes(std::span(data, size));
    FrameDecoder decoder;
    std::size_t at = 0;
    std::size_t piece = 1;
    while (at < bytes.size()) {
        const auto take = std::min(piece, bytes.size() - at);
        decoder.feed(bytes.subspan(at, take));
        at += take;
        piece = piece * 3 + 1;
        while (auto frame = decoder.next()) {
            if (frame->payload.size() > max_payload_bytes) {
                std::abort();
            }
            if (frame->type == FrameType::chunk) {
                (void)parse_chunk(frame->payload);
            } else {
                (void)parse_order(frame->payload_text());
            }
        }
    }
    return 0;
}
