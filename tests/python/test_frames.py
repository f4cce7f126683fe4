"""pandas DataFrames (issue 12): pager.to_frame(), page.to_frame(), audkit.to_frame(); and the
mapping protocol of models (dict(model), model["wire"], keys(), to_dict(wire_names=False))."""

from __future__ import annotations

import datetime
import json
import pickle
import sys
import warnings

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402
from audkit import _core  # noqa: E402

try:
    import pandas as pd
except ImportError:  # pragma: no cover - `make deps` installs pandas
    pd = None

needs_pandas = pytest.mark.skipif(pd is None, reason="pandas is not installed (pip install audkit[pandas])")

CA_FIELDS = ["audience_id", "account_id", "name", "external_audience_id", "description", "cooperated", "type",
             "source", "status", "online_status", "is_own", "error_code", "user_count", "created_time",
             "last_modified_time"]
SEED_ID = "audience_spec.lookalike_spec.seed_audience_id"


def _list_requests(sb):
    return [r for r in sb.requests("tencent_ads") if r.get("route") and "custom_audiences/get" in r["route"]]


@pytest.fixture
def seeded(sb, sandbox_clean):
    sb.seed("tencent_ads", "custom_audiences", 25, account_id=1, user_count=1000)
    return sb


def _lookalike(tx, seed):
    return tx.custom_audiences.add(account_id=1, name="lal", type="LOOKALIKE",
                                   audience_spec={"lookalike_spec": {"seed_audience_id": seed,
                                                                     "expand_user_count": 1000000}}).audience_id


def _canned(items, page_info=None):
    """A Tencent client answering custom_audiences.get with `items` (one page)."""
    body = {"code": 0, "message": "", "message_cn": "",
            "data": {"list": items, "page_info": page_info or {"page": 1, "page_size": 10,
                                                                "total_number": len(items), "total_page": 1}}}
    text = json.dumps(body)

    def transport(method, url, headers, body, timeout):
        return 200, [("Content-Type", "application/json")], text.encode()

    return audkit.TencentAds(access_token="t", base_url="http://example.invalid/v1.1", transport=transport)


# -- frames ---------------------------------------------------------------------------------------


@needs_pandas
def test_columns_in_schema_order_flattened(seeded, tx):
    seed = tx.custom_audiences.add(account_id=1, name="seed", type="CUSTOMER_FILE").audience_id
    lal = _lookalike(tx, seed)
    df = tx.custom_audiences.list(account_id=1, page_size=10).to_frame()
    assert len(df) == 27 and list(df.index) == list(range(27))
    cols = list(df.columns)
    assert cols[:len(CA_FIELDS)] == CA_FIELDS, cols
    assert cols[len(CA_FIELDS)] == "audience_spec.lookalike_spec.seed_audience_id"
    assert "audience_spec" not in cols and "audience_spec.lookalike_spec" not in cols
    # every field of the nested schemas, recursively, in schema order
    spec = audkit.TencentAds.AudienceSpec._schema
    firsts = [c.split(".")[1] for c in cols if c.startswith("audience_spec.")]
    assert list(dict.fromkeys(firsts)) == [f.name for f in spec.fields]
    row = df[df.audience_id == lal].iloc[0]
    assert row[SEED_ID] == seed and row["audience_spec.lookalike_spec.expand_user_count"] == 1000000
    assert df[SEED_ID].isna().sum() == 26
    # values are the models' values
    models = list(tx.custom_audiences.list(account_id=1, page_size=10))
    assert df["audience_id"].tolist() == [m.audience_id for m in models]
    assert df["name"].tolist() == [m.name for m in models]
    assert all(isinstance(v, str) for v in df["name"])


@needs_pandas
def test_dtypes_from_the_schema(seeded, tx):
    df = tx.custom_audiences.list(account_id=1).to_frame()
    assert str(df["audience_id"].dtype) == "Int64" and str(df["account_id"].dtype) == "Int64"
    assert str(df["user_count"].dtype) == "Int64" and str(df["error_code"].dtype) == "Int64"
    assert str(df["cooperated"].dtype) == "boolean" and str(df["is_own"].dtype) == "boolean"
    assert isinstance(df["name"].dtype, pd.StringDtype) and isinstance(df["status"].dtype, pd.StringDtype)
    assert df["online_status"].isna().all() and df["online_status"].iloc[0] is pd.NA  # missing -> <NA>
    assert df["user_count"].sum() == 25 * 1000
    for col in ("created_time", "last_modified_time"):
        assert pd.api.types.is_datetime64_dtype(df[col]) and df[col].dt.tz is None, df[col].dtype
    # the exact format, the vendor's wall clock (China time), not converted
    first = next(iter(tx.custom_audiences.list(account_id=1)))
    assert df["created_time"].iloc[0] == pd.Timestamp(datetime.datetime.strptime(first.created_time,
                                                                                  "%Y-%m-%d %H:%M:%S"))
    # a date field (yyyy-MM-dd) of a nested spec is a datetime column too
    assert pd.api.types.is_datetime64_dtype(df["audience_spec.ad_rule_spec.start_date"])
    # arrays stay lists in one column (object)
    assert df["audience_spec.ad_rule_spec.campaign_id_list"].dtype == object


