"""Horizontal stacked bar charts as inline SVG: WeasyPrint draws them, no plotting library needed."""
from markupsafe import Markup, escape

from app.money import format_eur

# One colour per kind of money, the same in every document (and readable in greyscale print).
COLOURS = {
    "online": "#1f6feb", "offline": "#6cb6ff", "roundup": "#2da44e", "partner": "#bf8700",
    "others": "#8c959f", "company": "#8250df",
}
LABELS = {
    "online": "Citoyens en ligne", "offline": "Dons hors ligne", "roundup": "Arrondi",
    "partner": "Partenaire", "others": "Autres partenaires et mécènes", "company": "Mécénat d'entreprises",
}

WIDTH = 900
LABEL_WIDTH = 240
AMOUNT_WIDTH = 110
BAR_HEIGHT = 18
ROW_GAP = 10


def bar_chart(rows, title, legend=None) -> Markup:
    """`rows`: [(label, [(kind, cents), ...])]; each row is one bar, its segments stacked in order.

    Bars share one scale (the largest row), so that campaigns can be compared at a glance; the
    row's total is written at the end of its bar.
    """
    largest = max((sum(cents for _, cents in segments) for _, segments in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - AMOUNT_WIDTH
    height = len(rows) * (BAR_HEIGHT + ROW_GAP) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for index, (label, segments) in enumerate(rows):
        y = 4 + index * (BAR_HEIGHT + ROW_GAP)
        text_y = y + BAR_HEIGHT - 4
        parts.append(f'<text x="0" y="{text_y}" font-size="11">{escape(_shorten(label))}</text>')
        x = LABEL_WIDTH
        for kind, cents in segments:
            if cents <= 0:
                continue
            # Whole-cent arithmetic; the width is only a drawing, rounded to a tenth of a point.
            width = round(cents * span * 10 / largest) / 10
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                         f'fill="{COLOURS[kind]}"/>')
            x += width
        total = sum(cents for _, cents in segments)
        parts.append(f'<text x="{x + 4:.1f}" y="{text_y}" font-size="11">{escape(format_eur(total))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def legend_items(kinds, partner_name=None):
    """(colour, label) for the kinds a chart uses; the partner's own colour carries its name."""
    return [(COLOURS[kind], partner_name if kind == "partner" and partner_name else LABELS[kind]) for kind in kinds]


def _shorten(label, limit=38):
    return label if len(label) <= limit else label[:limit - 1] + "…"
