"""LR Lab's Streamlit user interface: one folder per page, the shared pieces beside them.

* ``explorer/``: the surface explorer (config and its schema, pipeline, presets, page);
* ``nn/``: the neural-network lab (the same four parts);
* ``learn/``: the Learn page;
* ``pages.py``: the pages registered in one place (app.py navigates over them);
* ``codec.py`` (URL <-> frozen config <-> widgets, pure) and ``session.py`` (its Streamlit side):
  the one state codec every page uses; ``widgets.py``: parameter widgets built from the engine's
  declarations; ``labels.py``, ``style.py``; ``player.py`` and ``components/``: the descent player.

The math lives in the engine (``lrlab``) and the figures in ``lrlab.figures``: modules here turn
widgets into a frozen config, call the engine and draw.
"""
