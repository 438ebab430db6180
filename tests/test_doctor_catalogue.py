"""The doctor on real buggy programs (tests/doctor_programs/): every program's true cause comes
first, every fixed program whose fix is complete gets no critical or major finding, and one whose
fix is not gets the fault its fix left (never "no problems found"), not the one it removed.

Each program is trained once, buggy and fixed, with the doctor's watch attached (Keras: the
callback; PyTorch: the watch's update() around each step); the diagnoses are shared by the tests.
The outcomes hold on every initialisation seed tried (seeds 7, 101, 202, 303 besides each
program's own), a far larger change than any rounding difference between machines.
"""
from __future__ import annotations

import logging
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest  # noqa: E402
import torch  # noqa: E402

pytest.importorskip("keras")
from doctor_programs import PROGRAMS  # noqa: E402

SERIOUS = ("critical", "major")
_diagnoses: dict[tuple[str, str], object] = {}


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """The programs are tiny: torch's thread pool only adds contention on a shared machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    level = logging.getLogger("surefit.doctor").level
    logging.getLogger("surefit.doctor").setLevel(logging.ERROR)  # the watch's events, said again by diagnose()
    yield
    torch.set_num_threads(before)
    logging.getLogger("surefit.doctor").setLevel(level)


def diagnosis(program, kind: str):
    if (program.name, kind) not in _diagnoses:
        _diagnoses[(program.name, kind)] = getattr(program, kind)().diagnose()
    return _diagnoses[(program.name, kind)]


def rank(program) -> int | None:
    """1-based place of the true cause's first finding in the buggy program's diagnosis."""
    codes = diagnosis(program, "buggy").codes
    return next((i + 1 for i, code in enumerate(codes) if code in program.true_causes), None)


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_the_true_cause_comes_first(program):
    d = diagnosis(program, "buggy")
    assert rank(program) == 1, str(d)
    assert d.findings[0].because is None and d.findings[0].severity in SERIOUS


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_the_fixed_program(program):
    d = diagnosis(program, "fixed")
    if program.fix_complete:
        assert not [f.code for f in d.findings if f.severity in SERIOUS], str(d)
    else:  # the fault the fix left is named, the one it removed is gone
        assert [f for f in d.findings if f.severity in SERIOUS], str(d)
        assert not set(d.codes) & set(program.true_causes), str(d)


def test_catalogue_hit_rates(capsys):
    """The issue's bar: the true cause first on >= 90% of the programs, named on all of them, no
    critical or major finding on a complete fix. The table goes to stdout (pytest -s shows it)."""
    lines, first, named, serious_on_fixed = [], 0, 0, 0
    for p in PROGRAMS:
        place = rank(p)
        fixed = diagnosis(p, "fixed")
        serious = [f.code for f in fixed.findings if f.severity in SERIOUS]
        first += place == 1
        named += place is not None
        serious_on_fixed += bool(serious) and p.fix_complete
        lines.append(f"{p.name:24s} {'/'.join(p.true_causes):34s} {diagnosis(p, 'buggy').codes[0]:24s} {place} "
                     f"{'complete' if p.fix_complete else 'partial':9s} {', '.join(serious) or '-'}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert first >= 0.9 * len(PROGRAMS) and named == len(PROGRAMS) and serious_on_fixed == 0
    assert len(PROGRAMS) >= 15 and sum(p.fix_complete for p in PROGRAMS) >= 10
