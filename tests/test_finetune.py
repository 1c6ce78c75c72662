"""Fine-tuning: with the seeded preset a large lr forgets the original task and a small one keeps it."""

import numpy as np
import pytest

from lrlab import datasets, finetune
from lrlab.mlp import MLP


@pytest.fixture(scope="module")
def preset():
    return finetune.run(seed=0)


def test_preset_pretrains_then_forgets_only_under_the_large_lr(preset):
    small, large = 0, 1
    np.testing.assert_array_equal(preset.lrs, [0.01, 1.0])
    assert preset.pretrain.val_acc[-1] >= 0.98  # the original task is solved before fine-tuning
    # both copies start from the pretrained weights: same original accuracy at step 0
    start = MLP().accuracy(preset.pretrain.final_params, preset.original.X_val, preset.original.y_val)
    np.testing.assert_allclose(preset.original_acc[:, 0], float(start))
    # small lr: the original task holds all along; large lr: it drops by a quarter or more
    assert preset.original_acc[small].min() >= 0.95
    assert preset.original_acc[large, -1] <= preset.original_acc[large, 0] - 0.25
    # ... while the large lr learns the new task better
    assert preset.new_acc[large, -1] >= 0.95 > preset.new_acc[small, -1]
    # the distance travelled from the pretrained weights is what the lr controls
    moved = np.linalg.norm(preset.finetune.final_params - preset.pretrain.final_params, axis=1)
    assert moved[large] > 5 * moved[small]


def test_recorded_shapes_and_consistency(preset):
    assert preset.steps.tolist() == list(range(101))
    assert preset.original_acc.shape == preset.original_loss.shape == (2, 101)
    assert preset.new_acc.shape == (2, 101)
    # the original-task scores are those of the fine-tuned weights
    w = preset.finetune.snapshots[1, 50]
    assert preset.original_loss[1, 50] == pytest.approx(
        float(MLP().loss_value(w, preset.original.X_val, preset.original.y_val)), rel=1e-12
    )
    np.testing.assert_allclose(preset.shifted.X_train, preset.original.X_train + [1.0, 1.0])


def test_custom_task_and_regression():
    data = datasets.make("sin", n=64, seed=1)
    model = MLP((1, 8, 1), "tanh", "mse")
    # a 1-D input cannot be rotated or translated in 2-D
    with pytest.raises(ValueError, match="2-D"):
        finetune.run(model, data, shift={"translate": (1.0, 0.0)}, steps=5, pretrain_steps=5)
    xor = datasets.make("xor", n=64, seed=1)
    res = finetune.run(MLP((2, 8, 1)), xor, {"flip_labels": True}, lrs=[0.1], steps=10, pretrain_steps=20)
    assert res.original_acc.shape == (1, 11)
    # flipped labels: the pretrained accuracy on the new task is exactly 1 - the old one
    assert res.new_acc[0, 0] == pytest.approx(1 - res.original_acc[0, 0])
