"""The on-disk truth and the people who edit it.

record (the Record type and its schema), log (append-only JSONL), index (SQLite crawl state,
rebuilt from the log), revise (human revisions), users, export and xliff, review (the web app).
"""
