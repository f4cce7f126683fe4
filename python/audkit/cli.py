"""The ``audkit`` command line: every operation of every vendor, generated from the core's
descriptors (``audkit.describe()``) and the client classes.

    audkit tencent-ads custom-audiences list --account-id 1 --format jsonl
    audkit sensors-data user-tags get 7
    audkit sandbox --port 8765

Levels: ``audkit VENDOR [RESOURCE ...] OPERATION [ARGS] [OPTIONS]``; names are the descriptor
names in kebab-case. Request fields are ``--kebab-case`` options typed from the schema
(integers, numbers, booleans as ``--x/--no-x``, arrays as several values or a JSON array,
objects as JSON or ``@file``); the operation's required fields may also be given positionally,
in declaration order (``user-tags get 7`` binds 7 to ``id``). ``--json '{...}'`` (or
``@file``, ``@-`` for stdin) merges a whole parameter object; explicit options win over it.

Output (``--format``): ``json`` (default for single results; lazy operations stream a JSON
array item by item), ``jsonl`` (default for lazy operations: one JSON object per line),
``csv`` (header from the item schema's field names, nested objects flattened with dotted
names) and ``table`` (aligned text, buffered per batch of at most ``--max-items`` or 100 rows).
Pager and chunked operations are never buffered whole.

Credentials, ``base_url`` and a few client options come, first found wins, from flags
(``--access-token``...), environment variables ``AUDKIT_<KEY>_<PARAM>`` (read by the core),
or the config file (``$AUDKIT_CONFIG``, else ``$XDG_CONFIG_HOME/audkit/config.toml``, else
``~/.config/audkit/config.toml``): profile ``[default]`` or ``[profile.NAME]`` (``--profile``
or ``$AUDKIT_PROFILE``), one sub-table per vendor key::

    [default.tencent_ads]
    access_token = "..."

    [profile.staging]
    tencent_ads.access_token = "..."
    tencent_ads.base_url = "http://127.0.0.1:8765/tencent_ads/v1.1"

Exit codes: 0 success, 2 usage or validation, 3 auth, 4 not found, 5 rate limited, 6 transport
or timeout, 1 any other API error. Errors go to stderr as one line (a JSON object with
``--format json``). Secrets are never printed.

Stdlib only (argparse; tomllib on Python 3.11+, a minimal TOML reader on 3.10).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, TextIO, Tuple

__all__ = ["main", "EXIT_OK", "EXIT_ERROR", "EXIT_USAGE", "EXIT_AUTH", "EXIT_NOT_FOUND",
           "EXIT_RATE_LIMITED", "EXIT_TRANSPORT", "config_path", "load_config"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_NOT_FOUND = 4
EXIT_RATE_LIMITED = 5
EXIT_TRANSPORT = 6

FORMATS = ("json", "jsonl", "csv", "table")
#: client options a config-file vendor table may set besides credentials and base_url
CONFIG_OPTIONS = {
    "base_url": str, "timeout": float, "connect_timeout": float, "retries": int, "backoff": float,
    "max_backoff": float, "deadline": float, "proxy": str, "verify": bool, "ca_file": str,
    "user_agent": str,
}
#: per-call options given to the op method (skipped when the operation has a field of that name)
CALL_OPTIONS = (("timeout", float, "seconds per attempt (this call only)"),
                ("retries", int, "retries after the first attempt (0 disables)"),
                ("max_backoff", float, "cap of the retry backoff and of a server's Retry-After, seconds"),
                ("deadline", float, "bound on the whole call with its retries and waits, seconds"))
TABLE_BATCH = 100
TABLE_CELL = 40

EXIT_CODES_TEXT = ("exit codes: 0 success, 2 usage or validation, 3 auth, 4 not found, "
                   "5 rate limited, 6 transport or timeout, 1 any other API error")


#: credential values of this run, scrubbed from anything written to stderr
_SECRETS: List[str] = []


class UsageError(Exception):
    """A bad command line found after argparse (bad JSON, unknown profile...): exit 2."""


def kebab(name: str) -> str:
    return name.replace("_", "-")


# ---------------------------------------------------------------------------------------------
# config file


def config_path(environ: Optional[Mapping[str, str]] = None) -> str:
    env = os.environ if environ is None else environ
    if env.get("AUDKIT_CONFIG"):
        return env["AUDKIT_CONFIG"]
    base = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "audkit", "config.toml")


def _toml_value(text: str, where: str) -> Any:
    t = text.strip()
    if t.startswith('"""') or t.startswith("'''"):
        raise UsageError(f"{where}: multi-line strings are not supported by the TOML reader of Python 3.10")
    if t.startswith('"'):
        end = 1
        while end < len(t):
            if t[end] == "\\":
                end += 2
                continue
            if t[end] == '"':
                break
            end += 1
        if end >= len(t):
            raise UsageError(f"{where}: unterminated string")
        rest = t[end + 1:].strip()
        if rest and not rest.startswith("#"):
            raise UsageError(f"{where}: unexpected text after a value")
        return json.loads(t[:end + 1])
    if t.startswith("'"):
        end = t.find("'", 1)
        if end < 0:
            raise UsageError(f"{where}: unterminated string")
        rest = t[end + 1:].strip()
        if rest and not rest.startswith("#"):
            raise UsageError(f"{where}: unexpected text after a value")
        return t[1:end]
    t = t.split("#", 1)[0].strip()
    if t in ("true", "false"):
        return t == "true"
    try:
        return int(t.replace("_", ""), 10)
    except ValueError:
        pass
    try:
        return float(t.replace("_", ""))
    except ValueError:
        raise UsageError(f"{where}: unsupported value (strings, numbers and booleans only)") from None


