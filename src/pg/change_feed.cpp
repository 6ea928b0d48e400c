#include "pg/change_feed.hpp"

#include <string>

#include "core/json_text.hpp"
#include "pg/error_bridge.hpp"

namespace inventory::pg {
namespace {
// GUC inventory.notify, off by default: a transaction that NOTIFYs holds PostgreSQL's global
// notification lock through its commit, so committing writers queue behind each other
// (test/bench/README.md measured 0.39x of the reference at 8 clients with it on).
bool notify_enabled = false;
}  // namespace

void define_change_feed_settings() {
    DefineCustomBoolVariable(
        "inventory.notify", "Sends a NOTIFY on channel inventory_levels for every changed level.",
        "Caches can LISTEN to it; checkout decisions still read inventory_ats().", &notify_enabled,
        false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("inventory");
}

void notify_level_change(std::string_view sku, std::int32_t warehouse_id, const Level& level,
                         Quantity available_to_sell, std::int64_t version) {
    if (!notify_enabled) return;
    const std::string payload = "{\"sku\": " + json_quote(sku) +
                                ", \"warehouse_id\": " + std::to_string(warehouse_id) +
                                ", \"on_hand\": " + std::to_string(level.on_hand) +
                                ", \"reserved\": " + std::to_string(level.reserved) +
                                ", \"available_to_sell\": " + std::to_string(available_to_sell) +
                                ", \"version\": " + std::to_string(version) + "}";
    pg_guard([&payload] { Async_Notify(kChangeFeedChannel, payload.c_str()); });
}

}  // namespace inventory::pg
