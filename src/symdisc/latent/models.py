"""Autoencoder and latent classifier: train, measure, save, load, cache.

An autoencoder ``x ↦ E(x) = z ∈ R^ℓ ↦ D(z) ≈ x`` compresses images of ``p``
pixels; a small classifier ``z ↦ s(z) ∈ R^m`` on the latent codes gives the
logits whose symmetries are sought (``m = 1`` for two classes, one logit per
class otherwise). Both are equinox MLPs trained with Adam, full batch unless a
batch size is given, from an explicit seed.

Precision: the networks train in float32 by default. Measured on 2 shared
CPU cores for the ten-digit set (1,348 training images, ℓ = 16, width 64,
2,000 full-batch autoencoder steps and 1,000 classifier steps), the whole
pipeline takes 5–9 s in float32 and 12–13 s in float64, with the same test
error (MSE ≈ 0.008) and accuracy (≈ 97 %), so float32 halves the cost. The
oracle (:mod:`symdisc.latent.oracle`) evaluates a float64 copy of the
classifier, so symmetry discovery still sees float64 derivatives.

Models are saved as an ``.npz`` of named arrays next to a ``.json`` of
hyperparameters: no pickles, readable by NumPy alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from symdisc import _jax  # noqa: F401  (float64)
from symdisc.errors import InputError, bad_input
from symdisc.io import write_atomic
from symdisc.latent.data import ImageData

logger = logging.getLogger(__name__)

DTYPES = {"float32": jnp.float32, "float64": jnp.float64}
MODEL_FORMAT = "symdisc-model"
MODEL_FORMAT_VERSION = 1
_CHUNK = 100


def _check_positive(name: str, value, allow_none: bool = False) -> None:
    if allow_none and value is None:
        return
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
        raise bad_input(
            name, "a positive integer" + (" or None" if allow_none else ""), value
        )


def _check_dtype(name: str, dtype: str) -> None:
    if dtype not in DTYPES:
        raise bad_input(name, f"one of {sorted(DTYPES)}", dtype)


# ---------------------------------------------------------------------------
# Networks


class Autoencoder(eqx.Module):
    """MLP encoder ``E: R^p → R^ℓ`` and decoder ``D: R^ℓ → [0, 1]^p``.

    Hidden layers use GELU (smooth, so latent flows and their derivatives are
    smooth); the decoder ends in a sigmoid because pixels lie in ``[0, 1]``.
    """

    encoder: eqx.nn.MLP
    decoder: eqx.nn.MLP
    n_pixels: int = eqx.field(static=True)
    latent_dim: int = eqx.field(static=True)
    width: int = eqx.field(static=True)
    depth: int = eqx.field(static=True)
    dtype: str = eqx.field(static=True)

    def __init__(
        self,
        n_pixels: int,
        latent_dim: int,
        width: int = 64,
        depth: int = 2,
        dtype: str = "float32",
        *,
        key: jax.Array,
    ):
        for name, value in (
            ("n_pixels", n_pixels),
            ("latent_dim", latent_dim),
            ("width", width),
            ("depth", depth),
        ):
            _check_positive(name, value)
        _check_dtype("dtype", dtype)
        encoder_key, decoder_key = jax.random.split(key)
        self.encoder = eqx.nn.MLP(
            n_pixels,
            latent_dim,
            width,
            depth,
            activation=jax.nn.gelu,
            dtype=DTYPES[dtype],
            key=encoder_key,
        )
        self.decoder = eqx.nn.MLP(
            latent_dim,
            n_pixels,
            width,
            depth,
            activation=jax.nn.gelu,
            final_activation=jax.nn.sigmoid,
            dtype=DTYPES[dtype],
            key=decoder_key,
        )
        self.n_pixels, self.latent_dim = int(n_pixels), int(latent_dim)
        self.width, self.depth, self.dtype = int(width), int(depth), dtype

    def encode(self, image: jax.Array) -> jax.Array:
        """Latent code ``z = E(x)``: ``(p,) -> (ℓ,)``."""
        return self.encoder(jnp.asarray(image, DTYPES[self.dtype]))

    def decode(self, code: jax.Array) -> jax.Array:
        """Image ``D(z)``: ``(ℓ,) -> (p,)`` with pixels in ``[0, 1]``."""
        return self.decoder(jnp.asarray(code, DTYPES[self.dtype]))

    def __call__(self, image: jax.Array) -> jax.Array:
        """Reconstruction ``D(E(x))``: ``(p,) -> (p,)``."""
        return self.decode(self.encode(image))

    def hyperparameters(self) -> dict:
        """Return what :meth:`__init__` needs to rebuild this network."""
        return {
            "n_pixels": self.n_pixels,
            "latent_dim": self.latent_dim,
            "width": self.width,
            "depth": self.depth,
            "dtype": self.dtype,
        }


class LatentClassifier(eqx.Module):
    """MLP on standardised latent codes: ``s(z) = MLP((z − μ) / σ) ∈ R^m``.

    ``μ`` and ``σ`` are the mean and standard deviation of the training codes,
    fixed before training. With two classes ``m = 1`` and ``s > 0`` means the
    second class; otherwise ``m`` is the number of classes and the largest
    logit wins.
    """

    mlp: eqx.nn.MLP
    shift: jax.Array
    scale: jax.Array
    latent_dim: int = eqx.field(static=True)
    classes: tuple[int, ...] = eqx.field(static=True)
    width: int = eqx.field(static=True)
    depth: int = eqx.field(static=True)
    dtype: str = eqx.field(static=True)

    def __init__(
        self,
        latent_dim: int,
        classes,
        width: int = 64,
        depth: int = 1,
        dtype: str = "float32",
        shift=None,
        scale=None,
        *,
        key: jax.Array,
    ):
        for name, value in (
            ("latent_dim", latent_dim),
            ("width", width),
            ("depth", depth),
        ):
            _check_positive(name, value)
        _check_dtype("dtype", dtype)
        classes = tuple(int(c) for c in classes)
        if len(classes) < 2 or len(set(classes)) != len(classes):
            raise bad_input("classes", "at least two distinct class labels", classes)
        n_logits = 1 if len(classes) == 2 else len(classes)
        self.mlp = eqx.nn.MLP(
            latent_dim,
            n_logits,
            width,
            depth,
            activation=jax.nn.gelu,
            dtype=DTYPES[dtype],
            key=key,
        )
        zeros, ones = jnp.zeros(latent_dim), jnp.ones(latent_dim)
        self.shift = jnp.asarray(zeros if shift is None else shift, DTYPES[dtype])
        self.scale = jnp.asarray(ones if scale is None else scale, DTYPES[dtype])
        self.latent_dim, self.classes = int(latent_dim), classes
        self.width, self.depth, self.dtype = int(width), int(depth), dtype

    @property
    def n_logits(self) -> int:
        """Number ``m`` of logits (1 for two classes)."""
        return 1 if len(self.classes) == 2 else len(self.classes)

    def __call__(self, code: jax.Array) -> jax.Array:
        """Logits ``s(z)``: ``(ℓ,) -> (m,)``, computed in the classifier's dtype."""
        code = jnp.asarray(code)
        return self.mlp((code.astype(self.shift.dtype) - self.shift) / self.scale)

    def predict(self, codes: jax.Array) -> np.ndarray:
        """Class labels of a batch of codes: ``(b, ℓ) -> (b,)`` digit labels."""
        return classes_from_logits(jax.vmap(self)(jnp.asarray(codes)), self.classes)

    def hyperparameters(self) -> dict:
        """Return what :meth:`__init__` needs to rebuild this network (no arrays)."""
        return {
            "latent_dim": self.latent_dim,
            "classes": list(self.classes),
            "width": self.width,
            "depth": self.depth,
            "dtype": self.dtype,
        }


