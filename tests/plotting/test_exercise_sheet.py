"""The handout's exercise sheet (gmed handout --exercises), read back from the PDF."""

import shutil
import subprocess

from viewer import cli


def test_exercise_sheet_lists_the_gallery_with_figures_and_sources(tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "h.pdf"
    assert cli.main(["handout", str(out), "--exercises"]) == 0
    pdf = PdfReader(out)
    assert len(pdf.pages) == 4 and pdf.metadata.subject.endswith(
        "exercise sheet (six gluteus medius exercises, their reported activity and cues)"
    )
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext (poppler-utils) is needed to read the handout"
    raw = subprocess.run(
        [exe, "-f", "4", "-l", "4", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(raw.split())
    assert "Exercises for the gluteus medius" in text
    names = [
        "1. Side-lying hip abduction",
        "2. Single-leg squat",
        "3. Lateral band walk",
        "4. Hop and land on one leg",
        "5. Clamshell",
        "6. Single-leg stance and hip hike",
    ]
    assert all(n in text for n in names), text[:2000]
    assert "Gluteus medius 81 ± 42 % MVIC (Distefano et al. 2009)" in text
    assert "Gluteus medius 37.7 ± 15.1 % MVIC (Selkowitz et al. 2013, read in" in text
    assert "Distefano LJ, Blackburn JT, Marshall SW, Padua DA 2009" in text and "43(2):54-64" in text
    # the clamshell's lever at 40 degrees of hip flexion: every part rotates internally
    assert "+47 / +37 / +22 mm" in text
