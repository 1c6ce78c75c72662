"""Figure builders for LR Lab: pure functions from engine results to Plotly figures as plain dicts.

No Streamlit here; everything is testable without a browser. See :mod:`lrlab.figures.surface`.
"""

# Okabe & Ito (2008), a palette that colour-blind viewers can tell apart; yellow is left out because it
# vanishes on a white projector screen. Runs take these colours in order.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid")
# (no star: the minima are stars on the map, and a run's head must never be taken for one)
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "pentagon", "hexagon", "triangle-down")


def colour(k: int) -> str:
    """The colour of run ``k``."""
    return OKABE_ITO[k % len(OKABE_ITO)]
