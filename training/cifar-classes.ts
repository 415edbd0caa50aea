/**
 * CIFAR-100 fine label names and the mapping from selected fine labels to the class indices a
 * model is trained on (0, 1, ... in the order given).
 */
import { CifarError, UnknownClassError } from './cifar-errors.ts';

/** The 100 fine label names, in label order (alphabetical, as in the archive's fine_label_names.txt). */
// biome-ignore format: ten names a line keeps the label numbers easy to count
export const CIFAR100_FINE_LABELS: readonly string[] = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur',
  'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard',
  'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain',
  'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid', 'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree',
  'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket',
  'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider',
  'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
];

/** Fine labels of the Scones Unlimited classifier: 8 `bicycle` (class 0), 48 `motorcycle` (class 1). */
export const DEFAULT_CLASSES: readonly number[] = [8, 48];

export interface ClassDefinition {
  /** Index the model predicts (position in the selection). */
  classIndex: number;
  /** CIFAR-100 fine label. */
  fineLabel: number;
  /** Fine label name; also the image folder name. */
  name: string;
}

/** Resolves a selection given as fine labels or fine label names (e.g. `[8, 'motorcycle']`). */
export function resolveClasses(
  selection: ReadonlyArray<number | string> = DEFAULT_CLASSES,
): ClassDefinition[] {
  if (selection.length < 2)
    throw new CifarError(`select at least two classes; got ${JSON.stringify(selection)}`);
  const classes = selection.map((item, classIndex) => {
    const fineLabel = typeof item === 'number' ? item : fineLabelOf(item);
    const name = CIFAR100_FINE_LABELS[fineLabel];
    if (!Number.isInteger(fineLabel) || name === undefined) {
      throw new CifarError(
        `class ${JSON.stringify(item)} is not a CIFAR-100 fine label (0-99 or a label name)`,
      );
    }
    return { classIndex, fineLabel, name };
  });
  const duplicate = classes.find((c, i) => classes.findIndex((d) => d.fineLabel === c.fineLabel) !== i);
  if (duplicate) throw new CifarError(`class ${duplicate.name} (${duplicate.fineLabel}) is selected twice`);
  return classes;
}

function fineLabelOf(item: string): number {
  // Numbers may arrive as strings from a command line.
  if (/^\d+$/.test(item.trim())) return Number(item);
  return CIFAR100_FINE_LABELS.indexOf(item.trim());
}

/**
 * Returns a lookup from a record's fine label to its class. Records of other classes are skipped
 * (undefined), or rejected with an UnknownClassError naming the record when `strict`.
 */
export function classLookup(classes: readonly ClassDefinition[], strict = false) {
  const byFineLabel = new Map(classes.map((c) => [c.fineLabel, c]));
  return (fineLabel: number, where: string): ClassDefinition | undefined => {
    const found = byFineLabel.get(fineLabel);
    if (!found && strict) {
      const wanted = classes.map((c) => `${c.fineLabel} ${c.name}`).join(', ');
      throw new UnknownClassError(
        `${where} has fine label ${fineLabel} (${CIFAR100_FINE_LABELS[fineLabel] ?? 'unknown'}), not one of the selected classes (${wanted})`,
      );
    }
    return found;
  };
}
