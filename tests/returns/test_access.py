"""Who sees and changes the returns models: filled by the programme's own matrix."""

OBJECT_MATRIX: dict = {}
