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
export { writeFileAtomic } from './io/writeFileAtomic.js';

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
export { forEachRunPair } from './prior/forEachRunPair.js';
export type { RunPairVisitor } from './prior/forEachRunPair.js';
export { labelRuns } from './prior/labelRuns.js';
export type { LabelRuns, LabelRunsOptions } from './prior/labelRuns.js';

// metric/: the abnormal-adjacency check, Dice and surface distances, repair
export { checkSegmentation } from './metric/checkSegmentation.js';
export type { CheckSegmentationOptions, CheckSegmentationResult, ForbiddenPair, ReferenceMetric, UnknownLabel, VoxelBox } from './metric/checkSegmentation.js';
export { evaluateSegmentation } from './metric/evaluateSegmentation.js';
export type { EvaluateSegmentationOptions, EvaluateSegmentationResult, LabelEvaluation } from './metric/evaluateSegmentation.js';
export { summarizeEvaluations, summaryStats } from './metric/summarizeEvaluations.js';
export type { CaseSummary, EvaluationSummary, LabelSummary, SummaryStats } from './metric/summarizeEvaluations.js';
export { DEFAULT_MAX_COMPONENT_MM3, repairSegmentation } from './postprocess/repairSegmentation.js';
export type { RepairChange, RepairSegmentationOptions, RepairSegmentationResult } from './postprocess/repairSegmentation.js';
export { pasteIslands } from './synth/pasteIslands.js';
export type { PastedIsland, PasteIslandsOptions, PasteIslandsResult } from './synth/pasteIslands.js';
export { euclideanDistanceTransform } from './metric/euclideanDistanceTransform.js';
export type { EuclideanDistanceTransformOptions } from './metric/euclideanDistanceTransform.js';
export { surfaceMask } from './metric/surfaceMask.js';
export { surfaceDistances } from './metric/surfaceDistances.js';
export type { SurfaceDistances, SurfaceDistancesOptions } from './metric/surfaceDistances.js';
export { hausdorff95 } from './metric/hausdorff95.js';
export type { Hausdorff95Options } from './metric/hausdorff95.js';
export { averageSurfaceDistance } from './metric/averageSurfaceDistance.js';
export { percentile } from './metric/percentile.js';
export { diceScore } from './metric/diceScore.js';
export { connectedComponents } from './metric/connectedComponents.js';
export type { ConnectedComponentsOptions, ConnectedComponentsResult } from './metric/connectedComponents.js';

// view/: the browser viewer of forbidden contacts
export { loadViewerData } from './view/loadViewerData.js';
export type { LoadViewerDataOptions } from './view/loadViewerData.js';
export { makeViewerData } from './view/makeViewerData.js';
export type { ViewerData, ViewerInput, ViewerVolumeInput } from './view/makeViewerData.js';
export { renderViewerHtml, STATIC_PAGE_CSP } from './view/renderViewerHtml.js';
export type { RenderViewerHtmlOptions } from './view/renderViewerHtml.js';
export { SERVED_PAGE_CSP, startViewerServer, VIEWER_HOST } from './view/startViewerServer.js';
export type { StartViewerServerOptions, ViewerServer } from './view/startViewerServer.js';
export { contactOverlay } from './view/contactOverlay.js';
export type { ContactOverlayResult } from './view/contactOverlay.js';
export { makeViewerReport } from './view/makeViewerReport.js';
export type { MakeViewerReportInput, ViewerCheck, ViewerGrid, ViewerLabel, ViewerPair, ViewerPrior, ViewerReport } from './view/makeViewerReport.js';
export { parseMricronLut } from './view/parseMricronLut.js';
export { readViewerAssets } from './view/readViewerAssets.js';
export type { ViewerAssets } from './view/readViewerAssets.js';

