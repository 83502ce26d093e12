/*! nonadj view. Bundles NiiVue (@niivue/niivue, BSD-2-Clause) with gl-matrix, fflate, nifti-reader-js, zarrita,
 * @zarrita/storage, @lukeed/uuid, array-equal (MIT) and @ungap/structured-clone (ISC); their licences ship in their
 * npm packages. numcodecs (zarr's blosc/lz4/zstd codecs, 1.4 MB) is left out: the page reads NIfTI only. */
/**
 * The page of `nonadj view`: the image, the segmentation and its forbidden contacts in NiiVue, the table of
 * forbidden pairs and the prior's heatmap. Bundled by esbuild (`npm run build:viewer`) into `viewer-dist/`.
 */
import { MULTIPLANAR_TYPE, Niivue, NVImage, SHOW_RENDER, SLICE_TYPE } from '@niivue/niivue';
import type { ViewerPair, ViewerReport } from '../src/view/makeViewerReport.js';
import { makeWorldToVoxel } from './affine.js';
import { makeHeatmap, type Heatmap } from './heatmap.js';
import { loadPageData } from './loadPageData.js';
import { MAX_ROWS, makePairTable, type PairTable } from './pairTable.js';
import './viewer.css';

const CONTACT_RGB = [255, 45, 85];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');

/** What the page shows at a world position: the label and the forbidden pair there, on the files' own grids. */
interface Probe {
  text: string;
  voxel: [number, number, number] | null;
}

