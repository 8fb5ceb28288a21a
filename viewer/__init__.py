"""gmed-viewer: the gluteus medius on a real pelvis and femur, for teaching (see README.md)."""
