/*
 * Geometry of the before/after divider, as pure functions of pointer position and keys
 * (Node tests cover them; compare-view.ts wires them to the DOM).
 */

/** The divider's position, in percent of the image width from its left edge. */
export type SplitPercent = number;

/**
 * The split under a pointer at `clientX` over an image spanning `left .. left + width` on screen;
 * pointers beyond the edges pin it to 0 or 100.
 *
 * @example
 * splitAtPointer(150, 100, 200); // 25
 */
export function splitAtPointer(clientX: number, left: number, width: number): SplitPercent {
  if (!(width > 0)) return 50;
  return clamp(((clientX - left) / width) * 100);
}

/**
 * The split after a key press on the divider (WAI-ARIA slider keys: arrows move 1%, or 10% with
 * Shift, Page Up/Down 10%, Home/End to the edges); `undefined` for keys the divider ignores.
 *
 * @example
 * splitAfterKey('ArrowLeft', true, 50); // 40
 */
export function splitAfterKey(key: string, shiftKey: boolean, current: SplitPercent): SplitPercent | undefined {
  const step = shiftKey ? 10 : 1;
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowDown':
      return clamp(current - step);
    case 'ArrowRight':
    case 'ArrowUp':
      return clamp(current + step);
    case 'PageDown':
      return clamp(current - 10);
    case 'PageUp':
      return clamp(current + 10);
    case 'Home':
      return 0;
    case 'End':
      return 100;
    default:
      return undefined;
  }
}

/**
 * CSS pixels that show a `pixels`-wide image at `zoom` device pixels per image pixel: zoom 1 is
 * 1:1 on the physical screen, whatever the display's `devicePixelRatio`.
 *
 * @example
 * cssLength(384, 1, 2); // 192: on a 2x display, 192 CSS px are 384 device pixels
 */
export function cssLength(pixels: number, zoom: number, devicePixelRatio: number): number {
  return (pixels * zoom) / devicePixelRatio;
}

function clamp(percent: number): SplitPercent {
  return Math.min(100, Math.max(0, percent));
}
