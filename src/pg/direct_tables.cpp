#include "pg/direct_tables.hpp"

#include <cstring>
#include <string>

#include "core/error.hpp"
#include "pg/compiled_checks.hpp"

namespace inventory::pg::direct {
namespace {

constexpr std::size_t kTables = 7;
constexpr const char* kTableNames[kTables] = {
    "inventory_ledger",      "inventory_level_stripes", "inventory_reservations",
    "inventory_orders",      "inventory_warehouses",    "inventory_warehouse_countries",
    "inventory_sku_policies"};
// The tables from Warehouses on are only read: opened ACCESS SHARE, their indexes too.
bool read_only(TableId id) noexcept {
    return id >= TableId::Warehouses;
}
// Rows per table_multi_insert, as COPY buffers them (copyfrom.c MAX_BUFFERED_TUPLES).
constexpr std::size_t kBulkRows = 1000;

struct OpenTable {
    Relation relation = nullptr;
    ResultRelInfo* info = nullptr;
    TupleTableSlot* scan_slot = nullptr;    // index probes, locks, fetches
    TupleTableSlot* write_slot = nullptr;   // NewRow
    TupleTableSlot** bulk_slots = nullptr;  // BulkInsert, kBulkRows of them
    bool read_only = false;                 // opened ACCESS SHARE
};

// The tables open in the running transaction. The relations and index relations are opened
// under the top transaction's resource owner, so their ROW EXCLUSIVE locks last until the
// transaction ends, as a writer's do, whatever subtransaction opened them. Their relcache
// references are held only while the direct path is in use (a Use is alive): between calls the
// state is kept without references, so that a DROP EXTENSION or ALTER TABLE later in the same
// transaction finds the tables unused, and the invalidation that such a change sends makes the
// next Use rebuild the state (the entries' pointers stay valid until an invalidation names
// them, and every one of them is watched). The memory is a child of TopTransactionContext.
// Before commit, and after a subtransaction abort, the state is discarded; after an abort it
// is only forgotten (the resource owners and memory contexts have released everything).
constexpr int kMaxWatched = 24;  // tables and their indexes
struct OpenState {
    MemoryContext context = nullptr;
    EState* estate = nullptr;
    OpenTable tables[kTables];
    bool stale = false;    // a relcache invalidation named one of the relations
    bool holding = false;  // the relcache references are held
    int users = 0;         // Uses alive (nested ones included)
    Oid watched[kMaxWatched] = {};
    int watched_count = 0;
    bool watch_all = false;  // more relations than watched[] holds: every invalidation is ours
};
OpenState open_state;
Oid cached_oids[kTables] = {};            // InvalidOid until resolved; until invalidated
CompiledChecks compiled_checks[kTables];  // of the tables written, for the backend's life
std::uint64_t generation = 0;             // counts openings: Columns resolve again after each
constexpr int kMaxForgetters = 4;
void (*forgetters[kMaxForgetters])() = {};

void forget_written_versions() noexcept {
    for (auto* forget : forgetters) {
        if (forget != nullptr) forget();
    }
}

// Takes or drops the relcache references of every open relation. C only.
void hold_references(bool take) {
    ResourceOwner saved = CurrentResourceOwner;
    CurrentResourceOwner = TopTransactionResourceOwner;
    for (OpenTable& table : open_state.tables) {
        if (table.relation == nullptr) continue;
        const int count = 1 + (table.info != nullptr ? table.info->ri_NumIndices : 0);
        for (int i = 0; i < count; ++i) {
            Relation relation = i == 0 ? table.relation : table.info->ri_IndexRelationDescs[i - 1];
            if (take) {
                RelationIncrementReferenceCount(relation);
            } else {
                RelationDecrementReferenceCount(relation);
            }
        }
    }
    CurrentResourceOwner = saved;
    open_state.holding = take;
}

// Drops the open state: references (if held), slots, memory. The locks stay. C only: called
// from the transaction callbacks too.
void discard_tables() {
    if (open_state.context == nullptr) return;
    if (open_state.holding) hold_references(false);
    ResourceOwner saved = CurrentResourceOwner;
    CurrentResourceOwner = TopTransactionResourceOwner;
    for (OpenTable& table : open_state.tables) {
        // Slots pin their tuple descriptor under the top transaction's resource owner too.
        if (table.scan_slot != nullptr) ExecDropSingleTupleTableSlot(table.scan_slot);
        if (table.write_slot != nullptr) ExecDropSingleTupleTableSlot(table.write_slot);
        if (table.bulk_slots != nullptr) {
            for (std::size_t i = 0; i < kBulkRows; ++i) {
                if (table.bulk_slots[i] != nullptr)
                    ExecDropSingleTupleTableSlot(table.bulk_slots[i]);
            }
        }
        table = OpenTable{};
    }
    CurrentResourceOwner = saved;
    MemoryContextDelete(open_state.context);
    open_state.context = nullptr;
    open_state.estate = nullptr;
    open_state.stale = false;
    open_state.watched_count = 0;
    open_state.watch_all = false;
}

void forget_tables() noexcept {
    for (OpenTable& table : open_state.tables) table = OpenTable{};
    open_state.context = nullptr;
    open_state.estate = nullptr;
    open_state.stale = false;
    open_state.holding = false;
    open_state.users = 0;
    open_state.watched_count = 0;
    open_state.watch_all = false;
}

void on_transaction_event(XactEvent event, void*) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
        case XACT_EVENT_PARALLEL_PRE_COMMIT:
        case XACT_EVENT_PRE_PREPARE:
            discard_tables();
            forget_written_versions();
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_PREPARE:
            forget_tables();
            forget_written_versions();
            break;
    }
}

