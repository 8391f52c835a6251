"""Files: model files and the JSON format they share with training checkpoints, written
crash-safely. They deal in plain data (``tinygrad_edu.model_data``), never in the network."""