@needs_pandas
def test_tz_localizes_datetimes_only(seeded, tx):
    df = tx.custom_audiences.list(account_id=1).to_frame(tz="Asia/Shanghai")
    assert str(df["created_time"].dt.tz) == "Asia/Shanghai"
    assert df["audience_spec.ad_rule_spec.start_date"].dt.tz is None  # dates are calendar days
    naive = tx.custom_audiences.list(account_id=1).to_frame()
    assert (df["created_time"].dt.tz_localize(None) == naive["created_time"]).all()


@needs_pandas
def test_int64_ids_exact_beyond_2_53_and_unknown_members():
    big = 2**63 - 1
    items = [
        {"audience_id": 9007199254740993, "account_id": big, "name": "a", "user_count": 5,
         "created_time": "2024-02-29 23:59:59", "new_field": {"x": 1},
         "audience_spec": {"lookalike_spec": {"seed_audience_id": big - 1, "new_inner": "n"}}},
        {"audience_id": 2, "account_id": 3, "name": "b", "later": [1, 2]},
    ]
    with _canned(items) as tx:
        pager = tx.custom_audiences.list(account_id=big)
        df = pager.to_frame()
    assert str(df["audience_id"].dtype) == "Int64"
    assert df["audience_id"].tolist() == [9007199254740993, 2]  # not 9007199254740992
    assert df["account_id"].iloc[0] == big and df[SEED_ID].iloc[0] == big - 1
    assert df["created_time"].iloc[0] == pd.Timestamp("2024-02-29 23:59:59")
    assert df["user_count"].iloc[1] is pd.NA
    # unknown members after the schema columns, in the order first seen (nested: dotted)
    cols = list(df.columns)
    schema_cols = [c for c in cols if c not in ("new_field", "later", "audience_spec.lookalike_spec.new_inner")]
    assert cols[len(schema_cols):] == ["new_field", "later", "audience_spec.lookalike_spec.new_inner"], cols
    assert df["new_field"].tolist() == [{"x": 1}, None]
    assert df["later"].tolist() == [None, [1, 2]]
    assert df["audience_spec.lookalike_spec.new_inner"].tolist() == ["n", None]


@needs_pandas
def test_flatten_false_keeps_nested_dicts_with_snake_case_keys(sb, sandbox_clean):
    sb.seed("thinking_data", "clusters", 2)
    with sb.client("thinking_data") as ta:
        clusters = list(ta.clusters.list(project_id=102))
        df = ta.clusters.list(project_id=102).to_frame(flatten=False)
    cls_fields = [f.name for f in audkit.ThinkingData.Cluster._schema.fields]
    assert list(df.columns) == cls_fields  # snake_case names, not the wire names (clusterName)
    assert df["cluster_name"].tolist() == [c.cluster_name for c in clusters]
    assert str(df["users_num"].dtype) == "Int64" and pd.api.types.is_datetime64_dtype(df["refresh_time"])
    # nested objects: dicts with snake_case keys (a canned cluster with a camelCase nested value)
    raw = clusters[0].to_dict()
    raw["userTagDef"] = {"userTagValueDefs": [{"tagValue": "v1", "tagRemark": ""}]}
    m = audkit.ThinkingData.Cluster(raw)
    one = audkit.to_frame([m], flatten=False)
    assert one["user_tag_def"].iloc[0] == {"user_tag_value_defs": [{"tag_value": "v1", "tag_remark": ""}]}
    flat = audkit.to_frame([m])
    # an array of objects stays one column: lists of dicts with snake_case keys
    assert flat["user_tag_def.user_tag_value_defs"].iloc[0] == [{"tag_value": "v1", "tag_remark": ""}]
    assert "user_tag_def" not in flat.columns