def classes_from_logits(logits: jax.Array, classes) -> np.ndarray:
    """Predicted labels from logits ``(b, m)``: sign for ``m = 1``, else argmax."""
    logits = np.asarray(logits)
    classes = np.asarray(classes)
    if logits.shape[-1] == 1:
        return classes[(logits[..., 0] > 0).astype(int)]
    return classes[np.argmax(logits, axis=-1)]


def as_float64(model):
    """Copy of an equinox model with every floating array in float64."""

    def cast(leaf):
        if eqx.is_array(leaf) and jnp.issubdtype(leaf.dtype, jnp.floating):
            return leaf.astype(jnp.float64)
        return leaf

    return jax.tree_util.tree_map(cast, model)


# ---------------------------------------------------------------------------
# Training


@dataclass(frozen=True)
class AutoencoderConfig:
    """Hyperparameters of the autoencoder and its training.

    ``batch_size=None`` trains full batch; otherwise each step draws a batch
    with replacement.
    """

    latent_dim: int = 16
    width: int = 64
    depth: int = 2
    steps: int = 2000
    learning_rate: float = 3e-3
    batch_size: int | None = None
    dtype: str = "float32"

    def __post_init__(self) -> None:
        for name in ("latent_dim", "width", "depth", "steps"):
            _check_positive(f"AutoencoderConfig.{name}", getattr(self, name))
        _check_positive("AutoencoderConfig.batch_size", self.batch_size, True)
        _check_dtype("AutoencoderConfig.dtype", self.dtype)
        if not self.learning_rate > 0:
            raise bad_input(
                "AutoencoderConfig.learning_rate",
                "a positive number",
                self.learning_rate,
            )


