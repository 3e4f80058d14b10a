#!/usr/bin/env python3
"""Run folders made with the paper's reference code, for qlx's import tests.

    QLX_REFERENCE_REPO=/path/to/latent_quantization python3 scripts/golden/reference_fixture.py [NAME ...]

QLX_REFERENCE_REPO names a local checkout of the reference repository (not committed). The
script composes the reference Hydra configs (configs/train_ae.yaml, configs/train_gan.yaml)
with small widths, builds each model with `hydra.utils.instantiate` exactly as the training
scripts do, perturbs every float leaf (so nothing sits at its initial value and codes spread
over the codebooks), and writes, under Tests/QLXReferenceTests/Fixtures/reference/<name>/:

    run/files/config.yaml                     wandb's form: {key: {desc, value}} + _wandb
    run/files/checkpoint/step=N/model.eqx     eqx.tree_serialise_leaves(model)
    expected/leaves.json                      path, shape and dtype of each stored leaf, in order
    expected/images.npy      float32 (N, C, H, W) in [0, 1]
    expected/codes.npy       int64 (N, L): quantized models, the encoder's codes of images.npy
    expected/continuous.npy  float32 (N, L): the latent before quantization (VAE: the mean)
    expected/decode_in.npy   int64 codes (quantized) or float32 values (continuous), (M, L)
    expected/decoded.npy     float32 (M, C, H, W): sigmoid of the decoder's logits

Needs: jax, equinox, optax, hydra-core, ipdb (CPU builds from PyPI). The reference package's
__init__ imports dataset and metric code (TensorFlow, scikit-learn); only the modules that
define the models are imported here, by registering the package without running __init__.
"""
import json
import os
import shutil
import sys
import types
import zlib

import numpy as np

REPO = os.environ.get("QLX_REFERENCE_REPO")
if not REPO:
    sys.exit("set QLX_REFERENCE_REPO to a checkout of the reference repository")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "QLXReferenceTests", "Fixtures", "reference")

package = types.ModuleType("disentangle")
package.__path__ = [os.path.join(REPO, "disentangle")]
sys.modules["disentangle"] = package

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import equinox as eqx  # noqa: E402
import hydra  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

for sub in ["blocks", "encoders", "decoders", "latents", "losses", "models"]:
    __import__("disentangle." + sub)

jax.config.update("jax_enable_x64", False)

# Small widths with the reference presets' depths, kernels, strides and paddings.
SMALL = {
    "image": ["encoder_partial.conv_partial.widths=[4,4,4,4,4,4,6,6,6,8,8,8]",
              "encoder_partial.dense_partial.widths=[16,12]"],
    "image_small": ["encoder_partial.conv_partial.widths=[4,6,8,8]",
                    "encoder_partial.dense_partial.widths=[16]"],
    "dense": ["encoder_partial.dense_partial.widths=[8,6]"],
}
SMALL_DECODER = {
    "image": ["decoder_partial.dense_partial.widths=[12,16]",
              "decoder_partial.conv_transpose_partial.widths=[8,8,8,6,6,6,4,4,4,4,4,4]"],
    "image_small": ["decoder_partial.dense_partial.widths=[16]",
                    "decoder_partial.conv_transpose_partial.widths=[8,8,6,4]"],
    "style_image": ["decoder_partial.dense_partial.widths=[12,16]",
                    "decoder_partial.style_conv_transpose_partial.widths=[8,8,8,6,6,6,4,4,4,4,4,4]",
                    "decoder_partial.input_channels=8"],
    "style_image_small": ["decoder_partial.dense_partial.widths=[16]",
                          "decoder_partial.style_conv_transpose_partial.widths=[8,8,6,4]",
                          "decoder_partial.input_channels=6"],
    "dense": ["decoder_partial.dense_partial.widths=[6,8]"],
}
HYDRA_FORM = "qlae_image_small_style_image_small"
CHANNELS = {"dsprites": 1, "shapes3d": 3}

