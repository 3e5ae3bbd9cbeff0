"""The reader: a keyboard-driven Textual app over the library."""
