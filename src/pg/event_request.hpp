// Event requests as the SQL functions and the ledger trigger receive them: their options
// (EventOptions) and the checks of a request that need PostgreSQL (jsonb metadata, Unicode
// normalization of SKUs, whether a level exists); the rules themselves are core/event.hpp's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/event.hpp"
#include "core/internal_key.hpp"
#include "pg/error_bridge.hpp"

namespace inventory::pg {

// The optional parts of an event request, as the caller gave them.
struct EventOptions {
    std::optional<std::string> reference_id;
    std::optional<std::string> idempotency_key;
    std::optional<std::string> reason;
    std::optional<Datum> metadata;           // jsonb
    std::optional<std::int64_t> expires_at;  // timestamptz; ALLOCATE with a reference_id only
    std::optional<std::string> order_ref;    // ALLOCATE of an order line (pg/orders.cpp): the
                                             // order, recorded on the reservation it creates
};

// Who chose an idempotency key. Keys that start with kInternalKeyPrefix (core/internal_key.hpp)
// belong to the extension (inventory_dispatch_transfer derives its own); a caller may not use them.
enum class KeyOrigin { Caller, Extension };

// What a row is: a new event, held to every rule, or restored history (a ledger row arriving
// with its computed columns), held to the rules of the release that wrote it: 0.3.1's unit_cost
// rule applies to new events only, so that a dump of an older database restores.
enum class RowOrigin { NewEvent, RestoredHistory };

// Checks reference_id and idempotency_key (IV010), that metadata is a JSON object whose
// unit_cost, if any, is a non-negative number (22023; new events only), and that expires_at
// comes with a reference_id (22023).
void validate_options(const EventOptions& options, KeyOrigin origin = KeyOrigin::Caller,
                      RowOrigin row = RowOrigin::NewEvent);

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

}  // namespace inventory::pg
