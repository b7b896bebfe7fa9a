"""Second pass over extracted paragraphs: drop the boilerplate trafilatura lets through.

Rules are data (``boilerplate.toml``), matched against whole paragraphs only, so a real article
sentence that contains a word like "share" is never removed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RULES_PATH = Path(__file__).with_name("boilerplate.toml")


@dataclass(frozen=True)
class BoilerplateRules:
    max_chars: int
    patterns: dict[str, tuple[re.Pattern[str], ...]]

    def is_boilerplate(self, paragraph: str, lang: str | None = None) -> bool:
        """True when the whole paragraph matches a rule of ``lang`` or a language-independent one."""
        text = paragraph.strip()
        if not text:
            return True
        if len(text) > self.max_chars:
            return False
        groups = (
            self.patterns.get("any", ()),
            *(self.patterns.get(k, ()) for k in ([lang] if lang else self.patterns) if k != "any"),
        )
        return any(p.fullmatch(text) for group in groups for p in group)


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> BoilerplateRules:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    patterns = {
        lang: tuple(re.compile(p, re.IGNORECASE) for p in items) for lang, items in data["patterns"].items()
    }
    return BoilerplateRules(max_chars=int(data["max_boilerplate_chars"]), patterns=patterns)


def strip_boilerplate(paragraphs: list[str], rules: BoilerplateRules | None = None) -> list[str]:
    """Paragraphs that are not boilerplate in any of the known languages, order kept."""
    rules = rules or load_rules()
    return [p for p in paragraphs if not rules.is_boilerplate(p)]
