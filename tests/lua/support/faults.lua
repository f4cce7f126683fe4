-- tests/lua/support/faults.lua: starts tests/faults/server.py (the misbehaving raw-socket HTTP
-- server) as a subprocess for the Lua specs, scripts it and reads its request log through its
-- control endpoints (/_faults/...) with the curl CLI, and stops it by its pid. Also runs one call
-- in a child interpreter under a kill timeout (calls that may hang or balloon before their fix).
-- Portable to Lua 5.1/LuaJIT and 5.4. Only bounded waits.
--
--   local H = dofile(spec_dir .. "/helper.lua")
--   local F = dofile(spec_dir .. "/support/faults.lua")(H)
--   local fs = F.start()
--   fs:script { { status = 503 }, { body_json = { code = 0 } } }
--   ... audkit.tencent_ads{ base_url = fs.url, ... } ...
--   fs:requests()   -- { {method=, path=, query=, headers=, body=, connection=, ...}, ... }
--   fs:stop()
return function(H)
  local core = require "audkit.core"
  local shq, exec_ok = H.shq, H.exec_ok
  local F = {}

  -- Wall clock in seconds (10 ms resolution) without a C module: /proc/uptime.
  function F.now()
    local f = io.open("/proc/uptime")
    if f then
      local s = f:read("*l")
      f:close()
      local t = tonumber(s:match("^(%S+)"))
      if t then return t end
    end
    return os.time()
  end

  -- Peak resident set of this process in KiB (VmHWM), or nil.
  function F.peak_rss_kib()
    local f = io.open("/proc/self/status")
    if not f then return nil end
    local s = f:read("*a")
    f:close()
    return tonumber(s:match("VmHWM:%s*(%d+)"))
  end

  local function running(pid)
    local f = io.open("/proc/" .. pid .. "/stat")
    if f then
      local stat = f:read("*l") or ""
      f:close()
      return stat:match("^%d+ %b() (%a)") ~= "Z"
    end
    return exec_ok("kill -0 " .. pid .. " 2>/dev/null")
  end

  local Server = {}
  Server.__index = Server

  function F.start()
    local log = os.tmpname()
    local cmd = ("cd %s && exec python3 tests/faults/server.py 2>>%s"):format(shq(H.root), shq(log))
    local proc = assert(io.popen(cmd, "r"))
    local line = proc:read("*l") -- the server exits (EOF) if it cannot start: bounded
    if not line then
      proc:close()
      local f = io.open(log)
      local msg = f and f:read("*a") or ""
      if f then f:close() end
      os.remove(log)
      error("the fault server did not start: " .. msg)
    end
    local info = assert(core.json_decode(line))
    return setmetatable({ proc = proc, log = log, url = info.url, pid = info.pid }, Server)
  end

  -- One control request through `curl -s` (max 10 s); returns the decoded JSON answer.
  local function control(self, method, path, body)
    local tmp
    local cmd = "curl -s -S -m 10 -X " .. method
    if body ~= nil then
      tmp = os.tmpname()
      local f = assert(io.open(tmp, "wb"))
      f:write(assert(core.json_encode(body)))
      f:close()
      cmd = cmd .. " -H 'Content-Type: application/json' --data-binary @" .. shq(tmp)
    end
    cmd = cmd .. " " .. shq(self.url .. path) .. " 2>&1"
    local p = assert(io.popen(cmd, "r"))
    local out = p:read("*a")
    p:close()
    if tmp then os.remove(tmp) end
    local doc, err = core.json_decode(out)
    if doc == nil then error(("fault server %s %s: %s %s"):format(method, path, tostring(err), out), 3) end
    if type(doc) == "table" and doc.error then error(("fault server %s %s: %s"):format(method, path, doc.error), 3) end
    return doc
  end

  -- Replaces the action queue (see tests/faults/server.py for the actions).
  function Server:script(actions) return control(self, "POST", "/_faults/script", actions) end
  function Server:reset() return control(self, "POST", "/_faults/reset", {}) end

  -- Every request received (oldest first), optionally only those whose path ends with `suffix`.
  function Server:requests(suffix)
    local out = {}
    for _, r in ipairs(control(self, "GET", "/_faults/requests").requests or {}) do
      if suffix == nil or r.path:sub(-#suffix) == suffix then out[#out + 1] = r end
    end
    return out
  end

  function Server:count(suffix) return #self:requests(suffix) end

  function Server:stop()
    if not self.pid then return end
    local pid = tostring(math.floor(self.pid))
    pcall(control, self, "POST", "/_faults/stop", {})
    local alive = true
    for _ = 1, 100 do -- at most ~5 s
      if not running(pid) then alive = false; break end
      core.sleep_ms(50)
    end
    if alive then exec_ok("kill -9 " .. pid .. " 2>/dev/null") end
    self.proc:close()
    os.remove(self.log)
    self.pid = nil
  end

  -- Runs one call in a child interpreter (this VM's: lua5.4 or luajit), killed after `timeout`
  -- seconds. spec = {platform=, client={...}, op=, params={...}}. Returns the child's report
  -- {ok, kind, message, elapsed, rss_before_kib, rss_after_kib, result_json} or
  -- {ok=false, kind="subprocess_timeout"|"subprocess_failed", message=}.
  function F.run_isolated(spec, timeout)
    local vm = rawget(_G, "jit") and "luajit" or "lua5.4"
    local cmd = ("cd %s && AUDKIT_BUILD_DIR=%s timeout -s KILL %d %s tests/lua/support/call_once.lua %s 2>&1")
      :format(shq(H.root), shq(H.build), math.floor(timeout or 20), vm, shq(assert(core.json_encode(spec))))
    local t0 = F.now()
    local p = assert(io.popen(cmd, "r"))
    local out = p:read("*a")
    p:close()
    local wall = F.now() - t0
    local last
    for l in out:gmatch("[^\n]+") do last = l end
    local doc = last and last:sub(1, 1) == "{" and core.json_decode(last)
    if type(doc) ~= "table" then
      local timed_out = wall >= (timeout or 20) - 0.5
      return { ok = false, kind = timed_out and "subprocess_timeout" or "subprocess_failed", wall = wall,
        message = (timed_out and ("the call did not finish within %s s"):format(timeout) or "") .. out:sub(-2000) }
    end
    doc.wall = wall
    return doc
  end

  return F
end