# name, training config, model, encoder, decoder, dataset, latents, steps saved
FIXTURES = [
    ("qlae_image_style_image", "train_ae", "quantized_ae", "image", "style_image", "dsprites", 5, [4999]),
    ("qlae_image_small_image_small", "train_ae", "quantized_ae", "image_small", "image_small", "dsprites", 4,
     [4999, 9999]),
    ("qlae_image_image", "train_ae", "quantized_ae", "image", "image", "shapes3d", 4, [4999]),
    ("qlae_image_small_style_image_small", "train_ae", "quantized_ae", "image_small", "style_image_small",
     "dsprites", 6, [4999]),
    ("ae_image_small_image_small", "train_ae", "ae", "image_small", "image_small", "dsprites", 4, [4999]),
    ("vae_image_small_style_image_small", "train_ae", "vae", "image_small", "style_image_small", "dsprites", 4,
     [4999]),
    ("qlinfogan_image_small_style_image_small", "train_gan", "quantized_info_gan", "image_small",
     "style_image_small", "dsprites", 4, [4999]),
    # Three channels, so the dense encoder's flattening and the dense decoder's reshape are
    # checked in C, H, W order; narrow, as the first and last layers see all 12,288 pixels.
    ("qlae_dense_dense", "train_ae", "quantized_ae", "dense", "dense", "shapes3d", 4, [4999]),
]


def compose(config_name, model, encoder, decoder, dataset, latents):
    overrides = [f"model_partial={model}", f"encoder_partial={encoder}", f"decoder_partial={decoder}",
                 f"data.name={dataset}", f"model_partial.latent_partial.num_latents={latents}",
                 "hydra/launcher=basic"]
    overrides += SMALL[encoder] + SMALL_DECODER[decoder]
    with hydra.initialize_config_dir(config_dir=os.path.join(REPO, "configs"), version_base=None):
        return hydra.compose(config_name=config_name, overrides=overrides)


def stored_leaves(model):
    """(path, shape, dtype) of each leaf tree_serialise_leaves writes, in file order."""
    out = []
    for path, leaf in jax.tree_util.tree_flatten_with_path(model)[0]:
        if isinstance(leaf, (jax.Array, np.ndarray)):
            arr = np.asarray(leaf)
        elif isinstance(leaf, (bool, int, float, complex, np.generic)):
            arr = np.asarray(leaf)
        else:
            continue
        out.append({"path": jax.tree_util.keystr(path), "shape": list(arr.shape), "dtype": arr.dtype.str})
    return out


def perturb(model, key):
    leaves, treedef = jax.tree_util.tree_flatten(model)
    keys = jax.random.split(key, len(leaves))
    new = []
    for leaf, k in zip(leaves, keys):
        if eqx.is_inexact_array(leaf):
            leaf = leaf * 1.5 + 0.1 * jax.random.normal(k, leaf.shape, leaf.dtype)
        new.append(leaf)
    return jax.tree_util.tree_unflatten(treedef, new)


def encoder_outputs(model, images):
    outs = jax.vmap(model.encoder)(images)
    return outs["pre_z"]


def set_codebooks(model, pre_z, rng):
    """Codebook j: n_v jittered values spread over latent j's range on the fixture images, shuffled."""
    lo, hi = np.min(pre_z, axis=0), np.max(pre_z, axis=0)
    values = []
    for j, v in enumerate(model.latent._values_per_latent):
        span = np.linspace(lo[j] - 0.1, hi[j] + 0.1, v.shape[0])
        span = (span + rng.uniform(-0.3, 0.3, v.shape[0]) * (span[1] - span[0])).astype(np.float32)
        values.append(jnp.asarray(span[rng.permutation(v.shape[0])]))
    return eqx.tree_at(lambda m: m.latent._values_per_latent, model, values)


def margins(continuous, codebooks):
    """Smallest gap between the nearest and second-nearest codebook distance."""
    gaps = []
    for j, values in enumerate(codebooks):
        d = np.sort(np.abs(continuous[:, j][:, None] - np.asarray(values)[None, :]), axis=1)
        gaps.append(np.min(d[:, 1] - d[:, 0]))
    return min(gaps)


def wandb_form(resolved):
    out = {"_wandb": {"desc": None, "value": {"cli_version": "0.15.0", "python_version": "3.10.0"}}}
    for key, value in resolved.items():
        out[key] = {"desc": None, "value": value}
    out["wandb_run_dir"] = {"desc": None, "value": "/scratch/wandb/run-x/files"}
    return out


