"""Display names of the engine's objects, shared by every page (the engine keys them by short names)."""

from __future__ import annotations

OPT_LABELS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}
SCHEDULE_LABELS = {
    "constant": "Constant",
    "step": "Step decay",
    "multistep": "Multi-step decay",
    "exponential": "Exponential decay",
    "polynomial": "Polynomial decay",
    "cosine": "Cosine annealing",
    "cosine_restarts": "Cosine with restarts",
    "cyclic": "Cyclic",
    "onecycle": "One-cycle",
    "warmup": "Linear warm-up",
    "inverse_time": "Inverse-time decay",
    "plateau": "Reduce on plateau",
}
SURFACE_LABELS = {
    "quadratic": "Quadratic bowl",
    "ravine": "Ravine (ill-conditioned)",
    "booth": "Booth",
    "matyas": "Matyas",
    "rosenbrock": "Rosenbrock (banana)",
    "beale": "Beale",
    "saddle": "Saddle point",
    "plateau": "Plateau with a well",
    "two_minima": "Two minima (local + global)",
    "himmelblau": "Himmelblau (4 minima)",
    "six_hump_camel": "Six-hump camel",
    "rastrigin": "Rastrigin (ripples)",
    "custom": "Custom formula…",
}


def opt_label(name: str) -> str:
    return OPT_LABELS.get(name, name)


def lr_label(lr: float) -> str:
    return f"lr = {lr:.4g}"
