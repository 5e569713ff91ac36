"""Hostile input: mutated real and generated reports never crash or hang the reader.

Every mutation (truncation, shuffled rows, dropped cells, junk bytes, wrong encodings,
enormous input, deeply nested HTML) must give a :class:`govstats.Report` or raise
:class:`govstats.ParseError` — never another exception — within a time bound. Sources are the
corpus reports (``../shared/corpus``, skipped when absent) and generated ones in every text
format. Hypothesis draws the mutations (bounded, derandomised: the same cases every run; set
``GOVSTATS_FUZZ_EXAMPLES`` for a deeper run); a failure message carries the source and mutation
so it can be replayed.
"""

from __future__ import annotations

import os
import random
import re
import signal
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govstats
from govstats import synth
from tests.conftest import CORPUS_DIR, corpus_entries

#: seconds one read may take on a mutated report before we call it a hang
TIME_BOUND = 20


def _generated_sources() -> list[tuple[str, bytes]]:
    out = []
    text_formats = [
        f for f in synth.formats() if f not in synth.BINARY_FORMATS
    ]  # tool forms included
    for i, fmt in enumerate(text_formats):
        report = synth.generate_one(seed=99, year=2019 + i, index=7 + i)
        content = synth.render(report, fmt)
        out.append((f"generated {report.name}.{fmt}", content.encode("utf-8")))
    return out


def _corpus_sources() -> list[tuple[str, bytes]]:
    return [(e["file"], (CORPUS_DIR / e["file"]).read_bytes()) for e in corpus_entries()]


