#include "ptpip_packet.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>

namespace encore::peers {

namespace asio = boost::asio;

asio::awaitable<std::optional<Packet>> read_packet(asio::ip::tcp::socket& socket,
                                                   std::size_t max_body) {
    std::array<std::uint8_t, ptpip_header_size> header{};
    boost::system::error_code ec;
    co_await asio::async_read(socket, asio::buffer(header),
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        co_return std::nullopt;
    }
    LeReader reader(header);
    const auto length = *reader.u32();
    const auto type = *reader.u32();
    if (length < ptpip_header_size || length - ptpip_header_size > max_body) {
        co_return std::nullopt;
    }
    Packet packet{type, Bytes(length - ptpip_header_size)};
    if (!packet.body.empty()) {
        co_await asio::async_read(socket, asio::buffer(packet.body),
                                  asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            co_return std::nullopt;
        }
    }
    co_return packet;
}

void append_packet(Bytes& out, ptp::PacketType type, std::span<const std::uint8_t> body) {
    LeWriter writer(out);
    writer.u32(static_cast<std::uint32_t>(ptpip_header_size + body.size()));
    writer.u32(static_cast<std::uint32_t>(type));
    writer.bytes(body);
}

void append_response(Bytes& out, std::uint16_t code, std::uint32_t transaction,
                     std::span<const std::uint32_t> params) {
    Bytes body;
    LeWriter writer(body);
    writer.u16(code);
    writer.u32(transaction);
    for (auto param : params) {
        writer.u32(param);
    }
    append_packet(out, ptp::PacketType::OperationResponse, body);
}

void append_start_data(Bytes& out, std::uint32_t transaction, std::uint64_t total) {
    Bytes body;
    LeWriter writer(body);
    writer.u32(transaction);
    writer.u64(total);
    append_packet(out, ptp::PacketType::StartData, body);
}

void append_data_header(Bytes& out, ptp::PacketType type, std::uint32_t transaction,
                        std::size_t payload_size) {
    LeWriter writer(out);
    writer.u32(static_cast<std::uint32_t>(ptpip_header_size + 4 + payload_size));
    writer.u32(static_cast<std::uint32_t>(type));
    writer.u32(transaction);
}

Bytes make_event(std::uint16_t code, std::uint32_t transaction,
                 std::initializer_list<std::uint32_t> params) {
    Bytes body;
    LeWriter writer(body);
    writer.u16(code);
    writer.u32(transaction);
    for (auto param : params) {
        writer.u32(param);
    }
    Bytes packet;
    append_packet(packet, ptp::PacketType::Event, body);
    return packet;
}

Bytes make_init_command_ack(std::uint32_t connection_number, std::string_view name) {
    Bytes body;
    LeWriter writer(body);
    writer.u32(connection_number);
    // A fixed GUID: libgphoto2 stores it but never checks it.
    for (std::uint8_t i = 0; i < 16; ++i) {
        writer.u8(static_cast<std::uint8_t>(0xE0 + i));
    }
    // The name is NUL-terminated UCS-2 without a length prefix.
    for (char c : name) {
        writer.u16(static_cast<std::uint8_t>(c));
    }
    writer.u16(0);
    writer.u32(0x00010000); // Protocol version 1.0.
    Bytes packet;
    append_packet(packet, ptp::PacketType::InitCommandAck, body);
    return packet;
}

} // namespace encore::peers
