"""Charts as SVG text, drawn on the server (no JavaScript): horizontal bars and a share bar.

Pure: counts in, markup out; every label is XML-escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

# Categories (services, channels, statuses) are one neutral colour: a colour that means
# something (green on time, red late) is kept for what it means (``share_bar``).
NEUTRAL = "#0b4f8a"
ROW = 22
LABEL_WIDTH = 230
BAR_WIDTH = 300


def bar_chart(
    title: str, counts: Mapping[str, int], labels: Mapping[str, str] | None = None
) -> str:
    """Horizontal bars, one per key, longest first as given; values printed at the bar's end."""
    labels = labels or {}
    items = list(counts.items())
    top = max((n for _, n in items), default=0) or 1
    height = 30 + ROW * max(len(items), 1)
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    if not items:
        parts.append('<text x="0" y="40" fill="#666">Tidak ada data / no data</text>')
    for i, (key, n) in enumerate(items):
        y = 28 + i * ROW
        w = round(BAR_WIDTH * n / top, 1)
        label = escape(_short(labels.get(key, key)))
        color = NEUTRAL
        parts += [
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end">{label}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{w}" height="{ROW - 6}" fill="{color}">'
            f"<title>{label}: {n}</title></rect>",
            f'<text x="{LABEL_WIDTH + w + 4}" y="{y + 14}">{n}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def share_bar(
    title: str,
    parts_: Mapping[str, int],
    labels: Mapping[str, str],
    colors: Mapping[str, str],
    counted: Sequence[str],
    note: str = "",
) -> str:
    """One 100 % bar of the ``counted`` parts, with a legend in words for every part.

    Each part has its own colour (``colors``) *and* its name and count in the legend, so the
    colour is never the only signal. Shares are of the ``counted`` parts only; the others are
    listed with their count and ``note`` (e.g. not yet due: not judged).
    """
    total = sum(parts_.get(k, 0) for k in counted)
    width = LABEL_WIDTH + BAR_WIDTH + 60
    height = 60 + ROW * len(parts_)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    x = 0.0
    for key in counted:
        n = parts_.get(key, 0)
        w = (width - 10) * n / total if total else 0
        if w:
            label = escape(labels.get(key, key))
            out.append(
                f'<rect x="{x:.1f}" y="24" width="{w:.1f}" height="18" fill="{colors[key]}">'
                f"<title>{label}: {n}</title></rect>"
            )
        x += w
    if not total:
        out.append(f'<rect x="0" y="24" width="{width - 10}" height="18" fill="#e0e0e0"/>')
    for i, (key, n) in enumerate(parts_.items()):
        share = (percent(n / total) if total else "-") if key in counted else note
        y = 60 + i * ROW
        label = escape(labels.get(key, key))
        out += [
            f'<rect x="0" y="{y - 11}" width="12" height="12" fill="{colors[key]}"/>',
            f'<text x="18" y="{y}">{label}: {n} ({escape(share)})</text>',
        ]
    out.append("</svg>")
    return "".join(out)


def percent(rate: float | None) -> str:
    """A share as people write it here: ``66,7 %`` (one decimal, a decimal comma); ``-``."""
    return "-" if rate is None else f"{100 * rate:.1f} %".replace(".", ",")


def _short(text: str, limit: int = 36) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
