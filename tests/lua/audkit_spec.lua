-- tests/lua/audkit_spec.lua - the Lua binding against the sandbox (loopback only).
--
-- Run from the repository root after `cmake -S . -B build && cmake --build build`:
--   busted --lua=lua5.4 tests/lua        (loads build/lua/audkit/core.so)
--   busted --lua=luajit tests/lua        (loads build/luajit/audkit/core.so)
-- AUDKIT_BUILD_DIR=<dir> selects another build tree. helper.lua sets package.path/cpath from
-- the repository root (busted's --lua re-exec does not quote --cpath/--lpath values).
-- Never plain `busted`: it follows the `lua` alternative, which may be another VM.
-- The specs start `python3 -m audkit.sandbox --port 0` (PYTHONPATH=python) and stop it by pid.
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"
local core = require "audkit.core"

local LUA54 = _VERSION == "Lua 5.4"
local VM = _VERSION .. (rawget(_G, "jit") and (" / " .. jit.version) or "")

local function count_keys(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

describe("audkit Lua binding (" .. VM .. ")", function()
  local sb, tx, token

  setup(function()
    sb = H.start_sandbox()
    token = sb.credentials.tencent_ads.access_token
    tx = sb:client("tencent_ads")
  end)

  teardown(function()
    if tx then tx:close() end
    if sb then sb:stop() end
  end)

  before_each(function()
    sb:reset()
  end)

  describe("module", function()
    it("was built for the running VM's C API", function()
      local want = tonumber((_VERSION:match("%d+%.%d+"):gsub("%.", "0")), 10)
      assert.are.equal(want, core.lua_version)
      assert.are.equal(core.version, audkit.version)
    end)

    it("derives error kinds from the core", function()
      assert.are.equal("validation", audkit.kinds.validation)
      assert.are.equal("rate_limited", audkit.kinds.rate_limited)
      assert.is_true(#audkit.error_kinds >= 10)
    end)

    it("builds a constructor for every platform in the descriptors", function()
      local n = 0
      for _, p in ipairs(audkit.descriptors.platforms) do
        assert.is_function(audkit[p.key], p.key)
        n = n + 1
      end
      assert.is_true(n >= 5)
      for _, key in ipairs { "tencent_ads", "sensors_data", "thinking_data", "baidu_search", "volcengine_live" } do
        assert.is_function(audkit[key], key)
      end
    end)

    it("keeps only the platforms in use in the Lua heap (every collection cycle walks it)", function()
      -- a fresh VM: this process has clients of every platform
      local vm = rawget(_G, "jit") and "luajit" or "lua5.4"
      local script = os.tmpname()
      local f = assert(io.open(script, "w"))
      f:write(([[
package.path = %q .. package.path
package.cpath = %q .. package.cpath
local audkit = require "audkit"
collectgarbage() collectgarbage()
local after_require = collectgarbage("count")
local tx = assert(audkit.tencent_ads{ access_token = "t", base_url = "http://127.0.0.1:9/v1.1" })
collectgarbage() collectgarbage()
local with_client = collectgarbage("count")
local all = audkit.descriptors
io.write(string.format("%%d %%d %%d %%s %%s %%s", math.floor(after_require), math.floor(with_client), #all.platforms,
  tx:describe().key, tostring(rawget(audkit.platforms, "baidu_search")), tostring(audkit.platforms.nope)))
]]):format(("%s/lua/?.lua;%s/lua/?/init.lua;"):format(H.root, H.root), ("%s/%s/?.so;"):format(H.build, H.vm_dir)))
      f:close()
      local p = io.popen(vm .. " " .. H.shq(script))
      local out = p:read("*a")
      p:close()
      os.remove(script)
      local after_require, with_client, nplat, key, baidu, nope = out:match("^(%d+) (%d+) (%d+) (%S+) (%S+) (%S+)$")
      assert.is_not_nil(after_require, out)
      -- every platform's descriptors resident took ~700 kB; Tencent's model alone ~60 kB
      assert.is_true(tonumber(after_require) < 250, out)
      assert.is_true(tonumber(with_client) - tonumber(after_require) < 200, out)
      assert.are.equal("5", nplat) -- audkit.descriptors: every platform, converted on read
      assert.are.equal("tencent_ads", key) -- client:describe() converts its platform again
      assert.are.equal("nil", baidu) -- not built: no client of it
      assert.are.equal("nil", nope)
      -- core.describe(key): one platform, nil for an unknown key
      assert.are.equal("sensors_data", core.describe("sensors_data").key)
      assert.is_nil(core.describe("no_such_platform"))
    end)

    it("exposes resources and operations from op names", function()
      local r = tx.custom_audiences
      assert.is_table(r)
      for _, op in ipairs { "add", "update", "get", "delete", "list" } do
        assert.is_function(r[op], op)
      end
      assert.are.equal(r, tx.custom_audiences) -- cached
      assert.matches("custom_audiences", tostring(r))
      assert.is_nil(tx.no_such_resource)
      local ops = tx:operations()
      assert.is_true(#ops >= 5)
    end)
  end)

  describe("JSON conversion", function()
    it("encodes tables, null and empty tables", function()
      assert.are.equal("{}", core.json_encode({}))
      assert.are.equal("[]", core.json_encode(audkit.array()))
      assert.are.equal("[1,2,3]", core.json_encode({ 1, 2, 3 }))
      assert.are.equal('{"a":null}', core.json_encode({ a = audkit.null }))
      assert.are.equal('{"a":[true,"x"]}', core.json_encode({ a = { true, "x" } }))
      assert.are.equal("1.5", core.json_encode(1.5))
      assert.are.equal("9007199254740992", core.json_encode(2 ^ 53))
    end)

    it("decodes null as audkit.null and keeps empty arrays arrays", function()
      local v = core.json_decode('{"a":null,"b":[],"c":{},"n":12345678901,"f":0.25}')
      assert.are.equal(audkit.null, v.a)
      assert.are.equal(0, #v.b)
      assert.are.equal("[]", core.json_encode(v.b))
      assert.are.equal("{}", core.json_encode(v.c))
      assert.are.equal(12345678901, v.n)
      if LUA54 then assert.are.equal("integer", math.type(v.n)) end
      assert.are.equal(0.25, v.f)
      local bad, msg = core.json_decode("{")
      assert.is_nil(bad)
      assert.matches("invalid JSON", msg)
    end)

    it("refuses tables that are not JSON", function()
      local s, msg = core.json_encode({ a = { 1, 2, x = 3 } })
      assert.is_nil(s)
      assert.matches("^a:", msg)
      s, msg = core.json_encode({ f = print })
      assert.is_nil(s)
      assert.matches("^f: a function", msg)
      s = core.json_encode({ [1] = 1, [3] = 3 })
      assert.is_nil(s)
      local cyc = {}
      cyc.self = cyc
      s = core.json_encode(cyc)
      assert.is_nil(s)
    end)

    it("sends a plain call the short way exactly as the general path does", function()
      -- tx.custom_audiences:add{...} without options goes straight to the core; client:call()
      -- and a call with an option take the general path (invoke): same bytes, same result shape
      sb:clear_requests()
      local a = assert(tx.custom_audiences:add { account_id = 1, name = "short_way", type = "CUSTOMER_FILE",
        description = "d" })
      local b = assert(tx:call("custom_audiences.add", { account_id = 1, name = "long_way", type = "CUSTOMER_FILE",
        description = "d" }))
      local c = assert(tx.custom_audiences:add { account_id = 1, name = "with_option", type = "CUSTOMER_FILE",
        description = "d", timeout = 5 })
      assert.are.equal(getmetatable(a), getmetatable(b))
      assert.are.equal(getmetatable(a), getmetatable(c))
      assert.is_true(a.audience_id > 0 and b.audience_id > a.audience_id and c.audience_id > b.audience_id)
      local reqs = sb:requests("tencent_ads")
      assert.are.equal(3, #reqs)
      local function body(i) -- members in any order: a Lua table has none
        local t = assert(core.json_decode(tostring(reqs[i].body)))
        t.name = nil
        return t
      end
      assert.are.same(body(1), body(2))
      assert.are.same(body(1), body(3)) -- timeout: an option, not a parameter
      assert.are.same({ account_id = 1, type = "CUSTOMER_FILE", description = "d" }, body(1))
      -- bad input: the same validation error either way, nothing sent
      local r1, e1 = tx.custom_audiences:add { account_id = 1, name = string.rep("n", 33), type = "CUSTOMER_FILE" }
      local r2, e2 = tx:call("custom_audiences.add", { account_id = 1, name = string.rep("n", 33), type = "CUSTOMER_FILE" })
      assert.is_nil(r1)
      assert.is_nil(r2)
      assert.are.equal(e2.field, e1.field)
      assert.are.equal(e2.kind, e1.kind)
      assert.are.equal(3, #sb:requests("tencent_ads"))
    end)

    it("sends integers beyond 2^53 exactly (Lua 5.4) or refuses them (LuaJIT doubles), never rounding", function()
      local big = (math.tointeger and math.tointeger(2 ^ 60)) or 2 ^ 60
      local s, msg = core.json_encode({ ids = { 1, big } })
      local res, err = tx.custom_audiences:add {
        account_id = 1, name = "big", type = "LOOKALIKE",
        audience_spec = { lookalike_spec = { seed_audience_id = big, expand_user_count = 1000000 } },
      }
      if math.tointeger then -- Lua 5.4 integers are int64: exact on the wire (was refused before issue 7)
        assert.are.equal('{"ids":[1,1152921504606846976]}', s)
        assert.are.equal("1152921504606846976",
          tostring(sb:requests("tencent_ads")[1].body):match('"seed_audience_id":(%d+)'))
        assert.is_nil(err)
        assert.is_truthy(res)
        return
      end
      assert.is_nil(s)
      assert.matches("ids%[1%]", msg)
      assert.matches("2%^53", msg)
      assert.is_nil(res)
      assert.are.equal("validation", err.kind)
      assert.are.equal("audience_spec.lookalike_spec.seed_audience_id", err.field)
      assert.matches("2%^53", tostring(err))
      assert.are.equal(0, #sb:requests("tencent_ads"))
    end)
  end)

  describe("Tencent Ads custom audiences", function()
    it("lists 250 audiences in 3 lazy page requests of 100", function()
      sb:seed { vendor = "tencent_ads", kind = "custom_audiences", count = 250, account_id = 1 }
      local p = tx.custom_audiences:list { account_id = 1, page_size = 100 }
      assert.are.equal(0, sb:count("custom_audiences/get")) -- nothing before the first item
      local n, ids = 0, {}
      local expect = { [1] = 1, [2] = 1, [100] = 1, [101] = 2, [150] = 2, [200] = 2, [201] = 3, [250] = 3 }
      for aud in p do
        n = n + 1
        assert.is_number(aud.audience_id)
        assert.is_string(aud.name)
        ids[aud.audience_id] = true
        if expect[n] then
          assert.are.equal(expect[n], sb:count("custom_audiences/get"), "requests after item " .. n)
        end
      end
      assert.is_nil(p.err)
      assert.are.equal(250, n)
      assert.are.equal(250, count_keys(ids))
      local reqs = sb:requests("tencent_ads", "custom_audiences/get")
      assert.are.equal(3, #reqs)
      for i, r in ipairs(reqs) do
        assert.are.equal(tostring(i), tostring(r.query.page))
        assert.are.equal("100", tostring(r.query.page_size))
      end
    end)

    it("iterates pages with pager:pages()", function()
      sb:seed { vendor = "tencent_ads", kind = "custom_audiences", count = 25, account_id = 1 }
      local sizes = {}
      for page in tx.custom_audiences:list({ account_id = 1, page_size = 10 }):pages() do
        sizes[#sizes + 1] = #page.items
        assert.is_table(page.page_info)
      end
      assert.are.same({ 10, 10, 5 }, sizes)
      assert.are.equal(3, sb:count("custom_audiences/get"))
    end)

    it("rejects a 33-byte name before sending anything", function()
      local res, err = tx.custom_audiences:add { account_id = 1, name = string.rep("n", 33), type = "CUSTOMER_FILE" }
      assert.is_nil(res)
      assert.are.equal("validation", err.kind)
      assert.are.equal("name", err.field)
      assert.is_false(err.retryable)
      assert.is_true(#err.violations >= 1)
      assert.are.equal(audkit.Error, getmetatable(err))
      assert.is_true(audkit.is_error(err))
      -- 11 Chinese characters are 33 UTF-8 bytes
      res, err = tx.custom_audiences:add { account_id = 1, name = string.rep("\228\184\173", 11), type = "CUSTOMER_FILE" }
      assert.is_nil(res)
      assert.are.equal("name", err.field)
      assert.are.equal(0, #sb:requests("tencent_ads"))
    end)

    it("retries 11017 with a new nonce and succeeds", function()
      sb:fault { vendor = "tencent_ads", route = "custom_audiences/add", fault = "rate_limit", times = 1, code = 11017 }
      local res, err = tx.custom_audiences:add { account_id = 1, name = "retried", type = "CUSTOMER_FILE" }
      assert.is_nil(err)
      assert.is_number(res.audience_id)
      local reqs = sb:requests("tencent_ads", "custom_audiences/add")
      assert.are.equal(2, #reqs)
      assert.is_string(reqs[1].query.nonce)
      assert.are_not.equal(reqs[1].query.nonce, reqs[2].query.nonce)
    end)

    it("does not retry 11018 (daily limit)", function()
      sb:fault { vendor = "tencent_ads", route = "custom_audiences/add", fault = "rate_limit", times = 1, code = 11018 }
      local res, err = tx.custom_audiences:add { account_id = 1, name = "daily", type = "CUSTOMER_FILE" }
      assert.is_nil(res)
      assert.are.equal("rate_limited", err.kind)
      assert.are.equal("11018", err.code)
      assert.is_false(err.retryable)
      assert.are.equal(1, sb:count("custom_audiences/add"))
      assert.matches("11018", tostring(err))
    end)

    it("never shows a credential", function()
      assert.is_nil(tostring(tx):find(token, 1, true))
      assert.matches("tencent_ads", tostring(tx))
      local secret = "lua-spec-wrong-token-0123456789"
      local bad = assert(audkit.tencent_ads { access_token = secret, base_url = sb.base_urls.tencent_ads, backoff = 0.001 })
      assert.is_nil(tostring(bad):find(secret, 1, true))
      local res, err = bad.custom_audiences:add { account_id = 1, name = "x", type = "CUSTOMER_FILE" }
      assert.is_nil(res)
      assert.are.equal("auth", err.kind)
      for _, s in ipairs { tostring(err), err.message or "", core.json_encode(err) or "" } do
        assert.is_nil(s:find(secret, 1, true), s)
        assert.is_nil(s:find(token, 1, true), s)
      end
      bad:close()
      -- validation messages and transport errors do not carry it either
      res, err = tx.custom_audiences:add { account_id = 1, name = string.rep("n", 40), type = "CUSTOMER_FILE" }
      assert.is_nil(tostring(err):find(token, 1, true))
      local dead = assert(audkit.tencent_ads { access_token = secret, base_url = "http://127.0.0.1:1/v1.1", retries = 0, timeout = 2 })
      res, err = dead.custom_audiences:get { account_id = 1 }
      assert.is_nil(res)
      assert.is_true(err.kind == "transport" or err.kind == "timeout", err.kind)
      assert.is_nil(tostring(err):find(secret, 1, true))
      dead:close()
    end)

    it("runs a create/get/update/delete round trip", function()
      local res, err = tx.custom_audiences:add {
        account_id = 1, name = "round trip", type = "CUSTOMER_FILE", description = "first",
      }
      assert.is_nil(err)
      local id = res.audience_id
      assert.is_number(id)
      local page = assert(tx.custom_audiences:get { account_id = 1, page = 1, page_size = 10 })
      assert.are.equal(1, #page.items)
      assert.are.equal(id, page.items[1].audience_id)
      assert.are.equal("round trip", page.items[1].name)
      assert.is_table(page.page_info)
      local up, uerr = tx.custom_audiences:update { account_id = 1, audience_id = id, description = "second" }
      assert.is_nil(uerr)
      assert.is_table(up)
      local found
      for aud in tx.custom_audiences:list { account_id = 1 } do
        if aud.audience_id == id then found = aud end
      end
      assert.are.equal("second", found.description)
      local del, derr = tx.custom_audiences:delete { account_id = 1, audience_id = id }
      assert.is_nil(derr)
      assert.is_table(del)
      local all = assert(tx.custom_audiences:list({ account_id = 1 }):all())
      assert.are.equal(0, #all)
      -- generic entry point and dot-call style reach the same rows
      local r2 = assert(tx:call("custom_audiences.add", { account_id = 1, name = "generic", type = "CUSTOMER_FILE" }))
      assert.is_number(r2.audience_id)
      local r3 = assert(tx.custom_audiences.add { account_id = 1, name = "dotted", type = "CUSTOMER_FILE" })
      assert.is_number(r3.audience_id)
      local _, nerr = tx:call("custom_audiences.nope", {})
      assert.are.equal("validation", nerr.kind)
    end)

    it("ends the loop on an error and keeps it in pager.err; clearing it retries the page", function()
      sb:seed { vendor = "tencent_ads", kind = "custom_audiences", count = 25, account_id = 1 }
      local p = tx.custom_audiences:list { account_id = 1, page_size = 10 }
      local n = 0
      for _ in p do
        n = n + 1
        if n == 10 then
          sb:fault { vendor = "tencent_ads", route = "custom_audiences/get", fault = "rate_limit", times = 1, code = 11018 }
        end
      end
      assert.are.equal(10, n)
      assert.is_table(p.err)
      assert.are.equal("rate_limited", p.err.kind)
      p.err = nil
      for _ in p do n = n + 1 end
      assert.is_nil(p.err)
      assert.are.equal(25, n)
      -- a validation error at creation is reported the same way
      local q = tx.custom_audiences:list { account_id = "not a number" }
      local m = 0
      for _ in q do m = m + 1 end
      assert.are.equal(0, m)
      assert.are.equal("validation", q.err.kind)
    end)

    it("closes the pager when a generic for is left with break (5.4 __close)", function()
      sb:seed { vendor = "tencent_ads", kind = "custom_audiences", count = 30, account_id = 1 }
      local captured
      local function list(params)
        local a, b, c, d = tx.custom_audiences:list(params)
        captured = a
        return a, b, c, d
      end
      local n = 0
      for _ in list { account_id = 1, page_size = 10 } do
        n = n + 1
        if n == 3 then break end
      end
      assert.are.equal(3, n)
      assert.are.equal(1, sb:count("custom_audiences/get"))
      if LUA54 then
        assert.is_true(captured:closed())
      else
        assert.is_false(captured:closed()) -- no __close before 5.4: the collector frees it
        captured:close()
        assert.is_true(captured:closed())
      end
      captured:close() -- idempotent
    end)

    it("keeps the client alive while a pager uses it", function()
      sb:seed { vendor = "tencent_ads", kind = "custom_audiences", count = 5, account_id = 1 }
      local p = sb:client("tencent_ads").custom_audiences:list { account_id = 1 }
      collectgarbage()
      collectgarbage()
      local n = 0
      for _ in p do n = n + 1 end
      assert.are.equal(5, n)
    end)

    it("resumes a pager from its state token", function()
      sb:seed { vendor = "tencent_ads", kind = "custom_audiences", count = 25, account_id = 1 }
      local p = tx.custom_audiences:list { account_id = 1, page_size = 10 }
      local n = 0
      for _ in p do
        n = n + 1
        if n == 10 then break end
      end
      local state = p:state()
      assert.is_table(state)
      local rest = assert(tx:resume(state):all())
      assert.are.equal(15, #rest)
    end)
  end)

  describe("step level (a Lua-owned loop)", function()
    local function drive(call)
      local sends = 0
      while true do
        local kind, a = call:next()
        if kind == "send" then
          sends = sends + 1
          assert.is_string(a.method)
          assert.is_string(a.url)
          assert.is_table(a.headers)
          call:feed(core.http(a))
        elseif kind == "sleep" then
          core.sleep_ms(a)
        elseif kind == "done" then
          return a, sends
        else
          return nil, a
        end
      end
    end

    it("new_call/next/feed over core.http gives the same result as call()", function()
      local params = { account_id = 1, name = "stepped", type = "CUSTOMER_FILE" }
      local call = assert(tx:new_call("custom_audiences.add", params))
      local res, sends = drive(call)
      assert.is_table(res)
      assert.are.equal(1, sends)
      assert.is_number(res.audience_id)
      local direct = assert(tx._c:call("custom_audiences.add", { account_id = 1, name = "direct", type = "CUSTOMER_FILE" }))
      assert.are.same(count_keys(direct), count_keys(res))
      call:close()
      -- a client whose transport is a Lua function owns the loop for every op
      local lt = sb:client("tencent_ads", { transport = audkit.loop.curl_transport })
      local r = assert(lt.custom_audiences:add { account_id = 1, name = "lua transport", type = "CUSTOMER_FILE" })
      assert.is_number(r.audience_id)
      local n = 0
      for _ in lt.custom_audiences:list { account_id = 1, page_size = 2 } do n = n + 1 end
      assert.are.equal(3, n)
      lt:close()
    end)

    it("retries inside the step machine: sleep, then a freshly signed send", function()
      sb:fault { vendor = "tencent_ads", route = "custom_audiences/add", fault = "rate_limit", times = 1, code = 11017 }
      local call = assert(tx:new_call("custom_audiences.add", { account_id = 1, name = "stepped retry", type = "CUSTOMER_FILE" }))
      local kinds, urls = {}, {}
      while true do
        local kind, a = call:next()
        kinds[#kinds + 1] = kind
        if kind == "send" then
          urls[#urls + 1] = a.url
          call:feed(core.http(a))
        elseif kind == "sleep" then
          assert.is_number(a)
        else
          assert.are.equal("done", kind)
          assert.is_number(a.audience_id)
          break
        end
      end
      assert.are.same({ "send", "sleep", "send", "done" }, kinds)
      assert.are_not.equal(urls[1], urls[2])
      assert.are.equal(2, call:attempts())
    end)

    it("accepts canned responses and transport failures", function()
      local call = assert(tx:new_call("custom_audiences.get", { account_id = 1, page = 1, page_size = 10 }))
      local kind, req = call:next()
      assert.are.equal("send", kind)
      assert.are.equal("GET", req.method)
      assert.matches("nonce=", req.url)
      call:feed { error = "timeout", message = "canned timeout" }
      kind = call:next()
      assert.are.equal("sleep", kind)
      kind, req = call:next()
      assert.are.equal("send", kind)
      call:feed {
        status = 200,
        headers = { { "Content-Type", "application/json" } },
        body = '{"code":0,"message":"","data":{"list":[{"audience_id":7,"name":"canned"}],'
          .. '"page_info":{"page":1,"page_size":10,"total_number":1,"total_page":1}}}',
      }
      local res
      kind, res = call:next()
      assert.are.equal("done", kind)
      assert.are.equal(7, res.list[1].audience_id)
      assert.are.equal(1, res.page_info.total_page)
      -- a non-retryable vendor error comes out as "error"
      local c2 = assert(tx:new_call("custom_audiences.get", { account_id = 1 }))
      assert.are.equal("send", (c2:next()))
      c2:feed { status = 200, headers = { ["Content-Type"] = "application/json" }, body = '{"code":11018,"message":"daily limit"}' }
      local k2, e2 = c2:next()
      assert.are.equal("error", k2)
      assert.are.equal("rate_limited", e2.kind)
    end)

    it("drives a pager with step/feed", function()
      sb:seed { vendor = "tencent_ads", kind = "custom_audiences", count = 15, account_id = 1 }
      local p = assert(tx:new_pager("custom_audiences.list", { account_id = 1, page_size = 10 }))
      local pages, items = 0, 0
      while true do
        local kind, a = p:step()
        if kind == "send" then
          p:feed(core.http(a))
        elseif kind == "sleep" then
          core.sleep_ms(a)
        elseif kind == "page" then
          pages = pages + 1
          items = items + #a
        elseif kind == "done" then
          break
        else
          error(tostring(a))
        end
      end
      assert.are.equal(2, pages)
      assert.are.equal(15, items)
      p:close()
    end)
  end)

  describe("client lifetime", function()
    it("close is idempotent and shared with __gc", function()
      local c = sb:client("tencent_ads")
      assert.is_false(c:closed())
      c:close()
      c:close()
      assert.is_true(c:closed())
      assert.matches("closed", tostring(c))
      assert.has_error(function() c.custom_audiences:get { account_id = 1 } end)
    end)

    it("returns nil, err for a missing credential", function()
      if os.getenv("AUDKIT_TENCENT_ADS_ACCESS_TOKEN") then return end
      local c, err = audkit.tencent_ads { base_url = sb.base_urls.tencent_ads }
      assert.is_nil(c)
      assert.are.equal("validation", err.kind)
      assert.are.equal("access_token", err.field)
      c, err = audkit.tencent_ads { access_token = "x", timeout = "soon" }
      assert.is_nil(c)
      assert.are.equal("validation", err.kind)
    end)

    if LUA54 then
      it("closes a client held in a <close> variable", function()
        local chunk = assert(load([[
          local sb = ...
          local c <close> = sb:client("tencent_ads")
          return c
        ]]))
        local c = chunk(sb)
        assert.is_true(c:closed())
      end)
    end
  end)

  describe("models", function()
    it("reads snake_case names through the schema where the wire name differs", function()
      local model = require "audkit.model"
      local models = model.build {
        schemas = {
          Cluster = { fields = {
            { name = "cluster_name", wire = "clusterName", schema = audkit.null },
            { name = "qp", wire = "qp", schema = "Qp" },
          } },
          Qp = { fields = { { name = "event_view", wire = "eventView", schema = audkit.null } } },
        },
      }
      local t = model.wrap(models, "Cluster", { clusterName = "c1", qp = { eventView = "v" } })
      assert.are.equal("c1", t.cluster_name)
      assert.are.equal("c1", t.clusterName)
      assert.are.equal("v", t.qp.event_view)
      assert.is_nil(t.nope)
      assert.are.equal('{"clusterName":"c1"}', core.json_encode(model.wrap(models, "Cluster", { clusterName = "c1" })))
      assert.are.equal("{}", core.json_encode(model.wrap(models, "Cluster", {})))
    end)
  end)
end)
