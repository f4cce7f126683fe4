-- examples/tencent_audiences.lua - Tencent Ads custom audiences: one audience of every type, each
-- with a complete audience_spec, against the audkit sandbox (the local emulator of the vendor
-- APIs), which this script starts and stops itself.
--
--   lua5.4 examples/tencent_audiences.lua        (or: luajit examples/tencent_audiences.lua)
--
--   1. creates one audience of each type (docs/TENCENT_ADS.md has the whole spec model):
--        CUSTOMER_FILE   no spec: the ids are uploaded separately
--        LOOKALIKE       lookalike_spec, seeded with the CUSTOMER_FILE audience
--        USER_ACTION     three ways: a URL rule, an ACTION match rule, an AGGREGATION rule
--        LBS             three ways: POI, CROSS_CITY, CUSTOM_LOCATION
--        KEYWORD         include/exclude keywords (at most 10 UTF-8 bytes: 3 Chinese characters)
--        AD              people who installed or activated the app from ads, last 30 days
--        COMBINE         AND of ORs of the audiences above, minus an exclude group
--   2. shows an invalid spec refused before anything is sent, with every violation and its path;
--   3. lists every audience (pages fetched lazily);
--   4. gets one back by id: its audience_spec equals the one sent (a deep compare);
--   5. deletes them all: nothing is left over.
--
-- Dates are computed from today's date in GMT+8 (the Marketing API's time zone), so the example
-- stays valid whenever it runs. To run it against another server instead, set
--
--   AUDKIT_TENCENT_ADS_BASE_URL       e.g. http://127.0.0.1:PORT/tencent_ads/v1.1
--   AUDKIT_TENCENT_ADS_ACCESS_TOKEN   the access token (read by audkit itself)
--   AUDKIT_TENCENT_ADS_ACCOUNT_ID     the account to use (default 1)
--   AUDKIT_TENCENT_ADS_TAG_ID         a customer tag id for the COMBINE audience (default 9000001)
--
-- A real account needs whitelisting for KEYWORD and LBS audiences, existing user action sets and
-- ad groups, and a lookalike seed that has finished processing; whatever the server refuses is
-- printed and the example goes on with the rest. Everything it created is deleted at the end.
--
-- Module paths: run from the repository root after `cmake -S . -B build && cmake --build build`
-- (this script adds lua/ and build/lua or build/luajit itself; AUDKIT_BUILD_DIR overrides build/).
local root = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/examples/[^/]*$")) or "."
local build = os.getenv("AUDKIT_BUILD_DIR") or (root .. "/build")
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
package.cpath = build .. (rawget(_G, "jit") and "/luajit" or "/lua") .. "/?.so;" .. package.cpath

local audkit = require "audkit"
local core = audkit.core

