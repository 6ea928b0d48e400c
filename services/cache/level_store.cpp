#include "cache/level_store.hpp"

#include <chrono>
#include <random>
#include <string_view>

namespace inventory::services {
namespace {
// KEYS[1] the state hash, KEYS[2] the set of levels. ARGV: generation, position ("" keeps it),
// synced_at_ms, then seven values per level: its key, its SKU's key and its member of KEYS[2]
// (all named by CacheLayout), on_hand, reserved, available_to_sell, version.
// Totals per SKU move by HINCRBY with the old figures negated as text and the new ones added, so
// the arithmetic is Redis's exact 64-bit integers, never Lua's doubles. A SKU's
// available_to_sell counts a backordered warehouse as 0, as inventory_ats(sku) does; its
// version is the sum of its levels' versions.
constexpr std::string_view kApplyScript = R"lua(
local state, levels = KEYS[1], KEYS[2]
if redis.call('HGET', state, 'generation') ~= ARGV[1] then return -1 end
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
for i = 4, #ARGV, 7 do
  local key, total, member = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local new = {ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]}
  local old = redis.call('HMGET', key, 'on_hand', 'reserved', 'available_to_sell', 'version')
  local gone = tonumber(new[4]) == 0
  if old[4] == false or gone or tonumber(new[4]) >= tonumber(old[4]) then
    if old[4] ~= false then
      old[3] = sellable(old[3])
      for f = 1, 4 do redis.call('HINCRBY', total, fields[f], negated(old[f])) end
    end
    if gone then
      redis.call('DEL', key)
      redis.call('SREM', levels, member)
    else
      redis.call('HSET', key, 'on_hand', new[1], 'reserved', new[2],
                 'available_to_sell', new[3], 'version', new[4])
      redis.call('SADD', levels, member)
      new[3] = sellable(new[3])
      for f = 1, 4 do redis.call('HINCRBY', total, fields[f], new[f]) end
    end
    written = written + 1
  end
end
if ARGV[2] ~= '' then
  redis.call('HSET', state, 'position', ARGV[2], 'synced_at_ms', ARGV[3])
end
return written
)lua";

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
    state.generation = reply.element_text(0);
    state.position = reply.element_text(1);
    if (auto synced = reply.element_text(2)) state.synced_at_ms = std::stoll(*synced);
    state.redis_run_id = reply.element_text(3);
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
                                       "2",
                                       layout_.state_key(),
                                       layout_.levels_key(),
                                       generation,
                                       position.value_or(""),
                                       std::to_string(synced_at_ms)};
    arguments.reserve(arguments.size() + rows.size() * 7);
    for (const auto& row : rows) {
        arguments.insert(arguments.end(),
                         {layout_.level_key(row.sku, row.warehouse_id), layout_.sku_key(row.sku),
                          CacheLayout::level_member(row.sku, row.warehouse_id), row.on_hand,
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
    for (std::size_t i = 0; i < reply->elements; ++i) members.push_back(*reply.element_text(i));
    return members;
}

}  // namespace inventory::services