void on_subtransaction_event(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
    if (event != SUBXACT_EVENT_ABORT_SUB) return;
    // What the subtransaction wrote is undone, and the relations it created are gone.
    forget_written_versions();
    if (open_state.users == 0) {
        discard_tables();
    } else {
        open_state.stale = true;
    }
}

void on_relcache_invalidation(Datum, Oid relid) {
    bool ours = !OidIsValid(relid);
    for (Oid& oid : cached_oids) ours = ours || oid == relid;
    ours = ours || open_state.watch_all;
    for (int i = 0; i < open_state.watched_count; ++i)
        ours = ours || open_state.watched[i] == relid;
    if (!ours) return;
    forget_written_versions();
    for (Oid& oid : cached_oids) oid = InvalidOid;
    if (open_state.context != nullptr) open_state.stale = true;
}

Oid resolve_table(TableId id) {
    const char* name = kTableNames[static_cast<std::size_t>(id)];
    const Oid oid = pg_guard([name] {
        const Oid schema = get_namespace_oid("inventory", true);
        return OidIsValid(schema) ? get_relname_relid(name, schema) : InvalidOid;
    });
    if (!OidIsValid(oid)) {
        throw Error(ErrorCode::Internal, std::string("table inventory.") + name + " is missing", "",
                    "Is the inventory extension installed in this database?");
    }
    return oid;
}

// Opens the relation under the top transaction's resource owner; nullptr if it is gone.
Relation open_relation(Oid oid, LOCKMODE mode) {
    return pg_guard([oid, mode] {
        ResourceOwner saved = CurrentResourceOwner;
        Relation relation = nullptr;
        PG_TRY();
        {
            CurrentResourceOwner = TopTransactionResourceOwner;
            relation = try_table_open(oid, mode);
        }
        PG_FINALLY();
        { CurrentResourceOwner = saved; }
        PG_END_TRY();
        return relation;
    });
}

void require_supported(const OpenTable& table, TableId id);

// The just opened relation's compiled CHECK constraints (compiled_checks.hpp); on an error (a
// constraint that cannot be planned) the relation is closed again, so that it is not left open
// without its ResultRelInfo. C only.
ExprState** checks_or_close(std::size_t index, Relation relation) {
    ExprState** checks = nullptr;
    PG_TRY();
    { checks = compiled_checks[index].for_relation(relation); }
    PG_CATCH();
    {
        // The relcache reference is the top transaction's (open_relation).
        ResourceOwner saved = CurrentResourceOwner;
        CurrentResourceOwner = TopTransactionResourceOwner;
        table_close(relation, NoLock);
        CurrentResourceOwner = saved;
        PG_RE_THROW();
    }
    PG_END_TRY();
    return checks;
}

OpenTable& open_table(TableId id) {
    const auto index = static_cast<std::size_t>(id);
    OpenTable& table = open_state.tables[index];
    if (table.relation != nullptr) return table;
    if (open_state.users == 0) {
        throw Error(ErrorCode::Internal, "the direct write path was used outside a statement");
    }
    if (open_state.context == nullptr) {
        open_state.context = pg_guard([] {
            return AllocSetContextCreate(TopTransactionContext, "inventory direct path",
                                         ALLOCSET_DEFAULT_SIZES);
        });
        open_state.estate = pg_guard([] {
            MemoryContext old = MemoryContextSwitchTo(open_state.context);
            EState* estate = CreateExecutorState();
            MemoryContextSwitchTo(old);
            return estate;
        });
        ++generation;
        open_state.holding = true;  // inside a Use: what opens now is held until it ends
    }
    Relation relation = nullptr;
    for (int attempt = 0; attempt < 2 && relation == nullptr; ++attempt) {
        if (!OidIsValid(cached_oids[index])) cached_oids[index] = resolve_table(id);
        relation =
            open_relation(cached_oids[index], read_only(id) ? AccessShareLock : RowExclusiveLock);
        if (relation == nullptr) cached_oids[index] = InvalidOid;  // dropped: resolve again
    }
    if (relation == nullptr) resolve_table(id);  // throws: the table is gone
    ExprState** const checks =
        read_only(id) ? nullptr
                      : pg_guard([index, relation] { return checks_or_close(index, relation); });
    table.relation = relation;
    // The rest cannot fail but for lack of memory; the references are dropped when the last Use
    // ends, or released by an abort.
    table.read_only = read_only(id);
    // ON CONFLICT needs the unique indexes' speculative-insertion support (ExecOpenIndices).
    const bool speculative = id == TableId::Orders;
    pg_guard([&table, speculative, checks] {
        MemoryContext old = MemoryContextSwitchTo(open_state.context);
        ResourceOwner saved = CurrentResourceOwner;
        PG_TRY();
        {
            CurrentResourceOwner = TopTransactionResourceOwner;
            ResultRelInfo* info = makeNode(ResultRelInfo);
            // Range table index 0: no RTE; ExecConstraints then reports the whole row.
            InitResultRelInfo(info, table.relation, 0, nullptr, 0);
            info->ri_ConstraintExprs = checks;
            if (table.read_only) {
                List* indexes = RelationGetIndexList(table.relation);
                const int count = list_length(indexes);
                info->ri_NumIndices = 0;
                info->ri_IndexRelationDescs =
                    static_cast<RelationPtr>(palloc0(sizeof(Relation) * (count + 1)));
                ListCell* cell;
                foreach (cell, indexes) {
                    info->ri_IndexRelationDescs[info->ri_NumIndices++] =
                        index_open(lfirst_oid(cell), AccessShareLock);
                }
                list_free(indexes);
            } else {
                ExecOpenIndices(info, speculative);
            }
            table.info = info;
            for (int i = -1; i < info->ri_NumIndices; ++i) {
                const Oid oid = i < 0 ? RelationGetRelid(table.relation)
                                      : RelationGetRelid(info->ri_IndexRelationDescs[i]);
                if (open_state.watched_count < kMaxWatched) {
                    open_state.watched[open_state.watched_count++] = oid;
                } else {
                    open_state.watch_all = true;
                }
            }
            table.scan_slot = table_slot_create(table.relation, nullptr);
            table.write_slot = table_slot_create(table.relation, nullptr);
        }
        PG_FINALLY();
        {
            CurrentResourceOwner = saved;
            MemoryContextSwitchTo(old);
        }
        PG_END_TRY();
    });
    require_supported(table, id);
    return table;
}

