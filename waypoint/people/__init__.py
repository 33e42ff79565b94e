"""The registry of persons (issue 3). For now: name matching, a pure module."""