def _toml_key(text: str, where: str) -> List[str]:
    parts = []
    for p in text.split("."):
        p = p.strip()
        if len(p) >= 2 and p[0] == p[-1] and p[0] in "\"'":
            p = p[1:-1]
        if not p:
            raise UsageError(f"{where}: bad key")
        parts.append(p)
    return parts


def parse_toml_minimal(text: str, name: str = "config") -> Dict[str, Any]:
    """A minimal TOML reader for Python 3.10 (no tomllib): ``[a.b]`` tables, ``key = value``
    with dotted keys, basic/literal strings, integers, floats, booleans and comments. Enough
    for audkit's config file; anything else is an error naming the line."""
    root: Dict[str, Any] = {}
    cur = root
    for n, line in enumerate(text.splitlines(), 1):
        where = f"{name}:{n}"
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("["):
            if s.startswith("[["):
                raise UsageError(f"{where}: arrays of tables are not supported")
            end = s.find("]")
            if end < 0 or (s[end + 1:].strip() and not s[end + 1:].strip().startswith("#")):
                raise UsageError(f"{where}: bad table header")
            cur = root
            for k in _toml_key(s[1:end], where):
                nxt = cur.setdefault(k, {})
                if not isinstance(nxt, dict):
                    raise UsageError(f"{where}: {k} is not a table")
                cur = nxt
            continue
        if "=" not in s:
            raise UsageError(f"{where}: expected key = value")
        k, v = s.split("=", 1)
        keys = _toml_key(k, where)
        tbl = cur
        for kk in keys[:-1]:
            nxt = tbl.setdefault(kk, {})
            if not isinstance(nxt, dict):
                raise UsageError(f"{where}: {kk} is not a table")
            tbl = nxt
        tbl[keys[-1]] = _toml_value(v, where)
    return root


