"""Writes a synthetic JSONL corpus for trying the Spark job: articles in several scripts with
publisher chrome mixed in (ad markers, comment-forum tails, share lines, support appeals), plus a
few records a pipeline must carry through untouched (no text, a null text, an empty text).

    python make_corpus.py 5000 corpus.jsonl
"""

from __future__ import annotations

import json
import random
import sys

SENTENCES = [
    "The council voted on Tuesday to rebuild the harbour wall before winter.",
    "Work starts in March and should end before the autumn tides.",
    "Residents said the consultation had been short but fair.",
    "Le conseil municipal a voté mardi la reconstruction de la digue.",
    "Der Stadtrat stimmte am Dienstag für den Wiederaufbau der Hafenmauer.",
    "市議会は火曜日、冬までに防波堤を再建することを決めた。",
    "Городской совет проголосовал за восстановление дамбы.",
    "Prices rose by 3.2% — the fastest pace since 2023 🎉.",
    "“We will not wait,” the mayor said.",
]

CHROME_LINES = ["Advertisement", "Pass this story on", "Story continues below advertisement"]

TAIL = "Join our commenting forum\nComments\n"

APPEAL = (
    "Your support helps us to tell the story\n"
    "Read more about how we report the news.\n"
    "Your support makes all the difference.\n"
)


def article(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randrange(2, 9)):
        paragraphs.append(" ".join(rng.choice(SENTENCES) for _ in range(rng.randrange(1, 5))))
        if rng.random() < 0.2:
            paragraphs.append(rng.choice(CHROME_LINES))
    text = "\n".join(paragraphs) + "\n"
    if rng.random() < 0.15:
        text = APPEAL + text
    if rng.random() < 0.3:
        text += TAIL
    return text


def records(n: int, seed: int = 8) -> list[dict]:
    """`n` records, the same for the same seed."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        record: dict = {"id": i, "url": f"https://news.example/{i}"}
        roll = rng.random()
        if roll < 0.01:
            pass  # no text field
        elif roll < 0.02:
            record["text"] = None
        elif roll < 0.03:
            record["text"] = ""
        elif roll < 0.04:
            record["text"] = TAIL  # all chrome: refused by the removal guard
        else:
            record["text"] = article(rng)
        record["lang"] = "mixed"
        out.append(record)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[2], "w", encoding="utf-8") as f:
        for record in records(int(argv[1])):
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