// engine/: TensorFlow.js set-up and kernel fixes
export { initEngine } from './engine/initEngine.js';
export type { EngineBackend, EngineInfo, InitEngineOptions } from './engine/initEngine.js';
export { registerWasmKernels } from './engine/registerWasmKernels.js';
export { replaceWasmKernels } from './engine/replaceWasmKernels.js';
export type { WasmKernelReplacement } from './engine/replaceWasmKernels.js';
export { registerCpuKernels } from './engine/registerCpuKernels.js';

// loss/: the soft adjacency estimator, NonAdjLoss and the training loss
export { softAdjacency } from './loss/softAdjacency.js';
export { makeNonAdjacencyLoss } from './loss/makeNonAdjacencyLoss.js';
export { resolveNonAdjacencyImplementation } from './loss/resolveNonAdjacencyImplementation.js';
export type { NonAdjacencyLoss, NonAdjacencyLossOptions } from './loss/makeNonAdjacencyLoss.js';
export { softDiceLoss } from './loss/softDiceLoss.js';
export type { SoftDiceLossOptions } from './loss/softDiceLoss.js';
export { weightedCrossEntropy } from './loss/weightedCrossEntropy.js';
export type { WeightedCrossEntropyOptions } from './loss/weightedCrossEntropy.js';
export { crossEntropyDiceFromLogits } from './loss/crossEntropyDiceFromLogits.js';
export type { CrossEntropyDiceOptions, CrossEntropyDiceResult } from './loss/crossEntropyDiceFromLogits.js';
export { classWeightsFromCounts } from './loss/classWeightsFromCounts.js';
export { makeSegmentationLoss } from './loss/makeSegmentationLoss.js';
export type { SegmentationLoss, SegmentationLossOptions, SegmentationLossResult } from './loss/makeSegmentationLoss.js';