def load_config(path: str) -> Dict[str, Any]:
    """The parsed config file ({} when it does not exist)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise UsageError(f"cannot read the config file {path}: {e.strerror}") from None
    try:
        import tomllib  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # Python 3.10
        try:
            return parse_toml_minimal(data.decode("utf-8"), path)
        except UnicodeDecodeError:
            raise UsageError(f"{path}: not UTF-8") from None
    try:
        return dict(tomllib.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, ValueError) as e:
        # tomllib's message names the line and column, never a value
        raise UsageError(f"{path}: {e}") from None


def profile_settings(config: Mapping[str, Any], profile: Optional[str], explicit: bool, key: str,
                     path: str) -> Dict[str, Any]:
    """The vendor table of one profile (``[default]`` or ``[profile.NAME]``)."""
    name = profile or "default"
    if name == "default":
        table = config.get("default")
        if table is None:
            table = (config.get("profile") or {}).get("default")
    else:
        table = (config.get("profile") or {}).get(name)
    if table is None:
        if explicit and name != "default":
            known = sorted((config.get("profile") or {}).keys())
            raise UsageError(f"profile {name!r} is not in {path} (profiles: {', '.join(known) or 'none'})")
        return {}
    if not isinstance(table, dict):
        raise UsageError(f"{path}: profile {name!r} must be a table")
    vendor = table.get(key)
    if vendor is None:
        vendor = table.get(kebab(key))
    if vendor is None:
        return {}
    if not isinstance(vendor, dict):
        raise UsageError(f"{path}: [{name}.{key}] must be a table")
    return dict(vendor)


# ---------------------------------------------------------------------------------------------
# descriptors -> parsers


def _rule_lines(schema_raw: Mapping[str, Any]) -> List[str]:
    out = []
    for r in schema_raw.get("rules") or ():
        text = r.get("text") or r.get("kind") or ""
        field = r.get("field")
        if field and not text.startswith(field):
            out.append(f"{field} {text}")
        else:
            out.append(text)
    return out


def _num(x: Any) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() and abs(x) < 2**63 else str(x)


def _field_help(f: Mapping[str, Any], positional: bool) -> str:
    t = f.get("type") or "any"
    if t == "array":
        t = f"array of {f.get('item_type') or 'any'}"
    if f.get("schema"):
        t += f" ({f['schema']}, JSON or @file)"
    elif t in ("object", "any") or t.startswith("array of object") or t.startswith("array of any"):
        t += " (JSON or @file)"
    parts = [t]
    if f.get("required"):
        parts.append("required" + (" (or positional)" if positional else ""))
    if f.get("values"):
        vals = [str(v) for v in f["values"]] + list((f.get("value_aliases") or {}).keys())
        parts.append("one of " + "|".join(vals))
    if f.get("minimum") is not None or f.get("maximum") is not None:
        lo, hi = f.get("minimum"), f.get("maximum")
        if hi is not None and hi >= 9.2e18:
            parts.append(f">= {_num(lo)}")
        else:
            parts.append(f"{_num(lo)}..{_num(hi)}")
    if f.get("multiple_of"):
        parts.append(f"multiple of {f['multiple_of']}")
    if f.get("decimals") is not None:
        parts.append(f"at most {f['decimals']} decimals")
    if f.get("min_length") is not None or f.get("max_length") is not None:
        parts.append(f"length {f.get('min_length') or 0}..{f.get('max_length', '')} {f.get('length_unit') or 'chars'}")
    if f.get("min_items") is not None or f.get("max_items") is not None:
        parts.append(f"{f.get('min_items') or 0}..{f.get('max_items', '')} items")
    text = "; ".join(parts)
    if f.get("doc"):
        text += ". " + str(f["doc"])
    if f.get("wire") and f.get("wire") != f.get("name"):
        text += f" [wire: {f['wire']}]"
    return text.replace("%", "%%")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=34, width=100)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *a: Any, **kw: Any) -> None:
        kw.setdefault("allow_abbrev", False)  # --prof must not silently mean --profiles
        super().__init__(*a, **kw)

    def error(self, message: str) -> Any:  # one usage line plus the error, exit 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class OpSpec:
    """What the parser needs to run one operation."""

    def __init__(self, platform: Any, op: Any, schema_raw: Mapping[str, Any]) -> None:
        self.platform = platform
        self.op = op
        self.fields: List[Dict[str, Any]] = [dict(f) for f in schema_raw.get("fields") or () if not f.get("output")]
        self.by_name = {f["name"]: f for f in self.fields}
        self.positional = op.positional_fields()
        self.call_options = [c for c in CALL_OPTIONS if c[0] not in self.by_name]
        self.credentials = [c for c in platform.credentials if c not in self.by_name]
        self.rules = _rule_lines(schema_raw)


def _common_options(p: argparse.ArgumentParser, spec: OpSpec) -> None:
    g = p.add_argument_group("output")
    g.add_argument("--format", choices=FORMATS, default=argparse.SUPPRESS,
                   help="json, jsonl, csv or table (default: jsonl for lazy operations, json otherwise)")
    g.add_argument("--max-items", type=int, metavar="N", default=argparse.SUPPRESS,
                   help="stop after N items")
    g.add_argument("--no-progress", action="store_true", default=argparse.SUPPRESS,
                   help="no progress display on stderr (shown only when stderr is a terminal: "
                        "a tqdm bar when tqdm is installed, else one updating line)")
    if spec.op.raw.get("stream_result"):
        g.add_argument("--output", "-o", metavar="PATH", default=argparse.SUPPRESS,
                       help="write the exported CSV to PATH instead of stdout")
    if spec.op.raw.get("stream_body"):
        g.add_argument("--source", metavar="PATH", default=argparse.SUPPRESS, required=True,
                       help="the ids to upload: a CSV file, or - for stdin")
    c = p.add_argument_group("connection (flags > AUDKIT_<KEY>_<PARAM> > config file)")
    key = spec.platform.key.upper()
    c.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS,
                   help="config-file profile (default: $AUDKIT_PROFILE or default)")
    c.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                   help="config file (default: $AUDKIT_CONFIG or ~/.config/audkit/config.toml)")
    if "base_url" not in spec.by_name:
        c.add_argument("--base-url", metavar="URL", default=argparse.SUPPRESS, dest="base_url",
                       help=f"API base URL (env AUDKIT_{key}_BASE_URL)")
    for cred in spec.credentials:
        secret = cred in spec.platform.secrets
        c.add_argument("--" + kebab(cred), metavar="SECRET" if secret else "VALUE", dest="cred_" + cred,
                       default=argparse.SUPPRESS,
                       help=f"credential {cred}{' (secret)' if secret else ''} (env AUDKIT_{key}_{cred.upper()})")
    for name, typ, text in spec.call_options:
        c.add_argument("--" + kebab(name), type=typ, metavar="N", dest="call_" + name,
                       default=argparse.SUPPRESS, help=text)


def _op_parser(sub: Any, name: str, spec: OpSpec) -> None:
    op = spec.op
    desc = [op.doc or op.name, "", f"{op.method} {op.path}  ({spec.platform.key} {op.name}, kind {op.kind})"]
    if op.lazy:
        desc.append("Lazy: items are fetched page by page and streamed as they arrive.")
    if spec.positional:
        desc.append("Positional arguments bind, in order, to: " + ", ".join(spec.positional) + ".")
    epilog = []
    if spec.rules:
        epilog.append("rules:")
        epilog += ["  " + r for r in spec.rules]
    epilog.append(EXIT_CODES_TEXT)
    p = sub.add_parser(name, help=(op.doc or op.name).replace("%", "%%"), description="\n".join(desc),
                       epilog="\n".join(epilog), formatter_class=_Formatter)
    p.set_defaults(_spec=spec)
    if spec.positional:
        p.add_argument("_args", nargs="*", metavar=" ".join(kebab(x).upper() for x in spec.positional),
                       help="the required fields, in this order (or as options)")
    g = p.add_argument_group("parameters (from the request schema)")
    g.add_argument("--json", metavar="JSON|@FILE", dest="_json", default=argparse.SUPPRESS,
                   help="a JSON object of parameters (snake_case or wire names); @FILE reads a file, @- stdin")
    for f in spec.fields:
        opt = "--" + kebab(f["name"])
        dest = "p_" + f["name"]
        h = _field_help(f, f["name"] in spec.positional)
        t = f.get("type")
        if t == "boolean":
            g.add_argument(opt, action=argparse.BooleanOptionalAction, dest=dest, default=argparse.SUPPRESS, help=h)
        elif t == "array" and (f.get("item_type") or "any") not in ("object", "any"):
            g.add_argument(opt, nargs="+", action="extend", dest=dest, metavar="VALUE", default=argparse.SUPPRESS,
                           help=h + " (several values, or one JSON array)")
        else:
            metavar = {"integer": "INT", "number": "NUM", "string": "TEXT", "enum": "VALUE"}.get(t or "", "JSON")
            g.add_argument(opt, dest=dest, metavar=metavar, default=argparse.SUPPRESS, help=h)
    _common_options(p, spec)


def _schema_raw(pd: Mapping[str, Any], name: Optional[str]) -> Mapping[str, Any]:
    if not name:
        return {}
    return (pd.get("schemas") or {}).get(name) or {}


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree, from ``audkit.describe()`` and the client classes."""
    from . import _client

    classes = _client.client_classes()
    described = {pd["key"]: pd for pd in _client.describe().get("platforms") or ()}
    top = _Parser(prog="audkit", formatter_class=_Formatter,
                  description="Audience, tag and keyword APIs of Tencent Ads, Sensors Data, ThinkingData, "
                              "Baidu search ads and Volcengine live, from the command line.\n\n"
                              "  audkit VENDOR [RESOURCE] OPERATION [ARGS] [--options]\n"
                              "  audkit VENDOR --help          lists its operations\n"
                              "  audkit sandbox [--port N]     starts the local emulator",
                  epilog=EXIT_CODES_TEXT + "\nSee docs/CLI.md.")
    from . import __version__

    top.add_argument("--version", action="version", version=f"audkit {__version__}")
    vendors = top.add_subparsers(title="vendors", metavar="VENDOR")
    vendors.required = True
    vendors.add_parser("sandbox", help="start the local emulator (audkit sandbox --help)", add_help=False)
    for key, cls in classes.items():
        platform: Any = cls._platform
        pd = described.get(key, {})
        creds = ", ".join(platform.credentials) or "none"
        vp = vendors.add_parser(
            kebab(key), help=f"{platform.display_name} operations", formatter_class=_Formatter,
            description=f"{platform.display_name} ({key}).\n\nCredentials: {creds} (flags --kebab-case, env "
                        f"AUDKIT_{key.upper()}_<PARAM>, or the config file).\n"
                        f"Default base URL: {platform.default_base_url or 'none (self-hosted: --base-url is required)'}",
            epilog=EXIT_CODES_TEXT)
        tree: Dict[str, Any] = {}
        for op in platform.ops.values():
            parts = op.name.split(".")
            node = tree
            for part in parts[:-1]:
                nxt = node.setdefault(part, {})
                if not isinstance(nxt, dict):
                    nxt = node[part] = {}
                node = nxt
            if not isinstance(node.get(parts[-1]), dict):
                node[parts[-1]] = op

        def add(parser: argparse.ArgumentParser, node: Dict[str, Any], path: str) -> None:
            lines = []
            for n, sub in node.items():
                if isinstance(sub, dict):
                    lines.append(f"  {kebab(n)} ...: {len(sub)} operations")
                else:
                    lines.append(f"  {kebab(n)}: {sub.doc or sub.name}")
            subs = parser.add_subparsers(title="operations and resources", metavar="COMMAND")
            subs.required = True
            for n, sub in node.items():
                if isinstance(sub, dict):
                    rp = subs.add_parser(kebab(n), help=f"{', '.join(kebab(x) for x in sub)}",
                                         formatter_class=_Formatter,
                                         description=f"{platform.display_name}: {(path + ' ' + n).strip()} operations.",
                                         epilog=EXIT_CODES_TEXT)
                    add(rp, sub, (path + " " + kebab(n)).strip())
                else:
                    spec = OpSpec(platform, sub, _schema_raw(pd, sub.raw.get("request")))
                    _op_parser(subs, kebab(n), spec)

        add(vp, tree, "")
    return top


