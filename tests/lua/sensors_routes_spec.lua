-- tests/lua/sensors_routes_spec.lua - the Sensors Data routes of issue 8 through the Lua binding
-- against the sandbox (the same coverage as tests/python/test_sensors_routes.py): create for every
-- source type the create route allows (1, 7, 9, 10, 11, 12) from the document's examples, get /
-- update / set_status / report / delete (then not_found), add_partitions + status + execute, the
-- wait_computed waiter (SUCCEED, and a timeout error), the lazy users:export pager, persona
-- user_tags with more than 20 ids (chunks of 20, merged in input order), and validation before
-- sending (every violation with its path; the sandbox's request log stays empty).
-- Run from the repository root:
--   busted --lua=lua5.4 -o tests/lua/support/summary_output.lua tests/lua/sensors_routes_spec.lua
--   busted --lua=luajit -o tests/lua/support/summary_output.lua tests/lua/sensors_routes_spec.lua
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"
local core = require "audkit.core"

local VM = _VERSION .. (rawget(_G, "jit") and (" / " .. jit.version) or "")

-- The document's examples as JSON (its comments and "......" removed: the examples are not valid
-- JSON, the field tables are the specification). For the measure tags (9, 10, 11, 12) the document
-- shows only rule_content_list; the top-level fields are completed like the custom-value example.
local function J(text) return assert(core.json_decode(text)) end

local LAYERS = [=[[
  {"value":"分层1","type":"rules_relation","relation":"and","rules":[{"type":"rules_relation","relation":"and",
   "rules":[{"measure":{"aggregator":"general","field":"","type":"event_measure","event_name":"buy"},
   "type":"event_rule","time_function":"relative_time","time_params":["1 day"],"params":[1],"function":"least",
   "filters":[]}]}]},
  {"value":"分层2","type":"rules_relation","relation":"and","rules":[{"type":"rules_relation","relation":"and",
   "rules":[{"type":"profile_rule","field":"user.$update_time","function":"equal","params":["10"]}]}]}]]=]

local CUSTOM = [[{"id":0,"cname":"显示名称","name":"user_tag_xianshimingcheng","source_type":1,"is_routine":true,
  "unit":"DAY","dir_id":1,"data_type":"STRING","cron":"0 0 0 * * ? *","rule_content_list":]] .. LAYERS .. [[,
  "app_push_list":null,"comment":"备注"}]]

local SQL = [[{"id":0,"cname":"标签5","name":"user_tag_biaoqian5","source_type":7,"is_routine":true,"unit":"DAY",
  "dir_id":38,"data_type":"STRING","cron":"0 0 0 * * ? *","app_push_list":null,"comment":"备注",
  "sql":"select id as id,first_id as distinct_id,  $city as value from users"}]]

local SIMPLE_RULES = [=[[{"type":"rules_relation","relation":"and","rules":[{"type":"simple_event_rule",
  "filters":[{"type":"filter","field":"event.WithdrawCash.WithdrawDate","function":"greaterequal",
  "params":["2015-04-01 00:03:00"]}],"time_function":"relative_time","time_params":["1,0,hour"]}]}]]=]

local function measure_tag(name, source_type, data_type, content)
  return ([[{"id":0,"cname":"%s","name":"%s","source_type":%d,"is_routine":true,"unit":"DAY","dir_id":1,
    "data_type":"%s","cron":"0 0 0 * * ? *","rule_content_list":[%s],"app_push_list":null}]])
    :format(name, name, source_type, data_type, content)
end

