"""Hardening: hostile or damaged input gives one clear error, never a traceback, a hang
or a machine eaten; each failure of the hardening issue is a named regression test.

Scenario loading (game.safe_yaml, game.strategy_params), the session server (body
limits before the token is read, no 500s, allowed hosts), damaged session databases
and sweep parts, and piped output.
"""

from __future__ import annotations

import copy
import json
import math
import random
import time
from pathlib import Path

import pytest
import yaml

from game.errors import ScenarioError
from game.scenario import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "configs" / "tiny.yaml"
TINY_TEXT = TINY.read_text()
TINY_DATA = yaml.safe_load(TINY_TEXT)


def refused(path_or_data, *needles: str, source: str = "<test>") -> str:
    """Load, expect ScenarioError; return its message after checking it names `needles`."""
    with pytest.raises(ScenarioError) as info:
        if isinstance(path_or_data, Path):
            load_scenario(path_or_data)
        else:
            scenario_from_dict(path_or_data, source)
    msg = str(info.value)
    for n in needles:
        assert n in msg, msg
    return msg


def write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def timed(fn, limit: float):
    t = time.perf_counter()
    out = fn()
    took = time.perf_counter() - t
    assert took < limit, f"took {took:.2f} s"
    return out


# -- 3. YAML that eats the machine -------------------------------------------------------


def test_merge_key_bomb_is_refused_at_once(tmp_path):
    # 499 bytes that took 224 s and 2.5 GB: each level merges the previous one twice.
    text = "a0: &a0 {k: 1}\n" + "".join(f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}\n" for i in range(1, 26))
    assert len(text) < 800
    p = write(tmp_path, text)
    msg = timed(lambda: refused(p, "s.yaml", "merge keys", "line"), 1.0)
    assert "more than" in msg


def test_alias_bomb_inside_strategy_params_is_refused_at_once(tmp_path):
    data = copy.deepcopy(TINY_DATA)
    text = yaml.safe_dump(data, sort_keys=False)
    lol = "bomb: &l0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"bomb{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 9))
    text = lol + text.replace("kind: high_fence", "kind: high_fence\n      params: {threshold: *l8}")
    p = write(tmp_path, text)
    timed(lambda: refused(p, "expanded"), 1.0)


def test_a_big_file_is_refused_before_it_is_parsed(tmp_path):
    p = write(tmp_path, "name: " + "x" * (2 << 20) + "\n")
    timed(lambda: refused(p, "s.yaml", "over 1024 KiB"), 0.5)


def test_a_long_string_parses_quickly(tmp_path):
    # Under the size limit, libyaml reads a 900 KB string in milliseconds (PyYAML's pure parser: ~1 s).
    data = dict(copy.deepcopy(TINY_DATA), description="y" * 900_000)
    p = write(tmp_path, yaml.safe_dump(data, width=10**7))
    sc = timed(lambda: load_scenario(p), 0.5)
    assert len(sc.description) == 900_000


def test_duplicate_keys_are_refused(tmp_path):
    p = write(tmp_path, TINY_TEXT.replace("rounds: 10\n", "rounds: 10\nrounds: 3\n"))
    refused(p, "duplicate key 'rounds'", "line 8")
    # ...also inside a flow mapping, and between keys YAML reads as equal (1 and 0x1)
    p = write(tmp_path, TINY_TEXT.replace("{kind: coercer}", "{kind: coercer, kind: passive}"))
    refused(p, "duplicate key 'kind'")
    # A merge key's keys may be overridden: that is what merging means.
    text = TINY_TEXT.replace("rivals: [GAMMA]\n    strategy: {kind: high_fence}",
                             "rivals: [GAMMA]\n    <<: &common {resolve: 0.4, strategy: {kind: passive}}\n"
                             "    strategy: {kind: high_fence}")
    assert load_scenario(write(tmp_path, text)).states["ALPHA"].strategy.kind == "high_fence"


def test_extends_must_name_a_scenario_mapping(tmp_path):
    write(tmp_path, "- just\n- a list\n", "base.yaml")
    child = write(tmp_path, "extends: base.yaml\nname: child\n", "child.yaml")
    refused(child, "child.yaml", "extends:", "not a scenario")
    refused(write(tmp_path, "extends: nowhere.yaml\nname: x\n", "c2.yaml"), "c2.yaml", "no such scenario file")
    refused(write(tmp_path, "extends: [a, b]\nname: x\n", "c3.yaml"), "c3.yaml", "extends:", "expected the path")
    # A proper chain still works, and overrides merge key by key.
    write(tmp_path, TINY_TEXT, "tiny.yaml")
    sc = load_scenario(write(tmp_path, "extends: tiny.yaml\nrounds: 4\nstates: {GAMMA: {gdp: 1000}}\n", "c4.yaml"))
    assert sc.rounds == 4 and sc.states["GAMMA"].gdp == 1000 and sc.states["GAMMA"].resolve == 0.6


# -- 4. tracebacks instead of a clear error -------------------------------------------------


def test_utf16_bom_file_is_a_clear_error(tmp_path):
    p = write(tmp_path, b"\xff\xfe" + TINY_TEXT.encode("utf-16-le"))
    refused(p, "s.yaml", "not UTF-8", "0xff")


