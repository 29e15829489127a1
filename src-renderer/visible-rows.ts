// Which rows of a long list of fixed-height rows are on screen: the People view renders only those (and a few either side),
// so the DOM holds about a screenful of rows however many users are known.

export interface RowRange {
  /** Index of the first row rendered. */
  readonly first: number;
  /** How many rows are rendered from `first` on. */
  readonly count: number;
}

/** The rows a viewport of `viewportHeight` px scrolled to `scrollTop` shows, with `overscan` more on each side. */
export function visibleRows(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, overscan = 4): RowRange {
  if (total <= 0 || rowHeight <= 0) return { first: 0, count: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.min(total, Math.max(0, Math.floor(top / rowHeight) - overscan));
  const end = Math.min(total, Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight) + overscan);
  return { first, count: Math.max(0, end - first) };
}
