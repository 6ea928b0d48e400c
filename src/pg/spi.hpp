// Thin SPI helpers. Every call that can raise a PostgreSQL error goes through pg_guard().
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "pg/error_bridge.hpp"

namespace inventory::pg::spi {

void connect();
void finish();

// A statement prepared on first use and kept for the life of the backend (SPI_keepplan).
// Declare instances as function-local statics. Queries name every object schema-qualified.
class Statement {
  public:
    // How the plan is chosen. Generic: planned once (the statement looks rows up by a key whose
    // index stays the best path). PerCall: planned for each call's arguments and the table's
    // current size, for lookups in a table that starts empty and grows, where a generic plan
    // made while it was tiny would keep scanning it whole.
    enum class Planning { Generic, PerCall };

    Statement(const char* sql, std::initializer_list<Oid> argument_types,
              Planning planning = Planning::Generic);

    // Runs the statement; the rows are in SPI_tuptable. Returns the number of rows.
    std::uint64_t execute(const Datum* values, const char* nulls, bool read_only = false);

    // Runs the statement read-only on a snapshot taken now, whatever the isolation level: under
    // REPEATABLE READ it sees what committed after the transaction's snapshot (as PostgreSQL's
    // foreign-key checks do), to tell whether that snapshot missed a change.
    std::uint64_t execute_on_latest_snapshot(const Datum* values, const char* nulls);

  private:
    void prepare();

    static constexpr int kMaxArguments = 32;
    const char* sql_;
    Oid argument_types_[kMaxArguments];
    int argument_count_;
    Planning planning_;
    SPIPlanPtr plan_ = nullptr;
};

// Column values of row `row` of SPI_tuptable (columns count from 1).
[[nodiscard]] bool is_null(std::uint64_t row, int column);
[[nodiscard]] std::int64_t get_int64(std::uint64_t row, int column);
[[nodiscard]] std::int32_t get_int32(std::uint64_t row, int column);
[[nodiscard]] bool get_bool(std::uint64_t row, int column);
[[nodiscard]] std::optional<std::int64_t> get_optional_int64(std::uint64_t row, int column);
[[nodiscard]] std::optional<std::string> get_optional_text(std::uint64_t row, int column);
[[nodiscard]] Datum get_datum(std::uint64_t row, int column);

// Returns the first `rows` rows of SPI_tuptable as the result set of the calling set-returning
// function (materialize mode), copied out of SPI's memory. The rows' columns must have the types
// of the function's result columns (checked: XX000 otherwise).
void return_rows(FunctionCallInfo fcinfo, std::uint64_t rows);

// A copy of `value` (of a column of SPI_tuptable) in the caller's memory context, which
// survives spi::finish().
[[nodiscard]] Datum copy_out(Datum value, bool by_value, int length);

// A text Datum in the current memory context.
[[nodiscard]] Datum text_datum(std::string_view value);
// The contents of a (possibly toasted) text Datum.
[[nodiscard]] std::string text_value(Datum value);

}  // namespace inventory::pg::spi
