-- tests/lua/sensors_rules_spec.lua - audkit.sensors.rules: every example rule of the Sensors
-- Data tag document (标签 API, 标签规则描述) rebuilt with the Lua builders and compared with the
-- document's JSON exactly (integers vs floats, [] vs {}, null); every function, aggregator,
-- relation and time unit accepted; bad input is nil, err (kind "validation") naming the path.
--
-- The expected JSON is copied from the document. Ruling (the document's examples are not all
-- valid JSON): the `// ...` comments and the `......` placeholders are removed, nothing else is
-- changed; the field tables are the specification.
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"
local R = require "audkit.sensors.rules"
local core = audkit.core

local DOC = {}
DOC.CREATE_CUSTOM_VALUE = [==[
{
    "id":0,
    "cname":"显示名称",
    "name":"user_tag_xianshimingcheng",
    "source_type":1,
    "is_routine":true,
    "unit":"DAY",
    "dir_id":1,
    "data_type":"STRING",
    "cron":"0 0 0 * * ? *",
    "rule_content_list":[
        {
            "value":"分层1",
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"rules_relation",
                    "relation":"and",
                    "rules":[
                        {
                            "measure":{
                                "aggregator":"general",
                                "field":"",
                                "type":"event_measure",
                                "event_name":"buy"
                            },
                            "type":"event_rule",
                            "time_function":"relative_time",
                            "time_params":[
                                "1 day"
                            ],
                            "params":[
                                1
                            ],
                            "function":"least",
                            "filters":[

                            ]
                        }
                    ]
                }
            ]
        },
        {
            "value":"分层2",
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"rules_relation",
                    "relation":"and",
                    "rules":[
                        {
                            "type":"profile_rule",
                            "field":"user.$update_time",
                            "function":"equal",
                            "params":[
                                "10"
                            ]
                        }
                    ]
                }
            ]
        }
    ],
    "app_push_list":null,
    "comment":"备注"
}
]==]

DOC.BASIC_MEASURES = [==[
{
    "type":"basic_measures",
    "measure":{
        "type":"event_measure",
        "event_name":"ClickBanner",
        "aggregator":"general",
        "field":""
    },
    "rules":[
        {
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"simple_event_rule",
                    "filters":[
                        {
                            "type":"filter",
                            "field":"event.WithdrawCash.WithdrawDate",
                            "function":"greaterequal",
                            "params":[
                                "2015-04-01 00:03:00"
                            ]
                        }
                    ],
                    "time_function":"relative_time",
                    "time_params":[
                        "1,0,hour"
                    ]
                }
            ]
        }
    ]
}
]==]

DOC.FIRST_LAST_TIME_FEATURE = [==[
{
    "type":"first_last_time_feature",
    "measure":{
        "type":"event_measure",
        "event_name":"ClickBanner",
        "aggregator":"first_time",
        "field":"event.ClickBanner.$time"
    },
    "rules":[
        {
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"simple_event_rule",
                    "filters":[
                        {
                            "type":"filter",
                            "field":"event.WithdrawCash.WithdrawDate",
                            "function":"greaterequal",
                            "params":[
                                "2015-04-01 00:03:00"
                            ]
                        }
                    ],
                    "time_function":"relative_time",
                    "time_params":[
                        "1,0,hour"
                    ]
                }
            ]
        }
    ]
}
]==]

DOC.EVENT_PROPERTY_PREFERENCES = [==[
{
    "type":"event_property_preferences",
    "measure":{
        "type":"event_measure",
        "event_name":"ClickBanner",
        "aggregator":"group_concat",
        "field":"event.BuyGold.$city"
    },
    "rules":[
        {
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"event_rule",
                    "measure":{
                        "type":"event_measure",
                        "event_name":"ClickBanner",
                        "aggregator":"rank_desc",
                        "field":"event.BuyGold.GoldPrice"
                    },
                    "filters":[
                        {
                            "type":"filter",
                            "field":"event.WithdrawCash.WithdrawDate",
                            "function":"greaterequal",
                            "params":[
                                "2015-04-01 00:03:00"
                            ]
                        }
                    ],
                    "params":[
                        20
                    ],
                    "function":"most",
                    "time_function":"relative_time",
                    "time_params":[
                        "1,0,hour"
                    ]
                }
            ]
        }
    ]
}
]==]

