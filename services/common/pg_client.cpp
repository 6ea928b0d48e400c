#include "common/pg_client.hpp"

#include <poll.h>

namespace inventory::services {
namespace {
std::string field(const PGresult* result, int code) {
    const char* value = PQresultErrorField(result, code);
    return value ? value : "";
}
}  // namespace

PgConnection::PgConnection(const std::string& conninfo)
    : conn_(PQconnectdb(conninfo.c_str()), &PQfinish) {
    if (!conn_) throw PgError("08006", "out of memory connecting to PostgreSQL");
    if (PQstatus(conn_.get()) != CONNECTION_OK) throw_connection_error("cannot connect");
}

void PgConnection::throw_connection_error(std::string_view context) {
    std::string message = PQerrorMessage(conn_.get());
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    throw PgError("08006", std::string(context) + ": " + message);
}

PgResult PgConnection::exec(const std::string& sql, const PgParams& params) {
    PGresult* raw = nullptr;
    if (params.empty()) {
        raw = PQexec(conn_.get(), sql.c_str());
    } else {
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
        raw = PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                           values.data(), nullptr, nullptr, 0);
    }
    PgResult result(raw);
    if (raw == nullptr || !ok()) throw_connection_error("connection lost");
    const ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
    std::string sqlstate = field(raw, PG_DIAG_SQLSTATE);
    if (sqlstate.empty()) sqlstate = "XX000";
    throw PgError(std::move(sqlstate), field(raw, PG_DIAG_MESSAGE_PRIMARY),
                  field(raw, PG_DIAG_MESSAGE_DETAIL), field(raw, PG_DIAG_MESSAGE_HINT));
}

std::string PgConnection::quote_identifier(std::string_view identifier) {
    std::unique_ptr<char, decltype(&PQfreemem)> quoted(
        PQescapeIdentifier(conn_.get(), identifier.data(), identifier.size()), &PQfreemem);
    if (!quoted) throw_connection_error("cannot quote an identifier");
    return quoted.get();
}

void PgConnection::reset() {
    PQreset(conn_.get());
    if (!ok()) throw_connection_error("cannot reconnect");
}

std::vector<std::string> PgConnection::take_notifications() {
    std::vector<std::string> channels;
    if (PQconsumeInput(conn_.get()) == 0) throw_connection_error("connection lost");
    while (PGnotify* notify = PQnotifies(conn_.get())) {
        channels.emplace_back(notify->relname);
        PQfreemem(notify);
    }
    return channels;
}

bool PgConnection::wait_readable(int timeout_ms) {
    pollfd descriptor{PQsocket(conn_.get()), POLLIN, 0};
    if (descriptor.fd < 0) throw_connection_error("connection lost");
    return ::poll(&descriptor, 1, timeout_ms) > 0;
}

}  // namespace inventory::services
