"""Who sees and changes the health models: filled by the programme's own matrix."""

OBJECT_MATRIX: dict = {}
