"""Result folders, written atomically.

Everything is first written into a temporary sibling folder; only when every
file is complete does the folder take the final name (the previous result, if
any, is moved aside first and removed after). An interrupted run therefore
leaves either the previous result or the complete new one, never a mix.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from symdisc.errors import InputError

#: Files that mark a folder as written by symdisc: ``run``, ``solve`` and
#: ``latent`` (result.json), ``scan``, ``subalgebras`` and their tables.
RESULT_MARKERS = (
    "result.json",
    "scan.json",
    "subalgebras.json",
    "decompositions.json",
)


def check_writable(out: str | Path) -> Path:
    """Fail early (before any training) if ``out`` cannot become a result folder.

    ``out`` may be missing, an empty folder, or an earlier result folder (one
    holding a file of :data:`RESULT_MARKERS`), which is then replaced as a
    whole. Any other existing folder is refused, so that no user file is ever
    deleted.
    """
    out = Path(out).expanduser()
    resolved = out.resolve()
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents or resolved.parent == resolved:
        raise InputError(
            f"--out {str(out) or '(empty)'}: is the current folder or "
            "one of its parents, which the result would replace. Give a "
            "new folder name such as runs/NAME."
        )
    if out.exists() and not out.is_dir():
        raise InputError(
            f"--out {out}: exists and is not a folder. "
            "Choose a folder path (it is created if missing)."
        )
    if (
        out.is_dir()
        and any(out.iterdir())
        and not any((out / m).is_file() for m in RESULT_MARKERS)
    ):
        raise InputError(
            f"--out {out}: is a folder with other files in it (not an "
            "earlier symdisc result), and a result replaces its folder "
            "as a whole. Choose a new or empty folder."
        )
    parent = out if out.exists() else out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(
            f"--out {out}: {parent} is a file, not a folder. "
            "Choose a path under a writable folder."
        )
    try:  # the only reliable test: make (and remove) a folder there
        Path(tempfile.mkdtemp(prefix=".symdisc-probe.", dir=parent)).rmdir()
    except OSError as exc:
        raise InputError(
            f"--out {out}: cannot write in {parent} ({exc.strerror}). "
            "Choose a folder you can write to."
        ) from None
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def to_jsonable(value):
    """Plain JSON data from numpy scalars/arrays, complex numbers and records."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, complex):
        return {"real": value.real, "imag": value.imag}
    if isinstance(value, float) and not np.isfinite(value):
        return None if np.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


class FolderWriter:
    """Collects files for a result folder being built in a temporary place."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, name: str) -> Path:
        """Path of ``name`` inside the folder being written (parents created)."""
        p = self.root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def json(self, name: str, data) -> None:
        """Write ``data`` as indented JSON."""
        text = json.dumps(to_jsonable(data), indent=2, allow_nan=False)
        self.path(name).write_text(text + "\n", encoding="utf-8")

    def npy(self, name: str, array) -> None:
        """Write one array as ``.npy``."""
        np.save(self.path(name), np.asarray(array), allow_pickle=False)

    def npz(self, name: str, arrays: dict) -> None:
        """Write named arrays as ``.npz``."""
        buffer = io.BytesIO()
        np.savez(buffer, **{k: np.asarray(v) for k, v in arrays.items()})
        self.path(name).write_bytes(buffer.getvalue())

    def text(self, name: str, text: str) -> None:
        """Write UTF-8 text."""
        self.path(name).write_text(text, encoding="utf-8")

    def figure(self, name: str, fig) -> None:
        """Save a matplotlib figure as PNG."""
        fig.savefig(self.path(name), dpi=120)


@contextmanager
def result_folder(out: str | Path):
    """Build a result folder atomically: ``with result_folder(p) as w: ...``.

    On normal exit the folder replaces ``out``; on any exception nothing at
    ``out`` changes and the temporary folder is removed.
    """
    out = check_writable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; results are to share
    try:
        yield FolderWriter(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    with _signals_held():  # an interrupt here must not leave `out` missing
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(tmp, out)
        WRITTEN.append(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


#: Result folders completed in this process, in order (the command line says
#: which ones when it is interrupted after writing).
WRITTEN: list[Path] = []


@contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM until the block ends (where the OS allows it)."""
    import signal
    import threading

    held = {signal.SIGINT, signal.SIGTERM}
    if (
        not hasattr(signal, "pthread_sigmask")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> None:
    """Write one file atomically: ``write(tmp_path)`` then rename over ``path``.

    The file gets the permissions of any newly created file (``0666`` less
    the umask), not the owner-only ones of a temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
