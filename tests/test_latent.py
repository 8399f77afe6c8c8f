"""Latent-space digits: IDX files, models, the logit oracle and flow lines."""

from __future__ import annotations

import gzip
import struct

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

import symdisc  # noqa: F401  (float64)
from symdisc.errors import InputError
from symdisc.latent import (
    AutoencoderConfig,
    ClassifierConfig,
    decode_and_classify,
    digits01_setup,
    digits_setup,
    encode,
    flow_line,
    gradient_direction,
    level_set_field,
    load_digits_data,
    load_images,
    load_mnist,
    load_model,
    load_or_train,
    logit_drift,
    read_idx,
    save_model,
    tangent_field,
    train_autoencoder,
    write_idx,
)
from symdisc.oracles.base import check_oracle

# Small trainings: seconds on two cores, still well above chance.
FAST_AE = AutoencoderConfig(latent_dim=16, steps=300)
FAST_CLF = ClassifierConfig(steps=300)
PLANE_AE = AutoencoderConfig(latent_dim=2, steps=800)
PLANE_CLF = ClassifierConfig(steps=400)


def _idx_bytes(array: np.ndarray, type_code: int) -> bytes:
    """IDX content written by hand (independent of write_idx)."""
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


# ---------------------------------------------------------------------------
# IDX files

IDX_CASES = {
    "uint8 images": (np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4), 0x08),
    "int32 vector": (np.array([-7, 0, 2**30], dtype=np.int32), 0x0C),
    "float64 matrix": (np.linspace(-1, 1, 6).reshape(2, 3), 0x0E),
}


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gz"])
@pytest.mark.parametrize("case", list(IDX_CASES))
def test_read_idx_round_trip(tmp_path, case, compressed):
    array, code = IDX_CASES[case]
    content = _idx_bytes(array, code)
    path = tmp_path / ("a.idx.gz" if compressed else "a.idx")
    path.write_bytes(gzip.compress(content) if compressed else content)
    read = read_idx(path)
    assert read.shape == array.shape and read.dtype == array.dtype
    np.testing.assert_array_equal(read, array)

    again = write_idx(tmp_path / ("b.gz" if compressed else "b"), array)
    np.testing.assert_array_equal(read_idx(again), array)


def test_truncated_idx_names_the_file(tmp_path):
    images = np.zeros((5, 4, 4), np.uint8)
    content = _idx_bytes(images, 0x08)
    plain = tmp_path / "short-idx3-ubyte"
    plain.write_bytes(content[:-3])
    with pytest.raises(InputError, match=r"short-idx3-ubyte.*truncated"):
        read_idx(plain)

    header_only = tmp_path / "header-cut"
    header_only.write_bytes(content[:9])
    with pytest.raises(InputError, match="header-cut"):
        read_idx(header_only)

    compressed = tmp_path / "short.gz"
    compressed.write_bytes(gzip.compress(content)[:-10])
    with pytest.raises(InputError, match=r"short\.gz.*gzip"):
        read_idx(compressed)


def test_bad_magic_and_bad_type_are_rejected(tmp_path):
    content = bytearray(_idx_bytes(np.zeros(3, np.uint8), 0x08))
    content[0] = 0x12
    (tmp_path / "magic").write_bytes(bytes(content))
    with pytest.raises(InputError, match=r"magic.*magic 0x12"):
        read_idx(tmp_path / "magic")

    content = bytearray(_idx_bytes(np.zeros(3, np.uint8), 0x08))
    content[2] = 0x07
    (tmp_path / "type").write_bytes(bytes(content))
    with pytest.raises(InputError, match="type byte"):
        read_idx(tmp_path / "type")

    with pytest.raises(InputError, match="no such file"):
        read_idx(tmp_path / "absent")


def test_mnist_count_mismatch_is_rejected(tmp_path):
    images = write_idx(tmp_path / "img.gz", np.zeros((5, 28, 28), np.uint8))
    labels = write_idx(tmp_path / "lab", np.zeros(4, np.uint8))
    with pytest.raises(InputError, match="5 images and 4 labels"):
        load_mnist((images, labels))
    with pytest.raises(InputError, match="labels of shape"):
        load_mnist((images, images))


