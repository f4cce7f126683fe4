-- bench/nginx/canned.lua: Lua handlers of the benchmark's canned nginx (bench/nginx/nginx.conf.in).
-- Files are read once per worker and cached. No JSON library: the Baidu handler extracts the
-- request's "keyword" strings with a pattern (the benchmark's keywords are plain ASCII).
local M = {}
local cache = {}
local root = ngx.config.prefix() .. "data/"

local function read(name)
  local s = cache[name]
  if s then return s end
  local f = assert(io.open(root .. name, "rb"))
  s = f:read("*a")
  f:close()
  cache[name] = s
  return s
end

function M.file(name)
  ngx.req.discard_body()
  ngx.header["Content-Type"] = "application/json"
  ngx.print(read(name))
end

-- /mem<T>/...get?page=N: page ((N-1) mod K)+1 of the K canned pages
local npages
function M.cycled_page()
  local args = ngx.req.get_uri_args()
  local page = tonumber(args.page) or 1
  local size = tonumber(args.page_size) or 100
  local total = tonumber(ngx.var.total) or 2000
  if not npages then
    npages = 0
    while io.open(root .. "items/" .. (npages + 1) .. ".json") do npages = npages + 1 end
  end
  local items = read("items/" .. ((page - 1) % npages + 1) .. ".json")
  ngx.header["Content-Type"] = "application/json"
  ngx.print('{"code":0,"message":"","message_cn":"","data":{"list":', items,
    ',"page_info":{"page":', page, ',"page_size":', size, ',"total_number":', total * size,
    ',"total_page":', total, '}}}')
end

function M.baidu_add_word(hold)
  ngx.req.read_body()
  local body = ngx.req.get_body_data() or ""
  ngx.sleep(hold)
  local out, n = {}, 0
  for kw in body:gmatch('"keyword"%s*:%s*"([^"]*)"') do
    n = n + 1
    out[n] = ('{"keywordId":%d,"adgroupId":1,"campaignId":1,"keyword":"%s","price":null,"status":46}'):format(
      900000000 + n, kw)
  end
  ngx.header["Content-Type"] = "application/json"
  ngx.print('{"header":{"desc":"success","failures":[],"oprs":', n, ',"succ":', n,
    ',"oprtime":0,"quota":', n, ',"rquota":1000000,"status":0},"body":{"data":[', table.concat(out, ","), ']}}')
end

return M
