"""Output files: checked before the long work, written to a temporary file and moved into
place, so a failure never leaves a half-written file or loses the previous one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts.atomic_write import (
    OutputError,
    check_output_dir,
    check_output_file,
    replacing,
    write_text,
)


def test_check_output_file_names_the_problem(tmp_path: Path) -> None:
    check_output_file(tmp_path / "new.csv", "--out")  # a new file in a writable directory
    with pytest.raises(OutputError, match=r"--out: directory .*/missing does not exist"):
        check_output_file(tmp_path / "missing" / "h.csv", "--out")
    with pytest.raises(OutputError, match=r"--out: .* is a directory, expected a file name"):
        check_output_file(tmp_path, "--out")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match=r"--out: .*/file is not a directory"):
        check_output_file(tmp_path / "file" / "h.csv", "--out")
    with pytest.raises(OutputError, match=r"--plot: cannot create files in /proc"):
        check_output_file(Path("/proc/x.png"), "--plot")


def test_check_output_dir_accepts_a_creatable_one(tmp_path: Path) -> None:
    check_output_dir(tmp_path / "a" / "b", "--out-dir")
    assert not (tmp_path / "a").exists()  # checking creates nothing
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="exists and is not a directory"):
        check_output_dir(tmp_path / "file", "--out-dir")
    with pytest.raises(OutputError, match="is not a directory"):
        check_output_dir(tmp_path / "file" / "sub", "--out-dir")


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), replacing(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("the writer failed midway")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_write_text_replaces_in_one_move_with_normal_permissions(tmp_path: Path) -> None:
    target = tmp_path / "h.csv"
    write_text(target, "a,b\n1,2\n")
    assert target.read_text() == "a,b\n1,2\n"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv"]