SOURCES = _generated_sources() + _corpus_sources()
TEXT_SOURCES = [(n, d) for n, d in SOURCES if not d.startswith(b"%PDF")]
#: examples per fuzz test; raise it for a deeper run by hand: GOVSTATS_FUZZ_EXAMPLES=500 pytest
#: tests/reading/test_fuzz.py
EXAMPLES = int(os.environ.get("GOVSTATS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Hang(Exception):
    pass


@contextmanager
def time_bound(seconds: float):
    """Raise :class:`Hang` if the block runs longer than ``seconds`` (SIGALRM, main thread)."""

    def on_alarm(signum, frame):
        raise Hang(f"read_report took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def survives(data: bytes, what: str):
    """Read ``data``: a Report or ParseError is fine; anything else (or a hang) fails the test."""
    try:
        with time_bound(TIME_BOUND):
            report = govstats.read_report(data, name="fuzzed")
    except govstats.ParseError as exc:
        assert "fuzzed" in str(exc), f"{what}: ParseError does not name the file: {exc}"
        return exc
    except Hang:
        pytest.fail(f"{what}: reader hung (> {TIME_BOUND} s)")
    except Exception as exc:  # noqa: BLE001 — the point of the test
        pytest.fail(f"{what}: {type(exc).__name__} instead of ParseError: {exc!r}")
    assert isinstance(report, govstats.Report), f"{what}: returned {type(report)}"
    report.tidy()  # the frame must build too
    return report


source_strategy = st.sampled_from(SOURCES)
text_source_strategy = st.sampled_from(TEXT_SOURCES)


@pytest.mark.corpus  # its examples include the corpus reports
@FUZZ
@given(source=source_strategy, cut=st.floats(0.0, 1.0))
def test_truncated(source, cut):
    name, data = source
    survives(data[: int(len(data) * cut)], f"{name} truncated at {cut:.3f}")


@pytest.mark.corpus  # its examples include the corpus reports
@FUZZ
@given(source=source_strategy, n=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_junk_bytes(source, n, seed):
    name, data = source
    rng = random.Random(seed)
    buf = bytearray(data)
    for _ in range(n):
        at = rng.randrange(len(buf) + 1)
        buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    survives(bytes(buf), f"{name} with {n} junk insertions (seed {seed})")


@pytest.mark.corpus  # its examples include the corpus reports
@FUZZ
@given(source=text_source_strategy, seed=st.integers(0, 2**32 - 1))
def test_shuffled_rows(source, seed):
    name, data = source
    rng = random.Random(seed)
    text = data.decode("utf-8", errors="replace")
    if "<tr" in text:
        rows = re.findall(r"<tr\b.*?</tr>", text, flags=re.S | re.I)
        shuffled = rows[:]
        rng.shuffle(shuffled)
        it = iter(shuffled)
        text = re.sub(r"<tr\b.*?</tr>", lambda m: next(it), text, flags=re.S | re.I)
    else:
        lines = text.splitlines()
        lo = rng.randrange(len(lines))
        hi = min(len(lines), lo + rng.randint(2, 80))
        middle = lines[lo:hi]
        rng.shuffle(middle)
        text = "\n".join(lines[:lo] + middle + lines[hi:])
    survives(text.encode("utf-8"), f"{name} rows shuffled (seed {seed})")


@pytest.mark.corpus  # its examples include the corpus reports
@FUZZ
@given(source=text_source_strategy, share=st.floats(0.01, 0.5), seed=st.integers(0, 2**32 - 1))
def test_dropped_cells(source, share, seed):
    name, data = source
    rng = random.Random(seed)
    text = data.decode("utf-8", errors="replace")
    if "<td" in text:
        text = re.sub(
            r"<td\b.*?</td>",
            lambda m: "" if rng.random() < share else m.group(0),
            text,
            flags=re.S | re.I,
        )
    else:
        text = "\n".join(line for line in text.splitlines() if rng.random() >= share)
    survives(text.encode("utf-8"), f"{name} {share:.0%} of cells dropped (seed {seed})")


ENCODINGS = [
    "gb18030",
    "big5",
    "utf-16",
    "utf-16-le",
    "shift_jis",
    "latin-1-mojibake",
    "cp1252-mojibake",
]


@pytest.mark.corpus  # its examples include the corpus reports
@FUZZ
@given(source=text_source_strategy, encoding=st.sampled_from(ENCODINGS))
def test_wrong_or_unusual_encodings(source, encoding):
    name, data = source
    text = data.decode("utf-8", errors="replace")
    if encoding.endswith("-mojibake"):  # UTF-8 bytes decoded as a Western code page, saved again
        data = data.decode(encoding.split("-mojibake")[0], errors="replace").encode("utf-8")
    else:
        data = text.encode(encoding, errors="replace")
    survives(data, f"{name} as {encoding}")


def test_declared_charset_lies():
    report = synth.generate_one(seed=5, year=2023, index=4)
    html = synth.render(report, "html-word").replace("charset=utf-8", "charset=gb2312")
    result = survives(html.encode("utf-8"), "UTF-8 page declaring gb2312")
    if isinstance(result, govstats.Report):  # then its numbers must still be right
        assert not [d for d in synth.differences(result, report) if "missing" not in d]


@pytest.mark.parametrize("kind", ["nested-div", "nested-table", "nested-span-in-cell"])
def test_deeply_nested_html(kind):
    depth = 200_000
    if kind == "nested-div":
        data = (
            "<html><body>" + "<div>" * depth + "一、总体情况" + "</div>" * depth + "</body></html>"
        )
    elif kind == "nested-table":
        data = (
            "<html><body>"
            + "<table><tr><td>" * 5_000
            + "0"
            + "</td></tr></table>" * 5_000
            + "</body></html>"
        )
    else:
        report = synth.generate_one(seed=1, year=2022, index=2)
        html = synth.render(report, "html")
        data = html.replace("<td>", "<td>" + "<span>" * 20_000, 1)
    survives(data.encode("utf-8"), f"deeply nested HTML ({kind})")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["html", "txt-pipe"])
def test_enormous_input_is_bounded(fmt):
    """A huge file (a report padded past 64 MB): a clear ParseError or a result, in bounded time."""
    report = synth.generate_one(seed=2, year=2021, index=1)
    content = synth.render(report, fmt)
    filler = ("<p>填充文字。</p>\n" if fmt == "html" else "填充文字。\n").encode("utf-8")
    data = content.encode("utf-8") + filler * (70_000_000 // len(filler))
    survives(data, f"{fmt} padded to {len(data) / 1e6:.0f} MB")


@pytest.mark.slow
def test_many_tables_and_rows_are_bounded():
    """A plausible-size but pathological page: the tables repeated hundreds of times."""
    report = synth.generate_one(seed=2, year=2020, index=1)
    html = synth.render(report, "html")
    body = html[html.index("<table") : html.rindex("</table>") + len("</table>")]
    data = html.replace(body, body * 300)
    survives(data.encode("utf-8"), f"tables repeated 300× ({len(data) / 1e6:.1f} MB)")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00" * 1000,
        b"\xff\xfe",
        b"%PDF-1.7\n%%EOF",
        b"PK\x03\x04" + b"\x00" * 100,
        "一、总体情况\n".encode() * 10,
        b"<html></html>",
    ],
)
def test_tiny_and_degenerate_inputs(data):
    result = survives(data, f"degenerate input {data[:20]!r}")
    if isinstance(result, govstats.Report):
        assert not result.complete  # nothing in there may pretend to be a complete report


@pytest.mark.skipif(not corpus_entries(), reason=f"corpus absent: no {CORPUS_DIR}/manifest.json")
@pytest.mark.corpus  # its examples include the corpus reports
@FUZZ
@given(source=st.sampled_from(_corpus_sources() or [("none", b"")]), seed=st.integers(0, 2**32 - 1))
def test_bit_flips_in_real_reports(source, seed):
    name, data = source
    rng = random.Random(seed)
    buf = bytearray(data)
    for _ in range(rng.randint(1, 50)):
        at = rng.randrange(len(buf))
        buf[at] ^= 1 << rng.randrange(8)
    survives(bytes(buf), f"{name} with bit flips (seed {seed})")
