/** Accuracy and per-class precision/recall of a list of (true, predicted) class pairs. */
import type { PartFigures } from '../../src/workflow/retraining-types.ts';

export interface Scored {
  label: number;
  predicted: number;
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export function figuresOf(scored: readonly Scored[], classNames: readonly string[]): PartFigures {
  const correct = scored.filter((item) => item.label === item.predicted).length;
  return {
    images: scored.length,
    accuracy: ratio(correct, scored.length),
    classes: classNames.map((label, index) => {
      const truePositives = scored.filter((item) => item.label === index && item.predicted === index).length;
      const predicted = scored.filter((item) => item.predicted === index).length;
      const support = scored.filter((item) => item.label === index).length;
      return {
        label,
        precision: ratio(truePositives, predicted),
        recall: ratio(truePositives, support),
        support,
      };
    }),
  };
}
