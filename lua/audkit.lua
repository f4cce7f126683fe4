-- audkit: Lua API over the C core (`audkit.core`).
--
--   local audkit = require "audkit"
--   local tx = audkit.tencent_ads{ access_token = "...", base_url = "..." }
--   local res, err = tx.custom_audiences:add{ account_id = 1, name = "seed", type = "LOOKALIKE", ... }
--   for aud in tx.custom_audiences:list{ account_id = 1 } do print(aud.audience_id, aud.name) end
--
-- Everything here is generic: clients, resources and operations come from the core's
-- descriptors (core.describe(), i.e. ak_describe()). An op named "resource.operation" becomes
-- `client.resource:operation{...}`; an op without a dot becomes `client:operation{...}`. Op
-- kinds: "call" (and "chunked") return a result table (or a page table {items=, page_info=}
-- for paged ops) or nil, err; "pager" returns a lazy Pager usable in a generic for.
-- Expected failures return nil, err; err is a table {kind, code, message, status, request_id,
-- field, rule, violations, retryable} with __tostring. Programming errors raise.
local core = require "audkit.core"
local model = require "audkit.model"
local loop = require "audkit.loop"
local Pager = require "audkit.pager"

local nn = model.nn

local audkit = {
  _VERSION = core.version,
  version = core.version,
  core = core,
  null = core.null,
  Error = core.Error,
  Pager = Pager,
  loop = loop,
  json_encode = core.json_encode,
  json_decode = core.json_decode,
}

-- The descriptors are converted at require time only for the error kinds and the platform
-- keys, then dropped: a platform's descriptor is converted when its first client is made (only
-- the platforms in use stay in the Lua heap, which every collection cycle traverses), and
-- `audkit.descriptors` is converted afresh on each read.
local descriptors = core.describe()
setmetatable(audkit, { __index = function(_, k) if k == "descriptors" then return core.describe() end end })

