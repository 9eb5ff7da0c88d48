/**
 * The index's Lua scripts. Each runs atomically inside Redis, touching only keys of one generation
 * (one hash tag: `p` below is the generation's key prefix, `KEYS[1]` its `live` marker), so they
 * also run on Redis Cluster. A generation being retired loses its `live` key first; writes to it are
 * then refused (-1) rather than leaving stray keys behind.
 */

/** Shared helpers: UTF-8 characters, one-deletion variants, one-edit test, set membership upkeep. */
const HELPERS = String.raw`
local FUZZY_MIN = 5
-- How long a scope set outlives its ':ok' marker: a read that found the marker still finds the set.
local SCOPE_GRACE_MS = 60000

local function chars(s)
  local out = {}
  for ch in string.gmatch(s, '[%z\1-\127\194-\244][\128-\191]*') do out[#out + 1] = ch end
  return out
end

local function deletions(s)
  local cs = chars(s)
  local seen, out = {}, {}
  for i = 1, #cs do
    local v = table.concat(cs, '', 1, i - 1) .. table.concat(cs, '', i + 1, #cs)
    if not seen[v] then seen[v] = true; out[#out + 1] = v end
  end
  return out, #cs
end

-- True when b is one insertion, deletion, substitution or adjacent swap away from a.
local function oneEdit(a, b)
  if a == b then return false end
  local x, y = chars(a), chars(b)
  local m, n = #x, #y
  if math.abs(m - n) > 1 then return false end
  local i = 1
  while i <= m and i <= n and x[i] == y[i] do i = i + 1 end
  if m == n then
    local same = true
    for k = i + 1, m do if x[k] ~= y[k] then same = false; break end end
    if same then return true end
    if i < m and x[i] == y[i + 1] and x[i + 1] == y[i] then
      for k = i + 2, m do if x[k] ~= y[k] then return false end end
      return true
    end
    return false
  elseif m + 1 == n then
    for k = i, m do if x[k] ~= y[k + 1] then return false end end
    return true
  else
    for k = i, n do if x[k + 1] ~= y[k] then return false end end
    return true
  end
end

local function count(key, member, delta)
  local n = tonumber(redis.call('ZINCRBY', key, delta, member))
  if n <= 0 then redis.call('ZREM', key, member) end
end

-- Files (add) or unfiles (not add) one title under every set its entry names.
local function apply(p, id, e, add)
  local delta = add and 1 or -1
  local sorted = { { 'all:new', e.n }, { 'all:name', e.s }, { 'all:year', e.ys }, { 'kind:' .. e.k, e.n } }
  for _, g in ipairs(e.g) do sorted[#sorted + 1] = { 'genre:' .. g, e.n } end
  if e.y ~= '' then sorted[#sorted + 1] = { 'year:' .. e.y, e.n } end
  for _, s in ipairs(sorted) do
    if add then redis.call('ZADD', p .. s[1], s[2], id) else redis.call('ZREM', p .. s[1], id) end
  end
  if add then redis.call('HSET', p .. 'names', id, e.f) else redis.call('HDEL', p .. 'names', id) end
  count(p .. 'fc:kind', e.k, delta)
  for i, g in ipairs(e.g) do
    count(p .. 'fc:genre', g, delta)
    count(p .. 'fc:genre:' .. e.k, g, delta)
    if add then redis.call('HSET', p .. 'genre-names', g, e.gn[i]) end
  end
  if e.y ~= '' then
    count(p .. 'fc:year', e.y, delta)
    count(p .. 'fc:year:' .. e.k, e.y, delta)
  end
  for _, t in ipairs(e.t) do
    local key = p .. 'tok:' .. t
    if add then
      redis.call('SADD', key, id)
      if redis.call('ZADD', p .. 'tokens', 'NX', 0, t) == 1 then
        local vs, len = deletions(t)
        if len >= FUZZY_MIN then for _, v in ipairs(vs) do redis.call('SADD', p .. 'del:' .. v, t) end end
      end
    else
      redis.call('SREM', key, id)
      if redis.call('EXISTS', key) == 0 and redis.call('ZREM', p .. 'tokens', t) == 1 then
        local vs, len = deletions(t)
        if len >= FUZZY_MIN then for _, v in ipairs(vs) do redis.call('SREM', p .. 'del:' .. v, t) end end
      end
    end
  end
end

-- Tenant scope sets (see SCOPE_SCRIPT) are kept in step with every write. Each built scope is
-- registered under what admits it: 'scope-by:kind:<k>', 'scope-by:genre:<g>' and, for a title
-- picked by hand, 'scope-by:id:<id>'. A write looks up only the registrations of the title's own
-- old and new facets, so it touches just the scopes the title leaves or is in: a few set calls
-- however many titles or tenants there are (a scope epoch that made every read rebuild its scope
-- after any write would instead union up to the whole library per tenant per write).

-- The scope names registered under the entry's facets (or only its id when e is nil), each mapped
-- to whether it is still built; registrations of expired scopes are dropped on the way.
local function scopesOf(p, id, e)
  local regs = { 'scope-by:id:' .. id }
  if e then
    regs[#regs + 1] = 'scope-by:kind:' .. e.k
    for _, g in ipairs(e.g) do regs[#regs + 1] = 'scope-by:genre:' .. g end
  end
  local found = {}
  for _, reg in ipairs(regs) do
    for _, name in ipairs(redis.call('SMEMBERS', p .. reg)) do
      if found[name] == nil then found[name] = redis.call('EXISTS', p .. name .. ':ok') == 1 end
      if not found[name] then redis.call('SREM', p .. reg, name) end
    end
  end
  return found
end

-- Moves a title between the scope sets: out of those its old entry was in and its new one is not,
-- into (or rescored in) those its new entry is in. new is nil for a removal.
local function rescope(p, id, old, new)
  local was = scopesOf(p, id, old)
  local now = new and scopesOf(p, id, new) or {}
  for name, live in pairs(was) do
    if live and not now[name] then redis.call('ZREM', p .. name, id) end
  end
  for name, live in pairs(now) do
    if live then
      local key = p .. name
      redis.call('ZADD', key, new.n, id)
      -- An empty scope had no set: this one outlives its marker like a built one.
      if redis.call('PTTL', key) == -1 then
        redis.call('PEXPIRE', key, redis.call('PTTL', key .. ':ok') + SCOPE_GRACE_MS)
      end
    end
  end
end
`;

