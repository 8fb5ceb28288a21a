"""Mechanics: pure functions of pose, body and strength (single-leg stance first); numpy only."""
