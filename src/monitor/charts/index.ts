export { renderCharts } from './views.ts';
