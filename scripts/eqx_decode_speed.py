#!/usr/bin/env python3
"""Decode latency of the reference decoder architectures built from Equinox layers, the
library the reference code uses, to compare with `qlx bench --only architectures` and with
jax_decode_speed.py (plain jax.lax layers).

Like the reference, each decoder maps one latent vector to one image and a batch goes
through jax.vmap, jitted with the model closed over (its weights are constants to XLA, as
for a user who loads a model and decodes). Prints the table `qlx bench --only architectures`
prints: per decoder and batch 1, 10, 100, the median ms, GFLOPS and share of the sgemm peak
measured in the same run. Blocks:
- image / image_small: dense stack (ReLU) -> dense to the encoder's final map (ReLU) ->
  conv-transpose blocks (ConvTranspose2d without bias -> GroupNorm, one group per channel,
  eps 1e-6, affine -> leaky ReLU 0.2) -> 1x1 conv to logits.
- style_image / style_image_small: w = dense stack (ReLU); a constant 0.1 input map goes
  through style blocks (ConvTranspose2d -> leaky ReLU 0.2 -> GroupNorm without affine ->
  x*scale + bias, [scale, bias] = ReLU(Linear(w))) -> 3x3 conv (padding 1) to logits.
Random weights, 10 latents; 5 warm-up calls, then the median of --runs timed calls (a third
as many at batch 100).
Needs `equinox` and `jax` from PyPI. Usage: python3 scripts/eqx_decode_speed.py [--runs 25]
"""
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from jax_layers import DECODE_CASES, decoder_multiply_adds, latent_batches, median_ms, parse_runs, sgemm_gflops

def leaky(x):
    return jax.nn.leaky_relu(x, 0.2)


def dense_stack(features, widths, keys):
    """Linear layers features -> widths[0] -> ...; returns them and the last width."""
    layers = []
    for width in widths:
        layers.append(eqx.nn.Linear(features, width, key=next(keys)))
        features = width
    return layers, features


class ImageDecoder(eqx.Module):
    dense: list
    transition: eqx.nn.Linear
    blocks: list
    out: eqx.nn.Conv2d
    map_shape: tuple = eqx.field(static=True)

    def __init__(self, arch, latents, key):
        keys = iter(jax.random.split(key, 32))
        self.dense, features = dense_stack(latents, arch["dense"], keys)
        self.map_shape = arch["map"]
        self.transition = eqx.nn.Linear(features, int(np.prod(arch["map"])), key=next(keys))
        channels, self.blocks = arch["map"][0], []
        for w, k, s in zip(arch["widths"], arch["kernels"], arch["strides"]):
            self.blocks.append((eqx.nn.ConvTranspose2d(channels, w, kernel_size=k, stride=s, padding=1, use_bias=False, key=next(keys)),
                                eqx.nn.GroupNorm(w, w, eps=1e-6)))
            channels = w
        self.out = eqx.nn.Conv2d(channels, 1, kernel_size=1, use_bias=False, key=next(keys))

    def __call__(self, z):
        for layer in self.dense:
            z = jax.nn.relu(layer(z))
        x = jax.nn.relu(self.transition(z)).reshape(self.map_shape)
        for conv_t, norm in self.blocks:
            x = leaky(norm(conv_t(x)))
        return self.out(x)


class StyleImageDecoder(eqx.Module):
    dense: list
    input_map: jnp.ndarray
    blocks: list
    out: eqx.nn.Conv2d

    def __init__(self, arch, latents, key):
        keys = iter(jax.random.split(key, 48))
        self.dense, features = dense_stack(latents, arch["dense"], keys)
        self.input_map = jnp.full(arch["map"], 0.1, jnp.float32)
        channels, self.blocks = arch["map"][0], []
        for w, k, s in zip(arch["widths"], arch["kernels"], arch["strides"]):
            self.blocks.append((eqx.nn.ConvTranspose2d(channels, w, kernel_size=k, stride=s, padding=1, use_bias=False, key=next(keys)),
                                eqx.nn.GroupNorm(w, eps=1e-6, channelwise_affine=False),
                                eqx.nn.Linear(features, 2 * w, key=next(keys))))
            channels = w
        self.out = eqx.nn.Conv2d(channels, 1, kernel_size=3, padding=1, use_bias=False, key=next(keys))

    def __call__(self, z):
        w = z
        for layer in self.dense:
            w = jax.nn.relu(layer(w))
        x = self.input_map
        for conv_t, norm, conditioning in self.blocks:
            scale, bias = jnp.split(jax.nn.relu(conditioning(w)), 2)
            x = norm(leaky(conv_t(x))) * scale[:, None, None] + bias[:, None, None]
        return self.out(x)


def closed_over(decoder):
    """The decoder jitted with its weights closed over, as a user runs a loaded model: XLA
    sees the weights as constants (and folds a style decoder's z-independent first block)."""
    @jax.jit
    def decode(z):
        logits = jax.vmap(decoder)(z)
        return logits, jax.nn.sigmoid(logits)
    return decode


def main():
    runs = parse_runs(__doc__)
    rng = np.random.default_rng(0)
    peak = sgemm_gflops()
    print(f"equinox {eqx.__version__}, jax {jax.__version__} on {jax.devices()[0].platform}; "
          f"sgemm 2048x2048x2048 peak: {peak:.1f} GFLOPS (XLA)")
    print(f"  10 latents, random weights; median of {runs} calls ({max(3, (runs + 2) // 3)} at batch 100) after 5 warm-up calls.")
    print("  GFLOPS count the convolutions and dense layers (2 per multiply-add), without the style")
    print("  decoders' z-independent first block.")
    print(f"  {'decoder':34s} {'batch':>5s} {'median ms':>11s} {'GFLOPS':>9s}  share of peak")
    for name, arch, style in DECODE_CASES:
        decode = closed_over((StyleImageDecoder if style else ImageDecoder)(arch, 10, jax.random.PRNGKey(0)))
        for batch, z in latent_batches(rng, batches=(1, 10, 100)):
            logits = np.asarray(decode(z)[0])
            assert logits.shape == (batch, 1, 64, 64) and np.isfinite(logits).all(), f"{name}: output {logits.shape}"
            ms = median_ms(lambda: decode(z), runs if batch < 100 else max(3, (runs + 2) // 3))
            gflops = 2 * decoder_multiply_adds(arch, style) * batch / ms / 1e6
            print(f"  {name:34s} {batch:5d} {ms:11.2f} {gflops:9.1f} {100 * gflops / peak:13.0f}%", flush=True)


if __name__ == "__main__":
    main()
