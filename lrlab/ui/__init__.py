"""LR Lab's Streamlit user interface: the pages (explorer, NN lab, Learn) and their parts.

The math lives in the engine (``lrlab``) and the figures in ``lrlab.figures``; modules here only turn
widgets into a frozen config (:mod:`lrlab.ui.config`), call the pipeline and draw.
"""