@needs_pandas
def test_max_items_stops_fetching_and_the_pager_resumes(seeded, tx, sb):
    sb.seed("tencent_ads", "custom_audiences", 25, account_id=1)  # 50 in all
    sb.clear_requests() if hasattr(sb, "clear_requests") else None
    before = len(_list_requests(sb))
    pager = tx.custom_audiences.list(account_id=1, page_size=10)
    df = pager.to_frame(max_items=10)
    assert len(df) == 10 and pager.pages_fetched == 1
    assert len(_list_requests(sb)) - before == 1, "a page it did not need was requested"
    nxt = next(pager)  # the pager continues with the first item not in the frame
    assert nxt.audience_id == df["audience_id"].iloc[-1] + 1
    df2 = pager.to_frame(max_items=12)  # the rest of page 2, then 3 of page 3
    assert len(df2) == 12 and pager.pages_fetched == 3
    assert df2["audience_id"].iloc[0] == nxt.audience_id + 1
    state = pager.state
    rest = tx.custom_audiences.list(resume=state).to_frame()
    assert len(df) + 1 + len(df2) + len(rest) == 50
    assert rest["audience_id"].iloc[0] == df2["audience_id"].iloc[-1] + 1
    # max_items=0: nothing requested, the schema's columns
    n = len(_list_requests(sb))
    empty = tx.custom_audiences.list(account_id=1).to_frame(max_items=0)
    assert len(empty) == 0 and list(empty.columns)[:len(CA_FIELDS)] == CA_FIELDS
    assert str(empty["audience_id"].dtype) == "Int64" and len(_list_requests(sb)) == n
    with pytest.raises(ValueError):
        tx.custom_audiences.list(account_id=1).to_frame(max_items=-1)
    with pytest.raises(TypeError):
        tx.custom_audiences.list(account_id=1).to_frame(max_items="5")  # type: ignore[arg-type]


@needs_pandas
def test_page_frames_and_audkit_to_frame(seeded, tx):
    page = tx.custom_audiences.get(account_id=1, page_size=10)  # an eager page
    df = page.to_frame()
    assert df["audience_id"].tolist() == [a.audience_id for a in page.items]
    assert list(df.columns)[:len(CA_FIELDS)] == CA_FIELDS and str(df["audience_id"].dtype) == "Int64"
    assert len(page.to_frame(max_items=3)) == 3
    pages = list(tx.custom_audiences.list(account_id=1, page_size=10).pages())
    assert [len(p.to_frame()) for p in pages] == [10, 10, 5]
    # any iterable of models (lazy, eager, hand-built), a pager, a page
    models = list(tx.custom_audiences.list(account_id=1))
    assert audkit.to_frame(models).equals(tx.custom_audiences.list(account_id=1).to_frame())
    assert audkit.to_frame(tx.custom_audiences.list(account_id=1), max_items=7)["audience_id"].tolist() == \
        [m.audience_id for m in models[:7]]
    assert len(audkit.to_frame(page)) == 10
    built = [audkit.TencentAds.CustomAudience(audience_id=1, name="x", cooperated=True)]
    one = audkit.to_frame(built)
    assert one["audience_id"].tolist() == [1] and one["cooperated"].tolist() == [True]
    assert str(one["cooperated"].dtype) == "boolean"
    # plain dicts: one column per key, in the order seen
    plain = audkit.to_frame([{"a": 1, "b": "x"}, {"b": "y", "c": None}])
    assert list(plain.columns) == ["a", "b", "c"] and plain["b"].tolist() == ["x", "y"]
    # an empty page of a known schema still has the columns
    with _canned([]) as canned:
        empty = canned.custom_audiences.get(account_id=1).to_frame()
    assert len(empty) == 0 and list(empty.columns)[:len(CA_FIELDS)] == CA_FIELDS


