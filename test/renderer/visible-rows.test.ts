// Which rows of a fixed-height list are rendered for a scroll offset: a screenful and a few either side, never past the ends.
import { describe, expect, it } from 'vitest';
import { visibleRows } from '../../src-renderer/visible-rows';

describe('visible rows', () => {
  it('renders a screenful and the overscan either side, clamped to the list', () => {
    expect(visibleRows(0, 440, 44, 10_000)).toEqual({ first: 0, count: 14 });
    expect(visibleRows(44 * 100, 440, 44, 10_000)).toEqual({ first: 96, count: 18 });
    // Half a row scrolled: that row and the one it uncovers are both on screen.
    expect(visibleRows(44 * 100 + 22, 440, 44, 10_000, 0)).toEqual({ first: 100, count: 11 });
    expect(visibleRows(44 * 9_995, 440, 44, 10_000)).toEqual({ first: 9_991, count: 9 });
    expect(visibleRows(0, 440, 44, 3)).toEqual({ first: 0, count: 3 });
  });

  it('renders nothing for an empty list, and survives offsets and sizes out of range', () => {
    expect(visibleRows(0, 440, 44, 0)).toEqual({ first: 0, count: 0 });
    expect(visibleRows(-300, 440, 44, 100)).toEqual({ first: 0, count: 14 });
    expect(visibleRows(1e9, 440, 44, 100)).toEqual({ first: 100, count: 0 });
    expect(visibleRows(0, -5, 44, 100)).toEqual({ first: 0, count: 4 });
  });
});
