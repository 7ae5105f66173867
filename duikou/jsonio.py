"""JSON/JSONL reading with located errors, and deterministic, atomic writing: the file
layer every stage shares (the record layer on top is :mod:`duikou.records`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from duikou.errors import DuikouError, Problem


def dumps_line(obj: object, *, sort_keys: bool = False) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":"))


STDOUT = "-"  # an output path that means standard output


def status_stream(out: object):
    """Where a command's status line goes: stderr when its output is standard output."""
    return sys.stderr if str(out) == STDOUT else sys.stdout


def _target(path: Path) -> Path:
    """Where an atomic write lands: through a symlink to its target; a path that exists and
    is not a regular file (a device, a FIFO, a folder), or lies under a regular file, is
    refused with a located error instead of being replaced."""
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    problem = None
    if path.exists() and not path.is_file():
        problem = "expected a regular file to write, found a folder, device or FIFO"
    elif any(p.exists() and not p.is_dir() for p in path.parents):
        problem = "cannot write here: a parent of this path is a file"
    if problem:
        raise DuikouError(Problem(problem, file=str(path), code="DK-JSON-007"))
    return path


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, LF) to ``path`` via a temp file in the same folder + rename;
    ``-`` writes to standard output (see :func:`_target` for what is refused)."""
    if str(path) == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = _target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # the bytes are on disk before the name points at them
        os.chmod(tmp, 0o644)
        kill_point(f"written:{path.name}")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)  # and the rename itself survives a power cut
    kill_point(f"replaced:{path.name}")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a platform or filesystem without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def stale_temps(path: Path) -> list[Path]:
    """The temp files :func:`atomic_write_bytes` leaves beside ``path`` when its process is
    killed between writing and renaming. Only a caller that holds the lock every writer of
    ``path`` takes may delete them (a live writer's temp looks the same)."""
    path = Path(path)
    own = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]+\.tmp")  # mkstemp's random part
    return sorted(p for p in path.parent.glob(".*.tmp") if own.fullmatch(p.name))


KILL_ENV = "DUIKOU_KILL_AT"