@dataclass(frozen=True)
class ClassifierConfig:
    """Hyperparameters of the latent classifier and its training (AdamW)."""

    width: int = 64
    depth: int = 1
    steps: int = 1000
    learning_rate: float = 3e-3
    weight_decay: float = 1e-3
    batch_size: int | None = None
    dtype: str = "float32"

    def __post_init__(self) -> None:
        for name in ("width", "depth", "steps"):
            _check_positive(f"ClassifierConfig.{name}", getattr(self, name))
        _check_positive("ClassifierConfig.batch_size", self.batch_size, True)
        _check_dtype("ClassifierConfig.dtype", self.dtype)
        if not self.learning_rate > 0:
            raise bad_input(
                "ClassifierConfig.learning_rate",
                "a positive number",
                self.learning_rate,
            )
        if not self.weight_decay >= 0:
            raise bad_input(
                "ClassifierConfig.weight_decay",
                "a non-negative number",
                self.weight_decay,
            )


def _fit(
    params,
    loss_fn,
    optimizer,
    inputs,
    targets,
    steps: int,
    batch_size: int | None,
    key: jax.Array,
):
    """Minimise ``loss_fn(params, inputs, targets)`` with ``optimizer``.

    Steps run in compiled chunks (``lax.scan``); a non-finite loss stops the
    run. Returns the parameters, the loss per step ``(steps_done,)`` and
    ``"budget"`` or ``"diverged"``.
    """
    n_points = inputs.shape[0]

    @eqx.filter_jit
    def run_chunk(params, opt_state, keys, inputs, targets):
        def step(carry, step_key):
            params, opt_state = carry
            if batch_size is None:
                x, y = inputs, targets
            else:
                rows = jax.random.randint(step_key, (batch_size,), 0, n_points)
                x, y = inputs[rows], targets[rows]
            loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), loss

        return jax.lax.scan(step, (params, opt_state), keys)

    opt_state = optimizer.init(params)
    keys = jax.random.split(key, steps)
    losses = []
    for start in range(0, steps, _CHUNK):
        (new_params, new_state), chunk_losses = run_chunk(
            params, opt_state, keys[start : start + _CHUNK], inputs, targets
        )
        chunk_losses = np.asarray(chunk_losses)
        if not np.all(np.isfinite(chunk_losses)):
            bad = int(np.argmin(np.isfinite(chunk_losses)))
            losses.append(chunk_losses[:bad])
            logger.warning("training diverged at step %d", start + bad)
            return params, np.concatenate(losses), "diverged"
        params, opt_state = new_params, new_state
        losses.append(chunk_losses)
        logger.debug("step %d loss %.3g", start + len(chunk_losses), chunk_losses[-1])
    return params, np.concatenate(losses), "budget"


