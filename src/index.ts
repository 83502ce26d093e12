/**
 * nonadj: anatomically plausible segmentations with the NonAdjLoss method (Ganaye et al., MICCAI 2018 / MedIA 2019).
 * The public API, in the order the data flows: volumes → priors → checking, evaluating and repairing segmentations →
 * the viewer; the engine → losses → models → segmenting volumes → training. What a user of the library calls is here,
 * with every type its signatures name; the building blocks behind them are not (adding an export later is
 * compatible, removing one is not). README.md "Library reference" lists the same; docs/METHOD.md is the
 * specification.
 */

// volume/: the Volume type, NIfTI and FreeSurfer MGH I/O, FreeSurfer's conformed space
export { makeVolume, voxelToWorld } from './volume/Volume.js';
export type { NiftiDatatype, Volume, VolumeHeader, VoxelArray } from './volume/Volume.js';
export { readNiftiFile, writeNiftiFile } from './volume/niftiFile.js';
export { readNifti } from './volume/readNifti.js';
export type { ReadNiftiOptions } from './volume/readNifti.js';
export { writeNifti } from './volume/writeNifti.js';
export type { WriteNiftiOptions } from './volume/writeNifti.js';
export { readMgh } from './volume/readMgh.js';
export type { ReadMghOptions } from './volume/readMgh.js';
export { writeMgh } from './volume/writeMgh.js';
export type { WriteMghOptions } from './volume/writeMgh.js';
export { readVolume } from './volume/readVolume.js';
export { conformVolume } from './volume/conformVolume.js';
export type { ConformVolumeOptions, ConformVolumeResult } from './volume/conformVolume.js';
export { conformGrid } from './volume/conformGrid.js';
export type { ConformGridOptions } from './volume/conformGrid.js';
export { resampleVolume } from './volume/resampleVolume.js';
export type { ResampleVolumeOptions, VolumeGrid } from './volume/resampleVolume.js';
export type { UcharScalingResult } from './volume/ucharScaling.js';
export { orientationCode } from './volume/orientationCode.js';
export type { SliceAxisIndex } from './volume/sliceAxis.js';

// prior/: label adjacency and the prior
export type { Connectivity, NeighbourhoodOptions } from './prior/neighbourhood.js';
export { countAdjacency } from './prior/countAdjacency.js';
export type { CountAdjacencyOptions, CountAdjacencyResult } from './prior/countAdjacency.js';
export { examsFromFiles, findExams } from './prior/findExams.js';
export type { ExamFile, FindExamsOptions, FindExamsResult } from './prior/findExams.js';
export { extractPrior } from './prior/extractPrior.js';
export type { ExtractPriorOptions, ExtractPriorResult } from './prior/extractPrior.js';
export { countExams } from './prior/countExams.js';
export type { CountExamsOptions } from './prior/countExams.js';
export type { CountedExam, ExamCounts } from './prior/ExamCounts.js';
export { sumExamCounts } from './prior/sumExamCounts.js';
export { priorFromExamCounts } from './prior/priorFromExamCounts.js';
export type { PriorFromExamCountsOptions } from './prior/priorFromExamCounts.js';
export { partialCountsToJson } from './prior/partialCountsToJson.js';
export type { PartialCountsSettings } from './prior/partialCountsToJson.js';
export type { PartialCountsJson, PartialExamJson } from './prior/PartialCountsJson.js';
export { assertPartialCountsJson } from './prior/assertPartialCountsJson.js';
export { mergePartialCounts } from './prior/mergePartialCounts.js';
export type { MergePartialCountsResult, PartialCountsSource } from './prior/mergePartialCounts.js';
export { AdjacencyPrior } from './prior/AdjacencyPrior.js';
export type { AdjacencyPriorJson, AdjacencyPriorMeta, PriorExam } from './prior/AdjacencyPrior.js';
export { restrictPrior } from './prior/restrictPrior.js';
export { parseLabelNames } from './prior/parseLabelNames.js';
export type { LabelEntry, LabelTableFormat, ParseLabelNamesResult } from './prior/parseLabelNames.js';
export { encodeGraphPng } from './prior/encodeGraphPng.js';
export { compareToPrior } from './prior/compareToPrior.js';
export type { PairCount, PriorComparison } from './prior/compareToPrior.js';
export { assertPlausibleLabelMap, MAX_PLAUSIBLE_LABELS } from './prior/assertPlausibleLabelMap.js';
export type { AssertPlausibleLabelMapOptions, PlausibleLabelMapStats } from './prior/assertPlausibleLabelMap.js';
export type { LabelRuns } from './prior/labelRuns.js';

