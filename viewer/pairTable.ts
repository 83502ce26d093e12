import type { ViewerLabel, ViewerPair } from '../src/view/makeViewerReport.js';

/** Rows rendered at most: the pairs with most contacts come first, and a DOM of thousands of rows helps nobody. */
export const MAX_ROWS = 2000;

/** Options of {@link makePairTable}. */
export interface PairTableOptions {
  body: HTMLTableSectionElement;
  pairs: readonly ViewerPair[];
  /** Segmentation labels, for the colour swatches. */
  labels: readonly ViewerLabel[];
  onSelect: (pair: ViewerPair) => void;
}

/** The rendered table: mark a row as selected. */
export interface PairTable {
  select(pair: ViewerPair | null): void;
}

/**
 * The table of forbidden pairs: one row per pair (most contacts first), both structures with their colour, and the
 * contact count. A click (or Enter / Space on a focused row) selects the pair.
 */
export function makePairTable(options: PairTableOptions): PairTable {
  const colourOf = new Map(options.labels.map((l) => [l.code, `rgb(${l.rgb.join(',')})`]));
  const rows = new Map<ViewerPair, HTMLTableRowElement>();
  for (const pair of options.pairs.slice(0, MAX_ROWS)) {
    const row = document.createElement('tr');
    row.tabIndex = 0;
    row.dataset.value = String(pair.value);
    row.setAttribute('aria-selected', 'false');
    row.title = `centroid ${pair.centroidMm.map((v) => v.toFixed(1)).join(', ')} mm; ${pair.voxels[0]} + ${pair.voxels[1]} voxels in contact`;
    const number = document.createElement('td');
    number.textContent = String(pair.value);
    row.append(number);
    pair.names.forEach((name, side) => {
      const cell = document.createElement('td');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colourOf.get(pair.labels[side]) ?? 'transparent';
      cell.append(swatch, document.createTextNode(name));
      row.append(cell);
    });
    const contacts = document.createElement('td');
    contacts.className = 'num';
    contacts.textContent = pair.contacts.toLocaleString('en');
    row.append(contacts);
    row.addEventListener('click', () => options.onSelect(pair));
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        options.onSelect(pair);
      }
    });
    rows.set(pair, row);
    options.body.append(row);
  }
  let selected: HTMLTableRowElement | null = null;
  return {
    select(pair) {
      selected?.setAttribute('aria-selected', 'false');
      selected = pair ? (rows.get(pair) ?? null) : null;
      if (selected) {
        selected.setAttribute('aria-selected', 'true');
        selected.scrollIntoView({ block: 'nearest' });
      }
    },
  };
}