def train_autoencoder(images: np.ndarray, config: AutoencoderConfig, seed: int = 0):
    """Fit an autoencoder to images ``(N, p)`` by the mean squared pixel error.

    Loss ``L = mean_{i,j} (D(E(x_i))_j − x_ij)²``.

    Returns
    -------
    autoencoder : Autoencoder
    losses : numpy.ndarray
        Training loss per step.
    status : str
        ``"budget"`` (all steps run) or ``"diverged"``.
    """
    images = np.asarray(images)
    if images.ndim != 2 or not np.all(np.isfinite(images)):
        raise bad_input(
            "images", "a finite array of shape (N, p)", f"shape {images.shape}"
        )
    init_key, batch_key = jax.random.split(jax.random.PRNGKey(seed))
    model = Autoencoder(
        images.shape[1],
        config.latent_dim,
        config.width,
        config.depth,
        config.dtype,
        key=init_key,
    )
    params, static = eqx.partition(model, eqx.is_array)

    def loss_fn(params, x, _):
        ae = eqx.combine(params, static)
        return jnp.mean((jax.vmap(ae)(x) - x) ** 2)

    x = jnp.asarray(images, DTYPES[config.dtype])
    params, losses, status = _fit(
        params,
        loss_fn,
        optax.adam(config.learning_rate),
        x,
        x,
        config.steps,
        config.batch_size,
        batch_key,
    )
    return eqx.combine(params, static), losses, status


def train_classifier(
    codes: np.ndarray,
    labels: np.ndarray,
    classes,
    config: ClassifierConfig,
    seed: int = 0,
):
    """Fit a classifier on latent codes ``(N, ℓ)`` with labels ``(N,)``.

    Cross-entropy: sigmoid with one logit for two classes, softmax otherwise;
    AdamW with weight decay on the MLP weights only (not on ``μ``, ``σ``).

    Returns
    -------
    classifier : LatentClassifier
    losses : numpy.ndarray
    status : str
    """
    codes, labels = np.asarray(codes), np.asarray(labels)
    classes = tuple(int(c) for c in classes)
    if codes.ndim != 2 or labels.shape != (codes.shape[0],):
        raise bad_input(
            "codes, labels",
            "shapes (N, ℓ) and (N,)",
            f"{codes.shape} and {labels.shape}",
        )
    if not np.all(np.isin(labels, classes)):
        raise bad_input(
            "labels",
            f"values in classes {classes}",
            sorted(set(labels.tolist()) - set(classes)),
        )
    targets = np.searchsorted(np.asarray(classes), labels)

    init_key, batch_key = jax.random.split(jax.random.PRNGKey(seed))
    model = LatentClassifier(
        codes.shape[1],
        classes,
        config.width,
        config.depth,
        config.dtype,
        shift=codes.mean(0),
        scale=codes.std(0) + 1e-6,
        key=init_key,
    )
    trainable = jax.tree_util.tree_map(eqx.is_array, model)
    trainable = eqx.tree_at(
        lambda m: (m.shift, m.scale), trainable, replace=(False, False)
    )
    params, static = eqx.partition(model, trainable)

    def loss_fn(params, z, y):
        logits = jax.vmap(eqx.combine(params, static))(z)
        if logits.shape[-1] == 1:
            return jnp.mean(optax.sigmoid_binary_cross_entropy(logits[:, 0], y))
        return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, y))

    dtype = DTYPES[config.dtype]
    y = jnp.asarray(targets, dtype if len(classes) == 2 else jnp.int32)
    optimizer = optax.adamw(config.learning_rate, weight_decay=config.weight_decay)
    params, losses, status = _fit(
        params,
        loss_fn,
        optimizer,
        jnp.asarray(codes, dtype),
        y,
        config.steps,
        config.batch_size,
        batch_key,
    )
    return eqx.combine(params, static), losses, status


