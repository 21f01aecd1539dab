-- Reserve an estimated amount against every bucket of every subject, atomically.
-- All or nothing: when one bucket lacks room, nothing is taken.
--
-- KEYS (3 per subject): bucket hash, usage hash, override hash.
-- ARGV: n_subjects, need_requests, need_tokens, need_usd, usage_ttl_s,
--       then per subject: n_caps, n_caps x (dim, cap)  -- used unless an override exists.
-- Returns: {allowed, failed_subject, failed_dim, retry_after_s,
--           per subject: n, n x (dim, cap, remaining, reset_s)}  (numbers as strings).
local PERIOD = {requests=60, tokens=60, usd_minute=60, usd_hour=3600, usd_day=86400,
                usd_month=2592000, budget=0}
local UNIT = {requests='requests', tokens='tokens', usd_minute='usd', usd_hour='usd',
              usd_day='usd', usd_month='usd', budget='usd'}

local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local n = tonumber(ARGV[1])
local need = {requests=tonumber(ARGV[2]), tokens=tonumber(ARGV[3]), usd=tonumber(ARGV[4])}
local usage_ttl = tonumber(ARGV[5])

local function tomap(flat)
  local m = {}
  for i = 1, #flat, 2 do m[flat[i]] = flat[i + 1] end
  return m
end

local pos = 6
local subjects = {}
local allowed, failed_subject, failed_dim, retry = 1, 0, '', -1
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
  local budget_used = tonumber(redis.call('HGET', ukey, 'budget_used') or '0') or 0
  local dims = {}
  for _, c in ipairs(caps) do
    local dim, cap = c[1], c[2]
    local used
    if PERIOD[dim] == 0 then
      used = budget_used
    else
      used = math.max(0, (tonumber(state[dim]) or 0) - elapsed * cap / PERIOD[dim])
    end
    local amount = need[UNIT[dim]]
    if used + amount > cap and amount > 0 then
      local wait = -1
      if PERIOD[dim] > 0 and amount <= cap and cap > 0 then
        wait = (used + amount - cap) * PERIOD[dim] / cap
      end
      if allowed == 1 then
        failed_subject, failed_dim, retry = i, dim, wait
      elseif retry >= 0 and (wait < 0 or wait > retry) then
        failed_subject, failed_dim, retry = i, dim, wait
      end
      allowed = 0
    end
    dims[#dims + 1] = {dim, cap, used, amount}
  end
  subjects[i] = {bkey, ukey, dims}
end

local out = {tostring(allowed), tostring(failed_subject), failed_dim, tostring(retry)}
for i = 1, n do
  local bkey, ukey, dims = subjects[i][1], subjects[i][2], subjects[i][3]
  out[#out + 1] = tostring(#dims)
  local ttl = 0
  local fields = {'ts', tostring(now)}
  for _, d in ipairs(dims) do
    local dim, cap, used, amount = d[1], d[2], d[3], d[4]
    if allowed == 1 then used = used + amount end
    local rate = 0
    if PERIOD[dim] > 0 then
      rate = cap / PERIOD[dim]
      fields[#fields + 1] = dim
      fields[#fields + 1] = tostring(used)
      if rate > 0 then ttl = math.max(ttl, used / rate) end
    end
    local reset = -1
    if rate > 0 then reset = used / rate end
    out[#out + 1] = dim
    out[#out + 1] = tostring(cap)
    out[#out + 1] = tostring(math.max(0, cap - used))
    out[#out + 1] = tostring(reset)
  end
  if allowed == 1 then
    if #fields > 2 then
      redis.call('HSET', bkey, unpack(fields))
      redis.call('PEXPIRE', bkey, math.ceil(ttl * 1000) + 1000)
    end
    redis.call('HINCRBY', ukey, 'requests', 1)
    if need.usd > 0 then redis.call('HINCRBYFLOAT', ukey, 'budget_used', need.usd) end
  else
    redis.call('HINCRBY', ukey, 'blocked', 1)
  end
  redis.call('EXPIRE', ukey, usage_ttl)
end
return out
