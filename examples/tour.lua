-- examples/tour.lua - a tour of audkit's Lua API: one client per vendor, all five against the
-- sandbox (the local emulator of the vendor APIs), which this script starts and stops itself.
--
--   lua5.4 examples/tour.lua        (or: luajit examples/tour.lua)
--
--   Tencent Ads       custom audiences: create, validate, page, list, update, delete
--   Sensors Data      user_tags:list (lazy start/count paging), user_tags:get, user_tags:create,
--                     add_partitions + wait_computed, persona:user_tags (chunks of 20)
--   ThinkingData      clusters:list, clusters:detail by id and by name
--   Baidu search ads  keywords.get chunked over 10,001 ids; keywords:add with a partial failure
--   Volcengine live   vl:get_account_user_track_data, spaced by the vendor's 1 request/s limit
--
-- The Tencent part can run against another server (e.g. the real API) instead: its base URL and
-- token then come from the environment. The other vendors always use the sandbox, because the
-- tour seeds their data through its control endpoint (/_sandbox/seed).
--
--   AUDKIT_TENCENT_ADS_BASE_URL=... AUDKIT_TENCENT_ADS_ACCESS_TOKEN=... lua5.4 examples/tour.lua
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

------------------------------------------------------------------------------------------------
-- output helpers