/**
 * ARGV: p, id, revision, entry JSON. Files the title unless the generation already holds a newer
 * revision of it or a tombstone (a deleted title never comes back), and moves it between the built
 * scope sets it leaves or enters. 1 applied, 0 stale, -1 retired.
 */
export const UPSERT_SCRIPT = `${HELPERS}
local p, id, rev = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local current = redis.call('HGET', p .. 'rev', id)
if current == 'x' or (current and tonumber(current) > rev) then return 0 end
local old = redis.call('HGET', p .. 'docs', id)
local was, entry = old and cjson.decode(old), cjson.decode(ARGV[4])
if was then apply(p, id, was, false) end
apply(p, id, entry, true)
rescope(p, id, was, entry)
redis.call('HSET', p .. 'docs', id, ARGV[4])
redis.call('HSET', p .. 'rev', id, ARGV[3])
return 1
`;

/** ARGV: p, id. Unfiles the title (from scope sets too) and leaves a tombstone. 1 applied, -1 retired. */
export const REMOVE_SCRIPT = `${HELPERS}
local p, id = ARGV[1], ARGV[2]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local old = redis.call('HGET', p .. 'docs', id)
if old then
  local was = cjson.decode(old)
  apply(p, id, was, false)
  rescope(p, id, was, nil)
  redis.call('HDEL', p .. 'docs', id)
end
redis.call('HSET', p .. 'rev', id, 'x')
return 1
`;

/**
 * ARGV: p, offset, limit, maxPrefix, common, filter count, filter keys..., query words...
 * Each word matches tokens exactly, by prefix (at most maxPrefix tokens) and, from five letters on,
 * within one edit. A title scores per word 10101 (exact), 10001 (prefix) or 10000 (one edit), summed
 * over words, so more words matched rank first, then more exact, then more prefix; recency (updatedAt,
 * seconds) breaks ties.
 *
 * A word whose tokens hold more than `common` titles in all ("the", "of") is common: with other words
 * that find something it only scores the titles they find (a stop word: "the ring" ranks "The Ring"
 * first without gathering every title with "the"). When every word is common and the page is within
 * the first 1000, the candidates are the newest titles (within the filters; 200 or the page's end)
 * holding one of the words exactly, walked from the smallest recency-ordered set; a single word's page
 * is then exact (its exact matches, newest first, come before any prefix match) and the total is
 * estimated from the walk. Either way the answer is marked truncated. Returns {total, truncated, entry JSON of each hit...}, or nil when the generation is
 * retired.
 */
