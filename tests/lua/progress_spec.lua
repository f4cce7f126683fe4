-- tests/lua/progress_spec.lua - progress = function(ev) on any operation: chunk events of a split
-- Baidu batch, poll events of a waiter, "waiting" events for a retry's backoff, one "request" event
-- per page; a callback error abandons the call and comes back as its error; a non-function is a
-- validation error before anything is sent.
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"

local VM = _VERSION .. (rawget(_G, "jit") and (" / " .. jit.version) or "")

local function keywords(gid, n)
  local out = {}
  for i = 0, n - 1 do out[i + 1] = { adgroup_id = gid, keyword = "kw" .. i } end
  return out
end

describe("progress callbacks (" .. VM .. ")", function()
  local sb

  setup(function() sb = H.start_sandbox() end)
  teardown(function() if sb then sb:stop() end end)
  before_each(function() sb:reset() end)

  it("reports each finished chunk of a split batch", function()
    local gid = sb:seed { vendor = "baidu_search", kind = "adgroups", count = 1, keywords = 0 }.ids[1]
    local bd = sb:client("baidu_search")
    local events = {}
    local res, err = bd.keywords:add { keyword_types = keywords(gid, 25001), max_concurrency = 2,
      progress = function(ev) events[#events + 1] = ev end }
    assert.is_nil(err)
    assert.are.equal(25001, res.succ)
    local chunks = {}
    for _, ev in ipairs(events) do
      if ev.kind == "chunk" then chunks[#chunks + 1] = ev.done .. "/" .. ev.total end
      assert.are.equal("keywords.add", ev.op)
    end
    assert.are.same({ "1/3", "2/3", "3/3" }, chunks)
  end)

  it("reports a retry's backoff as waiting, with its seconds and reason", function()
    local tx = sb:client("tencent_ads", { backoff = 0.01 })
    sb:fault { vendor = "tencent_ads", route = "custom_audiences/add", fault = "rate_limit", times = 1, code = 11017 }
    local events = {}
    local res, err = tx.custom_audiences:add { account_id = 1, name = "p", type = "CUSTOMER_FILE",
      progress = function(ev) events[#events + 1] = ev end }
    assert.is_nil(err)
    assert.is_number(res.audience_id)
    assert.are.equal(1, #events)
    assert.are.equal("waiting", events[1].kind)
    assert.is_true(events[1].reason == "backoff" or events[1].reason == "retry_after")
    assert.is_true(events[1].wait_seconds >= 0 and events[1].wait_seconds < 5)
    tx:close()
  end)

  it("reports a waiter's polls with the progress value", function()
    local ta = sb:client("thinking_data")
    local id = sb:seed { vendor = "thinking_data", kind = "clusters", count = 1, project_id = 102 }.ids[1]
    assert(ta.clusters:refresh { project_id = 102, cluster_id = id })
    local polls = {}
    local done = assert(ta.clusters:wait_refreshed { project_id = 102, cluster_id = id, timeout = 30,
      progress = function(ev) if ev.kind == "poll" then polls[#polls + 1] = ev end end })
    assert.are.equal(100, done.progress)
    assert.is_true(#polls >= 1)
    for _, ev in ipairs(polls) do
      assert.is_number(ev.done)
      assert.are.equal(100, ev.total)
      assert.is_true(ev.done < 100)
    end
  end)

  it("reports one request event per page", function()
    sb:seed { vendor = "tencent_ads", kind = "custom_audiences", count = 25, account_id = 1 }
    local tx = sb:client("tencent_ads")
    local pages = {}
    local n = 0
    for _ in tx.custom_audiences:list { account_id = 1, page_size = 10,
      progress = function(ev) pages[#pages + 1] = ev.kind .. ":" .. ev.done end } do
      n = n + 1
    end
    assert.are.equal(25, n)
    assert.are.same({ "request:1", "request:2", "request:3" }, pages)
    tx:close()
  end)

  it("abandons the call when the callback raises, returning its error", function()
    local tx = sb:client("tencent_ads", { backoff = 0.01 })
    sb:fault { vendor = "tencent_ads", route = "custom_audiences/add", fault = "rate_limit", times = 1, code = 11017 }
    local res, err = tx.custom_audiences:add { account_id = 1, name = "p", type = "CUSTOMER_FILE",
      progress = function() error({ stop = true }) end }
    assert.is_nil(res)
    assert.are.same({ stop = true }, err)
    assert.are.equal(1, #sb:requests("tencent_ads", "custom_audiences/add")) -- not retried
    tx:close()
  end)

  it("refuses a progress that is not a function before sending", function()
    local tx = sb:client("tencent_ads")
    local res, err = tx.custom_audiences:add { account_id = 1, name = "p", type = "CUSTOMER_FILE", progress = 5 }
    assert.is_nil(res)
    assert.are.equal("validation", err.kind)
    assert.are.equal("progress", err.field)
    assert.are.equal(0, #sb:requests("tencent_ads"))
    tx:close()
  end)
end)
