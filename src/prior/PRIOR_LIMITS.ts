/**
 * Sizes nonadj refuses to go past, so that a hostile or mistaken input ends in an error naming the file, the value
 * and the limit instead of an out-of-memory crash. Memory of counting, checking and priors depends on the number
 * of distinct labels present, never on how large their codes are; these bound what is left.
 *
 * - `maxLabels`: distinct labels in one label map, over a dataset, and rows of a prior (dense `L × L` matrices of
 *   float64: 4 096² × 8 bytes = 134 MB; AAL has 117, INIA19 725, a FreeSurfer aparc.a2009s+aseg about 190).
 * - `maxRadius`: Chebyshev radius of a neighbourhood ((2r+1)³ − 1 offsets; the reference uses 1 or 2, and the
 *   cost of a scan grows with r³).
 * - `maxPriorBytes`: size of a `graph.json` or `graph.png.csv` read (a 4 096-label prior of large counts is
 *   about 150 MB as JSON).
 */
export const PRIOR_LIMITS = {
  maxLabels: 4096,
  maxRadius: 10,
  maxPriorBytes: 256 * 2 ** 20,
} as const;