local function vendor(text)
  print("\n\n" .. text .. "\n" .. string.rep("=", #text))
end

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

local function thousands(n)
  local s = ("%d"):format(n)
  repeat local k; s, k = s:gsub("^(%d+)(%d%d%d)", "%1,%2") until k == 0
  return s
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

-- POST/GET one of the sandbox's control endpoints (/_sandbox/...): the decoded JSON answer.
local function control(method, path, body)
  local status, resp = core.http(method, sandbox.info.url .. path, body and assert(audkit.json_encode(body)) or nil,
    body and { { "Content-Type", "application/json" } } or nil)
  if status ~= 200 then error(("sandbox %s %s: %s"):format(method, path, tostring(resp))) end
  return assert(audkit.json_decode(resp))
end

local function seed(spec) return control("POST", "/_sandbox/seed", spec).ids end

-- The sandbox's request log for one vendor (oldest first), optionally one route only.
local function requests(key, route)
  local out = {}
  for _, r in ipairs(control("GET", "/_sandbox/requests?vendor=" .. key).requests) do
    if route == nil or r.route == route then out[#out + 1] = r end
  end
  return out
end

-- A client of `key` pointed at the sandbox. Baidu's sandbox prints both flavours' credentials and
-- Sensors both auth styles, so `skip` drops those a client must not get together.
local function sandbox_client(key, skip)
  local opts = { base_url = sandbox.info.base_urls[key], timeout = 10, retries = 3, backoff = 0.05 }
  for k, v in pairs(sandbox.info.credentials[key]) do
    if not (skip and skip[k]) then opts[k] = v end
  end
  local c, err = audkit[key](opts)
  if not c then error(tostring(err)) end
  return c
end

------------------------------------------------------------------------------------------------
-- Tencent Ads

local function tencent_tour()
  -- A client. access_token falls back to AUDKIT_TENCENT_ADS_ACCESS_TOKEN when not given.
  local base_url = os.getenv("AUDKIT_TENCENT_ADS_BASE_URL")
  local token
  if not base_url or base_url == "" then
    base_url = sandbox.info.base_urls.tencent_ads
    token = sandbox.info.credentials.tencent_ads.access_token
  else
    print("using " .. base_url .. " (token from AUDKIT_TENCENT_ADS_ACCESS_TOKEN)")
  end
  local tx, err = audkit.tencent_ads {
    base_url = base_url,
    access_token = token, -- nil: the core reads AUDKIT_TENCENT_ADS_ACCESS_TOKEN
    timeout = 10, retries = 3, backoff = 0.05,
  }
  if not tx then error(tostring(err)) end
  print("client:   " .. tostring(tx)) -- never shows the token
  print("ops:      " .. table.concat(tx:operations(), ", "))

  -- Create two audiences.
  local seed_aud = assert(tx.custom_audiences:add {
    account_id = 1, name = "tour seed", type = "CUSTOMER_FILE", description = "uploaded ids",
  })
  print(("created   #%d %q"):format(seed_aud.audience_id, "tour seed"))
  local lookalike, lerr = tx.custom_audiences:add {
    account_id = 1, name = "tour lookalike", type = "LOOKALIKE",
    audience_spec = { lookalike_spec = { seed_audience_id = seed_aud.audience_id, expand_user_count = 1000000 } },
  }
  if lookalike then
    print(("created   #%d %q"):format(lookalike.audience_id, "tour lookalike"))
  else
    print("lookalike refused: " .. tostring(lerr)) -- e.g. the seed is not ready yet
  end

  -- Client-side validation: nothing is sent, every violation is listed.
  local _, verr = tx.custom_audiences:add { account_id = 1, name = string.rep("x", 33), type = "CUSTOMER_FILE" }
  print("invalid:  " .. tostring(verr))
  print(("          kind=%s field=%s rule=%s"):format(verr.kind, verr.field, verr.rule))

  -- One page, then every audience with the lazy iterator (pages fetched on demand).
  local page = assert(tx.custom_audiences:get { account_id = 1, page = 1, page_size = 10 })
  print(("page 1:   %d items, %d in total"):format(#page.items, page.page_info.total_number))
  local pager = tx.custom_audiences:list { account_id = 1 }
  local rows = {}
  for aud in pager do rows[#rows + 1] = { aud.audience_id, aud.name, aud.type, aud.status } end
  table_print({ "audience_id", "name", "type", "status" }, rows)
  if pager.err then print("listing stopped: " .. tostring(pager.err)) end

  -- Update, then delete what we created.
  assert(tx.custom_audiences:update { account_id = 1, audience_id = seed_aud.audience_id, description = "updated by the tour" })
  print(("updated   #%d"):format(seed_aud.audience_id))
  for _, aud in ipairs { lookalike or false, seed_aud } do
    if aud then
      local ok, derr = tx.custom_audiences:delete { account_id = 1, audience_id = aud.audience_id }
      print(ok and ("deleted   #%d"):format(aud.audience_id) or ("delete failed: " .. tostring(derr)))
    end
  end
  local left = assert(tx.custom_audiences:list({ account_id = 1 }):all())
  print(("left:     %d audiences"):format(#left))
  tx:close()
end

------------------------------------------------------------------------------------------------
-- Sensors Data

local function sensors_tour()
  local ids = seed { vendor = "sensors_data", kind = "user_tags", count = 5, name_prefix = "tour", partitions = 2 }
  local sd = sandbox_client("sensors_data", { api_key = true }) -- the token style: ?token=&project=
  print("client:   " .. tostring(sd))
  print(("seeded %d user tags: ids %s"):format(#ids, table.concat(ids, ", ")))

  title("user_tags:list{ count = 2 }: start/count pages, fetched lazily")
  local before = #requests("sensors_data", "v2/user_tags")
  local pager = sd.user_tags:list { count = 2 }
  local rows = {}
  for t in pager do rows[#rows + 1] = { t.id, t.name, t.cname, t.data_type, t.status, t.dir_id } end
  if pager.err then error(tostring(pager.err)) end
  table_print({ "id", "name", "cname", "data_type", "status", "dir_id" }, rows)
  print(("%d tags in %d requests (2 per page; the short third page ends the list)")
    :format(#rows, #requests("sensors_data", "v2/user_tags") - before))

  title(("user_tags:get{ id = %d }"):format(ids[3]))
  local tag = assert(sd.user_tags:get { id = ids[3] })
  local last = tag.last_succeed_partition
  table_print({ "field", "value" }, {
    { "name", tag.name }, { "cname", tag.cname }, { "data_type", tag.data_type },
    { "unit", tag.unit }, { "cron", tag.cron }, { "status", tag.status },
    { "rules", #(tag.rule_content_list or {}) },
    { "last partition", last and (last.status .. ", " .. str(last.user_count) .. " users") or "none" },
  })

  title("user_tags:create{...}: a custom-value tag (source_type 1), one layer per value")
  local layers = {}
  for _, l in ipairs { { "北京用户", "equal" }, { "其他城市", "notEqual" } } do
    layers[#layers + 1] = { value = l[1], type = "rules_relation", relation = "and",
      rules = { { type = "profile_rule", field = "user.city", ["function"] = l[2], params = { "北京" } } } }
  end
  local new = assert(sd.user_tags:create { name = "user_tag_tour_city", cname = "城市分层", source_type = 1,
    data_type = "STRING", is_routine = true, cron = "0 0 0 * * ? *", unit = "DAY", rule_content_list = layers })
  print(("created tag #%d %s (%s), status %s"):format(new.id, new.name, new.cname, new.status))

  title(("user_tags:add_partitions + wait_computed{ id = %d }: poll the status until computed"):format(new.id))
  local days = { "2019-12-16", "2019-12-17" }
  assert(sd.user_tags:add_partitions { id = new.id, from_date = days[1], to_date = days[#days] })
  before = #requests("sensors_data", "v2/user_tags/{id}/status")
  local done = assert(sd.user_tags:wait_computed { id = new.id, base_time_list = days, timeout = 60 })
  rows = {}
  for _, p in ipairs(done.partitions) do rows[#rows + 1] = { p.base_time, p.status, p.finished_time } end
  table_print({ "base_time", "status", "finished_time" }, rows)
  print(("partitions computed: %s after %d status polls")
    :format(done.state, #requests("sensors_data", "v2/user_tags/{id}/status") - before))

  title("persona:user_tags{ user_id, 25 tag ids }: sent 20 ids per request, in input order")
  local uid = seed { vendor = "sensors_data", kind = "users", count = 3 }[2]
  local wanted = { new.id }
  for i = #ids, 1, -1 do wanted[#wanted + 1] = ids[i] end
  for i = 100, 118 do wanted[#wanted + 1] = i end
  before = #requests("sensors_data", "v2/persona_info/user_tags")
  local values = assert(sd.persona:user_tags({ user_id = uid, user_tag_ids = wanted }):all())
  rows = {}
  for _, v in ipairs(values) do rows[#rows + 1] = { v.tag_id, v.cname, v.value } end
  table_print({ "tag_id", "cname", "value" }, rows)
  print(("persona: %d tag ids in %d requests, %d values")
    :format(#wanted, #requests("sensors_data", "v2/persona_info/user_tags") - before, #values))
  sd:close()
end

------------------------------------------------------------------------------------------------
-- ThinkingData

local function thinking_tour()
  local project = 102
  local ids = seed { vendor = "thinking_data", kind = "clusters", count = 3, project_id = project, name_prefix = "tour" }
  local ta = sandbox_client("thinking_data")
  print("client:   " .. tostring(ta))
  print(("seeded %d clusters in project %d: ids %s"):format(#ids, project, table.concat(ids, ", ")))

  title(("clusters:list{ project_id = %d }: newest first"):format(project))
  local rows = {}
  local pager = ta.clusters:list { project_id = project }
  for c in pager do rows[#rows + 1] = { c.id, c.cluster_name, c.display_name, c.cluster_type, c.users_num, c.progress } end
  if pager.err then error(tostring(pager.err)) end
  table_print({ "id", "cluster_name", "display_name", "cluster_type", "users_num", "progress" }, rows)

  title("clusters:detail: by id, then by name")
  local by_id = assert(ta.clusters:detail { project_id = project, cluster_id = ids[1] })
  local by_name = assert(ta.clusters:detail { project_id = project, cluster_name = by_id.cluster_name })
  table_print({ "lookup", "id", "cluster_name", "users_num", "remarks" }, {
    { "cluster_id = " .. str(ids[1]), by_id.id, by_id.cluster_name, by_id.users_num, by_id.remarks },
    { ("cluster_name = %q"):format(by_id.cluster_name), by_name.id, by_name.cluster_name, by_name.users_num, by_name.remarks },
  })
  print("what was sent (query parameters sorted; the token is masked in the sandbox's log):")
  local log = requests("thinking_data", "open/user-cluster-detail")
  for i = #log - 1, #log do
    local q = {}
    for kv in log[i].raw_query:gmatch("[^&]+") do q[#q + 1] = kv end
    table.sort(q)
    print(("  %s %s?%s"):format(log[i].method, log[i].path, table.concat(q, "&")))
  end
  ta:close()
end

------------------------------------------------------------------------------------------------
-- Baidu search ads

local function baidu_tour()
  local adgroup = 5000
  local kw_ids = seed { vendor = "baidu_search", kind = "keywords", count = 10001, adgroup_id = adgroup }
  local groups = seed { vendor = "baidu_search", kind = "adgroups", count = 51, keywords = 2 }
  local bd = sandbox_client("baidu_search", { user_name = true, access_token = true }) -- the cloud flavour
  print("client:   " .. tostring(bd))
  print(("seeded %s keywords in ad group %d, and %d ad groups with 2 keywords each")
    :format(thousands(#kw_ids), adgroup, #groups))

  local route = "KeywordService/getWord"
  title(("keywords.get{ ids = <%s keyword ids>, id_type = \"keyword\" }"):format(thousands(#kw_ids)))
  local base = #requests("baidu_search", route)
  -- keywords.get is a chunked row: a lazy pager over one request per 10,000 ids (50 ad groups)
  local keywords = bd.keywords:get{ ids = kw_ids, id_type = "keyword" }
  print(("requests before the first item: %d"):format(#requests("baidu_search", route) - base))
  local rows, total = {}, 0
  for k in keywords do
    total = total + 1
    if total == 1 then print(("requests after the first item:  %d"):format(#requests("baidu_search", route) - base)) end
    if total <= 3 then rows[#rows + 1] = { k.keyword_id, k.adgroup_id, k.price, k.status, k.keyword } end
  end
  if keywords.err then error(tostring(keywords.err)) end
  table_print({ "keyword_id", "adgroup_id", "price", "status", "keyword" }, rows)
  print(("all %s keywords in %d requests (at most 10,000 keyword ids per request)")
    :format(thousands(total), #requests("baidu_search", route) - base))

  base = #requests("baidu_search", route)
  local by_group = assert(bd.keywords:get{ ids = groups, id_type = "adgroup" }:all())
  print(("by ad group: %d ad-group ids -> %d keywords in %d requests (at most 50 ad-group ids per request)")
    :format(#groups, #by_group, #requests("baidu_search", route) - base))

  title("keywords:add: three keywords, two of them refused by Baidu")
  local batch = {
    { adgroup_id = adgroup, keyword = "鲜花速递", price = 1.5 },
    { adgroup_id = 999999, keyword = "flowers", price = 1.0 }, -- unknown ad group
    { adgroup_id = adgroup, keyword = "鲜花速递", price = 2.0 }, -- duplicate keyword
  }
  local res = assert(bd.keywords:add { keyword_types = batch })
  print(("status %d (%s): %d added, %d failed; quota used %d")
    :format(res.status, res.desc, #res.items, #res.failures, res.quota))
  local failed = {}
  for _, f in ipairs(res.failures) do failed[f.index] = true end
  rows = {}
  local k = 0
  for i = 0, #batch - 1 do -- failures carry 0-based input indexes; items are the rest, in order
    if not failed[i] then
      k = k + 1
      local kw = res.items[k]
      rows[#rows + 1] = { i, kw.keyword_id, kw.adgroup_id, kw.price, kw.keyword }
    end
  end
  print("items (in input order):")
  table_print({ "input", "keyword_id", "adgroup_id", "price", "keyword" }, rows)
  print("failures:")
  rows = {}
  for _, f in ipairs(res.failures) do rows[#rows + 1] = { f.index, f.code, f.position, f.message } end
  table_print({ "input", "code", "position", "message" }, rows)
  bd:close()
end

------------------------------------------------------------------------------------------------
-- Volcengine live

local function volcengine_tour()
  local user = seed { vendor = "volcengine_live", kind = "users", count = 1 }[1]
  local vl = sandbox_client("volcengine_live")
  print("client:   " .. tostring(vl))
  print(("seeded viewer %d"):format(user))

  -- An op without a resource in its name sits on the client itself.
  title(("vl:get_account_user_track_data{ user_id = %d }"):format(user))
  local r = assert(vl:get_account_user_track_data { user_id = user })
  local data = r.user_track_data
  local rows = {}
  for _, t in ipairs(data.user_tracks) do
    rows[#rows + 1] = { t.activity_id, t.watch_duration_live, t.watch_duration_replay, t.comment_count, t.pay_amount, t.activity_name }
  end
  table_print({ "activity_id", "live_s", "replay_s", "comments", "paid", "activity_name" }, rows)
  local s, i = data.user_track_sum, data.interact_data
  print(("totals: watched %d times for %d s; %d comments, %d likes, %d of %d lotteries won")
    :format(s.watch_count, s.watch_duration, i.comment_count, i.thumb_up_number, i.lottery_hit_count, i.lottery_count))

  title("A second call, filtered to one activity (the vendor allows 1 request/s)")
  local f = assert(vl:get_account_user_track_data { user_id = user, activity_id = data.user_tracks[2].activity_id })
  rows = {}
  for _, t in ipairs(f.filter_user_track.user_tracks) do
    rows[#rows + 1] = { t.activity_id, t.watch_duration_live, t.watch_duration_replay, t.comment_count, t.activity_name }
  end
  table_print({ "activity_id", "live_s", "replay_s", "comments", "activity_name" }, rows)
  local log = requests("volcengine_live")
  print(("the client spaced its calls: the sandbox saw the two requests %.1f s apart")
    :format(log[#log].time - log[#log - 1].time))

  title("Validation: neither user_id nor external_id")
  local before = #requests("volcengine_live")
  local none, err = vl:get_account_user_track_data { activity_id = 1781000000 }
  print(("%s  kind=%s field=%s"):format(tostring(err), err.kind, err.field))
  print(("requests sent: %d"):format(#requests("volcengine_live") - before))
  assert(none == nil)
  vl:close()
end

------------------------------------------------------------------------------------------------

local function main()
  vendor("Tencent Ads: custom audiences")
  tencent_tour()
  vendor("Sensors Data: user tags")
  sensors_tour()
  vendor("ThinkingData: user clusters")
  thinking_tour()
  vendor("Baidu search ads: keywords")
  baidu_tour()
  vendor("Volcengine live: viewer track data")
  volcengine_tour()

  vendor("Requests the sandbox answered")
  local rows = {}
  for _, key in ipairs { "tencent_ads", "sensors_data", "thinking_data", "baidu_search", "volcengine_live" } do
    rows[#rows + 1] = { key, #requests(key) }
  end
  table_print({ "vendor", "requests" }, rows)
  print("\nTour finished.")
end

local ok, e = pcall(function()
  start_sandbox()
  main()
end)
stop_sandbox()
if not ok then
  io.stderr:write("tour failed: " .. tostring(e) .. "\n")
  os.exit(1)
end
