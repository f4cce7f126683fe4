-- tests/lua/baidu_batch_spec.lua - Baidu keywords.add/update/delete with any number of items
-- (issue 9) through the Lua binding against the sandbox: 25,001 keywords are 3 requests of at most
-- 10,000 (concurrent in the core with libcurl; one after another with a Lua-owned loop), one merged
-- result with input indexes across chunks, a chunk failed in transport reported item by item as
-- "unknown" while the others come back, a refused chunk "not_applied", max_concurrency validated.
--   busted --lua=lua5.4 -o tests/lua/support/summary_output.lua tests/lua/baidu_batch_spec.lua
--   busted --lua=luajit -o tests/lua/support/summary_output.lua tests/lua/baidu_batch_spec.lua
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"
local core = require "audkit.core"
local loop = require "audkit.loop"

local VM = _VERSION .. (rawget(_G, "jit") and (" / " .. jit.version) or "")
local ADD = "KeywordService/addWord"
local N = 25001

-- n keywords of ad group gid (0-based input index i -> "kw<i>"); `bad` indexes name a missing group
local function keywords(gid, n, bad)
  local out = {}
  for i = 0, n - 1 do
    out[i + 1] = { adgroup_id = (bad and bad[i]) and 999999 or gid, keyword = "kw" .. i }
  end
  return out
end

local function chunk_sizes(sb)
  local sizes = {}
  for _, r in ipairs(sb:requests("baidu_search", ADD)) do
    sizes[#sizes + 1] = #core.json_decode(r.body).body.keywordTypes
  end
  table.sort(sizes)
  return sizes
end

local function indexes(fails, state)
  local out = {}
  for _, f in ipairs(fails) do
    if state == nil or f.state == state then out[#out + 1] = f.index end
  end
  return out
end

describe("Baidu batches of any size (" .. VM .. ")", function()
  local sb, gid

  setup(function() sb = H.start_sandbox() end)
  teardown(function() if sb then sb:stop() end end)
  before_each(function()
    sb:reset()
    gid = sb:seed { vendor = "baidu_search", kind = "adgroups", count = 1, keywords = 0 }.ids[1]
    sb:clear_requests()
  end)

  it("sends 25,001 keywords as 3 requests and merges them with input indexes", function()
    local bd = sb:client("baidu_search")
    local res, err = bd.keywords:add { keyword_types = keywords(gid, N, { [5] = true, [20003] = true }),
      max_concurrency = 3 }
    assert.is_nil(err)
    assert.are.same({ 5001, 10000, 10000 }, chunk_sizes(sb))
    assert.are.equal(N - 2, #res.items)
    assert.are.equal("kw6", res.items[6].keyword)
    assert.are.equal("kw" .. (N - 1), res.items[N - 2].keyword)
    assert.are.same({ 5, 20003 }, indexes(res.failures))
    assert.are.equal(1, res.status)
    assert.are.equal(N - 2, res.succ)
    assert.are.equal(3, res.requests)
    bd:close()
  end)

  it("reports a chunk failed in transport as unknown, the others' successes come back", function()
    local bd = sb:client("baidu_search")
    sb:fault { vendor = "baidu_search", route = ADD, fault = "reset" }
    local res, err = bd.keywords:add { keyword_types = keywords(gid, N, { [7] = true }) }
    assert.is_nil(err)
    assert.are.equal(3, sb:count(ADD, "baidu_search")) -- not idempotent: never resent
    local unknown = indexes(res.failures, "unknown")
    local lo, hi = unknown[1], unknown[#unknown]
    assert.is_true(lo == 0 or lo == 10000 or lo == 20000)
    assert.are.equal(lo == 20000 and 5001 or 10000, hi - lo + 1)
    assert.are.equal(hi - lo + 1, #unknown)
    assert.are.equal("transport", res.failures[lo == 0 and 1 or 2].kind)
    assert.are.equal(N, #res.items + #res.failures) -- none dropped
    assert.are.equal(1, res.failed_requests)
    bd:close()
  end)

  it("runs the chunks one after another with a Lua-owned loop; a refused chunk is not_applied", function()
    local bd = sb:client("baidu_search", { transport = loop.curl_transport, retries = 0 })
    sb:fault { vendor = "baidu_search", route = ADD, fault = "auth" }
    local res, err = bd.keywords:add { keyword_types = keywords(gid, 20001) }
    assert.is_nil(err)
    local refused = indexes(res.failures, "not_applied")
    assert.are.equal(10000, #refused)
    assert.are.equal(0, refused[1]) -- sequential: the first chunk met the fault
    assert.are.equal(10001, #res.items)
    bd:close()
  end)

  it("fails with every item listed when every chunk failed", function()
    local bd = sb:client("baidu_search", { retries = 0 })
    sb:fault { vendor = "baidu_search", route = ADD, fault = "auth", times = 2 }
    local res, err = bd.keywords:add { keyword_types = keywords(gid, 10001) }
    assert.is_nil(res)
    assert.matches("all 2 requests of the batch failed", err.message, 1, true)
    assert.are.equal(10001, #err.batch_result.failures)
    assert.are.equal(10000, err.batch_result.failures[10001].index)
    bd:close()
  end)

  it("validates max_concurrency per call and per client", function()
    local bd = sb:client("baidu_search")
    for _, bad in ipairs { 0, 65, -1, 2.5, "4" } do
      local res, err = bd.keywords:add { keyword_types = keywords(gid, 2), max_concurrency = bad }
      assert.is_nil(res)
      assert.are.equal("validation", err.kind)
      assert.are.equal("max_concurrency", err.field)
      local c, cerr = audkit.baidu_search(sb:options("baidu_search", { max_concurrency = bad }))
      assert.is_nil(c)
      assert.are.equal("max_concurrency", cerr.field)
    end
    assert.are.equal(0, sb:count(ADD, "baidu_search"))
    bd:close()
    local ok = sb:client("baidu_search", { max_concurrency = 2 })
    local ids = sb:seed { vendor = "baidu_search", kind = "keywords", count = 2, adgroup_id = gid }.ids
    local res = assert(ok.keywords:delete { keyword_ids = { ids[1], 1, ids[2] } })
    assert.are.same({ 1 }, indexes(res.failures))
    assert.are.equal(2, res.succ)
    ok:close()
  end)
end)
