/** How times and figures read in the report's text (the charts format their own axes). */

/** A window start in UTC, as precise as the window width needs: `2026-11-26 10:00:05 UTC`. */
export function formatTime(ms: number, widthMs = 1000): string {
  const iso = new Date(ms).toISOString();
  if (widthMs >= 86_400_000) return iso.slice(0, 10);
  if (widthMs >= 60_000) return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function formatPercent(share: number | null | undefined, digits = 1): string {
  return share === null || share === undefined ? '–' : `${(100 * share).toFixed(digits)} %`;
}

export function formatNumber(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined ? '–' : value.toFixed(digits);
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
