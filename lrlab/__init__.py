"""LR Lab's engine: surfaces, optimizers, schedules, a batched descent runner and its theory.

Pure NumPy; no Streamlit in here (the UI lives in :mod:`lrlab.ui`, the figures in :mod:`lrlab.figures`).

>>> import lrlab
>>> from lrlab import surfaces, optimizers, schedules
>>> surf = surfaces.make("quadratic", a=4.0, b=1.0)
>>> traj = lrlab.descend(surf, optimizers.make("sgd"), 0.6, start=(1.0, 1.0), steps=50)
>>> traj.regime, traj.diverged_at
('diverged', 18)
"""

from lrlab import optimizers, regimes, schedules, surfaces, theory
from lrlab.descent import Trajectory, descend

__all__ = ["Trajectory", "descend", "optimizers", "regimes", "schedules", "surfaces", "theory"]
__version__ = "0.1.0"
