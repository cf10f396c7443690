"""The leg map's drawing: both legs from the front and from the back, cut into the leg regions
of rule 8 (D4). One leg's outline is measured by hand below; every region is a band of it,
drawn for each leg and view by a transform, so the two sides always match."""

from dataclasses import dataclass

# One leg in a box 184 wide (both legs side by side), lateral edge on the viewer's left:
# (y, x) points down each edge, joined by a smooth curve. The groin runs from the hip (y 0)
# down to the crotch (y 20), where the two legs meet at x 92.
LATERAL = ((0, 6), (40, 2), (95, 8), (150, 16), (175, 18), (200, 15), (235, 9), (300, 23),
           (335, 24))
MEDIAL = ((20, 92), (80, 84), (150, 72), (175, 70), (200, 70), (232, 75), (300, 60), (335, 60))
# Below the ankle: the foot seen from the front, the heel from the back; above the legs, the
# hips joining them.
FOOT = "M24,335 C20,350 14,364 26,372 C38,380 64,378 70,368 C76,358 64,348 60,335 Z"
HEEL = "M24,335 C22,352 28,366 42,368 C56,368 62,354 60,335 Z"
HIPS = "M6,0 C4,-12 8,-24 14,-30 L170,-30 C176,-24 180,-12 178,0 L92,20 Z"
KNEECAP = "M32,172 a12,14 0 1,0 24,0 a12,14 0 1,0 -24,0"
# The bands of the leg each view shows, top to bottom, by the region's name without its side.
FRONT_BANDS = (("thigh (front)", 0, 150), ("knee", 150, 198), ("shin", 198, 298),
               ("ankle", 298, 335))
BACK_BANDS = (("thigh (back)", 0, 172), ("calf", 172, 335))
LEG_WIDTH, LABEL_GAP, TOP = 184, 10, 70
LABELS = 112  # the width beside each view for its regions' names, counts and volumes
VIEWBOX = (0, 0, 4 * LABELS + 2 * LEG_WIDTH + 24, 490)
STEP = 5  # the edge's curve is drawn as a line through a point every STEP units


@dataclass(frozen=True)
class Region:
    """One leg region as drawn: its site, outline, the leg's transform and where its count
    and volume are written (beside the leg, on its outer side)."""

    site: str
    path: str
    transform: str
    label_x: int
    label_y: int
    anchor: str

    @property
    def name(self) -> str:
        """The region without its side, as written beside it: "Thigh", "Calf"."""
        part = self.site.split(" ", 1)[1]
        return part.split(" (")[0].capitalize()


@dataclass(frozen=True)
class Leg:
    side: str  # "right" or "left": the patient's own
    transform: str
    outline: str  # the foot or heel below the regions
    centre_x: int

    @property
    def title(self) -> str:
        return f"{self.side.capitalize()} leg"


@dataclass(frozen=True)
class View:
    title: str
    centre_x: int
    hips_transform: str
    legs: tuple[Leg, Leg]
    regions: tuple[Region, ...]
    kneecaps: bool


def x_at(edge: tuple, y: float) -> float:
    """The edge's x at `y`: a cubic Hermite curve through its points, with slopes from their
    neighbours, so the outline bends smoothly through every measured point."""
    ys, xs = [p[0] for p in edge], [p[1] for p in edge]
    i = max(j for j in range(len(ys) - 1) if ys[j] <= y) if y < ys[-1] else len(ys) - 2
    h = ys[i + 1] - ys[i]
    t = (y - ys[i]) / h

    def slope(k: int) -> float:
        lo, hi = max(k - 1, 0), min(k + 1, len(ys) - 1)
        return (xs[hi] - xs[lo]) / (ys[hi] - ys[lo])

    return ((2 * t**3 - 3 * t**2 + 1) * xs[i] + (t**3 - 2 * t**2 + t) * h * slope(i)
            + (-2 * t**3 + 3 * t**2) * xs[i + 1] + (t**3 - t**2) * h * slope(i + 1))


def _ys(start: float, end: float) -> list[float]:
    steps = max(int((end - start) // STEP), 1)
    return [start + (end - start) * n / steps for n in range(steps + 1)]


def band_path(top: float, bottom: float) -> str:
    """The outline of the leg between `top` and `bottom`: down the lateral edge, across, and
    back up the medial edge (which starts lower, at the crotch)."""
    down = [(x_at(LATERAL, y), y) for y in _ys(max(top, LATERAL[0][0]), bottom)]
    up = [(x_at(MEDIAL, y), y) for y in reversed(_ys(max(top, MEDIAL[0][0]), bottom))]
    points = " L".join(f"{x:.1f},{y:.1f}" for x, y in down + up)
    return f"M{points} Z"


def _leg(side: str, left_x: int, mirrored: bool, outline: str) -> Leg:
    transform = (f"translate({left_x + LEG_WIDTH},{TOP}) scale(-1,1)" if mirrored
                 else f"translate({left_x},{TOP})")
    centre = left_x + LEG_WIDTH * 3 // 4 if mirrored else left_x + LEG_WIDTH // 4
    return Leg(side, transform, outline, centre)


def _regions(leg: Leg, bands: tuple, left_x: int, on_viewers_left: bool) -> list[Region]:
    label_x = left_x - LABEL_GAP if on_viewers_left else left_x + LEG_WIDTH + LABEL_GAP
    return [Region(f"{leg.side} {part}", band_path(top, bottom), leg.transform, label_x,
                   TOP + (top + bottom) // 2, "end" if on_viewers_left else "start")
            for part, top, bottom in bands]


def _view(title: str, left_x: int, sides: tuple[str, str], bands: tuple, outline: str) -> View:
    """A view of both legs: `sides` names the leg on the viewer's left first."""
    legs = (_leg(sides[0], left_x, False, outline), _leg(sides[1], left_x, True, outline))
    regions = (*_regions(legs[0], bands, left_x, True), *_regions(legs[1], bands, left_x, False))
    return View(title, left_x + LEG_WIDTH // 2, f"translate({left_x},{TOP})", legs, regions,
                kneecaps=bands is FRONT_BANDS)


# Facing the patient, their right leg is on the viewer's left; from behind, their left is.
FRONT = _view("Front", LABELS, ("right", "left"), FRONT_BANDS, FOOT)
BACK = _view("Back", 3 * LABELS + LEG_WIDTH + 24, ("left", "right"), BACK_BANDS, HEEL)
VIEWS = (FRONT, BACK)
DRAWN_SITES = tuple(region.site for view in VIEWS for region in view.regions)
