"""Tables of labelled points read from the user's files, checked before training.

A table holds ``N`` points of shape ``(c, n)`` and ``m`` labels per point. It
is read from CSV/TSV, ``.npy``, ``.npz`` or Parquet, and every problem a user
can fix (a missing column, a text cell, a NaN, too few rows) is reported as an
:class:`~symdisc.errors.InputError` naming the file, column and row.

File conventions
----------------
CSV / TSV
    The first row is a header of column names (required). Cells are parsed as
    floats; ``nan`` and ``inf`` parse and are then rejected as non-finite.
    Columns that are not selected may hold anything.
``.npy``
    A 2-D array, columns named by index ``"0"``, ``"1"``, …, so that
    ``features=[0, 1, 2]`` and ``features="0,1,2"`` both work; or a 1-D
    structured array, columns named by its fields.
``.npz``
    Either named 1-D arrays of equal length, each array a column; or one 2-D
    array together with a key ``columns`` holding its column names (e.g.
    ``np.savez(f, data=X, columns=["x0", "x1", "y"])``).
Parquet
    Read with pyarrow (an optional dependency, imported only when needed).

Column selection
----------------
``labels`` defaults to the last column that is not a feature; ``features``
defaults to every column that is not a label. Both accept a list of names
(ints allowed for ``.npy``) or one comma-separated string ``"x0,x1,x2"``.
``copies`` groups the feature columns into ``c`` vectors that transform alike:
a list of ``c`` equally long groups, e.g. ``[["E1", "px1", "py1", "pz1"],
["E2", "px2", "py2", "pz2"]]`` gives features of shape ``(N, 2, 4)``; an int
``c`` splits the feature columns into ``c`` consecutive equal groups.

Row rule
--------
A table needs at least ``min_rows_per_feature × c·n`` rows (10 per feature
column by default): fewer points than that cannot pin down a surrogate, nor
the ``n²`` unknowns of a linear generator with any margin.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from symdisc.errors import InputError, bad_input

#: Default rows required per feature column (see the module's row rule).
MIN_ROWS_PER_FEATURE = 10

_SUFFIX_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".npy": "npy",
    ".npz": "npz",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_MAGIC = (
    (b"\x93NUMPY", "npy"),
    (b"PK\x03\x04", "npz"),
    (b"PAR1", "parquet"),
)
_FORMAT_WORDS = {
    "csv": "a CSV text file",
    "tsv": "a tab-separated text file",
    "npy": "a NumPy .npy file",
    "npz": "a NumPy .npz (zip) file",
    "parquet": "a Parquet file",
    "binary": "a binary file",
}


@dataclass(frozen=True, eq=False)
class Table:
    """Labelled points: ``N`` points of ``c`` copies of an ``n``-vector.

    Attributes
    ----------
    features : ndarray, shape (N, c, n)
        Points, float64, all finite.
    labels : ndarray, shape (N, m)
        Labels, float64, all finite.
    feature_names : tuple of tuple of str, shape (c, n)
        Column name of each feature entry, copy by copy.
    label_names : tuple of str, length m
        Column name of each label.
    source : str
        Path of the file the table was read from (or a description).
    """

    features: np.ndarray
    labels: np.ndarray
    feature_names: tuple[tuple[str, ...], ...]
    label_names: tuple[str, ...]
    source: str

    @property
    def n_rows(self) -> int:
        """Number ``N`` of points."""
        return int(self.features.shape[0])

    @property
    def copies(self) -> int:
        """Number ``c`` of vectors per point."""
        return int(self.features.shape[1])

    @property
    def n(self) -> int:
        """Dimension ``n`` of each vector."""
        return int(self.features.shape[2])

    @property
    def outputs(self) -> int:
        """Number ``m`` of labels."""
        return int(self.labels.shape[1])

    def summary(self) -> dict:
        """Plain-data description for result files."""
        return {
            "source": self.source,
            "rows": self.n_rows,
            "copies": self.copies,
            "n": self.n,
            "feature_names": [list(group) for group in self.feature_names],
            "label_names": list(self.label_names),
        }


@dataclass(frozen=True, eq=False)
class _RawTable:
    """Columns as read, before selection and conversion to float."""

    source: str
    names: tuple[str, ...]
    columns: dict
    row_word: Callable[[int], str]


# ----------------------------------------------------------------------------
# public entry points


def load_table(
    path,
    features=None,
    labels=None,
    copies=None,
    *,
    min_rows_per_feature: int = MIN_ROWS_PER_FEATURE,
) -> Table:
    """Read a labelled table from CSV/TSV, ``.npy``, ``.npz`` or Parquet.

    Parameters
    ----------
    path : str or Path
        The file; its extension says its format and is checked against its
        content.
    features : list of str or int, or str, optional
        Feature columns (a comma-separated string is split). Default: every
        column that is not a label (or the columns of ``copies``).
    labels : list of str or int, or str, optional
        Label columns. Default: the last column that is not a feature.
    copies : list of lists of column names, str, or int, optional
        Groups of feature columns that transform alike, all of one size ``n``;
        a string separates groups by ``;`` and columns by ``,``
        (``"E1,px1;E2,px2"``); an int ``c`` splits the feature columns into
        ``c`` consecutive groups.
        Default: one copy holding every feature column.
    min_rows_per_feature : int
        Rows required per feature column (the row rule in the module doc).

    Returns
    -------
    Table
        ``features`` of shape ``(N, c, n)`` and ``labels`` of shape ``(N, m)``.

    Raises
    ------
    InputError
        For a missing file, content that is not what the extension says, an
        unknown or repeated column, a non-numeric cell, NaN or infinite values,
        too few rows, or copy groups of unequal size.
    """
    path = Path(path)
    raw = _read_raw(path)
    feature_groups, label_cols = _select(raw, features, labels, copies)
    flat = [name for group in feature_groups for name in group]
    X = np.stack([_numeric_column(raw, name) for name in flat], axis=1)
    Y = np.stack([_numeric_column(raw, name) for name in label_cols], axis=1)
    _check_finite(raw.source, X, Y, flat, label_cols, raw.row_word)
    c, n = len(feature_groups), len(feature_groups[0])
    _check_rows(raw.source, X.shape[0], c * n, min_rows_per_feature)
    return Table(
        features=X.reshape(X.shape[0], c, n),
        labels=Y,
        feature_names=tuple(tuple(group) for group in feature_groups),
        label_names=tuple(label_cols),
        source=raw.source,
    )


def table_from_arrays(
    features,
    labels,
    feature_names=None,
    label_names=None,
    source: str = "<arrays>",
    *,
    min_rows_per_feature: int = MIN_ROWS_PER_FEATURE,
) -> Table:
    """Build a checked :class:`Table` from arrays already in memory.

    Parameters
    ----------
    features : array_like, shape (N, c, n) or (N, n)
        Points; a 2-D array is one copy per point.
    labels : array_like, shape (N, m) or (N,)
        Labels.
    feature_names, label_names : optional
        Names of shapes ``(c, n)`` and ``(m,)``; default ``"x{a}_{j}"`` and
        ``"y{i}"``.
    source : str
        Description used in messages.
    min_rows_per_feature : int
        Rows required per feature entry ``c·n``.
    """
    X = _as_float(features, "features", source)
    Y = _as_float(labels, "labels", source)
    if X.ndim == 2:
        X = X[:, None, :]
    if Y.ndim == 1:
        Y = Y[:, None]
    if X.ndim != 3 or Y.ndim != 2 or X.shape[0] != Y.shape[0]:
        raise bad_input(
            source,
            "features (N, c, n) and labels (N, m) with the same N",
            f"features {X.shape} and labels {Y.shape}",
        )
    N, c, n = X.shape
    if feature_names is None:
        feature_names = [[f"x{a}_{j}" for j in range(n)] for a in range(c)]
    if label_names is None:
        label_names = [f"y{i}" for i in range(Y.shape[1])]
    flat_names = [str(name) for group in feature_names for name in group]
    _check_finite(
        source,
        X.reshape(N, c * n),
        Y,
        flat_names,
        [str(name) for name in label_names],
        _index_row,
    )
    _check_rows(source, N, c * n, min_rows_per_feature)
    return Table(
        features=X,
        labels=Y,
        feature_names=tuple(tuple(str(s) for s in group) for group in feature_names),
        label_names=tuple(str(s) for s in label_names),
        source=source,
    )


def parse_columns(value, argument: str = "columns") -> list[str] | None:
    """Column names from a list, an int or a comma-separated string.

    ``"x0, x1,x2"`` → ``["x0", "x1", "x2"]``; ``[0, 1]`` → ``["0", "1"]``;
    ``None`` stays ``None``.
    """
    if value is None:
        return None
    if isinstance(value, str):
        names = [part.strip() for part in value.split(",")]
        names = [name for name in names if name]
    elif isinstance(value, int | np.integer) and not isinstance(value, bool):
        names = [str(int(value))]
    elif isinstance(value, Sequence | np.ndarray):
        names = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int | np.integer):
                raise bad_input(argument, "column names (str) or indices (int)", item)
            names.append(item.strip() if isinstance(item, str) else str(int(item)))
    else:
        raise bad_input(argument, 'a list of column names or a string "a,b,c"', value)
    if not names:
        raise bad_input(argument, "at least one column", value)
    return names


# ----------------------------------------------------------------------------
# reading files


def _read_raw(path: Path) -> _RawTable:
    if not path.exists():
        raise bad_input(
            str(path),
            "an existing file",
            "no such file",
            "Check the path and the working directory.",
        )
    if not path.is_file():
        raise bad_input(str(path), "a file", "a directory")
    suffix = path.suffix.lower()
    if suffix not in _SUFFIX_FORMATS:
        raise bad_input(
            str(path),
            "one of the extensions " + ", ".join(sorted(_SUFFIX_FORMATS)),
            repr(path.suffix or "no extension"),
            "Rename the file to the extension of its format.",
        )
    claimed = _SUFFIX_FORMATS[suffix]
    actual = _sniff(path)
    text_formats = ("csv", "tsv")
    if actual != claimed and not (claimed in text_formats and actual == "text"):
        raise bad_input(
            str(path),
            f"{_FORMAT_WORDS[claimed]} (from its extension {suffix})",
            f"{_FORMAT_WORDS.get(actual, 'a text file')}",
            "Rename the file to the extension of its format or re-export it.",
        )
    reader = {
        "csv": _read_csv,
        "tsv": _read_csv,
        "npy": _read_npy,
        "npz": _read_npz,
        "parquet": _read_parquet,
    }[claimed]
    return reader(path)


def _sniff(path: Path) -> str:
    """Format that the first bytes of a file reveal: a magic number or text."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return fmt
    # Text in any encoding has no NUL bytes; a wrong encoding is reported by
    # the CSV reader, which names it.
    if b"\x00" in head:
        return "binary"
    return "text"


