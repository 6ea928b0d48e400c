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
    { thunk(context); }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        caught = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    return caught;
}

void raise_report(const ErrorReport& report) {
    if (report.postgres_error != nullptr) {
        // The extension's own errors (class IV) raised in a trigger under SPI carry the internal
        // INSERT as context; it tells the caller nothing, so it is dropped.
        ErrorData* error = report.postgres_error;
        if (PGUNSIXBIT(error->sqlerrcode) == 'I' && PGUNSIXBIT(error->sqlerrcode >> 6) == 'V') {
            error->context = nullptr;
        }
        ReThrowError(error);
    }
    // The error's LOCATION names this line; pin it so that edits above do not change it.
#line 1 "inventory/error_bridge.cpp"
    ereport(ERROR, (errcode(report.sqlstate), errmsg_internal("%s", report.message),
                    report.detail[0] != '\0' ? errdetail_internal("%s", report.detail) : 0,
                    report.hint[0] != '\0' ? errhint("%s", report.hint) : 0));
    pg_unreachable();
}

}  // namespace inventory::pg
