"""Self-contained HTML pages: the one renderer of the package's HTML outputs.

The privacy report (:meth:`sklearn_anon.metrics.PrivacyReport.to_html`) and
the command line's profile page (``sklearn-anon profile --html``) are built
from these pieces, and every text that reaches the page goes through
:func:`escape` here (column names, titles and cells may hold ``<``, ``&``
or quotes).  A bottom module: it imports nothing of the package.
"""

import html

__all__ = ["element", "escape", "page", "table"]


def escape(text):
    """``text`` (any object, as ``str``) with ``&``, ``<``, ``>`` and quotes escaped."""
    return html.escape(str(text))


def _attrs(attrs):
    return "".join(f' {name}="{escape(value)}"' for name, value in attrs.items() if value is not None)


def element(tag, text, **attrs):
    """One element holding escaped ``text``: ``element("h2", "Privacy", id="p")``.

    Attribute names ending in ``_`` lose it (``class_="meta"``); None
    values are left out.

    Examples
    --------
    >>> element("p", "k < 5", class_="warn")
    '<p class="warn">k &lt; 5</p>'
    """
    attrs = {name.rstrip("_"): value for name, value in attrs.items()}
    return f"<{tag}{_attrs(attrs)}>{escape(text)}</{tag}>"


def table(header, rows, *, id=None, row_classes=None):
    """A table as lines: the head, one line per row, the end (join them with ``"\\n"``).

    Parameters
    ----------
    header : list of str
        The column titles.
    rows : iterable of sequences
        The cells, escaped here (any object, as ``str``).
    id : str or None, default=None
        The table's ``id``.
    row_classes : iterable of str or None, default=None
        One ``class`` per row (None: no class).

    Returns
    -------
    lines : list of str

    Examples
    --------
    >>> print("\\n".join(table(["a", "b"], [[1, "<x>"]], id="t")))
    <table id="t"><thead><tr><th>a</th><th>b</th></tr></thead><tbody>
    <tr><td>1</td><td>&lt;x&gt;</td></tr>
    </tbody></table>
    """
    rows = list(rows)
    classes = [None] * len(rows) if row_classes is None else list(row_classes)
    head = ("<table" + _attrs({"id": id}) + "><thead><tr>"
            + "".join(element("th", c) for c in header) + "</tr></thead><tbody>")
    body = ["<tr" + _attrs({"class": cls}) + ">" + "".join(element("td", c) for c in row) + "</tr>"
            for row, cls in zip(rows, classes)]
    return [head, *body, "</tbody></table>"]


def page(title, body, *, style=""):
    """A whole self-contained page (UTF-8, no external resource) around ``body``.

    Parameters
    ----------
    title : str
        The page's title (escaped here).
    body : list of str
        The body's HTML, one piece per line (already HTML: build the pieces
        with :func:`element` and :func:`table`).
    style : str, default=""
        The page's CSS.

    Returns
    -------
    page : str
        Ends with a newline.
    """
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        element("title", title),
        f"<style>{style}</style></head><body>",
        *body,
        "</body></html>",
    ]) + "\n"
