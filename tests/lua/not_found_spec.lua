-- tests/lua/not_found_spec.lua - getting, updating or deleting an object that does not exist,
-- per vendor, through the Lua binding against the sandbox (issue 7, item 10;
-- docs/RELIABILITY.md, "Not found"). err.kind is "not_found" only where the vendor has a public
-- signal for a missing object (Sensors Data's HTTP 404); vendors without a public "does not
-- exist" code answer with the sandbox's placeholder and stay "api". Nothing here is retried.
local spec_dir = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
local H = dofile(spec_dir .. "/helper.lua")
local audkit = require "audkit"

local VM = _VERSION .. (rawget(_G, "jit") and (" / " .. jit.version) or "")

local function assert_api(err, code, status)
  assert.is_true(audkit.is_error(err))
  assert.are.equal("api", err.kind)
  assert.are_not.equal("not_found", err.kind)
  assert.are.equal(code, err.code)
  if status then assert.are.equal(status, err.status) end
  assert.is_false(err.retryable)
end

describe("not found (" .. VM .. ")", function()
  local sb

  setup(function() sb = H.start_sandbox() end)
  teardown(function() if sb then sb:stop() end end)
  before_each(function() sb:reset() end)

  it("Sensors Data: a missing tag is not_found (HTTP 404), sent once", function()
    local sd = sb:client("sensors_data")
    local none, err = sd.user_tags:get { id = 4242 }
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
    assert.are.equal(404, err.status)
    assert.is_false(err.retryable)
    assert.is_truthy(tostring(err):find("not_found", 1, true))
    assert.are.equal(1, #sb:requests("sensors_data"))
    none, err = sd.user_tags:partitions_page { id = 4242 }
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
  end)

  it("Tencent Ads: a deleted audience stays api with the placeholder 31002", function()
    local tx = sb:client("tencent_ads")
    local res = assert(tx.custom_audiences:add {
      account_id = 1, name = "nf", type = "LOOKALIKE",
      audience_spec = { lookalike_spec = { seed_audience_id = 9, expand_user_count = 1000000 } },
    })
    local aid = res.audience_id
    assert(tx.custom_audiences:delete { account_id = 1, audience_id = aid })
    local n = #sb:requests("tencent_ads")
    local none, err = tx.custom_audiences:delete { account_id = 1, audience_id = aid }
    assert.is_nil(none)
    assert_api(err, "31002", 200)
    none, err = tx.custom_audiences:update { account_id = 1, audience_id = aid, name = "again" }
    assert.is_nil(none)
    assert_api(err, "31002", 200)
    assert.are.equal(n + 2, #sb:requests("tencent_ads"))
  end)

  it("Baidu: a missing keyword stays api with the placeholder 9103", function()
    local bd = sb:client("baidu_search")
    local none, err = bd.keywords:delete { keyword_ids = { 777 } }
    assert.is_nil(none)
    assert_api(err, "9103", 200)
    assert.are.equal(1, #sb:requests("baidu_search"))
  end)

  it("ThinkingData: a missing cluster stays api with the placeholder -1004", function()
    local td = sb:client("thinking_data")
    local none, err = td.clusters:detail { project_id = 1, cluster_id = 999 }
    assert.is_nil(none)
    assert_api(err, "-1004", 200)
    none, err = td.clusters:delete { project_id = 1, cluster_id = 999 }
    assert.is_nil(none)
    assert_api(err, "-1004", 200)
    assert.are.equal(2, #sb:requests("thinking_data"))
  end)

  it("Volcengine: an unknown user stays api (InvalidParameter.InvalidUserId)", function()
    local vl = sb:client("volcengine_live")
    local none, err = vl:get_account_user_track_data { user_id = 987654321 }
    assert.is_nil(none)
    assert_api(err, "InvalidParameter.InvalidUserId", 400)
    assert.are.equal(1, #sb:requests("volcengine_live"))
  end)
end)
