"""_core.OpMethod: a plain call operation's method with its common case in C. The C path must do
what the Python function it wraps does for the same arguments, hand every other call to it
unchanged, and look like a method (binding, name, doc, signature)."""

from __future__ import annotations

import inspect
import logging
import pickle

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402
from audkit import _client, _core  # noqa: E402

_n = iter(range(10**6))


def cf(**kw):
    """Parameters of a new CUSTOMER_FILE audience (names are unique per account)."""
    return {"account_id": 1, "name": f"fast{next(_n)}", "type": "CUSTOMER_FILE", "description": "d", **kw}


def test_methods_of_plain_calls_are_op_methods(tx):
    cls = type(tx.custom_audiences)
    assert isinstance(cls.__dict__["add"], _core.OpMethod)
    assert isinstance(cls.__dict__["get"], _core.OpMethod)
    assert not isinstance(cls.__dict__["list"], _core.OpMethod)  # a pager: the Python method
    m = tx.custom_audiences.add
    assert m.__name__ == "add" and "Create a custom audience" in m.__doc__
    assert m.__self__ is tx.custom_audiences
    assert list(inspect.signature(cls.__dict__["add"]).parameters) == ["self", "args", "kwargs"]
    assert "custom_audiences.add" in repr(cls.__dict__["add"])
    assert cls.__dict__["add"].op.name == "custom_audiences.add"


class Counting:
    """Wraps a fast method's Python function, counting the calls it gets."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, *a, **kw):
        self.calls += 1
        return self.fn(*a, **kw)


@pytest.fixture
def counted(tx):
    """tx.custom_audiences.add rebuilt with a counting Python path."""
    cls = type(tx.custom_audiences)
    orig = cls.__dict__["add"]
    op = orig.op
    fb = Counting(orig.__wrapped__)
    known = frozenset(n for f in op.request.fields for n in (f.name, f.wire))
    m = _core.OpMethod(fb, op, op.name, False, known, _client._FAST_RESERVED, _client.log, _client._on_call_error)
    setattr(cls, "add", m)
    try:
        yield fb
    finally:
        setattr(cls, "add", orig)


def test_the_common_case_never_enters_python_and_matches_it(tx, counted, treqs):
    fast = tx.custom_audiences.add(**cf(audience_spec=None, name="same0"))  # None: not given
    assert counted.calls == 0
    slow = counted.fn(tx.custom_audiences, **cf(name="same1"))  # the Python path itself
    assert type(fast) is type(slow) and isinstance(fast, audkit.Model)
    assert fast.audience_id != slow.audience_id  # two audiences made
    assert fast.to_dict().keys() == slow.to_dict().keys()
    bodies = [r["body"] for r in treqs("custom_audiences/add")[-2:]]
    assert bodies[0] == bodies[1].replace("same1", "same0")  # the same request, byte for byte


@pytest.mark.parametrize("how", ["positional", "option", "progress", "unknown", "debug"])
def test_every_other_call_goes_to_python(tx, counted, how, caplog):
    if how == "positional":
        r = tx.custom_audiences.add(cf())
    elif how == "option":
        r = tx.custom_audiences.add(**cf(), timeout=5)
    elif how == "progress":
        r = tx.custom_audiences.add(**cf(), progress=lambda ev: None)
    elif how == "unknown":
        with pytest.raises(TypeError, match="unexpected keyword argument 'nmae'.*known: account_id"):
            tx.custom_audiences.add(**cf(), nmae="typo")
        assert counted.calls == 1
        return
    else:
        with caplog.at_level(logging.DEBUG, logger="audkit"):
            r = tx.custom_audiences.add(**cf())
        assert any("custom_audiences.add ok" in m for m in caplog.messages)
    assert counted.calls == 1 and r.audience_id > 0


def test_errors_from_the_c_path_are_the_python_paths(tx, sb):
    with pytest.raises(audkit.ValidationError) as e:
        tx.custom_audiences.add(account_id=1, name="x" * 40, type="CUSTOMER_FILE")
    assert e.value.field == "name"
    sb.fault("tencent_ads", "custom_audiences/add", "http_500", times=10)
    with pytest.raises(audkit.Error) as e2:
        tx.custom_audiences.add(**cf(), retries=0)  # via Python (an option)
    with pytest.raises(audkit.Error) as e3:
        tx.custom_audiences.add(**cf())  # via C
    assert type(e2.value) is type(e3.value) and e2.value.kind == e3.value.kind


def test_batch_errors_from_the_c_path_keep_the_items(sb):
    bd = sb.client("baidu_search", retries=0)
    assert isinstance(type(bd.keywords).__dict__["add"], _core.OpMethod)
    sb.fault("baidu_search", "*", "http_500", times=5)
    kws = [{"keyword": f"k{i}", "adgroup_id": 1} for i in range(3)]
    with pytest.raises(audkit.Error) as e:
        bd.keywords.add(keyword_types=kws)
    br = e.value.batch_result
    assert [f.index for f in br.failures] == [0, 1, 2]
    assert {f.state for f in br.failures} <= {"unknown", "not_applied"}
    bd.close()


def test_op_method_results_pickle_and_compare(tx):
    a = tx.custom_audiences.add(**cf())
    assert pickle.loads(pickle.dumps(a)) == a
    page = tx.custom_audiences.get(account_id=1, audience_id=a.audience_id)
    assert page.items[0].audience_id == a.audience_id and page.items[0].name.startswith("fast")
