-- tests/lua/streaming_spec.lua - streamed bodies (issue 8) through the Lua binding against the
-- sandbox: Sensors Data users:export_csv with dest = a path, a file handle, or nil (rows, header-
-- aware, quoted fields), an export of hundreds of stream buffers with bounded Lua memory;
-- ThinkingData clusters:import_ids / modify_import (by id and by name) with source = a path, a CSV
-- string, a file handle, an iterator function, an array of ids; an iterator that raises (nil, err,
-- nothing stored), bad ids, validation before sending, and the Lua-owned loop refusal.
-- Run from the repository root:
--   busted --lua=lua5.4 -o tests/lua/support/summary_output.lua tests/lua/streaming_spec.lua
--   busted --lua=luajit -o tests/lua/support/summary_output.lua tests/lua/streaming_spec.lua
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"

local VM = _VERSION .. (rawget(_G, "jit") and (" / " .. jit.version) or "")
local COND = { conditions = { { ["field"] = "user.city", ["function"] = "isSet" } } }
local BUF = 64 * 1024 -- the binding's stream buffer (STREAM_BUF in lua/src/stream.c)
local TD_IMPORT = { project_id = 1, display_name = "ids", main_column_name = "#account_id" }

local function merge(a, b)
  local t = {}
  for k, v in pairs(a) do t[k] = v end
  for k, v in pairs(b or {}) do t[k] = v end
  return t
end

