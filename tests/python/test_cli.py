"""The ``audkit`` command line (issue 12) against the sandbox: every exit code, the four output
formats, --max-items and lazy streaming, positional ids, --json / --json @file, config-file
profiles and environment variables, secrets never printed, --help at every level, and
``python -m audkit`` / ``audkit sandbox`` as subprocesses."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

pytest.importorskip("audkit._core")

from audkit import cli  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PYTHON_DIR = os.path.join(ROOT, "python")
LOOKALIKE = {"lookalike_spec": {"seed_audience_id": 9, "expand_user_count": 1000000}}
WRONG_TOKEN = "wrong-token-0123456789abcdef"


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment: HOME in a tmp dir, no AUDKIT_* variables."""
    for k in list(os.environ):
        if k.startswith("AUDKIT_") or k == "XDG_CONFIG_HOME":
            monkeypatch.delenv(k)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def run(env, capsys, sandbox_clean):
    """run(*argv) -> (exit code, stdout, stderr), in process."""

    def go(*argv):
        code = cli.main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return go


def tencent(sb, token=None):
    return ["--base-url", sb.base_url("tencent_ads"),
            "--access-token", token or sb.credentials["tencent_ads"]["access_token"]]


def sensors(sb):
    c = sb.credentials["sensors_data"]
    return ["--base-url", sb.base_url("sensors_data"), "--token", c["token"], "--project", c["project"]]


def all_secrets(sb):
    out = []
    for key, creds in sb.credentials.items():
        for name, v in creds.items():
            if name in ("access_token", "token", "api_key", "secret_key", "op_password", "tg_password"):
                out.append(v)
    return out


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# -- outputs ---------------------------------------------------------------------------------


def test_jsonl_streams_items_and_max_items_fetches_one_page(run, sb):
    ids = sb.seed("tencent_ads", "custom_audiences", 250, account_id=1)
    sb.clear_requests()
    code, out, err = run("tencent-ads", "custom-audiences", "list", "--account-id", 1, "--format", "jsonl",
                         "--max-items", 3, *tencent(sb))
    assert code == 0, err
    lines = out.splitlines()
    assert [json.loads(x)["audience_id"] for x in lines] == ids[:3]
    assert err == ""
    # lazy: 3 items of 250 need one page request, not three
    assert len([r for r in sb.requests("tencent_ads") if r.get("route") == "custom_audiences/get"]) == 1


def test_all_items_of_a_pager(run, sb):
    ids = sb.seed("tencent_ads", "custom_audiences", 25, account_id=1)
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--page-size", 10, *tencent(sb))
    assert code == 0, err
    # jsonl is the default for lazy operations; positional 1 binds to account_id
    assert [json.loads(x)["audience_id"] for x in out.splitlines()] == ids


def test_json_is_one_valid_array(run, sb):
    ids = sb.seed("tencent_ads", "custom_audiences", 4, account_id=1)
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--format", "json", *tencent(sb))
    assert code == 0, err
    assert [a["audience_id"] for a in json.loads(out)] == ids
    code, out, _ = run("tencent-ads", "custom-audiences", "list", 2, "--format", "json", *tencent(sb))
    assert code == 0 and json.loads(out) == []


def test_csv_header_from_schema_and_dotted_nested_columns(run, sb):
    ids = sb.seed("tencent_ads", "custom_audiences", 3, account_id=1, type="LOOKALIKE")
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--format", "csv", *tencent(sb))
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    header = rows[0]
    assert header[:3] == ["audience_id", "account_id", "name"]
    assert "audience_spec.lookalike_spec.seed_audience_id" in header
    assert "audience_spec" not in header
    assert len(rows) == 4
    recs = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["audience_id"]) for r in recs] == ids
    assert all(r["audience_spec.lookalike_spec.seed_audience_id"] for r in recs)
    assert recs[0]["cooperated"] == "false"


