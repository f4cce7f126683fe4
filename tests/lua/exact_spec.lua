-- tests/lua/exact_spec.lua - exact integers and typed responses (issue 7 items 3 and 4) through
-- the Lua binding: ids beyond 2^53 come back exact (Lua 5.4: integers; LuaJIT: decimal strings),
-- decimal-string ids go out as JSON integers, documented fields of the wrong type are "decode"
-- errors naming the path. Canned bodies through a Lua transport, and one sandbox round trip.
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"

local LUA54 = math.type ~= nil and math.maxinteger == 9223372036854775807
local VM = _VERSION .. (rawget(_G, "jit") and (" / " .. jit.version) or "")

-- 2^53 + 1 and the int64 limits in the exact form of this VM
local BIG = LUA54 and load("return 9007199254740993")() or "9007199254740993"
local MAX = LUA54 and math.maxinteger or "9223372036854775807"
local MIN = LUA54 and math.mininteger or "-9223372036854775808"

-- A Tencent client whose transport answers with the given bodies in turn and records requests.
local function canned(bodies)
  local seen, i = {}, 0
  local tx = assert(audkit.tencent_ads {
    access_token = "T", base_url = "http://127.0.0.1:9/v1.1", retries = 0,
    transport = function(req)
      i = i + 1
      seen[#seen + 1] = req
      return { status = 200, headers = { { "Content-Type", "application/json" } }, body = bodies[i] or "{}" }
    end,
  })
  return tx, seen
end

local ADD = { account_id = 1, name = "n", type = "CUSTOMER_FILE" }

describe("exact integers and typed responses (" .. VM .. ")", function()
  it("reads ids beyond 2^53 exactly", function()
    local tx = canned {
      '{"code":0,"data":{"audience_id":9007199254740993}}',
      '{"code":0,"data":{"list":[{"audience_id":9223372036854775807,"account_id":-9223372036854775808,'
        .. '"user_count":7,"extra":99999999999999999999}],"page_info":{"page":1,"total_page":1}}}',
    }
    local r = assert(tx.custom_audiences:add(ADD))
    assert.are.equal(BIG, r.audience_id)
    if LUA54 then assert.are.equal("integer", math.type(r.audience_id)) end
    local page = assert(tx.custom_audiences:get { account_id = 1 })
    local it = page.list[1]
    assert.are.equal(MAX, it.audience_id)
    assert.are.equal(MIN, it.account_id)
    assert.are.equal(7, it.user_count)
    -- an unknown field beyond int64 keeps its digits
    assert.are.equal("99999999999999999999", it.extra)
    tx:close()
  end)

  it("sends decimal-string ids as JSON integers", function()
    local tx, seen = canned { '{"code":0,"data":{}}', '{"code":0,"data":{}}' }
    -- (a Lua table's key order is unspecified: both members are checked, and the whole length)
    local function exact_body(body)
      assert.is_truthy(body:find('"account_id":9007199254740993', 1, true))
      assert.is_truthy(body:find('"audience_id":9223372036854775807', 1, true))
      assert.are.equal(#'{"account_id":9007199254740993,"audience_id":9223372036854775807}', #body)
    end
    assert(tx.custom_audiences:delete { account_id = "9007199254740993", audience_id = "9223372036854775807" })
    exact_body(seen[1].body)
    if LUA54 then -- Lua 5.4 integers beyond 2^53 are exact too
      assert(tx.custom_audiences:delete { account_id = BIG, audience_id = math.maxinteger })
      exact_body(seen[2].body)
    end
    -- an integer field that is not an id refuses a string; nothing is sent
    local res, err = tx.custom_audiences:get { account_id = 1, page_size = "5" }
    assert.is_nil(res)
    assert.are.equal("validation", err.kind)
    assert.are.equal("page_size", err.field)
    -- range messages print integers exactly
    res, err = tx.custom_audiences:get { account_id = 0 }
    assert.is_nil(res)
    assert.matches("between 1 and 9223372036854775807", tostring(err))
    assert.is_nil(tostring(err):find("e+", 1, true))
    tx:close()
  end)

  local wrong = {
    { "string", '{"code":0,"data":{"audience_id":"abc"}}', "data.audience_id", "expected an integer, got string" },
    { "fraction", '{"code":0,"data":{"audience_id":1.5}}', "data.audience_id", "expected an integer, got number" },
    { "null", '{"code":0,"data":{"audience_id":null}}', "data.audience_id", "expected an integer, got null" },
    { "nested array", '{"code":0,"data":{"audience_id":[[1]]}}', "data.audience_id", "expected an integer, got array" },
    { "beyond int64", '{"code":0,"data":{"audience_id":99999999999999999999}}', "data.audience_id", "int64" },
    { "no data", '{"code":0,"message":""}', "data", "no data" },
  }
  for _, case in ipairs(wrong) do
    it("refuses a documented field of the wrong type: " .. case[1], function()
      local tx = canned { case[2] }
      local res, err = tx.custom_audiences:add(ADD)
      assert.is_nil(res)
      assert.are.equal("decode", err.kind)
      assert.are.equal(case[3], err.field)
      assert.is_truthy(tostring(err):find(case[4], 1, true))
      tx:close()
    end)
  end

  it("names the list item in the path", function()
    local tx = canned {
      '{"code":0,"data":{"list":[{"audience_id":1},{"audience_id":2},{"audience_id":3},{"audience_id":"abc"}],'
        .. '"page_info":{"page":1}}}',
    }
    local res, err = tx.custom_audiences:get { account_id = 1 }
    assert.is_nil(res)
    assert.are.equal("decode", err.kind)
    assert.are.equal("data.list[3].audience_id", err.field)
    tx:close()
  end)

  describe("against the sandbox", function()
    local sb
    setup(function() sb = H.start_sandbox() end)
    teardown(function() if sb then sb:stop() end end)

    it("adds under an account id beyond 2^53 and reads it back exactly", function()
      sb:reset()
      local tx = sb:client("tencent_ads")
      local r = assert(tx.custom_audiences:add { account_id = BIG, name = "big", type = "CUSTOMER_FILE" })
      local page = assert(tx.custom_audiences:get { account_id = "9007199254740993" })
      assert.are.equal(1, #page.list)
      assert.are.equal(BIG, page.list[1].account_id)
      assert.are.equal(r.audience_id, page.list[1].audience_id)
      local body = sb:requests("tencent_ads")[1].body
      assert.is_truthy(tostring(body):find("9007199254740993", 1, true))
      tx:close()
    end)
  end)
end)
