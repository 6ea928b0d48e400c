// The error bridge between C++ and PostgreSQL.
//
// PostgreSQL reports errors with longjmp; C++ with exceptions. Neither may cross the other:
// a longjmp over a C++ frame skips its destructors, and an exception thrown into PostgreSQL's C
// frames is undefined behaviour. So:
//  * every SQL-callable entry point runs its C++ body through call_cpp(), which catches every
//    exception, copies what it needs into a trivially destructible ErrorReport, lets the catch
//    scope and the body's frames end, and only then calls ereport with a real SQLSTATE;
//  * every PostgreSQL call made from C++ that can raise an error goes through pg_guard(), which
//    catches the longjmp with PG_TRY, copies the ErrorData and throws PgError. call_cpp()
//    raises it again as a fresh report with the same SQLSTATE, message, detail, hint, object
//    names and location, but without the context of the extension's internals: the thunk runs
//    with error_context_stack cleared, and the fresh report collects only the CALLER's context
//    (the caller's PL/pgSQL line, say), never the extension's internal SQL;
//  * a C++ Error reports the place it was constructed (SourceLocation) as its LOCATION.
// The PL/pgSQL code of the writers runs inside pg_guard too (pg/owner_entry.cpp), so its
// statements never show as CONTEXT. The readers (inventory_ats, inventory_level_changes, ...),
// the feed and guard triggers and inventory_rebuild_levels are C++ entry points too. No fmgr hook:
// a hook must not raise, or the hooks of other extensions chained after it miss their abort event.
// The lambda given to pg_guard() must hold no object with a destructor: it calls C only.
#pragma once

#include <exception>
#include <type_traits>
#include <utility>

#include "core/error.hpp"
#include "pg/postgres_headers.hpp"

namespace inventory::pg {

// A PostgreSQL error caught by pg_guard(), carried up the C++ stack.
class PgError : public std::exception {
  public:
    explicit PgError(ErrorData* data) noexcept : data_(data) {}
    [[nodiscard]] const char* what() const noexcept override;
    [[nodiscard]] ErrorData* data() const noexcept { return data_; }

  private:
    ErrorData* data_;  // palloc'd in the caller's memory context
};

// Everything needed to raise an error after the C++ frames are gone. Fixed-size buffers: filling
// it cannot allocate, so it cannot fail inside a catch block.
struct ErrorReport {
    int sqlstate;
    char message[1024];
    char detail[1024];
    char hint[512];
    const char* file;  // static strings (inventory::SourceLocation); nullptr if unknown
    int line;
    const char* function;
    ErrorData* postgres_error;  // set when the error came from PostgreSQL itself
};
static_assert(std::is_trivially_destructible_v<ErrorReport>);

// Fills `report` from the exception currently being handled. Call only inside a catch block.
void capture_current_exception(ErrorReport& report) noexcept;

// Raises the captured error with ereport (a PostgreSQL error as a fresh report, see above).
// Never returns.
[[noreturn]] void raise_report(const ErrorReport& report);

// Raises `error` (copied, flushed) again as a fresh report: same SQLSTATE, message, detail,
// hint, schema/table/column/datatype/constraint names and location, no context of its own; the
// callbacks on error_context_stack (the caller's) add theirs. Never returns.
[[noreturn]] void raise_without_context(const ErrorData* error);

namespace detail {
template <typename Body>
bool run_capturing(Body& body, Datum& result, ErrorReport& report) noexcept {
    try {
        result = body();
        return true;
    } catch (...) {
        capture_current_exception(report);
        return false;
    }
}
}  // namespace detail

// Runs a C++ body for a SQL-callable function or trigger and returns its Datum; any exception
// becomes a PostgreSQL error once every C++ frame of the body has been unwound.
template <typename Body>
Datum call_cpp(Body&& body) {
    ErrorReport report;
    Datum result = 0;
    if (detail::run_capturing(body, result, report)) return result;
    raise_report(report);
}

// Calls `thunk(context)` inside PG_TRY. Returns nullptr, or the error it raised, copied into
// the caller's memory context with the error state flushed. The setjmp lives in this one
// function, so no C++ object and no caller's local can be clobbered by the longjmp.
// The thunk runs with error_context_stack cleared: the callbacks of the caller add nothing to
// an error the extension will re-raise anyway.
ErrorData* try_postgres(void (*thunk)(void*), void* context) noexcept;

// Runs `fn` (C calls only) and turns a PostgreSQL error raised inside it into PgError.
template <typename Fn>
auto pg_guard(Fn&& fn) -> std::invoke_result_t<Fn&> {
    using Result = std::invoke_result_t<Fn&>;
    if constexpr (std::is_void_v<Result>) {
        ErrorData* error = try_postgres([](void* f) { (*static_cast<Fn*>(f))(); }, &fn);
        if (error != nullptr) throw PgError(error);
    } else {
        static_assert(std::is_trivially_copyable_v<Result>, "pg_guard returns plain C values only");
        struct Call {
            Fn* fn;
            Result result;
        } call{&fn, Result{}};
        ErrorData* error = try_postgres(
            [](void* c) {
                auto* self = static_cast<Call*>(c);
                self->result = (*self->fn)();
            },
            &call);
        if (error != nullptr) throw PgError(error);
        return call.result;
    }
}

}  // namespace inventory::pg
