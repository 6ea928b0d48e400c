// A thin RAII layer over libpq for the services (inventory-cache, inventory-http): one
// connection, text-format parameters and results, and PostgreSQL's errors as values with their
// SQLSTATE. No PostgreSQL server headers: this is a client.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace inventory::services {

// An error reported by the server (with its SQLSTATE) or by libpq (SQLSTATE "08006" when the
// connection is gone, as PostgreSQL names a connection failure).
struct PgError : std::runtime_error {
    PgError(std::string sqlstate, std::string message, std::string detail = {},
            std::string hint = {})
        : std::runtime_error(message),
          sqlstate(std::move(sqlstate)),
          detail(std::move(detail)),
          hint(std::move(hint)) {}
    std::string sqlstate;
    std::string detail;
    std::string hint;
    [[nodiscard]] bool connection_lost() const { return sqlstate.starts_with("08"); }
};

// One result; every value is text or NULL.
class PgResult {
  public:
    explicit PgResult(PGresult* result) : result_(result, &PQclear) {}
    [[nodiscard]] int rows() const { return PQntuples(result_.get()); }
    [[nodiscard]] int columns() const { return PQnfields(result_.get()); }
    [[nodiscard]] std::string_view column_name(int column) const {
        return PQfname(result_.get(), column);
    }
    [[nodiscard]] bool is_null(int row, int column) const {
        return PQgetisnull(result_.get(), row, column) != 0;
    }
    [[nodiscard]] std::string_view text(int row, int column) const {
        return {PQgetvalue(result_.get(), row, column),
                static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
    }
    [[nodiscard]] std::optional<std::string> value(int row, int column) const {
        if (is_null(row, column)) return std::nullopt;
        return std::string(text(row, column));
    }
    // The column's PostgreSQL type oid (20 bigint, 23 integer, 16 boolean, 3802 jsonb, ...).
    [[nodiscard]] unsigned type(int column) const { return PQftype(result_.get(), column); }

  private:
    std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

using PgParams = std::vector<std::optional<std::string>>;

class PgConnection {
  public:
    // Connects with a libpq connection string (or URI); throws PgError when it cannot.
    explicit PgConnection(const std::string& conninfo);

    // Runs one statement with text parameters ($1, $2, ...; nullopt is NULL) and returns its
    // result; throws PgError on an error. Several statements are allowed without parameters.
    PgResult exec(const std::string& sql, const PgParams& params = {});

    // Quotes an identifier (a role name, say) for SQL text.
    [[nodiscard]] std::string quote_identifier(std::string_view identifier);

    [[nodiscard]] bool ok() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
    // Reconnects with the same settings; throws PgError when it cannot.
    void reset();
    // The notifications received so far (LISTEN); reads what the socket has without waiting.
    std::vector<std::string> take_notifications();
    // Waits up to timeout_ms for input on the connection (a notification); false on timeout.
    bool wait_readable(int timeout_ms);
    [[nodiscard]] PGconn* native() { return conn_.get(); }

  private:
    [[noreturn]] void throw_connection_error(std::string_view context);
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

}  // namespace inventory::services
