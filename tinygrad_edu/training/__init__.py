"""Training: the loop, its history, accuracy, evaluation and the run files that resume it."""

from tinygrad_edu.training.evaluation import evaluate, predict
from tinygrad_edu.training.history import EpochEnd, History, Progress
from tinygrad_edu.training.loop import train
from tinygrad_edu.training.metrics import argmax_match, auto_metric, threshold_match
from tinygrad_edu.training.stall import TrainingStalledWarning

__all__ = [
    "EpochEnd",
    "History",
    "Progress",
    "TrainingStalledWarning",
    "argmax_match",
    "auto_metric",
    "evaluate",
    "predict",
    "threshold_match",
    "train",
]
