"""Published subalgebra tables, and a cell-by-cell comparison with ours.

The u(4) table of the talk *Machine Learning Symmetries in Physics from First
Principles* (K. Matchev et al.) lists, for each dimension ``N_h``, the direct
sums ``h = h_1 ⊕ … ⊕ h_r`` its training reached. Its column counts *blocks*:
an abelian block ``u(1)^k`` or a block ``u(n)`` counts once, so one algebra
appears in several columns (``u(2)``, ``su(2) ⊕ u(1)``), and an arrow means
that training with fewer blocks reached the algebra the arrow points to.
Here ``r`` counts *indecomposable* factors (each ``u(1)`` and each simple
ideal), so each published algebra belongs to exactly one cell ``(N_h, r)``
of :func:`symdisc.subalgebras.decomposition_table`; the comparison is per
algebra, up to isomorphism (``so(3) ≅ su(2)``, ``so(6) ≅ su(4)``,
``usp(4) ≅ so(5)``).
"""

from __future__ import annotations

from symdisc.subalgebras import canonical

_U1, _SU2, _SU3 = "u(1)", "su(2)", "su(3)"

#: ``(N_h, published column, published entry, indecomposable factors)``.
PUBLISHED_U4 = [
    (1, 1, "u1", (_U1,)),
    (2, 1, "u1^2", (_U1,) * 2),
    (2, 2, "u1 ⊕ u1", (_U1,) * 2),
    (3, 1, "u1^3", (_U1,) * 3),
    (3, 2, "u1^2 ⊕ u1", (_U1,) * 3),
    (3, 3, "u1 ⊕ u1 ⊕ u1", (_U1,) * 3),
    (3, 1, "su2", (_SU2,)),
    (4, 1, "u1^4", (_U1,) * 4),
    (4, 2, "u1^3 ⊕ u1", (_U1,) * 4),
    (4, 3, "u1^2 ⊕ u1 ⊕ u1", (_U1,) * 4),
    (4, 4, "u1 ⊕ u1 ⊕ u1 ⊕ u1", (_U1,) * 4),
    (4, 1, "u2", (_SU2, _U1)),
    (4, 2, "su2 ⊕ u1", (_SU2, _U1)),
    (5, 1, "→", (_SU2, _U1, _U1)),
    (5, 2, "u2 ⊕ u1", (_SU2, _U1, _U1)),
    (5, 3, "su2 ⊕ u1 ⊕ u1", (_SU2, _U1, _U1)),
    (6, 1, "→", (_SU2, _U1, _U1, _U1)),
    (6, 2, "→", (_SU2, _U1, _U1, _U1)),
    (6, 3, "u2 ⊕ u1 ⊕ u1", (_SU2, _U1, _U1, _U1)),
    (6, 4, "su2 ⊕ u1 ⊕ u1 ⊕ u1", (_SU2, _U1, _U1, _U1)),
    (6, 1, "so4", (_SU2, _SU2)),
    (6, 2, "su2 ⊕ su2", (_SU2, _SU2)),
    (7, 1, "→", (_SU2, _SU2, _U1)),
    (7, 2, "u2 ⊕ su2", (_SU2, _SU2, _U1)),
    (7, 3, "su2 ⊕ su2 ⊕ u1", (_SU2, _SU2, _U1)),
    (8, 1, "→", (_SU2, _SU2, _U1, _U1)),
    (8, 2, "u2 ⊕ u2", (_SU2, _SU2, _U1, _U1)),
    (8, 3, "u2 ⊕ su2 ⊕ u1", (_SU2, _SU2, _U1, _U1)),
    (8, 4, "su2 ⊕ su2 ⊕ u1 ⊕ u1", (_SU2, _SU2, _U1, _U1)),
    (8, 1, "su3", (_SU3,)),
    (9, 1, "u3", (_SU3, _U1)),
    (9, 2, "su3 ⊕ u1", (_SU3, _U1)),
    (10, 1, "→", (_SU3, _U1, _U1)),
    (10, 2, "u3 ⊕ u1", (_SU3, _U1, _U1)),
    (10, 3, "su3 ⊕ u1 ⊕ u1", (_SU3, _U1, _U1)),
    (10, 1, "sp4", ("so(5)",)),
    (15, 1, "su4", ("su(4)",)),
    (16, 1, "u4", ("su(4)", _U1)),
    (16, 2, "su4 ⊕ u1", ("su(4)", _U1)),
]