@needs_pandas
def test_values_that_do_not_fit_are_kept_with_a_warning(monkeypatch):
    items = [{"audience_id": 1, "created_time": "2024-01-01 00:00:00"},
             {"audience_id": 2, "created_time": "yesterday"}]
    models = [audkit.TencentAds.CustomAudience(i) for i in items]
    with pytest.warns(UserWarning, match="created_time"):
        df = audkit.to_frame(models)
    assert df["created_time"].tolist() == ["2024-01-01 00:00:00", "yesterday"]  # never coerced to NaT
    # a datetime chunk converted before the bad page goes back to its exact text
    from audkit import frames

    monkeypatch.setattr(frames, "_FLUSH", 1)  # every page converted on its own
    schema = audkit.TencentAds.CustomAudience._schema
    with pytest.warns(UserWarning):
        df2 = frames.frame_from_batches([models[:1], models[1:]], schema)
    assert df2["created_time"].tolist() == ["2024-01-01 00:00:00", "yesterday"]
    bad_id = [audkit.TencentAds.CustomAudience(audience_id=1), audkit.TencentAds.CustomAudience(audience_id="x2")]
    with pytest.warns(UserWarning, match="audience_id"):
        df3 = frames.frame_from_batches([bad_id[:1], bad_id[1:]], schema)
    assert df3["audience_id"].tolist() == [1, "x2"] and df3["audience_id"].dtype == object
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert audkit.to_frame(models[:1])["created_time"].iloc[0] == pd.Timestamp("2024-01-01")


@needs_pandas
def test_many_pages_stream_into_the_same_columns(seeded, tx, sb, monkeypatch):
    """Columns are converted in chunks as pages arrive (here: every page) and joined at the end."""
    from audkit import frames

    sb.seed("tencent_ads", "custom_audiences", 25, account_id=1, user_count=7)
    monkeypatch.setattr(frames, "_FLUSH", 1)
    small = tx.custom_audiences.list(account_id=1, page_size=10).to_frame()
    monkeypatch.setattr(frames, "_FLUSH", 10**9)
    whole = tx.custom_audiences.list(account_id=1, page_size=10).to_frame()
    assert small.equals(whole) and len(small) == 50
    assert small["user_count"].sum() == 25 * 1000 + 25 * 7


