#!/usr/bin/env python3
"""From the sandbox to a pandas DataFrame and a plot-ready aggregation, notebook style.

    pip install audkit[pandas]          # pandas is an optional dependency
    python examples/notebook.py

Each ``# %%`` block is one notebook cell (Jupyter, VS Code and PyCharm open the file as a
notebook as is). The script starts the audkit sandbox (the local emulator of the vendor APIs)
in this process, seeds Tencent audiences and Sensors Data user tags, reads them into
DataFrames with ``pager.to_frame()`` (one column per field, snake_case names, ``Int64`` ids,
datetimes where the schema says so), aggregates them and stops the sandbox. In a notebook,
end a cell with the frame instead of printing it, and draw the aggregations with
``.plot.bar()`` (needs matplotlib).
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))  # run from a source tree too

import audkit  # noqa: E402
from audkit import sandbox  # noqa: E402  (stdlib only)

WIDTH = 120

# %% the sandbox, with data to look at
sb = sandbox.start()
try:
    for atype, status, n, users in (("CUSTOMER_FILE", "SUCCESS", 40, 120_000), ("CUSTOMER_FILE", "PENDING", 15, 0),
                                    ("LOOKALIKE", "SUCCESS", 25, 1_000_000), ("LOOKALIKE", "PROCESSING", 10, 0),
                                    ("KEYWORD", "SUCCESS", 12, 56_000), ("KEYWORD", "ERROR", 3, 0)):
        sb.seed("tencent_ads", "custom_audiences", n, account_id=1, type=atype, status=status, user_count=users,
                name_prefix=atype.lower())
    sb.seed("sensors_data", "user_tags", 6, partitions=3)
    tx = sb.client("tencent_ads")
    sd = sb.client("sensors_data")

    # %% every audience into a DataFrame (pages fetched as the frame is built)
    try:
        audiences = tx.custom_audiences.list(account_id=1, page_size=50).to_frame()
    except ImportError as e:  # pandas is not installed
        sys.exit(f"examples/notebook.py: {e}")
    print(f"audiences: {len(audiences)} rows x {len(audiences.columns)} columns")
    print(audiences[["audience_id", "name", "type", "status", "user_count", "created_time"]]
          .head(5).to_string(line_width=WIDTH))
    print()
    print("dtypes:", ", ".join(f"{c}={audiences[c].dtype}"
                               for c in ("audience_id", "user_count", "is_own", "name", "created_time")))
    print()

    # %% a quick look: max_items stops after one page request
    pager = tx.custom_audiences.list(account_id=1, page_size=50)
    head = pager.to_frame(max_items=3)
    print(f"first {len(head)} audiences in {pager.pages_fetched} page request(s):",
          ", ".join(head["name"].tolist()))
    print()

    # %% plot-ready aggregations
    per_type_status = audiences.groupby(["type", "status"]).size().unstack(fill_value=0)
    print("audiences per type and status (.plot.bar(stacked=True)):")
    print(per_type_status.to_string(line_width=WIDTH))
    print()
    users_by_type = (audiences[audiences["status"] == "SUCCESS"]
                     .groupby("type")["user_count"].sum().sort_values(ascending=False))
    print("users in ready audiences, by type (.plot.barh()):")
    print(users_by_type.to_string())
    print()
    per_day = audiences.set_index("created_time").resample("D").size()
    print("audiences created per day, China time (.plot()):")
    print(per_day.to_string())
    print()

    # %% nested fields are dotted columns: the seed of every lookalike audience
    lal = audiences[audiences["type"] == "LOOKALIKE"]
    seeds = lal["audience_spec.lookalike_spec.seed_audience_id"].value_counts()
    print("lookalike seeds:", ", ".join(f"#{int(k)}: {int(v)} audiences" for k, v in seeds.items()))
    print()

    # %% Sensors Data tags: the last computed partition of every tag, flattened
    tags = sd.user_tags.list().to_frame()
    cols = ["id", "name", "status", "last_succeed_partition.base_time", "last_succeed_partition.user_count"]
    print("Sensors Data user tags:")
    print(tags[cols].to_string(line_width=WIDTH))
    print()
    print(f"users tagged in total: {int(tags['last_succeed_partition.user_count'].sum())}")
    tx.close()
    sd.close()
finally:
    sb.stop()
print("Notebook finished.")