export const SEARCH_SCRIPT = `${HELPERS}
local p, offset, limit, maxPrefix, common, nf = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local POOL_MIN, POOL_MAX = 200, 1000
local tmp = p .. 'tmp:' .. redis.call('INCR', p .. 'tmp-seq') .. ':'
local filters = {}
for i = 1, nf do filters[i] = ARGV[6 + i] end
local temps, truncated, seq = {}, 0, 0
local function temp()
  seq = seq + 1
  local key = tmp .. seq
  temps[#temps + 1] = key
  return key
end

-- Each word: the token sets it matches, their weights, the exact token's set, how many titles in all.
local words = {}
for a = 7 + nf, #ARGV do
  local w = ARGV[a]
  local word = { keys = {}, weights = {}, mass = 0 }
  local seen = {}
  local function add(t, weight)
    if not seen[t] then
      seen[t] = true
      local key = p .. 'tok:' .. t
      word.keys[#word.keys + 1] = key
      word.weights[#word.weights + 1] = weight
      word.mass = word.mass + redis.call('SCARD', key)
    end
  end
  if redis.call('EXISTS', p .. 'tok:' .. w) == 1 then
    add(w, 10101)
    word.exact = p .. 'tok:' .. w
  end
  local prefixed = redis.call('ZRANGEBYLEX', p .. 'tokens', '[' .. w, '[' .. w .. '\\255', 'LIMIT', 0, maxPrefix + 1)
  if #prefixed > maxPrefix then truncated = 1 end
  for j = 1, math.min(#prefixed, maxPrefix) do add(prefixed[j], 10001) end
  local variants, len = deletions(w)
  if len >= FUZZY_MIN then
    local candidates = redis.call('SMEMBERS', p .. 'del:' .. w)
    for _, v in ipairs(variants) do
      if redis.call('EXISTS', p .. 'tok:' .. v) == 1 then candidates[#candidates + 1] = v end
      for _, t in ipairs(redis.call('SMEMBERS', p .. 'del:' .. v)) do candidates[#candidates + 1] = t end
    end
    for _, t in ipairs(candidates) do
      if not seen[t] and oneEdit(w, t) then add(t, 10000) end
    end
  end
  if #word.keys > 0 then words[#words + 1] = word end
end

-- A word's score (its best matching token) for every title of its sets, or only for those in 'within',
-- as a part {key, weight}: the key's scores times the weight (a plain set scores 1). A word of one
-- token is its set as it is, not a copy.
local function scored(word, within)
  if not within then
    if #word.keys == 1 then return { word.keys[1], word.weights[1] } end
    local key = temp()
    local args = { 'ZUNIONSTORE', key, #word.keys }
    for _, k in ipairs(word.keys) do args[#args + 1] = k end
    args[#args + 1] = 'WEIGHTS'
    for _, x in ipairs(word.weights) do args[#args + 1] = x end
    args[#args + 1] = 'AGGREGATE'
    args[#args + 1] = 'MAX'
    redis.call(unpack(args))
    return { key, 1 }
  end
  local hits = {}
  for i, k in ipairs(word.keys) do
    local hit = temp()
    redis.call('ZINTERSTORE', hit, 2, within[1], k, 'WEIGHTS', 0, word.weights[i])
    hits[#hits + 1] = hit
  end
  if #hits == 1 then return { hits[1], 1 } end
  local key = temp()
  local args = { 'ZUNIONSTORE', key, #hits }
  for _, k in ipairs(hits) do args[#args + 1] = k end
  args[#args + 1] = 'AGGREGATE'
  args[#args + 1] = 'MAX'
  redis.call(unpack(args))
  return { key, 1 }
end

-- The parts' scores summed per title (one part is returned as it is).
local function sum(parts)
  if #parts == 1 then return parts[1] end
  local key = temp()
  local args = { 'ZUNIONSTORE', key, #parts }
  for _, part in ipairs(parts) do args[#args + 1] = part[1] end
  args[#args + 1] = 'WEIGHTS'
  for _, part in ipairs(parts) do args[#args + 1] = part[2] end
  redis.call(unpack(args))
  return { key, 1 }
end

-- The newest titles within the filters holding one of the words exactly (up to poolSize): the pool
-- key and an estimated total, or nil when fewer than 'needed' are found within the walk (few exact
-- matches: the full ranking answers instead).
local function newestExact(needed, poolSize)
  local exact = {}
  for _, word in ipairs(words) do if word.exact then exact[#exact + 1] = word.exact end end
  if #exact == 0 then return nil end
  local source, others = p .. 'all:new', {}
  local size = redis.call('ZCARD', source)
  for _, f in ipairs(filters) do
    local n = redis.call('ZCARD', f)
    if n < size then others[#others + 1] = source; source, size = f, n else others[#others + 1] = f end
  end
  local pool, found, walked, chunk, maxWalk = temp(), 0, 0, 256, math.max(common * 4, 2000)
  while found < poolSize and walked < size and walked < maxWalk do
    local ids = redis.call('ZREVRANGE', source, walked, walked + chunk - 1)
    if #ids == 0 then break end
    for _, id in ipairs(ids) do
      walked = walked + 1
      local keep = true
      for _, f in ipairs(others) do
        if not redis.call('ZSCORE', f, id) then keep = false; break end
      end
      if keep then
        keep = false
        for _, e in ipairs(exact) do
          if redis.call('SISMEMBER', e, id) == 1 then keep = true; break end
        end
      end
      if keep then
        redis.call('ZADD', pool, 0, id)
        found = found + 1
        if found >= poolSize then break end
      end
    end
  end
  if found < needed then return nil end
  return pool, math.max(found, math.floor(found * size / walked))
end

-- The part's titles within the filters, scored with recency (the final order): its key.
local function ranked(part)
  local key = temp()
  local args = { 'ZINTERSTORE', key, 2 + nf, part[1], p .. 'all:new' }
  for _, f in ipairs(filters) do args[#args + 1] = f end
  args[#args + 1] = 'WEIGHTS'
  args[#args + 1] = string.format('%d', part[2] * 1e10)
  args[#args + 1] = '0.001'
  for _ = 1, nf do args[#args + 1] = '0' end
  redis.call(unpack(args))
  return key
end

-- Members [from, from + count) of 'base' with the members of 'raised' (a subset scored higher)
-- moved up to their own scores, without building the union: the top of 'raised' merged with the
-- top of 'base' less the raised ones (ties as ZREVRANGE orders them: member descending).
local function mergedPage(base, raised, from, count)
  local need = from + count
  local top = {}
  local hs = redis.call('ZREVRANGE', raised, 0, need - 1, 'WITHSCORES')
  for i = 1, #hs, 2 do top[#top + 1] = { hs[i], tonumber(hs[i + 1]) } end
  local raisedCount = #top
  -- Walk 'base' until the page is decided: kept plus raised above the walk's last score make
  -- 'need' (nothing further down can enter the page).
  local kept, above, at, size, done = 0, 0, 0, redis.call('ZCARD', base), false
  while not done and at < size do
    local bs = redis.call('ZREVRANGE', base, at, at + need - 1, 'WITHSCORES')
    at = at + need
    for i = 1, #bs, 2 do
      local score = tonumber(bs[i + 1])
      if not redis.call('ZSCORE', raised, bs[i]) then
        top[#top + 1] = { bs[i], score }
        kept = kept + 1
      end
      while above < raisedCount and top[above + 1][2] > score do above = above + 1 end
      if kept + above >= need then done = true; break end
    end
  end
  table.sort(top, function(a, b)
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a[1] > b[1]
  end)
  local ids = {}
  for i = from + 1, math.min(need, #top) do ids[#ids + 1] = top[i][1] end
  return ids
end

local parts, estimate, total, ids = {}, nil, nil, nil
local rare, commons = {}, {}
for _, word in ipairs(words) do
  if word.mass > common then commons[#commons + 1] = word else rare[#rare + 1] = word end
end
local rareMass = 0
for _, word in ipairs(rare) do rareMass = rareMass + word.mass end
if #commons > 0 and rareMass > 0 then
  -- Stop words: the other words find the candidates (ranked, with recency); common words raise those
  -- they hold by their score.
  for _, word in ipairs(rare) do parts[#parts + 1] = scored(word) end
  local base = ranked(sum(parts))
  local lift
  if #commons == 1 and #commons[1].keys == 1 then
    lift = { commons[1].keys[1], commons[1].weights[1] }
  else
    local lifts = {}
    for _, word in ipairs(commons) do lifts[#lifts + 1] = scored(word, { base, 1 }) end
    lift = sum(lifts)
  end
  local raised = temp()
  redis.call('ZINTERSTORE', raised, 2, base, lift[1], 'WEIGHTS', 1, string.format('%d', lift[2] * 1e10))
  total = redis.call('ZCARD', base)
  if offset + limit <= POOL_MIN then
    ids = mergedPage(base, raised, offset, limit)
  else
    local final = temp()
    redis.call('ZUNIONSTORE', final, 2, base, raised, 'AGGREGATE', 'MAX')
    ids = redis.call('ZREVRANGE', final, offset, offset + limit - 1)
  end
  truncated = 1
  parts = nil
elseif #commons > 0 and offset + limit <= POOL_MAX then
  local pool
  pool, estimate = newestExact(offset + limit, math.max(offset + limit, POOL_MIN))
  if pool then
    for _, word in ipairs(words) do parts[#parts + 1] = scored(word, { pool, 1 }) end
    truncated = 1
  end
end
if parts and #parts == 0 then
  for _, word in ipairs(words) do parts[#parts + 1] = scored(word) end
end
if parts and #parts == 0 then return { 0, truncated } end
if parts then
  local final = ranked(sum(parts))
  total = redis.call('ZCARD', final)
  ids = redis.call('ZREVRANGE', final, offset, offset + limit - 1)
end
-- UNLINK: large temporaries are freed off Redis's main thread.
redis.call('UNLINK', unpack(temps))
local out = { estimate or total, truncated }
if #ids > 0 then
  for _, doc in ipairs(redis.call('HMGET', p .. 'docs', unpack(ids))) do out[#out + 1] = doc end
end
return out
`;

