-- tests/lua/vendors_spec.lua - Sensors Data, ThinkingData, Baidu and Volcengine through the Lua
-- binding against the sandbox (loopback only). Run from the repository root:
--   busted --lua=lua5.4 -o tests/lua/support/summary_output.lua tests/lua
--   busted --lua=luajit -o tests/lua/support/summary_output.lua tests/lua
-- helper.lua sets package.path/cpath (AUDKIT_BUILD_DIR selects another build tree), starts
-- `python3 -m audkit.sandbox --port 0` and talks to its control endpoints.
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"
local core = require "audkit.core"

local VM = _VERSION .. (rawget(_G, "jit") and (" / " .. jit.version) or "")

-- Every string a secret could leak into: tostring(err), its message and its JSON form.
local function assert_no_secret(secret, ...)
  for _, v in ipairs { ... } do
    local texts = { tostring(v) }
    if type(v) == "table" then
      texts[#texts + 1] = tostring(v.message or "")
      texts[#texts + 1] = core.json_encode(v) or ""
    end
    for _, s in ipairs(texts) do
      assert.is_nil(s:find(secret, 1, true), "a secret leaked into: " .. s)
    end
  end
end

local function ids_of(items, field)
  local out = {}
  for i, it in ipairs(items) do out[i] = it[field] end
  return out
end

describe("vendors through the Lua binding (" .. VM .. ")", function()
  local sb

  setup(function() sb = H.start_sandbox() end)
  teardown(function() if sb then sb:stop() end end)
  before_each(function() sb:reset() end)

  ----------------------------------------------------------------------------------------------
  describe("Baidu search ads", function()
    local GET = "KeywordService/getWord"
    local bd

    before_each(function() bd = sb:client("baidu_search") end) -- the cloud flavour (BCE v1 signed)
    after_each(function() bd:close() end)

    it("gets 10,001 keyword ids in exactly 2 requests, lazily", function()
      local ids = sb:seed { vendor = "baidu_search", kind = "keywords", count = 10001, adgroup_id = 5000 }.ids
      assert.are.equal(10001, #ids)
      local p = bd:pager("keywords.get", { ids = ids, id_type = "keyword" })
      assert.is_nil(p.err)
      assert.are.equal(0, sb:count(GET, "baidu_search")) -- nothing before the first item
      local first = p()
      assert.are.equal(1, sb:count(GET, "baidu_search"))
      assert.are.equal(ids[1], first.keyword_id)
      assert.are.equal(5000, first.adgroup_id)
      local n, last = 1, first
      for kw in p do n, last = n + 1, kw end
      assert.is_nil(p.err)
      assert.are.equal(10001, n)
      assert.are.equal(ids[10001], last.keyword_id)
      local log = sb:requests("baidu_search", GET)
      assert.are.equal(2, #log)
      local sizes = {}
      for i, r in ipairs(log) do sizes[i] = #core.json_decode(r.body).body.ids end
      assert.are.same({ 10000, 1 }, sizes)
      assert.are.equal(2, p:pages_fetched())
    end)

    it("gets the keywords of 51 ad groups in exactly 2 requests", function()
      local groups = sb:seed { vendor = "baidu_search", kind = "adgroups", count = 51, keywords = 2 }.ids
      local all = assert(bd:pager("keywords.get", { ids = groups, id_type = "adgroup" }):all())
      assert.are.equal(102, #all)
      assert.are.equal(2, sb:count(GET, "baidu_search"))
      local seen = {}
      for _, kw in ipairs(all) do seen[kw.adgroup_id] = true end
      for _, g in ipairs(groups) do assert.is_true(seen[g], "ad group " .. g) end
    end)

    -- API.md: Lua has the same resources and operations as Python, where keywords.get is the lazy
    -- chunked iterator. lua/audkit.lua's invoke() only turns kind "pager" into a Pager, so a
    -- "chunked" row goes to client:call, which the core refuses ("use a pager").
    it("bd.keywords:get{...} is the same lazy chunked iterator as bd:pager('keywords.get')", function()
      local ids = sb:seed { vendor = "baidu_search", kind = "keywords", count = 3 }.ids
      local p, err = bd.keywords:get { ids = ids, id_type = "keyword" }
      assert.is_nil(err)
      assert.are.equal(0, sb:count(GET, "baidu_search"))
      assert.are.equal(getmetatable(bd:pager("keywords.get", { ids = ids, id_type = 11 })), getmetatable(p))
      local got = {}
      for kw in p do got[#got + 1] = kw.keyword_id end
      assert.are.same(ids, got)
      assert.are.equal(1, sb:count(GET, "baidu_search"))
    end)

    it("returns items and failures for a partial failure of add", function()
      sb:seed { vendor = "baidu_search", kind = "keywords", count = 1, adgroup_id = 5000 }
      local res, err = bd.keywords:add { keyword_types = {
        { adgroup_id = 5000, keyword = "鲜花速递", price = 1.5 },
        { adgroup_id = 999999, keyword = "flowers", price = 1.0 }, -- unknown ad group
        { adgroup_id = 5000, keyword = "鲜花速递", price = 2.0 }, -- duplicate keyword
        { adgroup_id = 5000, keyword = "roses", price = 0.5, match_type = 2 },
      } }
      assert.is_nil(err)
      assert.are.equal(1, res.status) -- partial: not an error
      assert.are.equal(2, #res.items)
      assert.are.same({ "鲜花速递", "roses" }, ids_of(res.items, "keyword"))
      assert.is_number(res.items[1].keyword_id)
      assert.are.equal(2, res.items[2].match_type)
      assert.are.equal(2, #res.failures)
      assert.are.same({ 1, 2 }, ids_of(res.failures, "index"))
      assert.are.equal("keywordTypes[1].adgroupId", res.failures[1].position)
      assert.are.equal(999999, res.failures[1].id)
      assert.matches("999999", res.failures[1].message)
      assert.are.equal("keywordTypes[2].keyword", res.failures[2].position)
      assert.is_number(res.failures[1].code)
      assert.is_number(res.quota)
      assert.are.equal(1, sb:count("KeywordService/addWord", "baidu_search"))
    end)

    it("checks every item before sending anything", function()
      local res, err = bd.keywords:add { keyword_types = {
        { adgroup_id = 5000, keyword = "ok", price = 1 },
        { adgroup_id = 5000, keyword = "too expensive", price = 1000 },
        { adgroup_id = 5000, keyword = string.rep("长", 21), price = 1 },
      } }
      assert.is_nil(res)
      assert.are.equal("validation", err.kind)
      assert.are.equal(2, #err.violations)
      assert.matches("keyword_types%[1%]%.price", err.violations[1].field)
      assert.matches("keyword_types%[2%]%.keyword", err.violations[2].field)
      assert.are.equal(0, #sb:requests("baidu_search"))
    end)

    it("works with the direct (api.baidu.com) flavour too", function()
      local direct = sb:client("baidu_search", nil, "direct")
      local ids = sb:seed { vendor = "baidu_search", kind = "keywords", count = 2 }.ids
      local all = assert(direct:pager("keywords.get", { ids = ids, id_type = "keyword" }):all())
      assert.are.same(ids, ids_of(all, "keyword_id"))
      assert.matches("/json/sms/service/KeywordService/getWord$", sb:requests("baidu_search", GET)[1].path)
      direct:close()
    end)

    it("never shows a credential", function()
      local c = sb.credentials.baidu_search
      assert_no_secret(c.op_password, bd)
      assert_no_secret(c.tg_password, bd)
      assert_no_secret(c.secret_key, bd)
      local wrong = "lua-spec-wrong-baidu-secret-0123456789"
      local bad = sb:client("baidu_search", { secret_key = wrong, retries = 0 })
      assert_no_secret(wrong, bad)
      local _, err = bad:pager("keywords.get", { ids = { 1 }, id_type = "keyword" }):all()
      assert.are.equal("auth", err.kind)
      for _, s in ipairs { wrong, c.secret_key, c.op_password, c.tg_password } do assert_no_secret(s, err) end
      bad:close()
      local pw = "lua-spec-wrong-op-password-0123456789"
      bad = sb:client("baidu_search", { op_password = pw, retries = 0 })
      local res
      res, err = bad.keywords:add { keyword_types = { { adgroup_id = 5000, keyword = "x", price = 1 } } }
      assert.is_nil(res)
      assert.are.equal("auth", err.kind)
      for _, s in ipairs { pw, c.op_password, c.tg_password, c.secret_key } do assert_no_secret(s, err) end
      bad:close()
    end)
  end)

  ----------------------------------------------------------------------------------------------
  describe("Volcengine live", function()
    local ACTION = "GetAccountUserTrackData"
    local vl

    before_each(function() vl = sb:client("volcengine_live") end)
    after_each(function() vl:close() end)

    it("is an op on the client itself and decodes the viewer's data", function()
      assert.is_function(vl.get_account_user_track_data) -- no resource in the op's name
      assert.are.same({ "get_account_user_track_data" }, vl:operations())
      local user = sb:seed { vendor = "volcengine_live", kind = "users", count = 1 }.ids[1]
      local r, err = vl:get_account_user_track_data { user_id = user }
      assert.is_nil(err)
      local data = r.user_track_data
      assert.are.equal(r.UserTrackData, data) -- snake_case reads the wire name
      assert.is_true(#data.user_tracks > 0)
      assert.is_number(data.user_tracks[1].activity_id)
      assert.is_string(data.user_tracks[1].activity_name)
      assert.are.equal(#data.user_tracks, data.user_track_sum.watch_count)
      assert.is_number(data.interact_data.comment_count)
      assert.is_true(r.filter_user_track == nil or r.filter_user_track == audkit.null)
      local log = sb:requests("volcengine_live", ACTION)
      assert.are.equal(1, #log)
      assert.are.equal(user, core.json_decode(log[1].body).UserId)
    end)

    it("spaces two calls by at least 1 s (the vendor's 1 request/s)", function()
      local user = sb:seed { vendor = "volcengine_live", kind = "users", count = 1 }.ids[1]
      local a = assert(vl:get_account_user_track_data { user_id = user })
      local b = assert(vl:get_account_user_track_data { user_id = user, activity_id = a.user_track_data.user_tracks[1].activity_id })
      assert.are.equal(1, #b.filter_user_track.user_tracks)
      local log = sb:requests("volcengine_live")
      assert.are.equal(2, #log) -- no 429 and no retry: the client waited
      assert.is_nil(log[2].fault)
      assert.is_true(log[2].time - log[1].time >= 0.999, ("%.3f s apart"):format(log[2].time - log[1].time))
    end)

    it("refuses a call with neither user_id nor external_id before sending it", function()
      local r, err = vl:get_account_user_track_data { activity_id = 1781000000 }
      assert.is_nil(r)
      assert.is_true(audkit.is_error(err))
      assert.are.equal("validation", err.kind)
      assert.are.equal("user_id", err.field)
      assert.matches("external_id", tostring(err))
      assert.are.equal(0, #sb:requests("volcengine_live"))
    end)

    it("reports an unknown viewer as an api error with the vendor's code", function()
      local r, err = vl:get_account_user_track_data { user_id = 42 }
      assert.is_nil(r)
      assert.are.equal("api", err.kind)
      assert.are.equal("InvalidParameter.InvalidUserId", err.code)
      assert.are.equal(400, err.status)
      assert.is_string(err.request_id)
    end)

    it("never shows a credential", function()
      local secret = sb.credentials.volcengine_live.secret_key
      assert_no_secret(secret, vl)
      local wrong = "lua-spec-wrong-volc-secret-0123456789"
      local bad = sb:client("volcengine_live", { secret_key = wrong, retries = 0 })
      assert_no_secret(wrong, bad)
      local r, err = bad:get_account_user_track_data { user_id = 1200000239 }
      assert.is_nil(r)
      assert.are.equal("auth", err.kind)
      assert_no_secret(wrong, err)
      assert_no_secret(secret, err)
      bad:close()
    end)
  end)

  ----------------------------------------------------------------------------------------------
  describe("Sensors Data", function()
    local LIST = "v2/user_tags"
    local sd

    before_each(function() sd = sb:client("sensors_data") end) -- the token style
    after_each(function() sd:close() end)

    it("lists user tags lazily, one start/count request per page", function()
      local ids = sb:seed { vendor = "sensors_data", kind = "user_tags", count = 5 }.ids
      local p = sd.user_tags:list { count = 2 }
      assert.are.equal(0, sb:count(LIST, "sensors_data"))
      local first = p()
      assert.are.equal(1, sb:count(LIST, "sensors_data"))
      local got = { first.id }
      for t in p do got[#got + 1] = t.id end
      assert.is_nil(p.err)
      assert.are.same(ids, got)
      local log = sb:requests("sensors_data", LIST)
      assert.are.equal(3, #log) -- 2 + 2 + 1: the short page ends the list
      assert.are.same({ "1", "3", "5" }, { log[1].query.start, log[2].query.start, log[3].query.start })
      assert.are.equal("2", log[1].query.count)
    end)

    it("uses pages of 100 unless told otherwise", function()
      sb:seed { vendor = "sensors_data", kind = "user_tags", count = 150 }
      local all = assert(sd.user_tags:list {}:all())
      assert.are.equal(150, #all)
      assert.are.equal(2, sb:count(LIST, "sensors_data"))
    end)

    it("gets one tag, and 404 is not_found", function()
      local ids = sb:seed { vendor = "sensors_data", kind = "user_tags", count = 3, partitions = 1 }.ids
      local t, err = sd.user_tags:get { id = ids[2] }
      assert.is_nil(err)
      assert.are.equal(ids[2], t.id)
      assert.are.equal("user_tag_seed_" .. ids[2], t.name)
      assert.are.equal("STRING", t.data_type)
      assert.are.equal("SUCCEED", t.last_succeed_partition.status)
      assert.is_true(#t.rule_content_list >= 1)
      local none
      none, err = sd.user_tags:get { id = 9999 }
      assert.is_nil(none)
      assert.are.equal("not_found", err.kind)
      assert.are.equal(404, err.status)
    end)

    it("works in the api-key header style too", function()
      sb:seed { vendor = "sensors_data", kind = "user_tags", count = 1 }
      local hd = sb:client("sensors_data", nil, "api_key")
      local t = assert(hd.user_tags:get { id = 1 })
      assert.are.equal(1, t.id)
      local r = sb:requests("sensors_data")[1]
      assert.is_nil(r.query.token)
      assert.are.equal("***", r.headers["api-key"])
      hd:close()
    end)

    it("never shows a credential", function()
      local c = sb.credentials.sensors_data
      assert_no_secret(c.token, sd)
      local wrong = "lua-spec-wrong-sensors-token-0123456789"
      local bad = sb:client("sensors_data", { token = wrong, retries = 0 })
      assert_no_secret(wrong, bad)
      local t, err = bad.user_tags:get { id = 1 }
      assert.is_nil(t)
      assert.are.equal("auth", err.kind)
      assert_no_secret(wrong, err)
      assert_no_secret(c.token, err)
      local p = bad.user_tags:list {}
      for _ in p do end
      assert.are.equal("auth", p.err.kind)
      assert_no_secret(wrong, p.err)
      bad:close()
    end)
  end)

  ----------------------------------------------------------------------------------------------
  describe("ThinkingData", function()
    local ta

    before_each(function() ta = sb:client("thinking_data") end)
    after_each(function() ta:close() end)

    it("lists clusters newest first, lazily", function()
      local ids = sb:seed { vendor = "thinking_data", kind = "clusters", count = 3, project_id = 102 }.ids
      sb:seed { vendor = "thinking_data", kind = "clusters", count = 2, project_id = 7 }
      local p = ta.clusters:list { project_id = 102, pager_header = { page_size = 2 } }
      assert.are.equal(0, sb:count("open/user-cluster-list", "thinking_data"))
      local all = assert(p:all())
      assert.are.same({ ids[3], ids[2], ids[1] }, ids_of(all, "id"))
      assert.are.equal("seed_" .. ids[3], all[1].cluster_name)
      assert.are.equal(all[1].clusterName, all[1].cluster_name)
      assert.are.equal(2, sb:count("open/user-cluster-list", "thinking_data")) -- totalNum 3, pages of 2
    end)

    it("gets a cluster's detail by id and by name", function()
      local ids = sb:seed { vendor = "thinking_data", kind = "clusters", count = 2, project_id = 102, name_prefix = "vip" }.ids
      local by_id = assert(ta.clusters:detail { project_id = 102, cluster_id = ids[2] })
      assert.are.equal(ids[2], by_id.id)
      assert.are.equal("vip_" .. ids[2], by_id.cluster_name)
      assert.are.equal(102, by_id.project_id)
      local by_name = assert(ta.clusters:detail { project_id = 102, cluster_name = "vip_" .. ids[1] })
      assert.are.equal(ids[1], by_name.id)
      local log = sb:requests("thinking_data", "open/user-cluster-detail")
      assert.are.equal(2, #log)
      assert.are.equal(tostring(ids[2]), log[1].query.clusterId)
      assert.are.equal("vip_" .. ids[1], log[2].query.clusterName)
      assert.is_nil(log[2].query.clusterId)
    end)

    it("waits for a refresh: polls progress until 100, or returns a timeout error", function()
      local id = sb:seed { vendor = "thinking_data", kind = "clusters", count = 1, project_id = 102 }.ids[1]
      assert(ta.clusters:refresh { project_id = 102, cluster_id = id })
      local r, err = ta.clusters:wait_refreshed { project_id = 102, cluster_id = id, timeout = 0.2 }
      assert.is_nil(r)
      assert.are.equal("timeout", err.kind)
      local done = assert(ta.clusters:wait_refreshed { project_id = 102, cluster_id = id, timeout = 30 })
      assert.are.equal(100, done.progress)
      assert.is_true(#sb:requests("thinking_data", "open/user-cluster-refresh-progress") >= 2)
    end)

    it("needs exactly one of cluster_id / cluster_name, checked before sending", function()
      local r, err = ta.clusters:detail { project_id = 102 }
      assert.is_nil(r)
      assert.are.equal("validation", err.kind)
      r, err = ta.clusters:detail { project_id = 102, cluster_id = 1, cluster_name = "x" }
      assert.is_nil(r)
      assert.are.equal("validation", err.kind)
      assert.are.equal(0, #sb:requests("thinking_data"))
    end)

    it("reports an unknown cluster as an api error", function()
      local r, err = ta.clusters:detail { project_id = 102, cluster_id = 424242 }
      assert.is_nil(r)
      assert.are.equal("api", err.kind)
      assert.is_string(err.code)
    end)

    it("never shows a credential", function()
      local token = sb.credentials.thinking_data.token
      assert_no_secret(token, ta)
      local wrong = "lua-spec-wrong-thinking-token-0123456789"
      local bad = sb:client("thinking_data", { token = wrong, retries = 0 })
      assert_no_secret(wrong, bad)
      local r, err = bad.clusters:detail { project_id = 102, cluster_id = 1 }
      assert.is_nil(r)
      assert.are.equal("auth", err.kind)
      assert_no_secret(wrong, err)
      assert_no_secret(token, err)
      bad:close()
    end)
  end)
end)
