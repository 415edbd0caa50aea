export { CONFIDENCE_BINS, WindowAggregate } from './aggregate.ts';
export { BottomKSample, hash32, seededRandom } from './sample.ts';
export { accuracyOf, classQuality, jensenShannonDistance, shares } from './statistics.ts';
export type { ClassQuality, WindowGrid, WindowMetrics } from './types.ts';
export { addSum, emptyWindowMetrics, metricsOfAggregate } from './window-metrics.ts';
export { chooseWindowMs, TimeBuckets, windowCount } from './windows.ts';
