"""Files: model files and the JSON format they share with training checkpoints, written
crash-safely. They deal in plain data (``tinygrad_edu.model_data``), never in the network."""

import os

PathLike = str | os.PathLike[str]  # what every function here takes as a file name
