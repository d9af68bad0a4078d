"""`make test-portable`: nbval over every lecture and solution as two other machines would run it.

Usage: python tools/test_portable.py [PROFILE...] [NOTEBOOK...] -- PYTEST_OPTION...

(`make test-portable`, or `make test-portable PROFILES=avx2 NB=lectures/06_rwwce.ipynb` for one
profile or some notebooks; by default every profile over every lecture and solution.)

A committed output that prints the last bits of a float (``1.4e-17`` here, ``0.0e+00`` there)
passes only on the CPU that wrote it. Each profile below changes which kernels NumPy, PyTorch
and MKL choose, and how many BLAS/OpenMP threads they use, the way another student's laptop or
CI runner would; nbval must pass under every one of them.

- ``older-cpu``: PyTorch's baseline kernels (``ATEN_CPU_CAPABILITY=default``), MKL limited to
  SSE4.2, NumPy's dispatchable SIMD features switched off (the ones NumPy found on this
  machine, read at run time: the list differs per CPU), one thread;
- ``avx2``: PyTorch's and MKL's AVX2 kernels, and NumPy's features beyond AVX2 (X86-64-v4 and the
  AVX-512 groups) switched off, as on a machine without AVX-512; three threads.

Before running nbval, each profile checks in a fresh interpreter that the simulation took
effect (PyTorch's CPU capability, NumPy's remaining features) and says so. Reports go to
build/portable-PROFILE.xml.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import run_stage
import test_summary

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["lectures", "solutions"]
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
PROBE = ("import torch, numpy._core._multiarray_umath as m; "
         "print(torch.backends.cpu.get_cpu_capability(), "
         "' '.join(f for f in m.__cpu_dispatch__ if m.__cpu_features__.get(f)) or '-')")


def numpy_dispatch_features() -> list[str]:
    """The SIMD features NumPy can dispatch to and found on this CPU (the ones it can switch off)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return [feature for feature in __cpu_dispatch__ if __cpu_features__.get(feature)]


def beyond_avx2(features: list[str]) -> list[str]:
    """The features an AVX2-only x86 CPU lacks: X86_V4 and the AVX-512 groups (none on ARM)."""
    return [feature for feature in features if feature == "X86_V4" or feature.startswith("AVX512")]


def threads(count: int) -> dict[str, str]:
    return {name: str(count) for name in THREAD_VARIABLES}


def profiles() -> dict[str, dict[str, str]]:
    """Each simulated machine as the environment variables that make it."""
    return {
        "older-cpu": {"ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
                      "NPY_DISABLE_CPU_FEATURES": " ".join(numpy_dispatch_features()), **threads(1)},
        "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
                 "NPY_DISABLE_CPU_FEATURES": " ".join(beyond_avx2(numpy_dispatch_features())), **threads(3)},
    }


def probe(env: dict[str, str]) -> str:
    """What a fresh interpreter with ``env`` uses: PyTorch's capability and NumPy's dispatched features."""
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    capability, features = result.stdout.split(maxsplit=1)
    return f"PyTorch kernels {capability}, NumPy SIMD beyond baseline: {features.strip()}"


def run_profile(name: str, settings: dict[str, str], options: list[str], paths: list[str]) -> test_summary.Report:
    env = {**os.environ, **settings}
    print(f"\n=== {name}: {' '.join(f'{k}={v!r}' for k, v in settings.items())}", flush=True)
    print(f"    {probe(env)}", flush=True)
    report = str(ROOT / "build" / f"portable-{name}.xml")
    os.environ.update(settings)           # inherited by pytest and by the kernels nbval starts
    try:
        run_stage.run(report, paths, options)
    finally:
        for key in settings:
            os.environ.pop(key, None)
    merged, _ = test_summary.merge(test_summary.read_junit(report),
                                   test_summary.read_junit(run_stage.retry_report(report)))
    return merged


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    chosen, options = argv[:split], argv[split + 1:]
    paths = [arg for arg in chosen if arg.endswith(".ipynb")] or PATHS
    chosen = [arg for arg in chosen if not arg.endswith(".ipynb")]
    available = profiles()
    unknown = [name for name in chosen if name not in available]
    if unknown:
        print(f"unknown profile {' '.join(unknown)}; choose from {' '.join(available)}", file=sys.stderr)
        return 2
    reports = {name: run_profile(name, available[name], options, paths) for name in chosen or available}
    print("\n" + "=" * 72 + "\nmake test-portable: outputs compared under simulated CPUs")
    status = 0
    for name, report in reports.items():
        cells = report.passed + len(report.failed)
        if not report.found or cells == 0:
            print(f"  {name:10s} no report (nbval did not run)")
            status = 1
            continue
        print(f"  {name:10s} {cells:4d} cells   {len(report.failed):3d} failed")
        for failed in report.failed[:test_summary.MAX_LISTED]:
            print(f"    {failed}")
            print("\n".join(f"      {line}" for line in report.why.get(failed, "").splitlines()))
        status |= bool(report.failed)
    print(("PASSED" if status == 0 else "FAILED") + "\n" + "=" * 72)
    return status


if __name__ == "__main__":
    sys.exit(main())
