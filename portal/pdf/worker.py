"""Rendering in a child process under a time and memory limit, so that a hostile or huge
document ends with a clear error instead of a hung or swollen worker."""

from __future__ import annotations

import json
import multiprocessing
import resource
import traceback
from dataclasses import dataclass
from pathlib import Path

# A 10,000-event accounting (about 1,100 pages) took 87-100 s and peaked at 1.3 GB in WeasyPrint
# here (bench/pdf.py): the limits leave room for that, and stop anything far beyond it.
TIME_LIMIT = 300  # seconds
MEMORY_LIMIT = 2560 * 1024 * 1024  # bytes of address space for the child


@dataclass(frozen=True)
class Outcome:
    ok: bool
    pages: int = 0
    error: str = ""  # a short code: too_slow | too_big | failed


def _child(html_path: str, pdf_path: str, archival: bool, data_path: str | None, key_paths: tuple[str, str],
           memory_limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    from portal.pdf.render import render_pdf
    from portal.pdf.signing import SigningKey, sign

    try:
        data = json.loads(Path(data_path).read_text()) if data_path else None
        rendered = render_pdf(Path(html_path).read_text(), archival, data)
        signed = sign(rendered.pdf, SigningKey(Path(key_paths[0]), Path(key_paths[1])))
        Path(pdf_path).write_bytes(signed)
        Path(pdf_path + ".json").write_text(json.dumps({"pages": rendered.pages}))
    except MemoryError:
        raise SystemExit(3) from None
    except Exception:  # noqa: BLE001 (reported to the parent by the exit code)
        traceback.print_exc()
        raise SystemExit(2) from None


def render_limited(html_path: Path, pdf_path: Path, archival: bool, data_path: Path | None,
                   key_paths: tuple[Path, Path], time_limit: float = TIME_LIMIT,
                   memory_limit: int = MEMORY_LIMIT) -> Outcome:
    # fork: the child starts at once with WeasyPrint already imported by the parent, if it was.
    context = multiprocessing.get_context("fork")
    process = context.Process(target=_child, args=(str(html_path), str(pdf_path), archival,
                                                   str(data_path) if data_path else None,
                                                   (str(key_paths[0]), str(key_paths[1])), memory_limit))
    process.start()
    process.join(time_limit)
    if process.is_alive():
        process.kill()
        process.join()
        return Outcome(False, error="too_slow")
    if process.exitcode != 0:
        return Outcome(False, error="too_big" if process.exitcode == 3 else "failed")
    pages = json.loads(Path(str(pdf_path) + ".json").read_text())["pages"]
    Path(str(pdf_path) + ".json").unlink()
    return Outcome(True, pages=pages)
