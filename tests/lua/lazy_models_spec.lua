-- tests/lua/lazy_models_spec.lua - pager items are lazy models: views over their page's JSON
-- (nothing converted until a field is read), alive after their pager and client are gone,
-- comparable, printable, convertible (to_table), encodable when passed back as parameters.
-- Resume tokens taken inside a page skip exactly the items consumed.
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"
local core = require "audkit.core"

local VM = _VERSION .. (rawget(_G, "jit") and (" / " .. jit.version) or "")

describe("lazy models (" .. VM .. ")", function()
  local sb, tx

  setup(function()
    sb = H.start_sandbox()
    tx = sb:client("tencent_ads")
  end)

  teardown(function()
    if tx then tx:close() end
    if sb then sb:stop() end
  end)

  before_each(function()
    sb:reset()
    sb:seed { vendor = "tencent_ads", kind = "custom_audiences", count = 25, account_id = 1 }
  end)

  it("hands out views that read fields by snake_case or wire name", function()
    local items = assert(tx.custom_audiences:list({ account_id = 1, page_size = 10 }):all())
    assert.are.equal(25, #items)
    local a = items[1]
    assert.are.equal("userdata", type(a))
    assert.is_number(a.audience_id)
    assert.are.equal(a.audience_id, a.audience_id)
    assert.is_string(a.name)
    assert.is_nil(a.no_such_field)
    local t = a:to_table()
    assert.are.equal("table", type(t))
    assert.are.equal(a.audience_id, t.audience_id)
    assert.are.equal(a.name, t.name)
    -- equality by content, not identity
    local again = assert(tx.custom_audiences:list({ account_id = 1, page_size = 10 }):all())
    assert.is_true(a == again[1])
    assert.is_false(a == items[2])
    assert.matches("^audkit%.CustomAudience{", tostring(a))
    -- read-only
    assert.has_error(function() a.name = "x" end)
  end)

  it("outlives its pager and its client", function()
    local c = sb:client("tencent_ads")
    local p = c.custom_audiences:list { account_id = 1, page_size = 10 }
    local first = p:next()
    local id, name = first.audience_id, first.name
    p:close()
    c:close()
    p, c = nil, nil
    collectgarbage()
    collectgarbage()
    assert.are.equal(id, first.audience_id)
    assert.are.equal(name, first.name)
    assert.are.equal(id, first:to_table().audience_id)
  end)

  it("iterates members with pairs on Lua 5.4 (to_table everywhere)", function()
    local a = tx.custom_audiences:list({ account_id = 1, page_size = 10 }):next()
    local plain = a:to_table()
    if _VERSION == "Lua 5.4" then
      local seen = {}
      for k, v in pairs(a) do
        seen[k] = v
      end
      for k, v in pairs(plain) do
        if type(v) ~= "table" and type(v) ~= "userdata" then assert.are.equal(v, seen[k]) end
        assert.is_not_nil(seen[k])
      end
    end
  end)

  it("nests views for documented objects and encodes as JSON when passed back", function()
    local seed = assert(tx.custom_audiences:add { account_id = 1, name = "seed", type = "CUSTOMER_FILE" }).audience_id
    local lal = assert(tx.custom_audiences:add {
      account_id = 1, name = "lal", type = "LOOKALIKE",
      audience_spec = { lookalike_spec = { seed_audience_id = seed, expand_user_count = 1000000 } },
    }).audience_id
    local found
    for a in tx.custom_audiences:list { account_id = 1 } do
      if a.audience_id == lal then found = a end
    end
    assert.is_not_nil(found)
    local spec = found.audience_spec
    assert.are.equal("userdata", type(spec))
    assert.are.equal(seed, spec.lookalike_spec.seed_audience_id)
    local json = assert(core.json_encode(found))
    local back = assert(core.json_decode(json))
    assert.are.equal(lal, back.audience_id)
    assert.are.equal(seed, back.audience_spec.lookalike_spec.seed_audience_id)
  end)

  it("resumes inside a page at the next unconsumed item", function()
    local all = {}
    for a in tx.custom_audiences:list { account_id = 1, page_size = 10 } do all[#all + 1] = a.audience_id end
    local p = tx.custom_audiences:list { account_id = 1, page_size = 10 }
    local head = {}
    for _ = 1, 13 do head[#head + 1] = p:next().audience_id end
    local st = p:state()
    assert.are.equal(2, st.next)
    assert.are.equal(3, st.skip)
    local rest = {}
    for a in tx:resume(st) do rest[#rest + 1] = a.audience_id end
    for _, id in ipairs(rest) do head[#head + 1] = id end
    assert.are.same(all, head)
  end)
end)
