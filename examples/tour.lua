-- examples/tour.lua - a tour of audkit's Lua API: Tencent Ads custom audiences against the
-- sandbox (or the real API: the base URL and token come from the environment).
--
--   AUDKIT_TENCENT_ADS_BASE_URL=... AUDKIT_TENCENT_ADS_ACCESS_TOKEN=... lua5.4 examples/tour.lua
--   lua5.4 examples/tour.lua            # without them: starts `python3 -m audkit.sandbox` itself
--
-- Module paths: run from the repository root after `cmake -S . -B build && cmake --build build`
-- (this script adds lua/ and build/lua or build/luajit itself; AUDKIT_BUILD_DIR overrides build/).
local root = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/examples/[^/]*$")) or "."
local build = os.getenv("AUDKIT_BUILD_DIR") or (root .. "/build")
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
package.cpath = build .. (rawget(_G, "jit") and "/luajit" or "/lua") .. "/?.so;" .. package.cpath

local audkit = require "audkit"

local function shq(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- 1. Where to talk to: the environment, or a sandbox we start (and stop) ourselves.
local base_url = os.getenv("AUDKIT_TENCENT_ADS_BASE_URL")
local sandbox, token
if not base_url or base_url == "" then
  local proc = assert(io.popen(("cd %s && PYTHONPATH=%s exec python3 -m audkit.sandbox --port 0")
    :format(shq(root), shq(root .. "/python"))))
  local info = audkit.json_decode(assert(proc:read("*l"), "the sandbox did not start"))
  sandbox = { proc = proc, pid = math.floor(info.pid) }
  base_url = info.base_urls.tencent_ads
  token = info.credentials.tencent_ads.access_token
  print("started the sandbox at " .. info.url)
end

local function stop_sandbox()
  if not sandbox then return end
  os.execute("kill " .. sandbox.pid)
  sandbox.proc:close()
  sandbox = nil
end

local function main()
  -- 2. A client. access_token falls back to AUDKIT_TENCENT_ADS_ACCESS_TOKEN when not given.
  local tx, err = audkit.tencent_ads {
    base_url = base_url,
    access_token = token, -- nil: the core reads AUDKIT_TENCENT_ADS_ACCESS_TOKEN
    timeout = 10, retries = 3, backoff = 0.05,
  }
  if not tx then error(tostring(err)) end
  print("client:   " .. tostring(tx)) -- never shows the token
  print("ops:      " .. table.concat(tx:operations(), ", "))

  -- 3. Create two audiences.
  local seed = assert(tx.custom_audiences:add {
    account_id = 1, name = "tour seed", type = "CUSTOMER_FILE", description = "uploaded ids",
  })
  print(("created   #%d %q"):format(seed.audience_id, "tour seed"))
  local lookalike, lerr = tx.custom_audiences:add {
    account_id = 1, name = "tour lookalike", type = "LOOKALIKE",
    audience_spec = { lookalike_spec = { seed_audience_id = seed.audience_id, expand_user_count = 1000000 } },
  }
  if lookalike then
    print(("created   #%d %q"):format(lookalike.audience_id, "tour lookalike"))
  else
    print("lookalike refused: " .. tostring(lerr)) -- e.g. the seed is not ready yet
  end

  -- 4. Client-side validation: nothing is sent, every violation is listed.
  local _, verr = tx.custom_audiences:add { account_id = 1, name = string.rep("x", 33), type = "CUSTOMER_FILE" }
  print("invalid:  " .. tostring(verr))
  print(("          kind=%s field=%s rule=%s"):format(verr.kind, verr.field, verr.rule))

  -- 5. One page, then every audience with the lazy iterator (pages fetched on demand).
  local page = assert(tx.custom_audiences:get { account_id = 1, page = 1, page_size = 10 })
  print(("page 1:   %d items, %d in total"):format(#page.items, page.page_info.total_number))
  local pager = tx.custom_audiences:list { account_id = 1 }
  for aud in pager do
    print(("  #%-8d %-20s %-14s %s"):format(aud.audience_id, aud.name, aud.type, tostring(aud.status)))
  end
  if pager.err then print("listing stopped: " .. tostring(pager.err)) end

  -- 6. Update, then delete what we created.
  assert(tx.custom_audiences:update { account_id = 1, audience_id = seed.audience_id, description = "updated by the tour" })
  print(("updated   #%d"):format(seed.audience_id))
  for _, aud in ipairs { lookalike, seed } do
    if aud then
      local ok, derr = tx.custom_audiences:delete { account_id = 1, audience_id = aud.audience_id }
      print(ok and ("deleted   #%d"):format(aud.audience_id) or ("delete failed: " .. tostring(derr)))
    end
  end
  local left = assert(tx.custom_audiences:list({ account_id = 1 }):all())
  print(("left:     %d audiences"):format(#left))
  tx:close()
end

local ok, e = pcall(main)
stop_sandbox()
if not ok then
  io.stderr:write("tour failed: " .. tostring(e) .. "\n")
  os.exit(1)
end
