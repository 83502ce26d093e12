/**
 * nonadj: anatomically plausible segmentations with the NonAdjLoss method (Ganaye et al., MICCAI 2018 / MedIA 2019).
 * The public API; see README.md for the reference and docs/METHOD.md for the specification.
 */

// volume/: the Volume type and NIfTI I/O
export { defaultHeader, makeVolume, voxelCount, voxelToWorld } from './volume/Volume.js';
export type { NiftiDatatype, Volume, VolumeHeader, VoxelArray } from './volume/Volume.js';
export { readNifti } from './volume/readNifti.js';
export type { ReadNiftiOptions } from './volume/readNifti.js';
export { smallestLabelDatatype, writeNifti } from './volume/writeNifti.js';
export type { WriteNiftiOptions } from './volume/writeNifti.js';
export { readNiftiFile, writeNiftiFile } from './volume/niftiFile.js';
export { affineToQform, qformToAffine } from './volume/qform.js';
export type { AffineToQformResult, QformParams } from './volume/qform.js';
export { writeFileAtomic } from './volume/writeFileAtomic.js';

// prior/: label adjacency and the prior
export { CONNECTIVITIES, forwardOffsets, neighbourOffsets, resolveNeighbourhood } from './prior/neighbourhood.js';
export type { Connectivity, NeighbourhoodOptions } from './prior/neighbourhood.js';
export { assertLabelMap } from './prior/assertLabelMap.js';
export type { AssertLabelMapOptions, LabelMapStats } from './prior/assertLabelMap.js';
export { countAdjacency } from './prior/countAdjacency.js';
export type { CountAdjacencyOptions, CountAdjacencyResult } from './prior/countAdjacency.js';
export { countFileAdjacency } from './prior/countFileAdjacency.js';
export type { CountFileAdjacencyOptions, CountFileAdjacencyResult } from './prior/countFileAdjacency.js';
export { AdjacencyPrior } from './prior/AdjacencyPrior.js';
export type { AdjacencyPriorJson, AdjacencyPriorMeta, PriorExam } from './prior/AdjacencyPrior.js';
export { extractPrior } from './prior/extractPrior.js';
export type { ExtractPriorOptions, ExtractPriorResult } from './prior/extractPrior.js';
export { DEFAULT_SEG_NAME, examsFromFiles, findExams } from './prior/findExams.js';
export type { ExamFile, FindExamsOptions, FindExamsResult } from './prior/findExams.js';
export { parseLabelNames } from './prior/parseLabelNames.js';
export type { LabelEntry, LabelTableFormat, ParseLabelNamesResult } from './prior/parseLabelNames.js';
export { encodeGraphPng } from './prior/encodeGraphPng.js';