# ---------------------------------------------------------------------------------------------
# arguments -> parameters


def _read_arg_file(v: str, what: str) -> str:
    if v == "@-":
        return sys.stdin.read()
    path = v[1:]
    try:
        with open(path, "r", encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise UsageError(f"{what}: cannot read {path}: {e.strerror}") from None


def _json_arg(v: str, what: str) -> Any:
    text = _read_arg_file(v, what) if v.startswith("@") else v
    try:
        return json.loads(text)
    except ValueError as e:
        # the position only, never the text (it may hold anything)
        raise UsageError(f"{what}: not valid JSON (line {getattr(e, 'lineno', '?')}, column {getattr(e, 'colno', '?')})") \
            from None


def _scalar(t: str, v: str, f: Mapping[str, Any], what: str) -> Any:
    if t == "integer":
        if v in (f.get("value_aliases") or {}):
            return v
        try:
            return int(v, 10)
        except ValueError:
            raise UsageError(f"{what}: must be an integer") from None
    if t == "number":
        try:
            return float(v) if any(c in v for c in ".eE") else int(v, 10)
        except ValueError:
            raise UsageError(f"{what}: must be a number") from None
    if t == "boolean":
        if v.lower() in ("true", "1", "yes"):
            return True
        if v.lower() in ("false", "0", "no"):
            return False
        raise UsageError(f"{what}: must be true or false")
    if t == "any":
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def convert(f: Mapping[str, Any], value: Any) -> Any:
    """A command-line value (a string, or a list of strings for arrays) as the field's type."""
    what = "--" + kebab(f["name"])
    t = f.get("type") or "any"
    if isinstance(value, bool):
        return value
    if t == "array":
        item = f.get("item_type") or "any"
        tokens = value if isinstance(value, list) else [value]
        if item in ("object", "any"):
            v = tokens[0] if len(tokens) == 1 else None
            if v is None:
                raise UsageError(f"{what}: give one JSON array (or @file)")
            return _json_arg(v, what)
        out: List[Any] = []
        for tok in tokens:
            s = tok.strip()
            if s.startswith("["):
                arr = _json_arg(s, what)
                if not isinstance(arr, list):
                    raise UsageError(f"{what}: must be a JSON array")
                out.extend(arr)
            elif s.startswith("@"):
                arr = _json_arg(s, what)
                out.extend(arr if isinstance(arr, list) else [arr])
            elif item in ("integer", "number") and "," in s:
                out.extend(_scalar(item, x.strip(), f, what) for x in s.split(",") if x.strip())
            else:
                out.append(_scalar(item, tok, f, what))
        return out
    if t in ("object",) or (t == "any" and isinstance(value, str) and value.startswith("@")):
        return _json_arg(value, what)
    return _scalar(t, value, f, what)


def gather_params(ns: argparse.Namespace, spec: OpSpec) -> Dict[str, Any]:
    params: Dict[str, Any] = {}
    raw_json = getattr(ns, "_json", None)
    if raw_json is not None:
        obj = _json_arg(raw_json, "--json")
        if not isinstance(obj, dict):
            raise UsageError("--json: must be a JSON object")
        params.update(obj)
    explicit: Dict[str, Any] = {}
    for f in spec.fields:
        dest = "p_" + f["name"]
        if hasattr(ns, dest):
            explicit[f["name"]] = convert(f, getattr(ns, dest))
    args = list(getattr(ns, "_args", None) or [])
    free = [n for n in spec.positional if n not in explicit and n not in params]
    if len(args) > len(free):
        raise UsageError(f"too many positional arguments (positional: {', '.join(spec.positional) or 'none'}; "
                         "give the others as --options)")
    for name, v in zip(free, args):
        f = spec.by_name[name]
        if f.get("type") == "array":
            explicit[name] = convert(f, [v])
        else:
            explicit[name] = convert(f, v)
    # explicit values win over --json (a wire-name key in --json for the same field is dropped)
    for name in explicit:
        f = spec.by_name[name]
        for k in [f.get("wire"), *(f.get("aliases") or ())]:
            if k and k != name:
                params.pop(k, None)
    params.update(explicit)
    return params


def client_kwargs(ns: argparse.Namespace, spec: OpSpec, environ: Mapping[str, str]) -> Dict[str, Any]:
    """Credentials and client options: flags, else AUDKIT_<KEY>_<PARAM> (left to the core), else the
    config file's profile."""
    key = spec.platform.key
    explicit_profile = getattr(ns, "profile", None)
    profile = explicit_profile or environ.get("AUDKIT_PROFILE") or "default"
    path = getattr(ns, "config", None) or config_path(environ)
    if getattr(ns, "config", None) and not os.path.exists(path):
        raise UsageError(f"config file {path} does not exist")
    cfg = profile_settings(load_config(path), profile, bool(explicit_profile or environ.get("AUDKIT_PROFILE")),
                           key, path)
    kwargs: Dict[str, Any] = {}
    creds = set(spec.platform.credentials)
    for k, v in cfg.items():
        if k in creds:
            if not isinstance(v, str):
                raise UsageError(f"{path}: {key}.{k} must be a string")
        elif k in CONFIG_OPTIONS:
            want = CONFIG_OPTIONS[k]
            ok = isinstance(v, want) and not (want is not bool and isinstance(v, bool))
            if want is float and isinstance(v, int) and not isinstance(v, bool):
                ok = True
            if not ok:
                raise UsageError(f"{path}: {key}.{k} must be a {want.__name__}")
        else:
            raise UsageError(f"{path}: unknown setting {key}.{k} (credentials: {', '.join(sorted(creds))}; "
                             f"options: {', '.join(CONFIG_OPTIONS)})")
        env_name = f"AUDKIT_{key.upper()}_{k.upper()}"
        if (k in creds or k == "base_url") and environ.get(env_name):
            continue  # the environment wins over the file; the core reads it
        kwargs[k] = v
    for c in spec.credentials:
        if hasattr(ns, "cred_" + c):
            kwargs[c] = getattr(ns, "cred_" + c)
    if getattr(ns, "base_url", None):
        kwargs["base_url"] = ns.base_url
    _SECRETS.extend(str(kwargs[c]) for c in spec.platform.secrets if c in kwargs)
    return kwargs


# ---------------------------------------------------------------------------------------------
# output


def plain(value: Any) -> Any:
    """A result as plain JSON values with snake_case field names (models through ``to_dict()``;
    unknown fields keep their names)."""
    from ._models import Model, Page

    if isinstance(value, Page):
        return [plain(x) for x in value.items]
    if isinstance(value, Model):
        return _renamed(value.to_dict(), getattr(value, "_schema", None))
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(x) for x in value]
    return value


