"""One colour-blind-safe palette for every view: map, charts, report, session pages.

A state keeps one colour everywhere: its position in the scenario's state list
picks it, so the same world always draws the same way. The first eight are the
Okabe-Ito set (Okabe and Ito 2008, designed to stay distinct under the common
colour-vision deficiencies); the rest are darker and lighter variants of them for
worlds with more states, where line style or labels must carry the difference.
"""

from __future__ import annotations

from collections.abc import Sequence

OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow (light: use on dark lines or with an outline)
    "#000000",  # black
)
EXTRA = ("#004C7A", "#8F3F00", "#006B4E", "#9C6B00", "#8A5171", "#3A7A9E", "#A39B2D", "#666666")
STATE_COLOURS = OKABE_ITO + EXTRA

# Overlay roles, drawn as dashes and markers on top of state colours, never as fills:
# dark tones outside the state set, so a control arrow is never read as a state.
ROLE_COLOURS = {
    "control": "#A50026",
    "embargo": "#542788",
    "coalition": "#8C510A",
    "trade": "#8A8A8A",
    "neutral": "#A9A9A9",
}


def state_colour(index: int) -> str:
    """The colour of the state at `index` in the scenario's state list."""
    return STATE_COLOURS[index % len(STATE_COLOURS)]


def state_colours(names: Sequence[str]) -> dict[str, str]:
    """Name -> colour for the states in scenario order."""
    return {name: state_colour(k) for k, name in enumerate(names)}
