"""Text in, text out: offline translation engines and what surrounds them.

Knows nothing of HTML or files: engine (protocol and lookup), argos and nllb (CTranslate2 engines),
segment (sentences), cache (translation memory), quality (flags), glossary, models (installs),
records (translates the segments of many records at once).
"""
