-- Reserve an estimated amount against every bucket of every subject, atomically.
-- All or nothing: when one bucket lacks room, nothing is taken.
--
-- KEYS (3 per subject): bucket hash, usage hash, override hash.
-- ARGV: n_subjects, need_requests, need_tokens, need_usd, usage_ttl_s,
--       then per subject: n_caps, n_caps x (dim, cap)  -- used unless an override exists.
--       and last, the clock ('' for Redis TIME): see buckets.lua.
-- (buckets.lua, in front of this, defines PERIOD, UNIT, now and the helpers.)
-- Returns: {allowed, failed_subject, failed_dim, retry_after_s,
--           per subject: n, n x (dim, cap, remaining, reset_s)}  (numbers as strings).
local n = tonumber(ARGV[1])
local need = {requests=tonumber(ARGV[2]), tokens=tonumber(ARGV[3]), usd=tonumber(ARGV[4])}
local usage_ttl = tonumber(ARGV[5])

local pos = 6
local subjects = {}
local allowed, failed_subject, failed_dim, retry = 1, 0, '', -1
for i = 1, n do
  local bkey, ukey, okey = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local caps
  caps, pos = read_caps(okey, pos)
  local state, elapsed = read_bucket(bkey)
  local budget_used = tonumber(redis.call('HGET', ukey, 'budget_used') or '0') or 0
  local dims = {}
  for _, c in ipairs(caps) do
    local dim, cap = c[1], c[2]
    local used
    if PERIOD[dim] == 0 then
      used = budget_used
    else
      used = in_use(state, dim, cap, elapsed)
    end
    local amount = need[UNIT[dim]]
    if used + amount > cap * (1 + 1e-9) and amount > 0 then  -- SLACK in local.py
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
    write_bucket(bkey, fields, ttl)
    redis.call('HINCRBY', ukey, 'requests', 1)
    if need.usd > 0 then redis.call('HINCRBYFLOAT', ukey, 'budget_used', need.usd) end
  else
    redis.call('HINCRBY', ukey, 'blocked', 1)
  end
  redis.call('EXPIRE', ukey, usage_ttl)
end
return out
