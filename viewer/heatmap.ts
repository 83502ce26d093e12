import type { ViewerPair, ViewerPrior } from '../src/view/makeViewerReport.js';

/** Options of {@link makeHeatmap}. */
export interface HeatmapOptions {
  canvas: HTMLCanvasElement;
  tip: HTMLElement;
  prior: ViewerPrior;
  /** Forbidden pairs present in the segmentation (those the prior knows both labels of are marked). */
  pairs: readonly ViewerPair[];
  /** Called when a marked cell is clicked. */
  onSelect: (pair: ViewerPair) => void;
}

/** A drawn heatmap: redraw it with another selected pair. */
export interface Heatmap {
  select(pair: ViewerPair | null): void;
}

const FORBIDDEN = [24, 24, 28];
const LOW = [30, 60, 110];
const HIGH = [170, 225, 255];
const PRESENT = '#ff2d55';

/**
 * The prior's L × L matrix on a canvas: forbidden pairs dark, allowed pairs blue, brighter for more neighbour pairs
 * (log scale), and the forbidden pairs present in the segmentation marked red with a ring, so they stand out even
 * when a cell is a few pixels wide. Hovering a cell names both labels and gives the count.
 */
export function makeHeatmap(options: HeatmapOptions): Heatmap {
  const { canvas, tip, prior, pairs } = options;
  const L = prior.numLabels;
  const cell = Math.max(2, Math.ceil((480 * (window.devicePixelRatio || 1)) / L));
  const size = cell * L;
  canvas.width = size;
  canvas.height = size;

  // The matrix at one pixel per cell, scaled up without smoothing at each draw.
  const base = document.createElement('canvas');
  base.width = L;
  base.height = L;
  const baseContext = base.getContext('2d')!;
  const pixels = baseContext.createImageData(L, L);
  let maxLog = 0;
  for (const c of prior.counts) if (c > 0) maxLog = Math.max(maxLog, Math.log1p(c));
  for (let k = 0; k < L * L; k++) {
    const c = prior.counts[k];
    const t = c > 0 && maxLog > 0 ? Math.log1p(c) / maxLog : 0;
    const rgb = c > 0 ? LOW.map((lo, d) => Math.round(lo + t * (HIGH[d] - lo))) : FORBIDDEN;
    pixels.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * k);
  }
  baseContext.putImageData(pixels, 0, 0);

  const marked = new Map<number, ViewerPair>();
  for (const pair of pairs) {
    const [i, j] = pair.priorRows;
    if (i < 0 || j < 0) continue;
    marked.set(i * L + j, pair);
    marked.set(j * L + i, pair);
  }
  let selected: ViewerPair | null = null;

  const context = canvas.getContext('2d')!;
  const draw = () => {
    context.imageSmoothingEnabled = false;
    context.drawImage(base, 0, 0, size, size);
    if (selected && selected.priorRows[0] >= 0 && selected.priorRows[1] >= 0) {
      context.fillStyle = 'rgba(255, 255, 255, 0.22)';
      for (const r of selected.priorRows) {
        context.fillRect(0, r * cell, size, cell);
        context.fillRect(r * cell, 0, cell, size);
      }
    }
    const radius = Math.max(cell * 1.6, 5 * (window.devicePixelRatio || 1));
    for (const [k, pair] of marked) {
      const [x, y] = [(k % L) * cell, Math.floor(k / L) * cell];
      context.fillStyle = PRESENT;
      context.fillRect(x, y, cell, cell);
      context.beginPath();
      context.arc(x + cell / 2, y + cell / 2, radius, 0, 2 * Math.PI);
      context.lineWidth = Math.max(1, cell / 3);
      context.strokeStyle = pair === selected ? '#ffe600' : PRESENT;
      context.stroke();
    }
  };
  draw();

  const cellAt = (event: MouseEvent): [number, number] | null => {
    const rect = canvas.getBoundingClientRect();
    const col = Math.floor(((event.clientX - rect.left) / rect.width) * L);
    const row = Math.floor(((event.clientY - rect.top) / rect.height) * L);
    return row >= 0 && col >= 0 && row < L && col < L ? [row, col] : null;
  };
  canvas.addEventListener('mousemove', (event) => {
    const at = cellAt(event);
    if (!at) {
      tip.hidden = true;
      return;
    }
    const [i, j] = at;
    const count = prior.counts[i * L + j];
    const pair = marked.get(i * L + j);
    const lines = [`${prior.names[i]} × ${prior.names[j]}`, count > 0 ? `${count.toLocaleString('en')} neighbour voxel pairs in the prior` : 'forbidden: never adjacent in the prior'];
    if (pair) lines.push(`present here: ${pair.contacts.toLocaleString('en')} contacts (row ${pair.value}; click to go there)`);
    tip.textContent = lines.join('\n');
    tip.classList.toggle('present', !!pair);
    tip.hidden = false;
    const box = canvas.parentElement!.getBoundingClientRect();
    tip.style.left = `${Math.min(event.clientX - box.left + 14, box.width - 220)}px`;
    tip.style.top = `${event.clientY - box.top + 14}px`;
    canvas.style.cursor = pair ? 'pointer' : 'crosshair';
  });
  canvas.addEventListener('mouseleave', () => {
    tip.hidden = true;
  });
  canvas.addEventListener('click', (event) => {
    const at = cellAt(event);
    const pair = at ? marked.get(at[0] * L + at[1]) : undefined;
    if (pair) options.onSelect(pair);
  });

  return {
    select(pair) {
      selected = pair;
      draw();
    },
  };
}
