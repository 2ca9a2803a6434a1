#include "kiosk/outbox/outbox.hpp"

#include <stdexcept>

namespace encore::kiosk {

Outbox::Outbox(Journal& journal)
    : journal_(journal) {}

std::optional<OutboxItem> Outbox::next() {
    auto items = journal_.pending_outbox(1);
    if (items.empty()) {
        return std::nullopt;
    }
    return items.front();
}

platform::wire::Order Outbox::order_message(const std::string& order_id) {
    const auto order = journal_.find_order(order_id);
    if (!order) {
        throw std::invalid_argument("the journal has no order " + order_id);
    }
    platform::wire::Order message;
    message.order_id = order->order_id;
    message.code = order->code;
    message.token_sha256 = order->token_sha256;
    message.event = order->event;
    message.created_at = order->created_at;
    message.copies = static_cast<std::uint32_t>(order->copies);
    message.layout = order->layout;
    for (const auto& photo : order->photos) {
        message.photos.push_back({*platform::wire::sha256_from_hex(photo.sha256), photo.size});
    }
    return message;
}

std::filesystem::path Outbox::photo_file(const std::string& sha256) const {
    return journal_.photo_path(sha256);
}

void Outbox::delivered(const OutboxItem& item) {
    journal_.mark_sent(item.id);
}

OutboxStatus Outbox::status() {
    return journal_.outbox_status();
}

} // namespace encore::kiosk
