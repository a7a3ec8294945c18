"""Faults and bad input around the models: checkpoints killed mid-write or corrupt, unknown items.

A checkpoint save is SIGKILLed (in a loop, and paused half-way through its temp file) and hit by
a full disk; the file then holds the old or the new checkpoint, never half. Corrupt, foreign and
malicious files give one line naming the file, and nothing in them runs. `predict` skips item
ids a model does not know, and the window says so. RELIABILITY.md lists every case.
"""

from __future__ import annotations

import ast
import errno
import os
import pickle
import random
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import REPO_ROOT

from shopdemo.catalog import load_catalog
from shopdemo.cli import main
from shopdemo.errors import ShopDemoError
from shopdemo.models import checkpoint as checkpoint_module
from shopdemo.models import load_model
from shopdemo.models.checkpoint import load_checkpoint, save_checkpoint
from shopdemo.models.gru4rec import GRU4Rec, GRU4RecConfig, GRU4RecRecommender
from shopdemo.models.sasrec import SASRec, SASRecConfig, SASRecRecommender
from shopdemo.service import ModelSlot, ShopService
from shopdemo.store import SessionStore

needs_sigkill = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")


def save_gru4rec(path: Path, item_ids: np.ndarray, seed: int, width: int = 8) -> dict:
    """A random GRU4Rec checkpoint; returns its state_dict (to tell the versions apart)."""
    torch.manual_seed(seed)
    config = GRU4RecConfig(layers=[width])
    module = GRU4Rec(config, len(item_ids))
    save_checkpoint(
        path,
        model="gru4rec",
        config=asdict(config),
        state_dict=module.state_dict(),
        item_ids=item_ids,
        meta={"loss": config.loss, "version": seed},
    )
    return module.state_dict()


def same_weights(ckpt: dict, state_dict: dict) -> bool:
    return ckpt["state_dict"].keys() == state_dict.keys() and all(
        torch.equal(ckpt["state_dict"][name], tensor) for name, tensor in state_dict.items()
    )


def one_line(path: Path) -> str:
    """load_model's error for `path`: one ShopDemoError line that names the file."""
    with pytest.raises(ShopDemoError) as error:
        load_model(path)
    message = str(error.value)
    assert "\n" not in message and message.startswith(f"{path}: "), message
    return message


# --- SIGKILL while a checkpoint is written --------------------------------------------------

SAVER = """
import sys
from shopdemo.models.checkpoint import load_checkpoint, save_checkpoint
target, *versions = sys.argv[1:]
payloads = [load_checkpoint(path) for path in versions]
count = 0
while True:
    ckpt = payloads[count % len(payloads)]
    save_checkpoint(target, **{key: ckpt[key] for key in
                    ("model", "config", "state_dict", "item_ids", "meta")})
    count += 1
    print(count, flush=True)
"""


@needs_sigkill
def test_sigkill_while_saving_in_a_loop_leaves_one_whole_checkpoint(tmp_path: Path) -> None:
    items = np.arange(1, 4001)  # ~1.8 MB per checkpoint, so a kill may land mid-write
    versions = {seed: save_gru4rec(tmp_path / f"v{seed}.pt", items, seed, 96) for seed in (1, 2)}
    target = tmp_path / "live" / "model.pt"
    pauses = (0.0, 0.004, 0.011)  # after the 3rd acknowledged save, wait this long, then kill
    for pause in pauses:
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SAVER,
                str(target),
                *(str(tmp_path / f"v{s}.pt") for s in (1, 2)),
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
        )
        assert child.stdout is not None
        try:
            acknowledged = [int(child.stdout.readline()) for _ in range(3)]
            time.sleep(pause)
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL and acknowledged == [1, 2, 3]
        ckpt = load_checkpoint(target)  # old or new, never half
        version = ckpt["meta"]["version"]
        assert version in versions and same_weights(ckpt, versions[version])
        # A temp file a kill leaves behind is hidden and not a .pt: nothing takes it for a model.
        assert [path.name for path in target.parent.glob("*.pt")] == ["model.pt"]
        assert all(p.name.startswith(".model.pt.") for p in target.parent.glob("*.tmp"))