def test_mnist_folder_standard_split_and_classes(tmp_path):
    rng = np.random.default_rng(0)
    parts = {"train": 40, "t10k": 12}
    for part, count in parts.items():
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = np.arange(count, dtype=np.uint8) % 10
        write_idx(tmp_path / f"{part}-images-idx3-ubyte.gz", images)
        write_idx(tmp_path / f"{part}-labels-idx1-ubyte", labels)

    data = load_mnist(tmp_path, seed=3)
    assert data.images_train.shape == (40, 784) and data.images_test.shape == (12, 784)
    assert data.image_shape == (28, 28) and data.classes == tuple(range(10))
    assert 0.0 <= data.images_train.min() and data.images_train.max() <= 1.0
    expected = read_idx(tmp_path / "t10k-images-idx3-ubyte.gz")[0] / 255.0
    np.testing.assert_allclose(data.images_test[0], expected.ravel())

    pair = load_mnist(tmp_path, classes=[1, 0], max_train=5)
    assert pair.classes == (0, 1) and pair.name == "mnist01"
    assert len(pair.labels_train) == 5 and set(pair.labels_test) <= {0, 1}

    one = load_mnist(tmp_path / "t10k-labels-idx1-ubyte", seed=3)  # + its images
    assert len(one.labels_train) + len(one.labels_test) == parts["t10k"]
    np.testing.assert_allclose(
        np.sort(np.concatenate([one.images_train, one.images_test]), axis=0),
        np.sort(data.images_test, axis=0),
    )

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="folder holding"):
        load_mnist(empty)
    (empty / "train-images-idx3-ubyte").write_bytes(b"")
    with pytest.raises(InputError, match="train-labels-idx1-ubyte"):
        load_mnist(empty / "train-images-idx3-ubyte")
    (empty / "digits.bin").write_bytes(b"")
    with pytest.raises(InputError, match="MNIST file named like"):
        load_mnist(empty / "digits.bin")


def test_digits_data_split_is_seeded():
    a, b = load_digits_data(seed=1), load_digits_data(seed=1)
    c = load_digits_data(seed=2)
    np.testing.assert_array_equal(a.labels_train, b.labels_train)
    assert not np.array_equal(a.labels_train, c.labels_train)
    assert (
        a.images_train.shape[1] == 64
        and len(a.labels_train) + len(a.labels_test) == 1797
    )
    assert a.images_train.min() == 0.0 and a.images_train.max() == 1.0

    pair = load_digits_data(seed=1, classes={1, 0})
    assert pair.name == "digits01" and set(np.unique(pair.labels_train)) == {0, 1}
    with pytest.raises(InputError, match="classes"):
        load_digits_data(classes=(3,))


# ---------------------------------------------------------------------------
# Models and oracle (trained once per test run, small)


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    cache = tmp_path_factory.mktemp("latent-cache")
    return digits_setup(
        seed=0, cache_dir=cache, autoencoder=FAST_AE, classifier=FAST_CLF
    )


@pytest.fixture(scope="module")
def plane():
    return digits01_setup(seed=0, autoencoder=PLANE_AE, classifier=PLANE_CLF)


def test_small_training_reaches_reasonable_accuracy(digits, plane):
    assert digits.status == "trained"
    assert digits.metrics.accuracy_test > 0.85, (
        f"ten digits, ℓ=16: test accuracy {digits.metrics.accuracy_test:.3f}"
    )
    assert digits.metrics.recon_mse_test < 0.04, (
        f"test reconstruction MSE {digits.metrics.recon_mse_test:.4f}"
    )
    assert plane.metrics.accuracy_test > 0.95, (
        f"digits 0/1, ℓ=2: test accuracy {plane.metrics.accuracy_test:.3f}"
    )
    assert digits.codes_train.shape == (len(digits.labels_train), 16)
    assert plane.codes_test.shape == (len(plane.labels_test), 2)


def test_cache_reuses_identical_models(digits):
    again = load_or_train(
        digits.data,
        FAST_AE,
        FAST_CLF,
        seed=0,
        cache_dir=digits.cache_path.rsplit("/", 1)[0],
    )
    assert again.status == "loaded" and again.cache_path == digits.cache_path
    codes = encode(again.autoencoder, digits.data.images_test)
    np.testing.assert_array_equal(codes, digits.codes_test)
    assert again.metrics == digits.metrics


def test_save_load_round_trip_gives_identical_outputs(digits, tmp_path):
    ae_path = save_model(digits.autoencoder, tmp_path / "ae")
    save_model(digits.classifier, tmp_path / "clf")
    assert ae_path.suffix == ".npz" and (tmp_path / "ae.json").is_file()
    with np.load(ae_path, allow_pickle=False) as stored:
        assert len(stored.files) == 2 * (2 * 3)  # weights and biases, 3 layers each

    ae, clf = load_model(tmp_path / "ae"), load_model(tmp_path / "clf")
    x = jnp.asarray(digits.data.images_test[:20])
    np.testing.assert_array_equal(jax.vmap(ae)(x), jax.vmap(digits.autoencoder)(x))
    z = jnp.asarray(digits.codes_test[:20])
    np.testing.assert_array_equal(jax.vmap(clf)(z), jax.vmap(digits.classifier)(z))
    assert clf.classes == digits.classifier.classes

    (tmp_path / "clf.npz").write_bytes((tmp_path / "ae.npz").read_bytes())
    with pytest.raises(InputError, match="do not belong together"):
        load_model(tmp_path / "clf")