// metric/, postprocess/: check, evaluate and repair a segmentation
export { checkSegmentation } from './metric/checkSegmentation.js';
export type { CheckSegmentationOptions, CheckSegmentationResult, ForbiddenPair, ReferenceMetric, UnknownLabel, VoxelBox } from './metric/checkSegmentation.js';
export { evaluateSegmentation } from './metric/evaluateSegmentation.js';
export type { EvaluateSegmentationOptions, EvaluateSegmentationResult, LabelEvaluation } from './metric/evaluateSegmentation.js';
export { summarizeEvaluations } from './metric/summarizeEvaluations.js';
export type { CaseSummary, EvaluationSummary, LabelSummary, SummaryStats } from './metric/summarizeEvaluations.js';
export { diceScore } from './metric/diceScore.js';
export type { DiceScoreOptions, DiceScoreResult, LabelDice } from './metric/diceScore.js';
export { repairSegmentation } from './postprocess/repairSegmentation.js';
export type { RepairChange, RepairSegmentationOptions, RepairSegmentationResult } from './postprocess/repairSegmentation.js';
export { keepLargestComponent } from './postprocess/keepLargestComponent.js';
export type { KeepLargestComponentOptions, KeepLargestComponentResult, LabelComponentCleanup } from './postprocess/keepLargestComponent.js';

// qc/: checking a cohort, its JSON document and its HTML report (nonadj check)
export { findLabelMaps } from './qc/findLabelMaps.js';
export type { FoundLabelMaps } from './qc/findLabelMaps.js';
export { checkCases } from './qc/checkCases.js';
export type { CheckCasesOptions, CheckedCase } from './qc/checkCases.js';
export type { CheckLabelMapFileOptions } from './qc/checkLabelMapFile.js';
export type { ContactThumbnail } from './qc/contactThumbnail.js';
export { makeCheckDocument } from './qc/makeCheckDocument.js';
export type { CheckDocument, CheckDocumentCase, CheckProvenance, HashedFile } from './qc/makeCheckDocument.js';
export { renderQcHtml } from './qc/renderQcHtml.js';
export type { RenderQcHtmlOptions } from './qc/renderQcHtml.js';

// stats/: paired comparisons of segmentation methods over seeds × subjects
export { bootstrapPairedDifference } from './stats/bootstrapPairedDifference.js';
export type { BootstrapInterval, BootstrapPairedDifferenceOptions, BootstrapPairedDifferenceResult, PairedCell } from './stats/bootstrapPairedDifference.js';

// view/: the page that shows an image, its segmentation and the forbidden contacts
export { loadViewerData } from './view/loadViewerData.js';
export type { LoadViewerDataOptions } from './view/loadViewerData.js';
export type { ViewerCheck, ViewerGrid, ViewerLabel, ViewerPair, ViewerPrior, ViewerReport } from './view/makeViewerReport.js';
export { makeViewerData } from './view/makeViewerData.js';
export type { ViewerData, ViewerInput, ViewerVolumeInput } from './view/makeViewerData.js';
export { renderViewerHtml } from './view/renderViewerHtml.js';
export type { RenderViewerHtmlOptions } from './view/renderViewerHtml.js';
export type { ViewerAssets } from './view/readViewerAssets.js';
export { startViewerServer } from './view/startViewerServer.js';
export type { StartViewerServerOptions, ViewerServer } from './view/startViewerServer.js';

// engine/: TensorFlow.js set-up (backend and nonadj's kernel fixes)
export { initEngine } from './engine/initEngine.js';
export type { EngineBackend, EngineInfo, InitEngineOptions } from './engine/initEngine.js';