local function shq(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- "today" for every date rule of the document: days since 1970-01-01 in GMT+8.
local TODAY = math.floor((os.time() + 8 * 3600) / 86400)

-- today + offset days in GMT+8, as yyyy-MM-dd.
local function day(offset) return os.date("!%Y-%m-%d", (TODAY + offset) * 86400) end

------------------------------------------------------------------------------------------------
-- output helpers

local function title(text)
  print("\n" .. text .. "\n" .. string.rep("-", #text))
end

-- Terminal columns of a UTF-8 string: CJK and full-width characters take two.
local function width(s)
  local w, i, n = 0, 1, #s
  while i <= n do
    local c = s:byte(i)
    local len, cp = 1, c
    if c >= 0xF0 then len, cp = 4, c % 0x08
    elseif c >= 0xE0 then len, cp = 3, c % 0x10
    elseif c >= 0xC0 then len, cp = 2, c % 0x20 end
    for j = i + 1, math.min(i + len - 1, n) do cp = cp * 64 + s:byte(j) % 64 end
    local wide = (cp >= 0x1100 and cp <= 0x115F) or (cp >= 0x2E80 and cp <= 0xA4CF)
      or (cp >= 0xAC00 and cp <= 0xD7A3) or (cp >= 0xF900 and cp <= 0xFAFF)
      or (cp >= 0xFE30 and cp <= 0xFE4F) or (cp >= 0xFF00 and cp <= 0xFF60)
      or (cp >= 0xFFE0 and cp <= 0xFFE6) or cp >= 0x20000
    w = w + (wide and 2 or 1)
    i = i + len
  end
  return w
end

local function str(v)
  if v == nil or v == audkit.null then return "" end
  if type(v) == "number" and v == math.floor(v) and v > -2 ^ 53 and v < 2 ^ 53 then
    return ("%d"):format(v)
  end
  return tostring(v)
end

-- Aligned columns: numbers right-aligned, text left-aligned.
local function table_print(headers, rows)
  local cells, widths, numeric = { headers }, {}, {}
  for i = 1, #headers do
    widths[i] = width(headers[i])
    numeric[i] = #rows > 0
  end
  for _, row in ipairs(rows) do
    local r = {}
    for i = 1, #headers do
      r[i] = str(row[i])
      if type(row[i]) ~= "number" then numeric[i] = false end
      if width(r[i]) > widths[i] then widths[i] = width(r[i]) end
    end
    cells[#cells + 1] = r
  end
  for _, r in ipairs(cells) do
    local out = {}
    for i, v in ipairs(r) do
      local pad = string.rep(" ", widths[i] - width(v))
      out[i] = numeric[i] and (pad .. v) or (v .. pad)
    end
    print((("  " .. table.concat(out, "  ")):gsub("%s+$", "")))
  end
end

local function is_array(t)
  return getmetatable(t) == core.array_mt or (#t > 0 and next(t, #t) == nil)
end

-- JSON over several lines (keys sorted), each object or array on one line when it fits in
-- `limit` columns (`lead` is the width of what precedes it on its line).
local function show_json(v, indent, lead, limit)
  indent, lead, limit = indent or "  ", lead or 2, limit or 100
  if type(v) ~= "table" then return audkit.json_encode(v) end
  local inner, parts = indent .. "  ", {}
  local array = is_array(v)
  local keys = {}
  if array then
    for i = 1, #v do keys[i] = i end
  else
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
  end
  local flat = {}
  for _, k in ipairs(keys) do
    local x = show_json(v[k], "", 0, math.huge)
    flat[#flat + 1] = array and x or (audkit.json_encode(k) .. ": " .. x)
  end
  local open, close = array and "[" or "{", array and "]" or "}"
  local one_line = open .. table.concat(flat, ", ") .. close
  if lead + #one_line <= limit then return one_line end
  for _, k in ipairs(keys) do
    local prefix = array and inner or (inner .. audkit.json_encode(k) .. ": ")
    parts[#parts + 1] = prefix .. show_json(v[k], inner, #prefix, limit)
  end
  return open .. "\n" .. table.concat(parts, ",\n") .. "\n" .. indent .. close
end

-- Structural equality of decoded JSON (metatables ignored; 1 == 1.0).
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

------------------------------------------------------------------------------------------------
-- the sandbox: `python3 -m audkit.sandbox --port 0` prints one JSON line, then serves until killed

local sandbox

local function start_sandbox()
  local proc = assert(io.popen(("cd %s && PYTHONPATH=%s exec python3 -m audkit.sandbox --port 0")
    :format(shq(root), shq(root .. "/python"))))
  local info = audkit.json_decode(assert(proc:read("*l"), "the sandbox did not start"))
  sandbox = { proc = proc, pid = math.floor(info.pid), info = info }
  print("started the sandbox at " .. info.url)
end

local function stop_sandbox()
  if not sandbox then return end
  os.execute("kill " .. sandbox.pid)
  sandbox.proc:close()
  sandbox = nil
end

-- How many Tencent requests the sandbox has logged (GET /_sandbox/requests).
local function requests_sent()
  local status, body = core.http("GET", sandbox.info.url .. "/_sandbox/requests?vendor=tencent_ads")
  if status ~= 200 then error("sandbox /_sandbox/requests: " .. tostring(body)) end
  return #assert(audkit.json_decode(body)).requests
end

------------------------------------------------------------------------------------------------
-- 1. one audience of each type

local tx, account_id
local created, refused = {}, 0 -- created: { id=, type=, rule=, name=, platform=, spec= }

-- custom_audiences:add; returns the new audience_id, or nil when the server refused.
local function add(rule, params)
  params.account_id = account_id
  local res, err = tx.custom_audiences:add(params)
  if not res then
    if err.kind == "validation" then error(tostring(err)) end -- a bug in this example
    refused = refused + 1
    print(("  refused  %-13s %-15s %s: %s"):format(params.type, rule, params.name, tostring(err)))
    return nil
  end
  created[#created + 1] = { id = res.audience_id, type = params.type, rule = rule, name = params.name,
    platform = params.platform or "DMP", spec = params.audience_spec }
  print(("  created  #%-8d %-13s %-15s %s"):format(res.audience_id, params.type, rule, params.name))
  return res.audience_id
end

local function create_all(tag_id)
  title("1. Create one audience of each type")

  -- CUSTOMER_FILE: no audience_spec; the user ids are uploaded to it afterwards
  -- (custom_audience_files/add). The request-level options are shown here.
  local vip = add("-", {
    name = "VIP customers (CRM)", type = "CUSTOMER_FILE",
    external_audience_id = "crm_vip_customers_2024", -- letters, digits, underscores
    description = "会员手机号, exported from the CRM every Monday",
    cooperated = true, platform = "DMP",
  })

  -- LOOKALIKE: 3,000,000 people like the VIP customers (a multiple of 500,000).
  if vip then
    add("seed", {
      name = "VIP lookalike 3M", type = "LOOKALIKE", description = "expansion of the VIP customer list",
      audience_spec = { lookalike_spec = { seed_audience_id = vip, expand_user_count = 3000000 } },
    })
  end

  -- USER_ACTION by URL: visited the checkout (AND) without a test utm_source, last 30 days.
  -- Groups are ANDed, the matchers inside a group ORed; URL operators are EQ/NE/CONTAIN/NOT_CONTAIN.
  local checkout = add("URL", {
    name = "Checkout visitors 30d", type = "USER_ACTION", external_audience_id = "web_checkout_30d",
    audience_spec = { user_action_spec = {
      user_action_set_id = 1110012345,
      match_rule_type = "URL",
      time_window = 30,
      url_match_rule = { url_matcher_group = {
        { url_matcher = {
          { param_value = "shop.example.com/checkout", operator = "CONTAIN" },
          { param_value = "shop.example.com/cart", operator = "CONTAIN" },
        } },
        { url_matcher = {
          { param_value = "utm_source=internal_test", operator = "NOT_CONTAIN" },
        } },
      } },
    } },
  })

  -- USER_ACTION by ACTION (extract_type FILTER): a custom app event with parameter matchers.
  local coupon = add("ACTION", {
    name = "Coupon claimers 14d", type = "USER_ACTION",
    description = "claimed a new-user or festival coupon in Shenzhen",
    audience_spec = { user_action_spec = {
      user_action_set_id = 1110012346,
      match_rule_type = "ACTION",
      extract_type = "FILTER",
      time_window = 14,
      action_match_rule = {
        action_type = "CUSTOM",
        custom_action = "claim_coupon", -- required when action_type=CUSTOM
        param_matcher_group = {
          { param_matcher = {
            { param_name = "coupon_type", param_value = "new_user", operator = "EQ" },
            { param_name = "coupon_type", param_value = "festival", operator = "EQ" },
          } },
          { param_matcher = { { param_name = "城市", param_value = "深圳", operator = "EQ" } } },
          { param_matcher = { { param_name = "coupon_value", param_value = "20", operator = "GT" } } },
        },
      },
    } },
  })

  -- USER_ACTION by AGGREGATION: purchases summed and counted over at most 90 days.
  -- Each aggregation_group holds exactly one matcher; each filter_group one param_matcher.
  local spenders = add("AGGREGATION", {
    name = "Big spenders 90d", type = "USER_ACTION",
    audience_spec = { user_action_spec = {
      user_action_set_id = 1110012346,
      match_rule_type = "ACTION",
      extract_type = "AGGREGATION",
      time_window = 90, -- at most 90 with AGGREGATION
      action_aggregation_rule = {
        action_type = "PURCHASE",
        aggregation_group = {
          { aggregation_matcher = { { aggregation_type = "SUM", param_name = "value",
            comparator = "COMPARATOR_GE", comparison_value = 2000 } } },
          { aggregation_matcher = { { aggregation_type = "COUNT", count_type = "BY_DAY",
            comparator = "COMPARATOR_BETWEEN", comparison_min_value = 3, comparison_max_value = 30 } } },
        },
        filter_group = {
          { param_matcher = { { param_name = "category", param_value = "electronics", operator = "EQ" } } },
          { param_matcher = { { param_name = "channel", param_value = "mini_program", operator = "NE" } } },
        },
      },
    } },
  })

  -- LBS POI: seen at shopping malls in Shenzhen or Guangzhou on weekends, last 30 days
  -- (POI and cross-city date ranges may end today).
  add("POI", {
    name = "Weekend mall visitors", type = "LBS",
    audience_spec = { lbs_spec = {
      lbs_type = "POI",
      poi_rule = {
        region_id = { 440300, 440100 },
        poi_category_id = { 2010, 2011 },
        date_range = { start_date = day(-30), end_date = day(0) },
        day_of_week = { "SATURDAY", "SUNDAY" },
        frequency = 2,
      },
    } },
  })

  -- LBS CROSS_CITY: travelled Beijing (1) -> Shanghai (2), or anywhere (0) -> Shenzhen, twice.
  add("CROSS_CITY", {
    name = "Business travellers", type = "LBS",
    audience_spec = { lbs_spec = {
      lbs_type = "CROSS_CITY",
      cross_city_rule = {
        route = { "1~2", "2~1", "0~440300" },
        date_range = { start_date = day(-90), end_date = day(-1) },
        frequency = 2,
      },
    } },
  })

  -- LBS CUSTOM_LOCATION: 2 to 10 visits within 1 km of two stores. The range ends before
  -- today and spans at most 60 days; coordinates keep at most 6 decimals; radius 100..5000 m.
  add("CUSTOM_LOCATION", {
    name = "Near our flagship stores", type = "LBS", description = "南京西路 and 三里屯 stores, last month",
    audience_spec = { lbs_spec = {
      lbs_type = "CUSTOM_LOCATION",
      custom_location_rule = {
        poi_type = "ALL",
        date_range = { start_date = day(-31), end_date = day(-1) },
        frequency_spec = { comparator = "COMPARATOR_BETWEEN", frequency_min_value = 2, frequency_max_value = 10 },
        area_list = {
          { area_type = "CIRCLE", circle_area = { longitude = 121.459236, latitude = 31.228775, radius = 1000 } },
          { area_type = "CIRCLE", circle_area = { longitude = 116.454921, latitude = 39.936546, radius = 800 } },
        },
      },
    } },
  })

  -- KEYWORD: searched for running gear. Each keyword is 1..10 UTF-8 bytes, so at most three
  -- Chinese characters ("跑步鞋" is 9 bytes, "运动手表" would be 12). Kept on the TDC platform.
  add("-", {
    name = "Running gear searchers", type = "KEYWORD", platform = "TDC",
    audience_spec = { keyword_spec = {
      include_keyword = { "跑步鞋", "马拉松", "跑鞋", "running", "trail shoe" },
      exclude_keyword = { "二手", "童鞋", "cheap" },
    } },
  })

  -- AD: installed or activated the app after one of our ad groups, in the last 30 days
  -- (start within the last 90 days, end before today; at most one of the three id lists).
  local installers = add("CONVERSION", {
    name = "App installers from ads", type = "AD",
    audience_spec = { ad_rule_spec = {
      rule_type = "CONVERSION",
      conversion_type = { "APP_INSTALL", "APP_ACTIVATE" },
      start_date = day(-30),
      end_date = day(-1),
      adgroup_id_list = { 7700001, 7700002, 7700003 },
    } },
  })

  -- COMBINE: (VIP customers OR big spenders) AND (checkout visitors OR coupon claimers),
  -- excluding people who already installed the app or carry a customer tag. Outer lists are
  -- ANDed, inner lists ORed; LOOKALIKE and COMBINE audiences cannot be members. time_window
  -- only applies to customer tags and takes 1, 3, 7, 10, 15, 30, 90, 180 or 365 days.
  local function group(...)
    local g = {}
    for i = 1, select("#", ...) do
      local id = select(i, ...)
      if id then g[#g + 1] = { audience_id = id } end -- skips refused (nil) ones
    end
    return g
  end
  local include = {}
  for _, g in ipairs { group(vip, spenders), group(checkout, coupon) } do
    if #g > 0 then include[#include + 1] = g end
  end
  local exclude_group = group(installers)
  exclude_group[#exclude_group + 1] = { audience_id = tag_id, time_window = 30 }
  if #include > 0 then -- (a real server may have refused some members)
    add("-", {
      name = "Warm leads, not installed", type = "COMBINE",
      description = "VIPs or big spenders who shopped recently, minus app users",
      audience_spec = { combine_spec = { include = include, exclude = { exclude_group } } },
    })
  end
end

------------------------------------------------------------------------------------------------
-- 2. validation before sending

local function show_invalid()
  title("2. An invalid spec is refused before anything is sent")
  local bad = { lbs_spec = {
    lbs_type = "CUSTOM_LOCATION",
    custom_location_rule = {
      poi_type = "NEARBY",                                          -- ALL or TRAVEL_IN
      date_range = { start_date = day(-90), end_date = day(0) },    -- > 60 days, ends today
      frequency_spec = { comparator = "COMPARATOR_GE" },            -- BETWEEN only
      area_list = {
        { area_type = "CIRCLE", circle_area = { longitude = 121.4737015, latitude = 95.0, radius = 50 } },
        { area_type = "CIRCLE" },                                   -- no circle_area
      },
    },
  } }
  local before = sandbox and requests_sent() or 0
  local res, err = tx.custom_audiences:add {
    account_id = account_id, name = "Broken stores audience", type = "LBS", audience_spec = bad,
  }
  if res or err.kind ~= "validation" then
    print("the invalid spec was not refused by the client: " .. tostring(err))
    return false
  end
  print(("validation error (%d violations):"):format(#err.violations))
  local rows = {}
  for _, v in ipairs(err.violations) do rows[#rows + 1] = { v.field, v.rule } end
  table_print({ "field", "rule" }, rows)
  if not sandbox then return true end -- only the sandbox can count what reached the server
  local sent = requests_sent() - before
  print(("requests sent: %d"):format(sent))
  return sent == 0
end

------------------------------------------------------------------------------------------------
-- 3. lazy listing

local function list_all()
  title("3. Every audience, listed lazily (5 per page)")
  local rule_of = {}
  for _, c in ipairs(created) do rule_of[c.id] = c.rule end
  local rows, pages = {}, 0
  for _, platform in ipairs { "DMP", "TDC" } do -- get lists one platform at a time (default DMP)
    local pager = tx.custom_audiences:list { account_id = account_id, platform = platform, page_size = 5 }
    for a in pager do
      rows[#rows + 1] = { a.audience_id, a.type, rule_of[a.audience_id] or "", a.name, platform, a.status }
    end
    if pager.err then error("listing stopped: " .. tostring(pager.err)) end
    pages = pages + pager:pages_fetched()
    pager:close()
  end
  table_print({ "id", "type", "rule", "name", "platform", "status" }, rows)
  print(("%d audiences in %d page requests"):format(#rows, pages))
end

------------------------------------------------------------------------------------------------
-- 4. the round trip

local function round_trip()
  local sent = created[#created]
  for _, c in ipairs(created) do
    if c.rule == "CUSTOM_LOCATION" then sent = c end
  end
  title(("4. Get #%d back by id: the spec round-trips"):format(sent.id))
  local page = assert(tx.custom_audiences:get {
    account_id = account_id, audience_id = sent.id, platform = sent.platform,
  })
  local aud = page.items[1]
  print(("#%d %s %q, status %s, created %s"):format(aud.audience_id, aud.type, aud.name, aud.status,
    aud.created_time))
  print("audience_spec as stored (keys sorted):")
  print("  " .. show_json(aud.audience_spec))
  local equal = deep_equal(aud.audience_spec, sent.spec)
  print("deep_equal(audience_spec, the spec sent): " .. tostring(equal))
  return equal
end

------------------------------------------------------------------------------------------------
-- 5. clean up

local function delete_all()
  title("5. Delete them all")
  local ids = {}
  for i = #created, 1, -1 do -- the COMBINE and LOOKALIKE first, their members after
    local c = created[i]
    assert(tx.custom_audiences:delete { account_id = account_id, audience_id = c.id })
    ids[c.id] = true
  end
  local left = 0
  for _, platform in ipairs { "DMP", "TDC" } do
    for _, a in ipairs(assert(tx.custom_audiences:list { account_id = account_id, platform = platform }:all())) do
      if ids[a.audience_id] then left = left + 1 end
    end
  end
  print(("deleted %d audiences; left over: %d"):format(#created, left))
  return left
end

------------------------------------------------------------------------------------------------

local function main()
  local base_url = os.getenv("AUDKIT_TENCENT_ADS_BASE_URL")
  account_id = tonumber(os.getenv("AUDKIT_TENCENT_ADS_ACCOUNT_ID") or "1")
  local tag_id = tonumber(os.getenv("AUDKIT_TENCENT_ADS_TAG_ID") or "9000001")
  local token
  if base_url and base_url ~= "" then
    print("using " .. base_url .. " (token from AUDKIT_TENCENT_ADS_ACCESS_TOKEN)")
  else
    start_sandbox()
    base_url = sandbox.info.base_urls.tencent_ads
    token = sandbox.info.credentials.tencent_ads.access_token
  end
  print(("account %d; today in GMT+8 is %s"):format(account_id, day(0)))
  local err
  tx, err = audkit.tencent_ads {
    base_url = base_url,
    access_token = token, -- nil: the core reads AUDKIT_TENCENT_ADS_ACCESS_TOKEN
    timeout = 10, retries = 3, backoff = 0.05,
  }
  if not tx then error(tostring(err)) end

  local ok = true
  local done, e = pcall(function()
    create_all(tag_id)
    print(("created %d audiences, refused %d"):format(#created, refused))
    ok = ok and refused == 0
    ok = show_invalid() and ok
    list_all()
    if #created > 0 then ok = round_trip() and ok end
  end)
  ok = delete_all() == 0 and ok -- clean up even when something above failed
  tx:close()
  if not done then error(e, 0) end
  print(ok and "\nDone." or "\nDone, with problems (see above).")
  return ok
end

local done, result = pcall(main)
stop_sandbox()
if not done then
  io.stderr:write("tencent_audiences failed: " .. tostring(result) .. "\n")
  os.exit(1)
end
os.exit(result and 0 or 1)
