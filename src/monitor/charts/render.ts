/**
 * Charts are Vega-Lite specifications rendered to SVG here, in Node, so the report is a plain
 * HTML file with the pictures inlined: it opens offline, in any browser or mail client, with no
 * script to run. Why Vega-Lite: a declarative grammar (a chart is data plus a few encodings, easy
 * to review and test), maintained by the UW Interactive Data Lab with a stable JSON spec, and its
 * runtime renders headless (`renderer: 'none'` + `toSVG()`) without a browser or canvas package.
 * Observable Plot needs a DOM to render; Chart.js needs a canvas.
 */
import type { TopLevelSpec } from 'vega-lite';
import { COLORS } from './parts.ts';

const FONT = '"Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif';

/** One look for every chart. */
export const THEME = {
  font: FONT,
  background: '#ffffff',
  padding: 8,
  view: { stroke: null },
  axis: {
    labelColor: '#4b5563',
    titleColor: '#374151',
    titleFontWeight: 'normal',
    gridColor: COLORS.grid,
    domainColor: '#d1d5db',
    tickColor: '#d1d5db',
    labelFontSize: 11,
    titleFontSize: 11,
  },
  legend: {
    orient: 'top',
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 'normal',
    symbolSize: 80,
    labelLimit: 0,
  },
  // The page gives each chart its heading; the chart's own title is the one line that reads it.
  title: { anchor: 'start', fontSize: 12, fontWeight: 'normal', color: COLORS.muted, offset: 12 },
  concat: { spacing: 28 },
} as const;

/** Compiles and renders a Vega-Lite spec to an SVG string, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use: every other scones command starts without Vega's ~0.3 s of imports.
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const { spec: vegaSpec } = compile({
    ...spec,
    config: { ...THEME, ...(spec as { config?: object }).config },
  } as TopLevelSpec);
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
