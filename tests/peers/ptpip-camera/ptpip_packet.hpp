#pragma once

// PTP/IP framing: every packet is a 32-bit length (header included), a
// 32-bit type, then a type-specific body, all little-endian.

#include "byte_buffer.hpp"
#include "ptp_codes.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

namespace encore::peers {

inline constexpr std::size_t ptpip_header_size = 8;

struct Packet {
    std::uint32_t type = 0;
    Bytes body; // Everything after the 8-byte header.
};

// Reads one packet. nullopt when the peer closed, the socket failed, or the
// length field is impossible (shorter than a header, or a body larger than
// max_body); the caller then drops the connection.
boost::asio::awaitable<std::optional<Packet>> read_packet(boost::asio::ip::tcp::socket& socket,
                                                          std::size_t max_body);

// Appends a whole packet of the given type and body to out.
void append_packet(Bytes& out, ptp::PacketType type, std::span<const std::uint8_t> body);

// Appends an operation response: code, transaction id, parameters.
void append_response(Bytes& out, std::uint16_t code, std::uint32_t transaction,
                     std::span<const std::uint32_t> params = {});

// Appends the Start Data packet announcing total bytes for a transaction.
void append_start_data(Bytes& out, std::uint32_t transaction, std::uint64_t total);

// Appends only the header and transaction id of a Data or End Data packet
// whose payload of payload_size bytes the caller sends right after it.
void append_data_header(Bytes& out, ptp::PacketType type, std::uint32_t transaction,
                        std::size_t payload_size);

// An event packet: code, transaction id, parameters.
Bytes make_event(std::uint16_t code, std::uint32_t transaction,
                 std::initializer_list<std::uint32_t> params);

// The InitCommandAck: connection number, camera GUID, camera name, version.
Bytes make_init_command_ack(std::uint32_t connection_number, std::string_view name);

} // namespace encore::peers
