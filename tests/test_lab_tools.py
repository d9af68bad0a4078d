"""tools/lab_tools.py: a student's JupyterLab without nbgrader's instructor tooling, an instructor's with it."""
import json
import subprocess
import sys

import notebook_utils  # noqa: F401  (puts tools/ on sys.path)
import pytest

import lab_tools


def read(prefix):
    config = prefix / "etc" / "jupyter"
    lab = json.loads((config / "labconfig" / "page_config.json").read_text())
    server = json.loads((config / "jupyter_server_config.json").read_text())
    return lab["disabledExtensions"], server["ServerApp"]["jpserver_extensions"]


def test_students_get_every_nbgrader_extension_off_and_instructors_on(tmp_path):
    lab_tools.set_tools("student", tmp_path)
    disabled, server = read(tmp_path)
    assert disabled == {"@jupyter/nbgrader": True}
    assert set(server) == set(lab_tools.SERVER_EXTENSIONS) and not any(server.values())
    lab_tools.set_tools("instructor", tmp_path)
    disabled, server = read(tmp_path)
    assert disabled == {"@jupyter/nbgrader": False} and all(server.values())


def test_other_settings_in_the_same_files_are_kept(tmp_path):
    page = tmp_path / "etc" / "jupyter" / "labconfig" / "page_config.json"
    page.parent.mkdir(parents=True)
    page.write_text(json.dumps({"disabledExtensions": {"@other/extension": True}, "lockedExtensions": {}}))
    lab_tools.set_tools("student", tmp_path)
    config = json.loads(page.read_text())
    assert config["disabledExtensions"] == {"@other/extension": True, "@jupyter/nbgrader": True}
    assert config["lockedExtensions"] == {}


def test_an_unknown_role_is_refused(tmp_path, capsys):
    with pytest.raises(ValueError, match="role must be 'student' or 'instructor'"):
        lab_tools.set_tools("admin", tmp_path)
    assert lab_tools.main(["admin"]) == 2


def test_jupyter_itself_reads_the_student_setting(tmp_path):
    """The course environment's own jupyter, after `make lab`'s step, lists nbgrader's extensions as disabled."""
    lab_tools.set_tools("student", sys.prefix)
    labextensions = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"],
                                   capture_output=True, text=True, check=True)
    line = next(line for line in (labextensions.stdout + labextensions.stderr).splitlines()
                if "@jupyter/nbgrader v" in line)
    assert "disabled" in line
    servers = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"],
                             capture_output=True, text=True, check=True)
    states = [line for line in (servers.stdout + servers.stderr).splitlines()
              if "nbgrader.server_extensions." in line and "abled" in line]
    assert len(states) == 4 and all("disabled" in line for line in states)