def test_thousand_nested_brackets_are_refused(tmp_path):
    p = write(tmp_path, "name: " + "[" * 1000 + "]" * 1000 + "\n")
    refused(p, "s.yaml", "nested deeper than")
    deep: list = []
    cur = deep
    for _ in range(5000):
        cur.append([])
        cur = cur[0]
    refused(dict(copy.deepcopy(TINY_DATA), description=deep), "description", "nested deeper than")


@pytest.mark.parametrize("params, where, needle", [
    ({"threshold": -1}, "params.threshold", "greater than or equal to 0"),
    ({"threshold": "high"}, "params.threshold", "valid number"),
    ({"rd_share": 2}, "params.rd_share", "less than or equal to 1"),
    ({"treshold": 0.8}, "params.treshold", "unknown parameter of strategy 'high_fence' (known: enforcement, "),
])
def test_strategy_params_are_checked_at_load(params, where, needle):
    data = copy.deepcopy(TINY_DATA)
    data["states"]["ALPHA"]["strategy"] = {"kind": "high_fence", "params": params}
    refused(data, f"states.ALPHA.strategy.{where}", needle)


def test_coercer_cooldown_soon_and_unknown_kinds_are_refused_at_load():
    data = copy.deepcopy(TINY_DATA)
    data["states"]["GAMMA"]["strategy"] = {"kind": "coercer", "params": {"cooldown": "soon"}}
    refused(data, "states.GAMMA.strategy.params.cooldown", "valid integer", "'soon'")
    data["states"]["GAMMA"]["strategy"] = {"kind": "coercer", "params": {"cooldown": 2.5, "boldness": True}}
    refused(data, "params.cooldown", "params.boldness", "2 problem(s)")
    data["states"]["GAMMA"]["strategy"] = {"kind": "bully"}
    refused(data, "states.GAMMA.strategy: unknown state strategy 'bully'", "coercer")
    data = copy.deepcopy(TINY_DATA)
    data["firms"][0]["strategy"] = "sneaky"
    refused(data, "firms.0.strategy", "unknown firm strategy 'sneaky'")
    # Every shipped strategy's defaults pass their own check.
    from agents.strategies import STATE_STRATEGIES
    from game.strategy_params import params_model

    for kind, cls in STATE_STRATEGIES.items():
        params_model(kind).model_validate(dict(cls.defaults))


def test_huge_and_non_finite_numbers_name_their_field(tmp_path):
    p = write(tmp_path, TINY_TEXT + "params: {embargo_rounds: 1.0e+20}\n")
    refused(p, "params.embargo_rounds", "expected a number between")
    data = copy.deepcopy(TINY_DATA)
    data["params"] = {"embargo_rounds": 1e20}
    refused(data, "params.embargo_rounds")
    for bad in (".nan", ".inf", "-.inf"):
        p = write(tmp_path, TINY_TEXT.replace("gdp: 20000", f"gdp: {bad}"))
        refused(p, "states.ALPHA.gdp", "finite number")
    data = copy.deepcopy(TINY_DATA)
    data["states"]["ALPHA"]["strategy"] = {"kind": "high_fence", "params": {"threshold": math.nan}}
    refused(data, "states.ALPHA.strategy.params.threshold", "finite")
    data = copy.deepcopy(TINY_DATA)
    data["script"] = [{"round": 1, "state": "ALPHA", "action": {"kind": "subsidy", "sector": "chips",
                                                                "amount": math.inf}}]
    refused(data, "script.0.action.amount", "finite")


def test_long_values_do_not_make_long_messages():
    msg = refused(dict(copy.deepcopy(TINY_DATA), rounds="9" * 100_000), "rounds")
    assert len(msg) < 500


# -- the loading fuzz: 0 tracebacks, 0 loads over 2 s ---------------------------------------

WEIRD = [None, True, False, 0, -1, 1, 2, 0.5, -0.5, 1e-300, 1e20, 10**30, 1e308, math.nan, math.inf, -math.inf,
         "", "x", "soon", "ALPHA", "GAMMA", "chips", "narrow", "💥", "a/b", "x" * 5000, [], {}, [1, 2], ["ALPHA"],
         {"kind": "passive"}, {"a": {"b": {"c": [None]}}}, [[[[[[]]]]]], {"kind": "coercer", "params": {}},
         "2020-13-45", 3.0, 1000, 10**6]
TEXT_SNIPPETS = [
    "\n", ":", "- ", "[", "]", "{", "}", "&a ", "*a", "<<: *a", "!!python/object:os.system", "!!binary AAAA",
    "!!set {a, b}", "? [a, b]\n: 1\n", "\t", "'", '"', "#", "%YAML 1.1\n---\n", "---\n", "...\n", "\x00", "\x85",
    "\ufeff", ".nan", ".inf", "1e400", "9" * 4400, "2001-13-01", "[" * 100, "]" * 100, "- " * 80, "extends: tiny.yaml\n",
    "extends: /dev/zero\n", "extends: .\n", "extends: missing.yaml\n", "&b [*b]", "strategy: {kind: coercer, params: {cooldown: soon}}",
    "name: a\nname: b\n", "rounds: 1.0e+20\n", "rounds: -1\n", "params: {embargo_rounds: 1.0e+20}\n",
]


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


