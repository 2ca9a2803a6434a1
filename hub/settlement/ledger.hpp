#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace encore::hub::settlement {

// Where a reorder stands, as the guest sees it. Only a verified webhook (or a clerk's
// confirmation of a payment at the counter, through the same once-only path) moves a
// reorder from unpaid to paid ("settled"); the order desk and shipping move it on from
// there. Cancelled: at the order desk, before it went to the lab, with its charges
// refunded.
enum class ReorderState { unpaid, paid, printing, packed, shipped, cancelled };

std::string_view to_string(ReorderState state);
std::optional<ReorderState> parse_reorder_state(std::string_view text);

struct ReorderLine {
    // The photo to print (SHA-256 hex of the original).
    std::string photo_sha256;
    std::string product_id;
    std::string product_label;
    int quantity = 0;
    // Minor units, as the price list said when the reorder was placed.
    std::int64_t unit_price = 0;
};

enum class DeliveryMethod { ship, pickup };

struct Delivery {
    DeliveryMethod method = DeliveryMethod::ship;
    // Empty for pickup at the venue.
    std::string name;
    std::string street;
    std::string postal_code;
    std::string city;
    std::string country;
};

struct NewReorder {
    // Chosen by the caller before the first attempt (the checkout form carries one), so
    // a form sent twice places one reorder.
    std::string idempotency_key;
    // The booth order whose photos are reordered.
    std::string order_id;
    std::string currency;
    std::vector<ReorderLine> lines;
    Delivery delivery;
    // Minor units, as the price list said when the reorder was placed; ignored (stored as
    // 0) for pickup at the venue.
    std::int64_t shipping = 0;
};

struct Reorder {
    std::string id;
    std::string order_id;
    ReorderState state = ReorderState::unpaid;
    std::string currency;
    // What the guest pays: the lines' prices and the shipping. Every checkout, voucher,
    // refund limit and cancellation counts against it.
    std::int64_t total = 0;
    std::vector<ReorderLine> lines;
    Delivery delivery;
    // The shipping cost included in `total`, fixed when the reorder was placed (0 for
    // pickup, and for reorders placed before shipping was charged).
    std::int64_t shipping = 0;
    std::int64_t created_at = 0;
    // Sums over the reorder's charges and refunds, in minor units.
    std::int64_t charged = 0;
    // Refunds the provider confirmed.
    std::int64_t refunded = 0;
    // Refunds stored but not yet confirmed by the provider (asked again with their key).
    std::int64_t refunding = 0;
    // Unpaid, and the guest chose to pay at the counter (an open counter checkout).
    bool awaiting_counter = false;
    // Why the desk cancelled it.
    std::string cancel_reason;
    // Once shipped: who carries it and the number the guest follows it by.
    std::string carrier;
    std::string tracking;
};

enum class CheckoutState { creating, open, completed, declined };

// One attempt to have a reorder paid through a provider's hosted checkout.
struct CheckoutAttempt {
    // Persisted before the provider is asked, and sent to it: asking again after a
    // crash or timeout with the same key finds the same hosted checkout.
    std::string idempotency_key;
    std::string reorder_id;
    std::string provider;
    std::int64_t amount = 0;
    std::string currency;
    CheckoutState state = CheckoutState::creating;
    // Known once the provider has answered.
    std::optional<std::string> checkout_id;
    std::optional<std::string> url;
};

// A provider's notification, from a webhook whose signature has been verified.
struct PaymentEvent {
    std::string id;
    // "checkout.completed" or "checkout.declined".
    std::string type;
    std::string checkout_id;
    // For checkout.completed: the provider's charge and what it took.
    std::string charge_id;
    std::int64_t amount = 0;
    std::string currency;
};

// How a charge was paid at the counter: "cash" or "voucher", and the voucher's code.
struct CounterPayment {
    std::string method;
    std::string reference;
};

enum class EventOutcome {
    // Applied now (a charge recorded, a checkout declined).
    applied,
    // This event id was applied before: nothing changed.
    duplicate,
    // A type the ledger does not know: nothing changed.
    unknown_type,
    // No checkout of ours has this id: nothing changed.
    unknown_checkout,
    // The charge does not match the checkout's amount or currency: nothing changed.
    amount_mismatch,
};

std::string_view to_string(EventOutcome outcome);

enum class RefundOutcome {
    recorded,
    // This idempotency key was recorded before: nothing changed.
    duplicate,
    // More than was charged, counting earlier refunds: refused.
    exceeds_charged,
    // Zero or negative, or an unknown reorder: refused.
    invalid,
};

enum class RefundState { pending, succeeded, failed };

std::string_view to_string(RefundState state);

// One refund of (part of) one charge. Stored `pending` before the provider is asked;
// `succeeded` once it confirmed (or, at the counter, once the cash was handed back);
// `failed` when it refused, which frees the amount again.
struct RefundRecord {
    std::string idempotency_key;
    std::string reorder_id;
    std::string charge_id;
    // The provider that took the charge ("dev", "counter").
    std::string provider;
    std::int64_t amount = 0;
    std::string currency;
    RefundState state = RefundState::pending;
    std::string reason;
    // The provider's id of the refund, or why it refused.
    std::string provider_refund_id;
};