// train/: data, models, λ control
export { DEFAULT_IMAGE_NAME, DEFAULT_LABEL_NAME, findTrainingExams } from './data/findTrainingExams.js';
export type { FindTrainingExamsOptions, TrainingExam } from './data/findTrainingExams.js';
export { splitExams } from './data/splitExams.js';
export type { SplitExamsOptions, SplitExamsResult } from './data/splitExams.js';
export { loadExam, readVolume } from './data/loadExam.js';
export type { LoadExamOptions, LoadExamResult, LoadVolume } from './data/loadExam.js';
export { seededRandom } from './numeric/seededRandom.js';
export type { RandomState, SeededRandom } from './numeric/seededRandom.js';
export { intensityStats, regionMoments } from './data/intensityStats.js';
export type { IntensityRegion, IntensityStatsOptions, IntensityStatsResult } from './data/intensityStats.js';
export { standardise, standardiseParams } from './data/standardise.js';
export type { StandardiseOptions } from './data/standardise.js';
export { sliceAxis } from './volume/sliceAxis.js';
export type { SliceAxis, SliceAxisIndex } from './volume/sliceAxis.js';
export { make25dSample } from './data/make25dSample.js';
export type { GridData, Make25dSampleOptions, Make25dSampleResult } from './data/make25dSample.js';
export { extractPatch3d } from './data/extractPatch3d.js';
export type { ExtractPatch3dOptions, ExtractPatch3dResult } from './data/extractPatch3d.js';
export { patchGrid } from './data/patchGrid.js';
export type { PatchGridOptions } from './data/patchGrid.js';
export { elasticDeform2d } from './data/elasticDeform2d.js';
export type { ElasticDeform2dOptions, ElasticDeform2dResult } from './data/elasticDeform2d.js';
export { gaussianBlur } from './numeric/gaussianBlur.js';
export type { GaussianBlurOptions } from './numeric/gaussianBlur.js';
export { makeSampler } from './data/makeSampler.js';
export type { MakeSamplerOptions, Sampler, SamplerAugmentation, SamplerBatch, SamplerState } from './data/makeSampler.js';
export { makeSyntheticSubject } from './synth/makeSyntheticSubject.js';
export type { MakeSyntheticSubjectOptions, MakeSyntheticSubjectResult, SyntheticContrast } from './synth/makeSyntheticSubject.js';
export { makeModSegNet } from './model/makeModSegNet.js';
export type { MakeModSegNetOptions } from './model/makeModSegNet.js';
export { makeUNet3d } from './model/makeUNet3d.js';
export type { MakeUNet3dOptions } from './model/makeUNet3d.js';
export { MaxUnpooling2D } from './model/MaxUnpooling2D.js';
export { UpSampling3D } from './model/UpSampling3D.js';
export { assertModelMetadata, loadModel, METADATA_KEY, saveModel } from './model/modelFiles.js';
export type { LoadModelResult, ModelMetadata, PriorSummary, SaveModelResult } from './model/modelFiles.js';
export { checkModelForPrior } from './model/checkModelForPrior.js';
export type { CheckModelForPriorOptions, CheckModelForPriorResult } from './model/checkModelForPrior.js';
export { ensureSoftmax } from './model/ensureSoftmax.js';
export { predictSlices } from './infer/predictSlices.js';
export type { PredictSlicesOptions } from './infer/predictSlices.js';
export { predictPatches3d } from './infer/predictPatches3d.js';
export type { PatchWindow, PredictPatches3dOptions } from './infer/predictPatches3d.js';
export type { PredictOutput, VolumePrediction } from './infer/volumePrediction.js';
export { makeLambdaController, selectFinalEpoch } from './train/lambdaController.js';
export type { EpochReport, LambdaControllerOptions, LambdaControllerState, LambdaDecision } from './train/lambdaController.js';
export { trainSegmenter } from './train/trainSegmenter.js';
export type { ArchitectureOptions, EpochRecord, TrainSegmenterOptions, TrainSegmenterResult, TrainStepInfo } from './train/trainSegmenter.js';
export { segmentVolume } from './infer/segmentVolume.js';
export type { SegmentVolumeOptions, SegmentVolumeResult } from './infer/segmentVolume.js';
export { meanDice, validateModel } from './train/validateModel.js';
export type { ExamValidation, ValidateModelOptions, ValidateModelResult } from './train/validateModel.js';
export { makeOptimizer, resolveOptimizerOptions } from './train/optimizer.js';
export type { OptimizerOptions, OptimizerState, ResolvedOptimizerOptions, SegmentationOptimizer } from './train/optimizer.js';
export { copyCheckpoint, findCheckpoint, readCheckpoint, writeCheckpoint, writeFolderAtomic } from './train/checkpoint.js';
export type { Checkpoint } from './train/checkpoint.js';
export { makePatchSampler } from './data/makePatchSampler.js';
export type { MakePatchSamplerOptions, PatchBatch, PatchSampler, PatchSamplerState } from './data/makePatchSampler.js';
export { intensityFromMetadata, intensityMetadata } from './model/intensityMetadata.js';

// demo/: the NonAdjLoss experiment on the bundled atlas
export { AAL_REGION_NAMES, aalRegionOf, aalRegions } from './demo/aalRegions.js';
export { commandLine, demoPlan, trainArgs } from './demo/demoPlan.js';
export type { DemoMode, DemoPlan, FineTuneName, TrainRunSpec } from './demo/demoPlan.js';
export { makeDemoData, UNSEEN_DOMAIN } from './demo/makeDemoData.js';
export type { DemoData, DemoSet, DemoSubject, MakeDemoDataOptions } from './demo/makeDemoData.js';
export { heuristicFromLog, runDemo, scoreSubject } from './demo/runDemo.js';
export type { DemoReport, DemoRunReport, RunDemoOptions, RunDemoResult, SubjectScores } from './demo/runDemo.js';
export { compareToControl } from './demo/compareToControl.js';
export type { ControlComparison } from './demo/compareToControl.js';
export { renderDemoHtml } from './demo/renderDemoHtml.js';
export { renderDemoMarkdown } from './demo/renderDemoMarkdown.js';
