/** The "Model versions" section as lines of the command's text summary. */
import type { ModelVersionsReport, RolloutRow, VersionRow } from './types.ts';

const percent = (share: number | null) => (share === null ? '–' : `${(100 * share).toFixed(1)} %`);
const figure = (value: number | null) => (value === null ? '–' : value.toFixed(3));

function figures(row: VersionRow | RolloutRow): string {
  const accuracy = row.reviewed
    ? `accuracy ${percent(row.accuracy)} on ${row.reviewed} reviewed`
    : 'none reviewed';
  return `${row.inferences.toLocaleString('en-US')} inference${row.inferences === 1 ? '' : 's'}, ${accuracy}, mean confidence ${figure(row.meanConfidence)}`;
}

export function modelVersionLines(section: ModelVersionsReport): string[] {
  if (section.state !== 'shown') return [`model versions: ${section.message}`];
  const labels = new Map(section.versions.map((v) => [v.id, v.label]));
  return [
    `model versions: ${section.message}`,
    ...section.versions.map((v) => `  ${v.label.padEnd(14)} ${v.status.padEnd(27)} ${figures(v)}`),
    ...section.rollouts.map(
      (r) =>
        `  during rollout ${labels.get(r.fromVersion) ?? r.fromVersion} → ${labels.get(r.toVersion) ?? r.toVersion} (${r.outcome}, ${r.execution}): ${figures(r)}`,
    ),
  ];
}
