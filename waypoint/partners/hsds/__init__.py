"""The HSDS 3.0 exchange of the partner directory: export, import and the HSDA read API (docs/hsds.md)."""
