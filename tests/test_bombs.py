"""Decompression bombs and special files against every data loader.

A bomb here is a real data file (the bundled one of its kind) with one
section replaced by a valid zlib stream of 2 GiB of zeros (2 MB stored).
Each loader must raise a ValueError naming the file, and its peak RSS (of
a child process, ``VmHWM``) must stay under 200 MB above the peak of
the same loader on the bundled file: a bound on memory, not a timing.
Metadata that declares huge tables is refused before anything is
allocated, and a FIFO or a device given as any data file is refused within
a second.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from importlib import resources
from pathlib import Path

import pytest

import qieci
from qieci.analyse.idf import load_idf, read_stop_words

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

MB = 1 << 20
BOMB_BYTES = 2 << 30
# the container layout of qieci.binfile's docstring, written here on its own
MAGIC = b"QIECI\x1a\n\x00"
HEADER = struct.Struct("<8sI8sII")
ENTRY = struct.Struct("<16sQQII")


def zeros_zlib(total: int, chunk: int = 1 << 24) -> bytes:
    """A valid zlib stream of ``total`` zero bytes, made in a fraction of a
    second: after a full flush every chunk of zeros compresses to the same
    bytes, so one chunk's output is repeated; the Adler-32 of n zeros is
    (n mod 65521) << 16 | 1."""
    assert total % chunk == 0
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    assert first == again
    raw = first * (total // chunk) + c.flush(zlib.Z_FINISH)
    return b"\x78\xda" + raw + (((total % 65521) << 16) | 1).to_bytes(4, "big")


def test_the_bomb_is_what_it_claims():
    small = zeros_zlib(1 << 26)
    assert zlib.decompress(small) == bytes(1 << 26)
    assert len(zeros_zlib(BOMB_BYTES)) < 3 * MB


def read_container(data: bytes) -> tuple[str, list[tuple[str, bytes, int]]]:
    _, _, kind, count, _ = HEADER.unpack_from(data, 0)
    sections = []
    for i in range(count):
        name, offset, length, _, flags = ENTRY.unpack_from(data, HEADER.size + i * ENTRY.size)
        sections.append((name.rstrip(b"\0").decode(), data[offset : offset + length], flags))
    return kind.rstrip(b"\0").decode(), sections


def write_container(kind: str, sections: list[tuple[str, bytes, int]]) -> bytes:
    offset = HEADER.size + ENTRY.size * len(sections)
    table = b""
    for name, stored, flags in sections:
        table += ENTRY.pack(
            name.encode().ljust(16, b"\0"), offset, len(stored), zlib.crc32(stored), flags
        )
        offset += len(stored)
    head = HEADER.pack(MAGIC, 1, kind.encode().ljust(8, b"\0"), len(sections), zlib.crc32(table))
    return head + table + b"".join(s for _, s, _ in sections)


def with_section(data: bytes, section: str, stored: bytes) -> bytes:
    """``data`` with the stored bytes of ``section`` replaced (its flags
    kept: zlib for the container's own compression, raw for the model,
    whose payloads are zlib streams themselves)."""
    kind, sections = read_container(data)
    assert section in [n for n, _, _ in sections]
    return write_container(kind, [(n, stored if n == section else s, f) for n, s, f in sections])


def bundled(package: str, name: str) -> bytes:
    return resources.files(package).joinpath("data", name).read_bytes()


DICT = ("qieci.engines.jieba", "jieba_dict.qc")
HMM = ("qieci.engines.jieba", "jieba_hmm.qc")
POS = ("qieci.engines.jieba", "jieba_poshmm.qc")
IDF = ("qieci.analyse", "jieba_idf.qc")
MODEL = ("qieci.engines.learned", "learned.qc")

#: How each loader reads a file named by ``path`` (in a child process).
LOADERS = {
    "dict": "qieci.Tokenizer(path).initialize()",
    "hmm": "from qieci.engines.jieba.dictionary import hmm_from_bytes\n"
    "hmm_from_bytes(open(path, 'rb').read(), path)",
    "pos": "from qieci.engines.jieba.posmodel import PosHMMTables\n"
    "PosHMMTables.from_bytes(open(path, 'rb').read(), path)",
    "idf": "from qieci.analyse.idf import load_idf\nload_idf(path)",
    "model": "qieci.Tokenizer(engine='learned', model=path).initialize()",
}
# the peak RSS of the child's own address space: VmHWM (ru_maxrss would
# count the parent's RSS at fork time, which Linux carries across exec)
CHILD = """\
import json, sys
import qieci
path = sys.argv[1]
try:
{load}
    result = "ok"
except ValueError as exc:
    result = "ValueError: " + str(exc)
with open("/proc/self/status") as f:
    peak = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
