-- tests/lua/tencent_spec_spec.lua - Tencent Ads audience_spec parity: the case table
-- tests/golden/tencent_ads/spec_cases.json (shared with ctest's test_tencent_spec.c and pytest's
-- test_tencent_spec_parity.py) through the Lua binding against the sandbox.
--
--   invalid case: custom_audiences:add returns nil, err with err.kind "validation", the set of
--     violation paths is exactly the table's (each expected rule text found at its path), and
--     no request reaches the sandbox;
--   valid case: add succeeds and custom_audiences:get{account_id, audience_id} returns an equal
--     audience_spec (the round trip); the sandbox saw exactly that add and that get.
--
-- Date tokens "{today}", "{today-N}", "{today+N}" become GMT+8 dates computed at run time.
-- Run from the repository root after `cmake -S . -B build && cmake --build build`:
--   busted --lua=lua5.4 tests/lua/tencent_spec_spec.lua   (or --lua=luajit)
-- AUDKIT_BUILD_DIR selects another build tree; AUDKIT_TENCENT_SPEC_CASES another table.
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local core = require "audkit.core"

local cases_path = os.getenv("AUDKIT_TENCENT_SPEC_CASES")
if not cases_path or cases_path == "" then
  cases_path = H.root .. "/tests/golden/tencent_ads/spec_cases.json"
end

local function load_cases()
  local f = assert(io.open(cases_path, "rb"))
  local text = f:read("*a")
  f:close()
  return assert(core.json_decode(text))
end

-- days since 1970-01-01 of today in GMT+8 (os.time() is the Unix time)
local function today_gmt8()
  return math.floor((os.time() + 8 * 3600) / 86400)
end

local function date_of(days)
  return os.date("!%Y-%m-%d", days * 86400)
end

-- Replaces the date tokens of a decoded tree in place.
local function resolve_dates(t, today)
  for k, v in pairs(t) do
    if type(v) == "string" then
      if v == "{today}" then
        t[k] = date_of(today)
      else
        local sign, n = v:match("^{today([+-])(%d+)}$")
        if sign then t[k] = date_of(today + (sign == "-" and -tonumber(n) or tonumber(n))) end
      end
    elseif type(v) == "table" then
      resolve_dates(v, today)
    end
  end
end

-- Structural equality of decoded JSON (metatables ignored, 1 == 1.0).
local function deep_equal(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do
    if not deep_equal(v, rawget(b, k)) then return false end
  end
  for k in pairs(b) do
    if rawget(a, k) == nil then return false end
  end
  return true
end

local function show(v)
  return (core.json_encode(v)) or tostring(v)
end

-- Checks err.violations against the case; returns nil or a description of every difference.
local function violation_problems(case, err)
  local problems = {}
  local got, expected = {}, {}
  for _, v in ipairs(err.violations or {}) do
    got[v.field] = got[v.field] or {}
    table.insert(got[v.field], v.rule)
  end
  for _, e in ipairs(case.violations) do
    expected[e.field] = true
    local rules = got[e.field]
    local found = false
    for _, r in ipairs(rules or {}) do
      if r:find(e.rule_contains, 1, true) then found = true end
    end
    if not found then
      problems[#problems + 1] = ("expected %s: ...%s... (%s)"):format(e.field, e.rule_contains,
        rules and ("got: " .. table.concat(rules, " | ")) or "not reported")
    end
  end
  for field, rules in pairs(got) do
    if not expected[field] then
      problems[#problems + 1] = ("unexpected %s: %s"):format(field, table.concat(rules, " | "))
    end
  end
  if #problems == 0 then return nil end
  return table.concat(problems, "\n")
end

local CASES = load_cases()

describe("Tencent Ads audience_spec parity table (" .. _VERSION .. ")", function()
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
  end)

  it("has a well-formed table", function()
    assert.is_true(#CASES > 100)
    local names, audience_names = {}, {}
    for _, c in ipairs(CASES) do
      assert.is_nil(names[c.name], c.name)
      names[c.name] = true
      assert.are.equal(c.valid, #c.violations == 0, c.name)
      if c.valid then
        assert.is_nil(audience_names[c.params.name], c.name)
        audience_names[c.params.name] = true
      end
    end
  end)

  for _, case in ipairs(CASES) do
    it(case.name, function()
      local params = case.params
      resolve_dates(params, today_gmt8()) -- once: tokens are gone afterwards
      local res, err = tx.custom_audiences:add(params)
      if not case.valid then
        assert.is_nil(res)
        assert.is_table(err)
        assert.are.equal("validation", err.kind)
        local problems = violation_problems(case, err)
        assert(problems == nil, problems)
        assert.are.equal(err.violations[1].field, err.field)
        assert.are.equal(0, #sb:requests("tencent_ads"), "an invalid case must not reach the sandbox")
        return
      end
      assert(res, err and tostring(err))
      local id = res.audience_id
      assert.is_number(id)
      local query = { account_id = params.account_id, audience_id = id, platform = params.platform }
      local page, gerr = tx.custom_audiences:get(query)
      assert(page, gerr and tostring(gerr))
      assert.are.equal(1, #page.items)
      local aud = page.items[1]
      assert.are.equal(id, aud.audience_id)
      assert.are.equal(params.name, aud.name)
      assert(deep_equal(params.audience_spec, aud.audience_spec),
        "round trip differs:\n sent: " .. show(params.audience_spec) .. "\n got:  " .. show(aud.audience_spec))
      local reqs = sb:requests("tencent_ads")
      assert.are.equal(2, #reqs)
      assert.are.equal("custom_audiences/add", reqs[1].route)
      assert.are.equal("custom_audiences/get", reqs[2].route)
    end)
  end

  it("reports every violation at once, first one in err.field", function()
    local case
    for _, c in ipairs(CASES) do
      if c.name == "many violations in one user_action_spec" then case = c end
    end
    resolve_dates(case.params, today_gmt8())
    local res, err = tx.custom_audiences:add(case.params)
    assert.is_nil(res)
    assert.are.equal(6, #err.violations)
    local path = "audience_spec.user_action_spec.url_match_rule.url_matcher_group[0].url_matcher[3].operator"
    local seen = false
    for _, v in ipairs(err.violations) do seen = seen or v.field == path end
    assert.is_true(seen)
    assert.is_truthy(tostring(err):find(path, 1, true))
    assert.are.equal(0, #sb:requests("tencent_ads"))
  end)
end)
