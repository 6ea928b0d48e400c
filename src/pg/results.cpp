#include "pg/results.hpp"

namespace inventory::pg {
namespace {

// The row types built so far, by function. Few functions return rows; one beyond the slots is
// built on every call, as before the cache.
struct CachedType {
    Oid function = InvalidOid;
    TupleDesc desc = nullptr;
};
constexpr int kSlots = 32;
CachedType cached[kSlots];
int cached_count = 0;
bool watching = false;

// A function dropped and another created under its OID, or any change of pg_proc: build again.
void forget_types(Datum, int, uint32) {
    for (int i = 0; i < cached_count; ++i) FreeTupleDesc(cached[i].desc);
    cached_count = 0;
}

}  // namespace

TupleDesc result_type(FunctionCallInfo fcinfo) {
    const Oid function = fcinfo->flinfo->fn_oid;
    for (int i = 0; i < cached_count; ++i) {
        if (cached[i].function == function) return cached[i].desc;
    }
    if (!watching) {
        CacheRegisterSyscacheCallback(PROCOID, forget_types, Datum{0});
        watching = true;
    }
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) {
        elog(ERROR, "inventory: function must return a composite type");
    }
    // A named composite type changes with ALTER TYPE, not with pg_proc: not kept.
    if (cached_count == kSlots || desc->tdtypeid != RECORDOID) return BlessTupleDesc(desc);
    MemoryContext old = MemoryContextSwitchTo(CacheMemoryContext);
    TupleDesc kept = BlessTupleDesc(CreateTupleDescCopy(desc));
    MemoryContextSwitchTo(old);
    cached[cached_count++] = {function, kept};
    return kept;
}

}  // namespace inventory::pg
