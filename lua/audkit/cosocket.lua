-- audkit.cosocket: the OpenResty transport. A small HTTP/1.1 client on ngx.socket.tcp that the
-- Lua-owned loop (audkit.loop) drives inside nginx, so an audkit call yields the request's
-- coroutine instead of blocking the worker. audkit picks it by itself in every nginx phase where
-- cosockets work (rewrite, access, content, timer, ...); it can also be given explicitly:
--
--   local tx = audkit.tencent_ads{ ..., transport = require("audkit.cosocket").new{ verify = true } }
--
-- new(opts) -> transport function(request) -> response. opts (all optional):
--   verify      (true)  verify the server certificate and host name on https (sslhandshake)
--   ca_file     nil     cosockets verify against nginx's `lua_ssl_trusted_certificate`; a
--                       ca_file given here only keys the connection pool (ngx_lua 0.10 has no
--                       per-socket trust store), see docs/OPENRESTY.md
--   proxy       nil     "http://host:port": plain requests go through it with an absolute URI,
--                       https ones through a CONNECT tunnel
--   pool_size   (30)    keep-alive connections per pool and worker
--   idle_timeout (60)   seconds an idle keep-alive connection stays in its pool
--   user_agent  nil     default "audkit/<version>"
--
-- Connections are pooled with setkeepalive. The pool name carries scheme, host, port, proxy,
-- verify and ca_file, so connections made with different proxy/TLS settings never share.
-- Request fields used: method, url, headers, body, timeout_ms (whole request), connect_timeout_ms,
-- max_response_bytes, idempotent. A failure is {error = "transport" | "timeout", message,
-- not_sent = true only when the request provably never left (connect, proxy or TLS handshake
-- failure)}. A non-idempotent request is never resent here; an idempotent one is resent once on
-- a fresh connection when a reused keep-alive connection turned out to be closed by the server.
-- Responses: Content-Length, chunked, or read-to-close bodies; 1xx interim responses skipped.
-- No gzip: no Accept-Encoding is sent, so servers answer with identity bodies.
local M = {}

local DEFAULT_POOL_SIZE = 30
local DEFAULT_IDLE_S = 60

local ngx = rawget(_G, "ngx")

-- Phases in which ngx.socket.tcp and ngx.sleep are available.
M.phases = {
  rewrite = true, access = true, content = true, timer = true,
  ssl_cert = true, ssl_session_fetch = true, ssl_client_hello = true, preread = true,
}

-- True when called from an nginx phase where cosockets work.
function M.available()
  ngx = ngx or rawget(_G, "ngx")
  if not (ngx and type(ngx.get_phase) == "function" and ngx.socket) then return false end
  local ok, phase = pcall(ngx.get_phase)
  return ok and M.phases[phase] == true, phase
end

function M.sleep(ms)
  ngx.sleep(ms / 1000)
end

-- "https://host:port/path?q" -> scheme, host, port, target ("/path?q")
local function parse_url(url)
  local scheme, rest = url:match("^(%a[%w+.-]*)://(.*)$")
  if not scheme then return nil, "not an absolute URL" end
  scheme = scheme:lower()
  if scheme ~= "http" and scheme ~= "https" then return nil, "unsupported scheme " .. scheme end
  local authority, target = rest:match("^([^/?#]*)(.*)$")
  target = target:gsub("#.*$", "")
  if target == "" then target = "/" elseif target:sub(1, 1) == "?" then target = "/" .. target end
  authority = authority:gsub("^.*@", "") -- never userinfo on the wire
  local host, port = authority:match("^%[([^%]]+)%]:?(%d*)$")
  if not host then host, port = authority:match("^([^:]+):?(%d*)$") end
  if not host or host == "" then return nil, "no host in URL" end
  port = tonumber(port) or (scheme == "https" and 443 or 80)
  return scheme, host, port, target, authority
end

-- Connect address: "localhost" needs no nginx `resolver` (cosockets resolve other names with it).
local function addr(host)
  if host:lower() == "localhost" then return "127.0.0.1" end
  return host
end

local function fail(kind, message, not_sent)
  return { error = kind, message = message, not_sent = not_sent or nil }
end

local function is_timeout(err) return err == "timeout" end

