/** File-name endings of the volume formats nonadj reads and writes, longest first so `.nii.gz` wins over `.gz`. */
const EXTENSIONS = ['.nii.gz', '.nii', '.mgz', '.mgh'] as const;

/** The endings, as a phrase for messages: `.nii, .nii.gz, .mgz or .mgh`. */
export const VOLUME_EXTENSIONS_TEXT = '.nii, .nii.gz, .mgz or .mgh';

/**
 * The volume-file ending of `name`, lower-cased: `.nii`, `.nii.gz` (NIfTI) or `.mgz`, `.mgh` (FreeSurfer MGH);
 * `null` for any other name. Writers choose the format by it; readers decide by the bytes (see `readVolume`).
 *
 * @example volumeExtension('sub-01/T1.MGZ') === '.mgz'; volumeExtension('aal.nii.txt') === null
 */
export function volumeExtension(name: string): (typeof EXTENSIONS)[number] | null {
  const lower = name.toLowerCase();
  return EXTENSIONS.find((e) => lower.endsWith(e)) ?? null;
}

/** `name` without its volume-file ending (unchanged when it has none): `sub-01/T1.mgz` → `sub-01/T1`. */
export function stripVolumeExtension(name: string): string {
  const ext = volumeExtension(name);
  return ext ? name.slice(0, -ext.length) : name;
}
