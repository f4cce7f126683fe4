-- tests/lua/wire_safety_spec.lua - issue 7 through the Lua binding, beyond the fault suite
-- (faults_spec.lua): per-call options, chunked failures visible from the iterator, the request
-- table a Lua-owned transport sees (idempotent, max_response_bytes), not_sent transport failures,
-- and secrets kept out of tostring(client).
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"

local VM = _VERSION .. (rawget(_G, "jit") and (" / " .. jit.version) or "")
local OK_GET = '{"code":0,"data":{"list":[],"page_info":{"page":1,"page_size":10,"total_number":0,"total_page":1}}}'

-- A client whose Lua transport answers from `answers` ({status, body} or a body; the last repeats).
local function canned(key, creds, answers)
  local seen = {}
  local opts = { base_url = "http://127.0.0.1:9", backoff = 0.001, sleep = function() end }
  for k, v in pairs(creds) do opts[k] = v end
  opts.transport = function(req)
    seen[#seen + 1] = req
    local a = answers[math.min(#seen, #answers)]
    if type(a) == "string" then a = { 200, a } end
    if a.error then return a end
    return { status = a[1], headers = { { "Content-Type", "application/json" } }, body = a[2] }
  end
  return assert(audkit.new(key, opts)), seen
end

local TX = { access_token = "TOKEN-SECRET-0001" }

describe("wire safety (" .. VM .. ")", function()
  it("takes per-call retries and timeout over the client's", function()
    local tx, seen = canned("tencent_ads", TX, { { 503, "down" } })
    local r, err = tx.custom_audiences:get { account_id = 1, retries = 0 }
    assert.is_nil(r)
    assert.are.equal("http", err.kind)
    assert.are.equal(1, #seen)
    r, err = tx.custom_audiences:get { account_id = 1 }
    assert.is_nil(r)
    assert.are.equal(5, #seen) -- 1 + the client's 3 retries
    local tx2, seen2 = canned("tencent_ads", TX, { OK_GET })
    assert(tx2.custom_audiences:get { account_id = 1, timeout = 2.5 })
    assert.are.equal(2500, seen2[1].timeout_ms)
    assert(tx2.custom_audiences:get { account_id = 1, deadline = 0.5 })
    assert.is_true(seen2[2].timeout_ms <= 500)
  end)

  it("refuses bad per-call options before sending, naming them", function()
    for _, bad in ipairs { { timeout = "5" }, { retries = 1.5 }, { retries = -1 }, { deadline = "soon" } } do
      local tx, seen = canned("tencent_ads", TX, { OK_GET })
      local p = { account_id = 1 }
      local name = next(bad)
      p[name] = bad[name]
      local r, err = tx.custom_audiences:get(p)
      assert.is_nil(r)
      assert.are.equal("validation", err.kind)
      assert.are.equal(name, err.field)
      assert.are.equal(0, #seen)
    end
  end)

  it("does not resend a create after a 5xx or an ambiguous transport failure", function()
    local tx, seen = canned("tencent_ads", TX, { { 502, "bad gateway" } })
    local r, err = tx.custom_audiences:add { account_id = 1, name = "n", type = "CUSTOMER_FILE" }
    assert.is_nil(r)
    assert.are.equal("http", err.kind)
    assert.is_false(err.retryable)
    assert.are.equal(1, #seen)
    assert.is_false(seen[1].idempotent)
    assert.are.equal(64 * 1024 * 1024, seen[1].max_response_bytes)
    -- a failure that provably never reached the server is retried, even for a create
    local tx2, seen2 = canned("tencent_ads", TX, {
      { error = "transport", message = "connection refused", not_sent = true },
      '{"code":0,"data":{"audience_id":5}}',
    })
    assert(tx2.custom_audiences:add { account_id = 1, name = "n", type = "CUSTOMER_FILE" })
    assert.are.equal(2, #seen2)
    local tx3, seen3 = canned("tencent_ads", TX, { { error = "transport", message = "reset" } })
    r, err = tx3.custom_audiences:add { account_id = 1, name = "n", type = "CUSTOMER_FILE" }
    assert.is_nil(r)
    assert.are.equal("transport", err.kind)
    assert.are.equal(1, #seen3)
  end)

  it("keeps chunked failures with input indexes after plain iteration", function()
    local bd, seen = canned("baidu_search", { user_name = "u", access_token = "BD-TOKEN-SECRET" }, {
      '{"header":{"status":1,"failures":[{"code":8001,"message":"gone","position":3}]},'
        .. '"body":{"data":[{"keywordId":5,"adgroupId":1,"keyword":"k"}]}}',
      '{"header":{"status":1,"failures":[{"code":8001,"message":"gone","position":0}]},"body":{"data":[]}}',
    })
    local ids = {}
    for i = 1, 10001 do ids[i] = i end
    local p = bd.keywords:get { ids = ids, id_type = "keyword" }
    local n = 0
    for _ in p:each() do n = n + 1 end
    assert.are.equal(1, n)
    assert.are.equal(2, #seen)
    local f = p:failures()
    assert.are.equal(2, #f)
    assert.are.equal(3, f[1].index)
    assert.are.equal(10000, f[2].index)
  end)

  it("gives a failed batch every input item, not applied or unknown", function()
    local items = { { adgroup_id = 1, keyword = "a" }, { adgroup_id = 1, keyword = "b" } }
    local bd, seen = canned("baidu_search", { user_name = "u", access_token = "BD-TOKEN-SECRET" }, { { 503, "busy" } })
    local r, err = bd.keywords:add { keyword_types = items }
    assert.is_nil(r)
    assert.are.equal(1, #seen) -- not resent: it may have been applied
    assert.is_true(err.maybe_applied)
    assert.are.equal(2, #err.batch_result.failures)
    assert.are.equal(0, err.batch_result.failures[1].index)
    assert.are.equal("unknown", err.batch_result.failures[2].state)
    local bd2 = canned("baidu_search", { user_name = "u", access_token = "BD-TOKEN-SECRET" },
      { '{"header":{"status":2,"failures":[{"code":901,"message":"refused"}]}}' })
    r, err = bd2.keywords:add { keyword_types = items }
    assert.is_nil(r)
    assert.is_false(err.maybe_applied)
    assert.are.equal("not_applied", err.batch_result.failures[1].state)
  end)

  it("masks the password of a base_url and every credential in tostring", function()
    local tx = assert(audkit.tencent_ads { access_token = "tok-secret-1", base_url = "https://user:pa55word@proxy.invalid/v1.1" })
    local s = tostring(tx)
    assert.is_nil(s:find("pa55word", 1, true))
    assert.is_nil(s:find("tok-secret-1", 1, true))
    assert.is_truthy(s:find("user:***@proxy.invalid", 1, true))
    tx:close()
  end)

  it("refuses CR/LF in credentials and user_agent", function()
    local c, err = audkit.tencent_ads { access_token = "tok\r\nX-Evil: 1" }
    assert.is_nil(c)
    assert.are.equal("validation", err.kind)
    c, err = audkit.tencent_ads { access_token = "tok", user_agent = "ua\nX: 1" }
    assert.is_nil(c)
    assert.are.equal("user_agent", err.field)
  end)
end)
