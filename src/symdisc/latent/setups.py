"""Ready configurations: data, trained models and the oracle in one record.

``digits01`` — digits 0 and 1, latent plane (ℓ = 2), one logit: small enough
to draw. ``digits`` — all ten digits, ℓ = 16, ten logits.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass, field

import numpy as np

from symdisc.errors import bad_input
from symdisc.latent.data import ImageData, load_digits_data
from symdisc.latent.models import (
    Autoencoder,
    AutoencoderConfig,
    ClassifierConfig,
    LatentClassifier,
    LatentMetrics,
    encode,
    load_or_train,
)
from symdisc.latent.oracle import latent_oracle
from symdisc.oracles.base import Oracle

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LatentSetup:
    """Everything a latent-space symmetry search starts from.

    Attributes
    ----------
    name : str
    data : ImageData
    autoencoder : Autoencoder
    classifier : LatentClassifier
    oracle : Oracle
        The classifier's logits on ``R^ℓ``, sampling near the training codes.
    metrics : LatentMetrics
        Test reconstruction error and accuracy (and their training values).
    codes_train, codes_test : numpy.ndarray
        Latent codes ``E(x)`` of the images, shapes ``(N_train, ℓ)``,
        ``(N_test, ℓ)``.
    labels_train, labels_test : numpy.ndarray
        Their digit labels.
    status : str
        ``"trained"``, ``"loaded"`` or ``"diverged"``.
    timings : dict of str to float
        Seconds for ``data``, ``models`` (training or loading), ``codes`` and
        ``total``.
    cache_path : str or None
    """

    name: str
    data: ImageData
    autoencoder: Autoencoder
    classifier: LatentClassifier
    oracle: Oracle
    metrics: LatentMetrics
    codes_train: np.ndarray
    labels_train: np.ndarray
    codes_test: np.ndarray
    labels_test: np.ndarray
    status: str = "trained"
    timings: dict = field(default_factory=dict)
    cache_path: str | None = None

    @property
    def latent_dim(self) -> int:
        """Dimension ``ℓ`` of the latent space."""
        return int(self.codes_train.shape[1])

    def class_means(self) -> np.ndarray:
        """Mean training code of each class, shape ``(n_classes, ℓ)``.

        Rows follow ``data.classes``.
        """
        return np.stack(
            [
                self.codes_train[self.labels_train == c].mean(axis=0)
                for c in self.data.classes
            ]
        )


def latent_setup(
    data: ImageData,
    autoencoder: AutoencoderConfig | None = None,
    classifier: ClassifierConfig | None = None,
    seed: int = 0,
    cache_dir: str | os.PathLike | None = None,
    jitter: float = 0.05,
    name: str | None = None,
) -> LatentSetup:
    """Train (or load) the models for ``data`` and build the latent oracle.

    Parameters
    ----------
    data : ImageData
    autoencoder, classifier : config, optional
        See :func:`symdisc.latent.models.load_or_train`.
    seed : int
    cache_dir : path-like, optional
        Reuse models trained before with the same data and settings.
    jitter : float
        Relative noise of the oracle's sampler around the training codes.
    name : str, optional
        Defaults to ``data.name``.
    """
    start = time.perf_counter()
    models = load_or_train(data, autoencoder, classifier, seed, cache_dir)
    after_models = time.perf_counter()
    codes_train = encode(models.autoencoder, data.images_train)
    codes_test = encode(models.autoencoder, data.images_test)
    name = name or data.name
    oracle = latent_oracle(
        models.classifier, codes_train, jitter, name=f"{name}-latent"
    )
    end = time.perf_counter()
    timings = {
        "models": after_models - start,
        "codes": end - after_models,
        "total": end - start,
        **{f"models_{k}": v for k, v in models.timings.items()},
    }
    return LatentSetup(
        name=name,
        data=data,
        autoencoder=models.autoencoder,
        classifier=models.classifier,
        oracle=oracle,
        metrics=models.metrics,
        codes_train=codes_train,
        labels_train=data.labels_train,
        codes_test=codes_test,
        labels_test=data.labels_test,
        status=models.status,
        timings=timings,
        cache_path=models.cache_path,
    )


def _with_data_time(setup: LatentSetup, data_seconds: float) -> LatentSetup:
    timings = dict(setup.timings)
    timings["data"] = data_seconds
    timings["total"] = timings.get("total", 0.0) + data_seconds
    return dataclasses.replace(setup, timings=timings)


def digits01_setup(
    seed: int = 0,
    cache_dir: str | os.PathLike | None = None,
    autoencoder: AutoencoderConfig | None = None,
    classifier: ClassifierConfig | None = None,
) -> LatentSetup:
    """Digits 0 and 1 (scikit-learn, 8×8) on a latent plane, one logit.

    ``s(z) > 0`` means digit 1. The default autoencoder is
    ``AutoencoderConfig(latent_dim=2)``; a given one must keep ``latent_dim=2``.
    """
    autoencoder = autoencoder or AutoencoderConfig(latent_dim=2)
    if autoencoder.latent_dim != 2:
        raise bad_input(
            "autoencoder.latent_dim",
            "2 for the digits01 setup",
            autoencoder.latent_dim,
            "Use latent_setup for other sizes.",
        )
    start = time.perf_counter()
    data = load_digits_data(seed=seed, classes=(0, 1))
    loaded = time.perf_counter() - start
    setup = latent_setup(data, autoencoder, classifier, seed, cache_dir)
    return _with_data_time(setup, loaded)


def digits_setup(
    seed: int = 0,
    cache_dir: str | os.PathLike | None = None,
    autoencoder: AutoencoderConfig | None = None,
    classifier: ClassifierConfig | None = None,
) -> LatentSetup:
    """All ten digits (scikit-learn, 8×8) on a 16-dimensional latent space.

    Ten logits; the default autoencoder is ``AutoencoderConfig(latent_dim=16)``.
    """
    autoencoder = autoencoder or AutoencoderConfig(latent_dim=16)
    start = time.perf_counter()
    data = load_digits_data(seed=seed)
    loaded = time.perf_counter() - start
    setup = latent_setup(data, autoencoder, classifier, seed, cache_dir)
    return _with_data_time(setup, loaded)
