"""Redraw only what moves: an explorer's figure kept as a cached picture of its still parts.

A slider usually changes a few artists (a path, a point, a title) while the axes, ticks, labels,
contours and surfaces stay put, and those still parts are most of a redraw's time (about two
thirds of it is placing and drawing tick labels and text). ``MovingArtists`` marks the artists an
explorer changes as *animated*: a full draw leaves them out, and right after it (on matplotlib's
``draw_event``) the picture of everything else is copied, and the moving artists are drawn on
top. A later update then restores that picture and draws only the moving artists on it
(matplotlib's blitting: ``copy_from_bbox``, ``restore_region``, ``draw_artist``, ``blit``;
ipympl then sends the browser only the pixels that changed).

When is the cached picture still right? matplotlib answers it: an animated artist's change does
not mark the figure stale, any other change does (a new axis limit, a banner switched on, a
colour). So ``redraw`` blits while ``fig.stale`` is False and falls back to a full draw
otherwise; an explorer may change anything, and the pixels are always those of a full redraw
(``tests/test_widgets.py`` compares them).

What a moving artist passes under stays under it in a full draw but not in a blit (the still
picture is pasted first): a path under a legend or an inset. Give such an inset as a ``cover``:
its still picture (the axes' box) is pasted again over the other axes' moving artists, and its
own moving artists drawn on it; list a legend among the moving artists, to draw it again on
top. (Pasting, not drawing the inset again: drawing its tick labels would cost about half of a
blit. A moving line that crosses the inset's tick labels outside its box is drawn over them,
a few pixels a full draw would draw the other way round.)

Drawing a moving artist may mark its axes stale (a legend sets its frame's bounds); that is
not a change of the still part, so the figure counts as clean after the moving artists.

A full draw of the live canvas draws the moving artists on its ``draw_event``; saving the
figure (``savefig``, a static render) draws them in their place, as matplotlib does for animated
artists while saving.

A dropdown changes the still part (another function, another data set), and a learner flips
back and forth between its options: each full draw's picture is kept (the last
``KEPT_PICTURES``), under a key made of ``scene()`` (an Explorer gives the values of its
``still`` controls at its last update, or of all its controls) and every axes' limits (the one
part of a figure that depends on the path taken, not only on the values: axes keep their limits
while they hold the curves). When the figure is stale but its key has a kept picture, that
picture is pasted and the moving artists drawn on it, as in a blit: a return to an option costs
a blit, not a full draw. So ``still`` must name every control that changes the still part other
than through the limits (``tests/test_blit.py`` walks every control at random and compares each
picture with a full redraw).
"""
from collections import OrderedDict

KEPT_PICTURES = 8     # full-draw pictures kept per figure (about 1.5 MB each at 820 x 440 px)


