-- Revoke the family of a token (logout): the same rules as record.knows/revoke
-- in family.go. Unknown tokens and garbage with a valid fid change nothing.
-- KEYS[1] family hash, KEYS[2] used zset; ARGV[1] presented hash.
local fam, used = KEYS[1], KEYS[2]
local h = ARGV[1]
local v = redis.call('HMGET', fam, 'st', 'cur', 'prev')
if not v[1] or v[1] == 'revoked' then return 0 end
if h == v[2] or h == v[3] or redis.call('ZSCORE', used, h) then
  redis.call('HSET', fam, 'st', 'revoked')
  redis.call('HDEL', fam, 'prt', 'prev_succ')
  return 1
end
return 0
