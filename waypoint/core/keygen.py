"""Print fresh secrets as environment lines: `python -m waypoint.core.keygen >> .env`."""

import secrets

from cryptography.fernet import Fernet


def generate() -> str:
    return "\n".join(
        [
            f"SECRET_KEY={secrets.token_urlsafe(50)}",
            f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode('ascii')}",
            f"BLIND_INDEX_KEY={secrets.token_urlsafe(48)}",
        ]
    )


if __name__ == "__main__":
    print(generate())
