-- bench/lua/contenders.lua: the Lua contenders (Lua 5.4 and LuaJIT), one workload per process,
-- run by bench/run.py. Output: JSON lines like bench/py_contenders.py; timings cover the loop only.
--   paging BASE PAGES ROUNDS   lazily list custom audiences (page_size 100): audience_id summed,
--                              name read; one line per round {"items","seconds","cpu","sum"}
--                              (seconds: wall, luasystem's monotime; cpu: os.clock)
--   add BASE CALLS             CALLS x tx.custom_audiences:add{...} -> {"calls","seconds","cpu","sum"}
--   mem BASE PAGES             iterate a /mem<PAGES>/v1.1 cycling route from a fresh client; peak
--                              RSS (VmHWM) before the first call, after the first page, at the end
-- Module paths: <repo>/lua for audkit.lua, $AUDKIT_BUILD_DIR/{lua,luajit} for audkit/core.so.
local root = os.getenv("AUDKIT_ROOT") or "."
local build = os.getenv("AUDKIT_BUILD_DIR") or (root .. "/build")
local vm_dir = rawget(_G, "jit") and "luajit" or "lua"
package.path = ("%s/lua/?.lua;%s/lua/?/init.lua;"):format(root, root) .. package.path
package.cpath = ("%s/%s/?.so;"):format(build, vm_dir) .. package.cpath
local audkit = require "audkit"

local clock
do -- monotonic wall clock: luasystem (a busted dependency) or LuaJIT's ffi; os.clock is CPU time
  local ok, system = pcall(require, "system")
  if ok and system.monotime then
    clock = system.monotime
  else
    local okf, ffi = pcall(require, "ffi")
    if okf then
      ffi.cdef [[ typedef struct { long tv_sec; long tv_nsec; } bench_ts; int clock_gettime(int, bench_ts *); ]]
      local ts = ffi.new("bench_ts")
      clock = function() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9 end
    else
      error("bench: no wall clock (install lua-system, which busted depends on)")
    end
  end
end

local function out(t)
  local parts = {}
  for k, v in pairs(t) do
    local s
    if type(v) == "number" then
      s = (math.type and math.type(v) == "integer") and tostring(v) or ("%.17g"):format(v)
    elseif v == nil then s = "null"
    else s = ("%q"):format(tostring(v)) end
    parts[#parts + 1] = ("%q: %s"):format(k, s)
  end
  io.write("{", table.concat(parts, ", "), "}\n")
  io.stdout:flush()
end

local TOKEN = "bench-access-token"
local cmd, base = arg[1], arg[2]

local function status_kb(field)
  local f = io.open("/proc/self/status")
  local s = f:read("*a")
  f:close()
  return tonumber(s:match(field .. ":%s*(%d+)"))
end

if cmd == "paging" then
  local pages, rounds = tonumber(arg[3]), tonumber(arg[4])
  local tx = assert(audkit.tencent_ads{ access_token = TOKEN, base_url = base })
  for _ = 1, rounds do
    local t0, c0 = clock(), os.clock()
    local n, total = 0, 0
    local p = tx.custom_audiences:list{ account_id = 1, page_size = 100 }
    for a in p do
      total = total + a.audience_id
      local _ = a.name
      n = n + 1
      if n == pages * 100 and pages < 200 then break end
    end
    if p.err then error(tostring(p.err)) end
    if p.close then p:close() end
    out{ items = n, seconds = clock() - t0, cpu = os.clock() - c0, sum = total }
  end
elseif cmd == "add" then
  local calls = tonumber(arg[3])
  local tx = assert(audkit.tencent_ads{ access_token = TOKEN, base_url = base })
  local total = 0
  local t0, c0 = clock(), os.clock()
  for _ = 1, calls do
    local r, err = tx.custom_audiences:add{ account_id = 1, name = "bench_audience", type = "CUSTOMER_FILE",
      description = "audkit benchmark" }
    if not r then error(tostring(err)) end
    total = total + r.audience_id
  end
  out{ calls = calls, seconds = clock() - t0, cpu = os.clock() - c0, sum = total }
elseif cmd == "mem" then
  local pages = tonumber(arg[3])
  local tx = assert(audkit.tencent_ads{ access_token = TOKEN, base_url = base })
  collectgarbage()
  local base_kb = status_kb("VmHWM")
  local one
  local n, total = 0, 0
  local p = tx.custom_audiences:list{ account_id = 1, page_size = 100 }
  for a in p do
    total = total + a.audience_id
    local _ = a.name
    n = n + 1
    if n == 100 then one = status_kb("VmHWM") end
  end
  if p.err then error(tostring(p.err)) end
  out{ items = n, sum = total, rss_base_kb = base_kb, peak_one_page_kb = one, peak_end_kb = status_kb("VmHWM"),
    pages = pages }
else
  error("usage: contenders.lua paging|add|mem BASE ...")
end
