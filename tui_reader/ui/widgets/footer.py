"""The footer, showing only the keys that fit whole."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer


class FittingFooter(Footer):
    """Textual's footer, but a key whose label would run under the palette's key (docked on
    the right) is left out, with every key after it, instead of showing half a label
    ("m Read/u▏") on a narrow terminal. Every key stays in help and the palette."""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        # The keys' places are known once they are laid out.
        self.call_after_refresh(self._fit)

    def on_resize(self, event: events.Resize) -> None:
        # Wider, some keys left out may fit again: lay them all out anew, then fit.
        self.refresh(recompose=True)

    def _fit(self) -> None:
        keys = [child for child in self.children if not child.has_class("-command-palette")]
        palette = [child for child in self.children if child.has_class("-command-palette")]
        limit = palette[0].region.x if palette and palette[0].display else self.region.right
        overflowing = False
        for key in keys:
            overflowing = overflowing or key.region.right > limit
            if overflowing:
                key.display = False
