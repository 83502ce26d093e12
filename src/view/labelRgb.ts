/**
 * Display colour of label code `code` in the static pages (demo report, QC report): hues spaced by the golden angle
 * (137.5°) so that neighbouring codes get distinct colours, saturation 0.65, lightness 0.55 (HSL).
 *
 * @returns `[r, g, b]`, each 0…255.
 */
export function labelRgb(code: number): [number, number, number] {
  const h = (code * 137.508) % 360, s = 0.65, l = 0.55;
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const ch = (n: number) => Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))));
  return [ch(0), ch(8), ch(4)];
}