// The extension's own triggers, which the direct path knows.
constexpr std::string_view kOwnTriggers[] = {
    "inventory_ledger_apply", "inventory_ledger_immutable_row",
    "inventory_ledger_immutable_truncate", "inventory_levels_feed_delete"};

bool own(std::span<const std::string_view> names, const char* name) {
    for (const std::string_view known : names) {
        if (!known.empty() && known == name) return true;
    }
    return false;
}

[[noreturn]] void unsupported(Relation relation, const std::string& what) {
    throw Error(ErrorCode::FeatureNotSupported,
                std::string("inventory.") + RelationGetRelationName(relation) + " has " + what +
                    ", which the extension's write path does not run",
                "The engine writes its tables directly, as COPY and logical replication do, and "
                "runs their constraints and indexes, not triggers, foreign keys, deferred unique "
                "checks or the defaults of columns it does not know.",
                "Remove it; follow changes through inventory.inventory_level_changes() or "
                "logical decoding instead.");
}

// Fails closed when the table carries what the direct path would silently skip: a trigger
// that fires on INSERT or UPDATE besides the extension's own (foreign keys are triggers too;
// the referenced side's checks on UPDATE are harmless, the keys never change), a deferrable
// unique or exclusion index. (A column left unset whose default would apply is refused row by
// row, require_defaults_given; one that is NOT NULL fails its constraint check.)
void require_supported(const OpenTable& table, TableId id) {
    if (table.read_only) return;  // read through an index only: nothing of theirs is skipped
    Relation relation = table.relation;
    if (const TriggerDesc* triggers = relation->trigdesc) {
        for (int i = 0; i < triggers->numtriggers; ++i) {
            const Trigger& trigger = triggers->triggers[i];
            if (own(kOwnTriggers, trigger.tgname)) continue;
            if (trigger.tgenabled == TRIGGER_DISABLED) continue;
            const bool on_write =
                (trigger.tgtype & (TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE)) != 0;
            if (!on_write) continue;
            const Oid function = trigger.tgfoid;
            const bool referenced_side =
                function == F_RI_FKEY_NOACTION_UPD || function == F_RI_FKEY_RESTRICT_UPD ||
                function == F_RI_FKEY_CASCADE_UPD || function == F_RI_FKEY_SETNULL_UPD ||
                function == F_RI_FKEY_SETDEFAULT_UPD;
            if (referenced_side) continue;
            if (OidIsValid(trigger.tgconstraint)) {  // a foreign key, a deferred unique check
                const Oid constraint = trigger.tgconstraint;
                const char* name =
                    pg_guard([constraint] { return get_constraint_name(constraint); });
                unsupported(relation, std::string("the constraint ") + (name ? name : "?"));
            }
            unsupported(relation, std::string("the trigger ") + trigger.tgname);
        }
    }
    const ResultRelInfo* info = table.info;
    for (int i = 0; i < info->ri_NumIndices; ++i) {
        Relation index = info->ri_IndexRelationDescs[i];
        if (!index->rd_index->indimmediate) {
            unsupported(relation,
                        std::string("the deferrable index ") + RelationGetRelationName(index));
        }
        if (index->rd_index->indisexclusion) {
            unsupported(relation, std::string("the exclusion constraint index ") +
                                      RelationGetRelationName(index));
        }
    }
}

Relation find_index(const OpenTable& table, std::string_view name) {
    const ResultRelInfo* info = table.info;
    for (int i = 0; i < info->ri_NumIndices; ++i) {
        Relation index = info->ri_IndexRelationDescs[i];
        if (name == RelationGetRelationName(index)) return index;
    }
    throw Error(ErrorCode::Internal, "index inventory." + std::string(name) + " is missing", "",
                "Run ALTER EXTENSION inventory UPDATE, or reinstall the extension.");
}

