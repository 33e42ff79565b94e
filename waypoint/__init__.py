"""Waypoint: case management and referral for a migration-assistance mission office."""
