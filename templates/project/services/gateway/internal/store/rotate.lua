-- Rotate one refresh token atomically: the same rules as record.rotate in
-- family.go (keep both in step). All times are Unix milliseconds.
-- KEYS[1] family hash, KEYS[2] used zset
-- ARGV: presented hash, now, grace, ttl, successor hash, sealed successor
-- An empty now means the Redis server's clock (TIME), which every replica
-- shares, so clock skew between replicas cannot turn a parallel refresh into
-- a reuse. (A script that reads TIME and writes is legal since Redis 5, which
-- replicates a script's effects rather than the script.)
-- Reply: {outcome} or {'rotated'|'retry', issued_at, uid, prov, email, name, image, prt, abs [, prev_succ]}
local fam, used = KEYS[1], KEYS[2]
local h = ARGV[1]
local now, grace, ttl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local now_ms = string.format('%d', now)

local v = redis.call('HMGET', fam, 'st', 'cur', 'cur_at', 'prev', 'prev_at', 'abs')
if not v[1] then return {'notfound'} end
local st, cur, cur_at, prev, prev_at = v[1], v[2], tonumber(v[3]), v[4], tonumber(v[5])
local abs = tonumber(v[6]) or 0

-- Which token is it? A consumed token is forgotten once it could no longer be
-- valid anyway (consumed + ttl). Garbage with a valid fid revokes nothing.
local kind
if h == cur then
  kind = 'cur'
elseif h == prev then
  if now < prev_at + ttl then kind = 'prev' end
else
  local at = redis.call('ZSCORE', used, h)
  if at and now < tonumber(at) + ttl then kind = 'used' end
end
if not kind then return {'notfound'} end
if st == 'revoked' then return {'revoked'} end
if abs > 0 and now >= abs then return {'expired'} end

local function family(kind, issued)
  local f = redis.call('HMGET', fam, 'uid', 'prov', 'email', 'name', 'image', 'prt', 'abs', 'prev_succ')
  local r = {kind, issued}
  for i = 1, 7 do r[#r + 1] = f[i] or '' end
  if kind == 'retry' then r[#r + 1] = f[8] or '' end
  return r
end

if kind == 'cur' then
  if now >= cur_at + ttl then return {'expired'} end
  redis.call('HSET', fam, 'cur', ARGV[5], 'cur_at', now_ms,
    'prev', h, 'prev_at', now_ms, 'prev_succ', ARGV[6])
  redis.call('ZADD', used, now_ms, h)
  redis.call('ZREMRANGEBYSCORE', used, '-inf', string.format('%d', now - ttl))
  local exp = now + ttl
  if abs > 0 and abs < exp then exp = abs end
  redis.call('PEXPIREAT', fam, string.format('%d', exp))
  redis.call('PEXPIREAT', used, string.format('%d', exp))
  return family('rotated', now_ms)
end

if kind == 'prev' and now - prev_at <= grace then
  -- A parallel or retried refresh: the same successor again.
  return family('retry', v[5])
end

-- A rotated token came back after its grace window: revoke the family.
redis.call('HSET', fam, 'st', 'revoked')
redis.call('HDEL', fam, 'prt', 'prev_succ')
return {'reuse'}
