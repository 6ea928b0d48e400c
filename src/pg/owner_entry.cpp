// inventory_owner_entry: the one C function behind the public names of 0.3.1's PL/pgSQL writers
// whose behaviour depends on their caller (inventory_adjust, inventory_dispatch_transfer, ...).
// 0.4.0 declares no function on it (every writer is C++): it serves a 0.3.1 database that runs
// this library before its ALTER EXTENSION inventory UPDATE, and the 0.3.1 update script, which
// declares it. Remove it with the release that stops updating from 0.3.1.
// Each public `<name>` is SECURITY INVOKER with the signature of its `<name>_body`, the
// SECURITY DEFINER PL/pgSQL function that holds the code and is granted to nobody. The entry
// point checks the caller's rights for `<name>` (core/capability.hpp), opens the caller scope
// (pg/roles.hpp) so that the engine calls the body makes check and record the caller, not the
// body's owner, and calls the body directly through fmgr, which does not check EXECUTE.
#include <cstring>
#include <string>

#include "core/error.hpp"
#include "pg/error_bridge.hpp"
#include "pg/roles.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_owner_entry);
PG_FUNCTION_INFO_V1(inventory_login);
}

namespace inventory::pg {
namespace {

// What a call site needs, cached in its flinfo->fn_extra (the FmgrInfo's memory context).
struct EntryCache {
    FmgrInfo body;
    bool returns_set;
    char name[NAMEDATALEN];
};

struct BodyLookup {
    Oid body;
    bool returns_set;
    bool security_definer;
};

EntryCache& entry_cache(FunctionCallInfo fcinfo) {
    FmgrInfo* flinfo = fcinfo->flinfo;
    if (flinfo->fn_extra != nullptr) return *static_cast<EntryCache*>(flinfo->fn_extra);
    auto* cache = pg_guard([flinfo] {
        return static_cast<EntryCache*>(
            MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(EntryCache)));
    });
    const Oid entry = flinfo->fn_oid;
    // `<name>_body` in the entry's schema, with the entry's argument types.
    const BodyLookup lookup = pg_guard([entry, cache] {
        HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(entry));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for function %u", entry);
        const auto* proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
        strlcpy(cache->name, NameStr(proc->proname), NAMEDATALEN);
        const char* body_name = psprintf("%s_body", NameStr(proc->proname));
        const Oid body = GetSysCacheOid3(
            PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum(body_name),
            PointerGetDatum(&proc->proargtypes), ObjectIdGetDatum(proc->pronamespace));
        ReleaseSysCache(tuple);
        BodyLookup found{body, false, false};
        if (OidIsValid(body)) {
            HeapTuple body_tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(body));
            if (!HeapTupleIsValid(body_tuple))
                elog(ERROR, "cache lookup failed for function %u", body);
            const auto* body_proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(body_tuple));
            found.returns_set = body_proc->proretset;
            found.security_definer = body_proc->prosecdef;
            ReleaseSysCache(body_tuple);
        }
        return found;
    });
    if (!OidIsValid(lookup.body) || !lookup.security_definer) {
        throw Error(ErrorCode::Internal, std::string("inventory: ") + cache->name +
                                             " has no SECURITY DEFINER function " + cache->name +
                                             "_body with its arguments");
    }
    cache->returns_set = lookup.returns_set;
    pg_guard([cache, flinfo, &lookup] {
        fmgr_info_cxt(lookup.body, &cache->body, flinfo->fn_mcxt);
        cache->body.fn_expr = flinfo->fn_expr;
    });
    flinfo->fn_extra = cache;
    return *cache;
}

Datum owner_entry_body(FunctionCallInfo fcinfo) {
    EntryCache& cache = entry_cache(fcinfo);
    require_function_rights(cache.name);
    const CallerScope caller;
    // The body gets the same arguments, and the caller's ReturnSetInfo: a set-returning body
    // materializes its rows into the caller's tuplestore. Its SECURITY DEFINER makes fmgr run
    // it as its owner.
    struct Call {
        Datum result;
        bool isnull;
        bool materialized;
    };
    const Call call = pg_guard([fcinfo, &cache] {
        LOCAL_FCINFO(body_call, FUNC_MAX_ARGS);
        InitFunctionCallInfoData(*body_call, &cache.body, fcinfo->nargs, fcinfo->fncollation,
                                 fcinfo->context, fcinfo->resultinfo);
        for (int i = 0; i < fcinfo->nargs; ++i) body_call->args[i] = fcinfo->args[i];
        const Datum result = FunctionCallInvoke(body_call);
        const auto* rsinfo = reinterpret_cast<const ReturnSetInfo*>(fcinfo->resultinfo);
        const bool materialized = rsinfo != nullptr && IsA(rsinfo, ReturnSetInfo) &&
                                  rsinfo->returnMode == SFRM_Materialize;
        return Call{result, body_call->isnull, materialized};
    });
    if (cache.returns_set && !call.materialized) {
        throw Error(ErrorCode::Internal,
                    std::string("inventory: ") + cache.name + "_body did not materialize its rows");
    }
    fcinfo->isnull = call.isnull;
    return call.result;
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_owner_entry(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::owner_entry_body(fcinfo); });
}

// The session's authenticated login (the default of inventory_orders.login).
extern "C" Datum inventory_login(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::login_name(); });
}