def kill_point(step: str) -> None:
    """Fault injection for the kill tests, and nothing else: when the environment variable
    ``DUIKOU_KILL_AT`` names ``step``, the process sends itself SIGKILL here (no ``finally``,
    no cleanup, as a crash or ``kill -9``). Steps: ``written:<file name>`` (temp file
    complete, not yet renamed), ``replaced:<file name>`` (renamed into place), plus the
    callers' own (``leaderboard:locked``). Unset, it costs one dictionary lookup."""
    if os.environ.get(KILL_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def write_jsonl(path: Path, records: Iterable[object], *, sort_keys: bool = False) -> None:
    """One compact JSON value per line (UTF-8, ``\n``), written atomically."""
    atomic_write_text(path, "".join(dumps_line(r, sort_keys=sort_keys) + "\n" for r in records))


def write_json(path: Path, obj: object) -> None:
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def write_folder(out: Path, fill: Callable[[Path], None]) -> Path:
    """Create the folder ``out`` atomically: ``fill`` writes into a temporary sibling, which
    then replaces ``out`` (an existing ``out`` is moved aside and deleted). On any failure
    the temporary folder is removed and an existing ``out`` is left as it was."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        fill(tmp)
        if out.exists():
            old = out.with_name(f".{out.name}.old.{os.getpid()}.{time.monotonic_ns()}")
            os.replace(out, old)
            shutil.rmtree(old)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


class JsonLimitError(json.JSONDecodeError):
    """Valid JSON that duikou refuses to read (nested too deeply, an integer too long);
    ``code`` is its catalogue code, so callers report it located like malformed JSON."""

    def __init__(self, msg: str, doc: str, pos: int, code: str) -> None:
        super().__init__(msg, doc, pos)
        self.code = code


def _deepest(text: str) -> tuple[int, int]:
    """The deepest nesting of ``text`` and where it is first reached (strings skipped)."""
    depth, best, at, in_string, escaped = 0, 0, 0, False, False
    for i, ch in enumerate(text):
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > best:
                best, at = depth, i
        elif ch in "]}":
            depth -= 1
    return best, at


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > sys.get_int_max_str_digits() > 0:
        raise OverflowError(digits)
    return int(digits)


def loads(text: str | bytes, **kw: Any) -> Any:
    """:func:`json.loads` for untrusted input: nesting deeper than Python's recursion limit
    and integers longer than its int-string limit raise :class:`JsonLimitError` (a located
    :class:`json.JSONDecodeError`) instead of RecursionError or ValueError."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        return json.loads(text, parse_int=_parse_int, **kw)
    except RecursionError:
        depth, at = _deepest(text)
        raise JsonLimitError(f"nested {depth} levels deep; expected fewer than "
                             f"{sys.getrecursionlimit()}", text, at, "DK-JSON-008") from None
    except OverflowError as exc:
        digits = str(exc.args[0])
        raise JsonLimitError(
            f"an integer of {len(digits.lstrip('-'))} digits; expected at most "
            f"{sys.get_int_max_str_digits()}", text, text.find(digits), "DK-JSON-009") from None


def _jsonl_text(path: Path) -> tuple[str, Problem | None]:
    """The UTF-8 text of ``path``, or ``""`` and the located reason it cannot be read."""
    where = str(path)
    try:
        return path.read_text(encoding="utf-8"), None
    except FileNotFoundError:
        return "", Problem("file does not exist; expected a JSONL file", file=where,
                           code="DK-JSON-001")
    except IsADirectoryError:
        return "", Problem("expected a JSONL file, found a folder", file=where,
                           code="DK-JSON-005")
    except UnicodeDecodeError as exc:
        return "", Problem(f"cannot read as UTF-8 text: {exc}", file=where, code="DK-JSON-002")
    except OSError as exc:
        return "", Problem(f"cannot read the file: {exc.strerror}", file=where,
                           code="DK-JSON-004")


def read_jsonl_lines(path: Path, *, error: type[DuikouError] = DuikouError,
                     problems: list[Problem] | None = None) -> list[tuple[int, Any]]:
    """``(line number, value)`` for every non-blank line of the UTF-8 JSONL file ``path``
    (line numbers start at 1).

    A missing file, bytes that are not UTF-8 or a line that is not JSON is a located
    problem (file and line). With ``problems`` given, each is appended there and the line
    skipped, so callers can report them together with their own findings; otherwise
    ``error`` is raised listing all of them.
    """
    path = Path(path)
    text, problem = _jsonl_text(path)
    found: list[Problem] = [problem] if problem else []
    out: list[tuple[int, Any]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((n, loads(line)))
        except json.JSONDecodeError as exc:
            found.append(Problem(f"malformed JSON: {exc.msg} at column {exc.colno}",
                                 file=str(path), extra=f"line {n}",
                                 code=getattr(exc, "code", "DK-JSON-003")))
    if problems is not None:
        problems.extend(found)
    elif found:
        raise error(found)
    return out


def read_jsonl(path: Path, *, error: type[DuikouError] = DuikouError) -> list[Any]:
    """The values of every non-blank line of a JSONL file (see :func:`read_jsonl_lines`)."""
    return [value for _, value in read_jsonl_lines(path, error=error)]


def read_bounded(path: Path, max_bytes: int, *, error: type[DuikouError] = DuikouError) -> bytes:
    """The bytes of the regular file ``path``, refusing anything that is not a regular file
    (a FIFO would block, a device never end) and anything over ``max_bytes``. Never reads
    more than ``max_bytes + 1`` bytes, whatever the file claims its size is."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise error(Problem(f"cannot read the file: {exc.strerror}", file=str(path),
                            code="DK-JSON-004")) from exc
    if not stat.S_ISREG(st.st_mode):
        raise error(Problem("expected a regular file (not a directory, FIFO or device)",
                            file=str(path), code="DK-JSON-005"))
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise error(Problem(f"file is larger than the limit of {max_bytes} bytes",
                            file=str(path), code="DK-JSON-006"))
    return data


def read_text(path: Path, *, error: type[DuikouError] = DuikouError,
              max_bytes: int = 50_000_000) -> str:
    """The UTF-8 text of the regular file ``path`` (see :func:`read_bounded`); a missing
    file, a folder or bytes that are not UTF-8 raise ``error``, located."""
    data = read_bounded(path, max_bytes, error=error)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(Problem(f"expected UTF-8 text, found byte 0x{data[exc.start]:02X} at byte "
                            f"{exc.start}", file=str(path), code="DK-JSON-002")) from None


_RENAME_EXCHANGE = 2


def exchange_folders(a: Path, b: Path) -> None:
    """Swap two existing folders in one atomic step (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``); where that is unavailable, two renames with the second folder
    briefly absent, never a mix of the two."""
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    at_fdcwd = -100
    if renameat2 is not None and renameat2(at_fdcwd, os.fsencode(a), at_fdcwd,
                                           os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return
    aside = Path(b).with_name(f".{Path(b).name}.aside.{os.getpid()}")
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)
