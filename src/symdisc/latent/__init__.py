"""Symmetries in a learned latent space of handwritten digits.

Images are compressed by an autoencoder to codes ``z ∈ R^ℓ``; a classifier on
the codes gives logits ``s(z) ∈ R^m``, the oracle whose symmetries are sought.
Flow lines of a field in latent space are decoded back to images to see what
a symmetry does to a digit.
"""

from symdisc.latent.data import (
    ImageData,
    load_digits_data,
    load_images,
    load_mnist,
    read_idx,
    split_indices,
    write_idx,
)
from symdisc.latent.flows import (
    DecodedLine,
    decode_and_classify,
    flow_line,
    flow_times,
    gradient_direction,
    level_set_field,
    logit_drift,
    rotate90,
    tangent_field,
)
from symdisc.latent.models import (
    Autoencoder,
    AutoencoderConfig,
    ClassifierConfig,
    LatentClassifier,
    LatentMetrics,
    TrainedModels,
    decode,
    encode,
    evaluate,
    load_model,
    load_or_train,
    save_model,
    train_autoencoder,
    train_classifier,
)
from symdisc.latent.oracle import code_sampler, latent_oracle
from symdisc.latent.setups import (
    LatentSetup,
    digits01_setup,
    digits_setup,
    latent_setup,
)

__all__ = [
    "Autoencoder",
    "AutoencoderConfig",
    "ClassifierConfig",
    "DecodedLine",
    "ImageData",
    "LatentClassifier",
    "LatentMetrics",
    "LatentSetup",
    "TrainedModels",
    "code_sampler",
    "decode",
    "decode_and_classify",
    "digits01_setup",
    "digits_setup",
    "encode",
    "evaluate",
    "flow_line",
    "flow_times",
    "gradient_direction",
    "latent_oracle",
    "latent_setup",
    "level_set_field",
    "load_digits_data",
    "load_images",
    "load_mnist",
    "load_model",
    "load_or_train",
    "logit_drift",
    "read_idx",
    "rotate90",
    "save_model",
    "split_indices",
    "tangent_field",
    "train_autoencoder",
    "train_classifier",
    "write_idx",
]
