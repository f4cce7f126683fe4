"""Lazy models: a model read from a page is a view over the page's decoded JSON, converted field
by field on first access; it outlives its pager and its client; equality, repr, pickling,
to_dict and threads keep working. Resume tokens point at the same item in Python and Lua."""

import gc
import json
import os
import pickle
import shutil
import subprocess
import tempfile
import threading
import weakref

import pytest

import audkit
from audkit import _core

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("AUDKIT_BUILD_DIR") or os.path.join(ROOT, "build")


def _spec(i):
    return {"lookalike_spec": {"seed_audience_id": 1000 + i, "expand_user_count": 1000000}}


@pytest.fixture
def seeded(sb, sandbox_clean):
    sb.seed("tencent_ads", "custom_audiences", 25, account_id=1)
    return sb


def test_items_are_lazy_views_until_converted(seeded, tx):
    items = list(tx.custom_audiences.list(account_id=1, page_size=10))
    assert len(items) == 25
    a = items[0]
    assert isinstance(a, _core.LazyBase) and isinstance(a, audkit.Model)
    assert a._lazy
    assert isinstance(a.audience_id, int) and a.name
    assert a._lazy, "reading fields must not convert the whole object"
    d = a.to_dict()
    assert a._lazy, "to_dict() builds a fresh dict without caching the whole object"
    assert d["audience_id"] == a.audience_id and d["name"] == a.name
    d["name"] = "changed"
    assert a.name != "changed", "to_dict() is a copy"
    # equality/repr go through the whole value (converted once)
    assert a == items[0] and a != items[1]
    assert "audience_id=" in repr(a)
    assert a == audkit.TencentAds.CustomAudience(a.to_dict())
    assert audkit.TencentAds.CustomAudience(a.to_dict()) == a


def test_nested_models_are_lazy_and_cached(sandbox_clean, tx):
    seed = tx.custom_audiences.add(account_id=1, name="seed", type="CUSTOMER_FILE").audience_id
    aud_id = tx.custom_audiences.add(account_id=1, name="lal", type="LOOKALIKE",
                                     audience_spec={"lookalike_spec": {"seed_audience_id": seed,
                                                                       "expand_user_count": 1000000}}).audience_id
    got = [a for a in tx.custom_audiences.list(account_id=1) if a.audience_id == aud_id]
    assert len(got) == 1
    a = got[0]
    spec = a.audience_spec
    assert isinstance(spec, _core.LazyBase) and spec._lazy
    assert spec is a.audience_spec, "a nested model is built once"
    assert spec.lookalike_spec.seed_audience_id == seed
    assert a["audience_spec"].lookalike_spec.expand_user_count == 1000000


def test_model_outlives_pager_and_client(sb, seeded):
    tx = sb.client("tencent_ads")
    pager = tx.custom_audiences.list(account_id=1, page_size=10)
    first = next(pager)
    expected = (first.audience_id, first.name)
    ref_pager = weakref.ref(pager)
    pager.close()
    tx.close()
    del pager, tx
    gc.collect()
    assert ref_pager() is None
    # the page tree is still alive through the model
    assert (first.audience_id, first.name) == expected
    assert first.to_dict()["audience_id"] == expected[0]
    clone = pickle.loads(pickle.dumps(first))
    assert clone == first and clone.audience_id == expected[0]
    assert type(clone) is type(first)


def test_threads_read_one_page_concurrently(seeded, tx):
    items = list(tx.custom_audiences.list(account_id=1, page_size=25))
    expected = [(a.audience_id, a.name) for a in items]
    errors = []

    def read():
        try:
            for _ in range(50):
                got = [(a.audience_id, a.name) for a in items]
                assert got == expected
                assert [a.to_dict()["audience_id"] for a in items] == [e[0] for e in expected]
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors


