// The results of SQL-callable functions: one composite row (a function with OUT parameters),
// or the rows of a set-returning function, materialized into the caller's tuplestore.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pg/error_bridge.hpp"

namespace inventory::pg {

// The function's result row type, blessed, cached in its call site's flinfo->fn_extra (the
// FmgrInfo's memory context): building it from pg_proc costs more than the rest of forming the
// row. A call site whose fn_extra holds something else builds it every time.
struct ResultTypeCache {
    static constexpr std::uint32_t kTag = 0x1e5a17d5;
    std::uint32_t tag;
    TupleDesc desc;
};

inline TupleDesc result_type(FunctionCallInfo fcinfo) {
    FmgrInfo* flinfo = fcinfo->flinfo;
    auto* cache = static_cast<ResultTypeCache*>(flinfo->fn_extra);
    if (cache != nullptr && cache->tag == ResultTypeCache::kTag) return cache->desc;
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) {
        elog(ERROR, "inventory: function must return a composite type");
    }
    if (flinfo->fn_extra != nullptr) return BlessTupleDesc(desc);
    MemoryContext old = MemoryContextSwitchTo(flinfo->fn_mcxt);
    cache = static_cast<ResultTypeCache*>(palloc(sizeof(ResultTypeCache)));
    cache->tag = ResultTypeCache::kTag;
    cache->desc = BlessTupleDesc(CreateTupleDescCopy(desc));
    MemoryContextSwitchTo(old);
    flinfo->fn_extra = cache;
    return cache->desc;
}

// Forms the function's result row (its OUT parameters) in the caller's memory context. `nulls`
// may be nullptr (no NULL column).
inline Datum result_row(FunctionCallInfo fcinfo, const Datum* values, const bool* nulls,
                        int count) {
    return pg_guard([&] {
        TupleDesc desc = result_type(fcinfo);
        if (desc->natts != count) elog(ERROR, "inventory: unexpected result column count");
        bool no_nulls[16] = {};
        if (count > 16) elog(ERROR, "inventory: too many result columns");
        return HeapTupleGetDatum(heap_form_tuple(desc, const_cast<Datum*>(values),
                                                 const_cast<bool*>(nulls ? nulls : no_nulls)));
    });
}

// Appends one row to a set-returning function's result (materialize mode).
inline void append_result_row(FunctionCallInfo fcinfo, const Datum* values, const bool* nulls) {
    pg_guard([&] {
        auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
        if (rsinfo->setResult == nullptr) InitMaterializedSRF(fcinfo, 0);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, const_cast<Datum*>(values),
                             const_cast<bool*>(nulls));
    });
}

// Ends a set-returning function's result: an empty set when no row was appended.
inline Datum end_result_rows(FunctionCallInfo fcinfo) {
    pg_guard([&] {
        auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
        if (rsinfo->setResult == nullptr) InitMaterializedSRF(fcinfo, 0);
    });
    return Datum{0};
}

}  // namespace inventory::pg