def _mutate_value(rng: random.Random) -> dict:
    data = copy.deepcopy(TINY_DATA)
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _paths(data) if p]
        path = rng.choice(paths)
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        op = rng.random()
        if op < 0.55:
            parent[path[-1]] = copy.deepcopy(rng.choice(WEIRD))
        elif op < 0.7 and isinstance(parent, dict):
            del parent[path[-1]]
        elif op < 0.8 and isinstance(parent, dict):
            parent[rng.choice(["bogus", "extends", "params", "kind", str(rng.random())])] = rng.choice(WEIRD)
        elif op < 0.9:
            st = rng.choice(list(data.get("states") or {"ALPHA": None}) if isinstance(data.get("states"), dict)
                            else ["ALPHA"])
            try:
                data["states"][st]["strategy"] = {"kind": rng.choice(["high_fence", "coercer", "coalition_builder",
                                                                      "adaptive_learner", "tit_for_tat", "scripted",
                                                                      "broad_decoupler", "nope"]),
                                                  "params": {rng.choice(["threshold", "cooldown", "scope", "rate",
                                                                         "initial", "min_partners", "concede",
                                                                         "recency", "zzz"]): rng.choice(WEIRD)}}
            except (TypeError, KeyError):
                pass
        else:
            parent[path[-1]] = [copy.deepcopy(parent[path[-1]])] * rng.randint(0, 3)
    return data


def _mutate_text(rng: random.Random) -> str | bytes:
    text = TINY_TEXT
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        i = rng.randrange(len(text) + 1)
        if op < 0.3:
            text = text[:i] + rng.choice(TEXT_SNIPPETS) + text[i:]
        elif op < 0.45:
            text = text[:i] + text[i + rng.randint(1, 40):]
        elif op < 0.6:
            lines = text.splitlines(keepends=True)
            j = rng.randrange(len(lines))
            lines.insert(rng.randrange(len(lines)), lines[j])
            text = "".join(lines)
        elif op < 0.75:
            nums = [k for k, c in enumerate(text) if c.isdigit()]
            if nums:
                k = rng.choice(nums)
                text = text[:k] + str(rng.choice(WEIRD)) + text[k + 1:]
        elif op < 0.85:
            text = text[:i]
        elif op < 0.95:
            lines = text.splitlines(keepends=True)
            j = rng.randrange(len(lines))
            lines[j] = " " * rng.randint(0, 6) + lines[j].lstrip()
            text = "".join(lines)
        else:
            raw = bytearray(text.encode())
            for _ in range(rng.randint(1, 8)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
            return bytes(raw)
    return text


def test_fuzzed_scenarios_load_or_raise_scenario_error_quickly(tmp_path):
    rng = random.Random(20240611)
    write(tmp_path, TINY_TEXT, "tiny.yaml")
    outcomes = {"loaded": 0, "refused": 0}
    tracebacks, slow = [], []
    slowest = 0.0
    n = 2400
    for case in range(n):
        kind = "text" if case % 2 else "value"
        t = time.perf_counter()
        try:
            if kind == "text":
                p = write(tmp_path, _mutate_text(rng), f"fuzz{case % 7}.yaml")
                load_scenario(p)
            else:
                data = _mutate_value(rng)
                if case % 4 == 0:
                    try:
                        text = yaml.safe_dump(data, allow_unicode=True)
                    except yaml.YAMLError:
                        continue
                    load_scenario(write(tmp_path, text, f"fuzz{case % 7}.yaml"))
                else:
                    scenario_from_dict(data, "fuzz")
            outcomes["loaded"] += 1
        except ScenarioError as exc:
            assert str(exc).strip(), "an empty message"
            outcomes["refused"] += 1
        except Exception as exc:  # noqa: BLE001 - this is what the test counts
            tracebacks.append(f"case {case} ({kind}): {type(exc).__name__}: {str(exc)[:200]}")
        took = time.perf_counter() - t
        slowest = max(slowest, took)
        if took > 2.0:
            slow.append(f"case {case} ({kind}): {took:.1f} s")
    print(f"fuzz: {n} cases, {outcomes}, {len(tracebacks)} tracebacks, slowest load {slowest * 1000:.0f} ms")
    assert not tracebacks, f"{len(tracebacks)} tracebacks:\n" + "\n".join(tracebacks[:20])
    assert not slow, slow
    assert outcomes["loaded"] > 50 and outcomes["refused"] > 1000, outcomes


# -- 1 and 6. the session server --------------------------------------------------------------

SLASH = "BE/TA"  # a state whose name holds a "/"


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`highfence serve` in a subprocess with two sessions: tiny (seats BETA, GAMMA) and tiny
    with BETA renamed BE/TA (its seat)."""
    from game.session import SessionStore, create_session
    from game.web.server import free_port, spawn, stop

    db = tmp_path_factory.mktemp("served") / "games.sqlite"
    store = SessionStore(db)
    game = create_session(store, TINY, ["BETA", "GAMMA"], seed=3)
    text = TINY_TEXT.replace("BETA", SLASH)
    slash = create_session(store, scenario_from_dict(yaml.safe_load(text), "slash"), [SLASH], seed=1)
    port = free_port()
    proc = spawn(port, sessions=[game.session_id, slash.session_id], db=db, cwd=ROOT)
    info = {"port": port, "pid": proc.pid, "game": game, "slash": slash}
    yield info
    log = stop(proc)
    assert "Traceback" not in log, f"the server logged an error:\n{log[-4000:]}"


def _request(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
             timeout: float = 20.0) -> tuple[int, bytes, dict]:
    """One HTTP/1.1 request over a raw socket (so that any path or header can be sent)."""
    import socket

    headers = dict(headers or {})
    head = [f"{method} {path} HTTP/1.1", f"Host: {headers.pop('Host', f'127.0.0.1:{port}')}", "Connection: close"]
    if body is not None and "Content-Length" not in headers and "Transfer-Encoding" not in headers:
        headers["Content-Length"] = str(len(body))
    head += [f"{k}: {v}" for k, v in headers.items()]
    raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "replace") + (body or b"")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    head_text, _, payload = rest.partition(b"\r\n\r\n")
    got = {}
    for line in head_text.decode("latin-1").split("\r\n"):
        k, _, v = line.partition(":")
        got[k.strip().lower()] = v.strip()
    return int(status_line.split()[1]), payload, got


def _chunked_upload(port: int, path: str, total: int, headers: dict | None = None) -> tuple[int | None, int]:
    """POST `total` bytes chunked (1 MiB chunks) without waiting; returns (status or None, bytes sent)."""
    import socket

    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Transfer-Encoding: chunked",
            "Content-Type: application/json", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    chunk = b"[" * (1 << 20)
    sent = 0
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        try:
            while sent < total:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused and closed: what we want
        try:
            data = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            data = b""
    finally:
        sock.close()
    status = int(data.split()[1]) if data.startswith(b"HTTP/1.1 ") else None
    return status, sent


def test_unauthenticated_chunked_uploads_are_refused_before_reading(served):
    """10 concurrent 50 MB chunked POSTs to close-round without a token: each refused (403)
    after at most a few MiB, and the server's memory stays within 50 MiB of where it was."""
    from concurrent.futures import ThreadPoolExecutor

    port, pid, sid = served["port"], served["pid"], served["game"].session_id
    before = _rss_kib(pid)
    peak = before
    with ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(_chunked_upload, port, f"/api/session/{sid}/close-round", 50 << 20)
                   for _ in range(10)]
        while not all(f.done() for f in futures):
            peak = max(peak, _rss_kib(pid))
            time.sleep(0.02)
        results = [f.result() for f in futures]
    after = _rss_kib(pid)
    print(f"server RSS: before {before / 1024:.0f} MiB, peak {peak / 1024:.0f} MiB, after {after / 1024:.0f} MiB; "
          f"sent {[r[1] >> 20 for r in results]} MiB")
    assert (peak - before) < 50 * 1024 and (after - before) < 50 * 1024, (before, peak, after)
    assert all(sent < 50 << 20 for _, sent in results), results  # cut off early, not read to the end
    assert {status for status, _ in results} <= {403, None}, results
    # A facilitator's oversized chunked body: read up to 256 KiB, then 413.
    status, sent = _chunked_upload(port, f"/api/session/{sid}/close-round", 20 << 20,
                                   {"Authorization": f"Bearer {served['game'].facilitator_token}"})
    assert status in (413, None) and sent < 20 << 20, (status, sent)
    # A declared Content-Length over the limit is refused before any byte of the body is sent.
    status, body, headers = _request(port, "POST", f"/api/session/{sid}/close-round",
                                     {"Content-Length": str(300 << 20)}, b"")
    assert status == 413 and headers.get("connection") == "close", (status, body)