async function main(): Promise<void> {
  const { report, urls } = await loadPageData();
  describeFiles(report);

  const nv = new Niivue({
    backColor: [0.07, 0.07, 0.09, 1],
    show3Dcrosshair: true,
    multiplanarShowRender: SHOW_RENDER.ALWAYS,
    multiplanarLayout: MULTIPLANAR_TYPE.GRID,
    dragAndDropEnabled: false,
    logLevel: 'warn',
    loadingText: 'loading ...',
    crosshairColor: [0.2, 0.9, 1, 0.55],
    isOrientationTextVisible: true,
  });
  await nv.attachToCanvas($<HTMLCanvasElement>('gl'));
  status.textContent = 'Loading volumes…';
  const [image, segVolume, contactVolume] = await Promise.all([
    NVImage.loadFromUrl({ url: urls.image, name: 'image.nii.gz', colormap: 'gray' }),
    urls.segmentation ? NVImage.loadFromUrl({ url: urls.segmentation, name: 'seg.nii.gz', opacity: 0.45 }) : null,
    urls.contacts ? NVImage.loadFromUrl({ url: urls.contacts, name: 'contacts.nii.gz', opacity: 1 }) : null,
  ]);
  const pairs = report.check?.pairs ?? [];
  if (segVolume && report.segmentation) {
    const labels = report.segmentation.labels;
    segVolume.setColormapLabel({
      R: labels.map((l) => l.rgb[0]),
      G: labels.map((l) => l.rgb[1]),
      B: labels.map((l) => l.rgb[2]),
      // Background (0) transparent, every structure opaque: the layer's opacity does the blending.
      A: labels.map((l) => (l.code === 0 ? 0 : 255)),
      I: labels.map((l) => l.code),
      labels: labels.map((l) => l.name),
    });
  }
  if (contactVolume) {
    const values = [0, ...pairs.map((p) => p.value)];
    contactVolume.setColormapLabel({
      R: values.map((v) => (v === 0 ? 0 : CONTACT_RGB[0])),
      G: values.map((v) => (v === 0 ? 0 : CONTACT_RGB[1])),
      B: values.map((v) => (v === 0 ? 0 : CONTACT_RGB[2])),
      A: values.map((v) => (v === 0 ? 0 : 255)),
      I: values,
      labels: ['', ...pairs.map((p) => `${p.names[0]} – ${p.names[1]}`)],
    });
  }
  // Each addVolume re-uploads and resamples every layer on the GPU, which takes seconds per layer in a software
  // renderer (no GPU): hand NiiVue all layers at once, with their colour tables, and refresh once.
  const layers = [image, segVolume, contactVolume].filter((v): v is NVImage => v !== null);
  nv.volumes = layers;
  nv.back = layers[0];
  nv.overlays = layers.slice(1);
  nv.updateGLVolume();
  for (const layer of layers) nv.onImageLoaded(layer);
  nv.setSliceType(SLICE_TYPE.MULTIPLANAR);

  // Readouts: what is under the cursor (hover) and at the crosshair (click, arrow keys, table rows).
  const segGrid = report.segmentation;
  const segToVoxel = segGrid ? makeWorldToVoxel(segGrid.affine) : null;
  const imageToVoxel = makeWorldToVoxel(report.image.affine);
  const labelName = new Map((segGrid?.labels ?? []).map((l) => [l.code, l.name]));
  const pairByValue = new Map(pairs.map((p) => [p.value, p]));
  const valueAt = (volume: NVImage | null, voxel: [number, number, number] | null): number | null => {
    if (!volume || !voxel || !segGrid || !volume.img) return null;
    const [nx, ny, nz] = segGrid.dims;
    const [i, j, k] = voxel;
    if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return null;
    return Number(volume.img[i + nx * (j + ny * k)]);
  };
  const probe = (mm: ArrayLike<number>): Probe => {
    const voxel = segToVoxel ? segToVoxel(mm) : imageToVoxel(mm);
    const parts = [`${[mm[0], mm[1], mm[2]].map((v) => v.toFixed(1)).join(', ')} mm`, `voxel ${voxel.join(', ')}`];
    const label = valueAt(segVolume, voxel);
    if (label !== null) parts.push(`${labelName.get(label) ?? `label ${label}`} (${label})`);
    const contact = valueAt(contactVolume, voxel);
    const pair = contact ? pairByValue.get(contact) : undefined;
    if (pair) parts.push(`forbidden contact #${pair.value}: ${pair.names[0]} – ${pair.names[1]}`);
    return { text: parts.join(' · '), voxel };
  };

  const hover = $('hover');
  const canvas = $<HTMLCanvasElement>('gl');
  canvas.addEventListener('mousemove', (event) => {
    const rect = canvas.getBoundingClientRect();
    const dpr = nv.uiData.dpr ?? window.devicePixelRatio ?? 1;
    const frac = nv.canvasPos2frac([(event.clientX - rect.left) * dpr, (event.clientY - rect.top) * dpr]);
    if (frac[0] < 0) {
      hover.textContent = '\u00a0';
      return;
    }
    hover.textContent = `Cursor: ${probe(nv.frac2mm(frac)).text}`;
  });
  canvas.addEventListener('mouseleave', () => {
    hover.textContent = '\u00a0';
  });

  const location = $('location');
  nv.onLocationChange = (data) => {
    const mm = (data as { mm: ArrayLike<number> }).mm;
    const p = probe(mm);
    location.textContent = `Crosshair: ${p.text}`;
    location.dataset.mm = [mm[0], mm[1], mm[2]].map((v) => v.toFixed(2)).join(',');
    location.dataset.voxel = p.voxel ? p.voxel.join(',') : '';
  };

  const zoomSelect = $<HTMLSelectElement>('zoom');
  zoomSelect.addEventListener('change', () => {
    if (Number(zoomSelect.value) !== 1) return;
    nv.setPan2Dxyzmm([0, 0, 0, 1]);
    nv.setCrosshairWidth(1);
  });

  // Selection, shared by the table and the heatmap.
  let table: PairTable | null = null;
  let heatmap: Heatmap | null = null;
  const select = (pair: ViewerPair) => {
    table?.select(pair);
    heatmap?.select(pair);
    const mm = pair.centroidMm;
    nv.scene.crosshairPos = nv.mm2frac([mm[0], mm[1], mm[2]]);
    // Zoom the 2D views on the contact, centred: at zoom Z and pan p a point x is drawn where x' = Z·x + p was at
    // zoom 1 (NiiVue keeps the crosshair still on wheel zoom by p += ΔZ·x), so p = c − Z·x puts x where the
    // centre c of the volume was.
    const zoom = Number(zoomSelect.value);
    const centre = nv.frac2mm([0.5, 0.5, 0.5]);
    nv.setPan2Dxyzmm(zoom === 1 ? [0, 0, 0, 1] : [centre[0] - zoom * mm[0], centre[1] - zoom * mm[1], centre[2] - zoom * mm[2], zoom]);
    // The crosshair's width is in voxels and grows with the zoom; keep it thin so it does not hide the contact.
    nv.setCrosshairWidth(1 / zoom);
    nv.createOnLocationChange();
    nv.drawScene();
  };

  const note = $('pairs-note');
  if (!report.segmentation) {
    note.textContent = 'No segmentation given (--seg): nothing to check.';
  } else if (!report.check) {
    note.textContent = 'No prior given (--prior): the segmentation is shown without the contact layer.';
  } else {
    const c = report.check;
    note.textContent =
      c.pairs.length === 0
        ? 'None: every pair of touching structures is allowed by the prior.'
        : `${c.forbiddenPairs} forbidden pair${c.forbiddenPairs === 1 ? '' : 's'}, ${c.forbiddenContacts.toLocaleString('en')} contacts (${c.connectivity}-neighbourhood, radius ${c.radius}). ` +
          `Click a row to go to it${c.pairs.length > MAX_ROWS ? `; the ${MAX_ROWS} with most contacts are listed` : ''}.`;
    table = makePairTable({ body: $<HTMLTableElement>('pairs').tBodies[0], pairs: c.pairs, labels: report.segmentation.labels, onSelect: select });
  }
  $('pairs').hidden = pairs.length === 0;

  if (report.prior) {
    const p = report.prior;
    $('heatmap-note').textContent = `${p.numLabels} labels, ${p.forbiddenUnorderedPairs.toLocaleString('en')} forbidden pairs (${p.file}).`;
    $('heatmap-legend').textContent =
      'Dark: forbidden (never adjacent in the prior). Blue: allowed, brighter for more neighbour voxel pairs (log scale). Red ring: forbidden but present in this segmentation.';
    heatmap = makeHeatmap({ canvas: $<HTMLCanvasElement>('heatmap'), tip: $('heatmap-tip'), prior: p, pairs, onSelect: select });
  } else {
    $('heatmap-section').hidden = true;
  }

  // Toolbar.
  const layouts: Record<string, SLICE_TYPE> = {
    multiplanar: SLICE_TYPE.MULTIPLANAR,
    axial: SLICE_TYPE.AXIAL,
    coronal: SLICE_TYPE.CORONAL,
    sagittal: SLICE_TYPE.SAGITTAL,
    render: SLICE_TYPE.RENDER,
  };
  const layout = $<HTMLSelectElement>('layout');
  layout.addEventListener('change', () => nv.setSliceType(layouts[layout.value] ?? SLICE_TYPE.MULTIPLANAR));
  const showSeg = $<HTMLInputElement>('show-seg');
  const segOpacity = $<HTMLInputElement>('seg-opacity');
  const applySeg = () => segVolume && nv.setOpacity(1, showSeg.checked ? Number(segOpacity.value) / 100 : 0);
  showSeg.addEventListener('change', applySeg);
  segOpacity.addEventListener('input', applySeg);
  const showContacts = $<HTMLInputElement>('show-contacts');
  showContacts.addEventListener('change', () => contactVolume && nv.setOpacity(2, showContacts.checked ? 1 : 0));
  for (const [id, present] of [['show-seg', !!segVolume], ['seg-opacity', !!segVolume], ['show-contacts', !!contactVolume]] as const) {
    ($(id).closest('label') as HTMLElement).hidden = !present;
  }

  nv.createOnLocationChange();
  status.textContent = '';
  document.body.dataset.ready = 'true';
}

function describeFiles(report: ViewerReport): void {
  const parts = [`image ${report.image.file} (${report.image.dims.join('×')})`];
  if (report.segmentation) parts.push(`segmentation ${report.segmentation.file} (${report.segmentation.labels.filter((l) => l.code !== 0).length} labels)`);
  if (report.prior) parts.push(`prior ${report.prior.file}`);
  $('files').textContent = parts.join(' · ');
  const c = report.check;
  $('summary').textContent = c
    ? c.forbiddenPairs === 0
      ? 'No forbidden contacts.'
      : `${c.forbiddenPairs} forbidden pair${c.forbiddenPairs === 1 ? '' : 's'} of structures touch, in ${c.forbiddenContacts.toLocaleString('en')} voxel contacts.`
    : '';
  $('summary').classList.toggle('bad', !!c && c.forbiddenPairs > 0);
}

main().catch((error: unknown) => {
  status.textContent = `Error: ${(error as Error).message ?? String(error)}`;
  status.classList.add('error');
  document.body.dataset.ready = 'error';
});
