-- tests/lua/faults_spec.lua - the Lua binding against a misbehaving raw-socket server
-- (tests/faults/server.py, driven through support/faults.lua): the behaviour issue 7 asks for.
--   busted --lua=lua5.4 -o tests/lua/support/summary_output.lua tests/lua/faults_spec.lua
--   busted --lua=luajit -o tests/lua/support/summary_output.lua tests/lua/faults_spec.lua
--
-- NOT_FIXED lists the tests of defects that are not fixed yet (issue 7 item in the value). Such a
-- test runs and must fail; it passes then. When its fix lands it succeeds, and the spec fails
-- with "now passes: remove ... from NOT_FIXED" (like pytest's strict xfail). Fixers delete the
-- line. Calls that may hang or balloon before their fix run in a child interpreter under a kill
-- timeout (faults.lua run_isolated).
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local F = dofile(spec_dir .. "/support/faults.lua")(H)
local audkit = require "audkit"
local core = require "audkit.core"

local VM = _VERSION .. (rawget(_G, "jit") and (" / " .. jit.version) or "")
local MiB = 1048576

local NOT_FIXED = {} -- every defect of issue 7 is fixed; add entries here for new ones

-- it() for a test that may be listed in NOT_FIXED (see the top of the file).
-- AUDKIT_FAULTS_RUN_ALL=1 runs them as plain tests (like pytest --runxfail).
local RUN_ALL = os.getenv("AUDKIT_FAULTS_RUN_ALL") == "1"
local function check(name, fn)
  local why = not RUN_ALL and NOT_FIXED[name]
  if not why then return it(name, fn) end
  it(name .. " [not fixed yet: issue 7 " .. why .. "]", function()
    local ok = pcall(fn)
    if ok then
      error("now passes: remove [\"" .. name .. "\"] from NOT_FIXED in tests/lua/faults_spec.lua", 0)
    end
  end)
end

-- fixtures ------------------------------------------------------------------------------------
local TOKEN = "TxQ4tok-tencent-5e1f9a"
local LOOKALIKE = { lookalike_spec = { seed_audience_id = 9, expand_user_count = 1000000 } }
local ADD = { account_id = 1, name = "seed", type = "LOOKALIKE", audience_spec = LOOKALIKE }
local GET = { account_id = 1 }
local OK_GET = { code = 0, data = { list = audkit.array {}, page_info = { page = 1, page_size = 10, total_number = 0,
  total_page = 0 } } }
local OK_ADD = { code = 0, data = { audience_id = 7 } }
local QP = { events = { { comparator = "greater", event_name = "consume_item", num = "4", recent_day = "1-7",
  ta_prop_quota = { analysis = "TIMES" } } }, event_relation = "and", relation = "and", event_user_relation = "and" }
local TD_ADD = { project_id = 102, cluster_name = "c_1", cluster_catalog = "catalog_cluster",
  cluster_type = "cluster_by_static_condition", display_name = "d", qp = QP }
local BD_ADD = { keyword_types = { { adgroup_id = 1, keyword = "flowers", price = 1.5 } } }
local BAIDU_CLOUD = { op_username = "op-user", op_password = "Bo8wOpPass-baidu-77a1", tg_username = "tg-user",
  tg_password = "Bt2kTgPass-baidu-03c2", tg_subname = "tg-sub", bce_user = "bce-user", access_key = "bd-access-key",
  secret_key = "Bs5mSecret-baidu-9d0e" }
local BAIDU_DIRECT = { user_name = "direct-user", access_token = "Bd7rDirect-baidu-6b4f" }
local VOLC = { access_key = "AKLTfaultsaccesskey", secret_key = "Vs3nSecret-volc-2e8d",
  session_token = "Vt9pSession-volc-41aa", region = "cn-north-1" }
local SENSORS_TOKEN = { token = "Sk6hToken-sensors-8c3b", project = "default" }
local SENSORS_KEY = { api_key = "Sa1jApiKey-sensors-1f6e", project = "default" }
local THINKING = { token = "Th4zToken-thinking-57d0" }
local CRLF = "tok\r\nX-Evil: 1"

local function merge(...)
  local out = {}
  for _, t in ipairs { ... } do
    for k, v in pairs(t) do out[k] = v end
  end
  return out
end

describe("fault server through the Lua binding (" .. VM .. ")", function()
  local fs

  setup(function() fs = F.start() end)
  teardown(function() if fs then fs:stop() end end)
  before_each(function() fs:reset() end)

  local function client(key, creds, opts)
    return audkit.new(key, merge({ base_url = fs.url, backoff = 0.001, timeout = 10 }, creds, opts or {}))
  end

  local function tencent(opts) return assert(client("tencent_ads", { access_token = TOKEN }, opts)) end

  local function isolated(key, creds, op, params, opts, timeout)
    return F.run_isolated({ platform = key, client = merge({ base_url = fs.url }, creds, opts or {}), op = op,
      params = params }, timeout)
  end

  --------------------------------------------------------------------------------------------
  describe("keep-alive drop (item 1)", function()
    for _, retries in ipairs { 0, 3 } do
      check("keep-alive drop: add retries=" .. retries, function()
        fs:script { { body_json = OK_GET }, { close_after_read = true }, { body_json = OK_ADD } }
        local tx = tencent { retries = retries }
        assert(tx.custom_audiences:get(GET))
        local res, err = tx.custom_audiences:add(ADD)
        tx:close()
        local reqs = fs:requests()
        assert.are.equal(reqs[1].connection, reqs[2].connection)
        assert.is_nil(res)
        assert.are.equal("transport", err.kind)
        assert.are.equal(1, fs:count("/custom_audiences/add"))
      end)
    end

    check("keep-alive drop: an idempotent get is retried", function()
      fs:script { { body_json = OK_GET }, { close_after_read = true }, { body_json = OK_GET } }
      local tx = tencent { retries = 3 }
      assert(tx.custom_audiences:get(GET))
      local page, err = tx.custom_audiences:get(GET)
      tx:close()
      assert.is_nil(err)
      assert.are.equal(0, #page.items)
      assert.are.equal(3, fs:count())
    end)
  end)

  --------------------------------------------------------------------------------------------
  describe("5xx (item 2)", function()
    local CREATES = {
      { "tencent_ads", { access_token = TOKEN }, "custom_audiences.add", ADD, "/custom_audiences/add" },
      { "thinking_data", THINKING, "clusters.add", TD_ADD, "/open/user-cluster-add" },
      { "baidu_search", BAIDU_CLOUD, "keywords.add", BD_ADD, "/KeywordService/addWord" },
    }
    for _, cr in ipairs(CREATES) do
      for _, status in ipairs { 500, 502, 503, 504 } do
        check("5xx create: " .. cr[1] .. " " .. status, function()
          fs:script { { status = status } }
          local c = assert(client(cr[1], cr[2], { retries = 3 }))
          local res, err = c:call(cr[3], cr[4])
          c:close()
          assert.is_nil(res)
          assert.are.equal("http", err.kind)
          assert.are.equal(status, err.status)
          assert.are.equal(1, fs:count())
          assert.are.equal(1, fs:count(cr[5]))
        end)
      end
    end

    for _, status in ipairs { 502, 503, 504 } do
      check("5xx idempotent get " .. status .. " is retried", function()
        fs:script { { status = status }, { status = status }, { body_json = OK_GET } }
        local tx = tencent { retries = 3 }
        local page, err = tx.custom_audiences:get(GET)
        tx:close()
        assert.is_nil(err)
        assert.are.equal(0, #page.items)
        assert.are.equal(3, fs:count())
      end)
    end
  end)

  --------------------------------------------------------------------------------------------
  describe("hangs (item 5)", function()
    check("retry-after capped by max_backoff", function()
      fs:script { { status = 503, retry_after = "3600" }, { body_json = OK_GET } }
      local r = isolated("tencent_ads", { access_token = TOKEN }, "custom_audiences.get", GET,
        { retries = 1, max_backoff = 1 }, 10)
      assert.is_true(r.ok, r.message)
      assert.is_true(r.elapsed < 4, "took " .. tostring(r.elapsed))
      assert.are.equal(2, fs:count())
    end)

    local DEADLINES = {
      { "deadline: 503s", { status = 503 }, { retries = 20, backoff = 0.5, max_backoff = 1, deadline = 2 } },
      { "deadline: retry-after", { status = 503, retry_after = "3600" }, { retries = 3, deadline = 2 } },
      { "deadline: hang", { hang = 30 }, { retries = 3, timeout = 20, deadline = 2 } },
    }
    for _, d in ipairs(DEADLINES) do
      check(d[1], function()
        fs:script { d[2] }
        local r = isolated("tencent_ads", { access_token = TOKEN }, "custom_audiences.get", GET, d[3], 15)
        assert.are.equal("timeout", r.kind, r.message)
        assert.is_true(r.elapsed < 4, "took " .. tostring(r.elapsed))
      end)
    end

    check("hang with timeout=1 is a timeout error within 3 s", function()
      fs:script { { hang = 10 } }
      local tx = tencent { retries = 0, timeout = 1 }
      local t0 = F.now()
      local res, err = tx.custom_audiences:get(GET)
      local took = F.now() - t0
      tx:close()
      assert.is_nil(res)
      assert.are.equal("timeout", err.kind)
      assert.matches("timed out", err.message)
      assert.is_true(took < 3, "took " .. took)
    end)
  end)

  --------------------------------------------------------------------------------------------
  describe("unbounded responses (item 6)", function()
    local WRAP = { '{"code":0,"data":{"pad":"', '"}}' }
    local SIZES = {
      { "size: huge 3 MiB, limit 1 MiB", { huge = 3 * MiB, huge_wrap = WRAP }, MiB },
      { "size: huge 96 MiB, default limit", { huge = 96 * MiB, huge_wrap = WRAP }, nil },
      { "size: endless, limit 1 MiB", { endless = true, endless_max = 256 * MiB }, MiB },
      { "size: endless, default limit", { endless = true, endless_max = 256 * MiB }, nil },
      { "size: gzip bomb 100 MiB, default limit", { gzip_bomb = 100 * MiB, body_json = OK_GET }, nil },
      { "size: gzip bomb 100 MiB, limit 1 MiB", { gzip_bomb = 100 * MiB, body_json = OK_GET }, MiB },
    }
    for _, s in ipairs(SIZES) do
      check(s[1], function()
        fs:script { s[2] }
        local r = isolated("tencent_ads", { access_token = TOKEN }, "custom_audiences.get", GET,
          { retries = 0, timeout = 5, max_response_bytes = s[3] }, 30)
        assert.are.equal("transport", r.kind, r.message)
        assert.matches("max_response_bytes", r.message, 1, true)
        local grown = r.rss_after_kib - r.rss_before_kib
        local allowed = 3 * (s[3] or 64 * MiB) / 1024 + 16 * 1024
        assert.is_true(grown < allowed, ("peak RSS grew by %d KiB (allowed %d)"):format(grown, allowed))
      end)
    end
  end)

  --------------------------------------------------------------------------------------------
  describe("malformed responses", function()
    local BODY_ADD = { code = 0, data = { audience_id = 1 } }
    local CASES = {
      { "truncated", { truncate = 5, body_json = BODY_ADD }, "transport", "remaining to read" },
      { "mid-close", { mid_close = true, body_json = BODY_ADD }, "transport", "remaining to read" },
      { "html 200", { html = true }, "decode", "not JSON" },
      { "html 502", { html = true, status = 502 }, "http", "HTTP 502" },
      { "empty 200", { empty = true }, "decode", "0 bytes" },
      { "cut JSON", { body = '{"code": 0, "data": ' }, "decode", "not JSON" },
    }
    for _, c in ipairs(CASES) do
      check("malformed: " .. c[1], function()
        fs:script { c[2] }
        local tx = tencent { retries = 0, timeout = 5 }
        local res, err = tx.custom_audiences:add(ADD)
        tx:close()
        assert.is_nil(res)
        assert.are.equal(c[3], err.kind)
        assert.matches(c[4], err.message, 1, true)
        assert.are.equal(1, fs:count())
      end)
    end
  end)

  --------------------------------------------------------------------------------------------
  describe("secrets in echoed errors (item 7)", function()
    local ECHO = {
      { "tencent_ads", "tencent_ads", { access_token = TOKEN }, "custom_audiences.get", GET, { TOKEN } },
      { "baidu_cloud", "baidu_search", BAIDU_CLOUD, "keywords.add", BD_ADD,
        { BAIDU_CLOUD.op_password, BAIDU_CLOUD.tg_password, BAIDU_CLOUD.secret_key } },
      { "baidu_direct", "baidu_search", BAIDU_DIRECT, "keywords.add", BD_ADD, { BAIDU_DIRECT.access_token } },
      { "volcengine_live", "volcengine_live", VOLC, "get_account_user_track_data", { user_id = 1 },
        { VOLC.secret_key, VOLC.session_token } },
      { "sensors_token", "sensors_data", SENSORS_TOKEN, "user_tags.get", { id = 1 }, { SENSORS_TOKEN.token } },
      { "sensors_api_key", "sensors_data", SENSORS_KEY, "user_tags.get", { id = 1 }, { SENSORS_KEY.api_key } },
      { "thinking_data", "thinking_data", THINKING, "clusters.detail", { project_id = 102, cluster_id = 5 },
        { THINKING.token } },
    }
    local NOT_SENT = { [BAIDU_CLOUD.secret_key] = true, [VOLC.secret_key] = true }
    for _, e in ipairs(ECHO) do
      for _, aligned in ipairs { false, true } do
        check("echo: " .. e[1] .. (aligned and " truncated" or ""), function()
          local action = { echo = true, vendor = e[2] }
          if aligned then
            local needle
            for _, s in ipairs(e[6]) do if not NOT_SENT[s] and not needle then needle = s end end
            action.echo_align = { needle = needle, at = 1023 - 8 } -- cut by message[1024]
          end
          fs:script { action }
          local c = assert(client(e[2], e[3], { retries = 0 }))
          local res, err = c:call(e[4], e[5])
          c:close()
          assert.is_nil(res)
          assert.is_table(err)
          assert.are.equal(1, fs:count())
          assert.matches("invalid request", err.message, 1, true)
          local texts = { tostring(err), tostring(err.message), core.json_encode(err) or "",
            tostring(err.code), tostring(err.request_id) }
          for _, text in ipairs(texts) do
            for _, s in ipairs(e[6]) do
              assert.is_nil(text:find(s, 1, true), "secret " .. s .. " leaked into: " .. text:sub(1, 300))
              assert.is_nil(text:find(s:sub(1, 8), 1, true), "a prefix of " .. s .. " leaked into: " .. text:sub(-300))
            end
          end
        end)
      end
    end
  end)

  --------------------------------------------------------------------------------------------
  describe("CR/LF in credentials and user_agent (item 8)", function()
    local CASES = {
      { "crlf: tencent access_token", "tencent_ads", { access_token = CRLF }, "custom_audiences.get", GET },
      { "crlf: tencent user_agent", "tencent_ads", { access_token = TOKEN, user_agent = "ua\r\nX-Evil: 1" },
        "custom_audiences.get", GET },
      { "crlf: sensors api_key", "sensors_data", { api_key = CRLF, project = "default" }, "user_tags.get", { id = 1 } },
      { "crlf: sensors project", "sensors_data", { api_key = "k", project = "default\r\nX-Evil: 1" }, "user_tags.get",
        { id = 1 } },
      { "crlf: thinking token", "thinking_data", { token = CRLF }, "clusters.detail", { project_id = 1, cluster_id = 1 } },
      { "crlf: baidu op_username", "baidu_search", merge(BAIDU_CLOUD, { op_username = "op\r\nX-Evil: 1" }),
        "keywords.add", BD_ADD },
      { "crlf: baidu tg_username", "baidu_search", merge(BAIDU_CLOUD, { tg_username = "tg\r\nX-Evil: 1" }),
        "keywords.add", BD_ADD },
      { "crlf: baidu bce_user", "baidu_search", merge(BAIDU_CLOUD, { bce_user = "bce\r\nX-Evil: 1" }),
        "keywords.add", BD_ADD },
      { "crlf: baidu user_name", "baidu_search", merge(BAIDU_DIRECT, { user_name = "u\r\nX-Evil: 1" }),
        "keywords.add", BD_ADD },
      { "crlf: baidu user_agent", "baidu_search", merge(BAIDU_DIRECT, { user_agent = "ua\r\nX-Evil: 1" }),
        "keywords.add", BD_ADD },
      { "crlf: volcengine session_token", "volcengine_live", merge(VOLC, { session_token = CRLF }),
        "get_account_user_track_data", { user_id = 1 } },
    }
    for _, c in ipairs(CASES) do
      check(c[1], function()
        fs:script { { status = 200, body_json = {} } }
        local cl, err = client(c[2], c[3], { retries = 0 })
        if cl then
          local res
          res, err = cl:call(c[4], c[5])
          cl:close()
          assert.is_nil(res)
        end
        assert.are.equal("validation", err and err.kind)
        assert.are.equal(0, fs:count())
      end)
    end
  end)

  --------------------------------------------------------------------------------------------
  describe("integers and wrong types (items 3, 4)", function()
    for _, v in ipairs { "9007199254740993", "9223372036854775807", "-9007199254740993" } do
      check("int64: " .. v, function()
        fs:script { { body = '{"code":0,"data":{"audience_id":' .. v .. '}}' } }
        local tx = tencent { retries = 0 }
        local res, err = tx.custom_audiences:add(ADD)
        tx:close()
        assert.is_nil(err)
        local id = res.audience_id
        if rawget(_G, "jit") then
          -- LuaJIT: an exact form (a decimal string or int64 cdata), never a rounded double
          assert.are_not.equal("number", type(id))
          assert.are.equal(v, (tostring(id):gsub("LL$", "")))
        else
          assert.are.equal("integer", math.type(id))
          assert.are.equal(v, tostring(id))
        end
      end)
    end

    check("int64: 2^53-1 stays a number", function()
      fs:script { { body = '{"code":0,"data":{"audience_id":9007199254740991}}' } }
      local tx = tencent { retries = 0 }
      local res = assert(tx.custom_audiences:add(ADD))
      tx:close()
      assert.are.equal(9007199254740991, res.audience_id)
    end)

    local WRONG = {
      { "string", '{"code":0,"data":{"audience_id":"abc"}}' },
      { "fraction", '{"code":0,"data":{"audience_id":1.5}}' },
      { "null", '{"code":0,"data":{"audience_id":null}}' },
      { "nested array", '{"code":0,"data":{"audience_id":[[1]]}}' },
      { "no data", '{"code":0}' },
    }
    for _, w in ipairs(WRONG) do
      check("wrong type: " .. w[1], function()
        fs:script { { body = w[2] } }
        local tx = tencent { retries = 0 }
        local res, err = tx.custom_audiences:add(ADD)
        tx:close()
        assert.is_nil(res)
        assert.are.equal("decode", err and err.kind)
        if w[2]:find("audience_id", 1, true) then assert.matches("audience_id", err.message, 1, true) end
      end)
    end

    check("unknown fields stay tolerated", function()
      fs:script { { body = '{"code":0,"data":{"audience_id":5,"surprise":[1,{"x":2}]}}' } }
      local tx = tencent { retries = 0 }
      local res, err = tx.custom_audiences:add(ADD)
      tx:close()
      assert.is_nil(err)
      assert.are.equal(5, res.audience_id)
      assert.are.equal(2, res.surprise[2].x)
    end)
  end)
end)
