"""A CSV of measured data in, its columns as numbers out: names, delimiters, decimal commas,
comment lines, and a one-line error naming the line and the cell for every bad file."""
import numpy as np
import pytest

from surefit import csvfile
from surefit.errors import SurefitError
from surefit.problem import from_csv


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_reads_inputs_and_target(tmp_path):
    path = write(tmp_path, "a, b ,y\n1,2,3\n4,5,9\n7,8,15\n")
    p = from_csv(path, "y", holdout=0)
    assert p.variables == ("a", "b")
    order = np.argsort(p.X[:, 0])
    np.testing.assert_array_equal(p.X[order], [[1, 2], [4, 5], [7, 8]])
    np.testing.assert_array_equal(p.y[order], [3, 9, 15])


def test_csv_chosen_inputs(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,3\n4,5,9\n")
    assert from_csv(path, "y", inputs=["b"], holdout=0).variables == ("b",)
    assert from_csv(path, " y", inputs=["a", " b"], holdout=0).variables == ("a", "b")  # --inputs "a, b"


@pytest.mark.parametrize("text,target,message", [
    ("x,y\n1,2\n3,\n", "y", "line 3: y is missing"),
    ("x,y\n1,2\n3,4\nfive,6\n", "y", r"line 4: x is not a number \('five'\)"),
    ("x,y\n1,2\n3,inf\n", "y", "line 3: y is inf"),
    ("x,y\n1,2\n", "z", "no column 'z'; its columns are x, y"),
    ("x,y\n1,2\n3,4,5\n", "y", "line 3: 3 cells, the header has 2"),
    ("x,y\n1\n", "y", "line 2: 1 cells"),
    ("", "y", "is empty"),
    ("y\n1\n2\n", "y", "no input columns"),
    ("x,y\n1,2\n", "y", "at least 2 samples"),
    ("x,x,y\n1,2,3\n", "y", "'x' is named twice in .*data.csv's header"),  # the first x would be read twice
    (",y\n1,2\n", "y", "column 1 of .* has no name: name it in the header row or choose the inputs"),
])
def test_bad_csv(tmp_path, text, target, message):
    with pytest.raises(SurefitError, match=message):
        from_csv(write(tmp_path, text), target)


def test_csv_numbers_are_read_alike_by_numpy_and_line_by_line(tmp_path):
    # numpy's reader is the fast path; the line reader names bad cells: both must read a good file alike
    text = 'x,y,note\n1e3, -2.5 ,a\n"7",0.125,b\n\n-0,3E-2,"c, d"\r\n'
    path = write(tmp_path, text)
    expected = [[1000.0, -2.5], [7.0, 0.125], [0.0, 0.03]]  # oracle: Python's float of each cell
    table = csvfile.read(path, "y")
    np.testing.assert_array_equal(table.numbers(["x", "y"]), expected)
    np.testing.assert_array_equal(table.numbers_line_by_line(["x", "y"]), expected)


@pytest.mark.parametrize("text,message", [
    ("x,y\n1,2\n\n3,a\n", r"line 4: y is not a number \('a'\)"),  # a blank line is skipped, and counted
    ("x,y\n1,2\n3,4\n5,6,7\n", "line 4: 3 cells, the header has 2"),  # numpy would read the first two
    ("x,y\n1,2\n3,nan\n", "line 3: y is nan"),  # numpy reads it as a number
])
def test_csv_errors_found_past_the_fast_reader_name_their_line(tmp_path, text, message):
    with pytest.raises(SurefitError, match=message):
        from_csv(write(tmp_path, text), "y")


def test_csv_inputs_are_each_named_once_and_not_the_target(tmp_path):
    path = write(tmp_path, "x,y,,\n1,2,,\n3,4,,\n")  # unnamed columns not used are no matter
    np.testing.assert_array_equal(np.sort(from_csv(path, "y", inputs=["x"], holdout=0).X[:, 0]), [1, 3])
    with pytest.raises(SurefitError, match="'y' is the target; it cannot be an input too"):
        from_csv(path, "y", inputs=["x", "y"])  # y fitted from itself: silently perfect
    with pytest.raises(SurefitError, match="'x' is named twice in the inputs"):
        from_csv(path, "y", inputs=["x", "x"])


def test_csv_missing_file(tmp_path):
    with pytest.raises(SurefitError, match="cannot read"):
        from_csv(tmp_path / "nope.csv", "y")


def test_csv_unknown_input_column(tmp_path):
    with pytest.raises(SurefitError, match="no input columns q"):
        from_csv(write(tmp_path, "x,y\n1,2\n3,4\n"), "y", inputs=["q"])


X, Y = [0.5, -1.25, 3.0], [2.0, 0.125, -7.5]  # written with a decimal point or comma below


def locale_file(delimiter: str, decimal: str, preamble: str = "", header: str = "x{d}y") -> str:
    rows = [f"{x}{delimiter}{y}".replace(".", decimal) for x, y in zip(X, Y)]
    return preamble + header.format(d=delimiter) + "\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("text", [
    locale_file(",", "."),
    locale_file(";", ","),  # Excel in a Russian, Polish or German locale
    locale_file(";", "."),
    locale_file("\t", "."),
    locale_file("\t", ","),
    "\ufeff" + locale_file(",", "."),  # Excel's "CSV UTF-8" begins with a byte-order mark
    locale_file(",", ".", header="# x{d}y"),  # numpy.savetxt(..., header="x,y")
    locale_file(";", ",", preamble="# measured 2026-12-04\n# in volts\n\n"),
    locale_file(",", ".").replace("\n", "\r\n"),
    locale_file(",", ".").replace("-1.25,0.125\n", "# a bad reading, left out\n-1.25,0.125\n"),
])
def test_csv_in_any_locale_reads_the_same_numbers(tmp_path, text):
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8", newline="")
    p = from_csv(path, "y", holdout=0)
    assert p.variables == ("x",)
    order = np.argsort(p.X[:, 0])
    np.testing.assert_array_equal(p.X[order, 0], np.sort(X))  # oracle: the numbers written
    np.testing.assert_array_equal(p.y[order], np.array(Y)[np.argsort(X)])