/**
 * ARGV: p, order key, descending ('1'/'0'), offset, limit, filter count, filter keys..., [tie hash]
 * A page of the order key, restricted to titles in every filter set. With a tie hash (ascending
 * orders: the name order, whose score holds only the first ten characters) titles of equal score
 * are ordered by their value in it, then by id. Returns {total, entry JSON of each...}, or nil when
 * the generation is retired.
 */
export const LIST_SCRIPT = `
local p, order, desc, offset, limit, nf = ARGV[1], ARGV[2], ARGV[3] == '1', tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ties = ARGV[7 + nf]
if redis.call('EXISTS', KEYS[1]) == 0 then return false end

-- Byte order (Lua's < on strings follows the server's collation locale).
local function bytesBefore(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- The page [offset, offset + limit) of an ascending source with ties broken by the tie hash: the
-- page's whole score range is read, so a tie group crossing the page's edge is ordered as one.
local function tieBroken(source, total)
  local last = math.min(offset + limit, total) - 1
  local lo = redis.call('ZRANGE', source, offset, offset, 'WITHSCORES')[2]
  local hi = redis.call('ZRANGE', source, last, last, 'WITHSCORES')[2]
  local before = redis.call('ZCOUNT', source, '-inf', '(' .. lo)
  local span = redis.call('ZRANGEBYSCORE', source, lo, hi, 'WITHSCORES')
  local rows = {}
  for i = 1, #span, 2 do rows[#rows + 1] = { span[i], tonumber(span[i + 1]) } end
  -- HMGET in chunks: unpack is limited to a few thousand values.
  for from = 1, #rows, 1000 do
    local ids = {}
    for i = from, math.min(from + 999, #rows) do ids[#ids + 1] = rows[i][1] end
    local values = redis.call('HMGET', ties, unpack(ids))
    for i = 1, #ids do rows[from + i - 1][3] = values[i] or '' end
  end
  table.sort(rows, function(a, b)
    if a[2] ~= b[2] then return a[2] < b[2] end
    if a[3] ~= b[3] then return bytesBefore(a[3], b[3]) end
    return a[1] < b[1]
  end)
  local ids = {}
  for i = offset - before + 1, math.min(offset - before + limit, #rows) do ids[#ids + 1] = rows[i][1] end
  return ids
end

local source, tmp = order, nil
if nf > 0 then
  tmp = p .. 'tmp:' .. redis.call('INCR', p .. 'tmp-seq') .. ':l'
  local args = { 'ZINTERSTORE', tmp, nf + 1, order }
  for i = 1, nf do args[#args + 1] = ARGV[6 + i] end
  args[#args + 1] = 'WEIGHTS'
  args[#args + 1] = '1'
  for _ = 1, nf do args[#args + 1] = '0' end
  redis.call(unpack(args))
  source = tmp
end
local total = redis.call('ZCARD', source)
local ids
if ties and not desc and offset < total then ids = tieBroken(source, total)
elseif desc then ids = redis.call('ZREVRANGE', source, offset, offset + limit - 1)
else ids = redis.call('ZRANGE', source, offset, offset + limit - 1) end
if tmp then redis.call('DEL', tmp) end
local out = { total }
if #ids > 0 then
  for _, doc in ipairs(redis.call('HMGET', p .. 'docs', unpack(ids))) do out[#out + 1] = doc end
end
return out
`;