def test_table_is_aligned(run, sb):
    sb.seed("tencent_ads", "custom_audiences", 3, account_id=1)
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--format", "table", "--max-items", 2,
                         *tencent(sb))
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 4  # header, rule, 2 rows
    assert lines[0].split()[:3] == ["audience_id", "account_id", "name"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    col = lines[0].index("name")
    assert all(line[col:].startswith("seed_") for line in lines[2:])


def test_single_result_formats(run, sb):
    tag = sb.seed("sensors_data", "user_tags", 1)[0]
    code, out, err = run("sensors-data", "user-tags", "get", tag, *sensors(sb))
    assert code == 0, err
    assert json.loads(out)["id"] == tag  # json by default, positional id
    code, out, _ = run("sensors-data", "user-tags", "get", "--id", tag, "--format", "jsonl", *sensors(sb))
    assert code == 0 and len(out.splitlines()) == 1 and json.loads(out)["id"] == tag
    code, out, _ = run("sensors-data", "user-tags", "get", tag, "--format", "csv", *sensors(sb))
    rec = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rec) == 1 and rec[0]["id"] == str(tag)
    assert "last_partition_info.status" in rec[0]
    code, out, _ = run("sensors-data", "user-tags", "get", tag, "--format", "table", *sensors(sb))
    assert code == 0 and out.splitlines()[0].split()[0] == "id"


def test_streamed_export_and_upload(run, sb, tmp_path):
    sb.seed("sensors_data", "users", 7)
    cond = json.dumps({"conditions": [{"field": "user.city", "function": "isSet"}]})
    code, out, err = run("sensors-data", "users", "export-csv", cond, "--all-page", *sensors(sb))
    assert code == 0, err
    assert out.startswith("id,first_id") and out.count("\n") == 1 + 7  # the vendor's CSV, as it came
    path = tmp_path / "users.csv"
    code, out, err = run("sensors-data", "users", "export-csv", "--filter", cond, "--output", path, *sensors(sb))
    assert code == 0 and out == "" and path.read_bytes().count(b"\r\n") == 8, err
    code, out, err = run("sensors-data", "users", "export-csv", cond, "--format", "jsonl", "--max-items", 2,
                         *sensors(sb))
    assert code == 0 and len(out.splitlines()) == 2 and "id" in json.loads(out.splitlines()[0]), err
    ids = tmp_path / "ids.csv"
    ids.write_bytes(b"a1\r\nb2\r\n")
    td = ["--base-url", sb.base_url("thinking_data"), "--token", sb.credentials["thinking_data"]["token"]]
    code, out, err = run("thinking-data", "clusters", "import-ids", 1, "ids", "#account_id", "--cluster-name", "vip1",
                         "--source", ids, *td)
    assert code == 0, err
    code, out, err = run("thinking-data", "clusters", "import-ids", 1, "ids", "#account_id", "--cluster-name", "vip2", *td)
    assert code == 2 and "--source" in err


# -- parameters ------------------------------------------------------------------------------


def test_json_parameters_inline_and_from_a_file(run, sb, tmp_path):
    body = {"account_id": 1, "name": "from_json", "type": "LOOKALIKE", "audience_spec": LOOKALIKE}
    code, out, err = run("tencent-ads", "custom-audiences", "add", "--json", json.dumps(body), *tencent(sb))
    assert code == 0, err
    first = json.loads(out)["audience_id"]
    path = tmp_path / "params.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    # an explicit option wins over --json
    code, out, err = run("tencent-ads", "custom-audiences", "add", "--json", f"@{path}", "--name", "from_file",
                         *tencent(sb))
    assert code == 0, err
    second = json.loads(out)["audience_id"]
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(LOOKALIKE), encoding="utf-8")
    code, out, err = run("tencent-ads", "custom-audiences", "add", 1, "positional", "LOOKALIKE",
                         "--audience-spec", f"@{spec}", *tencent(sb))
    assert code == 0, err
    code, out, _ = run("tencent-ads", "custom-audiences", "list", 1, "--format", "jsonl", *tencent(sb))
    got = {json.loads(x)["audience_id"]: json.loads(x) for x in out.splitlines()}
    assert got[first]["name"] == "from_json" and got[second]["name"] == "from_file"
    assert {a["name"] for a in got.values()} == {"from_json", "from_file", "positional"}
    assert all(a["audience_spec"]["lookalike_spec"]["seed_audience_id"] == 9 for a in got.values())


def test_per_call_options_pass_through(run, sb):
    sb.fault("tencent_ads", "*", "rate_limit", times=1)
    # one retry absorbs the fault
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--retries", 1, "--max-backoff", 0.01,
                         "--timeout", 5, "--deadline", 10, *tencent(sb))
    assert code == 0, err


# -- exit codes ------------------------------------------------------------------------------


