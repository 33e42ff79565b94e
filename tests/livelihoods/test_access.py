"""Who sees and changes the livelihoods models: filled by the programme's own matrix."""

OBJECT_MATRIX: dict = {}