def test_page_objects_share_the_tree(seeded, tx):
    pages = list(tx.custom_audiences.list(account_id=1, page_size=10).pages())
    assert [len(p) for p in pages] == [10, 10, 5]
    assert pages[0].page_info.total_number == 25
    assert isinstance(pages[0].result, _core.LazyBase)
    assert pages[0].to_dict()["list"][0]["audience_id"] == pages[0].items[0].audience_id


def test_field_descriptor_rejects_foreign_objects():
    cls = audkit.TencentAds.CustomAudience
    with pytest.raises(TypeError):
        cls.__dict__["audience_id"].__get__(object(), object)


# ---------------------------------------------------------------------------------------------
# resume parity: a token taken in the middle of a page resumes at the same item everywhere

LUA_SCRIPT = r"""
local base, access_token, token_in, consume = arg[1], arg[2], arg[3], tonumber(arg[4])
local audkit = require "audkit"
local core = require "audkit.core"
local tx = audkit.tencent_ads{ base_url = base, access_token = access_token }
local out = {}
local p
if token_in ~= "" then
  p = tx:resume(core.json_decode(token_in))
else
  p = tx.custom_audiences:list{ account_id = 1, page_size = 10 }
end
local n = 0
local ids = {}
while consume < 0 or n < consume do
  local a = p:next()
  if a == nil then break end
  ids[#ids + 1] = tostring(a.audience_id)
  n = n + 1
end
local st = p:state()
io.write(table.concat(ids, ","), "\n", core.json_encode(st), "\n")
"""


def _lua(vm, creds, token, consume):
    env = dict(os.environ)
    env["LUA_PATH"] = f"{ROOT}/lua/?.lua;{ROOT}/lua/?/init.lua;;"
    env["LUA_CPATH"] = f"{BUILD}/{'luajit' if vm == 'luajit' else 'lua'}/?.so;;"
    script = os.path.join(tempfile.gettempdir(), f"audkit_resume_parity_{os.getpid()}.lua")
    with open(script, "w") as f:
        f.write(LUA_SCRIPT)
    r = subprocess.run([vm, script, creds["base_url"], creds["access_token"], token, str(consume)], capture_output=True, text=True,
                       env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    ids, state = r.stdout.splitlines()[:2]
    return [int(x) for x in ids.split(",") if x], json.loads(state)


@pytest.mark.parametrize("vm", ["lua5.4", "luajit"])
def test_resume_parity_between_python_and_lua(vm, sb, seeded, tx):
    if not shutil.which(vm) or not os.path.exists(os.path.join(BUILD, "luajit" if vm == "luajit" else "lua",
                                                               "audkit", "core.so")):
        pytest.skip(f"{vm} or its audkit module is not built")
    creds = sb.client_kwargs("tencent_ads")
    all_ids = [a.audience_id for a in tx.custom_audiences.list(account_id=1, page_size=10)]
    assert len(all_ids) == 25

    # Python stops at item 13 (inside page 2): Lua resumes from its token
    it = tx.custom_audiences.list(account_id=1, page_size=10)
    head = [next(it).audience_id for _ in range(13)]
    py_state = it.state
    assert py_state["skip"] == 3 and py_state["next"] == 2
    lua_tail, _ = _lua(vm, creds, json.dumps(py_state), -1)
    assert head + lua_tail == all_ids

    # Lua stops at item 13: its token is the same and Python resumes from it
    lua_head, lua_state = _lua(vm, creds, "", 13)
    assert lua_head == head
    assert {k: lua_state[k] for k in ("op", "next", "skip")} == {k: py_state[k] for k in ("op", "next", "skip")}
    py_tail = [a.audience_id for a in tx.resume(lua_state)]
    assert head + py_tail == all_ids

    # at a page boundary no skip is needed, on either side
    it = tx.custom_audiences.list(account_id=1, page_size=10)
    [next(it) for _ in range(10)]
    assert "skip" not in it.state and it.state["next"] == 2
    _, lua_state = _lua(vm, creds, "", 10)
    assert "skip" not in lua_state and lua_state["next"] == 2