[[noreturn]] void serialization_failure(const char* what) {
    throw Error(ErrorCode::SerializationFailure,
                std::string("could not serialize access due to concurrent ") + what);
}

EState* prepare_estate(const Statement& statement) {
    EState* estate = open_state.estate;
    estate->es_snapshot = statement.snapshot();
    estate->es_output_cid = GetCurrentCommandId(true);
    return estate;
}

// A new row leaves no column with a default unset: INSERT would have filled it, the direct path
// evaluates no default (it writes every column of the extension's own tables).
void require_defaults_given(Relation relation, TupleTableSlot* slot) {
    const TupleDesc descriptor = RelationGetDescr(relation);
    for (int a = 0; a < descriptor->natts; ++a) {
        const Form_pg_attribute attribute = TupleDescAttr(descriptor, a);
        if (!attribute->atthasdef || attribute->attisdropped || !slot->tts_isnull[a]) continue;
        if (attribute->attgenerated != '\0') continue;  // computed by check_new_row
        unsupported(relation,
                    std::string("the column ") + NameStr(attribute->attname) + " with a default");
    }
}

// Generated columns, then NOT NULL and CHECK constraints, of a row about to be written. C only.
void check_new_row(ResultRelInfo* info, TupleTableSlot* slot, EState* estate) {
    Relation relation = info->ri_RelationDesc;
    TupleConstr* constraints = relation->rd_att->constr;
    if (constraints == nullptr) return;
    // CMD_INSERT computes every stored generated column: an UPDATE of the direct path rewrites
    // the whole row, and has no range table entry saying which columns it changed.
    if (constraints->has_generated_stored)
        ExecComputeStoredGenerated(info, estate, slot, CMD_INSERT);
    ExecConstraints(info, slot, estate);
}

void store_if_empty(TupleTableSlot* slot) noexcept {
    if (TTS_EMPTY(slot)) ExecStoreVirtualTuple(slot);
}

void clear_row(TupleTableSlot* slot) {
    pg_guard([slot] {
        ExecClearTuple(slot);
        const int columns = slot->tts_tupleDescriptor->natts;
        for (int i = 0; i < columns; ++i) {
            slot->tts_values[i] = 0;
            slot->tts_isnull[i] = true;
        }
    });
}

}  // namespace

// ---- Statement ------------------------------------------------------------------------------

Use::Use() {
    if (open_state.users == 0 && open_state.context != nullptr) {
        // Rebuild what an invalidation made stale; otherwise take the references again.
        pg_guard([] {
            if (open_state.stale) {
                discard_tables();
            } else if (!open_state.holding) {
                hold_references(true);
            }
        });
    }
    ++open_state.users;
}

Use::~Use() {
    if (open_state.users > 0 && --open_state.users == 0 && open_state.holding) {
        try {
            pg_guard([] { hold_references(false); });
        } catch (...) {  // cannot fail: reference counts only
        }
    }
}

Statement::Statement() {
    snapshot_ = pg_guard([] {
        CommandCounterIncrement();
        PushActiveSnapshot(GetTransactionSnapshot());
        UpdateActiveSnapshotCommandId();
        return GetActiveSnapshot();
    });
    pushed_ = true;
}

Statement::Statement(CallerSnapshot) {
    snapshot_ = pg_guard([] { return ActiveSnapshotSet() ? GetActiveSnapshot() : nullptr; });
    if (snapshot_ == nullptr) {  // no statement running: a snapshot of our own
        snapshot_ = pg_guard([] {
            PushActiveSnapshot(GetTransactionSnapshot());
            return GetActiveSnapshot();
        });
        pushed_ = true;
    }
}

Statement::~Statement() {
    if (pushed_ && ActiveSnapshotSet() && GetActiveSnapshot() == snapshot_) PopActiveSnapshot();
}

// ---- Columns --------------------------------------------------------------------------------

Columns::Columns(std::initializer_list<const char*> names) {
    for (const char* name : names) {
        if (count_ < kMax) names_[count_++] = name;
    }
}

int Columns::operator()(TableId table, std::size_t i) {
    if (generation_ != generation || generation_ == 0) {
        const TupleDesc descriptor = RelationGetDescr(open_table(table).relation);
        for (std::size_t n = 0; n < count_; ++n) {
            numbers_[n] = 0;
            for (int a = 0; a < descriptor->natts; ++a) {
                const Form_pg_attribute attribute = TupleDescAttr(descriptor, a);
                if (!attribute->attisdropped &&
                    std::strcmp(NameStr(attribute->attname), names_[n]) == 0) {
                    numbers_[n] = a + 1;
                    break;
                }
            }
            if (numbers_[n] == 0) {
                throw Error(ErrorCode::Internal,
                            std::string("column ") + names_[n] + " of inventory." +
                                kTableNames[static_cast<std::size_t>(table)] + " is missing",
                            "", "Run ALTER EXTENSION inventory UPDATE in this database.");
            }
        }
        generation_ = generation;
    }
    return numbers_[i];
}

// ---- NewRow ---------------------------------------------------------------------------------

NewRow::NewRow(TableId table) : table_(table), slot_(open_table(table).write_slot) {
    clear_row(slot_);
}

