// ArrayBuilder: the array parameters of the set-wise statements (one unnest() per column).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "pg/error_bridge.hpp"

namespace inventory::pg {

// A one-dimensional array Datum of `type` built from values and NULL flags.
class ArrayBuilder {
  public:
    explicit ArrayBuilder(Oid type) : type_(type) {}
    void add(Datum value) {
        values_.push_back(value);
        nulls_.push_back(0);
    }
    void add_null() {
        values_.push_back(Datum{0});
        nulls_.push_back(1);
    }
    template <typename T, typename ToDatum>
    void add_optional(const std::optional<T>& value, ToDatum&& to_datum) {
        if (value) {
            add(to_datum(*value));
        } else {
            add_null();
        }
    }
    // The one-row case binds the value itself: a set-returning unnest() costs more than the
    // whole statement when there is a single row.
    [[nodiscard]] Datum first() const { return values_.front(); }
    [[nodiscard]] char first_null_flag() const { return nulls_.front() != 0 ? 'n' : ' '; }
    [[nodiscard]] Datum build() const {
        return pg_guard([this] {
            const int count = static_cast<int>(values_.size());
            if (count == 0) return PointerGetDatum(construct_empty_array(type_));
            int16 length;
            bool by_value;
            char align;
            get_typlenbyvalalign(type_, &length, &by_value, &align);
            bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * static_cast<Size>(count)));
            for (int i = 0; i < count; ++i) nulls[i] = nulls_[static_cast<std::size_t>(i)] != 0;
            int dims[1] = {count};
            int lower_bounds[1] = {1};
            return PointerGetDatum(construct_md_array(const_cast<Datum*>(values_.data()), nulls, 1,
                                                      dims, lower_bounds, type_, length, by_value,
                                                      align));
        });
    }

  private:
    Oid type_;
    std::vector<Datum> values_;
    std::vector<char> nulls_;
};

// The parameters of a statement with a one-row and an array variant: the first value of each
// column when `one_row`, else each column's array. `nulls` may be null when no column has NULLs.
inline void bind_columns(std::span<const ArrayBuilder* const> columns, bool one_row, Datum* values,
                         char* nulls) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
        values[c] = one_row ? columns[c]->first() : columns[c]->build();
        if (nulls != nullptr) nulls[c] = one_row ? columns[c]->first_null_flag() : ' ';
    }
}

}  // namespace inventory::pg
