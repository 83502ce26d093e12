/** Output formats of {@link renderTable}. */
export type TableFormat = 'text' | 'markdown' | 'csv';

/**
 * Render rows of cells as an aligned text table (numbers right-aligned), a Markdown table, or RFC 4180 CSV.
 *
 * @param header - column titles.
 * @param rows - cells; `null` renders as empty (CSV, Markdown) or `–` (text).
 */
export function renderTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>, format: TableFormat): string {
  if (format === 'csv') {
    const cell = (c: string | number | null) => {
      const s = c === null ? '' : String(c);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
  }
  const text = rows.map((r) => r.map((c) => (c === null ? (format === 'text' ? '–' : '') : String(c))));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  if (format === 'markdown') {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    const lines = [`| ${header.map(esc).join(' | ')} |`, `| ${header.map((_, i) => (numeric[i] ? '---:' : '---')).join(' | ')} |`];
    for (const r of text) lines.push(`| ${r.map(esc).join(' | ')} |`);
    return lines.join('\n') + '\n';
  }
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...text.map(line)].join('\n') + '\n';
}
