// The direct write path: the extension's own tables written as PostgreSQL's executor writes
// them, without SQL, planning or the ledger's BEFORE trigger.
//
// Each table is opened once per transaction the way ModifyTable opens a result relation
// (ROW EXCLUSIVE, a ResultRelInfo with its indexes open, its CHECK constraints compiled once per
// backend: compiled_checks.hpp), and closed before the transaction commits. Cached OIDs and the
// open state are dropped on a relcache invalidation of the tables (ALTER TABLE, DROP/CREATE
// EXTENSION).
//
// The operations follow the executor's rules (heapam.c, execIndexing.c, nodeLockRows.c,
// nodeModifyTable.c, copyfrom.c): rows are found through an index with an MVCC snapshot (so
// SERIALIZABLE takes its predicate locks), locked with table_tuple_lock (under READ COMMITTED
// following an update chain to the latest version; under REPEATABLE READ and SERIALIZABLE a
// row changed after the snapshot is 40001), updated with table_tuple_update (HOT when no indexed
// column changes, index entries otherwise), inserted with table_tuple_insert or, for batches,
// table_multi_insert, with stored generated columns computed, NOT NULL and CHECK constraints
// checked (ExecConstraints) and index entries inserted with their unique checks.
//
// Every operation runs inside a Statement, the direct path's equivalent of one SQL statement.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "pg/error_bridge.hpp"

namespace inventory::pg::direct {

// The tables written (opened ROW EXCLUSIVE, as any writer opens them) and, after them, the
// tables the direct path only reads (opened ACCESS SHARE, as a SELECT opens them; only
// IndexProbe, visible, is_null and get apply to them).
enum class TableId : std::uint8_t {
    Ledger,
    Levels,
    Reservations,
    Orders,
    Warehouses,
    WarehouseCountries,
    SkuPolicies
};

// The direct path in use: the open tables' relcache references are held while a Use is alive
// (the outermost one takes them, or rebuilds the state after an invalidation). Every Statement
// is one; a caller that runs several statements in a row (the event engine) holds one around
// them so that the references are taken once.
class Use {
  public:
    Use();
    ~Use();
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
};

// One statement of the direct path, as SPI runs one SQL statement: it starts a new command
// (CommandCounterIncrement, so that it sees what the earlier steps wrote) and makes a snapshot
// active until it ends: under READ COMMITTED a new one, under REPEATABLE READ and SERIALIZABLE
// the transaction's.
class Statement {
  public:
    Statement();
    // A read-only statement on the snapshot already active (the calling SQL statement's), as
    // SPI runs a read_only call: no new command, no new snapshot.
    struct CallerSnapshot {};
    explicit Statement(CallerSnapshot);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    [[nodiscard]] Snapshot snapshot() const noexcept { return snapshot_; }

  private:
    Use use_;
    Snapshot snapshot_ = nullptr;
    bool pushed_ = false;
};

// A table's columns by name, resolved once per opening of the table (attribute numbers can
// differ between a fresh install and an updated database).
class Columns {
  public:
    explicit Columns(std::initializer_list<const char*> names);
    // The attribute number (from 1) of the i-th name; resolves them on first use after the
    // table was (re)opened. Error(Internal) for a column the table lacks.
    [[nodiscard]] int operator()(TableId table, std::size_t i);

  private:
    static constexpr std::size_t kMax = 24;
    std::array<const char*, kMax> names_{};
    std::array<int, kMax> numbers_{};
    std::size_t count_ = 0;
    std::uint64_t generation_ = 0;
};

// A row to insert or the new version of a row: one value per column of the table, all NULL
// at first. The datums must stay valid until the row is written.
class NewRow {
  public:
    explicit NewRow(TableId table);
    void set(int column, Datum value) noexcept;
    void set_null(int column) noexcept;
    void set_optional(int column, const std::optional<Datum>& value) noexcept;
    [[nodiscard]] TableId table() const noexcept { return table_; }
    [[nodiscard]] TupleTableSlot* slot() const noexcept { return slot_; }

