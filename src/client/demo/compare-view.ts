import type { ImageDataLike } from '../pixels';
import { cssLength, splitAfterKey, splitAtPointer, type SplitPercent } from './divider';

/** How the two results are laid out: stacked under a before/after divider, or next to each other. */
export type CompareLayout = 'slider' | 'side-by-side';

export interface CompareElements {
  /** The scrolling box around the stage. */
  readonly viewer: HTMLElement;
  /** Holds both panes; its `data-layout` and `--split` drive the CSS. */
  readonly stage: HTMLElement;
  readonly before: HTMLCanvasElement;
  readonly after: HTMLCanvasElement;
  /** The divider handle (`role="slider"`), focusable for keyboard use. */
  readonly divider: HTMLElement;
}

/**
 * The comparison viewer: bicubic ("before") and WDSR-B ("after") at the same size, either under
 * a draggable divider (pointer anywhere on the images, or the keyboard on the handle) or side by
 * side, at 1:1 device pixels or zoomed with crisp (`pixelated`) pixels.
 *
 * @example
 * const view = new CompareView({ viewer, stage, before, after, divider });
 * view.show(bicubicPixels, wdsrPixels);
 * view.setZoom(4);
 */
export class CompareView {
  #split: SplitPercent = 50;
  #zoom = 1;

  constructor(private readonly elements: CompareElements) {
    const { stage, divider } = elements;
    stage.addEventListener('pointerdown', (event) => {
      if (stage.dataset.layout !== 'slider' || event.button !== 0) return;
      event.preventDefault(); // no text selection or image drag while moving the divider
      stage.setPointerCapture(event.pointerId);
      divider.focus({ preventScroll: true });
      this.#follow(event);
    });
    stage.addEventListener('pointermove', (event) => {
      if (stage.hasPointerCapture(event.pointerId)) this.#follow(event);
    });
    divider.addEventListener('keydown', (event) => {
      const split = splitAfterKey(event.key, event.shiftKey, this.#split);
      if (split === undefined) return;
      event.preventDefault();
      this.setSplit(split);
    });
    // Browser zoom changes devicePixelRatio, and with it the CSS size of one device pixel.
    addEventListener('resize', () => this.#applyZoom());
  }

  /** Shows a new pair of images (both must have the same size). */
  show(before: ImageDataLike, after: ImageDataLike): void {
    if (before.width !== after.width || before.height !== after.height) {
      throw new Error(`cannot compare ${before.width}x${before.height} with ${after.width}x${after.height}`);
    }
    paint(this.elements.before, before);
    paint(this.elements.after, after);
    this.#applyZoom();
  }

  /**
   * Device pixels per image pixel: 1 is 1:1; above 1 each pixel is drawn as a crisp square.
   * The point at the centre of the viewer stays there, so zooming magnifies what one looks at.
   */
  setZoom(zoom: number): void {
    const { viewer } = this.elements;
    const centreX = (viewer.scrollLeft + viewer.clientWidth / 2) / viewer.scrollWidth;
    const centreY = (viewer.scrollTop + viewer.clientHeight / 2) / viewer.scrollHeight;
    this.#zoom = zoom;
    this.#applyZoom();
    viewer.scrollLeft = centreX * viewer.scrollWidth - viewer.clientWidth / 2;
    viewer.scrollTop = centreY * viewer.scrollHeight - viewer.clientHeight / 2;
  }

  setLayout(layout: CompareLayout): void {
    this.elements.stage.dataset.layout = layout;
  }

  /** Moves the divider to `split` percent of the width from the left. */
  setSplit(split: SplitPercent): void {
    this.#split = split;
    const rounded = Math.round(split);
    this.elements.stage.style.setProperty('--split', `${split}%`);
    this.elements.divider.setAttribute('aria-valuenow', String(rounded));
    this.elements.divider.setAttribute('aria-valuetext', `${rounded}%: bicubic on the left, WDSR-B on the right`);
  }

  #follow(event: PointerEvent): void {
    const { left, width } = this.elements.before.getBoundingClientRect();
    this.setSplit(splitAtPointer(event.clientX, left, width));
  }

  #applyZoom(): void {
    for (const canvas of [this.elements.before, this.elements.after]) {
      canvas.style.width = `${cssLength(canvas.width, this.#zoom, devicePixelRatio)}px`;
      canvas.style.height = `${cssLength(canvas.height, this.#zoom, devicePixelRatio)}px`;
    }
    this.elements.stage.classList.toggle('zoomed', this.#zoom > 1);
  }
}

function paint(canvas: HTMLCanvasElement, image: ImageDataLike): void {
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d')!.putImageData(new ImageData(image.data, image.width, image.height), 0, 0);
}
