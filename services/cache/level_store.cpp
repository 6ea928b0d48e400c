#include "cache/level_store.hpp"

#include <chrono>
#include <random>
#include <string_view>

namespace inventory::services {
namespace {
// KEYS[1] the state hash. ARGV: generation, prefix, position ("" keeps it), synced_at_ms, then
// six values per level: sku, warehouse_id, on_hand, reserved, available_to_sell, version.
// Totals per SKU move by HINCRBY with the old figures negated as text and the new ones added, so
// the arithmetic is Redis's exact 64-bit integers, never Lua's doubles. A SKU's
// available_to_sell counts a backordered warehouse as 0, as inventory_ats(sku) does; its
// version is the sum of its levels' versions.
constexpr std::string_view kApplyScript = R"lua(
local state = KEYS[1]
if redis.call('HGET', state, 'generation') ~= ARGV[1] then return -1 end
local prefix = ARGV[2]
local function negated(text)
  if text == '0' then return '0' end  -- Redis refuses '-0' as an integer
  if string.sub(text, 1, 1) == '-' then return string.sub(text, 2) end
  return '-' .. text
end
local function sellable(text)
  if string.sub(text, 1, 1) == '-' then return '0' end
  return text
end
local fields = {'on_hand', 'reserved', 'available_to_sell', 'version'}
local written = 0
for i = 5, #ARGV, 6 do
  local sku, warehouse = ARGV[i], ARGV[i + 1]
  local new = {ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]}
  local key = prefix .. 'level:' .. warehouse .. ':' .. sku
  local old = redis.call('HMGET', key, 'on_hand', 'reserved', 'available_to_sell', 'version')
  local gone = tonumber(new[4]) == 0
  if old[4] == false or gone or tonumber(new[4]) >= tonumber(old[4]) then
    local total = prefix .. 'sku:' .. sku
    if old[4] ~= false then
      old[3] = sellable(old[3])
      for f = 1, 4 do redis.call('HINCRBY', total, fields[f], negated(old[f])) end
    end
    if gone then
      redis.call('DEL', key)
      redis.call('SREM', prefix .. 'levels', warehouse .. ':' .. sku)
    else
      redis.call('HSET', key, 'on_hand', new[1], 'reserved', new[2],
                 'available_to_sell', new[3], 'version', new[4])
      redis.call('SADD', prefix .. 'levels', warehouse .. ':' .. sku)
      new[3] = sellable(new[3])
      for f = 1, 4 do redis.call('HINCRBY', total, fields[f], new[f]) end
    end
    written = written + 1
  end
end
if ARGV[3] ~= '' then
  redis.call('HSET', state, 'position', ARGV[3], 'synced_at_ms', ARGV[4])
end
return written
)lua";

std::optional<std::string> field_of(const RedisReply& reply, std::size_t index) {
    if (reply->type != REDIS_REPLY_ARRAY || index >= reply->elements) return std::nullopt;
    const redisReply* element = reply->element[index];
    if (element->type != REDIS_REPLY_STRING) return std::nullopt;
    return std::string(element->str, element->len);
}

std::string new_generation() {
    std::random_device random;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) +
           "-" + std::to_string(random());
}
}  // namespace

LevelStore::LevelStore(RedisConnection& redis, CacheLayout layout)
    : redis_(redis), layout_(std::move(layout)) {
    script_sha_ = redis_.get_string({"SCRIPT", "LOAD", std::string(kApplyScript)}).value_or("");
}

CacheState LevelStore::read_state() {
    RedisReply reply = redis_.command(
        {"HMGET", layout_.state_key(), "generation", "position", "synced_at_ms", "redis_run_id"});
    CacheState state;
    state.generation = field_of(reply, 0);
    state.position = field_of(reply, 1);
    if (auto synced = field_of(reply, 2)) state.synced_at_ms = std::stoll(*synced);
    state.redis_run_id = field_of(reply, 3);
    return state;
}

std::string LevelStore::begin_resync(const std::string& run_id) {
    std::string generation = new_generation();
    redis_.command({"HSET", layout_.state_key(), "generation", generation, "redis_run_id", run_id});
    return generation;
}

bool LevelStore::apply(const std::string& generation, const std::vector<LevelFigures>& rows,
                       const std::optional<std::string>& position, std::int64_t synced_at_ms) {
    std::vector<std::string> arguments{"EVALSHA",
                                       script_sha_,
                                       "1",
                                       layout_.state_key(),
                                       generation,
                                       layout_.prefix,
                                       position.value_or(""),
                                       std::to_string(synced_at_ms)};
    arguments.reserve(arguments.size() + rows.size() * 6);
    for (const auto& row : rows) {
        arguments.insert(arguments.end(), {row.sku, std::to_string(row.warehouse_id), row.on_hand,
                                           row.reserved, row.available_to_sell, row.version});
    }
    RedisReply reply = [&] {
        try {
            return redis_.command(arguments);
        } catch (const RedisError& error) {
            // A Redis that restarted forgot the script: load it again once.
            if (std::string_view(error.what()).find("NOSCRIPT") == std::string_view::npos) throw;
            script_sha_ =
                redis_.get_string({"SCRIPT", "LOAD", std::string(kApplyScript)}).value_or("");
            arguments[1] = script_sha_;
            return redis_.command(arguments);
        }
    }();
    return reply->type == REDIS_REPLY_INTEGER && reply->integer >= 0;
}

std::vector<std::string> LevelStore::held_levels() {
    RedisReply reply = redis_.command({"SMEMBERS", layout_.levels_key()});
    std::vector<std::string> members;
    for (std::size_t i = 0; i < reply->elements; ++i)
        members.emplace_back(reply->element[i]->str, reply->element[i]->len);
    return members;
}

}  // namespace inventory::services