  private:
    TableId table_;
    TupleTableSlot* slot_;
};

// An equality probe of one of a table's indexes, with the running Statement's snapshot (or a
// dirty snapshot, which sees uncommitted rows of other transactions and takes no predicate
// lock). key[i] is compared with the index's column i + 1 by `equality[i]` (F_TEXTEQ, F_INT4EQ,
// ...). The visited row is in slot() until the next call of next() or the end of the probe.
class IndexProbe {
  public:
    enum class Visibility { Snapshot, Dirty };
    IndexProbe(TableId table, std::string_view index, std::span<const Datum> key,
               std::span<const Oid> equality, const Statement& statement,
               Visibility visibility = Visibility::Snapshot);
    // A range probe of the index's first column: the rows whose key compares with `bound` by
    // `strategy` (BTLessEqualStrategyNumber, ...), through `comparison` (F_TIMESTAMPTZ_LE, ...),
    // in the index's order.
    IndexProbe(TableId table, std::string_view index, Datum bound, StrategyNumber strategy,
               Oid comparison, const Statement& statement);
    ~IndexProbe();
    IndexProbe(const IndexProbe&) = delete;
    IndexProbe& operator=(const IndexProbe&) = delete;

    // Advances to the next matching row; false at the end.
    [[nodiscard]] bool next();
    [[nodiscard]] TupleTableSlot* slot() const noexcept { return slot_; }
    // Dirty probes: the transaction that inserted the current row and is still running
    // (another one than ours), or InvalidTransactionId.
    [[nodiscard]] TransactionId inserter_in_progress() const noexcept;

  private:
    IndexScanDesc scan_ = nullptr;
    TupleTableSlot* slot_ = nullptr;
    SnapshotData dirty_{};
};

// Whether the row in `slot` (of `table`) is visible to the statement's snapshot.
[[nodiscard]] bool visible(TableId table, TupleTableSlot* slot, const Statement& statement);

// Reads column `column` of the row in `slot`.
[[nodiscard]] bool is_null(TupleTableSlot* slot, int column);
[[nodiscard]] Datum get(TupleTableSlot* slot, int column);  // Error(Internal) when NULL

// Locks the row `*row` of the table FOR UPDATE (waiting, or skipping when `skip_locked`) and
// leaves the locked version in `slot`. Under READ COMMITTED it follows a concurrent update to
// the row's latest version and updates *row; `followed` tells the caller to recheck the key.
// Under REPEATABLE READ and SERIALIZABLE a row updated or deleted after the snapshot raises
// 40001 (as SELECT ... FOR UPDATE does). Returns false when the row was deleted (READ
// COMMITTED) or is locked by another transaction (skip_locked). A version this transaction wrote
// (written_by_us_and_current) is already as good as locked and is left as it is.
// With `this_version_only` it locks the version `*row` or nothing: a version that a committed
// transaction updated is not followed (under READ COMMITTED too) but returned as `newer`, so that
// a caller that must not hold a row it cannot use reads the newer version before it locks it.
struct LockResult {
    bool locked = false;
    bool followed = false;
    // skip_locked and the row is held: the transaction that holds it (InvalidTransactionId when
    // several share it), for wait_for_transaction.
    TransactionId holder = InvalidTransactionId;
    // this_version_only and the version was updated: where the update put the row.
    std::optional<ItemPointerData> newer;
    bool deleted = false;  // READ COMMITTED: the row was deleted
};
[[nodiscard]] LockResult lock_row(TableId table, ItemPointerData* row, TupleTableSlot* slot,
                                  const Statement& statement, bool skip_locked = false,
                                  bool this_version_only = false);

// Waits until transaction `xid` ends (XactLockTableWait), without locking any row: a caller
// that skipped a held row waits for its holder and then looks again.
void wait_for_transaction(TableId table, TransactionId xid, const ItemPointerData& row);

// What the transaction `xid` that holds a row is doing, for a caller choosing which holder to
// wait for: Working (running a command, or ended: waiting returns at once), Idle (its backend
// waits for the client's next command, or it is prepared: it may keep the row for long), Unknown
// (InvalidTransactionId: several share the row). A hint, read unlocked as pg_stat_activity reads
// it; a subtransaction's xid counts as its top-level transaction's.
enum class HolderActivity { Working, Unknown, Idle };
[[nodiscard]] HolderActivity holder_activity(TransactionId xid);

// Whether the row version in `slot` was written by this transaction (or one of its committed
// subtransactions) and not changed since: no other transaction can lock or change it before
// this one ends (the version it replaced carries this transaction's xmax, which they wait for).
[[nodiscard]] bool written_by_us_and_current(TupleTableSlot* slot);

// Fetches the row version at `tid` into `slot`; false if there is none.
[[nodiscard]] bool fetch_version(TableId table, const ItemPointerData& tid, TupleTableSlot* slot);

// Empties a slot filled by fetch_version (drops its buffer pin).
void release(TupleTableSlot* slot) noexcept;

// The table's scratch slot (what IndexProbe uses), for fetch_version.
[[nodiscard]] TupleTableSlot* scan_slot(TableId table);

// The table's scratch slot for one fetch_version, released when this goes out of scope (also
// when an error leaves it), so that no buffer pin outlives the call that took it.
class ScratchSlot {
  public:
    explicit ScratchSlot(TableId table) : slot_(scan_slot(table)) {}
    ~ScratchSlot() { release(slot_); }
    ScratchSlot(const ScratchSlot&) = delete;
    ScratchSlot& operator=(const ScratchSlot&) = delete;
    [[nodiscard]] TupleTableSlot* get() const noexcept { return slot_; }