def test_history_with_huge_round_numbers_is_a_400(served):
    sid = served["game"].session_id
    for q in ("first=1e30", "first=" + "9" * 40, "last=-1", "first=99999999999", "first=%00", "last=NaN"):
        status, body, _ = _request(served["port"], "GET", f"/api/session/{sid}/history?{q}")
        assert status == 400 and b"expected a round number" in body, (q, status, body)


def test_deep_and_huge_json_bodies_are_a_400(served):
    sid, token = served["game"].session_id, served["game"].seat_tokens["BETA"]
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    path = f"/api/session/{sid}/seat/BETA/preview"
    for body in (b'{"actions": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
                 b'{"actions": [], "round": ' + b"7" * 5000 + b"}",
                 b'{"actions": [{"kind": "subsidy", "sector": "chips", "amount": NaN}]}',
                 b'{"actions": [{"kind": "subsidy", "sector": "chips", "amount": 1e999}]}',
                 b"\xff\xfe{}", b"[1, 2]", b'{"actions": "hold"}'):
        status, payload, _ = _request(served["port"], "POST", path, auth, body)
        assert status in (400, 413, 422), (body[:60], status, payload)
        assert json.loads(payload)["error"]


def test_a_seat_whose_name_holds_a_slash_opens_its_page(served):
    from urllib.parse import quote

    s = served["slash"]
    seat, token = quote(SLASH, safe=""), s.seat_tokens[SLASH]
    status, body, _ = _request(served["port"], "GET", f"/session/{s.session_id}/seat/{seat}?token={token}")
    assert status == 200 and b"Your briefing" in body or b"briefing" in body.lower(), (status, body[:300])
    status, body, _ = _request(served["port"], "GET", f"/api/session/{s.session_id}/seat/{seat}/orders",
                               {"Authorization": f"Bearer {token}"})
    assert status == 200 and json.loads(body)["seat"] == SLASH, (status, body)
    status, body, _ = _request(served["port"], "POST", f"/api/session/{s.session_id}/seat/{seat}/preview",
                               {"Authorization": f"Bearer {token}"}, b'{"actions": []}')
    assert status == 200, (status, body)
    status, _, headers = _request(served["port"], "GET", f"/session/{s.session_id}/join?token={token}")
    assert status == 303 and headers["location"].endswith(f"/seat/{seat}?token={token}"), headers


