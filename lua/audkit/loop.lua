-- audkit.loop: a Lua-owned driver for the core's step machines.
--
-- The C core never blocks: a call (or pager) yields "send" (a fully signed request table),
-- "sleep" (milliseconds), "done"/"page" or "error". By default audkit lets C drive that loop
-- with libcurl. When a client is given `transport = function(request) ... end`, this module
-- drives it instead, so the I/O happens in Lua: that is what OpenResty needs (cosockets and
-- ngx.sleep yield the request's coroutine, which cannot happen across a C frame).
--
-- A transport takes {method, url, headers = {{name, value}, ...}, body, timeout_ms,
-- connect_timeout_ms, attempt, op, max_response_bytes, idempotent} and returns {status = 200,
-- headers = {{name, value}, ...} (or {name = value}), body = "..."}; a failure is
-- {error = "transport" | "timeout", message = "...", not_sent = true when the request provably
-- never reached the server (connect refused)} or simply `nil, message`. A transport must never
-- resend a request by itself when `idempotent` is false, and should stop reading past
-- `max_response_bytes` (the engine refuses a larger body anyway). Errors raised by the
-- transport propagate unchanged.
local core = require "audkit.core"

local M = {}

-- Sleeps `ms` milliseconds: ngx.sleep inside OpenResty request phases (yields, never blocks the
-- worker), otherwise the C helper (nanosleep).
function M.default_sleep(ms)
  local ngx = rawget(_G, "ngx")
  if ngx and type(ngx.sleep) == "function" then
    local ok = pcall(ngx.sleep, ms / 1000)
    if ok then return end
  end
  core.sleep_ms(ms)
end

-- The blocking libcurl transport as a Lua function (one connection per request): useful to
-- test a Lua-owned loop outside nginx.
function M.curl_transport(request)
  return core.http(request)
end

local function send(transport, request)
  local resp, msg = transport(request)
  if resp == nil then
    return { error = "transport", message = tostring(msg or "transport failed") }
  end
  if type(resp) ~= "table" then
    error("audkit: a transport must return a response table, got " .. type(resp), 3)
  end
  return resp
end

-- Runs a core Call (client:new_call) to completion: result | nil, err.
function M.run_call(call, transport, sleep)
  sleep = sleep or M.default_sleep
  while true do
    local kind, a = call:next()
    if kind == "send" then
      call:feed(send(transport, a))
    elseif kind == "sleep" then
      sleep(a)
    elseif kind == "done" then
      call:close()
      return a
    else
      call:close()
      return nil, a
    end
  end
end

-- Runs a core Pager (client:pager) to its next page: items, result | nil (end) | nil, err.
function M.next_page(pager, transport, sleep)
  sleep = sleep or M.default_sleep
  while true do
    local kind, a, b = pager:step()
    if kind == "send" then
      pager:feed(send(transport, a))
    elseif kind == "sleep" then
      sleep(a)
    elseif kind == "page" then
      return a, b
    elseif kind == "done" then
      return nil
    else
      return nil, a
    end
  end
end

return M
