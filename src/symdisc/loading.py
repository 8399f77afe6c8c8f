"""Read generator matrices or structure constants from files a user brings.

Accepted inputs:

- ``.npy``: one array, ``(k, n, n)`` matrices or ``(k, k, k)`` structure
  constants.
- ``.npz``: an array under the key ``generators`` or ``structure_constants``.
- ``.json``: an object with ``generators`` (nested lists; complex matrices as
  ``{"real": [...], "imag": [...]}``) or ``structure_constants`` (nested lists).
- a result folder: ``generators.npy`` (else ``structure_constants.npy``), with
  ``result.json`` consulted for the generator convention.

A ``(k, k, k)`` array is ambiguous when ``n = k``: with ``kind="auto"`` it is
read as structure constants only when the file name contains ``structure``
(``structure_constants.npy``), otherwise as matrices. Pass ``kind`` to decide.
Hermitian generators (``x ↦ (I + iεJ)x``, declared in a result folder's
``result.json`` by ``"hermitian": true`` or ``"convention": "hermitian"``, at
the top level or under ``config``) are returned as the anti-Hermitian ``iJ``,
whose real span is closed under the commutator.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from symdisc.errors import bad_input

GENERATORS = "generators"
STRUCTURE_CONSTANTS = "structure_constants"
KINDS = ("auto", GENERATORS, STRUCTURE_CONSTANTS)


def load_generators(path, kind: str = "auto") -> tuple[np.ndarray, str]:
    """Load generators or structure constants from ``path``.

    Parameters
    ----------
    path : str or Path
        A ``.npy``, ``.npz`` or ``.json`` file, or a result folder.
    kind : {"auto", "generators", "structure_constants"}
        What the array is; ``"auto"`` guesses as described in the module
        docstring.

    Returns
    -------
    array : ndarray
        ``(k, n, n)`` real or complex generators, or ``(k, k, k)`` real
        structure constants.
    kind : {"generators", "structure_constants"}
        What ``array`` is.

    Raises
    ------
    InputError
        Missing file, unknown extension, unreadable content, wrong shape,
        non-finite values.
    """
    if kind not in KINDS:
        raise bad_input("kind", f"one of {', '.join(KINDS)}", kind)
    path = Path(path)
    if not path.exists():
        raise bad_input(
            str(path),
            "an existing file or result folder",
            "nothing there",
            "Check the path.",
        )
    if path.is_dir():
        array, found, hermitian = _load_folder(path, kind)
    else:
        suffix = path.suffix.lower()
        readers = {".npy": _load_npy, ".npz": _load_npz, ".json": _load_json}
        if suffix not in readers:
            raise bad_input(
                str(path),
                "a .npy, .npz or .json file or a result folder",
                f"extension '{suffix or '(none)'}'",
                "Save the matrices with numpy.save.",
            )
        array, found = readers[suffix](path, kind)
        hermitian = False
    array = _check(path, array, found)
    if hermitian and found == GENERATORS:
        array = 1j * array
    return array, found


def _guess(path: Path, array: np.ndarray, kind: str) -> str:
    if kind != "auto":
        return kind
    cube = array.ndim == 3 and len(set(array.shape)) == 1
    if cube and "structure" in path.name.lower():
        return STRUCTURE_CONSTANTS
    return GENERATORS


def _load_npy(path: Path, kind: str):
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise bad_input(
            str(path),
            "a NumPy .npy array",
            f"unreadable content ({err})",
            "Write it with numpy.save(path, array).",
        ) from err
    return array, _guess(path, array, kind)


def _load_npz(path: Path, kind: str):
    try:
        with np.load(path, allow_pickle=False) as data:
            keys = list(data.keys())
            wanted = [kind] if kind != "auto" else [GENERATORS, STRUCTURE_CONSTANTS]
            for key in wanted:
                if key in keys:
                    return np.asarray(data[key]), key
    except (OSError, ValueError, zipfile.BadZipFile) as err:
        raise bad_input(
            str(path),
            "a NumPy .npz archive",
            f"unreadable content ({err})",
            "Write it with numpy.savez(path, generators=G).",
        ) from err
    raise bad_input(
        str(path),
        f"a key {' or '.join(repr(w) for w in wanted)}",
        f"keys {keys}",
        "Save with numpy.savez(path, generators=G).",
    )


def _from_json_value(path: Path, key: str, value) -> np.ndarray:
    try:
        if isinstance(value, dict):
            if set(value) != {"real", "imag"}:
                raise ValueError(f"object with keys {sorted(value)}")
            return np.asarray(value["real"], float) + 1j * np.asarray(
                value["imag"], float
            )
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise bad_input(
            f"{path}: '{key}'",
            'nested lists of numbers, complex as {"real": [...], "imag": [...]}',
            str(err),
        ) from err


def _load_json(path: Path, kind: str):
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise bad_input(
            str(path),
            "a JSON object",
            f"unreadable content ({err})",
            "Check that the file is valid JSON.",
        ) from err
    if not isinstance(data, dict):
        raise bad_input(
            str(path),
            "a JSON object with key 'generators' or 'structure_constants'",
            type(data).__name__,
        )
    wanted = [kind] if kind != "auto" else [GENERATORS, STRUCTURE_CONSTANTS]
    for key in wanted:
        if key in data:
            return _from_json_value(path, key, data[key]), key
    raise bad_input(
        str(path),
        f"a key {' or '.join(repr(w) for w in wanted)}",
        f"keys {sorted(data)}",
        'Write {"generators": [[[...]]]}.',
    )


def _load_folder(path: Path, kind: str):
    candidates = {
        GENERATORS: path / "generators.npy",
        STRUCTURE_CONSTANTS: path / "structure_constants.npy",
    }
    order = [kind] if kind != "auto" else [GENERATORS, STRUCTURE_CONSTANTS]
    for key in order:
        file = candidates[key]
        if file.is_file():
            array, _ = _load_npy(file, key)
            return array, key, _declares_hermitian(path / "result.json")
    names = " or ".join(candidates[key].name for key in order)
    if (path / "model.json").is_file() or (path / "weights.npz").is_file():
        raise bad_input(
            str(path),
            f"a result folder containing {names}",
            "a folder of nonlinear vector fields (model.json, weights.npz)",
            "Fields have no matrices to name; identify folders of linear runs "
            "(`symdisc run NAME` without --model mlp).",
        )
    raise bad_input(
        str(path),
        f"a result folder containing {names}",
        f"files {sorted(p.name for p in path.iterdir())[:10]}",
        "Point to the folder written by `symdisc run`.",
    )


def _declares_hermitian(file: Path) -> bool:
    if not file.is_file():
        return False
    try:
        data = json.loads(file.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise bad_input(
            str(file),
            "valid JSON",
            f"unreadable content ({err})",
            "Re-run or remove the broken result.json.",
        ) from err
    if not isinstance(data, dict):
        return False
    places = [data, data.get("config") if isinstance(data.get("config"), dict) else {}]
    return any(
        p.get("hermitian") is True or p.get("convention") in ("hermitian", "unitary")
        for p in places
    )


def _check(path: Path, array: np.ndarray, kind: str) -> np.ndarray:
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise bad_input(str(path), "numbers", f"dtype {array.dtype}")
    if kind == GENERATORS:
        if array.ndim == 2 and array.shape[0] == array.shape[1]:
            array = array[None]
        if array.ndim != 3 or array.shape[1] != array.shape[2] or array.shape[0] == 0:
            raise bad_input(
                str(path),
                "generators of shape (k, n, n)",
                f"shape {array.shape}",
                "Stack the matrices along the first axis.",
            )
    else:
        if array.ndim != 3 or len(set(array.shape)) != 1 or array.shape[0] == 0:
            raise bad_input(
                str(path),
                "structure constants of shape (k, k, k)",
                f"shape {array.shape}",
                "C[a, b, c] is the coefficient of e_c in [e_a, e_b].",
            )
        if np.iscomplexobj(array):
            raise bad_input(str(path), "real structure constants", "complex values")
    if not np.all(np.isfinite(array)):
        raise bad_input(
            str(path),
            "finite values",
            "NaN or infinity",
            "Check the run that produced the file.",
        )
    return array
