-- tests/lua/support/call_once.lua: runs one audkit call and prints one JSON line (for
-- faults.lua's run_isolated, which runs this under `timeout -s KILL`):
--   lua5.4 tests/lua/support/call_once.lua '{"platform": "tencent_ads", "client": {...},
--                                            "op": "custom_audiences.get", "params": {...}}'
-- -> {"ok", "kind", "message", "elapsed", "rss_before_kib", "rss_after_kib", "result_json"}
local src = debug.getinfo(1, "S").source:sub(2)
local support = src:match("^(.*)/[^/]*$") or "."
local H = dofile((support:gsub("/support$", "")) .. "/helper.lua") -- tests/lua/helper.lua
local F = dofile(support .. "/faults.lua")(H)
local core = require "audkit.core"
local audkit = require "audkit"

local spec = assert(core.json_decode(assert(arg[1], "usage: call_once.lua <json spec>")))
local out = { ok = false }
local c, err = audkit.new(spec.platform, spec.client)
local rss0 = F.peak_rss_kib()
local t0 = F.now()
if c then
  local ok, res, e = pcall(c.call, c, spec.op, spec.params or {})
  if not ok then
    out.kind, out.message = "lua_error", tostring(res)
  elseif res == nil then
    out.kind, out.message = e and e.kind, e and e.message
  else
    out.ok = true
    out.result_json = core.json_encode(res)
  end
  c:close()
else
  out.kind, out.message = err and err.kind, err and err.message
end
out.elapsed = F.now() - t0
out.rss_before_kib = rss0
out.rss_after_kib = F.peak_rss_kib()
io.write(assert(core.json_encode(out)), "\n")
io.flush()
