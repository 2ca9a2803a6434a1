#pragma once

#include "kiosk/journal/journal.hpp"
#include "platform/wire/messages.hpp"

#include <optional>

namespace encore::kiosk {

// What the booth still owes the hub, read from the journal in the order it must be
// delivered: each order's photos first, then the order that names them. Items leave
// the outbox only when the hub acknowledged them (durably stored at the hub).
class Outbox {
public:
    explicit Outbox(Journal& journal);

    std::optional<OutboxItem> next();
    // The ORDER message for a journal order (its photos with their sizes).
    platform::wire::Order order_message(const std::string& order_id);
    std::filesystem::path photo_file(const std::string& sha256) const;
    void delivered(const OutboxItem& item);
    OutboxStatus status();

private:
    Journal& journal_;
};

} // namespace encore::kiosk
