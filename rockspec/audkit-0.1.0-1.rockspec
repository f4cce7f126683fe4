-- LuaRocks package of audkit: `luarocks --lua-version=5.4 make rockspec/audkit-0.1.0-1.rockspec`
-- from the checkout (and --lua-version=5.1 for LuaJIT/OpenResty). Builds the C core and the Lua
-- C module with CMake (needs cmake, a C compiler, libcurl and cJSON development files, and the
-- interpreter's headers: liblua5.4-dev, or libluajit2-5.1-dev for LuaJIT).
rockspec_format = "3.0"
package = "audkit"
version = "0.1.0-1"
source = {
  url = "git+https://github.com/audkit/audkit.git",
  tag = "v0.1.0",
}
description = {
  summary = "Clients for Chinese ad and analytics vendor APIs (Tencent Ads, Baidu, Volcengine, ...)",
  detailed = [[
One C core (request building, signing, retries, paging, response decoding) with a Lua API:
clients, resources and operations come from the core's descriptors. Inside OpenResty/nginx
it does its I/O through cosockets (never blocking the worker); elsewhere through libcurl.
]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.1",
}
-- libcurl and cJSON are found by CMake through pkg-config (Debian: libcurl4-openssl-dev, libcjson-dev)
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    -- the C library/headers land in the rock dir but outside what LuaRocks deploys (lua/, lib/)
    CMAKE_INSTALL_PREFIX = "$(PREFIX)/c",
    AUDKIT_BUILD_TESTS = "OFF",
    AUDKIT_BUILD_LUA = "ON",
    AUDKIT_SANITIZE = "OFF",
    AUDKIT_ROCK_LUADIR = "$(LUADIR)",
    AUDKIT_ROCK_LIBDIR = "$(LIBDIR)",
    AUDKIT_ROCK_LUA_INCDIR = "$(LUA_INCDIR)",
  },
}