// loss/: the soft adjacency estimator, NonAdjLoss and the training loss
export { softAdjacency } from './loss/softAdjacency.js';
export { makeNonAdjacencyLoss } from './loss/makeNonAdjacencyLoss.js';
export type { NonAdjacencyLoss, NonAdjacencyLossOptions } from './loss/makeNonAdjacencyLoss.js';
export { makeSegmentationLoss } from './loss/makeSegmentationLoss.js';
export type { SegmentationLoss, SegmentationLossCall, SegmentationLossOptions, SegmentationLossResult } from './loss/makeSegmentationLoss.js';
export { softDiceLoss } from './loss/softDiceLoss.js';
export type { SoftDiceLossOptions } from './loss/softDiceLoss.js';
export { weightedCrossEntropy } from './loss/weightedCrossEntropy.js';
export type { WeightedCrossEntropyOptions } from './loss/weightedCrossEntropy.js';
export { crossEntropyDiceFromLogits } from './loss/crossEntropyDiceFromLogits.js';
export { fidelityLoss } from './loss/fidelityLoss.js';
export type { CrossEntropyDiceOptions, CrossEntropyDiceResult } from './loss/crossEntropyDiceFromLogits.js';
export { classWeightsFromCounts } from './loss/classWeightsFromCounts.js';

// model/: the networks and their files
export { makeModSegNet } from './model/makeModSegNet.js';
export type { MakeModSegNetOptions } from './model/makeModSegNet.js';
export { makeUNet3d } from './model/makeUNet3d.js';
export type { MakeUNet3dOptions } from './model/makeUNet3d.js';
export { MaxUnpooling2D } from './model/MaxUnpooling2D.js';
export { UpSampling3D } from './model/UpSampling3D.js';
export type { UpSampling3DArgs } from './model/UpSampling3D.js';
export { loadModel, saveModel } from './model/modelFiles.js';
export { withInputShape } from './model/withInputShape.js';
export type { LoadModelResult, ModelMetadata, PriorSummary, SaveModelResult } from './model/modelFiles.js';
export { toOnnx, ONNX_OPSET } from './model/toOnnx.js';
export type { ToOnnxOptions } from './model/toOnnx.js';
export { toOnnxTraining } from './model/toOnnxTraining.js';
export type { OnnxTrainingGraphs } from './model/toOnnxTraining.js';

// infer/: segment a volume with a trained model
export { segmentVolume } from './infer/segmentVolume.js';
export type { SegmentVolumeOptions, SegmentVolumeResult, SegmentRun, InputOrder } from './infer/segmentVolume.js';
export { headBoundingBox } from './volume/headBoundingBox.js';
export type { CropBox } from './volume/headBoundingBox.js';
export type { PatchWindow } from './infer/predictPatches3d.js';
export { makeInferenceEngine, ONNX_RUNTIME_MISSING } from './infer/makeInferenceEngine.js';
export type { BatchForward, EngineChoice, InferenceEngine, MakeInferenceEngineOptions, OnnxRuntimeModule } from './infer/makeInferenceEngine.js';
export type { OnnxSession, OnnxSessionOptions } from './infer/openOnnxSessions.js';
export type { IntensityRegion } from './data/intensityStats.js';
export type { StandardiseOptions } from './data/standardise.js';

// data/, train/: find the training exams and train (or fine-tune) a segmenter
export { findTrainingExams } from './data/findTrainingExams.js';
export type { FindTrainingExamsOptions, TrainingExam } from './data/findTrainingExams.js';
export { splitExams } from './data/splitExams.js';
export type { SplitExamsOptions, SplitExamsResult } from './data/splitExams.js';
export { trainSegmenter } from './train/trainSegmenter.js';
export type { ArchitectureOptions, EpochRecord, TrainSegmenterOptions, TrainSegmenterResult, TrainStepInfo } from './train/trainSegmenter.js';
export { makeGradientEngine } from './train/makeGradientEngine.js';
export type { GradientEngine, GradientResult, LossTerms, MakeGradientEngineOptions } from './train/makeGradientEngine.js';
export { adaptModel, ADAPT_DEFAULTS } from './train/adaptModel.js';
export { adaptLastLayer, LAST_LAYER_DEFAULTS } from './train/adaptLastLayer.js';
export type { AdaptLastLayerOptions } from './train/adaptLastLayer.js';
export type { AdaptCheck, AdaptGuardOptions, AdaptModelOptions, AdaptModelResult, AdaptStepInfo } from './train/adaptModel.js';
export { checkAgainstOriginal, GUARD_MIN_DICE } from './train/checkAgainstOriginal.js';
export type { CheckAgainstOriginalResult } from './train/checkAgainstOriginal.js';
export type { LoadVolume } from './data/loadExam.js';
export type { SamplerAugmentation } from './data/makeSampler.js';
export type { LambdaControllerOptions } from './train/lambdaController.js';
export type { OptimizerOptions } from './train/optimizer.js';
export type { ExamValidation, ValidateModelResult } from './train/validateModel.js';