def _read_csv(path: Path) -> _RawTable:
    source = str(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise bad_input(
            source,
            "UTF-8 text",
            f"undecodable bytes at offset {exc.start}",
            "Save the file as UTF-8 CSV.",
        ) from exc
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    header = None
    for record in reader:
        if not record or all(not cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip() for cell in record]
            continue
        if len(record) != len(header):
            raise bad_input(
                f"{source}, line {reader.line_num}",
                f"{len(header)} fields as in the header",
                f"{len(record)} fields",
                "Every row needs one value per header column.",
            )
        rows.append(record)
        lines.append(reader.line_num)
    if header is None:
        raise bad_input(source, "a header row and data rows", "an empty file")
    _check_header(source, header, delimiter)
    if not rows:
        raise bad_input(source, "data rows below the header", "a header only")
    columns = {name: [row[j] for row in rows] for j, name in enumerate(header)}
    return _RawTable(source, tuple(header), columns, lambda i: f"line {lines[i]}")


def _check_header(source: str, header: list[str], delimiter: str) -> None:
    if all(_is_number(cell) for cell in header):
        raise bad_input(
            source,
            "a header row of column names as its first line",
            f"a numeric first row {header[:4]}",
            "Add a header line such as x0,x1,y.",
        )
    if len(header) == 1 and (";" in header[0] or "\t" in header[0] or "," in header[0]):
        raise bad_input(
            source,
            f"columns separated by {delimiter!r}",
            f"one column {header[0]!r}",
            "Use commas in .csv files and tabs in .tsv files.",
        )
    for j, name in enumerate(header):
        if not name:
            raise bad_input(
                source,
                "a name for every header column",
                f"an empty name in column {j + 1}",
            )
    seen = set()
    for name in header:
        if name in seen:
            raise bad_input(
                source, "distinct column names", f"{name!r} twice in the header"
            )
        seen.add(name)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_npy(path: Path) -> _RawTable:
    source = str(path)
    try:
        A = np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise bad_input(
            source,
            "a numeric .npy array",
            f"unreadable ({exc})",
            "Save with np.save(path, array) from a numeric array.",
        ) from exc
    if A.dtype.names:
        if A.ndim != 1:
            raise bad_input(source, "a 1-D structured array", f"shape {A.shape}")
        columns = {name: A[name] for name in A.dtype.names}
        return _RawTable(source, tuple(A.dtype.names), columns, _index_row)
    if A.ndim != 2:
        raise bad_input(
            source,
            "a 2-D array (rows × columns)",
            f"shape {A.shape}",
            "Reshape to (N, columns) before saving.",
        )
    names = tuple(str(j) for j in range(A.shape[1]))
    columns = {name: A[:, j] for j, name in enumerate(names)}
    return _RawTable(source, names, columns, _index_row)


def _read_npz(path: Path) -> _RawTable:
    source = str(path)
    convention = (
        "named 1-D arrays of equal length, or one 2-D array with a "
        "'columns' key naming its columns"
    )
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except ValueError as exc:
        raise bad_input(
            source,
            f"an .npz of {convention}",
            f"unreadable ({exc})",
            "Store column names as a string array, not objects.",
        ) from exc
    if "columns" in arrays:
        names = [str(s) for s in np.asarray(arrays.pop("columns")).ravel()]
        data = {k: v for k, v in arrays.items() if np.ndim(v) == 2}
        if len(data) != 1 or len(arrays) != 1:
            raise bad_input(
                source,
                f"an .npz of {convention}",
                f"arrays {sorted(arrays)} next to 'columns'",
                "Keep exactly one 2-D array next to 'columns'.",
            )
        ((key, A),) = data.items()
        if A.shape[1] != len(names):
            raise bad_input(
                f"{source}: 'columns'",
                f"{A.shape[1]} names (columns of {key!r})",
                f"{len(names)} names",
            )
        return _RawTable(
            source,
            tuple(names),
            {name: A[:, j] for j, name in enumerate(names)},
            _index_row,
        )
    columns = {}
    for key, value in arrays.items():
        value = np.asarray(value)
        if value.ndim == 2 and value.shape[1] == 1:
            value = value[:, 0]
        if value.ndim != 1:
            raise bad_input(
                f"{source}: array {key!r}",
                f"an .npz of {convention}",
                f"shape {value.shape}",
                "Add a 'columns' key naming the columns of a 2-D array.",
            )
        columns[key] = value
    if not columns:
        raise bad_input(source, f"an .npz of {convention}", "no arrays")
    lengths = {key: len(v) for key, v in columns.items()}
    if len(set(lengths.values())) != 1:
        raise bad_input(source, "columns of equal length", f"lengths {lengths}")
    return _RawTable(source, tuple(columns), columns, _index_row)


def _read_parquet(path: Path) -> _RawTable:
    source = str(path)
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise InputError(
            f"{source}: reading Parquet needs the optional package pyarrow, which "
            "is not installed. Install it with `pip install symdisc[data]` or "
            "`pip install pyarrow`, or convert the file to CSV."
        ) from exc
    try:
        arrow = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise bad_input(
            source, "a readable Parquet file", f"{type(exc).__name__}: {exc}"
        ) from exc
    names = tuple(str(name) for name in arrow.column_names)
    columns = {
        name: arrow.column(j).to_numpy(zero_copy_only=False)
        for j, name in enumerate(names)
    }
    return _RawTable(source, names, columns, _index_row)


def _index_row(i: int) -> str:
    return f"row {i}"


# ----------------------------------------------------------------------------
# selecting and checking columns


def _select(raw: _RawTable, features, labels, copies):
    """Resolve ``(feature groups, label columns)`` from the user's choices."""
    feature_cols = parse_columns(features, "features")
    label_cols = parse_columns(labels, "labels")
    groups = _parse_copies(copies)
    for names, argument in ((feature_cols, "features"), (label_cols, "labels")):
        for name in names or ():
            _check_known(raw, name, argument)
    if isinstance(groups, list):
        for group in groups:
            for name in group:
                _check_known(raw, name, "copies")
        flat = [name for group in groups for name in group]
        if feature_cols is not None and sorted(feature_cols) != sorted(flat):
            raise bad_input(
                "copies",
                "the same columns as `features`",
                f"copies {flat} but features {feature_cols}",
                "Give only `copies`; it sets the features.",
            )
        feature_cols = flat

    if label_cols is None:
        used = set(feature_cols or ())
        rest = [name for name in raw.names if name not in used]
        if not rest:
            raise bad_input(
                "labels",
                "a label column",
                "none left after the features",
                f"Choose labels among {_shown(raw.names)}.",
            )
        label_cols = [rest[-1]]
    if feature_cols is None:
        feature_cols = [name for name in raw.names if name not in set(label_cols)]
        if not feature_cols:
            raise bad_input(
                "features",
                "at least one feature column",
                "none left after the labels",
                f"{raw.source} has columns {_shown(raw.names)}.",
            )

    _check_distinct(feature_cols, "features")
    _check_distinct(label_cols, "labels")
    both = [name for name in feature_cols if name in set(label_cols)]
    if both:
        raise bad_input(
            "labels",
            "columns that are not features",
            f"{both} in both",
            "A label cannot also be a feature.",
        )
    if groups is None:
        groups = [feature_cols]
    elif isinstance(groups, int):
        groups = _split_groups(feature_cols, groups)
    sizes = [len(group) for group in groups]
    if len(set(sizes)) != 1:
        detail = ", ".join(f"group {a + 1} has {s}" for a, s in enumerate(sizes))
        raise bad_input(
            "copies",
            "groups of equal size (one n-vector per copy)",
            detail,
            "Every copy needs the same coordinates in order.",
        )
    return groups, label_cols


def _parse_copies(copies):
    if copies is None:
        return None
    if isinstance(copies, int | np.integer) and not isinstance(copies, bool):
        if copies < 1:
            raise bad_input("copies", "a positive number of copies", copies)
        return int(copies)
    if isinstance(copies, str):
        copies = [part for part in copies.split(";") if part.strip()]
    if not isinstance(copies, Sequence) or not copies:
        raise bad_input(
            "copies", "a list of column groups or a number of copies", copies
        )
    return [parse_columns(group, "copies") for group in copies]


def _split_groups(columns: list[str], c: int) -> list[list[str]]:
    if len(columns) % c:
        raise bad_input(
            "copies",
            f"a number dividing the {len(columns)} feature columns",
            c,
            "Give the groups of columns explicitly.",
        )
    n = len(columns) // c
    return [columns[a * n : (a + 1) * n] for a in range(c)]


def _check_known(raw: _RawTable, name: str, argument: str) -> None:
    if name in raw.columns:
        return
    close = difflib.get_close_matches(name, raw.names, n=1, cutoff=0.5)
    hint = f"Did you mean {close[0]!r}? " if close else ""
    raise bad_input(
        f"{argument} column {name!r}",
        f"a column of {raw.source}",
        "no such column",
        f"{hint}Columns are {_shown(raw.names)}.",
    )


def _check_distinct(names: list[str], argument: str) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise bad_input(argument, "each column once", f"{name!r} twice")
        seen.add(name)


def _shown(names, limit: int = 12) -> str:
    names = list(names)
    text = ", ".join(names[:limit])
    if len(names) > limit:
        text += f", … ({len(names)} in all)"
    return text


def _numeric_column(raw: _RawTable, name: str) -> np.ndarray:
    """Column ``name`` as float64, or an error naming the first bad cell."""
    values = raw.columns[name]
    try:
        column = np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError):
        column = None
    if column is not None and column.ndim == 1:
        return column
    values = list(np.asarray(values, dtype=object).ravel())
    for i, cell in enumerate(values):
        try:
            float(cell)
        except (ValueError, TypeError):
            shown = "an empty cell" if str(cell).strip() == "" else repr(cell)
            raise bad_input(
                f"{raw.source}, column {name!r}, {raw.row_word(i)}",
                "a number",
                shown,
                "Fix or remove that row, or leave the column unselected.",
            ) from None
    raise bad_input(f"{raw.source}, column {name!r}", "numbers", "non-numeric data")