def _renamed(data: Any, schema: Any) -> Any:
    if not isinstance(data, dict) or schema is None:
        return data
    out: Dict[str, Any] = {}
    for k, v in data.items():
        f = schema.field(k)
        if f is None:
            out[k] = v
            continue
        sub = schema.registry.get(f.schema) if f.schema else None
        if sub is not None and isinstance(v, dict):
            v = _renamed(v, sub)
        elif sub is not None and isinstance(v, list):
            v = [_renamed(x, sub) for x in v]
        out[f.name] = v
    return out


def columns(schema: Any, prefix: str = "", depth: int = 0) -> List[str]:
    """Column names of a schema: field names, nested object schemas flattened with dots."""
    if schema is None:
        return []
    cols: List[str] = []
    for f in schema.fields:
        sub = schema.registry.get(f.schema) if f.schema and f.type == "object" else None
        if sub is not None and depth < 4:
            cols.extend(columns(sub, f"{prefix}{f.name}.", depth + 1))
        else:
            cols.append(prefix + f.name)
    return cols


def flatten(d: Any, prefix: str = "") -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if not isinstance(d, dict):
        out[prefix.rstrip(".") or "value"] = d
        return out
    for k, v in d.items():
        if isinstance(v, dict) and v:
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[prefix + k] = v
    return out


def cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    return str(v)


class Writer:
    """Writes items in one format as they come."""

    def __init__(self, fmt: str, out: TextIO, schema: Any, stream: bool) -> None:
        self.fmt = fmt
        self.out = out
        self.schema = schema
        self.stream = stream  # a sequence of items (json: an array), or one result
        self.count = 0
        self.cols: Optional[List[str]] = None
        self.batch: List[Dict[str, Any]] = []
        self.widths: Optional[List[int]] = None

    def item(self, x: Any) -> None:
        d = plain(x)
        if self.fmt == "jsonl":
            self.out.write(json.dumps(d, ensure_ascii=False) + "\n")
        elif self.fmt == "json":
            if self.stream:
                self.out.write(("[\n  " if self.count == 0 else ",\n  ") + json.dumps(d, ensure_ascii=False))
            else:
                self.out.write(json.dumps(d, ensure_ascii=False, indent=2) + "\n")
        elif self.fmt == "csv":
            import csv

            row = flatten(d)
            w = csv.writer(self.out, lineterminator="\n")
            if self.cols is None:
                self.cols = columns(self.schema) or list(row.keys())
                w.writerow(self.cols)
            w.writerow([cell(row.get(c)) for c in self.cols])
        else:
            self.batch.append(flatten(d))
            if len(self.batch) >= TABLE_BATCH:
                self._table()
        self.count += 1
        if self.fmt != "table":
            self.out.flush()

    def _table(self) -> None:
        rows, self.batch = self.batch, []
        if not rows:
            return
        if self.cols is None:
            cols = columns(self.schema)
            extra = [k for r in rows for k in r if k not in cols]
            cols = cols + list(dict.fromkeys(extra))
            # columns empty in the first batch are left out, to keep the table readable
            self.cols = [c for c in cols if any(r.get(c) not in (None, "", [], {}) for r in rows)] or cols[:1]
            self.widths = [len(c) for c in self.cols]
            cells = [[self._cell(r.get(c)) for c in self.cols] for r in rows]
            for line in cells:
                self.widths = [max(w, len(v)) for w, v in zip(self.widths, line)]
            self._line(self.cols)
            self._line(["-" * w for w in self.widths])
        else:
            cells = [[self._cell(r.get(c)) for c in self.cols] for r in rows]
        for line in cells:
            self._line(line)
        self.out.flush()

    @staticmethod
    def _cell(v: Any) -> str:
        s = cell(v).replace("\n", " ")
        return s if len(s) <= TABLE_CELL else s[:TABLE_CELL - 1] + "…"

    def _line(self, vals: Sequence[str]) -> None:
        assert self.widths is not None
        self.out.write("  ".join(v.ljust(w) for v, w in zip(vals, self.widths)).rstrip() + "\n")

    def close(self, failed: bool = False) -> None:
        if self.fmt == "json" and self.stream and not (failed and self.count == 0):
            self.out.write("[]\n" if self.count == 0 else "\n]\n")
        elif self.fmt == "table":
            self._table()
        self.out.flush()


