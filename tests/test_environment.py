"""The environment: pins agree between pip and conda, torch is the CPU build."""
import re

import yaml

from notebook_utils import ROOT


def constraint_pins():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_environment_yml_pins_match_constraints():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = constraint_pins()
    listed = 0
    for requirement in pip_section:
        if requirement.startswith("-"):
            continue
        name, version = requirement.split("==")
        key = re.sub(r"[-_.]+", "-", name).lower()
        assert key in pins, f"environment.yml pins {name}, which constraints.txt does not"
        assert pins[key] == version, f"{name}: environment.yml {version} vs constraints.txt {pins[key]}"
        listed += 1
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.startswith("python=3.11"), python
    assert listed >= 10


def test_torch_is_the_pinned_cpu_build():
    import torch

    assert torch.__version__.split("+")[0] == constraint_pins()["torch"] == "2.13.0"
    assert torch.version.cuda is None, "a CUDA build of torch was installed: see constraints.txt"
