"""Ray Data's writer of translated records: one JSONL shard per block, named in order.

Imported only where Ray is installed (the ``ray`` extra).
"""

from __future__ import annotations

from ray.data.datasource import BlockBasedFileDatasink, FilenameProvider


class PartNames(FilenameProvider):
    """``part-00000.jsonl``, ``part-00001.jsonl``, ...: name order is record order."""

    def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:
        return f"part-{task_index:05d}.jsonl"


class JsonlShardSink(BlockBasedFileDatasink):
    """Writes the ``line`` column of each block, one record per line, exactly as serialised."""

    def __init__(self, path: str, filesystem) -> None:
        super().__init__(path, filesystem=filesystem, filename_provider=PartNames())
        self.rows = 0

    def write_block_to_file(self, block, file) -> None:
        lines = block.to_arrow().column("line").to_pylist()
        file.write("".join(line + "\n" for line in lines).encode("utf-8"))

    def on_write_complete(self, write_result) -> None:
        super().on_write_complete(write_result)
        self.rows = write_result.num_rows
