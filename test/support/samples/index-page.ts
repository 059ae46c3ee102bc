import type { Sample } from './catalog';

/** What the index page shows of a sample: its file, its line of description and its size. */
export interface PageSample extends Pick<Sample, 'file' | 'description'> {
  readonly width: number;
  readonly height: number;
}

/** Thumbnail height in the sample picker, in CSS pixels. */
const THUMBNAIL_HEIGHT = 48;

/**
 * The Worker's index page (`src/assets/index.html`): the demo that upscales a sample or an
 * upload on the Worker or in the browser and compares it with bicubic. Its script is
 * `src/client/demo/main.ts` (bundled to `/client/demo.js`). Generated with the samples, so the
 * picker lists exactly the catalog; without JavaScript it is still a page of links.
 *
 * @example
 * indexPageHtml([{ file: 'a.png', description: 'RGB PNG', width: 192, height: 128 }]);
 */
export function indexPageHtml(samples: readonly PageSample[]): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>wdsr-edge: super-resolution demo</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/demo.css">
    <script type="module" src="/client/demo.js"></script>
  </head>
  <body>
    <header>
      <h1>wdsr-edge</h1>
      <p>WDSR-B super-resolution, on a Cloudflare Worker or in your browser. Add <code>?upscale=2</code> to an image URL,
        <code>POST</code> an image to <code>/_wdsr/upscale?upscale=2</code>, or try it here.</p>
    </header>
    <main>
      <section class="card" aria-labelledby="source-heading">
        <h2 id="source-heading">1. Choose an image</h2>
        <fieldset>
          <legend>Samples, painted by the project's code (<code>npm run samples</code>)</legend>
          <ul class="samples">
${samples.map(sampleItem).join('')}          </ul>
        </fieldset>
        <div class="drop-zone" id="drop-zone">
          <label for="file">Or upload your own (PNG, JPEG or WebP)</label>
          <input type="file" id="file" accept="image/png,image/jpeg,image/webp">
          <p class="hint">You can also drop an image anywhere on this box.</p>
        </div>
      </section>

      <section class="card" aria-labelledby="run-heading">
        <h2 id="run-heading">2. Upscale</h2>
        <fieldset>
          <legend>Where the model runs</legend>
          <label><input type="radio" name="mode" value="server" checked> On the server (the Worker, onnxruntime-web WASM)</label>
          <label><input type="radio" name="mode" value="browser"> In this browser (WebGPU when available, else WASM)</label>
        </fieldset>
        <p class="browser-only">
          <label for="backend">In-browser backend</label>
          <select id="backend">
            <option value="auto" selected>Auto: WebGPU if this browser has it</option>
            <option value="webgpu">WebGPU</option>
            <option value="wasm">WASM</option>
          </select>
        </p>
        <p>
          <label for="scale">Scale</label>
          <select id="scale" disabled></select>
          <button type="button" id="run">Upscale</button>
        </p>
        <progress id="progress" max="1" value="0" aria-label="Upscale progress"></progress>
        <p><output id="status" role="status" aria-live="polite" data-state="idle">Loading…</output></p>
      </section>

      <section class="card wide" aria-labelledby="compare-heading">
        <h2 id="compare-heading">3. Compare</h2>
        <div class="controls">
          <fieldset class="inline">
            <legend>View</legend>
            <label><input type="radio" name="layout" value="slider" checked> Before/after slider</label>
            <label><input type="radio" name="layout" value="side-by-side"> Side by side</label>
          </fieldset>
          <p>
            <label for="zoom">Zoom</label>
            <input type="range" id="zoom" min="1" max="8" step="1" value="1">
            <output id="zoom-value" for="zoom">1× (1:1 pixels)</output>
          </p>
        </div>
        <div class="viewer" id="viewer">
          <div class="stage" id="stage" data-layout="slider" style="--split: 50%">
            <figure class="pane pane-before">
              <canvas id="bicubic-canvas" width="0" height="0" role="img" aria-label="Bicubic upscale"></canvas>
              <figcaption>Bicubic</figcaption>
            </figure>
            <figure class="pane pane-after">
              <canvas id="wdsr-canvas" width="0" height="0" role="img" aria-label="WDSR-B upscale"></canvas>
              <figcaption>WDSR-B</figcaption>
            </figure>
            <div class="divider" id="divider" role="slider" tabindex="0" aria-label="Before/after divider: bicubic on its left, WDSR-B on its right"
                 aria-valuemin="0" aria-valuemax="100" aria-valuenow="50" aria-valuetext="50%"></div>
          </div>
        </div>
        <dl class="stats" id="stats">
          <dt>Source</dt><dd id="stat-source">–</dd>
          <dt>WDSR-B result</dt><dd id="stat-result">–</dd>
          <dt>Bicubic</dt><dd id="stat-bicubic">–</dd>
          <dt>Time</dt><dd id="stat-time">–</dd>
          <dt>Ran on</dt><dd id="stat-backend">–</dd>
        </dl>
        <p><a id="download" class="download" hidden>Download the WDSR-B result</a></p>
      </section>
    </main>
    <footer>
      <p>Bicubic is MATLAB-style <code>imresize</code>, computed in this page. The model, its manifest and the tiled pipeline are the Worker's own
        (<code>GET /_wdsr/models/manifest.json</code>). Source: <code>src/client/</code>.</p>
    </footer>
  </body>
</html>
`;
}

function sampleItem({ file, description, width, height }: PageSample, index: number): string {
  const url = `/samples/${escapeHtml(file)}`;
  const thumbnailWidth = Math.round((width * THUMBNAIL_HEIGHT) / height);
  return `            <li>
              <label><input type="radio" name="sample" value="${url}"${index === 0 ? ' checked' : ''}><img src="${url}" alt="" width="${thumbnailWidth}" height="${THUMBNAIL_HEIGHT}">
                <span><span class="name">${escapeHtml(file)}</span><span class="description">${escapeHtml(description)}</span></span></label>
              <span class="links"><a href="${url}">original</a> · <a href="${url}?upscale=2">server ×2</a></span>
            </li>
`;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
