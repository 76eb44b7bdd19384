"""The maintainers' tools' own logic: the kernel websocket protocol's frames, generated blocks
in markdown files (tools/kernelclient.py, tools/mdblock.py)."""

from __future__ import annotations

import json
import struct

import pytest

from tools.kernelclient import decode, images
from tools.mdblock import replace_block, write_block


def test_a_binary_kernel_frame_gives_its_message_and_buffers():
    """jupyter_server's binary frame: uint32 count, uint32 offsets, the JSON, then the buffers
    (an Image widget's picture arrives this way)."""
    msg = {"msg_type": "comm_msg", "content": {"data": {"buffer_paths": [["value"]]}}}
    body, buffers = json.dumps(msg).encode(), [b"\x89PNG", b"second"]
    parts = [body, *buffers]
    head = 4 + 4 * len(parts)
    offsets, at = [], head
    for p in parts:
        offsets.append(at)
        at += len(p)
    frame = struct.pack(f"!I{len(parts)}I", len(parts), *offsets) + b"".join(parts)
    assert decode(frame) == (msg, buffers)
    assert decode(json.dumps(msg)) == (msg, [])


def test_images_are_the_image_outputs():
    outs = [{"type": "stream", "text": "hi"},
            {"type": "display_data", "data": {"image/png": "…", "text/plain": "x"}}]
    assert images(outs) == ["image/png"]


def test_a_generated_block_is_replaced_in_place_or_appended(tmp_path):
    begin, end = "<!-- x:begin -->", "<!-- x:end -->"
    text = f"# Report\n\nbefore\n{begin}\nold\n{end}\nafter\n"
    new = replace_block(text, begin, end, f"{begin}\nnew\n{end}")
    assert new == f"# Report\n\nbefore\n{begin}\nnew\n{end}\nafter\n"
    assert replace_block("# Report\n\n", begin, end, "B") == "# Report\n\nB\n"
    with pytest.raises(ValueError, match="not found"):
        replace_block("# Report\n", begin, end, "B", append=False)
    md = tmp_path / "RESULTS.md"
    write_block(md, begin, end, f"{begin}\none\n{end}")
    write_block(md, begin, end, f"{begin}\ntwo\n{end}")
    assert md.read_text() == f"# Performance report\n\n{begin}\ntwo\n{end}\n"