DOC.BEHAVIOR_DISTRIBUTION_RESULT = [==[
{
    "type":"behavior_distribution_result",
    "measure":{
        "type":"event_measure",
        "event_name":"ClickBanner",
        "aggregator":"uniqcount",
        "field":"",
        "unit":"day"
    },
    "rules":[
        {
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"simple_event_rule",
                    "filters":[
                        {
                            "type":"filter",
                            "field":"event.WithdrawCash.WithdrawDate",
                            "function":"greaterequal",
                            "params":[
                                "2015-04-01 00:03:00"
                            ]
                        }
                    ],
                    "time_function":"relative_time",
                    "time_params":[
                        "1,0,hour"
                    ]
                }
            ]
        }
    ]
}
]==]

DOC.METADATA_RULE_CONTENT_LIST = [==[
[
    {
      "value":"分层1",
      "type":"rules_relation",
      "relation":"and",
      "rules":[
        {
          "type":"rules_relation",
          "relation":"and",
          "rules":[
            {
              "type":"profile_rule",
              "field":"user.$first_visit_time",
              "function":"equal",
              "params":[
                "2019-12-10 00:00:00:00"
              ]
            }
          ]
        },
        {
          "type":"rules_relation",
          "relation":"and",
          "rules":[
            {
              "measure":{
                "aggregator":"general",
                "field":"",
                "type":"event_measure",
                "event_name":"buy"
              },
              "type":"event_rule",
              "time_function":"relative_time",
              "time_params":[
                "1 day"
              ],
              "params":[
                1
              ],
              "function":"least",
              "filters":[

              ]
            }
          ]
        },
        {
          "type":"rules_relation",
          "relation":"and",
          "rules":[
            {
              "type":"event_sequence_rule",
              "time_function":"relative_time",
              "time_params":[
                "1 day"
              ],
              "steps":[
                {
                  "event":"buy",
                  "filters":[

                  ]
                },
                {
                  "event":"buy",
                  "filters":[

                  ]
                }
              ]
            }
          ]
        }
      ]
    }
]
]==]

DOC.EXPORT_FILTER = [==[
{
    "conditions":[
        {
            "field":"user.user_tag_tag24@2019-12-18 00:00:00",
            "function":"isSet"
        }
    ]
}
]==]

DOC.EXPORT_CSV_FILTER = [==[
{
    "conditions":[
        {
            "field":"user.user_group_fenqun24@2019-12-18 00:00:00",
            "function":"isSet"
        }
    ]
}
]==]

-- exact comparison: same JSON types (integer vs float on Lua 5.4), [] vs {} for empty tables
local function same(a, b, path)
  path = path or "$"
  if a == core.null or b == core.null then
    assert(a == b, path .. ": null vs " .. tostring(a) .. "/" .. tostring(b))
    return
  end
  assert(type(a) == type(b), path .. ": " .. type(a) .. " vs " .. type(b))
  if type(a) == "number" then
    if math.type then assert(math.type(a) == math.type(b), path .. ": " .. math.type(a) .. " vs " .. math.type(b)) end
    assert(a == b, path .. ": " .. a .. " vs " .. b)
  elseif type(a) == "table" then
    if next(a) == nil or next(b) == nil then
      assert(audkit.json_encode(a) == audkit.json_encode(b), path .. ": " .. audkit.json_encode(a) .. " vs " .. audkit.json_encode(b))
    end
    for k, v in pairs(a) do
      assert(b[k] ~= nil, path .. "." .. tostring(k) .. " missing")
      same(v, b[k], path .. "." .. tostring(k))
    end
    for k in pairs(b) do assert(a[k] ~= nil, path .. "." .. tostring(k) .. " unexpected") end
  else
    assert(a == b, path .. ": " .. tostring(a) .. " vs " .. tostring(b))
  end