def test_exit_2_usage(run, sb):
    code, out, err = run("tencent-ads", "custom-audiences", "list", "--no-such-option", *tencent(sb))
    assert code == 2 and out == "" and "unrecognized arguments: --no-such-option" in err
    code, _, err = run("tencent-ads", "custom-audiences", "list", "--account-id", "abc", *tencent(sb))
    assert code == 2 and "--account-id: must be an integer" in err
    code, _, err = run("no-such-vendor")
    assert code == 2 and "invalid choice" in err
    code, _, err = run("tencent-ads", "custom-audiences", "add", "--json", "{not json", *tencent(sb))
    assert code == 2 and err.count("\n") == 1 and "--json: not valid JSON" in err
    code, _, err = run("tencent-ads", "custom-audiences", "list", 1, 2, *tencent(sb))
    assert code == 2 and "too many positional arguments" in err
    assert sb.requests("tencent_ads") == []


def test_exit_2_validation_names_every_violation_before_sending(run, sb):
    code, out, err = run("tencent-ads", "custom-audiences", "add", 1, "", "LOOKALIKE", *tencent(sb))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("audkit: validation error: ")
    assert "audience_spec.lookalike_spec" in err and "name" in err
    code, out, err = run("tencent-ads", "custom-audiences", "add", 1, "x", "LOOKALIKE", "--format", "json",
                         *tencent(sb))
    assert code == 2 and out == ""
    obj = json.loads(err)
    assert obj["error"]["kind"] == "validation" and obj["error"]["exit_code"] == 2
    assert {"field": "audience_spec.lookalike_spec", "rule": "is required when type=LOOKALIKE"} in \
        obj["error"]["violations"]
    assert sb.requests("tencent_ads") == []


def test_exit_2_missing_credentials(run, sb):
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--base-url", sb.base_url("tencent_ads"))
    assert code == 2 and "access_token" in err and out == ""


def test_exit_3_auth_and_the_token_is_never_printed(run, sb):
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, *tencent(sb, WRONG_TOKEN))
    assert code == 3 and out == ""
    assert err.startswith("audkit: auth error:") and err.count("\n") == 1
    assert WRONG_TOKEN not in out + err
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--format", "json", *tencent(sb, WRONG_TOKEN))
    assert code == 3 and json.loads(err)["error"]["exit_code"] == 3
    assert WRONG_TOKEN not in out + err


def test_exit_4_not_found(run, sb):
    code, out, err = run("sensors-data", "user-tags", "get", 999, *sensors(sb))
    assert code == 4 and out == ""
    assert "not_found" in err and "999" in err and err.count("\n") == 1


def test_exit_5_rate_limited(run, sb):
    sb.fault("tencent_ads", "*", "rate_limit", times=1)
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--retries", 0, *tencent(sb))
    assert code == 5 and out == "" and "rate_limited" in err


def test_exit_6_transport(run, sb):
    url = f"http://127.0.0.1:{closed_port()}/tencent_ads/v1.1"
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--base-url", url, "--retries", 0,
                         "--access-token", WRONG_TOKEN)
    assert code == 6 and out == "" and "transport" in err
    assert WRONG_TOKEN not in err


def test_exit_6_timeout(run, sb):
    sb.fault("tencent_ads", "*", "delay", times=1, delay_ms=1500)
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--retries", 0, "--timeout", 0.2,
                         "--format", "json", *tencent(sb))
    assert code == 6 and out == ""
    assert json.loads(err)["error"]["kind"] == "timeout"


def test_exit_1_other_api_errors(run, sb):
    args = ["tencent-ads", "custom-audiences", "add", 1, "dup", "LOOKALIKE", "--json",
            json.dumps({"audience_spec": LOOKALIKE}), *tencent(sb)]
    assert run(*args)[0] == 0
    code, out, err = run(*args)  # a duplicate name: the vendor's own error
    assert code == 1 and out == "" and "31001" in err
    sb.fault("tencent_ads", "*", "http_500", times=1)
    code, _, err = run("tencent-ads", "custom-audiences", "list", 1, "--retries", 0, *tencent(sb))
    assert code == 1 and "http" in err


