-- What reserve.lua and settle.lua share (redis_backend.py puts this in front of each): the
-- dimensions, the clock, and how a subject's caps and bucket are read and written. Both
-- must read caps and refill buckets the same way, or a settle would undo a reserve wrongly.
local PERIOD = {requests=60, tokens=60, usd_minute=60, usd_hour=3600, usd_day=86400,
                usd_month=2592000, budget=0}
local UNIT = {requests='requests', tokens='tokens', usd_minute='usd', usd_hour='usd',
              usd_day='usd', usd_month='usd', budget='usd'}

-- The clock: Redis's own (one clock for every replica), unless the caller passed its own
-- as the last ARGV (a test's clock seam; '' means the server's).
local now = tonumber(ARGV[#ARGV])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end

local function tomap(flat)
  local m = {}
  for i = 1, #flat, 2 do m[flat[i]] = flat[i + 1] end
  return m
end

-- A subject's caps: its override hash when the admin API set one, else the n_caps x
-- (dim, cap) in ARGV at `pos`. Returns the caps ({dim, cap} pairs) and the next position.
local function read_caps(okey, pos)
  local m = tonumber(ARGV[pos]); pos = pos + 1
  local caps = {}
  local ov = redis.call('HGETALL', okey)
  if #ov > 0 then
    for j = 1, #ov, 2 do
      if ov[j] ~= '_set' then caps[#caps + 1] = {ov[j], tonumber(ov[j + 1])} end
    end
  else
    for j = 1, m do caps[#caps + 1] = {ARGV[pos + 2 * j - 2], tonumber(ARGV[pos + 2 * j - 1])} end
  end
  return caps, pos + 2 * m
end

-- A bucket's stored use per dimension, and the seconds it has refilled since.
local function read_bucket(bkey)
  local state = tomap(redis.call('HGETALL', bkey))
  return state, math.max(0, now - (tonumber(state.ts) or now))
end

-- The use of a refilling dimension still standing after `elapsed` seconds of refill.
local function in_use(state, dim, cap, elapsed)
  return math.max(0, (tonumber(state[dim]) or 0) - elapsed * cap / PERIOD[dim])
end

-- Store a bucket ({'ts', now, dim, use, ...}); it expires when every dimension is full
-- again (`ttl` seconds), so idle subjects cost no memory.
local function write_bucket(bkey, fields, ttl)
  if #fields > 2 then
    redis.call('HSET', bkey, unpack(fields))
    redis.call('PEXPIRE', bkey, math.ceil(ttl * 1000) + 1000)
  end
end
