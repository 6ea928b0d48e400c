// The results of SQL-callable functions: one composite row (a function with OUT parameters),
// or the rows of a set-returning function, materialized into the caller's tuplestore.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pg/error_bridge.hpp"

namespace inventory::pg {

// The function's result row type (its OUT parameters), blessed: built from pg_proc once per
// backend and function, then kept under CacheMemoryContext until pg_proc changes (results.cpp;
// a named composite result type is built every time).
// Building it costs more than the rest of forming the row, and a function in FROM gets a new
// call site (fn_extra) in every execution: built there, it cost each sale about 8 µs while
// the sale still held its level's lock.
[[nodiscard]] TupleDesc result_type(FunctionCallInfo fcinfo);

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