def _item_schema(op: Any) -> Any:
    return op.item_schema() if (op.lazy or op.pager_desc() or op.item is not None) else op.result_schema()


def _base(target: Any) -> type:
    from . import _client

    return _client.Client if isinstance(target, _client.Client) else _client.Resource


def run_op(ns: argparse.Namespace, spec: OpSpec, out: TextIO, environ: Mapping[str, str]) -> int:
    from . import _client

    op = spec.op
    params = gather_params(ns, spec)
    kwargs = client_kwargs(ns, spec, environ)
    fmt = getattr(ns, "format", None)
    max_items = getattr(ns, "max_items", None)
    if max_items is not None and max_items < 0:
        raise UsageError("--max-items: must be >= 0")
    call_kw = {name: getattr(ns, "call_" + name) for name, _, _ in spec.call_options if hasattr(ns, "call_" + name)}
    display = progress_display(ns, op.name)
    if display is not None:
        call_kw["progress"] = display
    try:
        return _run_op(op, spec, params, kwargs, call_kw, ns, fmt, max_items, out)
    finally:
        if display is not None:
            display.close()


def progress_display(ns: argparse.Namespace, label: str, stream: Optional[TextIO] = None) -> Any:
    """The CLI's progress display (issue 12): on stderr, only when stderr is a terminal and
    ``--no-progress`` was not given: a tqdm bar when tqdm is installed, else one updating line."""
    from . import progress

    err = stream if stream is not None else sys.stderr
    if getattr(ns, "no_progress", False):
        return None
    try:
        if not err.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    try:
        return progress.TqdmReporter(label, file=err, leave=False)
    except ImportError:
        return progress.LineReporter(err, label)


def _run_op(op: Any, spec: OpSpec, params: Dict[str, Any], kwargs: Dict[str, Any], call_kw: Dict[str, Any],
            ns: argparse.Namespace, fmt: Optional[str], max_items: Optional[int], out: TextIO) -> int:
    from . import _client

    cls = _client.client_class(spec.platform.key)
    with cls(**kwargs) as client:
        target: Any = client
        for part in op.name.split(".")[:-1]:
            target = getattr(target, _client.attr_name(part, _base(target)))
        method = getattr(target, _client.attr_name(op.name.split(".")[-1], _base(target)))
        if op.raw.get("stream_result"):
            return _run_export(method, params, call_kw, ns, fmt, max_items, out)
        if op.raw.get("stream_body"):
            src = ns.source
            if src == "-":
                call_kw["source"] = sys.stdin.buffer
            else:
                call_kw["source"] = src
        result = method(**params, **call_kw)
        if op.lazy:
            w = Writer(fmt or "jsonl", out, _item_schema(op), stream=True)
            try:
                for x in result:
                    if max_items is not None and w.count >= max_items:
                        break
                    w.item(x)
            except BaseException:
                w.close(failed=True)
                raise
            w.close()
            failures = getattr(result, "failures", None) or []
            for fl in failures:
                sys.stderr.write("audkit: item failure: " + json.dumps(plain(fl), ensure_ascii=False) + "\n")
            return EXIT_ERROR if failures else EXIT_OK
        from ._models import Page

        if isinstance(result, (Page, list)):
            items = list(result.items if isinstance(result, Page) else result)
            if max_items is not None:
                items = items[:max_items]
            w = Writer(fmt or "json", out, _item_schema(op), stream=True)
            for x in items:
                w.item(x)
            w.close()
        elif result is None:
            if (fmt or "json") == "json":
                out.write("null\n")
        else:
            w = Writer(fmt or "json", out, op.result_schema(), stream=False)
            w.item(result)
            w.close()
    return EXIT_OK


class _TextSink:
    """A binary ``dest`` writing into a text stream (UTF-8, decoded as chunks arrive)."""

    def __init__(self, out: TextIO) -> None:
        import codecs

        self.out = out
        self.dec = codecs.getincrementaldecoder("utf-8")()

    def write(self, b: bytes) -> int:
        self.out.write(self.dec.decode(bytes(b)))
        return len(b)

    def finish(self) -> None:
        self.out.write(self.dec.decode(b"", final=True))


