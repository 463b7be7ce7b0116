"""Starting the app spawns no process: no ldconfig, gcc, collect2 or ld from keyring's backend
discovery (its macOS backend probes with ctypes.util.find_library), which endpoint security
flags. Checked with strace on every execve of the process tree; where strace is missing, by
recording every process the interpreter starts (subprocess, os.posix_spawn, os.exec*)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.secret_service import run_in_secret_service

GUI_START = """
import os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from dte_desktop.core.app import bootstrap
from dte_desktop.ui.main_window import MainWindow
ctx = bootstrap()
window = MainWindow(ctx)
window.show()
print(ctx.credentials.backend.name)  # the store a connection's password would come from
QTimer.singleShot(1000, app.quit)
app.exec()
"""

# Without strace: note every way the interpreter could start a program, then run the code.
RECORDER = """
import os, subprocess, sys
started = []
real_init = subprocess.Popen.__init__
def popen(self, args, *a, **k):
    started.append(args)
    return real_init(self, args, *a, **k)
subprocess.Popen.__init__ = popen
for name in ("posix_spawn", "posix_spawnp", "execv", "execve", "execvp", "system", "fork"):
    if hasattr(os, name):
        real = getattr(os, name)
        setattr(os, name, lambda *a, _r=real, _n=name: started.append((_n, a)) or _r(*a))
exec(compile(sys.argv[1], "<start>", "exec"))
print("STARTED", started)
"""


def spawned(code: str, env: dict[str, str], tmp_path: Path) -> tuple[list[str], str]:
    """Programs the code started (besides the interpreter itself), and its output."""
    if shutil.which("strace"):
        trace = tmp_path / "execve.txt"
        r = subprocess.run(
            [
                "strace",
                "-f",
                "-qq",
                "-e",
                "trace=execve",
                "-o",
                str(trace),
                sys.executable,
                "-c",
                code,
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
        )
        assert r.returncode == 0, r.stderr
        calls = [
            line
            for line in trace.read_text().splitlines()
            if "execve(" in line and "ENOENT" not in line
        ]
        return calls[1:], r.stdout  # the first is the interpreter
    r = subprocess.run(
        [sys.executable, "-c", RECORDER, code], capture_output=True, text=True, timeout=180, env=env
    )
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if x.startswith("STARTED"))
    return ([] if line == "STARTED []" else [line]), r.stdout


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DTE_KEYRING"}  # auto: probe for one
    return {**env, "QT_QPA_PLATFORM": "offscreen", **extra}


def test_the_desktop_app_starts_without_spawning_anything(tmp_path: Path, demo_home) -> None:
    calls, out = spawned(GUI_START, _env(), tmp_path)
    assert calls == [], calls
    assert "encrypted-file" in out  # no OS keyring on this machine: the file store


def test_the_credential_store_spawns_nothing(tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        from pathlib import Path
        from dte_desktop.core.secrets import CredentialStore, usable_os_keyring
        print(usable_os_keyring(), CredentialStore(Path({str(tmp_path / "s.enc")!r})).backend.name)
    """)
    calls, _ = spawned(code, _env(), tmp_path)
    assert calls == [], calls


SECRET_SERVICE_PROBE = """
import json, shutil, subprocess, sys
code = (
    "import sys; from pathlib import Path; from dte_desktop.core.secrets import CredentialStore; "
    "s = CredentialStore(Path(sys.argv[1])); s.set('k', 'v-123'); print(s.backend.name)"
)
trace = ["strace", "-f", "-qq", "-e", "trace=execve", "-o", sys.argv[2]]
cmd = (trace if shutil.which("strace") else []) + [sys.executable, "-c", code, sys.argv[1]]
r = subprocess.run(cmd, capture_output=True, text=True)
print(json.dumps({"rc": r.returncode, "out": r.stdout, "err": r.stderr[-2000:]}))
"""


def test_with_a_real_secret_service_it_is_found_and_nothing_is_spawned(tmp_path: Path) -> None:
    """Inside a D-Bus session with gnome-keyring: the Secret Service backend is still chosen
    (named outright now, not discovered), and opening it starts no program."""
    trace = tmp_path / "ss-execve.txt"
    r = run_in_secret_service(tmp_path, SECRET_SERVICE_PROBE, str(tmp_path / "s.enc"), str(trace))
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res["rc"] == 0 and "SecretService" in res["out"], res
    if shutil.which("strace"):
        calls = [x for x in trace.read_text().splitlines() if "execve(" in x and "ENOENT" not in x]
        assert calls[1:] == [], calls