@eqx.filter_jit
def _encode_batch(autoencoder, images):
    return jax.vmap(autoencoder.encode)(images)


@eqx.filter_jit
def _decode_batch(autoencoder, codes):
    return jax.vmap(autoencoder.decode)(codes)


def encode(autoencoder: Autoencoder, images: np.ndarray) -> np.ndarray:
    """Latent codes of images: ``(N, p) -> (N, ℓ)`` float64."""
    return np.asarray(_encode_batch(autoencoder, jnp.asarray(images)), np.float64)


def decode(autoencoder: Autoencoder, codes: np.ndarray) -> np.ndarray:
    """Images of latent codes: ``(N, ℓ) -> (N, p)`` float64 in ``[0, 1]``."""
    return np.asarray(_decode_batch(autoencoder, jnp.asarray(codes)), np.float64)


@dataclass(frozen=True)
class LatentMetrics:
    """How well the models fit, measured on train and held-out test images.

    ``recon_mse_*`` is the mean squared pixel error of ``D(E(x))``;
    ``accuracy_*`` is the share of images whose code ``E(x)`` is classified
    correctly.
    """

    recon_mse_train: float
    recon_mse_test: float
    accuracy_train: float
    accuracy_test: float


def evaluate(
    autoencoder: Autoencoder, classifier: LatentClassifier, data: ImageData
) -> LatentMetrics:
    """Reconstruction error and classification accuracy on ``data``."""
    values = {}
    for part in ("train", "test"):
        images = getattr(data, f"images_{part}")
        labels = getattr(data, f"labels_{part}")
        codes = encode(autoencoder, images)
        recon = decode(autoencoder, codes)
        values[f"recon_mse_{part}"] = float(np.mean((recon - images) ** 2))
        values[f"accuracy_{part}"] = float(np.mean(classifier.predict(codes) == labels))
    return LatentMetrics(**values)


# ---------------------------------------------------------------------------
# Saving and loading

_KINDS = {"autoencoder": Autoencoder, "classifier": LatentClassifier}


def _kind_of(model) -> str:
    for kind, cls in _KINDS.items():
        if isinstance(model, cls):
            return kind
    raise bad_input(
        "model", "an Autoencoder or a LatentClassifier", type(model).__name__
    )


def _named_leaves(model) -> dict[str, np.ndarray]:
    params = eqx.filter(model, eqx.is_array)
    pairs, _ = jax.tree_util.tree_flatten_with_path(params)
    return {jax.tree_util.keystr(path): np.asarray(leaf) for path, leaf in pairs}


