#include "http/gateway.hpp"

#include "http/api_error.hpp"

namespace inventory::services {
namespace {
thread_local std::unique_ptr<PgConnection> thread_database;
thread_local std::unique_ptr<RedisConnection> thread_redis;
thread_local std::chrono::steady_clock::time_point redis_retry_at{};

ApiError database_unavailable(const std::exception& error) {
    return ApiError(503, "08006", std::string("the database is unavailable: ") + error.what());
}

void roll_back(PgConnection& db) {
    try {
        if (db.ok()) db.exec("ROLLBACK");
    } catch (const PgError&) {
        // The connection is remade by the next request.
    }
}
}  // namespace

Gateway::Gateway(GatewayOptions options)
    : options_(std::move(options)), recent_keys_(options_.key_cache_ttl) {}

PgConnection& Gateway::database() {
    if (thread_database && !thread_database->ok()) thread_database.reset();
    if (!thread_database) {
        try {
            auto connection = std::make_unique<PgConnection>(options_.database);
            // Nothing on the role's search_path changes what the statements below mean.
            connection->exec(
                "SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false), "
                "pg_catalog.set_config('application_name', 'inventory-http', false), "
                "pg_catalog.set_config('statement_timeout', '" +
                std::to_string(options_.statement_timeout_ms) + "', false)");
            thread_database = std::move(connection);
        } catch (const PgError& error) {
            throw database_unavailable(error);
        }
    }
    return *thread_database;
}

std::optional<std::string> Gateway::lookup_role(PgConnection& db, const std::string& key_sha256) {
    db.exec("SET LOCAL ROLE inventory_reader");
    PgResult result = db.exec(
        "SELECT inventory.inventory_api_key_role(pg_catalog.decode($1, 'hex'))", {key_sha256});
    if (result.rows() != 1 || result.is_null(0, 0)) return std::nullopt;
    return std::string(result.text(0, 0));
}

void Gateway::as_key(const std::string& key_sha256,
                     const std::function<void(PgConnection&)>& work) {
    for (int attempt = 0;; ++attempt) {
        PgConnection* connection = &database();
        try {
            connection->exec("BEGIN ISOLATION LEVEL READ COMMITTED");
        } catch (const PgError& error) {
            // A connection the server closed (a restart) is found out here, before anything
            // ran: make a new one and begin again.
            if (!error.connection_lost()) throw api_error_from(error);
            thread_database.reset();
            connection = &database();
            try {
                connection->exec("BEGIN ISOLATION LEVEL READ COMMITTED");
            } catch (const PgError& again) {
                thread_database.reset();
                throw database_unavailable(again);
            }
        }
        PgConnection& db = *connection;
        try {
            const auto role = lookup_role(db, key_sha256);
            if (!role) {
                roll_back(db);
                recent_keys_.forget(key_sha256);
                throw unknown_api_key();
            }
            db.exec("SET LOCAL ROLE " + db.quote_identifier(*role));
            work(db);
            db.exec("COMMIT");
            recent_keys_.remember(key_sha256, *role);
            return;
        } catch (const PgError& error) {
            roll_back(db);
            if (error.connection_lost()) {
                thread_database.reset();
                throw database_unavailable(error);
            }
            const bool retry = error.sqlstate == "40001" || error.sqlstate == "40P01";
            if (retry && attempt < options_.serialization_retries) continue;
            throw api_error_from(error);
        } catch (...) {
            roll_back(db);
            throw;
        }
    }
}

std::string Gateway::role_for_cached_read(const std::string& key_sha256) {
    if (auto role = recent_keys_.role_of(key_sha256)) return *role;
    std::string found;
    as_key(key_sha256, [&](PgConnection& db) {
        found = std::string(db.exec("SELECT CURRENT_USER").text(0, 0));
    });
    return found;
}

RedisConnection* Gateway::redis() {
    if (thread_redis) return thread_redis.get();
    if (std::chrono::steady_clock::now() < redis_retry_at) return nullptr;
    try {
        thread_redis = std::make_unique<RedisConnection>(options_.redis, 1000);
    } catch (const RedisError&) {
        redis_retry_at = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        return nullptr;
    }
    return thread_redis.get();
}

void Gateway::redis_failed() {
    thread_redis.reset();
}

bool Gateway::database_answers() {
    try {
        database().exec("SELECT 1");
        return true;
    } catch (const std::exception&) {
        thread_database.reset();
        return false;
    }
}

}  // namespace inventory::services