void NewRow::set(int column, Datum value) noexcept {
    slot_->tts_values[column - 1] = value;
    slot_->tts_isnull[column - 1] = false;
}

void NewRow::set_null(int column) noexcept {
    slot_->tts_values[column - 1] = 0;
    slot_->tts_isnull[column - 1] = true;
}

void NewRow::set_optional(int column, const std::optional<Datum>& value) noexcept {
    if (value) {
        set(column, *value);
    } else {
        set_null(column);
    }
}

void set_column(TupleTableSlot* slot, int column, Datum value) noexcept {
    slot->tts_values[column - 1] = value;
    slot->tts_isnull[column - 1] = false;
}

void set_optional_column(TupleTableSlot* slot, int column,
                         const std::optional<Datum>& value) noexcept {
    slot->tts_values[column - 1] = value ? *value : 0;
    slot->tts_isnull[column - 1] = !value;
}

// ---- IndexProbe -----------------------------------------------------------------------------

IndexProbe::IndexProbe(TableId table, std::string_view index_name, std::span<const Datum> key,
                       std::span<const Oid> equality, const Statement& statement,
                       Visibility visibility) {
    OpenTable& open = open_table(table);
    Relation index = find_index(open, index_name);
    slot_ = open.scan_slot;
    Snapshot snapshot = statement.snapshot();
    if (visibility == Visibility::Dirty) {
        InitDirtySnapshot(dirty_);
        snapshot = &dirty_;
    }
    const int keys = static_cast<int>(key.size());
    if (keys > 4 || key.size() != equality.size()) {
        throw Error(ErrorCode::Internal, "an index probe takes one to four key columns");
    }
    Relation heap = open.relation;
    scan_ = pg_guard([&] {
        ScanKeyData scan_keys[4];
        for (int i = 0; i < keys; ++i) {
            ScanKeyInit(&scan_keys[i], static_cast<AttrNumber>(i + 1), BTEqualStrategyNumber,
                        equality[static_cast<std::size_t>(i)], key[static_cast<std::size_t>(i)]);
            scan_keys[i].sk_collation = index->rd_indcollation[i];
        }
        IndexScanDesc scan = index_beginscan(heap, index, snapshot, keys, 0);
        index_rescan(scan, scan_keys, keys, nullptr, 0);
        return scan;
    });
}

IndexProbe::IndexProbe(TableId table, std::string_view index_name, Datum bound,
                       StrategyNumber strategy, Oid comparison, const Statement& statement) {
    OpenTable& open = open_table(table);
    Relation index = find_index(open, index_name);
    slot_ = open.scan_slot;
    Snapshot snapshot = statement.snapshot();
    Relation heap = open.relation;
    scan_ = pg_guard([&] {
        ScanKeyData scan_key;
        ScanKeyInit(&scan_key, 1, strategy, comparison, bound);
        scan_key.sk_collation = index->rd_indcollation[0];
        IndexScanDesc scan = index_beginscan(heap, index, snapshot, 1, 0);
        index_rescan(scan, &scan_key, 1, nullptr, 0);
        return scan;
    });
}

IndexProbe::~IndexProbe() {
    IndexScanDesc scan = scan_;
    TupleTableSlot* slot = slot_;
    try {
        pg_guard([scan, slot] {
            if (slot != nullptr) ExecClearTuple(slot);
            if (scan != nullptr) index_endscan(scan);
        });
    } catch (...) {  // cleanup: the transaction is failing anyway
    }
}

bool IndexProbe::next() {
    IndexScanDesc scan = scan_;
    TupleTableSlot* slot = slot_;
    return pg_guard([scan, slot] { return index_getnext_slot(scan, ForwardScanDirection, slot); });
}

TransactionId IndexProbe::inserter_in_progress() const noexcept {
    return dirty_.xmin;
}

bool visible(TableId table, TupleTableSlot* slot, const Statement& statement) {
    Relation relation = open_table(table).relation;
    Snapshot snapshot = statement.snapshot();
    return pg_guard([=] { return table_tuple_satisfies_snapshot(relation, slot, snapshot); });
}

bool is_null(TupleTableSlot* slot, int column) {
    return pg_guard([slot, column] {
        bool null = false;
        (void)slot_getattr(slot, column, &null);
        return null;
    });
}

Datum get(TupleTableSlot* slot, int column) {
    struct Value {
        Datum datum;
        bool null;
    };
    const Value value = pg_guard([slot, column] {
        Value v{};
        v.datum = slot_getattr(slot, column, &v.null);
        return v;
    });
    if (value.null) throw Error(ErrorCode::Internal, "unexpected NULL in a NOT NULL column");
    return value.datum;
}

// ---- locking and writing --------------------------------------------------------------------

void on_writes_undone(void (*forget)()) {
    for (auto*& slot : forgetters) {
        if (slot == forget) return;
        if (slot == nullptr) {
            slot = forget;
            return;
        }
    }
    throw Error(ErrorCode::Internal, "too many caches of written row versions");
}

