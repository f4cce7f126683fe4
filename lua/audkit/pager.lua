-- audkit.pager: the lazy iterator returned by `list{...}` (every "pager" descriptor row).
--
--   for aud in tx.custom_audiences:list{ account_id = 1 } do ... end
--   local p = tx.custom_audiences:list{ account_id = 1 }
--   for aud in p do ... end ; if p.err then ... end        -- the loop ends on an error
--   for page in p:pages() do print(#page.items, page.page_info.total_page) end
--
-- A page is requested only when its first item is needed. On an error the iteration ends and
-- `pager.err` holds the error; setting `pager.err = nil` and iterating again retries that page.
-- `list{}` returns (pager, nil, nil, pager) so that on Lua 5.4 the pager is also the generic
-- for's closing value: leaving the loop (break, error, or the end) closes it (__close).
local model = require "audkit.model"
local loop = require "audkit.loop"

local Pager = {}
local methods = {}

Pager.__index = methods
Pager.__name = "audkit.Pager"

-- `client` is the Lua client object; `cp` the core pager (or nil with `err`).
function Pager.new(client, cp, err)
  return setmetatable({ _client = client, _p = cp, err = err, _done = cp == nil and err == nil }, Pager)
end

function methods:_fetch()
  local cp = self._p
  local c = self._client
  local items, res
  -- the client decides per call who does the I/O (cosockets inside nginx, see audkit.lua)
  local transport, sleep
  if c._io then transport, sleep = c:_io() end
  if transport == false then return nil, sleep end
  if transport then
    items, res = loop.next_page(cp, transport, sleep)
  else
    items, res = cp:next_page()
  end
  if items == nil then return nil, res end
  if self._progress then -- progress = function(ev): one event per page received
    self._progress({ op = cp:op(), kind = "request", done = cp:pages_fetched(), unit = "page" })
  end
  local op = c:_op(cp:op())
  local models = c._models
  -- items are lazy views (lua/src/lazy.c) that read snake_case names themselves; the rest of
  -- the page's result is a plain table that gets its model metatables
  if op then model.wrap(models, op.result, res) end
  return items, res
end

-- The next item, or nil at the end or on an error (then self.err is set).
function methods:next()
  while true do
    local items = self._items
    if items then
      local i = self._i + 1
      if i <= #items then
        self._i = i
        return items[i]
      end
      self._items = nil
    end
    if self._done or self.err or not self._p or self._p:closed() then return nil end
    local its, res = self:_fetch()
    if its == nil then
      if res ~= nil then self.err = res else self._done = true end
      return nil
    end
    self._items, self._i = its, 0
  end
end

Pager.__call = function(self) return self:next() end

-- Iterates pages: each page is the page's decoded result with `.items`. Items of the current
-- page that were not consumed through the item iterator are skipped.
function methods:pages()
  local function iter()
    self._items = nil
    if self._done or self.err or not self._p or self._p:closed() then return nil end
    local items, res = self:_fetch()
    if items == nil then
      if res ~= nil then self.err = res else self._done = true end
      return nil
    end
    if type(res) ~= "table" then res = {} end
    rawset(res, "items", items)
    return res
  end
  return iter, nil, nil, self
end

-- Generic-for helper when the pager is kept in a local: `for x in p:each() do` (closes it).
function methods:each()
  return self, nil, nil, self
end

-- Every remaining item in one table: items | nil, err.
function methods:all()
  local out = {}
  for item in self do out[#out + 1] = item end
  if self.err then return nil, self.err end
  return out
end

-- Resume token ({op, params, next, ...[, skip]}) to continue later with client:resume(token):
-- `skip` counts the items of page `next` already consumed; the core drops them on resume, the
-- same in Python and Lua.
function methods:state()
  if not self._p or self._p:closed() then return nil end
  self._p:set_consumed(self._items and self._i or 0)
  return self._p:state()
end

-- Chunked operations (Baidu keywords.get): every failure the vendor reported for the chunks
-- fetched so far, each with `index` relative to the whole input list. Plain iteration never
-- drops them: read this after (or during) the loop. Kept after close().
function methods:failures()
  if self._p and not self._p:closed() then self._failures = self._p:failures() end
  return self._failures or {}
end

function methods:pages_fetched()
  if not self._p or self._p:closed() then return 0 end
  return self._p:pages_fetched()
end

function methods:done() return self._done == true end

function methods:closed() return self._p == nil or self._p:closed() end

-- Frees the core pager (idempotent); `err` stays readable.
function methods:close()
  self._items = nil
  if self._p and not self._p:closed() then self._failures = self._p:failures() end
  if self._p then self._p:close() end
end

Pager.__close = function(self) self:close() end

Pager.__tostring = function(self)
  if self._p == nil then return "audkit.Pager (error)" end
  return tostring(self._p)
end

return Pager
