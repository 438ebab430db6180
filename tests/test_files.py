"""Writing files: a temporary file renamed into place, with an ordinary file's mode; several
files renamed only once all are written."""
import os

import pytest

from surefit.errors import SurefitError
from surefit.files import atomic_path, check_writable, umask, write_all


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    path = tmp_path / "out.json"
    with pytest.raises(RuntimeError):
        with atomic_path(path) as tmp:
            tmp.write_text("half")
            raise RuntimeError("failed mid-write")
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / "out.json"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as tmp:
            tmp.write_text("new")
            raise RuntimeError
    assert path.read_text() == "old" and list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_a_written_file_has_the_mode_open_would_give(tmp_path, mask):
    old = os.umask(mask)
    try:
        assert umask() == mask
        with atomic_path(tmp_path / "a") as tmp:
            tmp.write_text("x")
        (tmp_path / "b").write_text("x")  # the oracle: an ordinary open()
    finally:
        os.umask(old)
    assert (tmp_path / "a").stat().st_mode & 0o777 == (tmp_path / "b").stat().st_mode & 0o777 == 0o666 & ~mask


def test_write_all_renames_all_or_none(tmp_path):
    def fails(tmp):
        raise OSError("disk full")
    with pytest.raises(OSError):
        write_all([(tmp_path / "a.json", lambda tmp: tmp.write_text("a")), (tmp_path / "b.png", fails)])
    assert list(tmp_path.iterdir()) == []
    written = write_all([(tmp_path / "a.json", lambda tmp: tmp.write_text("a")),
                         (tmp_path / "b.png", lambda tmp: tmp.write_text("b"))])
    assert [p.read_text() for p in written] == ["a", "b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.png"]


def test_check_writable_says_why_not(tmp_path):
    with pytest.raises(SurefitError, match="no directory"):
        check_writable(tmp_path / "nope" / "x.png")
    with pytest.raises(SurefitError, match="it is a directory"):
        check_writable(tmp_path)
    assert check_writable(tmp_path / "x.png") == tmp_path / "x.png"