def _as_float(values, argument: str, source: str) -> np.ndarray:
    try:
        A = np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise bad_input(
            f"{source}: {argument}",
            "a real numeric array",
            f"{type(values).__name__}",
            str(exc),
        ) from exc
    return A


def _check_finite(source, X, Y, feature_cols, label_cols, row_word) -> None:
    """Reject NaN or inf, saying how many and in which rows."""
    data = np.concatenate([X, Y], axis=1)
    bad = ~np.isfinite(data)
    if not bad.any():
        return
    names = list(feature_cols) + list(label_cols)
    rows = np.flatnonzero(bad.any(axis=1))
    cols = [names[j] for j in np.flatnonzero(bad.any(axis=0))]
    first = ", ".join(row_word(int(i)) for i in rows[:5])
    more = " …" if rows.size > 5 else ""
    raise bad_input(
        source,
        "finite values in the selected columns",
        f"{int(bad.sum())} NaN or infinite values in {rows.size} rows (columns "
        f"{_shown(cols)}; first at {first}{more})",
        "Remove or impute those rows before running.",
    )


def _check_rows(source: str, n_rows: int, n_features: int, per_feature: int) -> None:
    needed = per_feature * n_features
    if n_rows < needed:
        raise bad_input(
            source,
            f"at least {needed} rows ({per_feature} per feature column × "
            f"{n_features} feature column{'s' if n_features > 1 else ''})",
            f"{n_rows} rows",
            "Provide more points or fewer feature columns.",
        )