def test_a_trailing_delimiter_s_empty_column_is_no_input(tmp_path):
    path = write(tmp_path, "x;y;\n1,5;2;\n2,5;3;\n")  # a spreadsheet's trailing semicolons
    p = from_csv(path, "y", holdout=0)
    assert p.variables == ("x",) and sorted(p.X[:, 0]) == [1.5, 2.5]
    with pytest.raises(SurefitError, match="column 3 of .* has no name"):  # with values, it must be named
        from_csv(write(tmp_path, "x;y;\n1;2;7\n2;3;\n"), "y")


def test_a_column_not_chosen_that_is_not_a_number_says_how_to_leave_it_out(tmp_path):
    path = write(tmp_path, "date,x,y\n2026-12-01,1,2\n2026-12-02,3,4\n2026-12-03,5,7\n")
    with pytest.raises(SurefitError, match=r"line 2: date is not a number \('2026-12-01'\); every column but the "
                                           "target is an input unless the inputs are chosen"):
        from_csv(path, "y")
    assert from_csv(path, "y", inputs=["x"], holdout=0).variables == ("x",)


@pytest.mark.parametrize("raw,message", [
    ("x,y\n1,2\n3,4\n".encode("utf-16"), r"not UTF-8 text \(byte 0xff at 0\); save it as UTF-8"),
    ("x;y\n1;2\n".encode("cp1251") + "# замер\n".encode("cp1251"), "not UTF-8 text"),
    (b"# only a comment\n\n", "has only '#' lines"),
    (b"# x,y\n", "at least 2 samples"),
])
def test_files_that_cannot_be_read_say_why(tmp_path, raw, message):
    path = tmp_path / "data.csv"
    path.write_bytes(raw)
    with pytest.raises(SurefitError, match=message):
        from_csv(path, "y")


@pytest.mark.parametrize("text", [locale_file(",", "."), locale_file(";", ","), locale_file("\t", "."),
                                  locale_file(",", ".", header="# x{d}y").replace("3.0", '"3.0"')])
def test_a_column_added_reads_back_the_same_and_leaves_the_rest_as_it_was(tmp_path, text):
    (tmp_path / "in.csv").write_text(text)
    table = csvfile.read(tmp_path / "in.csv", "y")
    values = np.array([0.1, -2.5e-17, 1e300])
    csvfile.with_columns(table, tmp_path / "out.csv", {"z": values})
    out = (tmp_path / "out.csv").read_text().splitlines()
    assert [line[:len(old)] for line, old in zip(out, text.splitlines())] == text.splitlines()
    again = csvfile.read(tmp_path / "out.csv", "z")
    assert again.delimiter == table.delimiter
    np.testing.assert_array_equal(again.numbers(["x", "y"]), table.numbers(["x", "y"]))
    np.testing.assert_array_equal(again.numbers(["z"])[:, 0], values)  # oracle: the numbers written, every bit