// What a refund request came to: the outcome, and the refunds stored under its key (new,
// or found again for a repeated key).
struct RefundPlan {
    RefundOutcome outcome = RefundOutcome::invalid;
    std::vector<RefundRecord> refunds;
};

enum class CancelOutcome {
    // Cancelled now; `refunds` holds the refunds of its charges, stored pending.
    cancelled,
    // Cancelled before: nothing changed; `refunds` holds the refunds made then.
    already_cancelled,
    // Printing, packed or shipped: refused, nothing changed.
    released,
    unknown_reorder,
};

struct CancelPlan {
    CancelOutcome outcome = CancelOutcome::unknown_reorder;
    // The state it was in when asked.
    ReorderState state = ReorderState::unpaid;
    std::vector<RefundRecord> refunds;
};

// A charge as the back office sees it.
struct ChargeRecord {
    std::string charge_id;
    std::string provider;
    std::int64_t amount = 0;
    std::string currency;
    std::string method;
    std::string reference;
};

// Vouchers the store issues (`encore pay vouchers issue`), each good for one counter
// payment of a reorder worth at most its value.
struct NewVouchers {
    // Minor units.
    std::int64_t value = 0;
    std::string currency;
    int count = 1;
    // Valid only for reorders of this event's orders; empty for any event.
    std::string event;
    // "2026-12-31" and the moment that day ends (unix seconds); empty/nullopt: no end.
    std::string expires_on;
    std::optional<std::int64_t> expires_at;
    std::string note;
};

enum class VoucherState { open, redeemed, voided, expired };

std::string_view to_string(VoucherState state);
std::optional<VoucherState> parse_voucher_state(std::string_view text);

struct Voucher {
    // "ENC-4KQ9-M3XR-6CFW".
    std::string code;
    std::int64_t value = 0;
    std::string currency;
    std::string event;
    std::int64_t issued_at = 0;
    std::string expires_on;
    std::optional<std::int64_t> expires_at;
    bool voided = false;
    std::string void_reason;
    std::string note;
    // The reorder it paid, while that charge is not refunded in full.
    std::string redeemed_by;
    VoucherState state = VoucherState::open;
};

// What a counter payment asks of a voucher: the code as typed, the event of the
// reorder's order ("" when unknown), and what the reorder costs.
struct VoucherUse {
    std::string code;
    std::string event;
    std::string currency;
    std::int64_t amount = 0;
};

enum class VoucherProblem {
    none,
    // Never issued by this store (or not a code the hub makes).
    unknown,
    voided,
    expired,
    // Paid another reorder, and that charge was not refunded.
    redeemed,
    // Issued for another event than the reorder's.
    other_event,
    other_currency,
    // Worth less than the reorder.
    too_little,
};

struct VoucherCheck {
    VoucherProblem problem = VoucherProblem::unknown;
    // The voucher, when it was issued.
    std::optional<Voucher> voucher;
};

// What a counter payment by voucher came to: refused by the voucher check (nothing
// changed, `outcome` nullopt), or the outcome of its payment event.
struct Redemption {
    VoucherCheck check;
    std::optional<EventOutcome> outcome;
};

enum class VoidOutcome {
    voided,
    // Voided before: nothing changed (the first reason stays).
    already_voided,
    // It paid a reorder: refused, nothing changed.
    redeemed,
    unknown,
};

struct VoidResult {
    VoidOutcome outcome = VoidOutcome::unknown;
    std::optional<Voucher> voucher;
};

// The settlement ledger in its own SQLite database (DATA/settlement.db, WAL,
// synchronous=FULL): reorders, checkout attempts, charges, refunds and the ids of
// applied webhook events. Every change is one transaction (BEGIN IMMEDIATE), so several
// Ledger objects, threads or processes on one file see each event applied once. A
// failure of the database throws.
class Ledger {
public:
    explicit Ledger(const std::filesystem::path& file);
    ~Ledger();
    Ledger(const Ledger&) = delete;
    Ledger& operator=(const Ledger&) = delete;

    // Places a reorder, unpaid, with its total computed from the lines and its shipping
    // (none for pickup). The same idempotency key returns the reorder placed the first
    // time, unchanged.
    Reorder place_reorder(const NewReorder& reorder);
    std::optional<Reorder> find_reorder(const std::string& reorder_id);
    // The reorder placed under this idempotency key, if any.
    std::optional<Reorder> find_reorder_by_key(const std::string& idempotency_key);
    // Newest first.
    std::vector<Reorder> reorders_of_order(const std::string& order_id);
    // Changes with every write through this object: what was read under one version may
    // be kept until it changes. hubd's one Ledger is the only writer of settlement.db
    // (staff tools go through its admin API), so no other write can slip past it.
    std::uint64_t content_version();
    // Oldest first: the order desk's queue (paid), the lab's work (printing), the
    // shipping station's list (printing, packed).
    std::vector<Reorder> reorders_in_state(ReorderState state);
    // Moves a reorder from `from` to `to` in one transaction; false (nothing changed)
    // when it is not in `from`: not paid yet, or someone moved it first.
    bool advance(const std::string& reorder_id, ReorderState from, ReorderState to);
    // Marks a printing or packed reorder shipped with its carrier and tracking number;
    // false (nothing changed) in any other state.
    bool mark_shipped(const std::string& reorder_id, const std::string& carrier,
                      const std::string& tracking);

