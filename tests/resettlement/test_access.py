"""Who sees and changes the resettlement models: filled by the programme's own matrix."""

OBJECT_MATRIX: dict = {}