print(json.dumps({{"rss": peak, "result": result}}))
"""


def load_in_child(loader: str, path: Path) -> tuple[int, str]:
    """Peak RSS (bytes) of a child process that loads ``path``, and the outcome."""
    code = CHILD.format(load="\n".join("    " + line for line in LOADERS[loader].split("\n")))
    res = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    return out["rss"], out["result"]


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zeros_zlib(BOMB_BYTES)


@pytest.fixture(scope="module")
def normal_rss(tmp_path_factory):
    """Each loader's peak RSS on the bundled file of its kind."""
    d = tmp_path_factory.mktemp("normal")
    peaks = {}
    for loader, (package, name) in zip(LOADERS, (DICT, HMM, POS, IDF, MODEL), strict=True):
        path = d / name
        path.write_bytes(bundled(package, name))
        peaks[loader], result = load_in_child(loader, path)
        assert result == "ok", result
    return peaks


# a section of each kind: one whose size the metadata declares, and one
# bounded by its stored size only
BOMBS = [
    ("dict", DICT, "node_freq"),
    ("dict", DICT, "slots"),
    ("dict", DICT, "meta"),
    ("hmm", HMM, "emit"),
    ("pos", POS, "emit_p"),
    ("pos", POS, "meta"),
    ("idf", IDF, "words"),
    ("idf", IDF, "index"),
    ("model", MODEL, "weights"),
    ("model", MODEL, "lexicon"),
    ("model", MODEL, "meta"),
]


@pytest.mark.parametrize("loader,data,section", BOMBS)
def test_a_2_gib_bomb_is_refused_in_bounded_memory(
    loader, data, section, bomb, normal_rss, tmp_path
):
    path = tmp_path / f"bomb-{section}.qc"
    path.write_bytes(with_section(bundled(*data), section, bomb))
    rss, result = load_in_child(loader, path)
    assert result.startswith(f"ValueError: {path}: "), result
    assert section in result, result
    above = rss - normal_rss[loader]
    assert above < 200 * MB, f"{loader} {section}: {above / MB:.0f} MB above its normal load"


def meta_section(data: bytes, edit) -> bytes:
    """``data`` (a model) with its meta JSON edited."""
    kind, sections = read_container(data)
    out = []
    for name, stored, flags in sections:
        if name == "meta":
            meta = json.loads(zlib.decompress(stored))
            edit(meta)
            stored = zlib.compress(json.dumps(meta).encode())
        out.append((name, stored, flags))
    return write_container(kind, out)


def test_metadata_that_declares_huge_tables_is_refused_before_allocating(tmp_path):
    model = bundled(*MODEL)
    # a table of 2**28 buckets (1 GiB folded): beyond what qieci trains
    path = tmp_path / "bits28.qc"
    path.write_bytes(meta_section(model, lambda m: m.update(bits=28)))
    rss, result = load_in_child("model", path)
    assert result.startswith(f"ValueError: {path}: corrupt model metadata (bits must be 8 to 26")
    assert rss < 300 * MB, rss  # the table was never allocated
    # 2**26 buckets (a 256 MiB table) declared over 100 KB of weights,
    # which no zlib stream inflates to 512 MiB
    small = meta_section(
        with_section(model, "weights", zlib.compress(bytes(100_000))), lambda m: m.update(bits=26)
    )
    path.write_bytes(small)
    rss, result = load_in_child("model", path)
    assert (
        result
        == f"ValueError: {path}: corrupt model (its weights section is too small for 2**26 buckets)"
    )
    assert rss < 300 * MB, rss
    d = bundled(*DICT)
    kind, sections = read_container(d)
    name, stored, flags = sections[0]
    meta = json.loads(zlib.decompress(stored) if flags & 1 else stored)
    meta["entries"] = 1 << 40
    sections[0] = ("meta", zlib.compress(json.dumps(meta).encode()), 1)
    path = tmp_path / "entries.qc"
    path.write_bytes(write_container(kind, sections))
    _, result = load_in_child("dict", path)
    assert result.startswith(f"ValueError: {path}: corrupt dictionary metadata"), result


# -- special files ------------------------------------------------------------


def within_a_second(fn) -> BaseException:
    """Run ``fn`` and return the error it raised, failing if it takes a
    second or more (an alarm ends a hang)."""

    def hung(signum, frame):
        raise TimeoutError("hung")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    t = time.monotonic()
    try:
        fn()
    except (ValueError, TimeoutError) as exc:
        return exc
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        assert time.monotonic() - t < 1.0
    raise AssertionError("accepted a special file")


LOADS = {
    "dictionary": lambda p: qieci.Tokenizer(p).initialize(),
    "user dictionary": lambda p: qieci.Tokenizer().load_userdict(p),
    "learned model": lambda p: qieci.Tokenizer(engine="learned", model=p).initialize(),
    "IDF table": lambda p: load_idf(p),
    "stop words": lambda p: read_stop_words(p),
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("what", list(LOADS))
@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/null"])
def test_a_fifo_or_device_is_refused_within_a_second(what, special, tmp_path):
    if special == "fifo":
        path = str(tmp_path / "fifo")
        os.mkfifo(path)
    elif not os.path.exists(special):
        pytest.skip(f"no {special}")
    else:
        path = special
    exc = within_a_second(lambda: LOADS[what](path))
    assert isinstance(exc, ValueError), exc
    assert path in str(exc) and "not a regular file" in str(exc), exc