    // The checkout attempt to send the guest to: the reorder's attempt with `provider`
    // still creating or open, or a new one (with a new idempotency key, stored before this
    // returns). nullopt when the reorder is unknown or no longer unpaid.
    std::optional<CheckoutAttempt> begin_checkout(const std::string& reorder_id,
                                                  std::string_view provider);
    // The provider answered the attempt with this hosted checkout.
    void record_checkout_opened(const std::string& idempotency_key, const std::string& checkout_id,
                                const std::string& url);
    std::optional<CheckoutAttempt> find_checkout(const std::string& checkout_id);

    // Applies a verified provider event, once per event id however often and however
    // concurrently it arrives. checkout.completed records the charge and marks the
    // reorder paid; checkout.declined closes the attempt and leaves the reorder unpaid
    // (a new checkout can be begun). A checkout.completed for a reorder that is no longer
    // unpaid (paid by another checkout, cancelled) still records the charge, since the
    // money was taken, and stores a pending refund of all of it (key "duplicate-<charge>")
    // in the same transaction; `refund_due` receives it, for the caller to ask the
    // provider.
    // `counter` notes how a charge confirmed at the counter was paid.
    EventOutcome apply_event(const PaymentEvent& event,
                             std::optional<RefundRecord>* refund_due = nullptr,
                             const CounterPayment& counter = {});

    // Records a refund of `amount` against the reorder's charges as done (money handed
    // back outside any provider), keyed like every other money movement; never more
    // than was charged in total.
    RefundOutcome record_refund(const std::string& idempotency_key, const std::string& reorder_id,
                                std::int64_t amount);
    // Stores refunds of `amount` against the reorder's charges, pending, before any
    // provider is asked: one per charge it draws on (keys `key`, `key#2`, ...), never
    // more than was charged minus earlier refunds that did not fail. The same key again
    // finds the refunds stored the first time (outcome duplicate).
    RefundPlan request_refund(const std::string& idempotency_key, const std::string& reorder_id,
                              std::int64_t amount, const std::string& reason);
    // The provider answered a pending refund: succeeded (with its refund id) or failed
    // (with its reason). A refund that is not pending any more is left alone.
    void finish_refund(const std::string& idempotency_key, RefundState state,
                       const std::string& provider_refund_id);
    // Pending refunds, oldest first: what to ask the providers again after a restart.
    std::vector<RefundRecord> pending_refunds();
    std::vector<RefundRecord> refunds_of(const std::string& reorder_id);
    std::vector<ChargeRecord> charges_of(const std::string& reorder_id);
    // The reorder a voucher code paid, if it was redeemed (and not refunded in full since).
    std::optional<std::string> voucher_redeemed_by(const std::string& code);

    // Issues `count` new vouchers with fresh random codes (new_voucher_code), in one
    // transaction. Nothing here judges the values: check_voucher_request does.
    std::vector<Voucher> issue_vouchers(const NewVouchers& request);
    // The voucher of a code as typed (any case, dashes optional), if it was issued.
    std::optional<Voucher> find_voucher(std::string_view code);
    // Every voucher in `state` (all when nullopt), in the order they were issued.
    std::vector<Voucher> vouchers(std::optional<VoucherState> state = std::nullopt);
    // Whether the voucher can pay this reorder now, without changing anything.
    VoucherCheck check_voucher(const VoucherUse& use);
    // A counter payment by voucher (`event` as Settlement::confirm_at_counter makes it):
    // in one transaction, an event applied before is a duplicate; otherwise the voucher is
    // checked (check_voucher) and, when it may pay, the event is applied with the voucher
    // as the charge's reference. Two clerks redeeming one voucher at the same time get
    // one redemption: the second sees the first's charge.
    Redemption redeem_voucher(const PaymentEvent& event, const VoucherUse& use,
                              std::optional<RefundRecord>* refund_due = nullptr);
    // Voids an open or expired voucher for good; one that paid a reorder is refused.
    VoidResult void_voucher(std::string_view code, const std::string& reason);

    // Cancels a reorder in one transaction: an unpaid one without money movement, a paid
    // one with a pending refund of each charge's remainder (keys "cancel-<charge>");
    // refused once released to the lab.
    CancelPlan cancel_reorder(const std::string& reorder_id, const std::string& reason);

    // Unpaid reorders whose guest chose to pay at the counter, oldest first.
    std::vector<Reorder> reorders_awaiting_counter();
    // The reorder of a counter reference (counter_reference()), when exactly one has it.
    std::optional<Reorder> find_reorder_by_counter_reference(const std::string& reference);

    std::size_t count_charges(const std::string& reorder_id);
    std::size_t count_applied_events();

private:
    struct Database;
    std::unique_ptr<Database> db_;
};

} // namespace encore::hub::settlement