local function build_request(req, host_header, target, user_agent)
  local method = (req.method or "GET"):upper()
  local body = req.body or ""
  local out = { method, " ", target, " HTTP/1.1\r\n" }
  local have = {}
  local function add(name, value)
    out[#out + 1] = name .. ": " .. value .. "\r\n"
  end
  for _, h in ipairs(req.headers or {}) do
    local name, value = h[1], h[2]
    local l = type(name) == "string" and name:lower()
    if l and type(value) == "string" and l ~= "host" and l ~= "content-length" and l ~= "connection"
      and l ~= "transfer-encoding" and not value:find("[\r\n]") and not name:find("[\r\n:]") then
      have[l] = true
      add(name, value)
    end
  end
  if type(req.headers) == "table" and #req.headers == 0 then -- a name -> value map
    for name, value in pairs(req.headers) do
      local l = type(name) == "string" and name:lower()
      if l and type(value) == "string" and l ~= "host" and l ~= "content-length" and l ~= "connection"
        and l ~= "transfer-encoding" and not value:find("[\r\n]") and not name:find("[\r\n:]") then
        have[l] = true
        add(name, value)
      end
    end
  end
  add("Host", host_header)
  if not have["user-agent"] then add("User-Agent", user_agent) end
  if #body > 0 or method == "POST" or method == "PUT" or method == "PATCH" then
    add("Content-Length", tostring(#body))
  end
  out[#out + 1] = "\r\n"
  out[#out + 1] = body
  return table.concat(out), method
end

-- A deadline-aware reader over one socket: every receive gets the time left of the request.
local function reader(sock, deadline)
  local r = {}
  local function arm()
    local left = math.floor((deadline - ngx.now()) * 1000)
    if left < 1 then return false end
    sock:settimeout(left)
    return true
  end
  function r.line()
    if not arm() then return nil, "timeout" end
    return sock:receive("*l")
  end
  function r.bytes(n)
    if not arm() then return nil, "timeout" end
    return sock:receive(n)
  end
  function r.any(max)
    if not arm() then return nil, "timeout" end
    return sock:receiveany(max)
  end
  return r
end

local function too_large(limit)
  return fail("transport", ("response body exceeds max_response_bytes (%d)"):format(limit))
end

-- Reads one response (after the request was sent): response table, keepalive | nil, failure,
-- got_any (true once any response byte arrived).
local function read_response(rd, method, limit)
  local status, headers, line, err, version
  repeat -- skip 1xx interim responses
    line, err = rd.line()
    if not line then
      return nil, fail(is_timeout(err) and "timeout" or "transport",
        "reading the status line: " .. tostring(err)), false
    end
    version, status = line:match("^HTTP/(%d%.%d) (%d%d%d)")
    status = tonumber(status)
    if not status then return nil, fail("transport", "malformed status line"), true end
    headers = {}
    local map = {}
    while true do
      line, err = rd.line()
      if not line then
        return nil, fail(is_timeout(err) and "timeout" or "transport", "reading headers: " .. tostring(err)), true
      end
      if line == "" then break end
      local k, v = line:match("^([^:]+):%s*(.-)%s*$")
      if k then
        headers[#headers + 1] = { k, v }
        local l = k:lower()
        map[l] = map[l] and (map[l] .. ", " .. v) or v
      end
    end
    headers.map = map
  until status >= 200 or status == 101

  local map = headers.map
  headers.map = nil
  local conn = (map["connection"] or ""):lower()
  local keepalive
  if version == "1.0" then keepalive = conn:find("keep%-alive", 1) ~= nil
  else keepalive = conn:find("close", 1, true) == nil end

  local body = ""
  local te = (map["transfer-encoding"] or ""):lower()
  if method == "HEAD" or status == 204 or status == 304 or status < 200 then
    body = ""
  elseif te ~= "" and te ~= "identity" then
    if not te:find("chunked", 1, true) then
      return nil, fail("transport", "unsupported transfer-encoding " .. te), true
    end
    local parts, total = {}, 0
    while true do
      line, err = rd.line()
      if not line then
        return nil, fail(is_timeout(err) and "timeout" or "transport", "reading a chunk size: " .. tostring(err)), true
      end
      local size = tonumber(line:match("^%s*(%x+)"), 16)
      if not size then return nil, fail("transport", "malformed chunk size"), true end
      if size == 0 then
        repeat -- trailers
          line, err = rd.line()
          if not line then
            return nil, fail(is_timeout(err) and "timeout" or "transport", "reading trailers: " .. tostring(err)), true
          end
        until line == ""
        break
      end
      total = total + size
      if limit and total > limit then return nil, too_large(limit), true end
      local data
      data, err = rd.bytes(size)
      if not data then
        return nil, fail(is_timeout(err) and "timeout" or "transport", "reading a chunk: " .. tostring(err)), true
      end
      parts[#parts + 1] = data
      line, err = rd.line()
      if line ~= "" then
        return nil, fail(is_timeout(err) and "timeout" or "transport", "malformed chunk end"), true
      end
    end
    body = table.concat(parts)
  elseif map["content-length"] then
    local n = tonumber(map["content-length"]:match("^%s*(%d+)%s*$"))
    if not n then return nil, fail("transport", "malformed content-length"), true end
    if limit and n > limit then return nil, too_large(limit), true end
    if n > 0 then
      body, err = rd.bytes(n)
      if not body then
        return nil, fail(is_timeout(err) and "timeout" or "transport",
          "reading the body (" .. n .. " bytes announced): " .. tostring(err)), true
      end
    end
  else -- read to close
    keepalive = false
    local parts, total = {}, 0
    while true do
      local data
      data, err = rd.any(65536)
      if not data then
        if err == "closed" then break end
        return nil, fail(is_timeout(err) and "timeout" or "transport", "reading the body: " .. tostring(err)), true
      end
      total = total + #data
      if limit and total > limit then return nil, too_large(limit), true end
      parts[#parts + 1] = data
    end
    body = table.concat(parts)
  end
  return { status = status, headers = headers, body = body }, keepalive, true
end

function M.new(opts)
  opts = opts or {}
  local verify = opts.verify ~= false
  local proxy_host, proxy_port
  if opts.proxy and opts.proxy ~= "" then
    local s, h, p = parse_url(opts.proxy)
    if not s or s ~= "http" then error("audkit.cosocket: proxy must be an http://host:port URL", 2) end
    proxy_host, proxy_port = h, p
  end
  local pool_size = tonumber(opts.pool_size) or DEFAULT_POOL_SIZE
  local idle_ms = math.floor((tonumber(opts.idle_timeout) or DEFAULT_IDLE_S) * 1000)
  local user_agent = opts.user_agent or ("audkit/" .. tostring(opts.version or "lua"))
  local settings = ("proxy=%s|verify=%s|ca=%s"):format(tostring(opts.proxy or ""), tostring(verify),
    tostring(opts.ca_file or ""))

  -- One attempt on one connection. Returns response | nil, failure, retry_ok (the connection was
  -- a reused keep-alive one that the server had closed before answering anything).
  local function attempt(req, scheme, host, port, target, authority, fresh)
    ngx = ngx or rawget(_G, "ngx")
    local now = ngx.now()
    local timeout_ms = tonumber(req.timeout_ms) or 30000
    if timeout_ms <= 0 then timeout_ms = 30000 end
    local connect_ms = tonumber(req.connect_timeout_ms) or 10000
    if connect_ms <= 0 or connect_ms > timeout_ms then connect_ms = timeout_ms end
    local deadline = now + timeout_ms / 1000
    local limit = tonumber(req.max_response_bytes)
    if limit and limit <= 0 then limit = nil end

    local sock = ngx.socket.tcp()
    sock:settimeouts(connect_ms, timeout_ms, timeout_ms)
    local pool = ("audkit|%s|%s|%d|%s"):format(scheme, host:lower(), port, settings)
    if fresh then pool = pool .. "|fresh" end
    local ok, err
    if proxy_host then
      ok, err = sock:connect(addr(proxy_host), proxy_port, { pool = pool, pool_size = pool_size })
    else
      ok, err = sock:connect(addr(host), port, { pool = pool, pool_size = pool_size })
    end
    if not ok then
      return nil, fail(is_timeout(err) and "timeout" or "transport",
        ("connect to %s:%s: %s"):format(proxy_host or host, proxy_port or port, tostring(err)), true)
    end
    local reused = (sock:getreusedtimes() or 0) > 0

    if not reused and proxy_host and scheme == "https" then
      local _, serr = sock:send(("CONNECT %s:%d HTTP/1.1\r\nHost: %s:%d\r\n\r\n"):format(host, port, host, port))
      if serr then sock:close(); return nil, fail("transport", "proxy CONNECT: " .. serr, true) end
      local presp, perr = read_response(reader(sock, deadline), "CONNECT", 65536)
      if not presp then sock:close(); perr.not_sent = true; perr.message = "proxy CONNECT: " .. perr.message; return nil, perr end
      if presp.status ~= 200 then
        sock:close()
        return nil, fail("transport", "proxy CONNECT refused with HTTP " .. presp.status, true)
      end
    end
    if not reused and scheme == "https" then
      local sess, herr = sock:sslhandshake(nil, host, verify)
      if not sess then
        sock:close()
        return nil, fail(is_timeout(herr) and "timeout" or "transport", "tls handshake with " .. host .. ": " .. tostring(herr), true)
      end
    end

    local host_header = authority ~= "" and authority or host
    local wire_target = target
    if proxy_host and scheme == "http" then wire_target = "http://" .. host_header .. target end
    local wire, method = build_request(req, host_header, wire_target, user_agent)
    local _, serr = sock:send(wire)
    if serr then
      sock:close()
      -- bytes may have reached the server: possibly received
      return nil, fail(is_timeout(serr) and "timeout" or "transport", "send: " .. serr), reused
    end
    local resp, keep, got_any = read_response(reader(sock, deadline), method, limit)
    if not resp then
      sock:close()
      return nil, keep, reused and not got_any and keep.error ~= "timeout"
    end
    if keep then
      local kok = sock:setkeepalive(idle_ms, pool_size)
      if not kok then sock:close() end
    else
      sock:close()
    end
    return resp
  end

  return function(req)
    if type(req) ~= "table" or type(req.url) ~= "string" then
      return fail("transport", "request without a url", true)
    end
    ngx = ngx or rawget(_G, "ngx")
    if not M.available() then
      return fail("transport", "cosockets are not available in this nginx phase", true)
    end
    local scheme, host, port, target, authority = parse_url(req.url)
    if not scheme then return fail("transport", "bad url: " .. host, true) end
    local resp, failure, retry_ok = attempt(req, scheme, host, port, target, authority, false)
    if resp then return resp end
    -- A reused connection the server had already closed: resend once on a fresh connection, but
    -- only an idempotent request (the engine decides about everything else).
    if retry_ok and req.idempotent then
      resp, failure = attempt(req, scheme, host, port, target, authority, true)
      if resp then return resp end
    end
    return failure
  end
end

return M