def test_no_secret_in_any_output(run, sb):
    secrets = all_secrets(sb)
    sb.seed("tencent_ads", "custom_audiences", 2, account_id=1)
    outputs = []
    for fmt in cli.FORMATS:
        outputs.append(run("tencent-ads", "custom-audiences", "list", 1, "--format", fmt, *tencent(sb)))
    outputs.append(run("tencent-ads", "custom-audiences", "add", 1, "x", "LOOKALIKE", *tencent(sb)))
    outputs.append(run("tencent-ads", "custom-audiences", "list", 1, "--bogus", *tencent(sb)))
    outputs.append(run("sensors-data", "user-tags", "get", 12345, *sensors(sb)))
    outputs.append(run("tencent-ads", "custom-audiences", "list", "--help"))
    for code, out, err in outputs:
        for s in secrets:
            assert s not in out and s not in err


# -- credentials: config file and environment -------------------------------------------------


def write_config(home, sb, default_token):
    d = home / ".config" / "audkit"
    d.mkdir(parents=True, exist_ok=True)
    good = sb.credentials["tencent_ads"]["access_token"]
    (d / "config.toml").write_text(f"""
# audkit profiles
[default.tencent_ads]
base_url = "{sb.base_url("tencent_ads")}"
access_token = "{default_token}"

[profile.sandbox]
tencent_ads.base_url = "{sb.base_url("tencent_ads")}"
tencent_ads.access_token = "{good}"   # the sandbox's
tencent_ads.retries = 0

[profile.sandbox.sensors_data]
base_url = "{sb.base_url("sensors_data")}"
token = "{sb.credentials["sensors_data"]["token"]}"
project = "{sb.credentials["sensors_data"]["project"]}"
""", encoding="utf-8")
    return d / "config.toml"


def test_config_file_profiles(run, sb, env, monkeypatch):
    path = write_config(env, sb, WRONG_TOKEN)
    sb.seed("tencent_ads", "custom_audiences", 2, account_id=1)
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1)  # [default]: a wrong token
    assert code == 3 and WRONG_TOKEN not in out + err
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--profile", "sandbox")
    assert code == 0 and len(out.splitlines()) == 2, err
    tag = sb.seed("sensors_data", "user_tags", 1)[0]
    code, out, err = run("sensors-data", "user-tags", "get", tag, "--profile", "sandbox")
    assert code == 0 and json.loads(out)["id"] == tag, err
    monkeypatch.setenv("AUDKIT_PROFILE", "sandbox")
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1)
    assert code == 0, err
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--profile", "nope")
    assert code == 2 and "profile 'nope'" in err and "sandbox" in err
    # a flag wins over the profile
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--access-token", WRONG_TOKEN)
    assert code == 3 and WRONG_TOKEN not in out + err
    # --config names another file
    monkeypatch.delenv("AUDKIT_PROFILE")
    other = env / "other.toml"
    other.write_text(path.read_text(encoding="utf-8").replace(WRONG_TOKEN, sb.credentials["tencent_ads"]["access_token"]),
                     encoding="utf-8")
    code, _, err = run("tencent-ads", "custom-audiences", "list", 1, "--config", other)
    assert code == 0, err


def test_environment_wins_over_the_file(run, sb, env, monkeypatch):
    write_config(env, sb, WRONG_TOKEN)
    monkeypatch.setenv("AUDKIT_TENCENT_ADS_ACCESS_TOKEN", sb.credentials["tencent_ads"]["access_token"])
    code, _, err = run("tencent-ads", "custom-audiences", "list", 1)
    assert code == 0, err
    # environment only, no config file at all
    (env / ".config" / "audkit" / "config.toml").unlink()
    monkeypatch.setenv("AUDKIT_TENCENT_ADS_BASE_URL", sb.base_url("tencent_ads"))
    code, _, err = run("tencent-ads", "custom-audiences", "list", 1)
    assert code == 0, err
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1, "--access-token", WRONG_TOKEN)
    assert code == 3 and WRONG_TOKEN not in out + err


def test_bad_config_file_is_a_usage_error(run, sb, env):
    d = env / ".config" / "audkit"
    d.mkdir(parents=True)
    (d / "config.toml").write_text('[default.tencent_ads]\naccess_tokn = "s3cr3t-value"\n', encoding="utf-8")
    code, out, err = run("tencent-ads", "custom-audiences", "list", 1)
    assert code == 2 and "access_tokn" in err and "s3cr3t-value" not in err


