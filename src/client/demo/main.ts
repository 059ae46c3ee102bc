import { parseManifest } from '../../core/manifest';
import { MODEL_MANIFEST_PATH } from '../../http/routes';
import type { BackendPreference } from '../backend';
import { compareUpscales, type Comparison, type RunMode } from './comparison';
import { CompareView, type CompareLayout } from './compare-view';
import { byId, checkedValue, onRadioChange } from './dom';
import { formatBytes, formatSize } from './format';
import { fileSource, loadSample, type ImageSource } from './source';

/*
 * The demo page (src/assets/index.html): pick a sample or drop a file, upscale it on the Worker
 * or in the browser, and compare with bicubic. Every change of input starts a new run; a newer
 * run aborts the one in flight, so the page always shows the latest choice.
 */

const ui = {
  run: byId('run', HTMLButtonElement),
  scale: byId('scale', HTMLSelectElement),
  backend: byId('backend', HTMLSelectElement),
  file: byId('file', HTMLInputElement),
  dropZone: byId('drop-zone', HTMLElement),
  progress: byId('progress', HTMLProgressElement),
  status: byId('status', HTMLOutputElement),
  zoom: byId('zoom', HTMLInputElement),
  zoomValue: byId('zoom-value', HTMLOutputElement),
  download: byId('download', HTMLAnchorElement),
  stats: {
    source: byId('stat-source', HTMLElement),
    result: byId('stat-result', HTMLElement),
    bicubic: byId('stat-bicubic', HTMLElement),
    time: byId('stat-time', HTMLElement),
    backend: byId('stat-backend', HTMLElement),
  },
};
const view = new CompareView({
  viewer: byId('viewer', HTMLElement),
  stage: byId('stage', HTMLElement),
  before: byId('bicubic-canvas', HTMLCanvasElement),
  after: byId('wdsr-canvas', HTMLCanvasElement),
  divider: byId('divider', HTMLElement),
});

let upload: File | undefined;
let inFlight: AbortController | undefined;

function mode(): RunMode {
  return checkedValue('mode') === 'browser' ? 'browser' : 'server';
}

function setStatus(state: 'working' | 'done' | 'error', text: string): void {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

async function currentSource(signal: AbortSignal): Promise<ImageSource> {
  if (upload !== undefined) return fileSource(upload);
  return loadSample(checkedValue('sample') ?? '/samples/gradient-shapes.png', signal);
}

async function run(): Promise<void> {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  const { signal } = controller;
  ui.progress.removeAttribute('value'); // indeterminate until tiles report
  setStatus('working', 'Fetching the image…');
  try {
    const comparison = await compareUpscales({
      source: await currentSource(signal),
      scale: Number(ui.scale.value),
      mode: mode(),
      backend: ui.backend.value as BackendPreference,
      signal,
      onStep: (text) => {
        if (!signal.aborted) setStatus('working', text);
      },
      onProgress: (done, total) => {
        if (!signal.aborted) ui.progress.value = done / total;
      },
    });
    signal.throwIfAborted();
    show(comparison);
    ui.progress.value = 1;
    setStatus('done', `Done: ${comparison.source.name} upscaled ×${ui.scale.value} ${comparison.where}.`);
  } catch (error) {
    if (signal.aborted) return; // a newer run took over
    ui.progress.value = 0;
    setStatus('error', `Failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function show(comparison: Comparison): void {
  const { source, sourcePixels, bicubic, wdsr, wdsrBlob } = comparison;
  view.show(bicubic, wdsr);
  ui.stats.source.textContent = `${source.name} · ${formatSize(sourcePixels.width, sourcePixels.height)} · ${formatBytes(source.blob.size)}`;
  ui.stats.result.textContent = `${formatSize(wdsr.width, wdsr.height)} · ${formatBytes(wdsrBlob.size)} ${wdsrBlob.type.replace('image/', '').toUpperCase()}, ${comparison.wdsrEncodedBy}`;
  ui.stats.bicubic.textContent = `${formatSize(bicubic.width, bicubic.height)} · MATLAB-style bicubic, computed in this page`;
  ui.stats.time.textContent = comparison.time;
  ui.stats.backend.textContent = comparison.ranOn;
  ui.stats.backend.dataset.backend = comparison.backend;
  if (ui.download.href) URL.revokeObjectURL(ui.download.href);
  ui.download.href = URL.createObjectURL(wdsrBlob);
  ui.download.download = `${source.name.replace(/\.[^.]*$/, '')}-wdsr-x${ui.scale.value}.${wdsrBlob.type.replace('image/', '').replace('jpeg', 'jpg')}`;
  ui.download.hidden = false;
}

function useUpload(file: File): void {
  upload = file;
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="sample"]')) radio.checked = false;
  void run();
}

function wireInputs(): void {
  onRadioChange('sample', () => {
    upload = undefined;
    ui.file.value = '';
    void run();
  });
  ui.file.addEventListener('change', () => {
    const file = ui.file.files?.[0];
    if (file) useUpload(file);
  });
  ui.dropZone.addEventListener('dragover', (event) => {
    event.preventDefault(); // allows the drop
    ui.dropZone.classList.add('dragging');
  });
  ui.dropZone.addEventListener('dragleave', () => ui.dropZone.classList.remove('dragging'));
  ui.dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    ui.dropZone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) useUpload(file);
  });
  onRadioChange('mode', (value) => {
    document.body.dataset.mode = value;
    void run();
  });
  ui.backend.addEventListener('change', () => void run());
  ui.scale.addEventListener('change', () => void run());
  ui.run.addEventListener('click', () => void run());
  onRadioChange('layout', (value) => view.setLayout(value as CompareLayout));
  ui.zoom.addEventListener('input', () => {
    const zoom = Number(ui.zoom.value);
    view.setZoom(zoom);
    ui.zoomValue.textContent = zoom === 1 ? '1× (1:1 pixels)' : `${zoom}×`;
  });
}

/** The scales come from the Worker's manifest, the one list of what it can do. */
async function loadScales(): Promise<void> {
  const response = await fetch(MODEL_MANIFEST_PATH);
  if (!response.ok) throw new Error(`${MODEL_MANIFEST_PATH}: the server answered ${response.status}`);
  const scales = parseManifest(await response.json())
    .models.map(({ scale }) => scale)
    .sort((a, b) => a - b);
  ui.scale.replaceChildren(...scales.map((scale) => new Option(`×${scale}`, String(scale))));
  ui.scale.disabled = scales.length < 2;
}

document.body.dataset.mode = mode();
wireInputs();
loadScales().then(run, (error: unknown) => setStatus('error', `Failed to read the model manifest: ${error instanceof Error ? error.message : String(error)}`));
