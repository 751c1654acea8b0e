"""Warm kernels give the pages fresh kernels give (byte for byte, but for what differs between runs by
design); a dead or hung kernel fails its agency only; the Dask path (`--scheduler`) gives the local pool's pages."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest
from conftest import SEEDS, write_inputs

from auditlib.batch import BatchError, run_batch
from auditlib.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _under_inputs(report: str) -> str:
    """A report's path below the input folder (`reports/`): the same in two runs over copies of the inputs."""
    parts = Path(report).parts
    return "/".join(parts[len(parts) - 1 - parts[::-1].index("reports") + 1:])


def pages(result) -> dict[str, str]:  # result: auditlib.batch.BatchResult
    """Every agency page of a run, as written, keyed by its report's path below the input folder, with what differs between two runs by design made equal: papermill's random cell ids, the run
    folder, and the page keys (they hold a hash of the report's full path).

    index.html is left out: its heatmap names its dataset by a hash of data that holds the page keys, and
    two copies of one report tie in its ranking and are ordered by key, so it differs between two folders.
    """
    names = {a["key"]: _under_inputs(a["report"]) for a in result.agencies}
    found = {names[a["key"]]: result.out_dir / a["page"] for a in result.agencies}
    out = {}
    for name, path in found.items():
        text = path.read_text(encoding="utf-8").replace(str(result.out_dir), "RUN")
        for key, report in names.items():
            text = text.replace(key, report).replace(quote(key), report)  # index.html links are URL-encoded
        out[name] = re.sub(r'id="cell-id=[0-9a-f-]+"', 'id="cell-id="', text)
    return out


@pytest.fixture(scope="session")
def fresh_run(tmp_path_factory: pytest.TempPathFactory):  # -> auditlib.batch.BatchResult
    """The same inputs as `batch_run`, with a new kernel for every notebook (the slow, most isolated way)."""
    base = tmp_path_factory.mktemp("fresh")
    return run_batch([write_inputs(base / "reports")], base / "out", workers=2, progress=False, fresh_kernels=True)


def test_warm_kernels_write_the_pages_fresh_kernels_write(batch_run, fresh_run) -> None:
    warm, fresh = pages(batch_run), pages(fresh_run)
    assert warm.keys() == fresh.keys() and len(warm) == len(batch_run.agencies)
    for name, page in warm.items():
        assert page == fresh[name], name
    for record in batch_run.agencies:  # each agency notebook counts its cells from 1, as in a new kernel
        if record["status"] == "ok":
            nb = nbformat.read(batch_run.out_dir / record["notebook"], as_version=4)
            counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.execution_count]
            assert counts == list(range(1, len(counts) + 1)), record["key"]


def test_nothing_carries_over_and_a_dead_or_hung_kernel_fails_its_agency_only(tmp_path: Path) -> None:
    crash, hang = SEEDS[1].name, SEEDS[2].name
    nb = nbformat.read(ROOT / "notebooks" / "agency_audit.ipynb", as_version=4)
    nb.cells += [
        nbformat.v4.new_code_cell('print("leaked" in dir(), len(In))'),
        nbformat.v4.new_code_cell("leaked = report_path\nleaked"),
        nbformat.v4.new_code_cell(f"import os, time\nif report_path.endswith({crash!r}):\n    os._exit(1)\n"
                                  f"if report_path.endswith({hang!r}):\n    time.sleep(600)"),
    ]
    notebook = tmp_path / "fragile.ipynb"
    nbformat.write(nb, notebook)
    src = tmp_path / "reports"
    src.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, src / seed.name)
    # one worker: the agencies run one after another, each after the one before it in the same process
    result = run_batch([src], tmp_path / "out", workers=1, progress=False, agency_notebook=notebook, timeout=20)
    by_name = {Path(a["report"]).name: a for a in result.agencies}
    assert by_name[crash]["status"] == "failed" and "DeadKernelError" in by_name[crash]["error"]
    assert by_name[hang]["status"] == "failed" and "Timeout" in by_name[hang]["error"]
    assert {by_name[s.name]["status"] for s in SEEDS if s.name not in (crash, hang)} == {"ok"}
    assert result.failed == 2 and (tmp_path / "out" / "index.html").is_file()
    for record in result.agencies:
        assert (tmp_path / "out" / record["page"]).is_file()
        if record["status"] != "ok":  # the dead or hung agency's notebook stops where its kernel did
            continue
        executed = nbformat.read(tmp_path / "out" / record["notebook"], as_version=4)
        check = next(c for c in executed.cells if c.cell_type == "code" and "leaked" in c.source and "print" in c.source)
        assert "".join(o.get("text", "") for o in check.outputs).strip() == f"False {check.execution_count + 1}", record["report"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_scheduler_is_one_chinese_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("distributed")
    from auditlib.batch import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2)
    address = f"tcp://127.0.0.1:{_free_port()}"
    assert main(["batch", str(SEEDS[0]), "--out", str(tmp_path / "out"), "--scheduler", address, "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "无法连接 Dask 调度器" in err and address in err
    assert main(["batch", str(SEEDS[0]), "--out", str(tmp_path / "out"), "--scheduler", "8786", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "地址 8786 无效" in err
    with pytest.raises(BatchError, match="无效"):
        run_batch([SEEDS[0]], tmp_path / "out2", progress=False, scheduler="tcp://host-without-port")
    assert not (tmp_path / "out2").exists()  # refused before anything was written


def test_a_dask_cluster_writes_the_pages_the_local_pool_writes(batch_run, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        src = write_inputs(tmp_path / "reports")
        result = run_batch([src], tmp_path / "out", progress=False, scheduler=cluster.scheduler_address)
        with distributed.Client(cluster.scheduler_address) as client:  # the run shut its kernels down
            left = client.run(lambda: sum(len([k for k in (p.warm, p.spare) if k is not None])
                                          for p in __import__("auditlib.batch.kernels").batch.kernels._POOLS.values()))
        assert set(left.values()) == {0}
    local, remote = pages(batch_run), pages(result)
    assert local.keys() == remote.keys()
    for name, page in local.items():
        assert page == remote[name], name
    statuses = lambda r: sorted((Path(a["report"]).name, a["status"]) for a in r.agencies)  # noqa: E731
    assert statuses(result) == statuses(batch_run) and result.failed == batch_run.failed
    summary = json.loads((result.out_dir / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["agencies"]) == len(result.agencies)