HALF_WRITER = """
import os, sys, time
from shopdemo.models import checkpoint
target, version = sys.argv[1:]
ckpt = checkpoint.load_checkpoint(version)
real_fdopen = os.fdopen

class HalfThenHang:
    # The temp file gets half of the checkpoint, on disk; then the writer hangs until killed.
    def __init__(self, handle):
        self.handle = handle
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.handle.__exit__(*exc)
    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        os.fsync(self.handle.fileno())
        print("half", flush=True)
        time.sleep(600)

os.fdopen = lambda fd, mode: HalfThenHang(real_fdopen(fd, mode))
checkpoint.save_checkpoint(target, **{key: ckpt[key] for key in
                           ("model", "config", "state_dict", "item_ids", "meta")})
"""


@needs_sigkill
def test_sigkill_half_way_through_the_temp_file_keeps_the_old_checkpoint(tmp_path: Path) -> None:
    catalog = load_catalog()
    items = np.array([product.id for product in catalog.products], dtype=np.int64)
    models = tmp_path / "models"
    old = save_gru4rec(models / "gru4rec.pt", items, seed=1)
    before = (models / "gru4rec.pt").read_bytes()
    save_gru4rec(tmp_path / "new.pt", items, seed=2)
    child = subprocess.Popen(
        [sys.executable, "-c", HALF_WRITER, str(models / "gru4rec.pt"), str(tmp_path / "new.pt")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline() == "half\n"
        temps = list(models.glob(".gru4rec.pt.*.tmp"))
        assert len(temps) == 1 and 0 < temps[0].stat().st_size < len(before)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert (models / "gru4rec.pt").read_bytes() == before
    assert same_weights(load_checkpoint(models / "gru4rec.pt"), old)
    assert "not a readable checkpoint" in one_line(temps[0])  # the half file is no checkpoint
    # The app looks for models/gru4rec.pt only: it gets the old model, not the half-written one.
    store = SessionStore(f"sqlite:///{tmp_path / 'shop.sqlite3'}")
    service = ShopService(catalog, store, [ModelSlot("gru4rec", "GRU4Rec")], models_dir=models)
    model, origin, _, problem = service.find_checkpoint("gru4rec")
    service.close()
    assert problem == "" and origin == str(models / "gru4rec.pt")
    assert isinstance(model, GRU4RecRecommender)
    assert all(torch.equal(model.module.state_dict()[k], v) for k, v in old.items())


class FullDisk:
    """A file whose disk fills after `room` bytes: the write then raises ENOSPC."""

    def __init__(self, handle: object, room: int) -> None:
        self.handle, self.room = handle, room

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.__exit__(*exc)

    def write(self, data: bytes) -> int:
        self.handle.write(bytes(data[: self.room]))
        self.handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("existing", [True, False], ids=["over-an-old-one", "new-file"])
def test_full_disk_while_saving_keeps_the_old_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    items = np.arange(1, 301)
    target = tmp_path / "model.pt"
    if existing:
        old = save_gru4rec(target, items, seed=1)
        before = target.read_bytes()
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        checkpoint_module.os, "fdopen", lambda fd, m: FullDisk(real_fdopen(fd, m), 4096)
    )
    with pytest.raises(ShopDemoError) as error:
        save_gru4rec(target, items, seed=2)
    monkeypatch.undo()
    message = str(error.value)
    kept = "the old checkpoint is unchanged" if existing else "nothing was written"
    assert message == (
        f"{target}: cannot write the checkpoint (No space left on device): {kept}; "
        "free some disk space"
    )
    assert isinstance(error.value, OSError) and error.value.errno == errno.ENOSPC
    assert os.listdir(tmp_path) == (["model.pt"] if existing else [])  # no temp file left
    if existing:
        assert target.read_bytes() == before
        assert same_weights(load_checkpoint(target), old)


def test_full_disk_during_shopdemo_train_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    train = tmp_path / "train.tsv"
    rows = [f"{s}\t{i}\t{1_700_000_000 + 10 * s + i}" for s in range(1, 40) for i in (1, 2, 3)]
    train.write_text("SessionId\tItemId\tTime\n" + "\n".join(rows) + "\n")
    config = tmp_path / "tiny.toml"
    config.write_text("layers = [4]\nbatch_size = 4\nn_sample = 0\n")
    out = tmp_path / "g.pt"
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        checkpoint_module.os, "fdopen", lambda fd, m: FullDisk(real_fdopen(fd, m), 100)
    )
    argv = ["train", "--model", "gru4rec", "--train", str(train), "--config", str(config)]
    code = main([*argv, "--epochs", "1", "--threads", "1", "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and sorted(os.listdir(tmp_path)) == ["tiny.toml", "train.tsv"]
    assert err[-1] == (
        f"shopdemo: error: {out}: cannot write the checkpoint (No space left on device): "
        "nothing was written; free some disk space"
    )
    assert not any("Traceback" in line for line in err)


# --- corrupt, foreign and malicious checkpoint files ----------------------------------------


@pytest.fixture
def real_checkpoint(tmp_path: Path) -> Path:
    save_gru4rec(tmp_path / "real.pt", np.arange(1, 41), seed=1)
    return tmp_path / "real.pt"


def test_truncated_checkpoints_are_refused_in_one_line(real_checkpoint: Path) -> None:
    data = real_checkpoint.read_bytes()
    for cut in (0, 1, 4, 30, 100, len(data) // 4, len(data) // 2, 3 * len(data) // 4,
                len(data) - 200, len(data) - 22, len(data) - 1):  # fmt: skip
        cut_file = real_checkpoint.with_name(f"cut{cut}.pt")
        cut_file.write_bytes(data[:cut])
        message = one_line(cut_file)
        assert "not a readable checkpoint" in message
        assert ("the file is empty" in message) == (cut == 0)


def test_random_bytes_and_foreign_zips_are_refused_in_one_line(tmp_path: Path) -> None:
    rng = random.Random(9)
    files = {f"random{size}.pt": rng.randbytes(size) for size in (1, 7, 512, 70_000)}
    files["zipheader.pt"] = b"PK\x03\x04" + rng.randbytes(2_000)
    files["text.pt"] = b"SessionId\tItemId\tTime\n1\t2\t3\n"
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with zipfile.ZipFile(tmp_path / "notes.pt", "w") as archive:  # a zip, but not torch's
        archive.writestr("notes/hello.txt", "hello")
    with zipfile.ZipFile(tmp_path / "fakepkl.pt", "w") as archive:  # torch's layout, junk inside
        archive.writestr("fakepkl/data.pkl", rng.randbytes(300))
        archive.writestr("fakepkl/version", "3\n")
    for path in sorted(tmp_path.glob("*.pt")):
        assert "not a readable checkpoint" in one_line(path)


def test_foreign_torch_files_are_refused_in_one_line(real_checkpoint: Path) -> None:
    folder = real_checkpoint.parent
    raw = torch.load(real_checkpoint, weights_only=True)
    foreign = {
        "plain_state_dict": GRU4Rec(GRU4RecConfig(layers=[4]), 5).state_dict(),
        "tensor": torch.zeros(3),
        "list": [1, 2, 3],
        "none": None,
        "other_format": {**raw, "format": "lightning-checkpoint"},
    }
    for name, payload in foreign.items():
        torch.save(payload, folder / f"{name}.pt")
        assert "not a ShopDemo checkpoint" in one_line(folder / f"{name}.pt")
    cases = {
        "version_text": ({"format_version": "1"}, "format version '1' is not supported"),
        "version_2": ({"format_version": 2}, "format version 2 is not supported"),
        "kind_base": ({"model": "base"}, "unknown model kind 'base'"),  # a module, not a model
        "kind_path": ({"model": "../../os"}, "unknown model kind '../../os'"),
        "config_list": ({"config": [1]}, "config must be a table, got a list"),
        "meta_text": ({"meta": "x"}, "meta must be a table, got str"),
        "state_list": ({"state_dict": [1]}, "state_dict must map names to tensors"),
        "items_float": ({"item_ids": torch.arange(40) + 0.5}, "item_ids must be whole numbers"),
        "items_empty": ({"item_ids": torch.zeros(0, dtype=torch.int64)}, "item_ids is empty"),
        "elu_text": ({"config": {**raw["config"], "elu_param": "x"}}, "elu_param should be float"),
        "layers_text": ({"config": {**raw["config"], "layers": ["8"]}}, "layers should be int"),
        "dropout_nan": ({"config": {**raw["config"], "dropout_hidden": float("nan")}}, "dropout_hidden"),
    }  # fmt: skip
    for name, (changes, expected) in cases.items():
        torch.save({**raw, **changes}, folder / f"{name}.pt")
        assert expected in one_line(folder / f"{name}.pt"), name


MARKER_CODE = "open({marker!r}, 'w').write('this ran')"


class RunsCode:
    """Unpickling this runs `exec(code)`: what a booby-trapped checkpoint would carry."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self) -> tuple:
        return (exec, (self.code,))


def test_a_pickle_with_code_in_it_is_refused_without_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "pwned"
    trap = RunsCode(MARKER_CODE.format(marker=str(marker)))
    raw = torch.load(save_and_path(tmp_path), weights_only=True)
    torch.save({**raw, "meta": {"loss": "ce", "note": trap}}, tmp_path / "inside.pt")
    torch.save(trap, tmp_path / "zip.pt")
    torch.save(trap, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    (tmp_path / "raw.pt").write_bytes(pickle.dumps(trap))
    # The traps are live: an unsafe load runs them. (Done here on purpose, once, as the control.)
    torch.load(tmp_path / "zip.pt", weights_only=False)
    assert marker.read_text() == "this ran"
    marker.unlink()
    pickle.loads((tmp_path / "raw.pt").read_bytes())
    assert marker.exists()
    marker.unlink()
    # An environment asking torch for unsafe loads changes nothing: weights_only=True is explicit.
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    for name in ("inside", "zip", "legacy", "raw"):
        message = one_line(tmp_path / f"{name}.pt")
        assert "refused, nothing was run" in message, message
        code = main(["recommend", "--model", str(tmp_path / f"{name}.pt"), "1"])
        captured = capsys.readouterr()
        assert code == 1 and captured.out == ""
        assert captured.err.splitlines() == [f"shopdemo: error: {message}"]
    assert "it holds Python code or objects (exec)" in one_line(tmp_path / "zip.pt")
    assert not marker.exists()


def save_and_path(folder: Path) -> Path:
    save_gru4rec(folder / "base.pt", np.arange(1, 41), seed=3)
    return folder / "base.pt"


def test_shopdemo_recommend_with_a_bad_checkpoint_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """A real process: no traceback and no torch warning reach the terminal."""
    bad = tmp_path / "BAD.pt"
    bad.write_bytes(random.Random(4).randbytes(5_000))
    result = subprocess.run(
        [sys.executable, "-m", "shopdemo", "recommend", "--model", str(bad), "1"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"shopdemo: error: {bad}: not a readable checkpoint (not a torch file of plain data "
        "(Unsupported operand 215); refused, nothing was run)"
    ]


# --- item ids the model does not know -----------------------------------------------------


def small_models(item_ids: np.ndarray) -> dict[str, object]:
    torch.manual_seed(0)
    return {
        "gru4rec": GRU4RecRecommender(GRU4Rec(GRU4RecConfig(layers=[8]), len(item_ids)).eval(), item_ids),
        "sasrec": SASRecRecommender(SASRec(SASRecConfig(hidden=8, heads=2, layers=1), len(item_ids)).eval(), item_ids),
    }  # fmt: skip


def test_predict_skips_unknown_ids_and_reports_them() -> None:
    from shopdemo.baselines import fit_baseline
    from shopdemo.data import SessionLog

    items = np.arange(10, 30)
    train = SessionLog.from_arrays([1, 1, 1, 2, 2, 3, 3], [10, 11, 12, 11, 12, 12, 13], range(7))
    models = {
        **small_models(items),
        **{n: fit_baseline(n, train) for n in ("pop", "markov", "sknn")},
    }
    huge = 2**70  # not even an int64
    for name, model in models.items():
        mixed = model.predict([999, 11, -5, 12, huge, 0], k=5)
        clean = model.predict([11, 12], k=5)
        assert mixed.unknown == [999, -5, huge, 0], name
        assert mixed.items == clean.items and np.array_equal(mixed.scores, clean.scores), name
        assert not mixed.cold_start and clean.unknown == []
        only_unknown = model.predict([999, huge], k=5)
        empty = model.predict([], k=5)
        assert only_unknown.cold_start and only_unknown.unknown == [999, huge], name
        assert np.array_equal(only_unknown.scores, empty.scores), name


def test_service_and_window_mark_clicks_the_models_do_not_know(tmp_path: Path, qtbot) -> None:  # noqa: ANN001
    from shopdemo.ui.main_window import MainWindow

    catalog = load_catalog()
    stranger = catalog.products[5]  # a product both models were trained without
    known = np.array([p.id for p in catalog.products if p.id != stranger.id], dtype=np.int64)
    store = SessionStore(f"sqlite:///{tmp_path / 'shop.sqlite3'}")
    service = ShopService(
        catalog, store, [ModelSlot("gru4rec", "GRU4Rec"), ModelSlot("sasrec", "SASRec")]
    )
    for key, model in small_models(known).items():
        service.install(key, model, "random weights", "none")
    assert all(slot.unknown_products == 1 and slot.model for slot in service.columns())
    first, last = int(known[0]), int(known[1])
    window = MainWindow(service, threaded=False)
    qtbot.addWidget(window)
    for item in (first, stranger.id, last):
        window.click_product(item)
    state = window.panel.state
    assert state.session == (first, stranger.id, last)
    for key in ("gru4rec", "sasrec"):
        view = state.views[key]
        assert view.prediction.unknown == [stranger.id]
        assert view.click_ranks[0] is None and view.click_ranks[1] is not None  # no rank: unknown
        banner = window.panel.columns[key].banner
        assert not banner.isHidden()
        assert f"Skipped clicks this model does not know: {stranger.name}." in banner.text.text()
        tooltip = window.panel.columns[key].subtitle.toolTip()
        assert "1 products never seen in training: never recommended" in tooltip
    assert [e.item_id for e in store.load_session(service.session_number)[1]] == list(state.session)
    window.close()
    service.close()


# --- checkpoints and scenarios are data, never code ---------------------------------------

FORBIDDEN_MODULES = {
    "pickle",
    "cPickle",
    "dill",
    "cloudpickle",
    "marshal",
    "shelve",
    "joblib",
    "yaml",
}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile"}


def unsafe_uses(path: Path, root: Path = REPO_ROOT) -> list[str]:
    """Each place in `path` that could turn a file's content into running code, in line order."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        where = (line, f"{path.relative_to(root)}:{line}")
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            found += [
                (where[0], f"{where[1]}: imports {n}")
                for n in names
                if n.split(".")[0] in FORBIDDEN_MODULES
            ]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
            found.append((where[0], f"{where[1]}: calls {func.id}()"))
        keywords = {k.arg: k.value for k in node.keywords}
        if isinstance(func, ast.Attribute) and func.attr == "load":
            owner = ast.unparse(func.value)
            weights_only = keywords.get("weights_only")
            if owner == "torch" and not (
                isinstance(weights_only, ast.Constant) and weights_only.value is True
            ):
                found.append((where[0], f"{where[1]}: torch.load without weights_only=True"))
            allow = keywords.get("allow_pickle")
            if owner in ("np", "numpy") and not (
                isinstance(allow, ast.Constant) and allow.value is False
            ):
                found.append(
                    (where[0], f"{where[1]}: np.load may unpickle (pass allow_pickle=False)")
                )
    return [text for _, text in sorted(found)]


def test_no_code_in_shopdemo_turns_file_content_into_code() -> None:
    sources = sorted((REPO_ROOT / "shopdemo").rglob("*.py"))
    assert len(sources) > 50
    problems = [problem for path in sources for problem in unsafe_uses(path)]
    assert problems == []
    torch_loads = [p for p in sources if "torch.load(" in p.read_text(encoding="utf-8")]
    assert torch_loads == [REPO_ROOT / "shopdemo" / "models" / "checkpoint.py"]


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import pickle\nimport numpy as np\nimport torch\n"
        "torch.load('x')\ntorch.load('x', weights_only=False)\ntorch.load('x', weights_only=True)\n"
        "np.load('x', allow_pickle=True)\neval('1')\nmodel.eval()\napp.exec()\n"
    )
    found = [line.split(": ", 1)[1] for line in unsafe_uses(sample, tmp_path)]
    assert found == [
        "imports pickle",
        "torch.load without weights_only=True",
        "torch.load without weights_only=True",
        "np.load may unpickle (pass allow_pickle=False)",
        "calls eval()",
    ]


def test_a_scenario_file_is_read_as_text_never_run(tmp_path: Path) -> None:
    from shopdemo.scenarios import load_scenario

    marker = tmp_path / "pwned"
    code = f"__import__('os').mkdir({str(marker)!r})"
    path = tmp_path / "trap.toml"
    path.write_text(
        f'title = "{code}"\ndescription = "d"\n'
        f'[[steps]]\nclick = 1\ncaption = "{code}"\n[[steps]]\nclick = 2\ncaption = "c"\n'
    )
    scenario = load_scenario(path)
    assert scenario.title == code and scenario.steps[0].caption == code
    assert not marker.exists()
