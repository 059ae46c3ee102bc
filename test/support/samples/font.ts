/*
 * A 5x7 bitmap font covering the characters the sample images write: each glyph is 7 rows of
 * 5 pixels, `#` for ink. Enough to give the samples text-like edges, the hardest case for SR.
 */

/** Glyph size in font pixels. */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  W: ['#...#', '#...#', '#...#', '#.#.#', '#.#.#', '##.##', '#...#'],
  D: ['####.', '#...#', '#...#', '#...#', '#...#', '#...#', '####.'],
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
  R: ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'],
  B: ['####.', '#...#', '#...#', '####.', '#...#', '#...#', '####.'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  G: ['.###.', '#...#', '#....', '#.###', '#...#', '#...#', '.###.'],
  X: ['#...#', '#...#', '.#.#.', '..#..', '.#.#.', '#...#', '#...#'],
  '2': ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  '-': ['.....', '.....', '.....', '.###.', '.....', '.....', '.....'],
  ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....'],
};

/**
 * Whether the pixel (`column`, `row`) of `char`'s glyph is inked; throws for characters not in the font.
 *
 * @example
 * glyphInk('E', 0, 0); // true
 */
export function glyphInk(char: string, column: number, row: number): boolean {
  const glyph = GLYPHS[char];
  if (!glyph) throw new RangeError(`the sample font has no glyph for ${JSON.stringify(char)}`);
  return glyph[row]?.[column] === '#';
}
