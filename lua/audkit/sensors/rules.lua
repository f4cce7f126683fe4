-- audkit.sensors.rules: builders for the Sensors Data (神策) user-tag rule DSL (标签规则描述).
--
--   local R = require "audkit.sensors.rules"
--   local bought = R.event_rule(R.event_measure("buy", "general"), "least", {1}, { time_params = "1 day" })
--   local layer1 = R.custom_value("分层1", { R.and_(bought) })
--   sd.user_tags:create{ cname = "显示名称", data_type = "STRING", source_type = 1,
--                        rule_content_list = { layer1 } }
--
-- A tag's rule_content_list holds rule contents (a custom-value layer, or a measure tag's
-- content), which hold rule nodes (rules_relation groups; profile_rule, event_rule /
-- simple_event_rule, event_sequence_rule), whose event conditions hold filter nodes
-- (filters_relation groups; filter). Every builder returns a plain table with the document's
-- wire names (lists marked with audkit.array, so audkit.json_encode writes [] for an empty one),
-- or nil, err: builders validate as they build, and err is an audkit error of kind
-- "validation" whose violations list every broken rule with its path inside the node being
-- built ("rules[1].measure", "filters[0].function"; indexes count from 0 like the core's
-- paths). Group builders take built nodes or hand-written tables (or models from
-- user_tags:get) and check the whole subtree. A builder's nil, err passed straight into a
-- group builder is reported by the group (the inner violations under the child's path when
-- the error value arrived too, "rules[i]: is nil" when it was cut off). Wrong argument types
-- for the builder itself (a relation that is not a string, ...) are validation errors too;
-- only calling a builder with something that is not a table where a table of options is
-- expected raises.
--
-- Accepted names (the document's): relations and/or; rule functions with their number of
-- values (R.FUNCTIONS: the document uses equal, least, most, greaterequal and, in the user
-- export filter, isSet; the rest are the Sensors "通用参数" functions the document refers to);
-- aggregators (R.AGGREGATORS; per rule-content type R.CONTENT_TYPES), of which general and
-- uniqcount need no field; time function relative_time with one parameter "N unit" or
-- "N,M,unit", unit day or hour.
--
-- Readings (shared with the core and the sandbox): simple_event_rule (examples: time range and
-- filters only) and event_rule are both event conditions; basic_measures (examples) and
-- event_measure (field table) both name the basic-measure content type; filters holds at most
-- one node ("不为空时只有一个元素"): combine several with R.filters_and / R.filters_or.
--
-- Pure Lua, for Lua 5.4 and LuaJIT 2.1.
local audkit = require "audkit"

local R = {}

local function list(...)
  local t = {}
  for i = 1, select("#", ...) do t[i] = select(i, ...) end
  return t
end

local function set_of(t)
  local s = {}
  for _, v in ipairs(t) do s[v] = true end
  return s
end

R.RELATIONS = { "and", "or" }

-- function -> { min, max } values (max nil: any number)
R.FUNCTIONS = {
  equal = { 1, nil }, notEqual = { 1, nil },
  least = { 1, 1 }, most = { 1, 1 },
  less = { 1, 1 }, greater = { 1, 1 }, lessequal = { 1, 1 }, greaterequal = { 1, 1 },
  between = { 2, 2 },
  contain = { 1, 1 }, notContain = { 1, 1 }, rlike = { 1, 1 }, notrlike = { 1, 1 },
  include = { 1, nil }, notInclude = { 1, nil },
  isTrue = { 0, 0 }, isFalse = { 0, 0 }, isSet = { 0, 0 }, notSet = { 0, 0 },
  isEmpty = { 0, 0 }, isNotEmpty = { 0, 0 },
}
R.FUNCTION_NAMES = {}
for name in pairs(R.FUNCTIONS) do R.FUNCTION_NAMES[#R.FUNCTION_NAMES + 1] = name end
table.sort(R.FUNCTION_NAMES)
R.DOCUMENT_FUNCTIONS = { "equal", "least", "most", "greaterequal", "isSet" }
local NUMERIC_FUNCTIONS = { least = true, most = true }

local BASIC = { "general", "SUM", "MAX", "MIN", "AVG", "UNIQ_COUNT" }
R.CONTENT_TYPES = {
  basic_measures = BASIC, -- ruling: the examples' name ...
  event_measure = BASIC, -- ... and the field table's, both accepted
  first_last_time_feature = { "first_time", "last_time", "first_time_interval", "last_time_interval" },
  event_property_preferences = { "group_concat" },
  behavior_distribution_result = { "uniqcount" },
}
R.CONTENT_TYPE_NAMES = { "basic_measures", "event_measure", "first_last_time_feature",
  "event_property_preferences", "behavior_distribution_result" }
R.AGGREGATORS = { "general", "SUM", "MAX", "MIN", "AVG", "UNIQ_COUNT", "first_time", "last_time",
  "first_time_interval", "last_time_interval", "group_concat", "rank_desc", "uniqcount" }
R.FIELDLESS_AGGREGATORS = { "general", "uniqcount" }
R.RULE_TYPES = { "rules_relation", "profile_rule", "event_rule", "simple_event_rule", "event_sequence_rule" }
R.FILTER_TYPES = { "filters_relation", "filter" }
R.TIME_FUNCTIONS = { "relative_time" }
R.TIME_UNITS = { "day", "hour" }
R.MEASURE_UNITS = { "day", "hour" }

local RELATION_SET = set_of(R.RELATIONS)
local AGG_SET = set_of(R.AGGREGATORS)
local FIELDLESS = set_of(R.FIELDLESS_AGGREGATORS)
local TIME_FN_SET = set_of(R.TIME_FUNCTIONS)
local UNIT_SET = set_of(R.TIME_UNITS)
local CONTENT_SETS = {}
for k, v in pairs(R.CONTENT_TYPES) do CONTENT_SETS[k] = set_of(v) end

------------------------------------------------------------------------------------------
-- validation

local Violations = {}
Violations.__index = Violations

local function violations() return setmetatable({ items = {} }, Violations) end

function Violations:add(path, rule)
  self.items[#self.items + 1] = { field = (path ~= "" and path) or "value", rule = rule }
end

function Violations:error()
  local items = self.items
  if #items == 0 then return nil end
  local msg
  if #items == 1 then
    msg = "invalid parameter " .. items[1].field .. ": " .. items[1].rule
  else
    local parts = {}
    for i, v in ipairs(items) do parts[i] = v.field .. ": " .. v.rule end
    msg = #items .. " invalid parameters: " .. table.concat(parts, "; ")
  end
  return audkit.new_error("validation", msg, { field = items[1].field, rule = items[1].rule, violations = items })
end

local function join(path, key) return (path ~= "" and (path .. "." .. key)) or key end
local function idx(path, i) return path .. "[" .. i .. "]" end -- i counts from 0

local function is_str(v) return type(v) == "string" and v ~= "" end
local function is_scalar(v)
  local t = type(v)
  return t == "string" or t == "number" or t == "boolean"
end

-- a table usable as a JSON array: keys 1..n only
local function is_list(t)
  if type(t) ~= "table" then return false end
  if getmetatable(t) == audkit.core.object_mt then return false end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do if t[i] == nil then return false end end
  return true
end

local function one_of(values)
  return "must be one of " .. table.concat(values, ", ")
end

local function qstr(v)
  if type(v) == "string" then return "'" .. v .. "'" end
  return tostring(v)
end

local function check_params(node, path, v, required)
  local fn, params = node["function"], node.params
  local fpath, ppath = join(path, "function"), join(path, "params")
  local arity
  if fn == nil then
    if required then v:add(fpath, "is required") end
  elseif type(fn) ~= "string" or not R.FUNCTIONS[fn] then
    v:add(fpath, "unknown function " .. qstr(fn) .. ": " .. one_of(R.FUNCTION_NAMES))
  else
    arity = R.FUNCTIONS[fn]
  end
  if params == nil then
    if fn ~= nil and (required or arity) then v:add(ppath, "is required") end
    return
  end
  if not is_list(params) then
    v:add(ppath, "must be a list")
    return
  end
  for i, p in ipairs(params) do
    if not is_scalar(p) then
      v:add(idx(ppath, i - 1), "must be a string, number or boolean")
    elseif NUMERIC_FUNCTIONS[fn] and type(p) ~= "number" then
      v:add(idx(ppath, i - 1), "must be a number for " .. fn)
    end
  end
  if arity then
    local lo, hi, n = arity[1], arity[2], #params
    if hi == nil and n < lo then
      v:add(ppath, ("%s takes at least %d value%s, got %d"):format(fn, lo, lo ~= 1 and "s" or "", n))
    elseif hi ~= nil and (n < lo or n > hi) then
      local want = hi == 0 and "no values" or (lo .. " value" .. (lo ~= 1 and "s" or ""))
      v:add(ppath, ("%s takes %s, got %d"):format(fn, want, n))
    end
  end
end

local function relative_ok(s)
  if type(s) ~= "string" then return false end
  local unit = s:match("^%d+ (%a+)$") or s:match("^%d+,%d+,(%a+)$")
  return unit ~= nil and UNIT_SET[unit] == true
end

local function check_time(node, path, v)
  local tf, tp = node.time_function, node.time_params
  local tfpath, tppath = join(path, "time_function"), join(path, "time_params")
  if tf == nil then
    v:add(tfpath, "is required")
  elseif not TIME_FN_SET[tf] then
    v:add(tfpath, "unknown time function " .. qstr(tf) .. ": " .. one_of(R.TIME_FUNCTIONS))
  end
  if tp == nil then
    v:add(tppath, "is required")
  elseif not is_list(tp) then
    v:add(tppath, "must be a list")
  elseif #tp ~= 1 then
    v:add(tppath, "relative_time takes 1 value, got " .. #tp)
  elseif not relative_ok(tp[1]) then
    v:add(idx(tppath, 0), 'must be "N unit" or "N,M,unit" with unit day or hour (e.g. "1 day", "1,0,hour")')
  end
end

local check_filter

local function check_relation(rel, path, v)
  if rel == nil then v:add(path, "is required")
  elseif not RELATION_SET[rel] then v:add(path, one_of(R.RELATIONS)) end
end

local function check_filters(filters, path, v)
  if filters == nil then return end
  if not is_list(filters) then
    v:add(path, "must be a list")
    return
  end
  if #filters > 1 then
    v:add(path, "holds at most one node: combine filters with filters_and() / filters_or()")
  end
  for i, f in ipairs(filters) do check_filter(f, idx(path, i - 1), v) end
end

function check_filter(node, path, v)
  if type(node) ~= "table" then
    v:add(path, "must be an object (a filter or filters_relation node)")
    return
  end
  local t = node.type
  if t == "filter" then
    if not is_str(node.field) then v:add(join(path, "field"), "is required (an event property, e.g. event.buy.price)") end
    check_params(node, path, v, true)
  elseif t == "filters_relation" then
    check_relation(node.relation, join(path, "relation"), v)
    local subs, spath = node.subfilters, join(path, "subfilters")
    if not is_list(subs) or #subs == 0 then
      v:add(spath, "must be a non-empty list")
    else
      for i, f in ipairs(subs) do check_filter(f, idx(spath, i - 1), v) end
    end
  else
    v:add(join(path, "type"), t == nil and "is required" or one_of(R.FILTER_TYPES))
  end
end

local function check_measure(m, path, v, aggregators, agg_set, unit_required)
  if m == nil then
    v:add(path, "is required")
    return
  end
  if type(m) ~= "table" then
    v:add(path, "must be an object (an event_measure)")
    return
  end
  if m.type ~= "event_measure" then v:add(join(path, "type"), "must be event_measure") end
  if not is_str(m.event_name) then v:add(join(path, "event_name"), "is required") end
  local agg = m.aggregator
  if agg == nil then
    v:add(join(path, "aggregator"), "is required")
  elseif not agg_set[agg] then
    v:add(join(path, "aggregator"), "unknown aggregator " .. qstr(agg) .. ": " .. one_of(aggregators))
  end
  local field = m.field
  if field ~= nil and type(field) ~= "string" then
    v:add(join(path, "field"), "must be a string")
  elseif AGG_SET[agg] and not FIELDLESS[agg] and (field == nil or field == "") then
    v:add(join(path, "field"), "is required for aggregator " .. agg)
  end
  if m.unit == nil then
    if unit_required then v:add(join(path, "unit"), "is required (day or hour)") end
  elseif not UNIT_SET[m.unit] then
    v:add(join(path, "unit"), one_of(R.MEASURE_UNITS))
  end
end

local check_rule

local function check_rules_list(rules, path, v)
  if not is_list(rules) or #rules == 0 then
    v:add(path, "must be a non-empty list") -- "不允许为空"
    return
  end
  for i, r in ipairs(rules) do check_rule(r, idx(path, i - 1), v) end
end

local function check_step(s, path, v)
  if type(s) ~= "table" then
    v:add(path, "must be an object ({event, filters})")
    return
  end
  if not is_str(s.event) then v:add(join(path, "event"), "is required (an event or virtual event name)") end
  check_filters(s.filters, join(path, "filters"), v)
end

function check_rule(node, path, v)
  if type(node) ~= "table" then
    v:add(path, "must be an object (a rules_relation or rule node)")
    return
  end
  local t = node.type
  if t == "rules_relation" then
    check_relation(node.relation, join(path, "relation"), v)
    check_rules_list(node.rules, join(path, "rules"), v)
  elseif t == "profile_rule" then
    if not is_str(node.field) then
      v:add(join(path, "field"), "is required (a property, tag or segment, e.g. user.city)")
    end
    check_params(node, path, v, true)
  elseif t == "event_rule" then
    check_measure(node.measure, join(path, "measure"), v, R.AGGREGATORS, AGG_SET)
    check_time(node, path, v)
    check_params(node, path, v, true)
    check_filters(node.filters, join(path, "filters"), v)
  elseif t == "simple_event_rule" then
    if node.measure ~= nil then check_measure(node.measure, join(path, "measure"), v, R.AGGREGATORS, AGG_SET) end
    check_time(node, path, v)
    check_params(node, path, v, false)
    check_filters(node.filters, join(path, "filters"), v)
  elseif t == "event_sequence_rule" then
    check_time(node, path, v)
    local steps, spath = node.steps, join(path, "steps")
    if not is_list(steps) or #steps == 0 then
      v:add(spath, "must be a non-empty list")
    else
      for i, s in ipairs(steps) do check_step(s, idx(spath, i - 1), v) end
    end
  else
    v:add(join(path, "type"), t == nil and "is required" or one_of(R.RULE_TYPES))
  end
end

local function check_content(node, path, v)
  if type(node) ~= "table" then
    v:add(path, "must be an object (a rule content)")
    return
  end
  local t = node.type
  if t == "rules_relation" then -- custom values (自定义标签值): one layer
    if not is_str(node.value) then v:add(join(path, "value"), "is required (the tag value this layer assigns)") end
    check_relation(node.relation, join(path, "relation"), v)
  elseif type(t) == "string" and R.CONTENT_TYPES[t] then
    check_measure(node.measure, join(path, "measure"), v, R.CONTENT_TYPES[t], CONTENT_SETS[t],
      t == "behavior_distribution_result")
  else
    local names = { "rules_relation" }
    for _, n in ipairs(R.CONTENT_TYPE_NAMES) do names[#names + 1] = n end
    v:add(join(path, "type"), t == nil and "is required" or one_of(names))
  end
  check_rules_list(node.rules, join(path, "rules"), v)
end

------------------------------------------------------------------------------------------
-- copying: plain tables, lists marked as arrays

local LIST_KEYS = { filters = true, params = true, rules = true, subfilters = true, steps = true,
  time_params = true, conditions = true }

local function plain(x, as_list)
  if type(x) ~= "table" or audkit.is_error(x) then return x end
  local out = {}
  local list_like = as_list or (next(x) ~= nil and is_list(x)) or getmetatable(x) == audkit.core.array_mt
  for k, val in pairs(x) do
    out[k] = plain(val, type(k) == "string" and LIST_KEYS[k] and type(val) == "table")
  end
  if list_like then return audkit.array(out) end
  return out
end

local function params_of(p)
  if p == nil then return audkit.array {} end
  if is_scalar(p) then return audkit.array { p } end
  if type(p) == "table" then return plain(p, true) end
  return p -- reported by the check
end

local function time_params_of(tp)
  if type(tp) == "string" then return audkit.array { tp } end
  if type(tp) == "table" then return plain(tp, true) end
  return tp
end

local function filters_of(f)
  if f == nil then return audkit.array {} end
  if type(f) == "table" and f.type ~= nil then return audkit.array { plain(f) } end
  if type(f) == "table" then return plain(f, true) end
  return f
end

-- children given as an array table (n = its highest index) or as varargs (n = select("#")):
-- a nil followed by an audkit error is a builder's `nil, err`: its violations move under the
-- child's path; a nil followed by another child (a `nil, err` cut off by Lua's argument
-- truncation) is reported at its position. Returns the copied list and adds violations to v.
local function children(path, items, n, v)
  while n > 0 and items[n] == nil do n = n - 1 end -- trailing nils carry no error: ignored
  local out = audkit.array {}
  local i = 1
  while i <= n do
    local c = items[i]
    local pos = #out
    if c == nil and audkit.is_error(items[i + 1]) then
      for _, viol in ipairs(items[i + 1].violations or {}) do
        v:add(join(idx(path, pos), viol.field), viol.rule)
      end
      if #(items[i + 1].violations or {}) == 0 then v:add(idx(path, pos), tostring(items[i + 1].message)) end
      out[pos + 1] = false -- keeps the positions of the following children
      i = i + 2
    elseif c == nil then
      v:add(idx(path, pos), "is nil (a builder returned nil, err)")
      out[pos + 1] = false
      i = i + 1
    elseif audkit.is_error(c) then
      for _, viol in ipairs(c.violations or {}) do v:add(join(idx(path, pos), viol.field), viol.rule) end
      out[pos + 1] = false
      i = i + 1
    else
      out[pos + 1] = plain(c)
      i = i + 1
    end
  end
  return out
end

local function max_index(t)
  local n = 0
  if type(t) == "table" then
    for k in pairs(t) do if type(k) == "number" and k > n and k % 1 == 0 then n = k end end
  end
  return n
end

local function list_children(path, t, v)
  if type(t) ~= "table" then
    v:add(path, "must be a list")
    return audkit.array {}
  end
  return children(path, t, max_index(t), v)
end

-- finishes a builder: the node (checked by check(node, "", v, ...)) or nil, err
local function done(node, v, check, ...)
  if not v:error() then check(node, "", v, ...) end
  local err = v:error()
  if err then return nil, err end
  return node
end

local function opts_table(opts, name)
  if opts ~= nil and type(opts) ~= "table" then
    error("audkit.sensors.rules." .. name .. ": options must be a table", 3)
  end
  return opts or {}
end

------------------------------------------------------------------------------------------
-- builders: measures and filters

-- {type = "event_measure", event_name, aggregator, field[, unit]}; aggregator defaults to
-- "general", field to "" (allowed only for general and uniqcount).
function R.event_measure(event_name, aggregator, field, unit)
  local node = { type = "event_measure", event_name = event_name, aggregator = aggregator or "general",
    field = field or "", unit = unit }
  local v = violations()
  check_measure(node, "", v, R.AGGREGATORS, AGG_SET)
  local err = v:error()
  if err then return nil, err end
  return node
end

-- {type = "filter", field, function, params}; params is one value or a list
function R.filter(field, func, params)
  return done({ type = "filter", field = field, ["function"] = func, params = params_of(params) }, violations(),
    check_filter)
end

function R.filters_relation(relation, subfilters)
  local v = violations()
  local subs = list_children("subfilters", subfilters, v)
  return done({ type = "filters_relation", relation = relation, subfilters = subs }, v, check_filter)
end

function R.filters_and(...)
  local v = violations()
  local subs = children("subfilters", list(...), select("#", ...), v)
  return done({ type = "filters_relation", relation = "and", subfilters = subs }, v, check_filter)
end

function R.filters_or(...)
  local v = violations()
  local subs = children("subfilters", list(...), select("#", ...), v)
  return done({ type = "filters_relation", relation = "or", subfilters = subs }, v, check_filter)
end

------------------------------------------------------------------------------------------
-- builders: rule nodes

-- {type = "profile_rule", field, function, params}
function R.profile_rule(field, func, params)
  return done({ type = "profile_rule", field = field, ["function"] = func, params = params_of(params) }, violations(),
    check_rule)
end

-- {type = "event_rule", measure, time_function, time_params, function, params, filters}
-- opts: time_params ("1 day", "1,0,hour" or a one-element list; required), time_function
-- ("relative_time"), filters (one filter node, or a list of at most one)
function R.event_rule(measure, func, params, opts)
  opts = opts_table(opts, "event_rule")
  local v = violations()
  return done({
    type = "event_rule",
    measure = plain(measure),
    time_function = opts.time_function or "relative_time",
    time_params = time_params_of(opts.time_params),
    ["function"] = func,
    params = params_of(params),
    filters = filters_of(opts.filters),
  }, v, check_rule)
end

-- {type = "simple_event_rule", time_function, time_params, filters}
function R.simple_event_rule(opts)
  opts = opts_table(opts, "simple_event_rule")
  return done({
    type = "simple_event_rule",
    time_function = opts.time_function or "relative_time",
    time_params = time_params_of(opts.time_params),
    filters = filters_of(opts.filters),
  }, violations(), check_rule)
end

-- {event, filters}
function R.step(event, filters)
  return done({ event = event, filters = filters_of(filters) }, violations(), check_step)
end

-- {type = "event_sequence_rule", time_function, time_params, steps}; steps: a list of
-- R.step(...) or event names; opts as for event_rule (time_params, time_function)
function R.event_sequence_rule(steps, opts)
  opts = opts_table(opts, "event_sequence_rule")
  local v = violations()
  local st = audkit.array {}
  if type(steps) == "table" then
    local named = {}
    for i = 1, max_index(steps) do
      local s = steps[i]
      named[i] = type(s) == "string" and { event = s, filters = audkit.array {} } or s
    end
    st = children("steps", named, max_index(steps), v)
  elseif steps ~= nil then
    v:add("steps", "must be a list")
  end
  return done({
    type = "event_sequence_rule",
    time_function = opts.time_function or "relative_time",
    time_params = time_params_of(opts.time_params),
    steps = st,
  }, v, check_rule)
end

-- {type = "rules_relation", relation, rules}
function R.rules_relation(relation, rules)
  local v = violations()
  local rs = list_children("rules", rules, v)
  return done({ type = "rules_relation", relation = relation, rules = rs }, v, check_rule)
end

function R.and_(...)
  local v = violations()
  local rs = children("rules", list(...), select("#", ...), v)
  return done({ type = "rules_relation", relation = "and", rules = rs }, v, check_rule)
end

function R.or_(...)
  local v = violations()
  local rs = children("rules", list(...), select("#", ...), v)
  return done({ type = "rules_relation", relation = "or", rules = rs }, v, check_rule)
end

------------------------------------------------------------------------------------------
-- builders: rule contents (entries of rule_content_list)

-- a custom-value layer (自定义标签值): {value, type = "rules_relation", relation, rules};
-- relation defaults to "and"
function R.custom_value(value, rules, relation)
  local v = violations()
  local rs = list_children("rules", rules, v)
  return done({ value = value, type = "rules_relation", relation = relation or "and", rules = rs }, v,
    check_content)
end

local function measure_content(kind, measure, rules, v)
  v = v or violations()
  local rs = list_children("rules", rules, v)
  return done({ type = kind, measure = plain(measure), rules = rs }, v, check_content)
end

-- 基础指标值: kind "basic_measures" (default) or "event_measure" (the field table's name)
function R.basic_measures(measure, rules, kind)
  kind = kind or "basic_measures"
  local v = violations()
  if kind ~= "basic_measures" and kind ~= "event_measure" then
    v:add("type", one_of({ "basic_measures", "event_measure" }))
    return nil, v:error()
  end
  return measure_content(kind, measure, rules, v)
end

function R.first_last_time_feature(measure, rules)
  return measure_content("first_last_time_feature", measure, rules)
end

function R.event_property_preferences(measure, rules)
  return measure_content("event_property_preferences", measure, rules)
end

function R.behavior_distribution_result(measure, rules)
  return measure_content("behavior_distribution_result", measure, rules)
end

------------------------------------------------------------------------------------------
-- time parameters

-- relative_time(1, "day") -> "1 day"; relative_time(1, 0, "hour") -> "1,0,hour"; or nil, err
function R.relative_time(...)
  local n = select("#", ...)
  local v = violations()
  if n ~= 2 and n ~= 3 then
    v:add("time_params", "relative_time takes (n, unit) or (start, end, unit), got " .. n .. " arguments")
    return nil, v:error()
  end
  local args = list(...)
  local unit = args[n]
  for i = 1, n - 1 do
    local x = args[i]
    if type(x) ~= "number" or x < 0 or x % 1 ~= 0 then
      v:add(idx("time_params", i - 1), "must be a non-negative integer")
    end
  end
  if not UNIT_SET[unit] then v:add("unit", one_of(R.TIME_UNITS)) end
  local err = v:error()
  if err then return nil, err end
  if n == 2 then return ("%d %s"):format(args[1], unit) end
  return ("%d,%d,%s"):format(args[1], args[2], unit)
end

------------------------------------------------------------------------------------------
-- the user export's filter (导出标签用户): {conditions = {{field, function[, params]}, ...}}

local function check_condition(c, path, v)
  if type(c) ~= "table" then
    v:add(path, "must be an object (a condition)")
    return
  end
  if not is_str(c.field) then v:add(join(path, "field"), "is required") end
  local probe = { ["function"] = c["function"], params = c.params or {} }
  check_params(probe, path, v, true)
end

-- {field, function[, params]} (params left out when empty, as in the document)
function R.condition(field, func, params)
  local p = params_of(params)
  local node = { field = field, ["function"] = func }
  if #p > 0 then node.params = p end
  return done(node, violations(), check_condition)
end

function R.user_filter(...)
  local v = violations()
  local conds = children("conditions", list(...), select("#", ...), v)
  local node = { conditions = conds }
  return done(node, v, function(n, _, vv)
    if #n.conditions == 0 then vv:add("conditions", "must be a non-empty list") end
    for i, c in ipairs(n.conditions) do check_condition(c, idx("conditions", i - 1), vv) end
  end)
end

------------------------------------------------------------------------------------------
-- checking hand-written trees: true, or nil, err with every violation

local function run(check, x, path)
  local v = violations()
  check(plain(x), path or "", v)
  local err = v:error()
  if err then return nil, err end
  return true
end

function R.validate_rule(node, path) return run(check_rule, node, path) end
function R.validate_filter(node, path) return run(check_filter, node, path) end
function R.validate_rule_content(node, path) return run(check_content, node, path) end

function R.validate_rule_content_list(contents, path)
  path = path or "rule_content_list"
  return run(function(l, p, v)
    if not is_list(l) or #l == 0 then
      v:add(p, "must be a non-empty list")
      return
    end
    for i, c in ipairs(l) do check_content(c, idx(p, i - 1), v) end
  end, contents, path)
end

return R