class MovingArtists:
    """Blit ``artists`` over a cached background of ``fig``; see the module's docstring.
    Keep the object (an Explorer does, as ``moving``): matplotlib holds its draw hook weakly, and
    without it the animated artists would not be drawn at all."""

    def __init__(self, fig, artists, covers=(), legends_of=(), scene=None):
        self.fig = fig
        self.scene = scene        # () -> hashable: what the figure shows; None: keep no pictures
        self._pictures = OrderedDict()
        self.artists = [a for a in artists if a is not None]
        self.covers = list(covers)        # insets pasted again over moving artists of other axes
        self._cover_pictures = []
        # axes whose legend moves although the explorer makes a new one now and then (a legend
        # copies its handles' looks when it is made)
        self.legends_of = list(legends_of)
        # a full draw puts the axes' frame (spines, zorder 2.5) over lines and images touching
        # it: the frames of the axes that hold moving artists move with them (a cover's frame
        # is in its picture)
        for ax in dict.fromkeys(a.axes for a in self.artists if a.axes is not None):
            if ax not in self.covers:
                self.artists += [s for s in ax.spines.values() if s not in self.artists]
        for artist in self.artists:
            artist.set_animated(True)
        self._background = None
        self.blits = 0            # how many redraws were blits, and how many full draws
        self.full_draws = 0
        self.recalls = 0          # stale figures drawn from a kept picture
        fig.canvas.mpl_connect("draw_event", self._on_draw)

    def _size(self):
        return self.fig.dpi, tuple(self.fig.bbox.bounds)

    def _key(self):
        """The kept pictures' key of what the figure shows now, or None (keep none)."""
        shown = self.scene() if self.scene is not None else None
        if shown is None:
            return None
        limits = tuple((ax.get_xlim(), ax.get_ylim()) for ax in self.fig.axes)
        return shown, self._size(), limits

    def _keep(self, picture):
        key = self._key()
        if key is not None:
            self._pictures[key] = picture
            self._pictures.move_to_end(key)
            while len(self._pictures) > KEPT_PICTURES:
                self._pictures.popitem(last=False)

    def _adopt_legends(self):
        """The current legends of ``legends_of``, made moving; True if one is new (it was
        drawn as a still part until now)."""
        new = False
        for ax in self.legends_of:
            legend = ax.get_legend()
            if legend is not None and not legend.get_animated():
                legend.set_animated(True)
                new = True
        return new

    def _moving_now(self):
        return self.artists + [ax.get_legend() for ax in self.legends_of
                               if ax.get_legend() is not None]

    def _on_draw(self, event):
        if event.canvas.is_saving():     # savefig draws animated artists in their place itself
            return
        if self._adopt_legends():        # drawn still in this picture: the next redraw is full
            self._background, self._cover_pictures = None, []
            self._draw_artists(event.canvas, event.renderer)
            return
        if hasattr(event.canvas, "copy_from_bbox"):
            # kept with the dpi and size it was drawn at: a savefig at another dpi also draws,
            # and its picture must not be pasted into the live canvas later
            self._background = (self._size(), event.canvas.copy_from_bbox(self.fig.bbox))
            self._cover_pictures = [event.canvas.copy_from_bbox(ax.bbox) for ax in self.covers]
            self._keep((self._background, self._cover_pictures))
        self._draw_artists(event.canvas, event.renderer)

    def _draw_artists(self, canvas, renderer):
        # in the order a full draw uses: by their axes' zorder, then their own; the moving
        # artists of other axes first, then each cover's still picture pasted over them, then
        # the cover's own moving artists
        def order(artist):
            ax = artist.axes
            return (ax.get_zorder() if ax is not None else artist.get_zorder(), artist.get_zorder())
        artists = self._moving_now()
        inside = [a for a in artists if a.axes in self.covers]
        layers = [[a for a in artists if a not in inside], inside]
        for k, layer in enumerate(layers):
            if k == 1:
                for picture in self._cover_pictures:
                    canvas.restore_region(picture)
            for artist in sorted(layer, key=order):
                if artist.get_visible() and artist.figure is not None:
                    artist.draw(renderer)
        self.fig.stale = False

    def draw_and_keep(self):
        """Keep the picture of the figure as it is now, drawn on an offscreen Agg canvas (as
        ``savefig`` does): the live canvas and what it has shown stay as they are (ipympl's
        canvas would send the picture to the browser). A legend made since the last draw moves
        from now on, as ``redraw`` would have it."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        self._adopt_legends()
        live, shown = self.fig.canvas, (self._background, self._cover_pictures)
        try:
            FigureCanvasAgg(self.fig).draw()      # the draw hook keeps the picture
        finally:
            self.fig.set_canvas(live)
            # the live canvas's own picture stays the one to blit on, and it shows another
            # state than the figure's now: the next redraw is not a plain blit
            self._background, self._cover_pictures = shown
            self.fig.stale = True

    def redraw(self):
        """Show the artists' new state: a blit when only they changed, else a blit on a kept
        picture of the still part as it is now ("recall"), else a full draw."""
        canvas = self.fig.canvas
        new_legend = self._adopt_legends()
        mode = "blit"
        if (new_legend or self._background is None or self.fig.stale
                or self._background[0] != self._size()):
            # a new legend is moving from now on: it is in no picture, kept or not
            key = self._key()
            kept = self._pictures.get(key) if key is not None else None
            if kept is None:
                self.full_draws += 1
                canvas.draw_idle()
                return "full"
            self._pictures.move_to_end(key)
            self._background, self._cover_pictures = kept
            mode = "recall"
        canvas.restore_region(self._background[1])
        self._draw_artists(canvas, canvas.get_renderer())
        canvas.blit(self.fig.bbox)
        if mode == "blit":
            self.blits += 1
        else:
            self.recalls += 1
        return mode
