// The rights of README.md's Roles section, as the C++ code checks them, and who is calling.
//
// The extension's entry points that write are SECURITY INVOKER: at entry they record the caller,
// the role whose code makes the call (GetUserId(), as PostgreSQL's own privilege checks use it:
// inside a SECURITY DEFINER function that is the function's owner), and then run as the
// function's owner for every read and write of the extension's tables. While an entry point
// runs, the caller it recorded is open in a backend-local scope: nested calls of the engine
// made by the extension's own code (a PL/pgSQL `<name>_body` that runs as the owner) check and
// record that caller, not the owner.
#pragma once

#include <string_view>

#include "core/event.hpp"
#include "pg/postgres_headers.hpp"

namespace inventory::pg {

// The caller of the outermost running entry point: the role that acted and the login.
struct Caller {
    Oid role;   // the current user of the calling code (not what SET ROLE chose outside it)
    Oid login;  // the authenticated login of the session (GetAuthenticatedUserId)
};

// Opens the caller scope for the duration of an entry point (RAII). Nested: an entry point
// called while a scope is open keeps the open scope's caller.
class CallerScope {
  public:
    CallerScope() noexcept;
    ~CallerScope();
    CallerScope(const CallerScope&) = delete;
    CallerScope& operator=(const CallerScope&) = delete;

  private:
    const Caller* previous_;
    Caller caller_;
};

// The open scope's caller, or (outside any entry point: a plain INSERT into the ledger) the
// current user and the login.
[[nodiscard]] Caller current_caller() noexcept;

// Closes every caller scope. Called when a transaction aborts (pg/module.cpp): every scope is
// closed by its destructor before an error leaves the extension, so this only matters if a
// PostgreSQL error ever bypassed the error bridge; the scope must not outlive its frame then.
void forget_caller_scopes() noexcept;

// The ledger's actor: the role whose code called the extension (current_caller().role), as a
// text Datum.
[[nodiscard]] Datum actor_name();

// The ledger's login: the session's authenticated login (not changed by SET ROLE or SET
// SESSION AUTHORIZATION), as a text Datum.
[[nodiscard]] Datum login_name();

// Runs as the owner of the called function (fcinfo->flinfo->fn_oid) until destroyed, like a
// SECURITY DEFINER function: SetUserIdAndSecContext with SECURITY_LOCAL_USERID_CHANGE. The
// restore cannot fail; a transaction or subtransaction abort restores the user id too. Open a
// CallerScope first: it records the caller before the switch.
class OwnerScope {
  public:
    explicit OwnerScope(FunctionCallInfo fcinfo);
    ~OwnerScope();
    OwnerScope(const OwnerScope&) = delete;
    OwnerScope& operator=(const OwnerScope&) = delete;

  private:
    Oid saved_user_ = InvalidOid;
    int saved_context_ = 0;
};

// Runs an entry point's body as described above: records the caller, then runs as the owner.
template <typename Body>
Datum run_as_owner(FunctionCallInfo fcinfo, Body&& body) {
    const CallerScope caller;
    const OwnerScope owner(fcinfo);
    return body(fcinfo);
}

// Raises IV012 unless the caller has the privileges of a group role that may write this event
// type. A group role that does not exist (dropped or renamed) grants nothing: refused, with a
// DETAIL naming it.
void require_capability(EventKind kind);

// The same for a function of core/capability.hpp's table; a function not in it is refused.
void require_function_rights(std::string_view function);

// The entry point of a function in core/capability.hpp's table: checks the caller's rights for
// `function` (require_function_rights), then runs the body as run_as_owner does.
template <typename Body>
Datum run_function_as_owner(FunctionCallInfo fcinfo, std::string_view function, Body&& body) {
    require_function_rights(function);
    return run_as_owner(fcinfo, body);
}

}  // namespace inventory::pg
