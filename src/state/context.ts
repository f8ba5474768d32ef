import { getContext, setContext } from 'svelte';
import type { ViewerState } from './viewer.svelte';
import type { SegmentationState } from './segmentation.svelte';
import type { AskState } from './ask.svelte';
import type { ExportState } from './export.svelte';

// A Symbol key per viewer instance tree, so two viewers on one page never share state.
const KEY = Symbol('medlens.viewer');

export const setViewer = (viewer: ViewerState) => setContext(KEY, viewer);
export const getViewer = () => getContext<ViewerState>(KEY);

const SEGMENTATION = Symbol('medlens.segmentation');

export const setSegmentation = (state: SegmentationState) => setContext(SEGMENTATION, state);
export const getSegmentation = () => getContext<SegmentationState>(SEGMENTATION);

const ASK = Symbol('medlens.ask');

export const setAsk = (state: AskState) => setContext(ASK, state);
export const getAsk = () => getContext<AskState>(ASK);

const EXPORT = Symbol('medlens.export');

export const setExport = (state: ExportState) => setContext(EXPORT, state);
export const getExport = () => getContext<ExportState>(EXPORT);
