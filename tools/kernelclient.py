"""A kernel of a Jupyter server, driven over its websocket as JupyterLab drives it.

One client for everything that runs cells in a server's kernel: the ``make lab`` test
(``tests/learner_lab.py``), the class hub's test and load test (``tools/hubclient.py``).
:meth:`KernelClient.execute` runs a cell and collects what it shows; the widget comms a cell
opens are tracked, so that :meth:`KernelClient.move_slider` can set a slider as the browser's
widget manager does and time the explorer's redraw as the client sees it.

:func:`module_cell` is the cell that runs a module of this repository in a lesson's kernel
(the site build's ``tools/site_kernel.py``, the benchmark's ``benchmarks/probes.py``).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import struct
import time
import uuid
from pathlib import Path
from types import ModuleType

SLIDERS = {"FloatSliderModel", "IntSliderModel"}
SHOWN = ("display_data", "execute_result", "stream", "error")  # what a cell shows, in order


def module_cell(module: ModuleType, call: str) -> str:
    """A code cell that loads ``module``'s file in a kernel as ``_<its last name>`` (a lesson's
    kernel does not have the repository on its path, so the file is loaded by its path) and
    then runs ``call``, e.g. ``module_cell(site_kernel, "_site_kernel.setup()")``. The module
    must import only what the kernel has (the standard library, workshop_utils)."""
    name = "_" + module.__name__.rsplit(".", 1)[-1]
    path = str(Path(module.__file__).resolve())
    return ("import importlib.util as _spec_util\n"
            f"_spec = _spec_util.spec_from_file_location({name!r}, {path!r})\n"
            f"{name} = _spec_util.module_from_spec(_spec)\n"
            f"_spec.loader.exec_module({name})\n"
            f"{call}\n")


def decode(frame) -> tuple[dict, list[bytes]]:
    """A kernel websocket message (jupyter_server's default protocol): JSON text, or binary
    with buffers (uint32 count, uint32 offsets, the JSON, then the buffers)."""
    if isinstance(frame, str):
        return json.loads(frame), []
    n = struct.unpack("!I", frame[:4])[0]
    offsets = list(struct.unpack(f"!{n}I", frame[4:4 + 4 * n])) + [len(frame)]
    msg = json.loads(frame[offsets[0]:offsets[1]].decode())
    return msg, [frame[offsets[i]:offsets[i + 1]] for i in range(1, n)]


def images(outputs: list[dict]) -> list[str]:
    """The image MIME types among a cell's outputs (:meth:`KernelClient.execute`'s ``outputs``)."""
    return [m for o in outputs for m in (o.get("data") or {}) if m.startswith("image/")]


class KernelClient:
    """The kernel ``kernel_id`` of the server at ``server_url`` (http…, with its base path),
    reached with ``token``: run cells, move sliders."""

    def __init__(self, server_url: str, token: str, kernel_id: str, timeout: float = 600):
        import websocket  # websocket-client, a dependency of jupyter_server

        self.session = uuid.uuid4().hex
        url = server_url.replace("http", "ws", 1) + \
            f"/api/kernels/{kernel_id}/channels?session_id={self.session}"
        self.ws = websocket.create_connection(url, timeout=timeout,
                                              header=[f"Authorization: token {token}"])
        self.comms: dict[str, dict] = {}  # comm_id -> {"model", "state", "cell"}
        self.cell = 0

    def close(self):
        with contextlib.suppress(Exception):
            self.ws.close()

    def _send(self, msg_type: str, content: dict, channel: str = "shell") -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "learner", "session": self.session,
                       "msg_type": msg_type, "version": "5.3",
                       "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": channel, "buffers": [], "content": content}))
        return msg_id

    def _recv(self) -> dict:
        msg, _ = decode(self.ws.recv())
        if msg["msg_type"] == "comm_open" and msg["content"].get("target_name") == "jupyter.widget":
            data = msg["content"]["data"]
            self.comms[msg["content"]["comm_id"]] = {"model": data["state"].get("_model_name"),
                                                     "state": data["state"], "cell": self.cell}
        return msg

    def _replies(self, msg_id: str, deadline: float, what: str):
        """The messages answering ``msg_id``, until the time is up (TimeoutError: ``what``)."""
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(what)
            msg = self._recv()
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                yield msg

    def execute(self, code: str, timeout: float = 600) -> dict:
        """Run ``code`` as a notebook cell; once the kernel is idle again returns ``status``,
        ``seconds``, ``outputs`` (each iopub output's content with its ``type``), ``error``
        ("name: value" or None) and ``stdout`` (the text the cell printed)."""
        self.cell += 1
        t0 = time.monotonic()
        msg_id = self._send("execute_request", {"code": code, "silent": False, "store_history": True,
                                                "user_expressions": {}, "allow_stdin": False,
                                                "stop_on_error": True})
        status, idle, outputs = None, False, []
        for msg in self._replies(msg_id, t0 + timeout, f"no reply in {timeout} s to:\n{code[:300]}"):
            t = msg["msg_type"]
            if t == "execute_reply":
                status = msg["content"]["status"]
            elif t == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
            elif t in SHOWN:
                outputs.append(dict(msg["content"], type=t))
            if idle and status:
                break
        errors = [o for o in outputs if o["type"] == "error"]
        return {"status": status, "seconds": time.monotonic() - t0, "outputs": outputs,
                "error": f"{errors[-1]['ename']}: {errors[-1]['evalue']}" if errors else None,
                "stdout": "".join(o["text"] for o in outputs
                                  if o["type"] == "stream" and o.get("name") == "stdout")}

    def run_notebook(self, nb: dict, timeout: float = 900) -> float:
        """Run every code cell in order (JupyterLab's Run All); returns the seconds taken."""
        t0 = time.monotonic()
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            out = self.execute(src, timeout=timeout)
            if out["status"] != "ok":
                raise RuntimeError(f"cell {i} failed: {out['error']}")
        return time.monotonic() - t0

    def sliders(self) -> list[tuple[str, dict, list[str]]]:
        """(slider comm id, its state, the Image comm ids opened by the same cell) for every
        slider of an explorer (a cell that opened both sliders and an image)."""
        out = []
        for cid, c in self.comms.items():
            if c["model"] in SLIDERS:
                pictures = [i for i, d in self.comms.items()
                            if d["model"] == "ImageModel" and d["cell"] == c["cell"]]
                if pictures:
                    out.append((cid, c["state"], pictures))
        return out

    def move_slider(self, comm_id: str, value, images: list[str], timeout: float = 120) -> float:
        """Set the slider's value as the browser's widget manager does; returns the seconds until
        one of the explorer's images was redrawn (its model updated), as the client sees it."""
        t0 = time.monotonic()
        msg_id = self._send("comm_msg", {"comm_id": comm_id,
                                         "data": {"method": "update", "state": {"value": value},
                                                  "buffer_paths": []}})
        redrawn = None
        for msg in self._replies(msg_id, t0 + timeout, f"no redraw in {timeout} s after moving a slider"):
            t = msg["msg_type"]
            data = msg["content"].get("data", {})
            if t == "comm_msg" and redrawn is None and msg["content"]["comm_id"] in images \
                    and data.get("method") in ("update", "echo_update") \
                    and ("value" in data.get("state", {}) or ["value"] in data.get("buffer_paths", [])):
                redrawn = time.monotonic() - t0
            elif t == "status" and msg["content"]["execution_state"] == "idle":
                if redrawn is None:
                    raise RuntimeError("the slider moved but the explorer's picture was not redrawn")
                return redrawn
