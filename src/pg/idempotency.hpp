// Idempotency keys: a request sent twice (or twice at once) is applied once. The event engine
// waits for other transactions' uncommitted rows with its keys, reads the events the keys name
// (pg/event_engine.cpp) and replays them if the payload is the same. Needs an SPI connection.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/event.hpp"
#include "pg/event_request.hpp"

namespace inventory::pg {

// Waits until no other transaction has an uncommitted ledger row with any of these idempotency
// keys, so that a request sent twice at once replays the first once it commits, or applies
// itself if the first rolls back. Takes no lock of its own: a batch of any size fits in the lock
// table.
void wait_for_inflight_keys(const std::set<std::string>& keys);

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
