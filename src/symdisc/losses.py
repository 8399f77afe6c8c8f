"""Loss terms, one pure function each, batched over generators.

Letters: ``A`` is a stack of ``k`` action matrices, shape ``(k, n, n)``: a
point ``x`` of shape ``(c, n)`` moves as ``x ↦ x + ε x Aᵀ`` (the same matrix on
every copy). For real generators ``A = G``; in the unitary convention
``A = iJ``. ``X`` is a batch of points, shape ``(b, c, n)``; ``φ`` maps one
point to ``m`` labels.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from symdisc.algebra.linalg import CANONICAL_NORM_SQ

Array = jax.Array


def act(A: Array, X: Array) -> Array:
    """Infinitesimal motion of every point: ``(k, n, n), (b, c, n) -> (k, b, c, n)``."""
    return jnp.einsum("kij,bcj->kbci", A, X)


def directional_derivatives(fn: Callable, A: Array, X: Array) -> Array:
    """``Dφ(x)[A x]`` for every generator and point, shape ``(k, b, m)``.

    Computed exactly by a Jacobian-vector product; no step size, no
    ``O(ε²)`` floor.
    """
    V = act(A, X)

    def along(tangents):
        return jax.vmap(lambda x, t: jax.jvp(fn, (x,), (t,))[1])(X, tangents)

    return jax.vmap(along)(V)


def invariance_exact(fn: Callable, A: Array, X: Array) -> Array:
    """Exact invariance loss per generator, shape ``(k,)``.

    ``L_α = mean_x Σ_j |Dφ_j(x)[A_α x]|²``.
    """
    D = directional_derivatives(fn, A, X)
    return jnp.mean(jnp.sum(jnp.abs(D) ** 2, axis=-1), axis=-1)


def invariance_finite(fn: Callable, A: Array, X: Array, eps: float) -> Array:
    """Finite-step invariance loss per generator, shape ``(k,)``.

    ``L_α = mean_x Σ_j |φ_j(x + ε A_α x) − φ_j(x)|² / ε²``; needed for
    oracles that are not differentiable.
    """
    base = jax.vmap(fn)(X)
    moved = X[None] + eps * act(A, X)
    labels = jax.vmap(jax.vmap(fn))(moved)
    return (
        jnp.mean(jnp.sum(jnp.abs(labels - base[None]) ** 2, axis=-1), axis=-1) / eps**2
    )


def squared_norms(G: Array) -> Array:
    """``‖G_α‖_F²`` per generator, shape ``(k,)``."""
    return jnp.sum(jnp.abs(G) ** 2, axis=(-2, -1))


def normalisation(G: Array, target: float = CANONICAL_NORM_SQ) -> Array:
    """``(‖G_α‖_F² − 2)²`` per generator, shape ``(k,)``."""
    return (squared_norms(G) - target) ** 2


def orthogonality(G: Array) -> Array:
    """``Σ_{α<β} |⟨G_α, G_β⟩|²`` (Hermitian inner product), a scalar."""
    V = G.reshape(G.shape[0], -1)
    M = V.conj() @ V.T
    off = jnp.triu(jnp.abs(M) ** 2, k=1)
    return jnp.sum(off)


def brackets(G: Array) -> Array:
    """All commutators ``[G_α, G_β]``, shape ``(k, k, n, n)``."""
    GG = jnp.einsum("aij,bjk->abik", G, G)
    return GG - jnp.swapaxes(GG, 0, 1)


def antisymmetrise(a: Array) -> Array:
    """``(a − a^{βαγ}) / 2``: structure constants antisymmetric in ``α, β``."""
    return 0.5 * (a - jnp.swapaxes(a, 0, 1))


def closure_learned(G: Array, a: Array) -> Array:
    """Closure with learned constants, a scalar.

    ``Σ_{α<β} ‖[G_α, G_β] − Σ_γ a_αβγ G_γ‖_F²`` with ``a`` antisymmetrised in
    ``α, β``, shape ``(k, k, k)``.
    """
    C = antisymmetrise(a)
    resid = brackets(G) - jnp.einsum("abc,cij->abij", C, G)
    per_pair = jnp.sum(jnp.abs(resid) ** 2, axis=(-2, -1))
    return 0.5 * jnp.sum(per_pair)


def closure_projection(G: Array, ridge: float = 1e-12) -> Array:
    """Closure as the brackets' residual outside ``span{G}``, a scalar.

    ``Σ_{α<β} ‖(I − P)[G_α, G_β]‖_F²`` with ``P`` the projector onto the real
    span of the generators; needs no learned constants.
    """
    k = G.shape[0]
    V = G.reshape(k, -1)
    if jnp.iscomplexobj(V):
        V = jnp.concatenate([V.real, V.imag], axis=1)
    B = brackets(G).reshape(k * k, -1)
    if jnp.iscomplexobj(B):
        B = jnp.concatenate([B.real, B.imag], axis=1)
    gram = V @ V.T + ridge * jnp.eye(k)
    coeffs = jnp.linalg.solve(gram, V @ B.T)
    resid = B - coeffs.T @ V
    return 0.5 * jnp.sum(resid**2)


def sparsity(G: Array) -> Array:
    """``Σ_{pairs of distinct entries} |G_jk| |G_j'k'|`` per generator, ``(k,)``.

    Each unordered pair counts once. For complex generators the real and
    imaginary parts count as separate entries (their mixed pairs included).
    Computed as ``((Σ|g|)² − Σ|g|²) / 2`` over the entries ``g``.
    """
    V = G.reshape(G.shape[0], -1)
    if jnp.iscomplexobj(V):
        V = jnp.concatenate([V.real, V.imag], axis=1)
    absV = jnp.abs(V)
    return 0.5 * (jnp.sum(absV, axis=1) ** 2 - jnp.sum(absV**2, axis=1))