bool written_by_us_and_current(TupleTableSlot* slot) {
    return pg_guard([slot] {
        bool null = false;
        const TransactionId xmin =
            DatumGetTransactionId(slot_getsysattr(slot, MinTransactionIdAttributeNumber, &null));
        if (null || !TransactionIdIsCurrentTransactionId(xmin)) return false;
        HeapTuple tuple = ExecFetchSlotHeapTuple(slot, false, nullptr);
        const HeapTupleHeader header = tuple->t_data;
        // Not replaced by a later version: t_ctid points at itself.
        if (!ItemPointerEquals(&header->t_ctid, &tuple->t_self)) return false;
        if ((header->t_infomask & HEAP_XMAX_INVALID) != 0) return true;
        const TransactionId xmax = HeapTupleHeaderGetRawXmax(header);
        if (!TransactionIdIsValid(xmax)) return true;
        // Locked, not deleted, and by this transaction alone: heap_update carries the lock this
        // transaction held on the version it replaced over to the new one.
        return (header->t_infomask & HEAP_XMAX_IS_MULTI) == 0 &&
               HEAP_XMAX_IS_LOCKED_ONLY(header->t_infomask) &&
               TransactionIdIsCurrentTransactionId(xmax);
    });
}

void release(TupleTableSlot* slot) noexcept {
    try {
        pg_guard([slot] { ExecClearTuple(slot); });
    } catch (...) {  // cleanup: the transaction is failing anyway
    }
}

TupleTableSlot* scan_slot(TableId table) {
    return open_table(table).scan_slot;
}

bool fetch_version(TableId table, const ItemPointerData& tid, TupleTableSlot* slot) {
    Relation relation = open_table(table).relation;
    ItemPointerData at = tid;
    return pg_guard(
        [&] { return table_tuple_fetch_row_version(relation, &at, SnapshotAny, slot); });
}

LockResult lock_row(TableId table, ItemPointerData* row, TupleTableSlot* slot,
                    const Statement& statement, bool skip_locked, bool this_version_only) {
    Relation relation = open_table(table).relation;
    if (written_by_us_and_current(slot)) return {true, false};
    const bool transaction_snapshot = IsolationUsesXactSnapshot();
    struct Outcome {
        TM_Result result;
        bool traversed;
        TransactionId holder;
        ItemPointerData newer;
    };
    Snapshot snapshot = statement.snapshot();
    const Outcome outcome = pg_guard([=] {
        TM_FailureData failure{};
        failure.xmax = InvalidTransactionId;
        ItemPointerSetInvalid(&failure.ctid);
        const int flags =
            transaction_snapshot || this_version_only ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION;
        const TM_Result result = table_tuple_lock(
            relation, row, snapshot, slot, GetCurrentCommandId(true), LockTupleExclusive,
            skip_locked ? LockWaitSkip : LockWaitBlock, flags, &failure);
        // The holder to wait for: not a MultiXactId (several lockers), which is no xid.
        TransactionId holder = InvalidTransactionId;
        if (result == TM_WouldBlock && TTS_IS_BUFFERTUPLE(slot)) {
            const HeapTuple tuple = reinterpret_cast<BufferHeapTupleTableSlot*>(slot)->base.tuple;
            if (tuple != nullptr && !(tuple->t_data->t_infomask & HEAP_XMAX_IS_MULTI))
                holder = failure.xmax;
        }
        return Outcome{result, result == TM_Ok && failure.traversed, holder, failure.ctid};
    });
    switch (outcome.result) {
        case TM_Ok:
            *row = slot->tts_tid;
            return {true, outcome.traversed};
        case TM_WouldBlock:
            return {false, false, outcome.holder};
        case TM_Deleted: {
            if (transaction_snapshot) serialization_failure("delete");
            LockResult deleted;
            deleted.deleted = true;
            return deleted;
        }
        case TM_Updated:
            if (transaction_snapshot) serialization_failure("update");
            if (this_version_only && ItemPointerIsValid(&outcome.newer))
                return {false, false, InvalidTransactionId, outcome.newer};
            break;
        case TM_SelfModified:
            throw Error(ErrorCode::Internal,
                        "a row to lock was already changed by the current command");
        default:
            break;
    }
    throw Error(ErrorCode::Internal,
                "unexpected result " + std::to_string(static_cast<int>(outcome.result)) +
                    " locking a row of inventory." + kTableNames[static_cast<std::size_t>(table)]);
}

HolderActivity holder_activity(TransactionId xid) {
    return pg_guard([xid] {
        if (!TransactionIdIsValid(xid)) return HolderActivity::Unknown;
        // A row locked under a savepoint carries the subtransaction's xid; its backend runs the
        // top-level one. pg_subtrans answers for every xid from TransactionXmin on, and a
        // transaction older than that has ended.
        TransactionId top = xid;
        if (TransactionIdFollowsOrEquals(xid, TransactionXmin))
            top = SubTransGetTopmostTransaction(xid);
        const int pid = BackendXidGetPid(top);
        if (pid == 0) {  // no backend runs it: prepared (still in progress), or ended
            return TransactionIdIsInProgress(top) ? HolderActivity::Idle : HolderActivity::Working;
        }
        const PGPROC* proc = BackendPidGetProc(pid);
        if (proc == nullptr) return HolderActivity::Working;         // ended meanwhile
        const volatile uint32* wait_event = &proc->wait_event_info;  // read once, unlocked
        return *wait_event == WAIT_EVENT_CLIENT_READ ? HolderActivity::Idle
                                                     : HolderActivity::Working;
    });
}

