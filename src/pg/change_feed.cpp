#include "pg/change_feed.hpp"

#include "pg/error_bridge.hpp"

namespace inventory::pg {
namespace {
// GUC inventory.notify, off by default: a transaction that NOTIFYs holds PostgreSQL's global
// notification lock through its commit, so committing writers queue behind each other
// (test/bench/README.md measured 0.39x of the reference at 8 clients with it on).
bool notify_enabled = false;

// The (sub)transaction that queued the last notification. PostgreSQL folds duplicates itself,
// but only after comparing each one with the queue; this skips the call for every further
// change of the same subtransaction. A subtransaction that rolls back drops its notification,
// and what follows runs under another SubTransactionId, so it queues a new one.
LocalTransactionId notified_lxid = InvalidLocalTransactionId;
SubTransactionId notified_subxid = InvalidSubTransactionId;
}  // namespace

void define_change_feed_settings() {
    DefineCustomBoolVariable(
        "inventory.notify",
        "Sends a NOTIFY without payload on channel inventory_levels at the commit of a "
        "transaction that changed levels.",
        "Consumers in inventory_reader then call inventory.inventory_level_changes(position); "
        "checkout decisions still read inventory_ats().",
        &notify_enabled, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("inventory");
}

void notify_levels_changed() {
    if (!notify_enabled) return;
    const LocalTransactionId lxid = MyProc->lxid;
    const SubTransactionId subxid = GetCurrentSubTransactionId();
    if (lxid == notified_lxid && subxid == notified_subxid) return;
    pg_guard([] { Async_Notify(kChangeFeedChannel, ""); });
    notified_lxid = lxid;
    notified_subxid = subxid;
}

}  // namespace inventory::pg