def test_minimal_toml_reader_matches_tomllib(sb, tmp_path):
    tomllib = pytest.importorskip("tomllib")
    path = write_config(tmp_path, sb, "tok'en\"x")
    text = path.read_text(encoding="utf-8").replace('"tok\'en"x"', "'tok\"en'")
    text += "\n[profile.x]\nsensors_data.retries = 3\nsensors_data.verify = false\nsensors_data.timeout = 2.5\n"
    text += "'quoted'.\"k\" = 'lit'  # comment\n"
    assert cli.parse_toml_minimal(text) == tomllib.loads(text)


# -- help ------------------------------------------------------------------------------------


def test_help_at_every_level(run):
    code, out, _ = run("--help")
    assert code == 0
    for v in ("tencent-ads", "sensors-data", "thinking-data", "baidu-search", "volcengine-live", "sandbox"):
        assert v in out
    assert "exit codes" in out
    code, out, _ = run("sensors-data", "--help")
    assert code == 0 and "user-tags" in out and "persona" in out and "token, api_key, project" in out
    code, out, _ = run("sensors-data", "user-tags", "--help")
    assert code == 0
    for op in ("get", "list", "partitions", "wait-computed", "set-status"):
        assert f"\n    {op} " in out or f"\n    {op}\n" in out
    code, out, _ = run("tencent-ads", "custom-audiences", "add", "--help")
    assert code == 0
    for text in ("--account-id", "--audience-spec", "CUSTOMER_FILE|LOOKALIKE", "length 1..32 bytes",
                 "audience_spec.lookalike_spec is required when type=LOOKALIKE", "--access-token SECRET",
                 "--format", "--max-items", "--json", "exit codes", "--retries"):
        assert text in " ".join(out.split()), text
    code, out, _ = run("volcengine-live", "get-account-user-track-data", "--help")
    assert code == 0 and "--access-key" in out and "--secret-key" in out


def test_every_operation_has_a_command_with_its_parameters(run):
    import audkit

    for pd in audkit.describe()["platforms"]:
        for od in pd["ops"]:
            words = [cli.kebab(pd["key"])] + [cli.kebab(p) for p in od["name"].split(".")]
            code, out, err = run(*words, "--help")
            assert code == 0, (words, err)
            flat = " ".join(out.split())
            schema = pd["schemas"].get(od.get("request") or "", {})
            for f in schema.get("fields") or ():
                if not f.get("output"):
                    assert "--" + cli.kebab(f["name"]) in flat, (words, f["name"])


# -- subprocesses ----------------------------------------------------------------------------


def sub_env(extra=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AUDKIT_")}
    e["PYTHONPATH"] = PYTHON_DIR + os.pathsep + e.get("PYTHONPATH", "")
    e.update(extra or {})
    return e


def test_python_dash_m_audkit(sandbox_clean, tmp_path):
    sb = sandbox_clean
    ids = sb.seed("tencent_ads", "custom_audiences", 3, account_id=1)
    env = sub_env({"HOME": str(tmp_path), "AUDKIT_TENCENT_ADS_BASE_URL": sb.base_url("tencent_ads"),
                   "AUDKIT_TENCENT_ADS_ACCESS_TOKEN": sb.credentials["tencent_ads"]["access_token"]})
    p = subprocess.run([sys.executable, "-m", "audkit", "tencent-ads", "custom-audiences", "list",
                        "--account-id", "1", "--format", "jsonl"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert [json.loads(x)["audience_id"] for x in p.stdout.splitlines()] == ids
    p = subprocess.run([sys.executable, "-m", "audkit", "sensors-data", "user-tags", "get", "1", "--base-url",
                        sb.base_url("sensors_data"), "--token", WRONG_TOKEN, "--project", "default"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 3 and WRONG_TOKEN not in p.stdout + p.stderr


def test_audkit_sandbox_starts(tmp_path):
    p = subprocess.Popen([sys.executable, "-m", "audkit", "sandbox", "--port", "0"], env=sub_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        info = json.loads(line)
        assert info["url"].startswith("http://127.0.0.1:")
        assert "tencent_ads" in info["base_urls"]
    finally:
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            p.kill()
            p.wait()
    assert p.returncode == 0
    p.stdout.close()
    p.stderr.close()


def test_examples_cli_sh(tmp_path):
    if shutil.which("jq") is None or shutil.which("bash") is None:
        pytest.skip("examples/cli.sh needs bash and jq")
    p = subprocess.run(["bash", os.path.join(ROOT, "examples", "cli.sh")], env=sub_env({"HOME": str(tmp_path)}),
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "CLI example finished" in p.stdout
