#include "pg/spi.hpp"

#include <stdexcept>

namespace inventory::pg::spi {

void connect() {
    pg_guard([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "inventory: SPI_connect failed");
    });
}

void finish() {
    pg_guard([] {
        if (SPI_finish() != SPI_OK_FINISH) elog(ERROR, "inventory: SPI_finish failed");
    });
}

Statement::Statement(const char* sql, std::initializer_list<Oid> argument_types, Planning planning)
    : sql_(sql),
      argument_types_{},
      argument_count_(static_cast<int>(argument_types.size())),
      planning_(planning) {
    if (argument_types.size() > kMaxArguments) throw std::logic_error("too many SPI arguments");
    int i = 0;
    for (Oid type : argument_types) argument_types_[i++] = type;
}

void Statement::prepare() {
    if (plan_ != nullptr) return;
    plan_ = pg_guard([this] {
        // Generic: with array parameters the plan cache would otherwise re-plan on every call.
        const int options =
            planning_ == Planning::Generic ? CURSOR_OPT_GENERIC_PLAN : CURSOR_OPT_CUSTOM_PLAN;
        SPIPlanPtr plan = SPI_prepare_cursor(sql_, argument_count_, argument_types_, options);
        if (plan == nullptr) {
            elog(ERROR, "inventory: SPI_prepare failed (%s): %s",
                 SPI_result_code_string(SPI_result), sql_);
        }
        if (SPI_keepplan(plan) != 0) elog(ERROR, "inventory: SPI_keepplan failed");
        return plan;
    });
}

std::uint64_t Statement::execute(const Datum* values, const char* nulls, bool read_only) {
    prepare();
    return pg_guard([&]() -> std::uint64_t {
        int rc = SPI_execute_plan(plan_, const_cast<Datum*>(values), nulls, read_only, 0);
        if (rc < 0) {
            elog(ERROR, "inventory: SPI_execute_plan failed (%s): %s", SPI_result_code_string(rc),
                 sql_);
        }
        return SPI_processed;
    });
}

std::uint64_t Statement::execute_on_latest_snapshot(const Datum* values, const char* nulls) {
    prepare();
    return pg_guard([&]() -> std::uint64_t {
        int rc = SPI_execute_snapshot(plan_, const_cast<Datum*>(values), nulls, GetLatestSnapshot(),
                                      InvalidSnapshot, true, false, 0);
        if (rc < 0) {
            elog(ERROR, "inventory: SPI_execute_snapshot failed (%s): %s",
                 SPI_result_code_string(rc), sql_);
        }
        return SPI_processed;
    });
}

Datum get_datum(std::uint64_t row, int column) {
    bool null = false;
    Datum value = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, &null);
    if (null) throw std::logic_error("unexpected NULL in an inventory query result");
    return value;
}

bool is_null(std::uint64_t row, int column) {
    bool null = false;
    (void)SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, &null);
    return null;
}

std::int64_t get_int64(std::uint64_t row, int column) {
    return DatumGetInt64(get_datum(row, column));
}

std::int32_t get_int32(std::uint64_t row, int column) {
    return DatumGetInt32(get_datum(row, column));
}

bool get_bool(std::uint64_t row, int column) {
    return DatumGetBool(get_datum(row, column));
}

std::optional<std::int64_t> get_optional_int64(std::uint64_t row, int column) {
    if (is_null(row, column)) return std::nullopt;
    return get_int64(row, column);
}

std::optional<std::string> get_optional_text(std::uint64_t row, int column) {
    if (is_null(row, column)) return std::nullopt;
    return text_value(get_datum(row, column));
}

void return_rows(FunctionCallInfo fcinfo, std::uint64_t rows) {
    pg_guard([fcinfo, rows] {
        InitMaterializedSRF(fcinfo, 0);
        auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
        const TupleDesc result = rsinfo->setDesc;
        const TupleDesc source = SPI_tuptable->tupdesc;
        if (source->natts != result->natts) {
            elog(ERROR, "inventory: a query gave %d columns for a result of %d", source->natts,
                 result->natts);
        }
        for (int i = 0; i < result->natts; ++i) {
            if (TupleDescAttr(source, i)->atttypid != TupleDescAttr(result, i)->atttypid) {
                elog(ERROR, "inventory: column %d of a query has type %u, its result column %u",
                     i + 1, TupleDescAttr(source, i)->atttypid, TupleDescAttr(result, i)->atttypid);
            }
        }
        for (std::uint64_t r = 0; r < rows; ++r) {
            tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[r]);
        }
    });
}

Datum copy_out(Datum value, bool by_value, int length) {
    return pg_guard([=] { return SPI_datumTransfer(value, by_value, length); });
}

Datum text_datum(std::string_view value) {
    return pg_guard([value] {
        return PointerGetDatum(
            cstring_to_text_with_len(value.data(), static_cast<int>(value.size())));
    });
}

std::string text_value(Datum value) {
    struct Bytes {
        const char* data;
        int length;
    };
    Bytes bytes = pg_guard([value] {
        text* t = DatumGetTextPP(value);
        return Bytes{VARDATA_ANY(t), static_cast<int>(VARSIZE_ANY_EXHDR(t))};
    });
    return std::string(bytes.data, static_cast<std::size_t>(bytes.length));
}

}  // namespace inventory::pg::spi