#: Where mathematics and the published u(4) table part ways, by ``(N_h, r)``.
NOTES_U4 = {
    (6, 2): (
        "the published so4 in column 1 is so(4) ≅ su(2) ⊕ su(2), which is not "
        "simple: two indecomposable factors, like the block-diagonal "
        "su(2) ⊕ su(2) next to it (another embedding of the same algebra)"
    ),
    (11, 2): (
        "the published table is empty at N_h = 11, yet usp(4) ≅ so(5) acting "
        "on C⁴ commutes with the centre of u(4): so(5) ⊕ u(1) is an "
        "11-dimensional subalgebra with two factors"
    ),
}

#: Why rows 12 … 14 stay empty (both tables agree).
EMPTY_U4 = (
    "no subalgebra of u(4) has dimension 12, 13 or 14. Project h to su(4) "
    "along the centre: the image is a subalgebra. If it is all of su(4), h "
    "contains [h, h] = su(4) and is su(4) or u(4) (15, 16); otherwise it lies "
    "in a maximal subalgebra of su(4), the largest of which is usp(4) ≅ so(5) "
    "(10; the others are s(u(3) ⊕ u(1)) 9, s(u(2) ⊕ u(2)) 7 and so(4) 6), so "
    "dim h ≤ 10 + 1 = 11"
)

PUBLISHED = {"u4": (PUBLISHED_U4, NOTES_U4, EMPTY_U4)}


def published_key(name: str, dims: int | None) -> str | None:
    """Key of the published table for a table of ``name`` (and ``n``), if any."""
    if name == "u4" or (name == "u" and dims == 4):
        return "u4"
    return None


def compare(table, key: str) -> list[dict]:
    """One row per algebra of either table, in order of ``N_h`` then ``r``.

    Each row: ``total``, ``n_factors`` (the cell here), ``algebra`` (the
    factors, canonical names), ``published`` (the published entries with
    their columns, empty when the published table lacks it), ``found`` (what
    our cell holds, ``None`` when nothing), ``source``, ``agrees`` and
    ``note``.
    """
    entries, notes, _empty = PUBLISHED[key]
    rows: dict[tuple, dict] = {}
    for total, column, entry, factors in entries:
        algebra = canonical(factors)
        row = rows.setdefault(
            (total, len(factors), algebra),
            {
                "total": total,
                "n_factors": len(factors),
                "algebra": list(algebra),
                "published": [],
            },
        )
        row["published"].append(f"{entry} (column {column})")
    for cell in table.cells:
        if not cell.found:
            continue
        algebra = canonical(cell.factors)
        rows.setdefault(
            (cell.total, cell.n_factors, algebra),
            {
                "total": cell.total,
                "n_factors": cell.n_factors,
                "algebra": list(algebra),
                "published": [],
            },
        )
    cells = {(c.total, c.n_factors): c for c in table.cells}
    out = []
    for (total, r, algebra), row in sorted(rows.items()):
        cell = cells.get((total, r))
        here = canonical(cell.factors) if cell is not None and cell.found else None
        row["found"] = list(cell.factors) if here else None
        row["source"] = cell.source if here else ""
        row["agrees"] = bool(row["published"]) and here == algebra
        row["note"] = notes.get((total, r), "")
        if not row["published"] and here == algebra and not row["note"]:
            row["note"] = "not in the published table"
        if row["published"] and here is None:
            row["note"] = row["note"] or (
                "not reached here"
                if cell is not None and not cell.impossible
                else "outside the cells searched here"
            )
        out.append(row)
    return out


#: Isomorphism classes of k-dimensional subalgebras reported in the talk, by
#: preset and ``k`` (Lorentz: an abelian and a non-abelian class at k = 2,
#: five non-abelian types at k = 3, one at k = 4, none at k = 5).
PUBLISHED_CLASSES = {"lorentz": {2: 2, 3: 5, 4: 1, 5: 0, 6: 1}}

#: What the comparison of class counts must keep in mind, by preset.
CLASS_NOTES = {
    "lorentz": (
        "A class here is (name, derived dimension, Killing signature), where a "
        "central u(1) (a rotation) and a central R (a boost) count alike: they "
        "are one abstract algebra, embedded in two ways, and the seeds of each "
        "embedding are listed. At k = 3 "
        "the published five types are so(3), so(2,1) and solvable algebras "
        "spanned by the two null rotations N1, N2 of one null line and one "
        "more generator X = a J + b K (J the rotation, K the boost fixing that "
        "line); the Killing signature of such an algebra is (1, 0, 2) for "
        "|b| > |a| and (0, 1, 2) for |a| > |b|, so the solvable types fall "
        "into those two classes here. so(3) is rarely reached from random "
        "starts: 1 of the seeds 0 … 59 with the default budget."
    ),
}