@needs_pandas
def test_sensors_frame_datetimes_and_nested(sb, sandbox_clean):
    sb.seed("sensors_data", "user_tags", 3, partitions=2)
    with sb.client("sensors_data") as sd:
        tags = list(sd.user_tags.list())
        df = sd.user_tags.list().to_frame()
    assert df["id"].tolist() == [t.id for t in tags] and str(df["id"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_dtype(df["create_time"])
    assert pd.api.types.is_datetime64_dtype(df["last_succeed_partition.finished_time"])
    assert df["last_succeed_partition.user_count"].tolist() == [t.last_succeed_partition.user_count for t in tags]
    assert df["data_type"].dtype == object  # an untyped field: Python objects


def test_without_pandas_a_clear_import_error(seeded, tx, sb, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` fails
    n = len(_list_requests(sb))
    pager = tx.custom_audiences.list(account_id=1)
    with pytest.raises(ImportError, match=r"pip install audkit\[pandas\]"):
        pager.to_frame()
    assert len(_list_requests(sb)) == n, "nothing is requested without pandas"
    with pytest.raises(ImportError, match=r"pip install audkit\[pandas\]"):
        audkit.to_frame([])
    page = tx.custom_audiences.get(account_id=1)
    with pytest.raises(ImportError, match=r"pip install audkit\[pandas\]"):
        page.to_frame()
    assert next(pager).audience_id  # the pager is untouched


@needs_pandas
def test_pandas_dataframe_of_models_gives_columns(seeded, tx):
    """Models are mappings: pandas' own constructor reads them as records."""
    df = pd.DataFrame(list(tx.custom_audiences.list(account_id=1)))
    assert list(df.columns) == [c for c in CA_FIELDS if c != "online_status"]  # the keys present
    direct = pd.DataFrame(tx.custom_audiences.list(account_id=1))  # the issue's first try
    assert direct.equals(df) and len(direct) == 25


# -- the mapping protocol -------------------------------------------------------------------------


def test_mapping_protocol_on_lazy_models(seeded, tx):
    a = next(iter(tx.custom_audiences.list(account_id=1)))
    assert a._lazy
    keys = list(a.keys())
    assert keys == CA_FIELDS[:9] + CA_FIELDS[10:]  # the fields present (online_status is not), in schema order
    d = dict(a)
    assert list(d) == keys and d["audience_id"] == a.audience_id and d["created_time"] == a.created_time
    assert a._lazy, "keys()/dict() read the fields through the descriptors: the model stays lazy"
    assert len(a) == len(keys) and list(a) == keys and set(a.keys()) == set(keys)
    assert a["audience_id"] == a.audience_id and "audience_id" in a and "online_status" not in a
    assert list(a.values())[0] == a.audience_id and list(a.items())[2] == ("name", a.name)
    assert a.to_dict(wire_names=False) == a.to_dict()  # Tencent's wire names are snake_case already
    with pytest.raises(KeyError):
        a["no_such_field"]
    assert a.get("no_such_field", 5) == 5
    assert isinstance(a, __import__("collections.abc").abc.Mapping)
    assert bool(audkit.TencentAds.CustomAudience()) is True  # a model is always true
    # equality, repr and pickling are unchanged
    assert a == dict(a) and a == a.to_dict() and pickle.loads(pickle.dumps(a)) == a
    assert repr(a).startswith("CustomAudience(audience_id=")


def test_mapping_protocol_camel_case_wire_names(sb, sandbox_clean):
    sb.seed("thinking_data", "clusters", 1)
    with sb.client("thinking_data") as ta:
        lazy = next(iter(ta.clusters.list(project_id=102)))
    wire = lazy.to_dict()
    assert "clusterName" in wire and "cluster_name" not in wire  # the default keeps the vendor's names
    eager = audkit.ThinkingData.Cluster(dict(wire, userTagDef={"userTagValueDefs": [{"tagValue": "v"}]},
                                             extraThing=1))
    for m in (lazy, eager):
        keys = list(m.keys())
        assert "cluster_name" in keys and "users_num" in keys and "clusterName" not in keys
        assert m["clusterName"] == m["cluster_name"] == m.cluster_name
        assert "clusterName" in m and "cluster_name" in m
        d = dict(m)
        assert d["cluster_name"] == m.cluster_name and d["refresh_time"] == wire["refreshTime"]
        snake = m.to_dict(wire_names=False)
        assert snake["cluster_name"] == wire["clusterName"] and "clusterName" not in snake
        assert set(snake) == set(keys)
    assert lazy._lazy
    assert list(eager.keys())[-1] == "extraThing" and eager["extraThing"] == 1
    snake = eager.to_dict(wire_names=False)
    assert snake["user_tag_def"] == {"user_tag_value_defs": [{"tag_value": "v"}]} and snake["extraThing"] == 1
    assert dict(eager)["user_tag_def"] == audkit.ThinkingData.TagDef(userTagValueDefs=[{"tagValue": "v"}])
    assert eager.to_dict()["userTagDef"] == {"userTagValueDefs": [{"tagValue": "v"}]}
    # sending back: to_dict() (wire names) and to_dict(wire_names=False) both describe the same object
    assert audkit.ThinkingData.Cluster(snake) == eager


def test_unknown_members_on_lazy_models_do_not_convert_the_model():
    with _canned([{"audience_id": 1, "name": "a", "vendor_new": {"k": [1]}}]) as tx:
        a = next(iter(tx.custom_audiences.list(account_id=1)))
    assert list(a.keys()) == ["audience_id", "name", "vendor_new"]
    assert a["vendor_new"] == {"k": [1]} and a.vendor_new == {"k": [1]} and "vendor_new" in a
    assert a._lazy


def test_a_field_named_items_stays_an_attribute():
    """Sensors' UserTagDir and Baidu's batch results have a field named `items`: the attribute
    is the field; the mapping still works (dict(), keys(), Model.items)."""
    d = audkit.SensorsData.UserTagDir(id=1, name="d", items=[{"id": 2, "name": "sub"}])
    assert isinstance(d.items, list) and d.items[0].id == 2
    assert dict(d)["items"] == d.items and list(d.keys()) == ["id", "name", "items"]
    assert list(audkit.Model.items(d))[0] == ("id", 1)
    assert d.to_dict(wire_names=False) == {"id": 1, "name": "d", "items": [{"id": 2, "name": "sub"}]}


def test_pandas_is_an_optional_extra():
    tomllib = pytest.importorskip("tomllib")
    import os

    root = os.path.join(os.path.dirname(__file__), "..", "..")
    with open(os.path.join(root, "pyproject.toml"), "rb") as f:
        proj = tomllib.load(f)["project"]
    assert proj.get("dependencies") == []  # pandas is never required
    assert any(r.startswith("pandas") for r in proj["optional-dependencies"]["pandas"])


@needs_pandas
def test_an_error_mid_frame_propagates_and_the_pager_continues(seeded, sb):
    with sb.client("tencent_ads", retries=0) as tx:
        pager = tx.custom_audiences.list(account_id=1, page_size=10)
        next(pager)  # page 1 fetched
        sb.fault("tencent_ads", "*", "http_500", times=1)
        with pytest.raises(audkit.HttpError):
            pager.to_frame()  # page 1's rest read, page 2 fails
        rest = pager.to_frame()  # page 2 retried
    assert rest["audience_id"].tolist() == list(range(100011, 100026))