def _run_export(method: Any, params: Dict[str, Any], call_kw: Dict[str, Any], ns: argparse.Namespace,
                fmt: Optional[str], max_items: Optional[int], out: TextIO) -> int:
    path = getattr(ns, "output", None)
    if (fmt in (None, "csv")) and max_items is None:
        if path:
            method(**params, **call_kw, dest=path)
            return EXIT_OK
        buf = getattr(out, "buffer", None)
        if buf is not None:
            out.flush()
            method(**params, **call_kw, dest=buf)
            buf.flush()
        else:  # a text stream (tests): decode as it comes
            sink = _TextSink(out)
            method(**params, **call_kw, dest=sink)
            sink.finish()
        return EXIT_OK
    rows = method(**params, **call_kw)
    w = Writer(fmt or "csv", open(path, "w", encoding="utf-8", newline="") if path else out, None, stream=True)
    try:
        for row in rows:
            if max_items is not None and w.count >= max_items:
                break
            w.item(row)
    except BaseException:
        w.close(failed=True)
        raise
    else:
        w.close()
    finally:
        rows.close()
        if path:
            w.out.close()
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# errors


def exit_code(e: BaseException) -> int:
    from . import errors

    if isinstance(e, (UsageError, errors.ValidationError)):
        return EXIT_USAGE
    if isinstance(e, errors.AuthError):
        return EXIT_AUTH
    if isinstance(e, errors.NotFoundError):
        return EXIT_NOT_FOUND
    if isinstance(e, errors.RateLimitError):
        return EXIT_RATE_LIMITED
    if isinstance(e, errors.TransportError):  # TimeoutError included
        return EXIT_TRANSPORT
    if isinstance(e, errors.HttpError):
        status = getattr(e, "http_status", 0)
        return {401: EXIT_AUTH, 403: EXIT_AUTH, 404: EXIT_NOT_FOUND, 429: EXIT_RATE_LIMITED}.get(status, EXIT_ERROR)
    return EXIT_ERROR


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for s in secrets:
        if s and len(s) >= 4:
            text = text.replace(s, "***")
    return text


def report(e: BaseException, fmt: Optional[str], err: TextIO, secrets: Iterable[str]) -> int:
    code = exit_code(e)
    kind = getattr(e, "kind", None) or ("usage" if isinstance(e, UsageError) else type(e).__name__)
    message = " ".join(str(e).split())  # one line
    secrets = list(secrets)
    if fmt == "json":
        obj: Dict[str, Any] = {"error": {"kind": kind, "type": type(e).__name__, "message": message,
                                          "exit_code": code}}
        for attr in ("http_status", "vendor_code", "request_id", "retryable", "maybe_applied"):
            v = getattr(e, attr, None)
            if v not in (None, "", 0) or attr in ("retryable",) and v is not None:
                obj["error"][attr] = v
        viol = getattr(e, "violations", None)
        if viol:
            obj["error"]["violations"] = [{"field": f, "rule": r} for f, r in viol]
        err.write(_scrub(json.dumps(obj, ensure_ascii=False), secrets) + "\n")
    else:
        err.write(_scrub(f"audkit: {kind} error: {message}", secrets) + "\n")
    err.flush()
    return code


# ---------------------------------------------------------------------------------------------
# entry point


def _sandbox(argv: List[str]) -> int:
    from .sandbox import __main__ as sandbox_main

    old = sys.argv[0]
    sys.argv[0] = "audkit sandbox"
    try:
        return int(sandbox_main.main(argv) or 0)  # type: ignore[no-untyped-call,unused-ignore]
    finally:
        sys.argv[0] = old


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the CLI; returns the exit code (``sys.exit(main())`` in the console script)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "sandbox":
        try:
            return _sandbox(args[1:])
        except SystemExit as e:
            return e.code if isinstance(e.code, int) else (0 if e.code is None else EXIT_USAGE)
        except KeyboardInterrupt:
            return 130
    environ = os.environ
    fmt_hint = None
    if "--format" in args:
        i = args.index("--format")
        fmt_hint = args[i + 1] if i + 1 < len(args) else None
    elif any(a == "--format=json" for a in args):
        fmt_hint = "json"
    _SECRETS.clear()
    try:
        parser = build_parser()
    except ImportError as e:
        return report(RuntimeError(f"the native extension audkit._core is not available ({e}); "
                                   "build it with `pip install -e .`"), fmt_hint, sys.stderr, ())
    try:
        ns = parser.parse_args(args)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else EXIT_USAGE)
    spec: OpSpec = ns._spec
    fmt = getattr(ns, "format", None)
    key = spec.platform.key
    secrets = [environ.get(f"AUDKIT_{key.upper()}_{c.upper()}", "") for c in spec.platform.secrets]
    try:
        return run_op(ns, spec, sys.stdout, environ)
    except BrokenPipeError:  # `audkit ... | head`: the reader left
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write("audkit: interrupted\n")
        return 130
    except (Exception) as e:  # noqa: BLE001 - every error becomes an exit code and one line
        from . import errors

        if not isinstance(e, (UsageError, errors.Error)):
            if isinstance(e, (TypeError, ValueError)):  # options the client refused
                e = UsageError(str(e))
            else:
                raise
        return report(e, fmt, sys.stderr, secrets + _SECRETS)


def _console() -> None:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
