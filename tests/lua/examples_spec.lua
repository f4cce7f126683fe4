-- tests/lua/examples_spec.lua - examples are tests: examples/tour.lua and
-- examples/tencent_audiences.lua run under Lua 5.4 and LuaJIT (each starts and stops its own
-- sandbox) and exit 0; the tour walks every vendor, tencent_audiences creates every audience type.
-- The examples run once, from the Lua 5.4 busted run; under `busted --lua=luajit` they are skipped
-- (the LuaJIT runs still happen, as subprocesses of the 5.4 run).
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")

local LUA54 = _VERSION == "Lua 5.4"

local HEADINGS = {
  "Tencent Ads: custom audiences",
  "Sensors Data: user tags",
  "ThinkingData: user clusters",
  "Baidu search ads: keywords",
  "Volcengine live: viewer track data",
}

-- Runs `vm examples/<script>` (default tour.lua) from the repository root with no AUDKIT_* vendor
-- settings in the environment (AUDKIT_BUILD_DIR is kept: the examples load their modules from
-- there). Returns the exit status and stdout+stderr.
local function run_example(vm, script)
  local out = os.tmpname()
  local cmd = ("cd %s && for v in $(env | sed -n 's/^\\(AUDKIT_[A-Z0-9_]*\\)=.*/\\1/p'); do "
    .. "[ \"$v\" = AUDKIT_BUILD_DIR ] || unset \"$v\"; done; timeout 120 %s examples/%s >%s 2>&1; echo $?")
    :format(H.shq(H.root), vm, script or "tour.lua", H.shq(out))
  local p = assert(io.popen(cmd))
  local status = tonumber(p:read("*l"))
  p:close()
  local f = assert(io.open(out))
  local text = f:read("*a")
  f:close()
  os.remove(out)
  return status, text
end

local function has(cmd) return H.exec_ok("command -v " .. cmd .. " >/dev/null 2>&1") end

describe("examples/tour.lua", function()
  for _, vm in ipairs { "lua5.4", "luajit" } do
    local run = (LUA54 and has(vm)) and it or pending
    run("runs under " .. vm .. ", exits 0 and walks every vendor", function()
      local status, text = run_example(vm)
      assert.are.equal(0, status, text)
      for _, h in ipairs(HEADINGS) do
        assert.is_truthy(text:find(h, 1, true), h .. " missing from:\n" .. text)
      end
      for _, s in ipairs {
        "left:     0 audiences",
        "5 tags in 3 requests",
        'cluster_name = "tour_1001"  1001',
        "requests before the first item: 0",
        "all 10,001 keywords in 2 requests",
        "51 ad-group ids -> 102 keywords in 2 requests",
        "1 added, 2 failed",
        "keywordTypes[1].adgroupId",
        "requests sent: 0",
        "Tour finished.",
      } do
        assert.is_truthy(text:find(s, 1, true), s .. " missing from:\n" .. text)
      end
      local gap = tonumber(text:match("saw the two requests ([%d.]+) s apart"))
      assert.is_true(gap ~= nil and gap >= 1.0, text)
    end)
  end
end)

-- Every audience type, and every rule of USER_ACTION and LBS, as "created  #<id>  <type>  <rule>".
local TENCENT_CREATED = {
  { "CUSTOMER_FILE", "-" }, { "LOOKALIKE", "seed" }, { "USER_ACTION", "URL" }, { "USER_ACTION", "ACTION" },
  { "USER_ACTION", "AGGREGATION" }, { "LBS", "POI" }, { "LBS", "CROSS_CITY" }, { "LBS", "CUSTOM_LOCATION" },
  { "KEYWORD", "-" }, { "AD", "CONVERSION" }, { "COMBINE", "-" },
}

describe("examples/tencent_audiences.lua", function()
  for _, vm in ipairs { "lua5.4", "luajit" } do
    local run = (LUA54 and has(vm)) and it or pending
    run("runs under " .. vm .. ", exits 0 and creates every audience type", function()
      local status, text = run_example(vm, "tencent_audiences.lua")
      assert.are.equal(0, status, text)
      for _, t in ipairs(TENCENT_CREATED) do
        local pattern = "\n  created  #%d+ +" .. t[1] .. " +" .. t[2]:gsub("%p", "%%%0") .. " "
        assert.is_truthy(text:find(pattern), t[1] .. " (" .. t[2] .. ") not created:\n" .. text)
      end
      for _, s in ipairs {
        "created 11 audiences, refused 0",
        "validation error (8 violations):",
        "audience_spec.lbs_spec.custom_location_rule.area_list[0].circle_area.radius",
        "requests sent: 0",
        "11 audiences in 3 page requests",
        "deep_equal(audience_spec, the spec sent): true",
        "left over: 0",
        "Done.",
      } do
        assert.is_truthy(text:find(s, 1, true), s .. " missing from:\n" .. text)
      end
    end)
  end
end)
