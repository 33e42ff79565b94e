#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waypoint.config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as problem:
        # A configuration mistake is explained in one sentence, not a stack trace.
        sys.stderr.write(f"Waypoint cannot start: {problem}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
