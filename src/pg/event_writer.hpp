// Event requests as the SQL functions receive them: validation of their options, idempotency
// keys and payload comparison, and uuid conversions. Used by the event engine and the SQL entry
// points; the key functions need an SPI connection.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/event.hpp"
#include "pg/error_bridge.hpp"

namespace inventory::pg {

using UuidBytes = std::array<unsigned char, UUID_LEN>;

// The optional parts of an event request, as the caller gave them.
struct EventOptions {
    std::optional<std::string> reference_id;
    std::optional<std::string> idempotency_key;
    std::optional<std::string> reason;
    std::optional<Datum> metadata;           // jsonb
    std::optional<std::int64_t> expires_at;  // timestamptz; ALLOCATE with a reference_id only
};

// Who chose an idempotency key. Keys that start with kInternalKeyPrefix belong to the extension
// (inventory_dispatch_transfer derives its own); a caller may not use them.
enum class KeyOrigin { Caller, Extension };
inline constexpr std::string_view kInternalKeyPrefix = "inventory:";

// What a row is: a new event, held to every rule, or restored history (a ledger row arriving
// with its computed columns), held to the rules of the release that wrote it: 0.3.1's unit_cost
// rule applies to new events only, so that a dump of an older database restores.
enum class RowOrigin { NewEvent, RestoredHistory };

// Checks reference_id and idempotency_key (IV010), that metadata is a JSON object whose
// unit_cost, if any, is a non-negative number (22023; new events only), and that expires_at
// comes with a reference_id (22023).
void validate_options(const EventOptions& options, KeyOrigin origin = KeyOrigin::Caller,
                      RowOrigin row = RowOrigin::NewEvent);

// An event as applied (or as first applied, for a replay): its id and the level after it.
struct EventOutcome {
    UuidBytes id{};
    std::int64_t on_hand = 0;
    std::int64_t reserved = 0;
    std::int64_t available = 0;
};

struct AppliedEvent {
    EventOutcome outcome;
    bool replayed = false;
};

// The SKU rules of core/event.hpp (validate_sku) and, in a UTF-8 database, Unicode
// normalization form NFC: a SKU in another form is refused (IV009) with its NFC form in the
// hint, never normalized silently, so that the SKU stored is the one the caller sent.
void check_sku(std::string_view sku);

// Just the NFC part of check_sku (make_request has applied the core rules already).
void require_nfc_sku(std::string_view sku);

// Validates the request (core rules, check_sku) and that expires_at is given only for an
// ALLOCATE.
// Restored history (SkuRules::Recorded) is held to 0.3.0's SKU rules only, without NFC; so is
// an event on a level that exists already (created by 0.3.0 under its rules), so that its stock
// can be moved and its reservations end. A SKU that breaks the current rules gets no new level.
[[nodiscard]] EventRequest build_request(const std::string& sku, std::int32_t warehouse_id,
                                         EventKind kind, std::int64_t quantity,
                                         const EventOptions& options,
                                         SkuRules sku_rules = SkuRules::Current);

// Waits until no other transaction has an uncommitted ledger row with any of these idempotency
// keys, so that a request sent twice at once replays the first once it commits, or applies
// itself if the first rolls back. Takes no lock of its own: a batch of any size fits in the lock
// table.
void wait_for_inflight_keys(const std::set<std::string>& keys);

// The event an idempotency key already names, as stored.
struct StoredEvent {
    EventOutcome outcome;
    std::string sku;
    std::int32_t warehouse_id = 0;
    std::string event_type;
    std::int64_t quantity = 0;
    std::optional<std::string> reference_id;
    std::optional<std::string> reason;
    bool same_metadata = false;
};

// Raises IV002 unless the stored event has exactly the requested payload.
void require_same_payload(const std::string& key, const StoredEvent& stored,
                          const EventRequest& request, const EventOptions& options,
                          const std::optional<std::int32_t>& stored_destination = std::nullopt,
                          const std::optional<std::int32_t>& destination = std::nullopt);

// The ledger's actor: the role whose code called the extension (pg/roles.hpp, current_caller),
// as a text Datum.
[[nodiscard]] Datum actor_name();

// The ledger's login: the session's authenticated login (not changed by SET ROLE or SET
// SESSION AUTHORIZATION), as a text Datum.
[[nodiscard]] Datum login_name();

[[nodiscard]] UuidBytes uuid_bytes(Datum value);
[[nodiscard]] Datum uuid_datum(const UuidBytes& bytes);

}  // namespace inventory::pg
