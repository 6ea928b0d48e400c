// Idempotency keys: a request sent twice (or twice at once) is applied once. The event engine
// reads the events its keys name (find_stored_keys, which waits for other transactions'
// uncommitted rows with them) and replays them if the payload is the same.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/event.hpp"
#include "pg/event_request.hpp"
#include "pg/uuid.hpp"

namespace inventory::pg {

// The ledger's unique index on idempotency_key: the key probes read it, and the engine maps its
// unique violation (a key a concurrent transaction committed) to 40001.
inline constexpr const char* kIdempotencyKeyIndex = "inventory_ledger_idempotency_key_key";

// The event an idempotency key already names, as stored.
struct StoredEvent {
    std::string sku;
    std::int32_t warehouse_id = 0;
    std::string event_type;
    std::int64_t quantity = 0;
    std::optional<std::string> reference_id;
    std::optional<std::string> reason;
    bool same_metadata = false;
};

// A ledger row that an idempotency key names: its event, its id, its level after it and its
// metadata (a copy in the caller's memory context).
struct StoredKeyRow {
    StoredEvent event;
    UuidBytes id{};
    std::int64_t on_hand = 0;
    std::int64_t reserved = 0;
    std::int64_t available = 0;
    std::optional<Datum> metadata;
};

// The stored rows of `keys`, in one probe of the ledger's unique key index per key (sorted:
// one global order), with a dirty snapshot that also sees other transactions' uncommitted
// rows: it waits for any such row's transaction to end, so that a request sent twice at once
// replays the first once it commits, or applies itself if the first rolls back. Takes no lock
// of its own: a batch of any size fits in the lock table. Under REPEATABLE READ and SERIALIZABLE
// a row committed after the transaction's snapshot is 40001; under SERIALIZABLE the keys are
// also read on the snapshot, for the predicate locks the dirty probe does not take.
[[nodiscard]] std::map<std::string, StoredKeyRow> find_stored_keys(
    const std::set<std::string>& keys);

// The quantity of the ledger row `key` names, or nullopt when the key (or no key) was used. A
// receipt asks it before it plans: a retry is replayed by the engine whatever happened to its
// transfer or purchase order line since. On the statement's snapshot; the engine waits for
// in-flight keys itself.
[[nodiscard]] std::optional<std::int64_t> quantity_of_stored_key(
    const std::optional<std::string>& key);

// Raises IV002 unless the stored event has exactly the requested payload.
void require_same_payload(const std::string& key, const StoredEvent& stored,
                          const EventRequest& request, const EventOptions& options,
                          const std::optional<std::int32_t>& stored_destination = std::nullopt,
                          const std::optional<std::int32_t>& destination = std::nullopt);

}  // namespace inventory::pg
