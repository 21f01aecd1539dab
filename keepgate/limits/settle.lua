-- Settle a reservation with the actual usage, atomically: every bucket gets
-- (actual - reserved) added (a refund when negative), and the usage totals grow.
--
-- KEYS (3 per subject): bucket hash, usage hash, override hash.
-- ARGV: n_subjects, delta_tokens, delta_usd, usage_ttl_s, prompt_tokens,
--       completion_tokens, actual_usd, model, blocked (1: another guard refused the call),
--       then per subject: n_caps, n_caps x (dim, cap)  -- used unless an override exists.
--       and last, the clock ('' for Redis TIME): see buckets.lua.
-- (buckets.lua, in front of this, defines PERIOD, UNIT, now and the helpers.)
-- Returns: the number of subjects settled.
local n = tonumber(ARGV[1])
local delta = {requests=0, tokens=tonumber(ARGV[2]), usd=tonumber(ARGV[3])}
local usage_ttl = tonumber(ARGV[4])
local prompt, completion = tonumber(ARGV[5]), tonumber(ARGV[6])
local actual_usd, model = tonumber(ARGV[7]), ARGV[8]
local blocked = tonumber(ARGV[9])

local pos = 10
for i = 1, n do
  local bkey, ukey, okey = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local caps
  caps, pos = read_caps(okey, pos)
  local state, elapsed = read_bucket(bkey)
  local fields = {'ts', tostring(now)}
  local ttl = 0
  for _, c in ipairs(caps) do
    local dim, cap = c[1], c[2]
    if PERIOD[dim] > 0 then
      local rate = cap / PERIOD[dim]
      local used = math.max(0, in_use(state, dim, cap, elapsed) + delta[UNIT[dim]])
      fields[#fields + 1] = dim
      fields[#fields + 1] = tostring(used)
      if rate > 0 then ttl = math.max(ttl, used / rate) end
    end
  end
  write_bucket(bkey, fields, ttl)
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