def test_oracle_shapes_sampler_and_derivative(digits, plane):
    oracle = digits.oracle
    assert (oracle.n, oracle.copies, oracle.outputs) == (16, 1, 10)
    assert (plane.oracle.n, plane.oracle.outputs) == (2, 1)
    check_oracle(oracle)
    check_oracle(plane.oracle)

    points = oracle.sample(0, 64)
    assert points.shape == (64, 1, 16) and points.dtype == jnp.float64
    np.testing.assert_array_equal(points, oracle.sample(0, 64))
    spread = np.std(np.asarray(points[:, 0]), axis=0)
    data_spread = digits.codes_train.std(axis=0)
    assert np.all(spread < 3 * data_spread), "samples stay where the codes are"

    # Jacobian against central differences, in float64.
    x = points[0]
    fn = jax.jit(oracle.fn)
    J = jax.jacfwd(fn)(x)[:, 0, :]
    h = 1e-5
    E = jnp.eye(16)
    J_fd = jnp.stack(
        [(fn(x + h * E[j]) - fn(x - h * E[j])) / (2 * h) for j in range(16)],
        axis=1,
    )
    error = float(jnp.linalg.norm(J - J_fd) / jnp.linalg.norm(J))
    assert error < 1e-6, f"relative Jacobian error {error:.2e}"


def test_minibatch_training_lowers_the_loss():
    data = load_digits_data(seed=0, classes=(0, 1))
    config = AutoencoderConfig(latent_dim=2, steps=200, batch_size=32)
    _, losses, status = train_autoencoder(data.images_train, config, seed=5)
    assert status == "budget" and losses.shape == (200,)
    first, last = losses[:20].mean(), losses[-20:].mean()
    assert last < 0.7 * first, f"mini-batch loss {first:.4f} -> {last:.4f}"


def test_load_images_dispatches_on_source(tmp_path):
    assert load_images("digits", seed=0, classes=(2, 3)).name == "digits23"
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((6, 4, 4), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.arange(6, dtype=np.uint8) % 2)
    data = load_images(tmp_path, seed=0, test_fraction=0.5)
    assert data.image_shape == (4, 4) and len(data.labels_test) == 3


# ---------------------------------------------------------------------------
# Flows


def test_rk4_flow_of_rotation_matches_matrix_exponential():
    G = jnp.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    x0 = jnp.array([1.0, 0.5, -2.0])
    points = flow_line(lambda z: G @ z, x0, t_max=2.0, n_steps=40)
    assert points.shape == (81, 3)
    np.testing.assert_array_equal(points[40], x0)
    for j, t in ((0, -2.0), (80, 2.0), (60, 1.0)):
        exact = scipy.linalg.expm(t * np.asarray(G)) @ np.asarray(x0)
        error = np.linalg.norm(points[j] - exact) / np.linalg.norm(exact)
        assert error < 1e-6, f"t={t}: relative error {error:.2e}"


def test_dummy_field_keeps_logit_and_class_orthogonal_changes_it(plane):
    start = plane.class_means()[0]
    symmetry = level_set_field(plane.oracle)
    codes = plane.codes_train[plane.labels_train == 0]
    t_max = float(np.sqrt(np.mean(np.sum((codes - start) ** 2, axis=1))))

    along = np.asarray(flow_line(symmetry, start, t_max, 40))
    drift = logit_drift(plane.oracle, along)
    assert drift < 0.02, f"logit drift along the level set {drift:.2e}"
    kept = decode_and_classify(plane.autoencoder, plane.classifier, along[::5])
    assert np.all(kept.classes == 0), f"classes along the symmetry {kept.classes}"

    distance = float(np.linalg.norm(np.diff(plane.class_means(), axis=0)))
    across = np.asarray(
        flow_line(gradient_direction(plane.oracle), start, distance, 40)
    )
    changed = decode_and_classify(plane.autoencoder, plane.classifier, across[::5])
    assert set(changed.classes) == {0, 1}, f"classes across {changed.classes}"
    assert logit_drift(plane.oracle, across) > 0.5


def test_tangent_field_preserves_all_ten_logits(digits):
    field = tangent_field(digits.oracle, np.random.default_rng(0).normal(size=16))
    start = digits.class_means()[3]
    points = flow_line(field, start, t_max=2.0, n_steps=20)
    drift = logit_drift(digits.oracle, points)
    assert drift < 1e-4, f"logit drift {drift:.2e}"
    moved = float(np.linalg.norm(points[-1] - points[0]))
    assert moved > 1.0, f"the line has length, end-to-end distance {moved:.2f}"


def test_bad_flow_input_is_rejected():
    with pytest.raises(InputError, match="t_max"):
        flow_line(lambda z: z, jnp.zeros(2), t_max=-1.0, n_steps=3)
    with pytest.raises(InputError, match="field"):
        flow_line(lambda z: z[:1], jnp.zeros(2), t_max=1.0, n_steps=3)
    with pytest.raises(InputError, match="latent_dim"):
        digits01_setup(autoencoder=AutoencoderConfig(latent_dim=3))


def test_figures_draw(plane, digits):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from symdisc.latent.figures import digits01_figure, digits_flow_grid

    figure = digits01_figure(
        plane, level_set_field(plane.oracle), n_steps=10, n_images=5
    )
    assert len(figure.axes) >= 3
    field = tangent_field(digits.oracle, np.ones(16))
    grid = digits_flow_grid(digits, field, n_images=5, steps_per_image=1)
    assert len(grid.axes) == 1