void wait_for_transaction(TableId table, TransactionId xid, const ItemPointerData& row) {
    Relation relation = open_table(table).relation;
    ItemPointerData at = row;
    pg_guard([&] {
        if (TransactionIdIsValid(xid) && !TransactionIdIsCurrentTransactionId(xid)) {
            XactLockTableWait(xid, relation, &at, XLTW_Lock);
        } else {
            pg_usleep(1000L);  // several share the row: look again in a millisecond
        }
    });
}

void load_current(NewRow& row, const ItemPointerData& tid) {
    OpenTable& open = open_table(row.table());
    TupleTableSlot* scan = open.scan_slot;
    TupleTableSlot* target = row.slot();
    Relation relation = open.relation;
    EState* estate = open_state.estate;
    ItemPointerData at = tid;
    const bool found = pg_guard([&] {
        if (!table_tuple_fetch_row_version(relation, &at, SnapshotAny, scan)) return false;
        slot_getallattrs(scan);
        MemoryContext old = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
        const TupleDesc descriptor = scan->tts_tupleDescriptor;
        for (int i = 0; i < descriptor->natts; ++i) {
            const Form_pg_attribute attribute = TupleDescAttr(descriptor, i);
            target->tts_isnull[i] = scan->tts_isnull[i];
            target->tts_values[i] =
                scan->tts_isnull[i]
                    ? 0
                    : datumCopy(scan->tts_values[i], attribute->attbyval, attribute->attlen);
        }
        MemoryContextSwitchTo(old);
        ExecClearTuple(scan);
        return true;
    });
    if (!found) throw Error(ErrorCode::Internal, "a locked row vanished");
}

void update_row(NewRow& row, ItemPointerData* tid, const Statement& statement) {
    OpenTable& open = open_table(row.table());
    EState* estate = prepare_estate(statement);
    ResultRelInfo* info = open.info;
    TupleTableSlot* slot = row.slot();
    Snapshot snapshot = statement.snapshot();
    store_if_empty(slot);
    const TM_Result result = pg_guard([=] {
        Relation relation = info->ri_RelationDesc;
        check_new_row(info, slot, estate);
        CheckCmdReplicaIdentity(relation, CMD_UPDATE);
        TM_FailureData failure;
        LockTupleMode lock_mode;
        bool update_indexes = false;
        const TM_Result outcome =
            table_tuple_update(relation, tid, slot, estate->es_output_cid, snapshot,
                               InvalidSnapshot, true, &failure, &lock_mode, &update_indexes);
        if (outcome == TM_Ok && update_indexes && info->ri_NumIndices > 0)
            (void)ExecInsertIndexTuples(info, slot, estate, true, false, nullptr, NIL);
        ResetPerTupleExprContext(estate);
        return outcome;
    });
    if (result == TM_Ok) {
        *tid = slot->tts_tid;
        return;
    }
    // The caller holds the row's lock: only a writer that skipped it could get here.
    if (result == TM_Updated || result == TM_Deleted) serialization_failure("update");
    throw Error(
        ErrorCode::Internal,
        "unexpected result " + std::to_string(static_cast<int>(result)) + " updating a row");
}

void insert_row(NewRow& row, const Statement& statement) {
    OpenTable& open = open_table(row.table());
    EState* estate = prepare_estate(statement);
    ResultRelInfo* info = open.info;
    TupleTableSlot* slot = row.slot();
    store_if_empty(slot);
    require_defaults_given(info->ri_RelationDesc, slot);
    pg_guard([=] {
        check_new_row(info, slot, estate);
        table_tuple_insert(info->ri_RelationDesc, slot, estate->es_output_cid, 0, nullptr);
        if (info->ri_NumIndices > 0)
            (void)ExecInsertIndexTuples(info, slot, estate, false, false, nullptr, NIL);
        ResetPerTupleExprContext(estate);
    });
}

bool insert_row_unless_conflict(NewRow& row, const Statement& statement) {
    if (row.table() != TableId::Orders) {
        throw Error(ErrorCode::Internal, "ON CONFLICT is only prepared for inventory_orders");
    }
    OpenTable& open = open_table(row.table());
    EState* estate = prepare_estate(statement);
    ResultRelInfo* info = open.info;
    TupleTableSlot* slot = row.slot();
    TupleTableSlot* scan = open.scan_slot;
    Snapshot snapshot = statement.snapshot();
    store_if_empty(slot);
    require_defaults_given(info->ri_RelationDesc, slot);
    // nodeModifyTable.c ExecInsert, ONCONFLICT_NOTHING with every unique index an arbiter.
    return pg_guard([=] {
        Relation relation = info->ri_RelationDesc;
        check_new_row(info, slot, estate);
        for (;;) {
            ItemPointerData conflict;
            if (!ExecCheckIndexConstraints(info, slot, estate, &conflict, NIL)) {
                // ExecCheckTIDVisible: a transaction snapshot must see the row it yields to.
                if (IsolationUsesXactSnapshot()) {
                    if (!table_tuple_fetch_row_version(relation, &conflict, SnapshotAny, scan))
                        elog(ERROR, "failed to fetch conflicting tuple for ON CONFLICT");
                    if (!table_tuple_satisfies_snapshot(relation, scan, snapshot)) {
                        bool null = false;
                        const TransactionId xmin = DatumGetTransactionId(
                            slot_getsysattr(scan, MinTransactionIdAttributeNumber, &null));
                        if (!TransactionIdIsCurrentTransactionId(xmin)) {
                            ExecClearTuple(scan);
                            ereport(
                                ERROR,
                                (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                                 errmsg("could not serialize access due to concurrent update")));
                        }
                    }
                    ExecClearTuple(scan);
                }
                ResetPerTupleExprContext(estate);
                return false;
            }
            const uint32 token = SpeculativeInsertionLockAcquire(GetCurrentTransactionId());
            table_tuple_insert_speculative(relation, slot, estate->es_output_cid, 0, nullptr,
                                           token);
            bool conflicted = false;
            (void)ExecInsertIndexTuples(info, slot, estate, false, true, &conflicted, NIL);
            table_tuple_complete_speculative(relation, slot, token, !conflicted);
            SpeculativeInsertionLockRelease(GetCurrentTransactionId());
            ResetPerTupleExprContext(estate);
            if (!conflicted) return true;
            // Another transaction inserted the key meanwhile: check again (waits for it).
        }
    });
}

