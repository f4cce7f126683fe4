"""Examples are tests: every examples/*.py runs against the in-process sandbox and exits 0."""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys

import pytest

pytest.importorskip("audkit._core")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "examples", "*.py")))

# What an example must print: the tour walks every vendor (a heading each) and shows the
# numbers that make its points (chunking, lazy paging, partial failures, the rate limit).
EXPECTED = {
    "tour.py": (
        "Tencent Ads: custom audiences", "left over: []",
        "Sensors Data: user tags", "5 tags in 3 requests",
        "ThinkingData: user clusters", "cluster_name='tour_1001'  1001",
        "Baidu search ads: keywords", "requests before the first item: 0",
        "all 10,001 keywords in 2 requests", "51 ad-group ids -> 102 keywords in 2 requests",
        "1 added, 2 failed", "keywordTypes[1].adgroupId",
        "Volcengine live: viewer track data", "requests sent: 0",
        "Tour finished.",
    ),
    "notebook.py": (
        "audiences: 105 rows x 58 columns",
        "dtypes: audience_id=Int64, user_count=Int64, is_own=boolean, name=string, created_time=datetime64",
        "first 3 audiences in 1 page request(s)",
        "LOOKALIKE          0        0          10       25",
        "LOOKALIKE        25000000",
        "lookalike seeds: #1: 35 audiences",
        "users tagged in total: ",
        "Notebook finished.",
    ),
    "tencent_audiences.py": (
        "created 11 audiences, refused 0",
        "ValidationError (8 violations):",
        "audience_spec.lbs_spec.custom_location_rule.area_list[0].circle_area.radius",
        "requests sent: 0",
        "11 audiences in 3 page requests",
        "audience_spec == the spec sent: True",
        "left over: 0",
        "Done.",
    ),
}

# tencent_audiences.py creates one audience of every type (and of every rule of USER_ACTION and
# LBS): each appears as a "created  #<id>  <type>  <rule>" line.
TENCENT_CREATED = (
    ("CUSTOMER_FILE", "-"), ("LOOKALIKE", "seed"), ("USER_ACTION", "URL"), ("USER_ACTION", "ACTION"),
    ("USER_ACTION", "AGGREGATION"), ("LBS", "POI"), ("LBS", "CROSS_CITY"), ("LBS", "CUSTOM_LOCATION"),
    ("KEYWORD", "-"), ("AD", "CONVERSION"), ("COMBINE", "-"),
)


@pytest.mark.parametrize("path", EXAMPLES, ids=[os.path.basename(p) for p in EXAMPLES])
def test_example_runs(path):
    if os.path.basename(path) == "notebook.py":
        pytest.importorskip("pandas", reason="examples/notebook.py needs pandas (pip install audkit[pandas])")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDKIT_")}
    env["PYTHONPATH"] = os.path.join(ROOT, "python") + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, path], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert out.stdout.strip()
    for needle in EXPECTED.get(os.path.basename(path), ()):
        assert needle in out.stdout, f"{needle!r} missing from the output:\n{out.stdout[-3000:]}"
    if os.path.basename(path) == "tour.py":  # Volcengine's 1 request/s limit spaced the two calls
        gap = re.search(r"saw the two requests ([0-9.]+) s apart", out.stdout)
        assert gap and float(gap.group(1)) >= 1.0, out.stdout[-3000:]
    if os.path.basename(path) == "tencent_audiences.py":
        for atype, rule in TENCENT_CREATED:
            line = re.compile(rf"^  created  #\d+ +{atype} +{re.escape(rule)} ", re.M)
            assert line.search(out.stdout), f"no {atype} ({rule}) audience created:\n{out.stdout[-3000:]}"
