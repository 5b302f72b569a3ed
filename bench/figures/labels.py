"""Point labels that neither overlap one another nor cover a point nor leave the axes: each label takes
the first of a few offsets around its point whose box, measured by the renderer, collides with nothing
placed so far (else the offset that collides least)."""
from __future__ import annotations

# offsets in points, with the alignment that keeps the text on the far side of the point
_OFFSETS = [((7, 4), "left", "bottom"), ((7, -4), "left", "top"), ((-7, 4), "right", "bottom"),
            ((-7, -4), "right", "top"), ((7, 16), "left", "bottom"), ((7, -16), "left", "top"),
            ((-7, 16), "right", "bottom"), ((-7, -16), "right", "top"), ((0, 12), "center", "bottom"),
            ((0, -12), "center", "top")]


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0) * max(h, 0)


def place_labels(ax, points: list[tuple[float, float]], texts: list[str],
                 avoid: list[tuple[float, float]] = (), **text_kw) -> list:
    """Annotate ``points`` (data coordinates) with ``texts``, covering neither them nor the markers at
    ``avoid``, nor the legend; returns the annotations. Call after the axes limits and legend are set:
    the boxes are measured in display space."""
    from matplotlib.transforms import Bbox
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    # every point keeps a small square free, so that no label covers a marker
    taken = []
    legend = ax.get_legend()
    if legend is not None:
        taken.append(legend.get_window_extent(renderer))
    for x, y in [*points, *avoid]:
        px, py = ax.transData.transform((x, y))
        taken.append(Bbox.from_extents(px - 5, py - 5, px + 5, py + 5))
    placed = []
    for (x, y), text in zip(points, texts, strict=True):
        best = None
        for offset, ha, va in _OFFSETS:
            ann = ax.annotate(text, (x, y), textcoords="offset points", xytext=offset, ha=ha, va=va, **text_kw)
            box = ann.get_window_extent(renderer)
            outside = box.width * box.height - _overlap(box, inside)
            cost = sum(_overlap(box, t) for t in taken) + 10 * outside
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, ann, box)
            else:
                ann.remove()
            if cost == 0:
                break
        assert best is not None
        taken.append(best[2])
        placed.append(best[1])
    return placed


def labels_collide(ax, annotations: list) -> bool:
    """Whether any two of ``annotations`` overlap or one leaves the axes (for tests and checks)."""
    renderer = ax.figure.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    boxes = [a.get_window_extent(renderer) for a in annotations]
    clipped = any(_overlap(b, inside) < b.width * b.height - 1e-6 for b in boxes)
    return clipped or any(_overlap(a, b) > 0 for i, a in enumerate(boxes) for b in boxes[i + 1:])