def test_public_status_does_not_show_the_facilitators_pending_injects(served):
    g = served["game"]
    fac = {"Authorization": f"Bearer {g.facilitator_token}"}
    inject = json.dumps({"inject": {"kind": "demand_shock", "sector": "chips", "factor": 1.1}}).encode()
    status, body, _ = _request(served["port"], "POST", f"/api/session/{g.session_id}/injects", fac, inject)
    assert status in (200, 409), body  # 409: the fuzz may have ended the session first
    status, body, _ = _request(served["port"], "GET", f"/api/session/{g.session_id}/status")
    assert status == 200 and "inject" not in body.decode(), body
    status, body, _ = _request(served["port"], "GET", f"/api/session/{g.session_id}/briefing", fac)
    assert status == 200 and "pending_injects" in json.loads(body)


def test_the_host_header_is_checked(served):
    port, sid = served["port"], served["game"].session_id
    for host in ("evil.example", "evil.example:80", f"attacker.test:{port}", "", "127.0.0.1.evil.example"):
        status, body, _ = _request(port, "GET", f"/api/session/{sid}/status", {"Host": host} if host else None)
        if host:
            assert status == 400 and b"not allowed" in body, (host, status, body)
    for page in ("/", f"/session/{sid}/public"):
        status, _, _ = _request(port, "GET", page, {"Host": "rebound.example"})
        assert status == 400
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "LOCALHOST"):
        status, _, _ = _request(port, "GET", f"/api/session/{sid}/status", {"Host": host})
        assert status == 200, host