  private:
    TupleTableSlot* slot_;
};

// Calls `forget` when a subtransaction aborts (its writes are undone) and when the
// transaction ends: for caches of row versions the transaction wrote.
void on_writes_undone(void (*forget)());

// Fills `row` with the current values of the row at `tid` (which the caller has locked).
void load_current(NewRow& row, const ItemPointerData& tid);

// Writes `row` as the new version of the locked row *tid (UPDATE): stored generated columns
// computed, constraints checked, index entries inserted unless the update is HOT. *tid becomes
// the new version's.
void update_row(NewRow& row, ItemPointerData* tid, const Statement& statement);

// Inserts `row` (INSERT without triggers): generated columns, constraints, index entries with
// their unique checks.
void insert_row(NewRow& row, const Statement& statement);

// INSERT ... ON CONFLICT DO NOTHING against the table's unique indexes, as ModifyTable runs
// it (speculative insertion; only for TableId::Orders, whose indexes are opened for it): false,
// and nothing inserted, when a row with the same key exists or was inserted by a transaction
// that committed meanwhile (waited for). Under REPEATABLE READ and SERIALIZABLE a conflicting
// row the snapshot does not see is 40001, as PostgreSQL raises it.
[[nodiscard]] bool insert_row_unless_conflict(NewRow& row, const Statement& statement);

// Deletes the row `tid`, which this transaction inserted or locked (DELETE without triggers).
void delete_row(TableId table, const ItemPointerData& tid, const Statement& statement);

// Inserts many rows of one table as COPY does: table_multi_insert in buffers of rows, then each
// row's index entries. add() hands out the next row to fill; rows are written when the buffer
// is full and by flush(), which the caller must call at the end.
class BulkInsert {
  public:
    BulkInsert(TableId table, const Statement& statement);
    ~BulkInsert();
    BulkInsert(const BulkInsert&) = delete;
    BulkInsert& operator=(const BulkInsert&) = delete;
    // The next row to fill (all NULL); its datums must stay valid until it is written.
    [[nodiscard]] TupleTableSlot* add();
    void flush();

  private:
    TableId table_;
    const Statement& statement_;
    BulkInsertState state_ = nullptr;
    std::size_t used_ = 0;
};

// Sets column `column` of a row handed out by BulkInsert::add().
void set_column(TupleTableSlot* slot, int column, Datum value) noexcept;
void set_optional_column(TupleTableSlot* slot, int column,
                         const std::optional<Datum>& value) noexcept;

// The xact and relcache callbacks (pg/module.cpp registers them once per backend).
void register_callbacks();

}  // namespace inventory::pg::direct
