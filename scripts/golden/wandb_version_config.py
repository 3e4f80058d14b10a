#!/usr/bin/env python3
"""A reference run's config.yaml as older wandb (and `wandb restore`) writes it, for qlx's tests.

    python3 scripts/golden/wandb_version_config.py

Reads the wandb config of the qlae_image_small_image_small fixture (made by
reference_fixture.py: every key as {desc, value}) and writes it again the way older wandb's
config_util.save_config_file_from_dict does: a first line `wandb_version: 1`, a blank line,
then yaml.dump of the {key: {desc, value}} mapping with PyYAML's SafeDumper, block style,
keys sorted (PyYAML's default), unicode kept. Output:

    Tests/QLXReferenceTests/Fixtures/reference/wandb_version_1/config.yaml

Needs PyYAML.
"""
import os

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "..", "..", "Tests", "QLXReferenceTests", "Fixtures", "reference")
SOURCE = os.path.join(REFERENCE, "qlae_image_small_image_small", "run", "files", "config.yaml")
TARGET = os.path.join(REFERENCE, "wandb_version_1", "config.yaml")

with open(SOURCE) as f:
    config = yaml.safe_load(f)
assert all(set(entry) == {"desc", "value"} for entry in config.values()), "expected wandb's {desc, value} form"

text = b"wandb_version: 1"
text += b"\n\n" + yaml.dump(config, Dumper=yaml.SafeDumper, default_flow_style=False, allow_unicode=True,
                            encoding="utf-8")
os.makedirs(os.path.dirname(TARGET), exist_ok=True)
with open(TARGET, "w") as f:
    f.write(text.decode("utf-8"))
print("wrote", os.path.relpath(TARGET))
