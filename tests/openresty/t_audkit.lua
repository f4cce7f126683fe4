-- tests/openresty/t_audkit.lua: the content handlers of the OpenResty integration suite
-- (tests/openresty/run.py). audkit is used the plain way - no transport option - exactly as in
-- plain Lua; inside nginx it picks cosockets + ngx.sleep by itself. Each handler answers JSON.
local audkit = require "audkit"

local M = {}

local info
local function sandbox()
  if not info then
    local f = assert(io.open(ngx.config.prefix() .. "/sandbox.json"))
    info = assert(audkit.json_decode(f:read("*a")))
    f:close()
  end
  return info
end

-- options for a client of `key` pointed at the sandbox (Baidu: the cloud flavour)
local function options(key, extra)
  local sb = sandbox()
  local o = { base_url = sb.base_urls[key], backoff = 0.001, timeout = 10 }
  for k, v in pairs(sb.credentials[key]) do
    if not (key == "baidu_search" and (k == "user_name" or k == "access_token")) then o[k] = v end
  end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

local function reply(t)
  ngx.say(audkit.json_encode(t))
end

local function err_table(err)
  if err == nil then return nil end
  return { kind = err.kind, message = err.message, status = err.status, phase = err.phase }
end

local function first_audience(tx)
  local p = tx.custom_audiences:list { account_id = 1, page_size = 10 }
  local a = p()
  p:close()
  return a, p.err
end

-- one call that the sandbox holds (delay fault queued by the driver)
function M.held()
  local t0 = ngx.now()
  local tx = assert(audkit.tencent_ads(options("tencent_ads")))
  local a, err = first_audience(tx)
  ngx.update_time()
  reply { ok = a ~= nil, err = err_table(err), seconds = ngx.now() - t0 }
end

-- n held calls from one request on light threads
function M.fanout()
  local n = tonumber(ngx.var.arg_n) or 3
  local t0 = ngx.now()
  local tx = assert(audkit.tencent_ads(options("tencent_ads")))
  local threads = {}
  for i = 1, n do threads[i] = ngx.thread.spawn(first_audience, tx) end
  local ok_count = 0
  for i = 1, n do
    local ok, a = ngx.thread.wait(threads[i])
    if ok and a then ok_count = ok_count + 1 end
  end
  ngx.update_time()
  reply { ok = ok_count, seconds = ngx.now() - t0 }
end

-- a lazy list across several pages
function M.list()
  local tx = assert(audkit.tencent_ads(options("tencent_ads")))
  local n, pages = 0, 0
  local p = tx.custom_audiences:list { account_id = 1, page_size = 10 }
  for _ in p do n = n + 1 end
  pages = p:pages_fetched()
  reply { items = n, pages = pages, err = err_table(p.err) }
end

-- Baidu keywords.get: chunked over the ids posted as "1,2,3" (?id_type=adgroup: 50 per request)
function M.baidu()
  ngx.req.read_body()
  local ids = {}
  for id in (ngx.req.get_body_data() or ""):gmatch("%d+") do ids[#ids + 1] = tonumber(id) end
  local bd = assert(audkit.baidu_search(options("baidu_search")))
  local all, err = bd.keywords:get { ids = ids, id_type = ngx.var.arg_id_type or "keyword" }:all()
  reply { items = all and #all or 0, err = err_table(err) }
end

-- Volcengine: n calls on light threads of this worker, spaced 1 request/s by ngx.sleep
function M.volc()
  local user = tonumber(ngx.var.arg_user)
  local n = tonumber(ngx.var.arg_n) or 3
  local vl = assert(audkit.volcengine_live(options("volcengine_live")))
  local threads, ok_count, errs = {}, 0, {}
  for i = 1, n do
    threads[i] = ngx.thread.spawn(function()
      return vl:get_account_user_track_data { user_id = user }
    end)
  end
  for i = 1, n do
    local ok, r, err = ngx.thread.wait(threads[i])
    if ok and r then ok_count = ok_count + 1 else errs[#errs + 1] = err_table(err) or tostring(r) end
  end
  reply { ok = ok_count, errs = errs }
end

-- errors come back as nil, err inside nginx too
function M.error()
  local bad = assert(audkit.tencent_ads(options("tencent_ads", { access_token = "wrong", retries = 0 })))
  local a, auth_err = first_audience(bad)
  local tx = assert(audkit.tencent_ads(options("tencent_ads")))
  local r, val_err = tx.custom_audiences:add { account_id = 1 }
  -- nothing listens on port 1: a connect failure, a transport error
  local dead = assert(audkit.tencent_ads(options("tencent_ads", { base_url = "http://127.0.0.1:1/x", retries = 0 })))
  local d, conn_err = first_audience(dead)
  reply { auth = err_table(auth_err), validation = err_table(val_err), connect = err_table(conn_err),
    results = (a == nil and r == nil and d == nil) }
end

-- https through the test CA (good) and another CA (bad)
function M.tls()
  local port = ngx.var.arg_port
  local base = sandbox().base_urls.tencent_ads:gsub("^http://127%.0%.0%.1:%d+", "https://localhost:" .. port)
  local tx = assert(audkit.tencent_ads(options("tencent_ads", { base_url = base, retries = 0 })))
  local a, err = first_audience(tx)
  reply { ok = a ~= nil, err = err_table(err) }
end

-- the transport by itself: chunked body, the size limit, a refused connect
function M.chunked()
  local cosocket = require "audkit.cosocket"
  local t = cosocket.new()
  local url = "http://127.0.0.1:" .. ngx.var.server_port .. "/raw/chunked"
  local req = { method = "GET", url = url, headers = {}, body = "", timeout_ms = 5000,
    connect_timeout_ms = 2000, max_response_bytes = 0, idempotent = true }
  local ok = t(req)
  req.max_response_bytes = 10
  local big = t(req)
  req.url = "http://127.0.0.1:1/"
  local refused = t(req)
  reply { status = ok.status, body = ok.body, limit = big.error and big.message,
    refused = refused.error, not_sent = refused.not_sent == true }
end

-- a call from a timer (cosockets work there too)
function M.timer()
  local done = false
  local result
  ngx.timer.at(0, function()
    local tx = assert(audkit.tencent_ads(options("tencent_ads")))
    local a, err = first_audience(tx)
    result = { ok = a ~= nil, err = err_table(err) }
    done = true
  end)
  for _ = 1, 100 do
    if done then break end
    ngx.sleep(0.05)
  end
  reply(result or { ok = false, err = { message = "the timer did not finish" } })
end

-- set_by_lua: no cosockets; a call must say so (and send nothing)
function M.in_set_phase()
  local tx = assert(audkit.tencent_ads(options("tencent_ads")))
  local a, err = first_audience(tx)
  return audkit.json_encode { ok = a ~= nil, err = err_table(err) }
end

return M
