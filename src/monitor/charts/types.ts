/** What each view gives the page. */
import type { TopLevelSpec } from 'vega-lite';

/** A chart and the sentence that reads it (shown by the page, where text lays out better than in SVG). */
export interface ChartView {
  spec: TopLevelSpec;
  note: string;
}
