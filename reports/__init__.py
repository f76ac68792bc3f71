"""Report engine: stored answers -> statistics tables -> workbook bytes.

Pure Python with no Flask import, so reports can be built by the CLI, by worker processes
and by the web layer alike.
"""