local EXAMPLES = {
  CUSTOM,
  SQL,
  -- 基础指标值: the example's content type basic_measures, and the field table's event_measure (ruling)
  measure_tag("user_tag_doc_basic", 9, "NUMBER", [[{"type":"basic_measures","measure":{"type":"event_measure",
    "event_name":"ClickBanner","aggregator":"general","field":""},"rules":]] .. SIMPLE_RULES .. "}"),
  measure_tag("user_tag_doc_basic_table", 9, "NUMBER", [[{"type":"event_measure","measure":{"type":"event_measure",
    "event_name":"ClickBanner","aggregator":"SUM","field":""},"rules":]] .. SIMPLE_RULES .. "}"),
  -- 首次末次特征
  measure_tag("user_tag_doc_first_last", 10, "DATETIME", [[{"type":"first_last_time_feature","measure":{
    "type":"event_measure","event_name":"ClickBanner","aggregator":"first_time","field":"event.ClickBanner.$time"},
    "rules":]] .. SIMPLE_RULES .. "}"),
  -- 事件偏好属性
  measure_tag("user_tag_doc_preference", 11, "STRING", [[{"type":"event_property_preferences","measure":{
    "type":"event_measure","event_name":"ClickBanner","aggregator":"group_concat","field":"event.BuyGold.$city"},
    "rules":[{"type":"rules_relation","relation":"and","rules":[{"type":"event_rule","measure":{
    "type":"event_measure","event_name":"ClickBanner","aggregator":"rank_desc","field":"event.BuyGold.GoldPrice"},
    "filters":[{"type":"filter","field":"event.WithdrawCash.WithdrawDate","function":"greaterequal",
    "params":["2015-04-01 00:03:00"]}],"params":[20],"function":"most","time_function":"relative_time",
    "time_params":["1,0,hour"]}]}]}]]),
  -- 行为分布结果
  measure_tag("user_tag_doc_distribution", 12, "NUMBER", [[{"type":"behavior_distribution_result","measure":{
    "type":"event_measure","event_name":"ClickBanner","aggregator":"uniqcount","field":"","unit":"day"},
    "rules":]] .. SIMPLE_RULES .. "}"),
}

-- JSON text of a value with sorted keys, to compare the sent body with an example exactly
-- (types included: 1 and "1" differ) without depending on table identity or metatables.
local function canon(v)
  local t = type(v)
  if v == audkit.null or v == core.null then return "null" end
  if t == "table" then
    local keys, n = {}, 0
    for k in pairs(v) do
      n = n + 1
      keys[n] = k
    end
    local is_array = n == #v and (n > 0 or getmetatable(v) == core.array_mt)
    local parts = {}
    if is_array then
      for i = 1, n do parts[i] = canon(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for i, k in ipairs(keys) do parts[i] = ("%q:%s"):format(tostring(k), canon(v[k])) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "number" and v == math.floor(v) and math.abs(v) < 2 ^ 53 then
    return ("%d"):format(v)
  end
  if t == "number" then return ("%.17g"):format(v) end
  return ("%q"):format(tostring(v))
end

local function last(sb, route)
  local log = sb:requests("sensors_data", route)
  assert.is_true(#log > 0, "no request on " .. route)
  return log[#log]
end

local function paths(err)
  local out = {}
  for _, v in ipairs(err.violations or {}) do out[v.field] = true end
  return out
end

describe("Sensors Data routes through the Lua binding (" .. VM .. ")", function()
  local sb, sd

  setup(function() sb = H.start_sandbox() end)
  teardown(function() if sb then sb:stop() end end)
  before_each(function()
    sb:reset()
    sd = sb:client("sensors_data")
  end)
  after_each(function() sd:close() end)

  it("creates a tag of every allowed source type from the document's examples, sent and stored as given", function()
    local seen = {}
    for _, text in ipairs(EXAMPLES) do
      local example = J(text)
      local t, err = sd.user_tags:create(J(text))
      assert.is_nil(err, text)
      assert.is_true(t.id >= 1)
      assert.are.equal(example.name, t.name)
      assert.are.equal(example.source_type, t.source_type)
      seen[#seen + 1] = t.source_type
      local sent = last(sb, "v2/user_tags")
      assert.are.equal("PUT", sent.method)
      assert.are.equal(canon(example), canon(J(sent.body)))
      local got = assert(sd.user_tags:get { id = t.id })
      for _, key in ipairs { "rule_content_list", "sql", "data_type", "cron", "dir_id", "cname" } do
        if example[key] ~= nil then assert.are.equal(canon(example[key]), canon(got[key]), key) end
      end
    end
    assert.are.same({ 1, 7, 9, 9, 10, 11, 12 }, seen)
  end)

  it("gets, updates, pauses, reports on and deletes a tag; a deleted tag is not_found", function()
    local t = assert(sd.user_tags:create(J(CUSTOM)))
    local got = assert(sd.user_tags:get { id = t.id })
    assert.are.equal("user_tag_xianshimingcheng", got.name)
    assert.are.equal("分层2", got.rule_content_list[2].value)
    -- the document's update example: the whole tag as get returns it (the id goes in the path)
    local example = J(([[{"id":%d,"dir_id":1,"name":"user_tag_xianshimingcheng","cname":"显示名称",
      "user_name":"xxx@qq.com","create_time":"2019-12-18 14:42:41","data_type":"STRING","unit":"DAY",
      "source_type":1,"is_routine":true,"status":"PENDING","comment":"新备注","cron":"0 0 0 * * ? *",
      "rule_content_list":%s,"failed_partition_count":0,"last_succeed_partition":{"rule_content_list":%s},
      "last_partition_info":{"base_time":"2019-12-18 00:00:00","start_time":"2019-12-18 14:42:41",
      "finished_time":"2019-12-18 14:42:41","user_count":0,"status":"NEW",
      "next_partition_base_time":"2019-12-19 00:00:00"}}]]):format(t.id, LAYERS, LAYERS))
    local u, err = sd.user_tags:update(example)
    assert.is_nil(err)
    assert.are.equal("新备注", u.comment)
    local sent = last(sb, "v2/user_tags/{id}")
    assert.are.equal("PUT", sent.method)
    assert.is_truthy(sent.path:find("/v2/user_tags/" .. t.id, 1, true))
    local body = J(sent.body)
    assert.is_nil(body.id)
    assert.are.equal(canon(example.rule_content_list), canon(body.rule_content_list))
    assert.are.equal("新备注", assert(sd.user_tags:get { id = t.id }).comment)

    local s = assert(sd.user_tags:set_status { id = t.id, status = "SUSPEND" })
    assert.are.equal("SUSPEND", s.status)
    sent = last(sb, "v2/user_tags/{id}")
    assert.are.equal("PATCH", sent.method)
    assert.are.equal(canon(J '{"status":"SUSPEND"}'), canon(J(sent.body)))
    assert.are.equal("RUNNING", assert(sd.user_tags:set_status { id = t.id, status = "RUNNING" }).status)

    local rep = assert(sd.user_tags:report { id = t.id, from_date = "2019-12-16", to_date = "2019-12-18",
      bucket_param = { 0 }, limit = 0 })
    assert.are.same({ "2019-12-16 00:00:00", "2019-12-17 00:00:00", "2019-12-18 00:00:00" },
      { rep.aggregate_result.series[1], rep.aggregate_result.series[2], rep.aggregate_result.series[3] })
    assert.are.equal("$ALL", rep.aggregate_result.rows[1].by_value)
    assert.are.equal(2, #rep.non_aggregate_result.rows)
    assert.are.equal(3, #rep.non_aggregate_result.rows[1].partition_values)
    sent = last(sb, "v2/user_tags/{id}/report")
    assert.are.equal("POST", sent.method)
    assert.are.equal(canon(J [[{"from_date":"2019-12-16","to_date":"2019-12-18","bucket_param":[0],"limit":0}]]),
      canon(J(sent.body)))

    local d
    d, err = sd.user_tags:delete { id = t.id }
    assert.is_nil(err)
    assert.is_not_nil(d)
    assert.are.equal("DELETE", last(sb, "v2/user_tags/{id}").method)
    local none
    none, err = sd.user_tags:get { id = t.id }
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
    assert.are.equal(404, err.status)
    none, err = sd.user_tags:delete { id = t.id }
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
  end)

  it("adds partitions, reads their status and executes one again", function()
    local t = assert(sd.user_tags:create(J(CUSTOM)))
    assert(sd.user_tags:add_partitions { id = t.id, from_date = "2019-12-16", to_date = "2019-12-18" })
    local sent = last(sb, "v2/user_tags/{id}/partitions")
    assert.are.equal("PUT", sent.method)
    assert.are.equal("2019-12-16", sent.query.from_date)
    assert.are.equal("2019-12-18", sent.query.to_date)
    -- the table's other form: yyyy-MM-dd HH:mm:ss
    assert(sd.user_tags:add_partitions { id = t.id, from_date = "2018-05-04 04:00:00", to_date = "2018-05-06" })
    assert.are.equal("2018-05-04 04:00:00", last(sb, "v2/user_tags/{id}/partitions").query.from_date)

    local st, err = sd.user_tags:status { id = t.id, base_time_list = { "2019-12-16", "2019-12-17" } }
    assert.is_nil(err)
    assert.are.equal(2, #st)
    assert.are.equal("2019-12-16 00:00:00", st[1].base_time)
    assert.are.equal("COMPUTING", st[1].status)
    assert.are.equal("COMPUTING", st[2].status)
    sent = last(sb, "v2/user_tags/{id}/status")
    assert.are.equal("GET", sent.method)
    -- several days are repeated parameters (the document shows one: ?base_time_list=2019-12-16)
    assert.are.same({ "2019-12-16", "2019-12-17" }, sent.query.base_time_list)
    st = assert(sd.user_tags:status { id = t.id, base_time_list = { "2019-12-20" } })
    assert.are.equal("NEW", st[1].status) -- never added

    assert(sd.user_tags:execute { id = t.id, base_time_list = { "2019-12-13" } })
    sent = last(sb, "v2/user_tags/{id}/execute")
    assert.are.equal("POST", sent.method)
    assert.are.equal("2019-12-13", sent.query.base_time_list)
    st = assert(sd.user_tags:status { id = t.id, base_time_list = { "2019-12-13" } })
    assert.are.equal("COMPUTING", st[1].status)
    local cs = assert(sd.user_tags:compute_state { id = t.id, base_time_list = { "2019-12-13" } })
    assert.are.equal("COMPUTING", cs.state)
  end)

  it("waits until the partitions are computed (SUCCEED), or returns a timeout error", function()
    local t = assert(sd.user_tags:create(J(CUSTOM)))
    assert(sd.user_tags:add_partitions { id = t.id, from_date = "2019-12-16", to_date = "2019-12-17" })
    local days = { "2019-12-16", "2019-12-17" }
    local r, err = sd.user_tags:wait_computed { id = t.id, base_time_list = days, timeout = 0.2 }
    assert.is_nil(r)
    assert.are.equal("timeout", err.kind)
    local polls = sb:count("v2/user_tags/{id}/status", "sensors_data")
    assert.is_true(polls >= 1)
    local done
    done, err = sd.user_tags:wait_computed { id = t.id, base_time_list = days, timeout = 20 }
    assert.is_nil(err)
    assert.are.equal("SUCCEED", done.state)
    assert.are.equal(2, #done.partitions)
    for _, p in ipairs(done.partitions) do
      assert.are.equal("SUCCEED", p.status)
      assert.is_string(p.finished_time)
    end
    -- it polled (a SLEEP between polls): the sandbox computes for 2 s, so more than one request
    assert.is_true(sb:count("v2/user_tags/{id}/status", "sensors_data") - polls >= 2)
    local st = assert(sd.user_tags:status { id = t.id, base_time_list = days })
    assert.are.equal("SUCCEED", st[1].status)
  end)

  it("exports users lazily, page by page from 0, over a seeded population", function()
    local t = assert(sd.user_tags:create { name = "user_tag_lua_exp", source_type = 1, data_type = "STRING",
      rule_content_list = J(LAYERS) })
    local uids = sb:seed { vendor = "sensors_data", kind = "users", count = 25 }.ids
    -- the sandbox gives user index i a value of tag t when (i + t) % 3 ~= 0
    local want = {}
    for i, uid in ipairs(uids) do
      if ((i - 1) + t.id) % 3 ~= 0 then want[#want + 1] = uid end
    end
    local ROUTE = "v2/reports/user_analytics/users"
    local p, err = sd.users:export { filter = { conditions = { { field = "user.user_tag_lua_exp", ["function"] = "isSet" } } },
      profiles = { "user.city" }, num_per_page = 4 }
    assert.is_nil(err)
    assert.are.equal(0, sb:count(ROUTE, "sensors_data")) -- lazy: nothing sent yet
    local first = p()
    assert.are.equal(1, sb:count(ROUTE, "sensors_data"))
    local got = { first.id }
    assert.is_string(first.profiles.city)
    for u in p do
      got[#got + 1] = u.id
      assert.is_string(u.profiles.city)
    end
    assert.is_nil(p.err)
    assert.are.same(want, got)
    local log = sb:requests("sensors_data", ROUTE)
    assert.are.equal(math.ceil(#want / 4), #log)
    for i, r in ipairs(log) do
      local body = J(r.body)
      assert.are.equal(i - 1, body.page)
      assert.are.equal(4, body.num_per_page)
    end
  end)

  it("reads a user's values of more than 20 tags: chunks of 20, merged in input order", function()
    sb:seed { vendor = "sensors_data", kind = "user_tags", count = 45 }
    local uids = sb:seed { vendor = "sensors_data", kind = "users", count = 3 }.ids
    local ids = {}
    for i = 1, 45 do ids[i] = ((i * 17) % 45) + 1 end -- a permutation of 1..45, not sorted
    local want = {}
    for _, id in ipairs(ids) do
      if (1 + id) % 3 ~= 0 then want[#want + 1] = id end -- user index 1 has values of these
    end
    local p, err = sd.persona:user_tags { user_id = uids[2], user_tag_ids = ids }
    assert.is_nil(err)
    local got = {}
    for v in p do
      got[#got + 1] = v.tag_id
      assert.is_not_nil(v.value)
    end
    assert.is_nil(p.err)
    assert.are.same(want, got)
    local log = sb:requests("sensors_data", "v2/persona_info/user_tags")
    assert.are.equal(3, #log)
    local sent = {}
    for i, r in ipairs(log) do
      local body = J(r.body)
      assert.are.equal(uids[2], body.user_id)
      assert.are.equal(i < 3 and 20 or 5, #body.user_tag_ids)
      for _, id in ipairs(body.user_tag_ids) do sent[#sent + 1] = id end
    end
    assert.are.same(ids, sent)
    -- the document's example request: an unknown user has no values
    local all = assert(sd.persona:user_tags { user_id = "-5568802382350089752",
      user_tag_ids = { 10, 11, 21, 25, 17, 19, 7, 13, 18 } }:all())
    assert.are.equal(0, #all)
  end)

  it("refuses bad input before sending, with every violation and its path", function()
    local r, err = sd.user_tags:create { id = 3, source_type = 5, data_type = "TEXT", is_routine = true }
    assert.is_nil(r)
    assert.are.equal("validation", err.kind)
    assert.are.same({ id = true, source_type = true, data_type = true, cron = true, rule_content_list = true },
      paths(err))
    -- nested paths: a measure tag without its measure and with an empty rule list, and sql where not allowed
    r, err = sd.user_tags:create { source_type = 9, data_type = "NUMBER", sql = "x",
      rule_content_list = { { type = "basic_measures", rules = audkit.array {} } } }
    assert.are.equal("validation", err.kind)
    assert.are.same({ sql = true, ["rule_content_list[0].rules"] = true, ["rule_content_list[0].measure"] = true },
      paths(err))
    r, err = sd.user_tags:create { source_type = 7, data_type = "STRING" }
    assert.are.same({ sql = true }, paths(err))
    r, err = sd.user_tags:set_status { id = 0, status = "PENDING" }
    assert.are.same({ id = true, status = true }, paths(err))
    r, err = sd.user_tags:report { id = 1, from_date = "2019-12-19", to_date = "2019-12-18", limit = -1 }
    assert.are.same({ from_date = true, limit = true }, paths(err))
    r, err = sd.user_tags:add_partitions { id = 1, from_date = "2999-01-02", to_date = "2999-01-01" }
    assert.are.same({ from_date = true, to_date = true }, paths(err))
    r, err = sd.user_tags:execute { id = 1, base_time_list = { "2019-12-13", "2019-12-13", "13/12/2019" } }
    assert.are.equal("validation", err.kind)
    assert.are.same({ ["base_time_list[1]"] = true, ["base_time_list[2]"] = true }, paths(err))
    r, err = sd.user_tags:wait_computed { id = 1, base_time_list = audkit.array {} }
    assert.are.same({ base_time_list = true }, paths(err))
    local p = sd.users:export { filter = { conditions = { { ["function"] = "isSet" } } }, num_per_page = 0 }
    assert.is_nil(p())
    assert.are.equal("validation", p.err.kind)
    assert.are.same({ ["filter.conditions[0].field"] = true, num_per_page = true }, paths(p.err))
    p = sd.persona:user_tags { user_tag_ids = { 0 } }
    assert.is_nil(p())
    assert.are.equal("validation", p.err.kind)
    assert.are.same({ user_id = true, ["user_tag_ids[0]"] = true }, paths(p.err))
    assert.is_nil(r)
    assert.are.equal(0, #sb:requests("sensors_data")) -- nothing was sent
  end)
end)