local function read_all(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

local function count(s, pat)
  local n = 0
  for _ in s:gmatch(pat) do n = n + 1 end
  return n
end

local function last(sb, vendor)
  local reqs = sb:requests(vendor)
  return reqs[#reqs]
end

local function header(req, name)
  for k, v in pairs(req.headers or {}) do
    if k:lower() == name:lower() then return v end
  end
end

describe("streaming (" .. VM .. ")", function()
  local sb, sd, td, tmp

  setup(function()
    sb = H.start_sandbox()
    sd = sb:client("sensors_data")
    td = sb:client("thinking_data")
  end)

  teardown(function()
    if sd then sd:close() end
    if td then td:close() end
    if sb then sb:stop() end
  end)

  before_each(function()
    sb:reset()
    sb:seed{ vendor = "sensors_data", kind = "users", count = 7 }
    tmp = os.tmpname()
    os.remove(tmp)
  end)

  after_each(function() os.remove(tmp) end)

  describe("users:export_csv", function()
    it("writes to a path and to a file handle chunk by chunk, returning the byte count", function()
      sb:seed{ vendor = "sensors_data", kind = "export_rows", count = 2000 }
      local n, err = sd.users:export_csv{ filter = COND, all_page = true, dest = tmp }
      assert.is_nil(err)
      local data = read_all(tmp)
      assert.equal(#data, n)
      assert.equal("id,first_id,$name,province,city,viplevel\r\n", data:sub(1, 42))
      assert.equal(1 + 7 + 2000, count(data, "\r\n"))
      local req = last(sb, "sensors_data")
      assert.equal("POST", req.method)
      assert.truthy(req.path:find("/v2/reports/user_analytics/users/csv", 1, true))
      assert.same({ filter = COND, all_page = true }, audkit.json_decode(req.body))

      -- a Lua file handle: written through its write method, never held whole
      local f = assert(io.open(tmp .. ".h", "wb"))
      local n2 = assert(sd.users:export_csv{ filter = COND, all_page = true, dest = f })
      f:close()
      assert.equal(n, n2)
      assert.equal(data, read_all(tmp .. ".h"))
      os.remove(tmp .. ".h")

      -- any object with write: chunks arrive as the transfer goes, each far below the body
      local chunks, biggest, parts = 0, 0, {}
      local w = { write = function(self, s)
        chunks = chunks + 1
        if #s > biggest then biggest = #s end
        parts[#parts + 1] = s
        return self
      end }
      assert.equal(n, sd.users:export_csv{ filter = COND, all_page = true, dest = w })
      assert.equal(data, table.concat(parts))
      assert.is_true(chunks > 3, "chunks: " .. chunks)
      assert.is_true(biggest <= BUF, "biggest chunk: " .. biggest)
    end)

    it("returns rows as tables keyed by the header line (rows match the seeded users)", function()
      sb:seed{ vendor = "sensors_data", kind = "export_rows", count = 3000 }
      local rows, err = sd.users:export_csv{ filter = COND, all_page = true, profiles = { "user.city", "user.$name" } }
      assert.is_nil(err)
      local got = {}
      for row in rows do got[#got + 1] = row end
      assert.equal(7 + 3000, #got)
      assert.is_true(rows:bytes() > 3000 * 20)
      -- the seeded users first: the paged JSON export of the same population gives the values
      local i = 0
      for u in sd.users:export{ filter = COND } do
        i = i + 1
        if i > 7 then break end
        assert.equal(tostring(u.id), got[i].id)
      end
      assert.same({ id = "-8730216594566797645", first_id = "0000000000000000", city = "北京", ["$name"] = "用户0" },
        got[1])
      assert.equal("用户6", got[7]["$name"])
      -- then the synthetic rows: id 1000000000000 + k, each profile column "<name>-<k % 97>"
      for _, k in ipairs({ 0, 1, 96, 97, 1500, 2999 }) do
        local row = got[7 + k + 1]
        assert.equal(string.format("%d", 1000000000000 + k), row.id)
        assert.equal("city-" .. (k % 97), row.city)
        assert.equal("$name-" .. (k % 97), row["$name"])
        assert.equal(16, #row.first_id)
      end
      assert.is_nil(rows())  -- exhausted: stays at the end
    end)

    it("parses quoted fields: commas, doubled quotes and line breaks in headers and values", function()
      sb:seed{ vendor = "sensors_data", kind = "export_rows", count = 100 }
      local cols = { "a,b", 'say "hi"', "two\nlines", "plain" }
      local profiles = {}
      for k, c in ipairs(cols) do profiles[k] = "user." .. c end
      local rows = assert(sd.users:export_csv{ filter = COND, profiles = profiles })
      local n = 0
      local row = rows:next()
      while row do
        n = n + 1
        if n > 7 then
          local k = n - 8
          for _, c in ipairs(cols) do assert.equal(c .. "-" .. (k % 97), row[c]) end
          assert.equal(string.format("%d", 1000000000000 + k), row.id)
        else
          assert.equal("", row["a,b"]) -- the seeded users have no such property
        end
        row = rows:next()
      end
      assert.equal(107, n)
      rows:close()
      assert.is_nil(rows:next())
    end)

    it("keeps memory bounded on an export of hundreds of buffers", function()
      sb:seed{ vendor = "sensors_data", kind = "export_rows", count = 60000 }
      local profiles = {}
      for k = 1, 20 do profiles[k] = "user.c" .. k end
      collectgarbage("collect")
      local base = collectgarbage("count") * 1024
      local peak, n, fields = 0, 0, 0
      local rows = assert(sd.users:export_csv{ filter = COND, profiles = profiles })
      for row in rows do
        n = n + 1
        fields = fields + (row.c20 and 1 or 0)
        if n % 2000 == 0 then -- what the iteration retains, sampled after a full collection
          collectgarbage("collect")
          local growth = collectgarbage("count") * 1024 - base
          if growth > peak then peak = growth end
        end
      end
      local total = rows:bytes()
      assert.equal(7 + 60000, n)
      assert.equal(n, fields)
      assert.is_true(total > 100 * BUF, "export of " .. total .. " bytes")
      -- a binding that held the body (or the rows) would grow by `total` and more: the stream
      -- stays within a few buffers however large the export
      assert.is_true(peak < 8 * BUF, ("peak growth %d bytes for an export of %d"):format(peak, total))
    end)

    it("validates before sending, maps HTTP errors and leaves no partial file", function()
      sb:clear_requests()
      local r, err = sd.users:export_csv{ filter = { conditions = { { ["field"] = "" } } }, all_page = "yes" }
      assert.is_nil(r)
      assert.equal("validation", err.kind)
      local paths = {}
      for _, v in ipairs(err.violations) do paths[v.field] = true end
      assert.is_true(paths["filter.conditions[0].field"] and paths["all_page"] and true or false)
      r, err = sd.users:export_csv{ filter = COND, dest = 42 }
      assert.is_nil(r)
      assert.equal("validation", err.kind)
      assert.equal("dest", err.field)
      r, err = sd.users:export_csv{ filter = { conditions = {} }, dest = tmp }
      assert.equal("validation", err.kind)
      assert.is_false(exists(tmp)) -- invalid parameters: the file is never created
      assert.equal(0, #sb:requests("sensors_data"))

      -- an error answer is mapped, never written to dest
      sb:fault{ vendor = "sensors_data", route = "v2/reports/user_analytics/users/csv", fault = "auth" }
      r, err = sd.users:export_csv{ filter = COND, dest = tmp }
      assert.is_nil(r)
      assert.equal("auth", err.kind)
      assert.is_false(exists(tmp))

      -- a failing sink ends the transfer: nil, err (its message and cause), not retried, and a
      -- file audkit opened is removed
      sb:seed{ vendor = "sensors_data", kind = "export_rows", count = 20000 }
      sb:clear_requests()
      local calls = 0
      local boom = { write = function() calls = calls + 1; error("disk on fire") end }
      r, err = sd.users:export_csv{ filter = COND, dest = boom }
      assert.is_nil(r)
      assert.equal("transport", err.kind)
      assert.truthy(err.message:find("disk on fire", 1, true))
      assert.truthy(tostring(err.cause):find("disk on fire", 1, true))
      assert.equal(1, calls)
      assert.equal(1, #sb:requests("sensors_data"))
      local io_style = { write = function() return nil, "No space left on device" end }
      r, err = sd.users:export_csv{ filter = COND, dest = io_style }
      assert.is_nil(r)
      assert.truthy(err.message:find("No space left", 1, true))
      -- a path in a directory that does not exist: nil, err, nothing left behind
      r, err = sd.users:export_csv{ filter = COND, dest = tmp .. ".d/x.csv" }
      assert.is_nil(r)
      assert.truthy(err.message:find("cannot open", 1, true))
    end)
  end)

  describe("clusters:import_ids / modify_import", function()
    it("uploads from an array, a CSV string, a path, a file handle and an iterator", function()
      local r, err = td.clusters:import_ids(merge(TD_IMPORT, { cluster_name = "vip1", source = { "a1", "b2", 3 } }))
      assert.is_nil(err)
      assert.equal(3, r.upload_num)
      assert.equal(3, r.user_num)
      local req = last(sb, "thinking_data")
      assert.truthy(req.path:find("/open/import-id-cluster-add", 1, true))
      assert.same({ token = "***", projectId = "1", displayName = "ids", mainColumnName = "#account_id",
        clusterName = "vip1" }, req.query)
      assert.equal("text/csv", header(req, "Content-Type"))
      assert.equal("chunked", header(req, "Transfer-Encoding")) -- ids: length unknown
      local id = r.cluster_id

      -- a CSV string (it has a line break): Content-Length
      r = assert(td.clusters:modify_import{ project_id = 1, cluster_id = id, source = "x1\r\nx2\r\n" })
      assert.equal(2, r.upload_num)
      req = last(sb, "thinking_data")
      assert.truthy(req.path:find("/open/import-id-cluster-modify", 1, true))
      assert.equal("8", header(req, "Content-Length"))

      -- a path (opened and closed by audkit): Content-Length, by name
      local f = assert(io.open(tmp, "wb"))
      f:write("j77639\r\nh84497\r\ng119426\r\ne154284\r\nf175355\r\n")
      f:close()
      r = assert(td.clusters:modify_import{ project_id = 1, cluster_name = "vip1", display_name = "renamed", source = tmp })
      assert.equal(5, r.upload_num)
      req = last(sb, "thinking_data")
      assert.truthy(req.path:find("/open/import-id-cluster-modify-by-name", 1, true))
      assert.same({ token = "***", projectId = "1", clusterName = "vip1", displayName = "renamed" }, req.query)
      assert.equal("43", header(req, "Content-Length"))
      local d = assert(td.clusters:detail{ project_id = 1, cluster_id = id })
      assert.equal("renamed", d.displayName or d.display_name)

      -- a file handle: chunked
      f = assert(io.open(tmp, "rb"))
      r = assert(td.clusters:modify_import{ project_id = 1, cluster_id = id, source = f })
      f:close()
      assert.equal(5, r.upload_num)
      assert.equal("chunked", header(last(sb, "thinking_data"), "Transfer-Encoding"))

      -- an iterator function of ids (strings or integers), with a duplicate: uploadNum counts
      -- every line, userNum the distinct ids
      local ids, k = { "u1", 2, "u3", "u1" }, 0
      r = assert(td.clusters:modify_import{ project_id = 1, cluster_id = id,
        source = function() k = k + 1; return ids[k] end })
      assert.equal(4, r.upload_num)
      assert.equal(3, r.user_num)
      d = assert(td.clusters:detail{ project_id = 1, cluster_id = id })
      assert.equal(3, d.usersNum or d.users_num)
    end)

    it("keeps memory bounded on an upload of hundreds of buffers", function()
      local n, i = 1000000, -1
      collectgarbage("collect")
      local base = collectgarbage("count") * 1024
      local peak = 0
      local r = assert(td.clusters:import_ids(merge(TD_IMPORT, { source = function()
        i = i + 1
        if i >= n then return nil end
        if i % 100000 == 0 then
          collectgarbage("collect")
          local g = collectgarbage("count") * 1024 - base
          if g > peak then peak = g end
        end
        return string.format("u%010d", i)
      end })))
      assert.equal(n, r.upload_num)
      assert.is_true(13 * n > 150 * BUF)
      -- a wide margin: LuaJIT's string table and GC pacing in a full suite run add a few buffers;
      -- holding the upload would grow by its whole 13 MB (over 200 buffers)
      assert.is_true(peak < 8 * BUF, ("peak growth %d bytes for an upload of %d"):format(peak, 13 * n))
    end)

    it("an iterator that raises ends the upload: nil, err, nothing stored", function()
      sb:clear_requests()
      local k = 0
      local r, err = td.clusters:import_ids(merge(TD_IMPORT, { cluster_name = "boom1", source = function()
        k = k + 1
        if k == 30000 then error("ids ran dry") end
        return "u" .. k
      end }))
      assert.is_nil(r)
      assert.equal("transport", err.kind)
      assert.truthy(err.message:find("ids ran dry", 1, true))
      assert.truthy(tostring(err.cause):find("ids ran dry", 1, true))
      assert.is_true(#sb:requests("thinking_data") <= 1) -- never resent
      local l = assert(td.clusters:list{ project_id = 1 })
      local names = {}
      for c in l do names[#names + 1] = c.clusterName or c.cluster_name end
      assert.same({}, names)
      -- a bad id found mid-upload: a validation error naming it, nothing stored either
      k = -1
      r, err = td.clusters:import_ids(merge(TD_IMPORT, { source = function()
        k = k + 1
        if k >= 50000 then return nil end
        return k == 40000 and "a,b" or ("u" .. k)
      end }))
      assert.is_nil(r)
      assert.equal("validation", err.kind)
      assert.equal("source[40000]", err.field)
      l = assert(td.clusters:list{ project_id = 1 })
      assert.is_nil(l())
      -- the vendor's error envelope is mapped
      r, err = td.clusters:modify_import{ project_id = 1, cluster_id = 999999, source = { 1 } }
      assert.is_nil(r)
      assert.equal("api", err.kind) -- the cluster does not exist (the vendor's error envelope)
    end)

    it("validates before sending", function()
      sb:clear_requests()
      local r, err = td.clusters:import_ids{ project_id = 1, cluster_name = "bad name", display_name = "", source = {} }
      assert.is_nil(r)
      local paths = {}
      for _, v in ipairs(err.violations) do paths[v.field] = true end
      assert.is_true(paths.cluster_name and paths.display_name and paths.main_column_name and true or false)
      r, err = td.clusters:import_ids(TD_IMPORT)
      assert.equal("source", err.field)
      r, err = td.clusters:import_ids(merge(TD_IMPORT, { source = tmp .. ".missing" }))
      assert.equal("validation", err.kind)
      assert.equal("source", err.field)
      r, err = td.clusters:import_ids(merge(TD_IMPORT, { source = 12 }))
      assert.equal("source", err.field)
      r, err = td.clusters:import_ids(merge(TD_IMPORT, { source = { "a1", "", 2.5 } }))
      assert.equal("source[1]", err.field) -- an array is checked whole before sending
      r, err = td.clusters:import_ids(merge(TD_IMPORT, { source = { "a1", true } }))
      assert.equal("source[1]", err.field)
      assert.equal(0, #sb:requests("thinking_data"))
    end)
  end)

  it("a Lua-owned loop gets a clear nil, err", function()
    local c = sb:client("sensors_data", { transport = function() error("not reached") end })
    local r, err = c.users:export_csv{ filter = COND, dest = tmp }
    assert.is_nil(r)
    assert.truthy(err.message:find("streaming needs the built-in transport", 1, true))
    c:close()
    c = sb:client("thinking_data", { transport = function() error("not reached") end })
    r, err = c.clusters:import_ids(merge(TD_IMPORT, { source = { "a" } }))
    assert.is_nil(r)
    assert.truthy(err.message:find("streaming needs the built-in transport", 1, true))
    c:close()
  end)
end)