end

local function doc(name) return core.json_decode(DOC[name]) end

-- a built node, compared with the document's JSON both directly and after a JSON round trip
local function assert_doc(name, built)
  same(doc(name), built)
  same(doc(name), core.json_decode(audkit.json_encode(built)))
end

local WITHDRAW = { "event.WithdrawCash.WithdrawDate", "greaterequal", { "2015-04-01 00:03:00" } }

local function bought_once_last_day()
  return assert(R.event_rule(assert(R.event_measure("buy", "general")), "least", { 1 }, { time_params = "1 day" }))
end

local function withdraw_scope()
  local f = assert(R.filter(WITHDRAW[1], WITHDRAW[2], WITHDRAW[3]))
  return assert(R.and_(assert(R.simple_event_rule { time_params = assert(R.relative_time(1, 0, "hour")), filters = f })))
end

local function expect_err(node, err)
  assert.is_nil(node)
  assert.is_true(audkit.is_error(err))
  assert.are.equal("validation", err.kind)
  return err
end

local function fields_of(err)
  local t = {}
  for _, v in ipairs(err.violations) do t[v.field] = v.rule end
  return t
end

describe("audkit.sensors.rules: the document's examples", function()
  it("creates the custom-value tag of 创建标签", function()
    local layer1 = assert(R.custom_value("分层1", { R.and_(bought_once_last_day()) }))
    local layer2 = assert(R.custom_value("分层2", { R.and_(R.profile_rule("user.$update_time", "equal", { "10" })) }))
    local body = {
      id = 0, cname = "显示名称", name = "user_tag_xianshimingcheng", source_type = 1, is_routine = true,
      unit = "DAY", dir_id = 1, data_type = "STRING", cron = "0 0 0 * * ? *",
      rule_content_list = audkit.array { layer1, layer2 }, app_push_list = audkit.null, comment = "备注",
    }
    assert_doc("CREATE_CUSTOM_VALUE", body)
    assert.is_true(R.validate_rule_content_list(body.rule_content_list))
  end)

  it("builds the basic-measure content (基础指标值)", function()
    assert_doc("BASIC_MEASURES", assert(R.basic_measures(R.event_measure("ClickBanner", "general"), { withdraw_scope() })))
    -- ruling: the field table's name event_measure is accepted too
    local n = assert(R.basic_measures(R.event_measure("ClickBanner", "SUM", "event.ClickBanner.price"),
      { withdraw_scope() }, "event_measure"))
    assert.are.equal("event_measure", n.type)
    local err = expect_err(R.basic_measures(R.event_measure("ClickBanner"), { withdraw_scope() }, "measure"))
    assert.are.equal("type", err.field)
  end)

  it("builds the first/last-time feature content (首次末次特征)", function()
    assert_doc("FIRST_LAST_TIME_FEATURE", assert(R.first_last_time_feature(
      R.event_measure("ClickBanner", "first_time", "event.ClickBanner.$time"), { withdraw_scope() })))
  end)

  it("builds the event property preference content (事件偏好属性)", function()
    local top20 = assert(R.event_rule(R.event_measure("ClickBanner", "rank_desc", "event.BuyGold.GoldPrice"), "most",
      { 20 }, { time_params = { "1,0,hour" }, filters = { R.filter(WITHDRAW[1], WITHDRAW[2], WITHDRAW[3]) } }))
    assert_doc("EVENT_PROPERTY_PREFERENCES", assert(R.event_property_preferences(
      R.event_measure("ClickBanner", "group_concat", "event.BuyGold.$city"), { R.and_(top20) })))
  end)

  it("builds the behaviour distribution content (行为分布结果)", function()
    assert_doc("BEHAVIOR_DISTRIBUTION_RESULT", assert(R.behavior_distribution_result(
      R.event_measure("ClickBanner", "uniqcount", "", "day"), { withdraw_scope() })))
  end)

  it("builds the metadata example with a profile rule, an event rule and a sequence", function()
    local seq = assert(R.event_sequence_rule({ "buy", R.step("buy") }, { time_params = R.relative_time(1, "day") }))
    local built = audkit.array { assert(R.custom_value("分层1", {
      R.and_(R.profile_rule("user.$first_visit_time", "equal", "2019-12-10 00:00:00:00")),
      R.and_(bought_once_last_day()),
      R.and_(seq),
    })) }
    assert_doc("METADATA_RULE_CONTENT_LIST", built)
  end)

  it("builds the user export filters", function()
    assert_doc("EXPORT_FILTER", assert(R.user_filter(R.condition("user.user_tag_tag24@2019-12-18 00:00:00", "isSet"))))
    assert_doc("EXPORT_CSV_FILTER", assert(R.user_filter(R.condition("user.user_group_fenqun24@2019-12-18 00:00:00", "isSet"))))
  end)

  it("validates every document example as written", function()
    local all = doc("CREATE_CUSTOM_VALUE").rule_content_list
    for _, c in ipairs(doc("METADATA_RULE_CONTENT_LIST")) do all[#all + 1] = c end
    for _, n in ipairs { "BASIC_MEASURES", "FIRST_LAST_TIME_FEATURE", "EVENT_PROPERTY_PREFERENCES", "BEHAVIOR_DISTRIBUTION_RESULT" } do
      all[#all + 1] = doc(n)
    end
    assert.is_true(R.validate_rule_content_list(all))
  end)
end)

describe("audkit.sensors.rules: every name", function()
  it("accepts every function with its number of values, and refuses one more", function()
    local samples = { [0] = {}, [1] = { "x" }, [2] = { 1, 5 } }
    for _, fn in ipairs(R.FUNCTION_NAMES) do
      local lo, hi = R.FUNCTIONS[fn][1], R.FUNCTIONS[fn][2]
      local values = (fn == "least" or fn == "most") and { 3 } or samples[lo]
      assert(R.profile_rule("user.city", fn, values), fn)
      assert(R.filter("event.buy.price", fn, values), fn)
      local more = {}
      for i, x in ipairs(values) do more[i] = x end
      more[#more + 1] = 1
      if hi == nil then
        assert(R.filter("event.buy.price", fn, more), fn)
      else
        local err = expect_err(R.filter("event.buy.price", fn, more))
        assert.are.equal("params", err.field)
        assert.truthy(err.rule:find(fn, 1, true))
      end
    end
    for _, fn in ipairs(R.DOCUMENT_FUNCTIONS) do assert.truthy(R.FUNCTIONS[fn]) end
  end)

  it("accepts every aggregator in an event rule and per content type", function()
    local fieldless = {}
    for _, a in ipairs(R.FIELDLESS_AGGREGATORS) do fieldless[a] = true end
    for _, agg in ipairs(R.AGGREGATORS) do
      local m = assert(R.event_measure("buy", agg, fieldless[agg] and "" or "event.buy.price"))
      assert(R.event_rule(m, "least", 1, { time_params = "7 day" }), agg)
    end
    local build = {
      basic_measures = R.basic_measures,
      event_measure = function(m, rs) return R.basic_measures(m, rs, "event_measure") end,
      first_last_time_feature = R.first_last_time_feature,
      event_property_preferences = R.event_property_preferences,
      behavior_distribution_result = R.behavior_distribution_result,
    }
    for _, kind in ipairs(R.CONTENT_TYPE_NAMES) do
      local unit = kind == "behavior_distribution_result" and "hour" or nil
      local allowed = {}
      for _, agg in ipairs(R.CONTENT_TYPES[kind]) do
        allowed[agg] = true
        local m = assert(R.event_measure("ClickBanner", agg, fieldless[agg] and "" or "event.ClickBanner.x", unit))
        assert.are.equal(kind, assert(build[kind](m, { withdraw_scope() })).type)
      end
      for _, agg in ipairs(R.AGGREGATORS) do
        if not allowed[agg] then
          local m = assert(R.event_measure("ClickBanner", agg, "event.ClickBanner.x", unit))
          assert.are.equal("measure.aggregator", expect_err(build[kind](m, { withdraw_scope() })).field)
          break
        end
      end
    end
  end)

  it("nests and/or groups and filter groups", function()
    for _, rel in ipairs(R.RELATIONS) do
      local leaf = assert(R.profile_rule("user.city", "equal", { "北京", "上海" }))
      local g = assert(R.rules_relation(rel, { leaf, R.or_(leaf, R.and_(leaf, bought_once_last_day())) }))
      assert.are.equal(rel, g.relation)
      assert.are.equal("event_rule", g.rules[2].rules[2].rules[2].type)
      local f = assert(R.filters_relation(rel, { R.filter(WITHDRAW[1], WITHDRAW[2], WITHDRAW[3]),
        R.filters_or(R.filter("event.buy.x", "isSet")) }))
      assert.are.equal("[]", audkit.json_encode(f.subfilters[2].subfilters[1].params))
    end
    assert.are.equal("and", R.and_(R.profile_rule("user.a", "isSet")).relation)
    assert.are.equal("or", R.filters_or(R.filter("e.a", "isSet")).relation)
  end)

  it("knows the time units", function()
    for _, unit in ipairs(R.TIME_UNITS) do
      assert.are.equal("3 " .. unit, R.relative_time(3, unit))
      assert.are.equal("3,1," .. unit, R.relative_time(3, 1, unit))
      assert(R.simple_event_rule { time_params = "3,1," .. unit })
    end
    expect_err(R.relative_time(3, "week"))
    expect_err(R.simple_event_rule { time_params = "3 week" })
  end)
end)

describe("audkit.sensors.rules: validation", function()
  it("names the path of an unknown function", function()
    local err = expect_err(R.profile_rule("user.city", "like", { "x" }))
    assert.are.equal("function", err.field)
    err = expect_err(R.and_(R.profile_rule("user.city", "equal", "x"),
      { type = "filter", field = "f", ["function"] = "equal", params = {} }))
    assert.are.equal("rules[1].type", err.field)
    err = expect_err(R.custom_value("v", { R.and_(R.profile_rule("user.city", "equal", "x")),
      { type = "rules_relation", relation = "and", rules = { { type = "profile_rule", field = "user.a", ["function"] = "==", params = { 1 } } } } }))
    assert.are.equal("rules[1].rules[0].function", err.field)
  end)

  it("names the path of a missing measure", function()
    local err = expect_err(R.event_rule(nil, "least", { 1 }, { time_params = "1 day" }))
    assert.are.equal("measure", err.field)
    assert.are.equal("is required", err.rule)
    err = expect_err(R.and_(bought_once_last_day(), { type = "event_rule", time_function = "relative_time",
      time_params = { "1 day" }, ["function"] = "least", params = { 1 }, filters = {} }))
    assert.are.equal("rules[1].measure", err.field)
    assert.are.equal("measure", expect_err(R.basic_measures(nil, { withdraw_scope() })).field)
  end)

  it("names the path of a wrong arity", function()
    local err = expect_err(R.event_rule(R.event_measure("buy"), "between", { 1 }, { time_params = "1 day" }))
    assert.are.same({ params = "between takes 2 values, got 1" }, fields_of(err))
    err = expect_err(R.filters_and(R.filter("event.buy.x", "isSet"),
      { type = "filter", field = "event.buy.y", ["function"] = "isSet", params = { 1 } }))
    assert.are.same({ ["subfilters[1].params"] = "isSet takes no values, got 1" }, fields_of(err))
    assert.are.equal("params", expect_err(R.profile_rule("user.city", "equal", {})).field)
  end)

  it("carries a failed child's violations under the child's path", function()
    -- the last argument keeps its nil, err pair: the group reports the inner violations
    local err = expect_err(R.and_(bought_once_last_day(), R.profile_rule("user.x", "nope", { 1 })))
    assert.are.equal("rules[1].function", err.field)
    -- a nil cut off from its err (not the last argument) is still reported at its position
    err = expect_err(R.and_(R.profile_rule("user.x", "nope", { 1 }), bought_once_last_day()))
    assert.are.equal("rules[0]", err.field)
    err = expect_err(R.custom_value("v", { R.profile_rule("user.x", "equal", {}) }))
    assert.are.equal("rules[0].params", err.field)
  end)

  it("lists every violation of a hand-written list at once", function()
    local bad = {
      { value = "v", type = "rules_relation", relation = "xor", rules = {
        { type = "event_rule", measure = { type = "event_measure", event_name = "buy", aggregator = "SUM" },
          time_function = "absolute_time", time_params = { "1 week" }, ["function"] = "least", params = { "1" },
          filters = { { type = "filter", field = "a", ["function"] = "isSet", params = {} },
                      { type = "filter", field = "b", ["function"] = "isSet", params = {} } } },
        { type = "event_sequence_rule", time_function = "relative_time", time_params = { "1 day" }, steps = { { event = "" } } },
        { type = "rules_relation", relation = "or", rules = {} },
      } },
      { type = "behavior_distribution_result", measure = { type = "event_measure", event_name = "x", aggregator = "uniqcount" },
        rules = { { type = "simple_event_rule", time_function = "relative_time", time_params = { "1,0,hour" } } } },
    }
    local ok, err = R.validate_rule_content_list(bad)
    expect_err(ok, err)
    local p = "rule_content_list[0]."
    local want = {}
    for _, f in ipairs { p .. "relation", p .. "rules[0].measure.field", p .. "rules[0].time_function",
      p .. "rules[0].time_params[0]", p .. "rules[0].params[0]", p .. "rules[0].filters",
      p .. "rules[1].steps[0].event", p .. "rules[2].rules", "rule_content_list[1].measure.unit" } do
      want[f] = true
    end
    local got = {}
    for f in pairs(fields_of(err)) do got[f] = true end
    assert.are.same(want, got)
    assert.are.equal(p .. "relation", err.field)
    assert.truthy(tostring(err):find("9 invalid parameters", 1, true))
  end)

  it("checks the other rules", function()
    assert.are.equal("rules", expect_err(R.and_()).field)
    assert.are.equal("relation", expect_err(R.rules_relation("xor", { R.profile_rule("user.a", "isSet") })).field)
    assert.are.equal("time_params", expect_err(R.simple_event_rule()).field)
    local err = expect_err(R.event_rule(R.event_measure("buy"), "least", { 1 }, { time_params = "1 day",
      filters = { R.filter("a", "isSet"), R.filter("b", "isSet") } }))
    assert.are.equal("filters", err.field)
    assert.truthy(err.rule:find("filters_and", 1, true))
    assert.are.equal("field", expect_err(R.event_measure("buy", "SUM")).field)
    assert.are.same({ event_name = true, aggregator = true }, (function()
      local t = {}
      for f in pairs(fields_of(expect_err(R.event_measure("", "count")))) do t[f] = true end
      return t
    end)())
    assert.are.equal("value", expect_err(R.custom_value("", { R.and_(R.profile_rule("user.a", "isSet")) })).field)
    assert.are.equal("steps", expect_err(R.event_sequence_rule({}, { time_params = "1 day" })).field)
    assert.are.equal("conditions[1].function",
      expect_err(R.user_filter(R.condition("user.a", "isSet"), { field = "user.b", ["function"] = "nope" })).field)
    assert.has_error(function() R.event_rule(R.event_measure("buy"), "least", { 1 }, "1 day") end)
  end)
end)
