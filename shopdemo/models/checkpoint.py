"""The one checkpoint format both neural models write: a plain dict, never a pickled object.

A checkpoint must survive a crash mid-write (temp file + fsync + rename) and must load with
`torch.load(weights_only=True)`, so only tensors and plain Python types go in. Loading checks the
format and the model kind and turns every problem into one `ShopDemoError` line naming the file;
so does a failed write (a full disk), which leaves the old checkpoint as it was.
"""

from __future__ import annotations

import errno
import io
import os
import re
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from shopdemo import __version__
from shopdemo.errors import ShopDemoError

FORMAT = "shopdemo-checkpoint"
FORMAT_VERSION = 1
MODEL_KINDS = ("gru4rec", "sasrec")
_KEYS = ("format", "format_version", "model", "config", "state_dict", "item_ids", "meta")


class CheckpointWriteError(ShopDemoError, OSError):
    """A checkpoint could not be written (disk full, read-only folder, ...); the old file is kept.

    One line for the CLI like every ShopDemoError, and still an OSError for callers that catch
    those around file writes.
    """


def save_checkpoint(
    path: str | os.PathLike[str],
    *,
    model: str,
    config: dict[str, Any],
    state_dict: dict[str, torch.Tensor],
    item_ids: np.ndarray,
    meta: dict[str, Any],
) -> None:
    """Write a checkpoint atomically: a reader sees the old file or the new one, never half.

    `meta` holds loss, epochs, seed, train file, metrics, ...; `created` and `shopdemo_version`
    are added when missing.
    """
    if model not in MODEL_KINDS:
        raise ShopDemoError(f"{path}: unknown model kind {model!r} (expected one of {MODEL_KINDS})")
    meta = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "shopdemo_version": __version__,
        **meta,
    }
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": model,
        "config": dict(config),
        "state_dict": {name: tensor.detach().cpu().clone() for name, tensor in state_dict.items()},
        "item_ids": torch.as_tensor(np.asarray(item_ids, dtype=np.int64)),
        "meta": meta,
    }
    target = Path(path)
    try:
        # Serialise in memory first: torch turns a failing file write into a RuntimeError with
        # no reason in it, and a plain write keeps ENOSPC an OSError that says what happened.
        buffer = io.BytesIO()
        torch.save(payload, buffer)
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, buffer.getbuffer())
    except OSError as exc:
        raise _write_error(target, exc) from None


def _write_atomically(target: Path, data: memoryview) -> None:
    """Temp file in the target's folder, fsync, rename over the target, fsync the folder.

    The temp name (`.NAME.XXXX.tmp`) is hidden and does not end in `.pt`, so a temp file left by
    a killed process is never taken for a checkpoint.
    """
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(data)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        # mkstemp makes 0600; shipped and shared checkpoints are read by all
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    try:  # make the rename itself survive a power cut; some file systems cannot sync a folder
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError:
        pass


def _write_error(target: Path, exc: OSError) -> CheckpointWriteError:
    reason = exc.strerror or str(exc).strip() or type(exc).__name__
    kept = "the old checkpoint is unchanged" if target.is_file() else "nothing was written"
    hint = "; free some disk space" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    error = CheckpointWriteError(f"{target}: cannot write the checkpoint ({reason}): {kept}{hint}")
    error.errno = exc.errno
    return error


def load_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a checkpoint; `item_ids` comes back as an int64 numpy array."""
    path = Path(path)
    if not path.is_file():
        raise ShopDemoError(f"{path}: checkpoint not found")
    try:
        with warnings.catch_warnings():  # torch warns about odd pickles: the error says enough
            warnings.simplefilter("ignore")
            payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a non-torch or tampered file
        raise ShopDemoError(
            f"{path}: not a readable checkpoint ({_unreadable(path, exc)})"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ShopDemoError(f"{path}: not a ShopDemo checkpoint (no format {FORMAT!r})")
    if payload.get("format_version") != FORMAT_VERSION:
        raise ShopDemoError(
            f"{path}: checkpoint format version {payload.get('format_version')!r} is not "
            f"supported (this ShopDemo reads version {FORMAT_VERSION})"
        )
    missing = [key for key in _KEYS if key not in payload]
    if missing:
        raise ShopDemoError(f"{path}: checkpoint lacks {', '.join(missing)}")
    if payload["model"] not in MODEL_KINDS:
        raise ShopDemoError(f"{path}: unknown model kind {payload['model']!r}")
    for key in ("config", "meta"):
        if not isinstance(payload[key], dict):
            raise ShopDemoError(
                f"{path}: checkpoint {key} must be a table, got {_kind(payload[key])}"
            )
    state_dict = payload["state_dict"]
    if not isinstance(state_dict, dict) or not all(
        isinstance(name, str) and isinstance(tensor, torch.Tensor)
        for name, tensor in state_dict.items()
    ):
        raise ShopDemoError(f"{path}: checkpoint state_dict must map names to tensors")
    payload = dict(payload)
    item_ids = payload["item_ids"]
    if not isinstance(item_ids, torch.Tensor) or item_ids.dim() != 1:
        raise ShopDemoError(f"{path}: item_ids must be a 1-d tensor of item ids")
    if (
        item_ids.dtype.is_floating_point
        or item_ids.dtype.is_complex
        or item_ids.dtype == torch.bool
    ):
        raise ShopDemoError(f"{path}: item_ids must be whole numbers, got {item_ids.dtype}")
    if len(item_ids) == 0:
        raise ShopDemoError(f"{path}: item_ids is empty: the model knows no items")
    payload["item_ids"] = item_ids.numpy().astype(np.int64)
    if len(np.unique(payload["item_ids"])) != len(payload["item_ids"]):
        raise ShopDemoError(f"{path}: item_ids repeat an item id")
    payload["path"] = str(path)
    return payload


def _unreadable(path: Path, exc: Exception) -> str:
    """Why torch.load failed, in a few words (its own messages run to paragraphs)."""
    text = str(exc).strip()
    if "Weights only load failed" in text:  # weights_only=True met a class, function or opcode
        found = re.search(r"GLOBAL ([\w.]+)", text)
        if found:
            return (
                f"it holds Python code or objects ({found.group(1)}), not only data; "
                "refused, nothing was run"
            )
        operand = re.search(r"Unsupported operand \d+", text)
        what = operand.group(0) if operand else "unsupported pickle content"
        return f"not a torch file of plain data ({what}); refused, nothing was run"
    if path.stat().st_size == 0:
        return "the file is empty"
    first = text.splitlines()[0] if text else type(exc).__name__
    first = first.split(". This is an internal miniz error")[0]
    return f"truncated, damaged or not a torch file: {first[:100]}"


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list | tuple) else type(value).__name__