/**
 * ARGV: p, scope name, ttl seconds, set count, set names..., title ids...
 * A franchise tenant's scope as one sorted set of the generation, `<p><scope name>` (scored like
 * `all:new`, so it is itself an order): the union of the named facet sets (`kind:movie`,
 * `genre:drama`) plus the listed titles that exist. A marker `<scope key>:ok` says it is built (an
 * empty scope has no set), and the scope is registered under each facet and picked id so that
 * upserts and removes keep it in step (see rescope). The marker expires after the ttl, the set a
 * little later: a scope no tenant reads any more goes away, one still read is built again. 1 built,
 * -1 retired.
 */
export const SCOPE_SCRIPT = `
local SCOPE_GRACE_MS = 60000
local p, name, ttl, ns = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local dest = p .. name
redis.call('DEL', dest)
if ns > 0 then
  local args = { 'ZUNIONSTORE', dest, ns }
  for i = 1, ns do args[#args + 1] = p .. ARGV[4 + i] end
  args[#args + 1] = 'AGGREGATE'
  args[#args + 1] = 'MAX'
  redis.call(unpack(args))
end
for i = 1, ns do redis.call('SADD', p .. 'scope-by:' .. ARGV[4 + i], name) end
for i = 5 + ns, #ARGV do
  redis.call('SADD', p .. 'scope-by:id:' .. ARGV[i], name)
  local score = redis.call('ZSCORE', p .. 'all:new', ARGV[i])
  if score then redis.call('ZADD', dest, score, ARGV[i]) end
end
redis.call('PEXPIRE', dest, ttl * 1000 + SCOPE_GRACE_MS)
redis.call('SET', dest .. ':ok', '1', 'EX', ttl)
return 1
`;

