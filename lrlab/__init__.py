"""LR Lab's engine (being assembled: public names are added as their modules land)."""
__version__ = "0.1.0"