def build(name, config_name, model_name, encoder, decoder, dataset, latents, steps):
    config = compose(config_name, model_name, encoder, decoder, dataset, latents)
    resolved = OmegaConf.to_container(config, resolve=True)
    channels = CHANNELS[dataset]
    x = jnp.zeros((channels, 64, 64), jnp.float32)
    model = hydra.utils.instantiate(config.model_partial)(x=x, key=jax.random.PRNGKey(0))
    initial = model
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    images = rng.uniform(0, 1, (4, channels, 64, 64)).astype(np.float32)
    model = perturb(model, jax.random.PRNGKey(1))
    quantized = hasattr(model.latent, "_values_per_latent")
    decoder_module = model.generator if hasattr(model, "generator") else model.decoder
    pre_z = np.asarray(encoder_outputs(model, images))
    if quantized:
        for attempt in range(50):
            candidate = set_codebooks(model, pre_z, rng)
            if margins(pre_z, candidate.latent._values_per_latent) > 1e-3:
                model = candidate
                break
        else:
            raise RuntimeError(f"{name}: no codebook with clear nearest values")

    root = os.path.join(OUT, name)
    shutil.rmtree(root, ignore_errors=True)
    files = os.path.join(root, "run", "files")
    expected = os.path.join(root, "expected")
    os.makedirs(expected)
    for i, step in enumerate(steps):
        folder = os.path.join(files, "checkpoint", f"step={step}")
        os.makedirs(folder)
        eqx.tree_serialise_leaves(os.path.join(folder, "model.eqx"), model if i == len(steps) - 1 else initial)
    with open(os.path.join(files, "config.yaml"), "w") as f:
        f.write(OmegaConf.to_yaml(OmegaConf.create(wandb_form(resolved))))

    if name == HYDRA_FORM:
        # Hydra's own copy, unresolved, in the job folder above wandb's run folder.
        job = os.path.join(root, "job")
        os.makedirs(os.path.join(job, ".hydra"))
        with open(os.path.join(job, ".hydra", "config.yaml"), "w") as f:
            f.write(OmegaConf.to_yaml(config))
        step = os.path.join(job, "wandb", "run-x", "files", "checkpoint", f"step={steps[-1]}")
        os.makedirs(step)
        shutil.copy(os.path.join(files, "checkpoint", f"step={steps[-1]}", "model.eqx"), step)
    with open(os.path.join(expected, "leaves.json"), "w") as f:
        json.dump(stored_leaves(model), f, indent=0)
    np.save(os.path.join(expected, "images.npy"), images)
    if quantized:
        outs = jax.vmap(model.latent)(jnp.asarray(pre_z))
        np.save(os.path.join(expected, "codes.npy"), np.asarray(outs["z_indices"]).astype(np.int64))
        np.save(os.path.join(expected, "continuous.npy"), pre_z.astype(np.float32))
        n_v = [v.shape[0] for v in model.latent._values_per_latent]
        codes = np.stack([rng.integers(0, n, 5) for n in n_v], axis=1).astype(np.int64)
        values = np.stack([np.asarray(model.latent._values_per_latent[j])[codes[:, j]] for j in range(latents)],
                          axis=1)
        np.save(os.path.join(expected, "decode_in.npy"), codes)
    else:
        mean = pre_z[:, :latents]   # VAE: [mean | sigma parameter]; AE: the latent itself
        np.save(os.path.join(expected, "continuous.npy"), mean.astype(np.float32))
        values = rng.normal(0, 1, (5, latents)).astype(np.float32)
        np.save(os.path.join(expected, "decode_in.npy"), values)
    logits = jax.vmap(lambda z: decoder_module(z)["x_hat_logits"])(jnp.asarray(values, jnp.float32))
    np.save(os.path.join(expected, "decoded.npy"), np.asarray(jax.nn.sigmoid(logits)).astype(np.float32))
    print(f"{name}: {len(stored_leaves(model))} leaves, "
          f"{os.path.getsize(os.path.join(files, 'checkpoint', f'step={steps[-1]}', 'model.eqx'))} bytes")


def main():
    """Builds every fixture, or only those named on the command line."""
    print(f"jax {jax.__version__}, equinox {eqx.__version__}")
    names = set(sys.argv[1:])
    unknown = names - {f[0] for f in FIXTURES}
    if unknown:
        sys.exit(f"unknown fixture {sorted(unknown)}; expected some of {[f[0] for f in FIXTURES]}")
    for fixture in FIXTURES:
        if not names or fixture[0] in names:
            build(*fixture)


if __name__ == "__main__":
    main()
