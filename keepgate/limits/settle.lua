-- Settle a reservation with the actual usage, atomically: every bucket gets
-- (actual - reserved) added (a refund when negative), and the usage totals grow.
--
-- KEYS (3 per subject): bucket hash, usage hash, override hash.
-- ARGV: n_subjects, delta_tokens, delta_usd, usage_ttl_s, prompt_tokens,
--       completion_tokens, actual_usd, model, blocked (1: another guard refused the call),
--       then per subject: n_caps, n_caps x (dim, cap)  -- used unless an override exists.
-- Returns: the number of subjects settled.
local PERIOD = {requests=60, tokens=60, usd_minute=60, usd_hour=3600, usd_day=86400,
                usd_month=2592000, budget=0}
local UNIT = {requests='requests', tokens='tokens', usd_minute='usd', usd_hour='usd',
              usd_day='usd', usd_month='usd', budget='usd'}

local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local n = tonumber(ARGV[1])
local delta = {requests=0, tokens=tonumber(ARGV[2]), usd=tonumber(ARGV[3])}
local usage_ttl = tonumber(ARGV[4])
local prompt, completion = tonumber(ARGV[5]), tonumber(ARGV[6])
local actual_usd, model = tonumber(ARGV[7]), ARGV[8]
local blocked = tonumber(ARGV[9])

local function tomap(flat)
  local m = {}
  for i = 1, #flat, 2 do m[flat[i]] = flat[i + 1] end
  return m
end

local pos = 10
for i = 1, n do
  local bkey, ukey, okey = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
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
  pos = pos + 2 * m
  local state = tomap(redis.call('HGETALL', bkey))
  local elapsed = math.max(0, now - (tonumber(state.ts) or now))
  local fields = {'ts', tostring(now)}
  local ttl = 0
  for _, c in ipairs(caps) do
    local dim, cap = c[1], c[2]
    if PERIOD[dim] > 0 then
      local rate = cap / PERIOD[dim]
      local used = math.max(0, (tonumber(state[dim]) or 0) - elapsed * rate)
      used = math.max(0, used + delta[UNIT[dim]])
      fields[#fields + 1] = dim
      fields[#fields + 1] = tostring(used)
      if rate > 0 then ttl = math.max(ttl, used / rate) end
    end
  end
  if #fields > 2 then
    redis.call('HSET', bkey, unpack(fields))
    redis.call('PEXPIRE', bkey, math.ceil(ttl * 1000) + 1000)
  end
  if delta.usd ~= 0 then redis.call('HINCRBYFLOAT', ukey, 'budget_used', delta.usd) end
  if actual_usd > 0 then
    redis.call('HINCRBYFLOAT', ukey, 'spend_usd', actual_usd)
    redis.call('HINCRBYFLOAT', ukey, 'usd:' .. model, actual_usd)
  end
  if prompt + completion > 0 then
    redis.call('HINCRBY', ukey, 'prompt_tokens', prompt)
    redis.call('HINCRBY', ukey, 'completion_tokens', completion)
    redis.call('HINCRBY', ukey, 'tok:' .. model, prompt + completion)
  end
  if blocked == 1 then redis.call('HINCRBY', ukey, 'blocked', 1) end
  redis.call('EXPIRE', ukey, usage_ttl)
end
return n