/**
 * ARGV: p, scope key, kind ('' for all). Facet counts within a franchise tenant's scope set: each
 * kind, genre and year counted as the size of its set's intersection with the scope (and the kind).
 * Returns {total, {kind, count...}, {genre, count...}, {year, count...}}, or nil when retired.
 */
export const SCOPED_FACETS_SCRIPT = `
local p, scope, kind = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local tmp = p .. 'tmp:' .. redis.call('INCR', p .. 'tmp-seq') .. ':f'
local function count(key)
  local args = { 'ZINTERSTORE', tmp, 2, scope, key }
  if kind ~= '' then args[3] = 3; args[#args + 1] = p .. 'kind:' .. kind end
  redis.call(unpack(args))
  local n = redis.call('ZCARD', tmp)
  redis.call('DEL', tmp)
  return n
end
local function counts(facet, prefix)
  local out = {}
  for _, value in ipairs(redis.call('ZREVRANGE', p .. facet, 0, -1)) do
    local n = count(p .. prefix .. value)
    if n > 0 then out[#out + 1] = value; out[#out + 1] = tostring(n) end
  end
  return out
end
local suffix = kind ~= '' and (':' .. kind) or ''
local total = kind ~= '' and count(p .. 'kind:' .. kind) or redis.call('ZCARD', scope)
local kinds = {}
for _, k in ipairs(counts('fc:kind', 'kind:')) do kinds[#kinds + 1] = k end
return { total, kinds, counts('fc:genre' .. suffix, 'genre:'), counts('fc:year' .. suffix, 'year:') }
`;
