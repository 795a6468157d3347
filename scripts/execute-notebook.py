"""Execute one notebook headlessly and save the executed copy, also when a cell fails.

    python3 scripts/execute-notebook.py IN.ipynb OUT.ipynb TIMEOUT_SECONDS STARTUP_SECONDS

This is what `jupyter nbconvert --to notebook --execute` runs (nbclient), driven directly for
one reason: a tslab cell that fails reports no error name or value, only text on its stderr
stream, so nbconvert's message is empty. Here the failing cell's index and outputs are at hand.
The kernel runs in the notebook's folder, as it does when a person opens the notebook.
STARTUP_SECONDS bounds the wait for a new kernel's first answer (nbclient's default is 60).

Exit 0: every cell ran. Exit 1: a cell failed, timed out or the kernel died; the last stdout
line is JSON {"cell": index or null, "source": "...", "error": "...", "kernel": "...",
"unanswered": bool}, where "kernel" is the end of what the kernel process itself wrote to its
stdout and stderr, and "unanswered" says that the kernel was running but never answered its
first request within STARTUP_SECONDS (a kernel that died or does not exist is not that).
"""

import json
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient


def output_text(cell):
    """The error text a cell produced: error outputs, else what it wrote to stderr."""
    errors, stderr = [], []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            text = "\n".join(out.get("traceback") or []) or f"{out.get('ename')}: {out.get('evalue')}"
            errors.append(text)
        elif out.get("output_type") == "stream" and out.get("name") == "stderr":
            stderr.append(out.get("text", ""))
    return "\n".join(errors) if errors else "".join(stderr)


def main():
    src, dst, timeout, startup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    nb = nbformat.read(src, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "tslab")
    current = {}

    def on_cell_start(cell, cell_index):
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        timeout=timeout,
        startup_timeout=startup,
        kernel_name=kernel,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
        on_cell_start=on_cell_start,
    )
    # The kernel's own output goes to a file of its own: when it never answers, that is the
    # only trace of why, and nbclient's clean-up tracebacks on stderr would bury it.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as kernel_log:
        try:
            client.execute(stdout=kernel_log, stderr=kernel_log)
        except Exception as e:  # a failing cell, a timeout or a kernel that died: same report
            index = current.get("index")
            cell = nb.cells[index] if index is not None else {}
            nbformat.write(nb, dst)
            kernel_log.seek(0)
            print(
                json.dumps(
                    {
                        "cell": index,
                        "source": cell.get("source", ""),
                        "error": output_text(cell).strip() or f"{type(e).__name__}: {e}".strip(),
                        "kernel": kernel_log.read()[-3000:],
                        # jupyter_client's words for a start-up wait that ran out.
                        "unanswered": index is None and "didn't respond" in str(e),
                    }
                )
            )
            return 1
    nbformat.write(nb, dst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
