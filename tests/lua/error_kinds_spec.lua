-- tests/lua/error_kinds_spec.lua - errors as data: the Lua kinds come from the core's one list
-- (AK_ERROR_KINDS in core/include/audkit/error.h, exported by describe()), never retyped; and
-- core.json_decode parses with the core's exact parser (integers beyond 2^53 never round).
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"
local core = require "audkit.core"

local LUA54 = _VERSION == "Lua 5.4"

local function xmacro()
  local f = assert(io.open(H.root .. "/core/include/audkit/error.h"))
  local text = f:read("*a")
  f:close()
  local rows = {}
  local body = text:match("#define AK_ERROR_KINDS%(X%)(.-)\n\n")
  for name, retry in body:gmatch('X%(%s*[%w_]+%s*,%s*"([%l_]+)"%s*,%s*([01])%s*%)') do
    rows[#rows + 1] = { name = name, retryable = retry == "1" }
  end
  return rows
end

describe("error kinds and JSON codec (" .. _VERSION .. ")", function()
  it("audkit.kinds / error_kinds are exactly the core's X-macro list", function()
    local rows = xmacro()
    assert.is_true(#rows >= 10)
    local described = core.describe().error_kinds
    assert.are.equal(#rows, #described)
    local want, n = {}, 0
    for i, r in ipairs(rows) do
      assert.are.equal(r.name, described[i].name)
      assert.are.equal(r.retryable, described[i].retryable)
      if r.name ~= "none" then
        n = n + 1
        want[r.name] = r.retryable
        assert.are.equal(r.name, audkit.kinds[r.name])
        assert.are.equal(r.name, audkit.error_kinds[n].name)
        assert.are.equal(r.retryable, audkit.error_kinds[n].retryable)
      end
    end
    assert.are.equal(n, #audkit.error_kinds)
    for k in pairs(audkit.kinds) do assert.is_not_nil(want[k], k) end
  end)

  it("json_decode keeps integers beyond 2^53 exact", function()
    local v = assert(core.json_decode('{"n":9007199254740993,"m":-9007199254740995,"a":[12345678901234567]}'))
    if LUA54 then
      assert.are.equal("integer", math.type(v.n))
      assert.are.equal(9007199254740993, v.n)
      assert.are.equal(-9007199254740995, v.m)
      assert.are.equal(12345678901234567, v.a[1])
      assert.are.equal('{"n":9007199254740993}', core.json_encode({ n = v.n }))
    else -- LuaJIT / 5.1: doubles only, so the exact digits as a string (docs/LUA.md)
      assert.are.equal("9007199254740993", v.n)
      assert.are.equal("-9007199254740995", v.m)
      assert.are.equal("12345678901234567", v.a[1])
    end
    assert.are.equal(123, core.json_decode("123"))
    local bad, msg = core.json_decode("[1,")
    assert.is_nil(bad)
    assert.matches("invalid JSON", msg)
  end)
end)
