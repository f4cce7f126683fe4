-- audkit.model: results are plain Lua tables keyed by the vendor's wire names; a metatable
-- built from the core's schema descriptors (ak_describe) lets the snake_case names read the
-- same values where they differ (`cluster.cluster_name` -> `clusterName`). Nested models
-- (audience_spec, rule trees, ...) get their own metatable. One __index per schema: no
-- per-field code, so fields the lead adds in C appear here with no Lua change.
local core = require "audkit.core"

local null = core.null
local array_mt = core.array_mt

local M = {}

local function nn(v)
  if v == null then return nil end
  return v
end
M.nn = nn

-- Builds the model table of one platform descriptor: models[name] = {mt=, fields=, ...}.
function M.build(pdesc)
  local models = {}
  local schemas = nn(pdesc.schemas) or {}
  for name, s in pairs(schemas) do
    local map, nested = {}, {}
    for _, f in ipairs(nn(s.fields) or {}) do
      local fname, wire = nn(f.name), nn(f.wire) or nn(f.name)
      if fname and wire and fname ~= wire then map[fname] = wire end
      local sub = nn(f.schema)
      if sub and wire then nested[#nested + 1] = { wire = wire, schema = sub } end
    end
    local mt = {
      __jsontype = "object", -- re-encoding an empty model stays an object
      __name = "audkit." .. name,
    }
    if next(map) then
      mt.__index = function(t, k)
        local w = map[k]
        if w ~= nil then return rawget(t, w) end
        return nil
      end
    end
    models[name] = { name = name, mt = mt, map = map, nested = nested, doc = nn(s.doc) }
  end
  return models
end

local wrap

local function wrap_value(models, schema, v, depth)
  if type(v) ~= "table" or depth > 50 then return v end
  if getmetatable(v) == array_mt then
    for i = 1, #v do wrap_value(models, schema, v[i], depth + 1) end
    return v
  end
  return wrap(models, schema, v, depth)
end

-- Attaches the metatable of `schema` to `t` (and to its nested models), in place; returns t.
function wrap(models, schema, t, depth)
  depth = depth or 0
  local m = schema and models[schema]
  if type(t) ~= "table" or not m then return t end
  if getmetatable(t) == nil then setmetatable(t, m.mt) end
  for i = 1, #m.nested do
    local n = m.nested[i]
    local v = rawget(t, n.wire)
    if type(v) == "table" then wrap_value(models, n.schema, v, depth + 1) end
  end
  return t
end

function M.wrap(models, schema, t)
  return wrap(models, nn(schema), t, 0)
end

-- M.wrap bound to one schema, for a caller that shapes many results of it: a model without nested
-- models only gets its metatable, with no walk.
function M.shaper(models, schema)
  schema = nn(schema)
  local m = schema and models[schema]
  if m and #m.nested == 0 then
    local mt = m.mt
    return function(t)
      if type(t) == "table" and getmetatable(t) == nil then setmetatable(t, mt) end
      return t
    end
  end
  return function(t) return wrap(models, schema, t, 0) end
end

-- Wraps every element of an item array with the item schema; returns the array.
function M.wrap_items(models, schema, items)
  schema = nn(schema)
  if type(items) ~= "table" then return items end
  if schema and models[schema] then
    for i = 1, #items do
      if type(items[i]) == "table" then wrap(models, schema, items[i], 0) end
    end
  end
  return items
end

-- Follows a dotted path ("data.list") inside a table.
function M.get_path(t, path)
  path = nn(path)
  if type(path) ~= "string" or path == "" then return nil end
  local v = t
  for part in path:gmatch("[^%.]+") do
    if type(v) ~= "table" then return nil end
    v = rawget(v, part)
  end
  return v
end

return M