void delete_row(TableId table, const ItemPointerData& tid, const Statement& statement) {
    Relation relation = open_table(table).relation;
    EState* estate = prepare_estate(statement);
    Snapshot snapshot = statement.snapshot();
    ItemPointerData at = tid;
    const TM_Result result = pg_guard([&] {
        TM_FailureData failure;
        CheckCmdReplicaIdentity(relation, CMD_DELETE);
        return table_tuple_delete(relation, &at, estate->es_output_cid, snapshot, InvalidSnapshot,
                                  true, &failure, false);
    });
    if (result != TM_Ok) {
        throw Error(
            ErrorCode::Internal,
            "unexpected result " + std::to_string(static_cast<int>(result)) + " deleting a row");
    }
}

// ---- BulkInsert -----------------------------------------------------------------------------

BulkInsert::BulkInsert(TableId table, const Statement& statement)
    : table_(table), statement_(statement) {
    OpenTable& open = open_table(table);
    // The slots are made as rows need them (add()): a plan of two events must not pay for
    // creating (and, before commit, dropping) a whole buffer of slots in every transaction.
    if (open.bulk_slots == nullptr) {
        open.bulk_slots = pg_guard([] {
            return static_cast<TupleTableSlot**>(
                MemoryContextAllocZero(open_state.context, sizeof(TupleTableSlot*) * kBulkRows));
        });
    }
    state_ = pg_guard([] { return GetBulkInsertState(); });
}

BulkInsert::~BulkInsert() {
    BulkInsertState state = state_;
    TupleTableSlot** slots = open_state.tables[static_cast<std::size_t>(table_)].bulk_slots;
    const std::size_t used = used_;
    try {
        pg_guard([state, slots, used] {
            if (slots != nullptr) {
                for (std::size_t i = 0; i < used; ++i) ExecClearTuple(slots[i]);
            }
            if (state != nullptr) FreeBulkInsertState(state);
        });
    } catch (...) {  // cleanup: the transaction is failing anyway
    }
}

TupleTableSlot* BulkInsert::add() {
    if (used_ == kBulkRows) flush();
    OpenTable& open = open_table(table_);
    if (open.bulk_slots[used_] == nullptr) {
        open.bulk_slots[used_] = pg_guard([&open] {
            MemoryContext old = MemoryContextSwitchTo(open_state.context);
            ResourceOwner saved = CurrentResourceOwner;
            CurrentResourceOwner = TopTransactionResourceOwner;
            TupleTableSlot* created = table_slot_create(open.relation, nullptr);
            CurrentResourceOwner = saved;
            MemoryContextSwitchTo(old);
            return created;
        });
    }
    TupleTableSlot* slot = open.bulk_slots[used_];
    clear_row(slot);
    ++used_;
    return slot;
}

void BulkInsert::flush() {
    if (used_ == 0) return;
    OpenTable& open = open_table(table_);
    EState* estate = prepare_estate(statement_);
    ResultRelInfo* info = open.info;
    TupleTableSlot** slots = open.bulk_slots;
    const int rows = static_cast<int>(used_);
    BulkInsertState state = state_;
    for (int i = 0; i < rows; ++i) require_defaults_given(info->ri_RelationDesc, slots[i]);
    pg_guard([=] {
        for (int i = 0; i < rows; ++i) {
            ExecStoreVirtualTuple(slots[i]);
            check_new_row(info, slots[i], estate);
            ResetPerTupleExprContext(estate);
        }
        table_multi_insert(info->ri_RelationDesc, slots, rows, estate->es_output_cid, 0, state);
        for (int i = 0; i < rows; ++i) {
            if (info->ri_NumIndices > 0)
                (void)ExecInsertIndexTuples(info, slots[i], estate, false, false, nullptr, NIL);
            ResetPerTupleExprContext(estate);
            ExecClearTuple(slots[i]);
        }
    });
    used_ = 0;
}

void register_callbacks() {
    RegisterXactCallback(on_transaction_event, nullptr);
    RegisterSubXactCallback(on_subtransaction_event, nullptr);
    CacheRegisterRelcacheCallback(on_relcache_invalidation, 0);
}

}  // namespace inventory::pg::direct