def test_websockets_from_another_site_are_refused(served):
    """Cross-site WebSocket hijacking: a page elsewhere opening a socket to this server
    sends its own Origin and is refused (403 at the handshake); the server's own origin
    gets through the guard to the app."""
    import socket

    port = served["port"]

    def handshake(origin):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall((f"GET /jupyter/api/kernels/x/channels?session_id=y HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                       "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                       f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: {origin}\r\n\r\n").encode())
            return s.recv(200).split(b"\r\n", 1)[0]

    for origin in ("http://evil.example", f"http://evil.example:{port}", "null", "file://"):
        assert b" 403 " in handshake(origin), origin
    assert b" 403 " not in handshake(f"http://127.0.0.1:{port}")


def test_host_rules():
    from game.web.server import HostGuard, allowed_hosts, host_of

    assert host_of("[::1]:8765") == "::1" and host_of("Example.LAN.:80") == "example.lan" and host_of("a") == "a"
    local = HostGuard(None, allowed_hosts("127.0.0.1"))
    assert local.host_ok("localhost:1") and local.host_ok("[::1]:1") and not local.host_ok("192.168.1.20:1")
    assert not local.host_ok("evil.example") and not local.host_ok(None)
    assert local.origin_ok("http://localhost:8765") and local.origin_ok("https://127.0.0.1")
    assert not local.origin_ok("http://evil.example") and not local.origin_ok("null")
    lan = HostGuard(None, allowed_hosts("0.0.0.0"))
    assert lan.host_ok("192.168.1.20:8765") and not lan.host_ok("evil.example:8765")
    import os
    from unittest import mock

    with mock.patch.dict(os.environ, {"HIGHFENCE_ALLOWED_HOSTS": "mybox.lan, Table.local"}):
        named = HostGuard(None, allowed_hosts("127.0.0.1"))
    assert named.host_ok("mybox.lan:8765") and named.host_ok("table.local") and not named.host_ok("evil.example")


FUZZ_VALUES = ["", "0", "1", "-1", "1e30", "9" * 30, "NaN", "%00", "%FF", "%2F", "..", "x" * 3000, "BETA", "GAMMA",
               "NOPE", "chips", "%F0%9F%92%A5", "'", "<script>", "%0d%0a"]


def _fuzz_body(rng: random.Random) -> bytes:
    action = {"kind": rng.choice(["hold", "subsidy", "export_control", "set_tariff", "coerce", "embargo", "x", 1]),
              rng.choice(["sector", "target", "amount", "rate", "rounds", "partner", "enforcement"]):
                  rng.choice([None, -1, 0, 1e300, 10**30, "chips", "GAMMA", [], {}, True, "x" * 500])}
    shapes = [
        {"actions": [action] * rng.randint(0, 3), "round": rng.choice([None, 1, 2, -1, 10**20, "1", 1.5, True])},
        {"inject": {"kind": rng.choice(["demand_shock", "x"]), "sector": rng.choice(["chips", "x", None]),
                    "factor": rng.choice([0, -1, 2, 1e300, "x"])}, "round": rng.choice([None, 1, 99])},
        {"round": rng.choice([None, 1, 2, 10**18, "x"])}, {"actions": action}, {"append": rng.choice([1, "x", None])},
        [1, 2], "just a string", None, {"a": json.loads("[" * 20 + "]" * 20)}]
    body = json.dumps(rng.choice(shapes)).encode()
    r = rng.random()
    if r < 0.1:
        return body[: rng.randrange(len(body) + 1)]
    if r < 0.15:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    if r < 0.2:
        return b"[" * rng.randint(1000, 100_000)
    return body


def test_fuzzed_requests_never_get_a_500(served):
    from urllib.parse import quote

    rng = random.Random(8765)
    port, g, slash = served["port"], served["game"], served["slash"]
    sids = [g.session_id, slash.session_id, "nope", "..", "%2e%2e", "x" * 300, "%00"]
    tokens = [g.facilitator_token, *g.seat_tokens.values(), slash.facilitator_token, "hf_wrong", "", "x" * 5000,
              "\u00e9\u00e8"]
    tails = ["status", "briefing", "history", "world", "seat/{seat}/orders", "seat/{seat}/preview", "seat/{seat}/legal",
             "injects", "close-round", "pause", "unpause", "end", "nothing", "seat", "seat/{seat}", "seat/{seat}/x/y"]
    seats = ["BETA", "GAMMA", "BE%2FTA", "ALPHA", "NOPE", "", "%FF", "a/b/c"]
    posts = {"seat/{seat}/orders", "seat/{seat}/preview", "injects", "close-round", "pause", "unpause", "end"}
    statuses: dict[int, int] = {}
    for _ in range(1200):
        game = rng.choice([g, slash])
        sid = game.session_id if rng.random() < 0.85 else rng.choice(sids)
        template = rng.choice(tails)
        own_seat = rng.choice(list(game.seat_tokens))
        seat = quote(own_seat, safe="") if rng.random() < 0.75 else rng.choice(seats)
        tail = template.format(seat=seat)
        prefix = "/api/session" if rng.random() < 0.75 else rng.choice(["/session", "/_highfence", "/api", ""])
        path = f"{prefix}/{sid}/{tail}"
        if rng.random() < 0.5:
            path += "?" + "&".join(f"{rng.choice(['first', 'last', 'seat', 'sector', 'token', 'x'])}="
                                   f"{rng.choice(FUZZ_VALUES)}" for _ in range(rng.randint(1, 3)))
        headers = {}
        t = rng.choice([game.facilitator_token, game.seat_tokens[own_seat]]) if rng.random() < 0.75 else \
            rng.choice(tokens)
        how = rng.random()
        if how < 0.6:
            headers["Authorization"] = "Bearer " + t
        elif how < 0.7:
            headers["Authorization"] = rng.choice(["bearer ", "Basic ", "Bearer", "Bearer  "]) + t
        elif how < 0.85:
            headers["X-Highfence-Token"] = t
        if rng.random() < 0.3:
            headers["Content-Type"] = rng.choice(["application/json", "text/plain", "multipart/form-data", "x"])
        method = ("POST" if template in posts else "GET") if rng.random() < 0.85 else \
            rng.choice(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"])
        body = _fuzz_body(rng) if method in ("POST", "PUT") or rng.random() < 0.05 else None
        headers = {k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()}
        status, payload, _ = _request(port, method, path, headers, body)
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, (method, path, headers, (body or b"")[:200], status, payload[:300])
    print("statuses:", dict(sorted(statuses.items())))
    assert statuses.get(200, 0) > 20 and statuses.get(403, 0) > 20 and statuses.get(404, 0) > 20, statuses


# -- 5. damaged session databases -----------------------------------------------------------


@pytest.fixture(scope="module")
def played_db(tmp_path_factory) -> tuple[Path, str]:
    from game.session import SessionStore, create_session, open_session

    db = tmp_path_factory.mktemp("db") / "games.sqlite"
    store = SessionStore(db)
    g = create_session(store, TINY, ["BETA"], seed=1)
    s = open_session(store, g.session_id)
    for _ in range(3):
        s.close_round(g.facilitator_token)
    store.close()
    return db, g.session_id


def _session_cli(capsys, *args: str) -> tuple[int, str]:
    from game.cli import main

    code = main(["session", *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("damage", ["truncated", "garbage", "zero_bytes", "overwritten_pages"])
def test_a_damaged_session_database_is_one_clear_message(played_db, tmp_path, capsys, damage):
    import os

    src, sid = played_db
    raw = src.read_bytes()
    db = tmp_path / "damaged.sqlite"
    damaged = {"truncated": raw[: len(raw) // 2], "garbage": os.urandom(len(raw)), "zero_bytes": b"",
               "overwritten_pages": raw[:4096] + os.urandom(len(raw) - 4096)}[damage]
    db.write_bytes(damaged)
    for args in (["list"], ["show", sid], ["check", sid], ["resume", sid]):
        code, err = _session_cli(capsys, *args, "--db", str(db))
        assert code == 2, (args, err)
        assert "Traceback" not in err and err.count("\n") == 1 and str(db) in err, err
        assert ("empty (0 bytes)" if damage == "zero_bytes" else "damaged") in err, err
    assert db.read_bytes() == damaged  # left as it was: not re-created, not "repaired"
    code, err = _session_cli(capsys, "new", str(TINY), "--seat", "BETA", "--db", str(db))
    if damage == "zero_bytes":  # `session new` may start a database in an empty file: nothing is lost
        assert code == 0 and db.stat().st_size > 0, err
    else:  # and never over a damaged one
        assert code == 2 and str(db) in err and db.read_bytes() == damaged, err


def test_a_stored_record_that_is_not_json_is_a_clear_message(played_db, tmp_path, capsys):
    import shutil
    import sqlite3

    src, sid = played_db
    db = tmp_path / "edited.sqlite"
    shutil.copy(src, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE rounds SET events = '{not json' WHERE round = 2")
    code, err = _session_cli(capsys, "check", sid, "--db", str(db))
    assert code == 2 and "damaged" in err and "not JSON" in err, err


# -- 5. damaged sweep parts -----------------------------------------------------------------

TINY_SPEC = ROOT / "configs" / "sweeps" / "tiny.yaml"


@pytest.fixture(scope="module")
def sweep_done(tmp_path_factory) -> Path:
    from game.sweep import Sweep, run_sweep

    out = tmp_path_factory.mktemp("sweep") / "out"
    run_sweep(Sweep.from_file(TINY_SPEC), out, executor="serial", batch_size=4, progress=False)
    return out


def _copy(src: Path, dest: Path) -> Path:
    import shutil

    shutil.copytree(src, dest)
    return dest


def _table(out: Path, series: bool = False):
    import pandas as pd

    df = pd.read_parquet(out / "_series" if series else out)
    keys = ["run_id", "round"] if series else ["run_id"]
    return df.sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "series_truncated", "series_missing", "duplicate"])
def test_a_damaged_sweep_part_is_quarantined_and_its_runs_recomputed(sweep_done, tmp_path, damage):
    import shutil

    import pandas as pd

    from game.sweep import Sweep, SweepError, load_results, run_sweep

    out = _copy(sweep_done, tmp_path / "out")
    part = sorted(out.glob("part-*.parquet"))[2]
    series = out / "_series" / part.name
    runs_in_part = set(pd.read_parquet(part)["run_id"])
    if damage == "truncated":
        part.write_bytes(part.read_bytes()[:-300])
    elif damage == "garbage":
        part.write_bytes(b"PAR1" + b"\0" * 500)
    elif damage == "series_truncated":
        series.write_bytes(series.read_bytes()[: len(series.read_bytes()) // 2])
    elif damage == "series_missing":
        series.unlink()
    else:
        shutil.copy(part, out / "part-zzz-copy.parquet")
        shutil.copy(series, out / "_series" / "part-zzz-copy.parquet")
    if damage in ("truncated", "garbage"):
        # summarize names the damaged file
        with pytest.raises(SweepError) as info:
            load_results(out)
        assert part.name in str(info.value) and "damaged sweep part" in str(info.value)
    report = run_sweep(Sweep.from_file(TINY_SPEC), out, executor="serial", progress=False)
    expected = len(runs_in_part) if damage != "duplicate" else 0
    assert report.ran == expected and len(report.quarantined) == 1, (report, report.quarantined)
    assert "damaged part moved to" in str(report)
    quarantined = list((out / "_quarantine").glob("part-*.parquet"))
    assert len(quarantined) == 1
    # Every run exactly once, and the same results as the undamaged sweep.
    pd.testing.assert_frame_equal(_table(out), _table(sweep_done), check_exact=True)
    pd.testing.assert_frame_equal(_table(out, series=True), _table(sweep_done, series=True), check_exact=True)
    assert run_sweep(Sweep.from_file(TINY_SPEC), out, executor="serial", progress=False).ran == 0


def test_summarize_names_a_damaged_part_and_a_bad_manifest(sweep_done, tmp_path, capsys):
    from game.cli import main

    out = _copy(sweep_done, tmp_path / "out")
    part = min(out.glob("part-*.parquet"))
    part.write_bytes(part.read_bytes()[:100])
    assert main(["summarize", str(out), "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert str(part) in err and "damaged sweep part" in err and err.count("\n") == 1, err
    for manifest in ("{not json", "[1, 2]", '{"sweep": "tiny"}'):
        (out / "_manifest.json").write_text(manifest)
        assert main(["summarize", str(out), "--no-plots"]) == 2
        err = capsys.readouterr().err
        assert "_manifest.json: damaged sweep manifest" in err and "Traceback" not in err, err
        assert main(["sweep", str(TINY_SPEC), "--out", str(out), "--executor", "serial", "--no-progress"]) == 2
        assert "damaged sweep manifest" in capsys.readouterr().err


# -- 4. the command line: exit 2 and one message; piped output ends quietly --------------------


def test_piped_output_ends_quietly(tmp_path):
    import subprocess
    import sys

    r = subprocess.run(f"{sys.executable} -m game.cli run {TINY} | head -1", shell=True, cwd=ROOT,
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.stdout.startswith("tiny:") and r.stdout.count("\n") == 1, r.stdout
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr, r.stderr


@pytest.mark.parametrize("text, needles", [
    (b"\xff\xfe" + b"n\0a\0m\0e\0", ["not UTF-8"]),
    (("name: " + "[" * 1000 + "]" * 1000).encode(), ["nested deeper than"]),
    (TINY_TEXT.replace("{kind: coercer}", "{kind: coercer, params: {cooldown: soon}}").encode(),
     ["states.GAMMA.strategy.params.cooldown", "valid integer"]),
    (TINY_TEXT.replace("{kind: high_fence}", "{kind: high_fence, params: {threshold: -1}}").encode(),
     ["states.ALPHA.strategy.params.threshold", "greater than or equal to 0"]),
    ((TINY_TEXT + "params: {embargo_rounds: 1.0e+20}\n").encode(), ["params.embargo_rounds", "between"]),
])
def test_bad_scenarios_exit_2_with_one_message_through_the_cli(tmp_path, capsys, text, needles):
    from game.cli import main

    p = write(tmp_path, text, "bad.yaml")
    for argv in (["run", str(p), "--quiet"], ["session", "new", str(p), "--seat", "BETA", "--db",
                                               str(tmp_path / "s.sqlite")]):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2 and err.startswith(f"highfence: {p}"), err
        for n in needles:
            assert n in err, err


def test_session_new_with_an_alias_bomb_in_params_is_refused_at_once(tmp_path, capsys):
    from game.cli import main

    lol = "x0: &l0 [a, a, a, a, a, a, a, a, a]\n" + "".join(
        f"x{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 9))
    p = write(tmp_path, lol + TINY_TEXT.replace("{kind: coercer}", "{kind: coercer, params: {boldness: *l8}}"))
    t = time.perf_counter()
    assert main(["session", "new", str(p), "--seat", "BETA", "--db", str(tmp_path / "s.sqlite")]) == 2
    assert time.perf_counter() - t < 2.0
    assert "expanded" in capsys.readouterr().err


def test_solara_routes_never_get_a_500_either(served):
    port = served["port"]
    paths = ["/_solara/api/close/x", "/_solara/api/close/%00?x=1", "/_solara/api/evict/x", "/jupyter/api/kernels/x",
             "/jupyter/api/kernels/%FF", "/readyz", "/resourcez", "/static/..%2f..%2fetc/passwd",
             "/_solara/cdn/..%2f..%2fetc%2fpasswd", "/static/assets/x", "/static/public/%00", "/jupyter/nbextensions/x.js",
             "/_solara/auth/login", "/x?" + "a=1&" * 2000, "/%ff%fe", "/" + "a" * 8000, "/_solara/cdn/%00"]
    for path in paths:
        for method in ("GET", "POST"):
            status, body, _ = _request(port, method, path, {"Content-Type": "application/json"},
                                       b'{"x": 1}' if method == "POST" else None)
            assert status < 500, (method, path[:80], status, body[:200])


# -- legal parameters keep the numbers sane (issue 15, point 2) ----------------------------
def test_parameters_that_would_corrupt_the_numbers_are_refused():
    """Values that emptied or broke the world (capacity negative, then NaN) are outside the
    schema now, and the message names the field."""
    from game.errors import ScenarioError
    from game.scenario import scenario_from_dict
    from tests.conftest import tiny_data

    for field, value in [("depreciation", 0.85), ("idle_retirement", 1.0), ("demand_elasticity", 1e-6),
                         ("price_floor", 1.5), ("capex", 1e-6), ("fixed_cost", 0.9), ("price_cap", 1.000001)]:
        with pytest.raises(ScenarioError, match=f"params.{field}"):
            scenario_from_dict(tiny_data(params={field: value}), "bounds")


def test_every_accepted_parameter_set_keeps_the_world_finite():
    """Seeded draws of the economic parameters at their schema bounds and inside them (a
    third of the fields per draw): every round of the tiny world stays finite, with no
    negative capacity, flow or price. (A world may still empty itself, e.g. zero margins
    with high fixed costs bankrupt every firm: that is economics, not corruption.)"""
    import numpy as np

    from game.errors import ScenarioError
    from game.model import GeoModel
    from game.scenario import Params, scenario_from_dict
    from tests.conftest import tiny_data

    def bounds(field):
        lo, hi = 0.0, 10.0
        for m in field.metadata:
            lo = float(getattr(m, "ge", None) if getattr(m, "ge", None) is not None else
                       (getattr(m, "gt", None) + 1e-6 if getattr(m, "gt", None) is not None else lo))
            hi = float(getattr(m, "le", None) if getattr(m, "le", None) is not None else
                       (getattr(m, "lt", None) - 1e-6 if getattr(m, "lt", None) is not None else hi))
        return lo, hi

    rng = np.random.default_rng(15)
    checked = 0
    for i in range(120):
        params = {}
        for name, field in Params.model_fields.items():
            if rng.random() < 1 / 3:
                lo, hi = bounds(field)
                value = rng.choice([lo, hi, rng.uniform(lo, hi)])
                params[name] = round(value) if field.annotation is int or "int" in str(field.annotation) else float(value)
        try:
            sc = scenario_from_dict(tiny_data(scripted=False, params=params), "draw")
        except ScenarioError:
            continue
        m = GeoModel(sc, seed=i, rounds=6)
        while m.steps < m.rounds:
            m.step()
            o, w = m.outcomes, m.world
            for name in ("world_share", "price_ratio", "received", "access", "supply_share", "state"):
                assert np.isfinite(getattr(o, name)).all(), (name, params)
            assert (w.firms.capacity >= 0).all() and (w.market.flows >= 0).all(), params
            assert np.isfinite(w.firms.quality).all() and (w.market.P > 0).all(), params
        checked += 1
    assert checked > 60
