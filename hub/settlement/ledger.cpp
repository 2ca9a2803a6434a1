#include "hub/settlement/ledger.hpp"

#include "hub/settlement/vouchers.hpp"
#include "platform/crypto/random.hpp"
#include "platform/sqlite/database.hpp"

#include <algorithm>
#include <array>
#include <chrono>

namespace encore::hub::settlement {
namespace {

namespace sqlite = platform::sqlite;

constexpr std::array<sqlite::Migration, 5> migrations = {{
    {1, "settlement ledger", R"sql(
        CREATE TABLE reorders (
            id              TEXT PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            order_id        TEXT NOT NULL,
            state           TEXT NOT NULL,
            currency        TEXT NOT NULL,
            total           INTEGER NOT NULL CHECK (total >= 0),
            delivery        TEXT NOT NULL,
            ship_name       TEXT NOT NULL,
            ship_street     TEXT NOT NULL,
            ship_postal     TEXT NOT NULL,
            ship_city       TEXT NOT NULL,
            ship_country    TEXT NOT NULL,
            created_at      INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL
        );
        CREATE INDEX reorders_by_order ON reorders(order_id);
        CREATE TABLE reorder_lines (
            reorder_id    TEXT NOT NULL REFERENCES reorders(id),
            position      INTEGER NOT NULL,
            photo_sha256  TEXT NOT NULL,
            product_id    TEXT NOT NULL,
            product_label TEXT NOT NULL,
            quantity      INTEGER NOT NULL CHECK (quantity > 0),
            unit_price    INTEGER NOT NULL CHECK (unit_price >= 0),
            PRIMARY KEY (reorder_id, position)
        );
        CREATE TABLE checkouts (
            idempotency_key TEXT PRIMARY KEY,
            reorder_id      TEXT NOT NULL REFERENCES reorders(id),
            provider        TEXT NOT NULL,
            amount          INTEGER NOT NULL,
            currency        TEXT NOT NULL,
            state           TEXT NOT NULL,
            checkout_id     TEXT UNIQUE,
            url             TEXT,
            created_at      INTEGER NOT NULL
        );
        CREATE INDEX checkouts_by_reorder ON checkouts(reorder_id);
        CREATE TABLE charges (
            charge_id   TEXT PRIMARY KEY,
            reorder_id  TEXT NOT NULL REFERENCES reorders(id),
            checkout_id TEXT NOT NULL UNIQUE,
            amount      INTEGER NOT NULL CHECK (amount > 0),
            currency    TEXT NOT NULL,
            event_id    TEXT NOT NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE TABLE refunds (
            idempotency_key TEXT PRIMARY KEY,
            reorder_id      TEXT NOT NULL REFERENCES reorders(id),
            amount          INTEGER NOT NULL CHECK (amount > 0),
            created_at      INTEGER NOT NULL
        );
        CREATE TABLE webhook_events (
            event_id   TEXT PRIMARY KEY,
            type       TEXT NOT NULL,
            applied_at INTEGER NOT NULL
        );
    )sql"},
    {2, "shipments", R"sql(
        ALTER TABLE reorders ADD COLUMN carrier TEXT NOT NULL DEFAULT '';
        ALTER TABLE reorders ADD COLUMN tracking TEXT NOT NULL DEFAULT '';
    )sql"},
    {3, "counter payments, provider refunds, cancellation", R"sql(
        ALTER TABLE charges ADD COLUMN method TEXT NOT NULL DEFAULT '';
        ALTER TABLE charges ADD COLUMN reference TEXT NOT NULL DEFAULT '';
        CREATE INDEX charges_by_reorder ON charges(reorder_id);
        ALTER TABLE refunds ADD COLUMN charge_id TEXT NOT NULL DEFAULT '';
        ALTER TABLE refunds ADD COLUMN provider TEXT NOT NULL DEFAULT '';
        ALTER TABLE refunds ADD COLUMN currency TEXT NOT NULL DEFAULT '';
        ALTER TABLE refunds ADD COLUMN state TEXT NOT NULL DEFAULT 'succeeded';
        ALTER TABLE refunds ADD COLUMN reason TEXT NOT NULL DEFAULT '';
        ALTER TABLE refunds ADD COLUMN provider_refund_id TEXT NOT NULL DEFAULT '';
        CREATE INDEX refunds_by_reorder ON refunds(reorder_id);
        CREATE INDEX refunds_by_charge ON refunds(charge_id);
        ALTER TABLE reorders ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
    )sql"},
    {4, "issued vouchers", R"sql(
        CREATE TABLE vouchers (
            code        TEXT PRIMARY KEY,
            value       INTEGER NOT NULL CHECK (value > 0),
            currency    TEXT NOT NULL,
            event       TEXT NOT NULL DEFAULT '',
            issued_at   INTEGER NOT NULL,
            expires_on  TEXT NOT NULL DEFAULT '',
            expires_at  INTEGER,
            voided      INTEGER NOT NULL DEFAULT 0,
            void_reason TEXT NOT NULL DEFAULT '',
            voided_at   INTEGER,
            note        TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX charges_by_reference ON charges(reference);
    )sql"},
    {5, "shipping cost of a reorder", R"sql(
        ALTER TABLE reorders ADD COLUMN shipping INTEGER NOT NULL DEFAULT 0 CHECK (shipping >= 0);
    )sql"},
}};

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string_view to_string(CheckoutState state) {
    switch (state) {
    case CheckoutState::creating:
        return "creating";
    case CheckoutState::open:
        return "open";
    case CheckoutState::completed:
        return "completed";
    case CheckoutState::declined:
        return "declined";
    }
    return "creating";
}

CheckoutState parse_checkout_state(std::string_view text) {
    for (const auto state : {CheckoutState::creating, CheckoutState::open, CheckoutState::completed,
                             CheckoutState::declined}) {
        if (to_string(state) == text) {
            return state;
        }
    }
    return CheckoutState::creating;
}

constexpr std::string_view checkout_columns =
    "idempotency_key, reorder_id, provider, amount, currency, state, checkout_id, url";

CheckoutAttempt read_checkout(sqlite::Statement& row) {
    CheckoutAttempt attempt;
    attempt.idempotency_key = row.text(0);
    attempt.reorder_id = row.text(1);
    attempt.provider = row.text(2);
    attempt.amount = row.int64(3);
    attempt.currency = row.text(4);
    attempt.state = parse_checkout_state(row.text(5));
    attempt.checkout_id = row.optional_text(6);
    attempt.url = row.optional_text(7);
    return attempt;
}

} // namespace

std::string_view to_string(ReorderState state) {
    switch (state) {
    case ReorderState::unpaid:
        return "unpaid";
    case ReorderState::paid:
        return "paid";
    case ReorderState::printing:
        return "printing";
    case ReorderState::packed:
        return "packed";
    case ReorderState::shipped:
        return "shipped";
    case ReorderState::cancelled:
        return "cancelled";
    }
    return "unpaid";
}

std::optional<ReorderState> parse_reorder_state(std::string_view text) {
    for (const auto state :
         {ReorderState::unpaid, ReorderState::paid, ReorderState::printing, ReorderState::packed,
          ReorderState::shipped, ReorderState::cancelled}) {
        if (to_string(state) == text) {
            return state;
        }
    }
    return std::nullopt;
}

std::string_view to_string(RefundState state) {
    switch (state) {
    case RefundState::pending:
        return "pending";
    case RefundState::succeeded:
        return "succeeded";
    case RefundState::failed:
        return "failed";
    }
    return "pending";
}

std::string_view to_string(VoucherState state) {
    switch (state) {
    case VoucherState::open:
        return "open";
    case VoucherState::redeemed:
        return "redeemed";
    case VoucherState::voided:
        return "voided";
    case VoucherState::expired:
        return "expired";
    }
    return "open";
}

std::optional<VoucherState> parse_voucher_state(std::string_view text) {
    for (const auto state : {VoucherState::open, VoucherState::redeemed, VoucherState::voided,
                             VoucherState::expired}) {
        if (to_string(state) == text) {
            return state;
        }
    }
    return std::nullopt;
}

std::string_view to_string(EventOutcome outcome) {
    switch (outcome) {
    case EventOutcome::applied:
        return "applied";
    case EventOutcome::duplicate:
        return "already applied";
    case EventOutcome::unknown_type:
        return "unknown event type";
    case EventOutcome::unknown_checkout:
        return "unknown checkout";
    case EventOutcome::amount_mismatch:
        return "amount or currency does not match the checkout";
    }
    return "unknown";
}

struct Ledger::Database {
    sqlite::Database db;

    std::optional<Reorder> reorder_where(std::string_view condition, const std::string& value) {
        std::string sql = "SELECT id, order_id, state, currency, total, delivery, ship_name, "
                          "ship_street, ship_postal, ship_city, ship_country, created_at, "
                          "(SELECT COALESCE(SUM(amount), 0) FROM charges c WHERE c.reorder_id = "
                          "reorders.id), (SELECT COALESCE(SUM(amount), 0) FROM refunds f WHERE "
                          "f.reorder_id = reorders.id AND f.state = 'succeeded'), carrier, "
                          "tracking, (SELECT COALESCE(SUM(amount), 0) FROM refunds p WHERE "
                          "p.reorder_id = reorders.id AND p.state = 'pending'), state = 'unpaid' "
                          "AND EXISTS (SELECT 1 FROM checkouts k WHERE k.reorder_id = reorders.id "
                          "AND k.provider = 'counter' AND k.state IN ('creating', 'open')), "
                          "cancel_reason, shipping FROM reorders WHERE ";
        sql += condition;
        auto row = db.prepare(sql);
        row.bind_all(value);
        if (!row.step()) {
            return std::nullopt;
        }
        Reorder reorder;
        reorder.id = row.text(0);
        reorder.order_id = row.text(1);
        reorder.state = parse_reorder_state(row.text(2)).value_or(ReorderState::unpaid);
        reorder.currency = row.text(3);
        reorder.total = row.int64(4);
        reorder.delivery.method =
            row.text(5) == "pickup" ? DeliveryMethod::pickup : DeliveryMethod::ship;
        reorder.delivery.name = row.text(6);
        reorder.delivery.street = row.text(7);
        reorder.delivery.postal_code = row.text(8);
        reorder.delivery.city = row.text(9);
        reorder.delivery.country = row.text(10);
        reorder.created_at = row.int64(11);
        reorder.charged = row.int64(12);
        reorder.refunded = row.int64(13);
        reorder.carrier = row.text(14);
        reorder.tracking = row.text(15);
        reorder.refunding = row.int64(16);
        reorder.awaiting_counter = row.int64(17) != 0;
        reorder.cancel_reason = row.text(18);
        reorder.shipping = row.int64(19);
        auto lines = db.prepare("SELECT photo_sha256, product_id, product_label, quantity, "
                                "unit_price FROM reorder_lines WHERE reorder_id = ?1 "
                                "ORDER BY position");
        lines.bind_all(reorder.id);
        while (lines.step()) {
            reorder.lines.push_back({lines.text(0), lines.text(1), lines.text(2),
                                     static_cast<int>(lines.int64(3)), lines.int64(4)});
        }
        return reorder;
    }

    // The reorders whose ids the statement's first column lists, in its order.
    std::vector<Reorder> reorders_listed(sqlite::Statement rows) {
        std::vector<std::string> ids;
        while (rows.step()) {
            ids.push_back(rows.text(0));
        }
        std::vector<Reorder> reorders;
        for (const auto& id : ids) {
            if (auto reorder = reorder_where("id = ?1", id)) {
                reorders.push_back(std::move(*reorder));
            }
        }
        return reorders;
    }

    std::vector<RefundRecord> refunds_where(std::string_view condition, const std::string& value) {
        std::string sql = "SELECT idempotency_key, reorder_id, charge_id, provider, amount, "
                          "currency, state, reason, provider_refund_id FROM refunds WHERE ";
        sql += condition;
        sql += " ORDER BY created_at, rowid";
        auto rows = db.prepare(sql);
        if (!value.empty()) {
            rows.bind_all(value);
        }
        std::vector<RefundRecord> refunds;
        while (rows.step()) {
            RefundRecord refund;
            refund.idempotency_key = rows.text(0);
            refund.reorder_id = rows.text(1);
            refund.charge_id = rows.text(2);
            refund.provider = rows.text(3);
            refund.amount = rows.int64(4);
            refund.currency = rows.text(5);
            const auto state = rows.text(6);
            refund.state = state == "pending"     ? RefundState::pending
                           : state == "succeeded" ? RefundState::succeeded
                                                  : RefundState::failed;
            refund.reason = rows.text(7);
            refund.provider_refund_id = rows.text(8);
            refunds.push_back(std::move(refund));
        }
        return refunds;
    }

    // The refunds stored under `key` (and `key#2`, ... when it drew on several charges).
    std::vector<RefundRecord> refunds_of_key(const std::string& key) {
        return refunds_where("idempotency_key = ?1 OR substr(idempotency_key, 1, length(?1) + "
                             "1) = ?1 || '#'",
                             key);
    }

    struct ChargeLeft {
        std::string charge_id;
        std::string provider;
        std::string currency;
        std::int64_t left = 0;
    };

    // Each charge of the reorder with what is left of it after refunds that did not fail.
    std::vector<ChargeLeft> charges_left(const std::string& reorder_id) {
        auto rows = db.prepare(
            "SELECT c.charge_id, COALESCE(k.provider, ''), c.currency, c.amount - "
            "(SELECT COALESCE(SUM(r.amount), 0) FROM refunds r WHERE r.charge_id = c.charge_id "
            "AND r.state != 'failed') FROM charges c LEFT JOIN checkouts k ON k.checkout_id = "
            "c.checkout_id WHERE c.reorder_id = ?1 ORDER BY c.created_at, c.rowid");
        rows.bind_all(reorder_id);
        std::vector<ChargeLeft> charges;
        while (rows.step()) {
            charges.push_back({rows.text(0), rows.text(1), rows.text(2), rows.int64(3)});
        }
        return charges;
    }

    // Inside a transaction: stores refunds of `amount` drawn on the reorder's charges in
    // order, or nothing when more than is left.
    RefundOutcome insert_refunds(const std::string& key, const Reorder& reorder,
                                 std::int64_t amount, const std::string& reason, RefundState state,
                                 std::vector<RefundRecord>& stored) {
        if (amount <= 0) {
            return RefundOutcome::invalid;
        }
        // Refunds not failed, pending ones included: two refunds asked at once cannot
        // both draw on the same money.
        if (reorder.refunded + reorder.refunding + amount > reorder.charged) {
            return RefundOutcome::exceeds_charged;
        }
        const auto now = now_seconds();
        auto remaining = amount;
        int part = 0;
        for (const auto& charge : charges_left(reorder.id)) {
            if (remaining == 0) {
                break;
            }
            const auto take = std::min(remaining, charge.left);
            if (take <= 0) {
                continue;
            }
            RefundRecord refund;
            refund.idempotency_key = ++part == 1 ? key : key + "#" + std::to_string(part);
            refund.reorder_id = reorder.id;
            refund.charge_id = charge.charge_id;
            refund.provider = charge.provider;
            refund.amount = take;
            refund.currency = charge.currency;
            refund.state = state;
            refund.reason = reason;
            refund.provider_refund_id = state == RefundState::succeeded ? "recorded" : "";
            insert_refund(refund, now);
            stored.push_back(refund);
            remaining -= take;
        }
        if (remaining > 0) {
            // Refunds recorded before refunds named their charge: the total allowed it,
            // the charges do not.
            return RefundOutcome::exceeds_charged;
        }
        return RefundOutcome::recorded;
    }

    void insert_refund(const RefundRecord& refund, std::int64_t now) {
        db.execute("INSERT INTO refunds (idempotency_key, reorder_id, amount, created_at, "
                   "charge_id, provider, currency, state, reason, provider_refund_id) VALUES "
                   "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                   refund.idempotency_key, refund.reorder_id, refund.amount, now, refund.charge_id,
                   refund.provider, refund.currency, std::string(to_string(refund.state)),
                   refund.reason, refund.provider_refund_id);
    }

    // The reorder a voucher's charge paid, while that charge is not refunded in full.
    std::optional<std::string> redeemed_by(const std::string& code) {
        auto row = db.prepare(
            "SELECT c.reorder_id FROM charges c WHERE c.reference = ?1 AND c.method = 'voucher' "
            "AND c.amount > (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r WHERE r.charge_id = "
            "c.charge_id AND r.state != 'failed') ORDER BY c.created_at, c.rowid LIMIT 1");
        row.bind_all(code);
        if (!row.step()) {
            return std::nullopt;
        }
        return row.text(0);
    }

    std::vector<Voucher> vouchers_where(std::string_view condition, const std::string& value) {
        std::string sql = "SELECT code, value, currency, event, issued_at, expires_on, expires_at, "
                          "voided, void_reason, note FROM vouchers";
        sql += condition;
        sql += " ORDER BY issued_at, rowid";
        auto rows = db.prepare(sql);
        if (!value.empty()) {
            rows.bind_all(value);
        }
        std::vector<Voucher> found;
        const auto now = now_seconds();
        while (rows.step()) {
            Voucher voucher;
            voucher.code = rows.text(0);
            voucher.value = rows.int64(1);
            voucher.currency = rows.text(2);
            voucher.event = rows.text(3);
            voucher.issued_at = rows.int64(4);
            voucher.expires_on = rows.text(5);
            voucher.expires_at = rows.optional_int64(6);
            voucher.voided = rows.int64(7) != 0;
            voucher.void_reason = rows.text(8);
            voucher.note = rows.text(9);
            found.push_back(std::move(voucher));
        }
        for (auto& voucher : found) {
            voucher.redeemed_by = redeemed_by(voucher.code).value_or("");
            voucher.state = !voucher.redeemed_by.empty() ? VoucherState::redeemed
                            : voucher.voided             ? VoucherState::voided
                            : voucher.expires_at && now >= *voucher.expires_at
                                ? VoucherState::expired
                                : VoucherState::open;
        }
        return found;
    }

    std::optional<Voucher> voucher(std::string_view typed) {
        const auto code = normalize_voucher_code(typed);
        if (!code) {
            return std::nullopt;
        }
        auto found = vouchers_where(" WHERE code = ?1", *code);
        if (found.empty()) {
            return std::nullopt;
        }
        return std::move(found.front());
    }

    VoucherCheck check_voucher(const VoucherUse& use) {
        VoucherCheck check;
        check.voucher = voucher(use.code);
        if (!check.voucher) {
            check.problem = VoucherProblem::unknown;
            return check;
        }
        const auto& voucher = *check.voucher;
        check.problem = voucher.state == VoucherState::voided     ? VoucherProblem::voided
                        : voucher.state == VoucherState::redeemed ? VoucherProblem::redeemed
                        : voucher.state == VoucherState::expired  ? VoucherProblem::expired
                        : !voucher.event.empty() && voucher.event != use.event
                            ? VoucherProblem::other_event
                        : voucher.currency != use.currency ? VoucherProblem::other_currency
                        : voucher.value < use.amount       ? VoucherProblem::too_little
                                                           : VoucherProblem::none;
        return check;
    }

    bool event_applied(const std::string& event_id) {
        auto seen = db.prepare("SELECT 1 FROM webhook_events WHERE event_id = ?1");
        seen.bind_all(event_id);
        return seen.step();
    }

    // Inside a transaction: the body of Ledger::apply_event. Changes nothing unless it
    // returns applied.
    EventOutcome apply(const PaymentEvent& event, std::optional<RefundRecord>* refund_due,
                       const CounterPayment& counter) {
        const bool completed = event.type == "checkout.completed";
        if (event_applied(event.id)) {
            return EventOutcome::duplicate;
        }
        const auto checkout = checkout_where("checkout_id = ?1", event.checkout_id);
        if (!checkout) {
            return EventOutcome::unknown_checkout;
        }
        if (completed && (event.amount != checkout->amount ||
                          event.currency != checkout->currency || event.charge_id.empty())) {
            return EventOutcome::amount_mismatch;
        }
        const auto now = now_seconds();
        // The primary key is the last word on "once": a second writer that got past the
        // check above (it cannot, under BEGIN IMMEDIATE) would fail here and roll back.
        db.execute("INSERT INTO webhook_events (event_id, type, applied_at) VALUES (?1, ?2, ?3)",
                   event.id, event.type, now);
        if (completed) {
            // A provider may announce the same payment under two event ids: the checkout
            // holds at most one charge.
            db.execute("INSERT INTO charges (charge_id, reorder_id, checkout_id, amount, "
                       "currency, event_id, created_at, method, reference) VALUES (?1, ?2, ?3, "
                       "?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
                       event.charge_id, checkout->reorder_id, event.checkout_id, event.amount,
                       event.currency, event.id, now, counter.method, counter.reference);
            const bool charged = db.changes() == 1;
            db.execute("UPDATE checkouts SET state = 'completed' WHERE checkout_id = ?1",
                       event.checkout_id);
            const auto reorder = reorder_where("id = ?1", checkout->reorder_id);
            if (charged && reorder && reorder->state != ReorderState::unpaid) {
                // Paid twice (two tabs, the counter and online), or paid after it was
                // cancelled: the money was taken, so it is recorded, and all of it goes
                // back.
                RefundRecord refund;
                refund.idempotency_key = "duplicate-" + event.charge_id;
                refund.reorder_id = reorder->id;
                refund.charge_id = event.charge_id;
                refund.provider = checkout->provider;
                refund.amount = event.amount;
                refund.currency = event.currency;
                refund.reason = reorder->state == ReorderState::cancelled
                                    ? "paid after the reorder was cancelled"
                                    : "paid twice: the reorder was paid already (it is " +
                                          std::string(to_string(reorder->state)) + ")";
                insert_refund(refund, now);
                if (refund_due != nullptr) {
                    *refund_due = refund;
                }
            }
            db.execute("UPDATE reorders SET state = 'paid', updated_at = ?2 "
                       "WHERE id = ?1 AND state = 'unpaid'",
                       checkout->reorder_id, now);
        } else {
            db.execute("UPDATE checkouts SET state = 'declined' "
                       "WHERE checkout_id = ?1 AND state IN ('creating', 'open')",
                       event.checkout_id);
        }
        return EventOutcome::applied;
    }

    std::optional<CheckoutAttempt> checkout_where(std::string_view condition,
                                                  const std::string& value) {
        std::string sql = "SELECT ";
        sql += checkout_columns;
        sql += " FROM checkouts WHERE ";
        sql += condition;
        auto row = db.prepare(sql);
        row.bind_all(value);
        if (!row.step()) {
            return std::nullopt;
        }
        return read_checkout(row);
    }
};

Ledger::Ledger(const std::filesystem::path& file)
    : db_(std::make_unique<Database>(Database{sqlite::Database::open(file)})) {
    sqlite::apply_migrations(db_->db, migrations);
}

Ledger::~Ledger() = default;

Reorder Ledger::place_reorder(const NewReorder& reorder) {
    sqlite::Transaction transaction(db_->db);
    if (auto existing = db_->reorder_where("idempotency_key = ?1", reorder.idempotency_key)) {
        return *existing;
    }
    const auto& delivery = reorder.delivery;
    const std::int64_t shipping =
        delivery.method == DeliveryMethod::pickup ? 0 : std::max<std::int64_t>(reorder.shipping, 0);
    std::int64_t total = shipping;
    for (const auto& line : reorder.lines) {
        total += line.unit_price * line.quantity;
    }
    const auto id = platform::crypto::random_uuid();
    const auto now = now_seconds();
    db_->db.execute(
        "INSERT INTO reorders (id, idempotency_key, order_id, state, currency, total, delivery, "
        "ship_name, ship_street, ship_postal, ship_city, ship_country, created_at, updated_at, "
        "shipping) VALUES (?1, ?2, ?3, 'unpaid', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)",
        id, reorder.idempotency_key, reorder.order_id, reorder.currency, total,
        delivery.method == DeliveryMethod::pickup ? "pickup" : "ship", delivery.name,
        delivery.street, delivery.postal_code, delivery.city, delivery.country, now, shipping);
    int position = 0;
    for (const auto& line : reorder.lines) {
        db_->db.execute("INSERT INTO reorder_lines (reorder_id, position, photo_sha256, "
                        "product_id, product_label, quantity, unit_price) VALUES (?1, ?2, ?3, ?4, "
                        "?5, ?6, ?7)",
                        id, position++, line.photo_sha256, line.product_id, line.product_label,
                        line.quantity, line.unit_price);
    }
    auto placed = db_->reorder_where("id = ?1", id);
    transaction.commit();
    return *placed;
}

std::optional<Reorder> Ledger::find_reorder(const std::string& reorder_id) {
    return db_->reorder_where("id = ?1", reorder_id);
}

std::optional<Reorder> Ledger::find_reorder_by_key(const std::string& idempotency_key) {
    return db_->reorder_where("idempotency_key = ?1", idempotency_key);
}

std::vector<Reorder> Ledger::reorders_of_order(const std::string& order_id) {
    auto rows = db_->db.prepare(
        "SELECT id FROM reorders WHERE order_id = ?1 ORDER BY created_at DESC, rowid DESC");
    rows.bind_all(order_id);
    return db_->reorders_listed(std::move(rows));
}

std::uint64_t Ledger::content_version() {
    return db_->db.own_changes();
}

std::vector<Reorder> Ledger::reorders_in_state(ReorderState state) {
    auto rows =
        db_->db.prepare("SELECT id FROM reorders WHERE state = ?1 ORDER BY updated_at, rowid");
    rows.bind_all(std::string(to_string(state)));
    return db_->reorders_listed(std::move(rows));
}

bool Ledger::advance(const std::string& reorder_id, ReorderState from, ReorderState to) {
    sqlite::Transaction transaction(db_->db);
    auto moved = db_->db.prepare(
        "UPDATE reorders SET state = ?3, updated_at = ?4 WHERE id = ?1 AND state = ?2 "
        "RETURNING id");
    moved.bind_all(reorder_id, std::string(to_string(from)), std::string(to_string(to)),
                   now_seconds());
    const bool changed = moved.step();
    moved.reset();
    transaction.commit();
    return changed;
}

bool Ledger::mark_shipped(const std::string& reorder_id, const std::string& carrier,
                          const std::string& tracking) {
    sqlite::Transaction transaction(db_->db);
    auto moved = db_->db.prepare(
        "UPDATE reorders SET state = 'shipped', carrier = ?2, tracking = ?3, updated_at = ?4 "
        "WHERE id = ?1 AND state IN ('printing', 'packed') RETURNING id");
    moved.bind_all(reorder_id, carrier, tracking, now_seconds());
    const bool changed = moved.step();
    moved.reset();
    transaction.commit();
    return changed;
}

std::optional<CheckoutAttempt> Ledger::begin_checkout(const std::string& reorder_id,
                                                      std::string_view provider) {
    sqlite::Transaction transaction(db_->db);
    const auto reorder = db_->reorder_where("id = ?1", reorder_id);
    if (!reorder || reorder->state != ReorderState::unpaid) {
        return std::nullopt;
    }
    // A guest who presses "pay" twice, or comes back to an unfinished checkout, goes
    // to the same hosted page instead of opening a second one.
    {
        std::string sql = "SELECT ";
        sql += checkout_columns;
        sql += " FROM checkouts WHERE reorder_id = ?1 AND provider = ?2 AND state IN "
               "('creating', 'open') ORDER BY created_at DESC, rowid DESC";
        auto pending = db_->db.prepare(sql);
        pending.bind_all(reorder_id, std::string(provider));
        if (pending.step()) {
            return read_checkout(pending);
        }
    }
    auto count = db_->db.prepare("SELECT COUNT(*) FROM checkouts WHERE reorder_id = ?1");
    count.bind_all(reorder_id);
    count.step();
    CheckoutAttempt attempt;
    attempt.idempotency_key = "checkout-" + reorder_id + "-" + std::to_string(count.int64(0) + 1);
    attempt.reorder_id = reorder_id;
    attempt.provider = std::string(provider);
    attempt.amount = reorder->total;
    attempt.currency = reorder->currency;
    db_->db.execute("INSERT INTO checkouts (idempotency_key, reorder_id, provider, amount, "
                    "currency, state, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'creating', ?6)",
                    attempt.idempotency_key, reorder_id, attempt.provider, attempt.amount,
                    attempt.currency, now_seconds());
    transaction.commit();
    return attempt;
}

void Ledger::record_checkout_opened(const std::string& idempotency_key,
                                    const std::string& checkout_id, const std::string& url) {
    db_->db.execute("UPDATE checkouts SET state = 'open', checkout_id = ?2, url = ?3 "
                    "WHERE idempotency_key = ?1 AND state = 'creating'",
                    idempotency_key, checkout_id, url);
}

std::optional<CheckoutAttempt> Ledger::find_checkout(const std::string& checkout_id) {
    return db_->checkout_where("checkout_id = ?1", checkout_id);
}

EventOutcome Ledger::apply_event(const PaymentEvent& event, std::optional<RefundRecord>* refund_due,
                                 const CounterPayment& counter) {
    if (event.type != "checkout.completed" && event.type != "checkout.declined") {
        return EventOutcome::unknown_type;
    }
    // BEGIN IMMEDIATE: concurrent deliveries of one event queue here, and the first to
    // commit makes every later one see its id.
    sqlite::Transaction transaction(db_->db);
    const auto outcome = db_->apply(event, refund_due, counter);
    if (outcome == EventOutcome::applied) {
        transaction.commit();
    }
    return outcome;
}

RefundOutcome Ledger::record_refund(const std::string& idempotency_key,
                                    const std::string& reorder_id, std::int64_t amount) {
    sqlite::Transaction transaction(db_->db);
    if (!db_->refunds_of_key(idempotency_key).empty()) {
        return RefundOutcome::duplicate;
    }
    const auto reorder = db_->reorder_where("id = ?1", reorder_id);
    if (!reorder) {
        return RefundOutcome::invalid;
    }
    std::vector<RefundRecord> stored;
    const auto outcome =
        db_->insert_refunds(idempotency_key, *reorder, amount, "", RefundState::succeeded, stored);
    if (outcome == RefundOutcome::recorded) {
        transaction.commit();
    }
    return outcome;
}

RefundPlan Ledger::request_refund(const std::string& idempotency_key, const std::string& reorder_id,
                                  std::int64_t amount, const std::string& reason) {
    sqlite::Transaction transaction(db_->db);
    RefundPlan plan;
    plan.refunds = db_->refunds_of_key(idempotency_key);
    if (!plan.refunds.empty()) {
        plan.outcome = RefundOutcome::duplicate;
        return plan;
    }
    const auto reorder = db_->reorder_where("id = ?1", reorder_id);
    if (!reorder) {
        plan.outcome = RefundOutcome::invalid;
        return plan;
    }
    plan.outcome = db_->insert_refunds(idempotency_key, *reorder, amount, reason,
                                       RefundState::pending, plan.refunds);
    if (plan.outcome == RefundOutcome::recorded) {
        transaction.commit();
    } else {
        plan.refunds.clear();
    }
    return plan;
}

void Ledger::finish_refund(const std::string& idempotency_key, RefundState state,
                           const std::string& provider_refund_id) {
    db_->db.execute("UPDATE refunds SET state = ?2, provider_refund_id = ?3 "
                    "WHERE idempotency_key = ?1 AND state = 'pending'",
                    idempotency_key, std::string(to_string(state)), provider_refund_id);
}

std::vector<RefundRecord> Ledger::pending_refunds() {
    return db_->refunds_where("state = 'pending'", {});
}

std::vector<RefundRecord> Ledger::refunds_of(const std::string& reorder_id) {
    return db_->refunds_where("reorder_id = ?1", reorder_id);
}

std::vector<ChargeRecord> Ledger::charges_of(const std::string& reorder_id) {
    auto rows = db_->db.prepare(
        "SELECT c.charge_id, COALESCE(k.provider, ''), c.amount, c.currency, c.method, "
        "c.reference FROM charges c LEFT JOIN checkouts k ON k.checkout_id = c.checkout_id "
        "WHERE c.reorder_id = ?1 ORDER BY c.created_at, c.rowid");
    rows.bind_all(reorder_id);
    std::vector<ChargeRecord> charges;
    while (rows.step()) {
        charges.push_back(
            {rows.text(0), rows.text(1), rows.int64(2), rows.text(3), rows.text(4), rows.text(5)});
    }
    return charges;
}

std::optional<std::string> Ledger::voucher_redeemed_by(const std::string& code) {
    // A voucher whose charge was refunded in full may be used again.
    return db_->redeemed_by(normalize_voucher_code(code).value_or(code));
}

std::vector<Voucher> Ledger::issue_vouchers(const NewVouchers& request) {
    sqlite::Transaction transaction(db_->db);
    const auto now = now_seconds();
    std::vector<std::string> codes;
    while (codes.size() < static_cast<std::size_t>(std::max(request.count, 0))) {
        auto code = new_voucher_code();
        // 55 random bits make a clash all but impossible; should one happen, the code
        // already issued stays as it was and another is drawn.
        db_->db.execute("INSERT INTO vouchers (code, value, currency, event, issued_at, "
                        "expires_on, expires_at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                        "ON CONFLICT DO NOTHING",
                        code, request.value, request.currency, request.event, now,
                        request.expires_on, request.expires_at, request.note);
        if (db_->db.changes() == 1) {
            codes.push_back(std::move(code));
        }
    }
    std::vector<Voucher> issued;
    for (const auto& code : codes) {
        if (auto voucher = db_->voucher(code)) {
            issued.push_back(std::move(*voucher));
        }
    }
    transaction.commit();
    return issued;
}

std::optional<Voucher> Ledger::find_voucher(std::string_view code) {
    return db_->voucher(code);
}

std::vector<Voucher> Ledger::vouchers(std::optional<VoucherState> state) {
    auto all = db_->vouchers_where("", {});
    if (state) {
        std::erase_if(all, [&](const Voucher& voucher) { return voucher.state != *state; });
    }
    return all;
}

VoucherCheck Ledger::check_voucher(const VoucherUse& use) {
    return db_->check_voucher(use);
}

Redemption Ledger::redeem_voucher(const PaymentEvent& event, const VoucherUse& use,
                                  std::optional<RefundRecord>* refund_due) {
    Redemption redemption;
    // BEGIN IMMEDIATE: a second clerk's redemption waits here until the first has
    // committed its charge, and then finds the voucher redeemed.
    sqlite::Transaction transaction(db_->db);
    if (db_->event_applied(event.id)) {
        // This very payment was confirmed before (a form sent twice).
        redemption.check.problem = VoucherProblem::none;
        redemption.check.voucher = db_->voucher(use.code);
        redemption.outcome = EventOutcome::duplicate;
        return redemption;
    }
    redemption.check = db_->check_voucher(use);
    if (redemption.check.problem != VoucherProblem::none) {
        return redemption;
    }
    CounterPayment payment{"voucher", redemption.check.voucher->code};
    redemption.outcome = db_->apply(event, refund_due, payment);
    if (redemption.outcome == EventOutcome::applied) {
        transaction.commit();
    }
    return redemption;
}

VoidResult Ledger::void_voucher(std::string_view code, const std::string& reason) {
    sqlite::Transaction transaction(db_->db);
    VoidResult result;
    result.voucher = db_->voucher(code);
    if (!result.voucher) {
        return result;
    }
    switch (result.voucher->state) {
    case VoucherState::redeemed:
        result.outcome = VoidOutcome::redeemed;
        return result;
    case VoucherState::voided:
        result.outcome = VoidOutcome::already_voided;
        return result;
    case VoucherState::open:
    case VoucherState::expired:
        break;
    }
    db_->db.execute("UPDATE vouchers SET voided = 1, void_reason = ?2, voided_at = ?3 "
                    "WHERE code = ?1",
                    result.voucher->code, reason, now_seconds());
    result.voucher = db_->voucher(result.voucher->code);
    transaction.commit();
    result.outcome = VoidOutcome::voided;
    return result;
}

CancelPlan Ledger::cancel_reorder(const std::string& reorder_id, const std::string& reason) {
    sqlite::Transaction transaction(db_->db);
    CancelPlan plan;
    const auto reorder = db_->reorder_where("id = ?1", reorder_id);
    if (!reorder) {
        return plan;
    }
    plan.state = reorder->state;
    switch (reorder->state) {
    case ReorderState::cancelled:
        plan.outcome = CancelOutcome::already_cancelled;
        plan.refunds = db_->refunds_where("reorder_id = ?1", reorder_id);
        return plan;
    case ReorderState::printing:
    case ReorderState::packed:
    case ReorderState::shipped:
        plan.outcome = CancelOutcome::released;
        return plan;
    case ReorderState::unpaid:
    case ReorderState::paid:
        break;
    }
    const auto now = now_seconds();
    db_->db.execute("UPDATE reorders SET state = 'cancelled', cancel_reason = ?2, updated_at = ?3 "
                    "WHERE id = ?1",
                    reorder_id, reason, now);
    // An unpaid reorder has no charges; a paid one gets back what is left of each.
    for (const auto& charge : db_->charges_left(reorder_id)) {
        if (charge.left <= 0) {
            continue;
        }
        RefundRecord refund;
        refund.idempotency_key = "cancel-" + charge.charge_id;
        refund.reorder_id = reorder_id;
        refund.charge_id = charge.charge_id;
        refund.provider = charge.provider;
        refund.amount = charge.left;
        refund.currency = charge.currency;
        refund.reason = "cancelled at the order desk: " + reason;
        db_->insert_refund(refund, now);
        plan.refunds.push_back(std::move(refund));
    }
    transaction.commit();
    plan.outcome = CancelOutcome::cancelled;
    return plan;
}

std::vector<Reorder> Ledger::reorders_awaiting_counter() {
    return db_->reorders_listed(db_->db.prepare(
        "SELECT id FROM reorders r WHERE state = 'unpaid' AND EXISTS (SELECT 1 FROM checkouts k "
        "WHERE k.reorder_id = r.id AND k.provider = 'counter' AND k.state IN ('creating', "
        "'open')) ORDER BY created_at, rowid"));
}

std::optional<Reorder> Ledger::find_reorder_by_counter_reference(const std::string& reference) {
    std::string digits = reference;
    if (!digits.empty() && (digits.front() == 'C' || digits.front() == 'c')) {
        digits.erase(0, 1);
    }
    if (digits.size() != 8) {
        return std::nullopt;
    }
    for (auto& c : digits) {
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    auto rows = db_->db.prepare("SELECT id FROM reorders WHERE substr(id, 1, 8) = ?1 LIMIT 2");
    rows.bind_all(digits);
    auto found = db_->reorders_listed(std::move(rows));
    if (found.size() != 1) {
        return std::nullopt;
    }
    return std::move(found.front());
}

std::size_t Ledger::count_charges(const std::string& reorder_id) {
    auto row = db_->db.prepare("SELECT COUNT(*) FROM charges WHERE reorder_id = ?1");
    row.bind_all(reorder_id);
    row.step();
    return static_cast<std::size_t>(row.int64(0));
}

std::size_t Ledger::count_applied_events() {
    auto row = db_->db.prepare("SELECT COUNT(*) FROM webhook_events");
    row.step();
    return static_cast<std::size_t>(row.int64(0));
}

} // namespace encore::hub::settlement