-- Error kinds, derived from the core's one list (never retyped here).
audkit.kinds = {}
audkit.error_kinds = {}
for _, k in ipairs(nn(descriptors.error_kinds) or {}) do if k.name ~= "none" then
  audkit.kinds[k.name] = k.name
  audkit.error_kinds[#audkit.error_kinds + 1] = { name = k.name, retryable = k.retryable == true } end
end

local function new_error(kind, message, extra)
  local e = { kind = kind, message = message, retryable = false, violations = {} }
  for _, k in ipairs(audkit.error_kinds) do
    if k.name == kind then e.retryable = k.retryable end
  end
  for k, v in pairs(extra or {}) do e[k] = v end
  if e.field and #e.violations == 0 then e.violations[1] = { field = e.field, rule = e.rule } end
  return setmetatable(e, core.Error)
end
audkit.new_error = new_error

function audkit.is_error(v)
  return type(v) == "table" and getmetatable(v) == core.Error
end

-- Marks a table as a JSON array / object (an empty Lua table is sent as an object otherwise;
-- the core turns {} into [] where the schema says array).
function audkit.array(t) return setmetatable(t or {}, core.array_mt) end
function audkit.object(t) return setmetatable(t or {}, core.object_mt) end

------------------------------------------------------------------------------------------
-- platforms: a tree of resources and operations per platform, built once from the descriptors

local platforms = {}

local function build_platform(p)
  local root = { ops = {}, children = {} }
  local ops = {}
  for _, op in ipairs(nn(p.ops) or {}) do
    ops[op.name] = op
    local node = root
    local parts = {}
    for part in op.name:gmatch("[^%.]+") do parts[#parts + 1] = part end
    for i = 1, #parts - 1 do
      local child = node.children[parts[i]]
      if not child then
        child = { ops = {}, children = {}, path = table.concat(parts, ".", 1, i) }
        node.children[parts[i]] = child
      end
      node = child
    end
    node.ops[parts[#parts]] = op
  end
  -- The descriptor itself is not kept (client:describe() converts it again): ops, models and
  -- credentials are what calls need; schema field lists are converted when first needed.
  return {
    key = p.key,
    ops = ops,
    tree = root,
    models = model.build(p),
    credentials = nn(p.credentials) or {},
    fields = {},
  }
end

-- The fields of schema `name` of platform `plat`: { {name=, wire=, type=, item_type=}, ... } or nil,
-- converted from the descriptors on first need and kept.
local function schema_fields(plat, name)
  if name == nil then return nil end
  local c = plat.fields[name]
  if c == nil then
    local s = nn((nn(core.describe(plat.key).schemas) or {})[name])
    c = false
    if s then
      c = {}
      for _, f in ipairs(nn(s.fields) or {}) do
        c[#c + 1] = { name = nn(f.name), wire = nn(f.wire), type = nn(f.type), item_type = nn(f.item_type) }
      end
    end
    plat.fields[name] = c
  end
  return c or nil
end

local platform_keys = {}
for _, p in ipairs(nn(descriptors.platforms) or {}) do
  platform_keys[#platform_keys + 1] = p.key
  platform_keys[p.key] = true
end
descriptors = nil
-- audkit.platforms[key]: built on first use
setmetatable(platforms, { __index = function(t, key)
  if platform_keys[key] ~= true then return nil end
  local p = build_platform(core.describe(key))
  rawset(t, key, p)
  return p
end })
audkit.platforms = platforms

------------------------------------------------------------------------------------------
-- client

local Client = {}
local client_methods = {}
local Resource = {}

-- options given in seconds in Lua, milliseconds in the core's config
local SECONDS = {
  timeout = "timeout_ms",
  connect_timeout = "connect_timeout_ms",
  backoff = "backoff_ms",
  max_backoff = "max_backoff_ms",
  deadline = "deadline_ms",
}
-- per-call options (any operation): override the client's for that call
local CALL_OPTIONS = { timeout = "timeout_ms", retries = "retries", max_backoff = "max_backoff_ms", deadline = "deadline_ms",
  max_concurrency = "max_concurrency" }
local LUA_ONLY = { transport = true, sleep = true, blocking = true, pool_size = true, idle_timeout = true }

local function to_ms(v)
  if type(v) ~= "number" or v ~= v or v < 0 then return nil end
  local ms = math.floor(v * 1000 + 0.5)
  if v > 0 and ms < 1 then ms = 1 end
  return ms
end

-- True when the op's request schema has a field `name` (a waiter's `timeout` stays a parameter).
local function request_has(self, op, name)
  for _, f in ipairs(schema_fields(self._plat, nn(op.request)) or {}) do
    if f.name == name or f.wire == name then return true end
  end
  return false
end

-- Splits the per-call options (timeout, retries, max_backoff, deadline; seconds) out of params:
-- params (a copy without them when any was given), options | nil, err.
local function split_options(self, op, params)
  if type(params) ~= "table" then return params, nil end
  local opts, copy
  -- progress = function(ev): events of this call (see the Lua documentation, "Progress")
  local prog = rawget(params, "progress")
  if prog ~= nil and not request_has(self, op, "progress") then
    if type(prog) ~= "function" then
      local rule = "must be a function"
      return nil, nil, new_error("validation", "progress: " .. rule, { field = "progress", rule = rule })
    end
    opts = { progress = prog }
    copy = {}
    for pk, pv in pairs(params) do copy[pk] = pv end
    setmetatable(copy, getmetatable(params))
    copy.progress = nil
  end
  for k, key in pairs(CALL_OPTIONS) do
    local v = rawget(params, k)
    if v ~= nil and not request_has(self, op, k) then
      local val
      if k == "retries" then
        if math.type and math.type(v) == "float" and v == math.floor(v) then v = math.floor(v) end
        if type(v) == "number" and v >= 0 and v <= 20 and v == math.floor(v) then val = v end
      elseif k == "max_concurrency" then -- batch requests sent at once (Baidu keywords.add/update/delete)
        if math.type and math.type(v) == "float" and v == math.floor(v) then v = math.floor(v) end
        if type(v) == "number" and v >= 1 and v <= 64 and v == math.floor(v) then val = v end
      elseif type(v) == "number" and v == v and v >= 0 and v <= 86400 then
        val = to_ms(v)
        if k == "timeout" and val == 0 then val = nil end
      end
      if val == nil then
        local rule = k == "retries" and "must be an integer between 0 and 20"
          or k == "max_concurrency" and "must be an integer between 1 and 64"
          or "must be a number of seconds between 0 and 86400"
        return nil, nil, new_error("validation", k .. ": " .. rule, { field = k, rule = rule })
      end
      opts = opts or {}
      opts[key] = val
      if not copy then
        copy = {}
        for pk, pv in pairs(params) do copy[pk] = pv end
        setmetatable(copy, getmetatable(params))
      end
      copy[k] = nil
    end
  end
  return copy or params, opts
end

-- A failed batch operation (Baidu keywords.add/update/delete: a result with items and failures,
-- one list-of-objects parameter) never loses the caller's items: err.batch_result lists every
-- input item with state "not_applied" (provably no effect) or "unknown" (may have been applied).
local function attach_batch_result(self, op, params, err)
  if type(err) ~= "table" or type(params) ~= "table" then return end
  local res, req = schema_fields(self._plat, nn(op.result)), schema_fields(self._plat, nn(op.request))
  if not res or not req then return end
  local has = {}
  for _, f in ipairs(res) do has[f.name] = true end
  if not (has.items and has.failures) then return end
  local list
  for _, f in ipairs(req) do
    if f.type == "array" and f.item_type == "object" then
      if list then return end
      list = f
    end
  end
  local items = list and (params[list.name] or params[list.wire])
  if type(items) ~= "table" then return end
  local state = err.maybe_applied and "unknown" or "not_applied"
  local failures = {}
  for i = 1, #items do
    failures[i] = { index = i - 1, state = state, code = err.code or err.kind, message = err.message }
  end
  err.batch_result = { items = {}, failures = failures }
end

-- Who does the I/O of one call, decided per call (never at require time):
--   an explicit `transport` option -> that transport (+ `sleep`), in a Lua-owned loop;
--   inside nginx where cosockets work (rewrite/access/content/timer, ...) -> audkit.cosocket
--     and ngx.sleep: the call yields the request's coroutine, the worker never blocks;
--   inside nginx where they do not (init, init_worker, set, header/body filter, log, ...) ->
--     nil, err, unless the client was made with `blocking = true` (then libcurl, blocking);
--   outside nginx -> nil: the C core drives the call with libcurl.
-- Returns transport, sleep | nil (the C path) | false, err.
local COSOCKET_PHASES = {
  rewrite = true, access = true, content = true, timer = true,
  ssl_cert = true, ssl_session_fetch = true, ssl_client_hello = true, preread = true,
}
function client_methods._io(self)
  if self._transport then return self._transport, self._sleep end
  local ngx = rawget(_G, "ngx")
  if type(ngx) ~= "table" or type(ngx.get_phase) ~= "function" then return nil end
  local ok, phase = pcall(ngx.get_phase)
  if ok and COSOCKET_PHASES[phase] then
    local t = self._cosocket
    if not t then
      local o = self._net
      t = require("audkit.cosocket").new(o)
      self._cosocket = t
    end
    return t, self._user_sleep or function(ms) ngx.sleep(ms / 1000) end
  end
  if self._blocking then return nil end
  phase = ok and tostring(phase) or "unknown"
  return false, new_error("transport", ("audkit: no network I/O in the nginx '%s' phase: cosockets are " ..
    "not available there and a blocking libcurl call would stall the worker; call audkit from " ..
    "rewrite/access/content_by_lua* or a timer (ngx.timer.at), or create the client with " ..
    "blocking = true to accept a blocking call"):format(phase), { phase = phase })
end

local function run_call(self, opname, params, opts)
  local c = self._c
  local transport, sleep = client_methods._io(self)
  if transport == false then return nil, sleep end
  if transport then
    local call, err = c:new_call(opname, params, opts)
    if not call then return nil, err end
    local prog = opts and opts.progress
    if prog then -- a Lua-owned loop: its sleeps are the waits
      local inner = sleep
      sleep = function(ms)
        prog({ op = opname, kind = "waiting", wait_seconds = ms / 1000 })
        return inner(ms)
      end
    end
    return loop.run_call(call, transport, sleep)
  end
  return c:call(opname, params, opts)
end

-- Streamed ops (Sensors users.export_csv: dest = path | file handle | nil for rows; ThinkingData
-- clusters.import_ids / modify_import: source = path | CSV string | file handle | iterator |
-- array of ids): the body goes through a sink / reader in audkit.core, never whole in memory.
-- Only the built-in libcurl transport streams (a Lua-owned loop gets nil, err).
local function stream_call(self, op, params, opts)
  local p, dest, source = {}, nil, nil
  for k, v in pairs(params or {}) do
    if k == "dest" and op.stream_result then dest = v
    elseif k == "source" and op.stream_body then source = v
    else p[k] = v end
  end
  setmetatable(p, getmetatable(params or {}))
  if op.stream_body and source == nil then
    local rule = "is required (a path, a CSV string, a file handle, an iterator function or an array of ids)"
    return nil, new_error("validation", "source: " .. rule, { field = "source", rule = rule })
  end
  local transport, sleep = client_methods._io(self)
  if transport == false then return nil, sleep end
  if transport then
    return nil, new_error("transport", op.name .. ": streaming needs the built-in transport (dest/source " ..
      "are not supported with a Lua-owned loop: a client transport option, or cosockets inside nginx)")
  end
  local res, err = self._c:call(op.name, p, opts, { dest = dest, rows = op.stream_result and dest == nil, source = source })
  if res == nil then return nil, err end
  if op.stream_result and dest ~= nil then return res.bytes end
  if op.stream_body then model.wrap(self._models, op.result, res) end
  return res
end

-- Executes the op row `op` with `params`: result | page | Pager | nil, err
local function invoke(self, op, params)
  if params ~= nil and type(params) ~= "table" then
    error("audkit: " .. op.name .. " takes a table of parameters", 3)
  end
  local opts, oerr
  params, opts, oerr = split_options(self, op, params)
  if oerr then return nil, oerr end
  if op.stream_result or op.stream_body then return stream_call(self, op, params, opts) end
  -- pager rows and chunked rows (Baidu keywords.get) are lazy iterators
  if op.kind == "pager" or op.kind == "chunked" then
    local cp, err = self._c:pager(op.name, params, opts)
    local p = Pager.new(self, cp, err)
    p._progress = opts and opts.progress
    return p, nil, nil, p
  end
  local res, err = run_call(self, op.name, params, opts)
  if res == nil then
    attach_batch_result(self, op, params, err)
    return nil, err
  end
  local models = self._models
  model.wrap(models, op.result, res)
  local pg = nn(op.pager)
  if pg and nn(op.item) then
    local items = model.get_path(res, pg.items_path)
    if type(items) ~= "table" then items = setmetatable({}, core.array_mt) end
    model.wrap_items(models, op.item, items)
    rawset(res, "items", items)
  elseif nn(op.item) then
    local ch = nn(op.chunk)
    local items = ch and model.get_path(res, ch.items_path)
    if type(items) == "table" then model.wrap_items(models, op.item, items) end
  end
  return res
end

-- parameter names invoke() handles itself (per-call options and progress)
local OPTION_KEYS = { "progress" }
for k in pairs(CALL_OPTIONS) do OPTION_KEYS[#OPTION_KEYS + 1] = k end

local function bind(owner, op, client)
  -- A plain call (one result object: no pages, items, chunks or streams) without options, on the
  -- built-in transport outside nginx, goes straight to the core: what invoke() does for it.
  local plain = op.kind == "call" and not op.stream_result and not op.stream_body and nn(op.pager) == nil
    and nn(op.item) == nil and nn(op.chunk) == nil
  -- (the client's transport is fixed when it is made; rawget: a missing key would run __index)
  plain = plain and rawget(client, "_transport") == nil
  local name, nkeys = op.name, #OPTION_KEYS
  local shape = model.shaper(rawget(client, "_models"), op.result)
  return function(a, b)
    local params = b
    if a ~= owner then params = a end -- also callable with a dot: tx.custom_audiences.add{...}
    if plain and type(params) == "table" and rawget(_G, "ngx") == nil then
      local fast = true
      for i = 1, nkeys do
        if params[OPTION_KEYS[i]] ~= nil then fast = false break end
      end
      if fast then
        local res, err = rawget(client, "_c"):call(name, params)
        if res == nil then
          attach_batch_result(client, op, params, err)
          return nil, err
        end
        return shape(res)
      end
    end
    return invoke(client, op, params)
  end
end

Resource.__index = function(self, k)
  local node = rawget(self, "_node")
  local op = node.ops[k]
  if op then
    local f = bind(self, op, rawget(self, "_client"))
    rawset(self, k, f)
    return f
  end
  local child = node.children[k]
  if child then
    local r = setmetatable({ _client = rawget(self, "_client"), _node = child }, Resource)
    rawset(self, k, r)
    return r
  end
  return nil
end
Resource.__tostring = function(self)
  local names = {}
  for k in pairs(self._node.ops) do names[#names + 1] = k end
  table.sort(names)
  return ("audkit resource %s { %s }"):format(self._node.path or "?", table.concat(names, ", "))
end

Client.__index = function(self, k)
  local m = client_methods[k]
  if m then return m end
  local node = rawget(self, "_node")
  local op = node.ops[k]
  if op then
    local f = bind(self, op, self)
    rawset(self, k, f)
    return f
  end
  local child = node.children[k]
  if child then
    local r = setmetatable({ _client = self, _node = child }, Resource)
    rawset(self, k, r)
    return r
  end
  return nil
end
Client.__tostring = function(self) return tostring(self._c) end
Client.__close = function(self) self:close() end
Client.__name = "audkit.Client"

--- Creates a client of platform `key` ("tencent_ads", ...). opts: credentials by name (the core
-- falls back to AUDKIT_<KEY>_<PARAM> env vars), base_url, timeout / connect_timeout / backoff /
-- max_backoff / deadline (seconds), retries, max_response_bytes, proxy, verify, ca_file,
-- user_agent, validate, max_concurrency (batch requests sent at once, 1..64, default 4), and Lua-side
-- transport (function(request) -> response) + sleep (function(ms)) to own the I/O loop.
-- Inside nginx (no transport given) calls use audkit.cosocket + ngx.sleep where cosockets work,
-- and return nil, err elsewhere unless blocking = true; pool_size / idle_timeout (seconds) size
-- its keep-alive pools (docs/OPENRESTY.md).
-- Returns the client, or nil, err.
function audkit.new(key, opts)
  local plat = platforms[key]
  if not plat then
    return nil, new_error("validation", "unknown platform " .. tostring(key), { field = "platform", rule = "must be a known platform" })
  end
  if opts ~= nil and type(opts) ~= "table" then error("audkit: options must be a table", 2) end
  local config, lua_opts = {}, {}
  for k, v in pairs(opts or {}) do
    if type(k) ~= "string" then error("audkit: option names must be strings", 2) end
    if LUA_ONLY[k] then
      lua_opts[k] = v
    elseif SECONDS[k] then
      local ms = to_ms(v)
      if ms == nil then
        return nil, new_error("validation", k .. ": must be a non-negative number of seconds",
          { field = k, rule = "must be a non-negative number of seconds" })
      end
      config[SECONDS[k]] = ms
    else
      config[k] = v
    end
  end
  if lua_opts.transport ~= nil and type(lua_opts.transport) ~= "function" and not (type(lua_opts.transport) == "table" and getmetatable(lua_opts.transport) and getmetatable(lua_opts.transport).__call) then
    error("audkit: transport must be a function(request) -> response", 2)
  end
  local c, err = core.client(key, config)
  if not c then return nil, err end
  return setmetatable({
    _c = c,
    _key = key,
    _plat = plat,
    _node = plat.tree,
    _models = plat.models,
    _transport = lua_opts.transport,
    _sleep = lua_opts.sleep or loop.default_sleep,
    _user_sleep = lua_opts.sleep,
    _blocking = lua_opts.blocking == true,
    -- what the cosocket transport needs (the core keeps its own copy for libcurl)
    _net = { proxy = config.proxy, verify = config.verify, ca_file = config.ca_file,
      user_agent = config.user_agent, pool_size = lua_opts.pool_size,
      idle_timeout = lua_opts.idle_timeout, version = core.version },
  }, Client)
end

for _, key in ipairs(platform_keys) do
  audkit[key] = function(opts) return audkit.new(key, opts) end
end

function client_methods:_op(name)
  return name and self._plat.ops[name]
end

--- Runs any op by its full name: client:call("custom_audiences.add", {...}).
function client_methods:call(name, params)
  local op = self._plat.ops[name]
  if not op then
    return nil, new_error("validation", "unknown operation " .. tostring(name), { field = "op", rule = "must be an operation of " .. self._key })
  end
  return invoke(self, op, params)
end

--- A Pager over any paged op ("custom_audiences.list" or "custom_audiences.get").
function client_methods:pager(name, params)
  local cp, err = self._c:pager(name, params)
  local p = Pager.new(self, cp, err)
  return p, nil, nil, p
end

--- Continues a pager from pager:state().
function client_methods:resume(state)
  local cp, err = self._c:resume(state)
  local p = Pager.new(self, cp, err)
  return p, nil, nil, p
end

--- Step level: a core Call whose loop the caller owns (call:next()/call:feed()).
function client_methods:new_call(name, params) return self._c:new_call(name, params) end
--- Step level: a core Pager whose loop the caller owns (pager:step()/pager:feed()).
function client_methods:new_pager(name, params) return self._c:pager(name, params) end

function client_methods:close() self._c:close() end
function client_methods:closed() return self._c:closed() end
function client_methods:platform() return self._key end
function client_methods:base_url() return self._c:base_url() end
function client_methods:raw() return self._c end

--- Sorted names of every operation of the client's platform.
function client_methods:operations()
  local names = {}
  for name in pairs(self._plat.ops) do names[#names + 1] = name end
  table.sort(names)
  return names
end

--- The descriptor of one operation (method, path, request/result schemas, doc).
function client_methods:describe(name)
  if name == nil then return core.describe(self._key) end
  return self._plat.ops[name]
end

return audkit