def _write_atomic(path: Path, write) -> None:
    """``write(handle)`` into a binary file that replaces ``path`` when complete."""

    def to_file(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            write(handle)

    write_atomic(path, to_file)


def save_model(model, path: str | os.PathLike) -> Path:
    """Save a network as ``path.npz`` (named arrays) and ``path.json``.

    ``path`` is given without suffix (any suffix is replaced). Returns the
    ``.npz`` path.
    """
    kind = _kind_of(model)
    base = Path(path)
    base.parent.mkdir(parents=True, exist_ok=True)
    leaves = _named_leaves(model)
    meta = {
        "format": MODEL_FORMAT,
        "version": MODEL_FORMAT_VERSION,
        "kind": kind,
        "hyperparameters": model.hyperparameters(),
        "arrays": {
            name: {"shape": list(a.shape), "dtype": str(a.dtype)}
            for name, a in leaves.items()
        },
    }
    npz_path, json_path = base.with_suffix(".npz"), base.with_suffix(".json")
    _write_atomic(npz_path, lambda h: np.savez(h, **leaves))
    _write_atomic(json_path, lambda h: h.write(json.dumps(meta, indent=2).encode()))
    return npz_path


def load_model(path: str | os.PathLike):
    """Rebuild a network saved by :func:`save_model`.

    Raises
    ------
    InputError
        If either file is missing or does not match the saved description.
    """
    base = Path(path)
    npz_path, json_path = base.with_suffix(".npz"), base.with_suffix(".json")
    for file in (npz_path, json_path):
        if not file.is_file():
            raise bad_input(
                "path",
                "a model saved by save_model (.npz and .json)",
                f"missing {str(file)!r}",
            )
    meta = json.loads(json_path.read_text())
    if meta.get("format") != MODEL_FORMAT or meta.get("kind") not in _KINDS:
        raise bad_input(
            str(json_path),
            f"a {MODEL_FORMAT} description",
            f"format {meta.get('format')!r}, kind {meta.get('kind')!r}",
        )

    # Shapes only: no random initialisation is computed for arrays read next.
    skeleton = eqx.filter_eval_shape(
        _KINDS[meta["kind"]], **meta["hyperparameters"], key=jax.random.PRNGKey(0)
    )
    params, static = eqx.partition(
        skeleton, lambda leaf: isinstance(leaf, jax.ShapeDtypeStruct)
    )
    pairs, treedef = jax.tree_util.tree_flatten_with_path(params)
    with np.load(npz_path, allow_pickle=False) as stored:
        leaves = []
        for key_path, template in pairs:
            name = jax.tree_util.keystr(key_path)
            if name not in stored or stored[name].shape != template.shape:
                got = stored[name].shape if name in stored else "nothing"
                raise bad_input(
                    f"{str(npz_path)!r} array {name!r}",
                    f"shape {template.shape}",
                    got,
                    "The .npz and .json files do not belong together.",
                )
            leaves.append(jnp.asarray(stored[name], template.dtype))
    return eqx.combine(jax.tree_util.tree_unflatten(treedef, leaves), static)


# ---------------------------------------------------------------------------
# Train once, reuse


@dataclass(frozen=True)
class TrainedModels:
    """An autoencoder and a latent classifier with their quality and cost.

    Attributes
    ----------
    autoencoder : Autoencoder
    classifier : LatentClassifier
    metrics : LatentMetrics
    losses : dict of str to numpy.ndarray
        Training loss per step for ``"autoencoder"`` and ``"classifier"``.
    status : str
        ``"trained"``, ``"loaded"`` (from the cache) or ``"diverged"``.
    timings : dict of str to float
        Seconds: ``autoencoder``, ``classifier`` (training incl. compilation),
        ``load`` and ``total``.
    cache_path : str or None
        Folder the models were saved to or loaded from.
    """

    autoencoder: Autoencoder
    classifier: LatentClassifier
    metrics: LatentMetrics
    losses: dict = field(default_factory=dict)
    status: str = "trained"
    timings: dict = field(default_factory=dict)
    cache_path: str | None = None


def cache_key(
    data: ImageData,
    autoencoder: AutoencoderConfig,
    classifier: ClassifierConfig,
    seed: int,
) -> str:
    """Hash of everything the trained models depend on."""
    content = {
        "format": MODEL_FORMAT_VERSION,
        "data": data.fingerprint(),
        "autoencoder": asdict(autoencoder),
        "classifier": asdict(classifier),
        "seed": int(seed),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _train_both(data, autoencoder_config, classifier_config, seed):
    ae_seed, clf_seed = np.random.SeedSequence(seed).generate_state(2)
    start = time.perf_counter()
    autoencoder, ae_losses, ae_status = train_autoencoder(
        data.images_train, autoencoder_config, int(ae_seed)
    )
    middle = time.perf_counter()
    codes = encode(autoencoder, data.images_train)
    classifier, clf_losses, clf_status = train_classifier(
        codes, data.labels_train, data.classes, classifier_config, int(clf_seed)
    )
    end = time.perf_counter()
    status = "diverged" if "diverged" in (ae_status, clf_status) else "trained"
    return (
        autoencoder,
        classifier,
        {"autoencoder": ae_losses, "classifier": clf_losses},
        status,
        {"autoencoder": middle - start, "classifier": end - middle},
    )


def _save_folder(folder: Path, autoencoder, classifier, losses, summary) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    save_model(autoencoder, staging / "autoencoder")
    save_model(classifier, staging / "classifier")
    np.savez(staging / "losses.npz", **losses)
    (staging / "summary.json").write_text(json.dumps(summary, indent=2))
    if folder.exists():
        shutil.rmtree(folder, ignore_errors=True)
    try:
        os.replace(staging, folder)
    except OSError:  # another process wrote the same models first
        shutil.rmtree(staging, ignore_errors=True)


def load_or_train(
    data: ImageData,
    autoencoder: AutoencoderConfig | None = None,
    classifier: ClassifierConfig | None = None,
    seed: int = 0,
    cache_dir: str | os.PathLike | None = None,
) -> TrainedModels:
    """Train the autoencoder and classifier, or load them from ``cache_dir``.

    Models are cached in ``cache_dir/<data name>-l<ℓ>-<hash>/``, the hash
    covering the data arrays, both configurations and the seed, so a changed
    setting trains afresh. Metrics are recomputed on every call.

    Parameters
    ----------
    data : ImageData
    autoencoder, classifier : config, optional
        Defaults: :class:`AutoencoderConfig` and :class:`ClassifierConfig`.
    seed : int
        Seed of initialisation and batches of both networks.
    cache_dir : path-like, optional
        Where to look for and save models; nothing is saved when omitted.
    """
    autoencoder = autoencoder or AutoencoderConfig()
    classifier = classifier or ClassifierConfig()
    key = cache_key(data, autoencoder, classifier, seed)
    folder = None
    if cache_dir is not None:
        folder = Path(cache_dir) / f"{data.name}-l{autoencoder.latent_dim}-{key[:16]}"

    start = time.perf_counter()
    if folder is not None and (folder / "classifier.npz").is_file():
        try:
            ae_model = load_model(folder / "autoencoder")
            clf_model = load_model(folder / "classifier")
            with np.load(folder / "losses.npz", allow_pickle=False) as stored:
                losses = {name: stored[name] for name in stored.files}
            metrics = evaluate(ae_model, clf_model, data)
            seconds = time.perf_counter() - start
            logger.info("loaded latent models from %s", folder)
            return TrainedModels(
                ae_model,
                clf_model,
                metrics,
                losses,
                "loaded",
                {"load": seconds, "total": seconds},
                str(folder),
            )
        except (InputError, OSError, ValueError, KeyError) as exc:
            logger.warning(
                "cached models in %s unusable (%s); training again", folder, exc
            )

    ae_model, clf_model, losses, status, timings = _train_both(
        data, autoencoder, classifier, seed
    )
    metrics = evaluate(ae_model, clf_model, data)
    timings["total"] = time.perf_counter() - start
    logger.info(
        "trained latent models for %s in %.1f s: %s",
        data.name,
        timings["total"],
        metrics,
    )
    if folder is not None and status == "trained":
        summary = {
            "data": data.summary(),
            "autoencoder": asdict(autoencoder),
            "classifier": asdict(classifier),
            "seed": int(seed),
            "metrics": asdict(metrics),
            "timings": timings,
            "key": key,
        }
        _save_folder(folder, ae_model, clf_model, losses, summary)
    return TrainedModels(
        ae_model,
        clf_model,
        metrics,
        losses,
        status,
        timings,
        None if folder is None else str(folder),
    )
