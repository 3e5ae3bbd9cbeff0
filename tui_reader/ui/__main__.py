"""``python -m tui_reader.ui``: the README's table of keys and the ids ``[keymap]`` takes,
generated from the live bindings as the help screen is."""

from tui_reader.ui.app import ReaderApp
from tui_reader.ui.keys import binding_ids, markdown_table

print(markdown_table(ReaderApp))
print()
print(", ".join(f"`{name}`" for name in sorted(binding_ids(ReaderApp))))
