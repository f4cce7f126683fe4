-- tests/lua/helper.lua: starts and stops the audkit sandbox for the Lua specs, and talks to
-- its control endpoints (/_sandbox/...) through core.http + core.json_decode.
-- Portable to Lua 5.1/LuaJIT and 5.4. Only bounded waits.
local H = {}

local function script_dir()
  local src = debug.getinfo(1, "S").source
  if src:sub(1, 1) == "@" then src = src:sub(2) end
  return src:match("^(.*)/[^/]*$") or "."
end

local function abspath(p)
  if p:sub(1, 1) == "/" then return p end
  local pwd = os.getenv("PWD")
  if not pwd then
    local f = io.popen("pwd")
    pwd = f:read("*l")
    f:close()
  end
  return pwd .. "/" .. p
end

-- repository root: tests/lua/.. /..
H.root = (abspath(script_dir()):gsub("/tests/lua/?$", ""):gsub("/%.$", ""))

-- Module paths: <root>/lua for the pure-Lua part, <build>/lua (Lua 5.4) or <build>/luajit
-- (LuaJIT) for audkit/core.so, <build> = $AUDKIT_BUILD_DIR or <root>/build. Set here rather
-- than with busted's --cpath/--lpath because `busted --lua=...` re-executes itself through a
-- shell without quoting, which splits `;` and globs `?`.
H.build = os.getenv("AUDKIT_BUILD_DIR") or (H.root .. "/build")
H.vm_dir = rawget(_G, "jit") and "luajit" or "lua"
package.path = ("%s/lua/?.lua;%s/lua/?/init.lua;"):format(H.root, H.root) .. package.path
package.cpath = ("%s/%s/?.so;"):format(H.build, H.vm_dir) .. package.cpath
local core = require "audkit.core"

local function shq(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
H.shq = shq

local function exec_ok(cmd)
  local a = os.execute(cmd)
  if type(a) == "number" then return a == 0 end -- 5.1 / LuaJIT
  return a == true
end
H.exec_ok = exec_ok

local Sandbox = {}
Sandbox.__index = Sandbox

-- Starts `python3 -m audkit.sandbox --port 0` (PYTHONPATH=<repo>/python) and reads its one
-- JSON line: {url, base_urls, credentials, pid}.
function H.start_sandbox()
  local log = os.tmpname()
  local cmd = ("cd %s && PYTHONPATH=%s exec python3 -m audkit.sandbox --port 0 2>>%s")
    :format(shq(H.root), shq(H.root .. "/python"), shq(log))
  local proc = assert(io.popen(cmd, "r"))
  local line = proc:read("*l") -- the sandbox exits (EOF) if it cannot start: bounded
  if not line then
    proc:close()
    local f = io.open(log)
    local msg = f and f:read("*a") or ""
    if f then f:close() end
    os.remove(log)
    error("the sandbox did not start: " .. msg)
  end
  local info = assert(core.json_decode(line))
  local sb = setmetatable({ proc = proc, log = log, info = info, url = info.url, base_urls = info.base_urls,
    credentials = info.credentials, pid = info.pid }, Sandbox)
  return sb
end

-- true while `pid` runs (a zombie - exited, waiting for pclose to reap it - counts as gone)
local function running(pid)
  local f = io.open("/proc/" .. pid .. "/stat")
  if f then
    local stat = f:read("*l") or ""
    f:close()
    return stat:match("^%d+ %b() (%a)") ~= "Z"
  end
  return exec_ok("kill -0 " .. pid .. " 2>/dev/null")
end

function Sandbox:stop()
  if not self.pid then return end
  local pid = tostring(math.floor(self.pid))
  exec_ok("kill " .. pid .. " 2>/dev/null")
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

local function control(self, method, path, body)
  local status, resp = core.http(method, self.url .. path, body and assert(core.json_encode(body)) or nil,
    body and { { "Content-Type", "application/json" } } or nil)
  assert(status, resp)
  local doc = core.json_decode(resp)
  if status ~= 200 then error(("sandbox %s %s -> HTTP %s: %s"):format(method, path, tostring(status), resp), 3) end
  return doc
end

function Sandbox:reset() return control(self, "POST", "/_sandbox/reset", {}) end
function Sandbox:seed(spec) return control(self, "POST", "/_sandbox/seed", spec) end
function Sandbox:fault(spec) return control(self, "POST", "/_sandbox/faults", spec) end

-- The request log (oldest first), optionally only one route ("custom_audiences/get").
function Sandbox:requests(vendor, route)
  local doc = control(self, "GET", "/_sandbox/requests?vendor=" .. (vendor or "tencent_ads"))
  local out = {}
  for _, r in ipairs(doc.requests or {}) do
    if route == nil or r.route == route then out[#out + 1] = r end
  end
  return out
end

function Sandbox:count(route, vendor) return #self:requests(vendor, route) end

function Sandbox:clear_requests() return control(self, "DELETE", "/_sandbox/requests") end

-- The credentials of one flavour, as the Python Sandbox.client_kwargs does: the sandbox prints
-- both Baidu flavours (cloud by default, flavour "direct") and both Sensors auth styles
-- (token by default, flavour "api_key"), and a client takes exactly one.
local BAIDU_DIRECT = { user_name = true, access_token = true }
local function pick_credentials(key, creds, flavour)
  local out = {}
  for k, v in pairs(creds or {}) do
    local keep = true
    if key == "baidu_search" then
      keep = (BAIDU_DIRECT[k] ~= nil) == (flavour == "direct")
    elseif key == "sensors_data" then
      keep = k ~= (flavour == "api_key" and "token" or "api_key")
    end
    if keep then out[k] = v end
  end
  return out
end

-- Options for a client of `key` pointed at the sandbox (credentials + base_url + fast backoff).
function Sandbox:options(key, extra, flavour)
  local o = { base_url = self.base_urls[key], backoff = 0.001, timeout = 10 }
  if key == "baidu_search" and flavour == "direct" then o.base_url = self.url .. "/baidu_search/json/sms/service" end
  for k, v in pairs(pick_credentials(key, self.credentials[key], flavour)) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

function Sandbox:client(key, extra, flavour)
  local audkit = require "audkit"
  return assert(audkit[key](self:options(key, extra, flavour)))
end

return H
