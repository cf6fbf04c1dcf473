"""An English corpus that ships with CPython: the interactive help topics."""
from __future__ import annotations


def load_pydoc_corpus() -> str:
    """About 0.5 MB of Python documentation prose, topics in sorted order."""
    from pydoc_data.topics import topics

    return "\n\n".join(topics[k].strip() for k in sorted(topics))
