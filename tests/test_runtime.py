"""A run's kernel state stays under its output folder and goes with the run (issue 11 g)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from auditlib.runtime import RUNTIME_FOLDER, remove_runtime, runtime_environment

ROOT = Path(__file__).resolve().parent.parent


def test_ipython_and_jupyter_paths_resolve_under_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = runtime_environment(out)
    assert all(Path(v).is_relative_to(out.resolve() / RUNTIME_FOLDER) for v in env.values())
    code = ("import json, sys\nfrom auditlib.runtime import worker_init\nworker_init(json.loads(sys.argv[1]))\n"
            "from IPython.paths import get_ipython_dir\nfrom jupyter_core.paths import jupyter_runtime_dir\n"
            "print(json.dumps([get_ipython_dir(), jupyter_runtime_dir()]))")
    clean = {k: v for k, v in os.environ.items() if k not in env}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(env)], capture_output=True, text=True, check=False,
                          cwd=ROOT, env={**clean, "HOME": str(tmp_path / "home")}, timeout=120)
    assert done.returncode == 0, done.stderr
    ipython, runtime = json.loads(done.stdout)
    assert ipython == env["IPYTHONDIR"] and runtime == env["JUPYTER_RUNTIME_DIR"]
    assert not (tmp_path / "home").exists()  # nothing written under ~
    remove_runtime(out)
    assert not (out / RUNTIME_FOLDER).exists()


def test_a_worker_ends_when_the_main_process_is_killed(tmp_path: Path) -> None:
    """main → worker (worker_init) ; SIGKILL the main process: the worker follows."""
    pid_file = tmp_path / "worker.pid"
    worker = ("import json, sys, time, os\nfrom auditlib.runtime import worker_init\n"
              f"worker_init(json.loads(sys.argv[1]))\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
              "time.sleep(600)")
    main = ("import subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', {worker!r}, sys.argv[1]])\ntime.sleep(600)")
    proc = subprocess.Popen([sys.executable, "-c", main, json.dumps(runtime_environment(tmp_path / "out"))], cwd=ROOT)
    try:
        for _ in range(600):  # until the worker has set itself up (or 60 s)
            if pid_file.exists() and pid_file.read_text():
                break
            time.sleep(0.1)
        pid = int(pid_file.read_text())
    finally:
        proc.kill()
        proc.wait()
    for _ in range(300):  # the worker's exit is asynchronous; wait for it, up to 30 s
        if not _alive(pid):
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        raise AssertionError("the worker outlived the main process")


def _alive(pid: int) -> bool:
    """Running (a zombie, waiting for its new parent's wait(), has ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and ") Z " in stat.read_text())
