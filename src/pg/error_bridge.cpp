#include <cstring>
#include <new>
#include <string>

#include "core/error.hpp"
#include "pg/error_bridge.hpp"

namespace inventory::pg {
namespace {

template <std::size_t N>
void copy_text(char (&target)[N], const char* source) noexcept {
    if (source == nullptr) {
        target[0] = '\0';
        return;
    }
    std::size_t length = std::strlen(source);
    if (length > N - 1) {
        length = N - 1;
        // Cut on a UTF-8 character boundary: never send a broken character to the client.
        while (length > 0 && (static_cast<unsigned char>(source[length]) & 0xC0) == 0x80) --length;
    }
    std::memcpy(target, source, length);
    target[length] = '\0';
}

void fill(ErrorReport& report, std::string_view sqlstate, const char* message,
          const char* detail = nullptr, const char* hint = nullptr) noexcept {
    report.sqlstate =
        MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3], sqlstate[4]);
    copy_text(report.message, message);
    copy_text(report.detail, detail);
    copy_text(report.hint, hint);
    report.file = nullptr;
    report.line = 0;
    report.function = nullptr;
    report.postgres_error = nullptr;
}

}  // namespace

const char* PgError::what() const noexcept {
    return data_ != nullptr && data_->message != nullptr ? data_->message : "PostgreSQL error";
}

void capture_current_exception(ErrorReport& report) noexcept {
    try {
        throw;
    } catch (const PgError& e) {
        fill(report, "XX000", e.what());
        report.postgres_error = e.data();
    } catch (const Error& e) {
        fill(report, sqlstate(e.code()), e.what(), e.detail().c_str(), e.hint().c_str());
        report.file = e.where().file_name();
        report.line = static_cast<int>(e.where().line());
        report.function = e.where().function_name();
    } catch (const std::bad_alloc&) {
        fill(report, "53200", "out of memory in the inventory extension");
    } catch (const std::exception& e) {
        fill(report, "XX000", e.what(), nullptr,
             "This is a bug in the inventory extension; please report it.");
    } catch (...) {
        fill(report, "XX000", "unknown C++ exception in the inventory extension");
    }
}

ErrorData* try_postgres(void (*thunk)(void*), void* context) noexcept {
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData* volatile caught = nullptr;
    PG_TRY();
    {
        error_context_stack = nullptr;  // PG_CATCH and PG_END_TRY restore the caller's
        thunk(context);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        caught = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    return caught;
}

void raise_without_context(const ErrorData* error) {
    if (errstart(ERROR, error->domain)) {
        errcode(error->sqlerrcode);
        errmsg_internal("%s", error->message != nullptr ? error->message : "PostgreSQL error");
        if (error->detail != nullptr) errdetail_internal("%s", error->detail);
        if (error->detail_log != nullptr) errdetail_log("%s", error->detail_log);
        if (error->hint != nullptr) errhint("%s", error->hint);
        if (error->schema_name != nullptr)
            err_generic_string(PG_DIAG_SCHEMA_NAME, error->schema_name);
        if (error->table_name != nullptr) err_generic_string(PG_DIAG_TABLE_NAME, error->table_name);
        if (error->column_name != nullptr)
            err_generic_string(PG_DIAG_COLUMN_NAME, error->column_name);
        if (error->datatype_name != nullptr) {
            err_generic_string(PG_DIAG_DATATYPE_NAME, error->datatype_name);
        }
        if (error->constraint_name != nullptr) {
            err_generic_string(PG_DIAG_CONSTRAINT_NAME, error->constraint_name);
        }
        errfinish(error->filename, error->lineno, error->funcname);
    }
    pg_unreachable();
}

void raise_report(const ErrorReport& report) {
    if (report.postgres_error != nullptr) raise_without_context(report.postgres_error);
    const char* file = report.file != nullptr ? report.file : __FILE__;
    const int line = report.file != nullptr ? report.line : __LINE__;
    const char* function = report.function != nullptr ? report.function : __func__;
    if (errstart(ERROR, TEXTDOMAIN)) {
        errcode(report.sqlstate);
        errmsg_internal("%s", report.message);
        if (report.detail[0] != '\0') errdetail_internal("%s", report.detail);
        if (report.hint[0] != '\0') errhint("%s", report.hint);
        errfinish(file, line, function);
    }
    pg_unreachable();
}

}  // namespace inventory::pg
