/**
 * The training baseline of the class mix: how often each class occurs in the staged training
 * split, from its `.lst` manifest (`<prefix>/train_lst/train.lst`, one `<index>\t<class>\t<path>`
 * line per image; see training/stage.ts). Traffic whose predicted mix strays far from it is worth
 * a look even before any label arrives.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseManifest } from '../../../training/staged-dataset.ts';
import { manifestKey } from '../../../training/staged-layout.ts';
import type { TrainingBaseline } from './types.ts';

export type TrainingBaselineResult = { baseline: TrainingBaseline } | { missing: string };

export async function readTrainingBaseline(
  s3: S3Client,
  bucket: string,
  datasetPrefix: string,
): Promise<TrainingBaselineResult> {
  const key = manifestKey(datasetPrefix, 'train');
  const uri = `s3://${bucket}/${key}`;
  let text: string;
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await response.Body?.transformToString()) ?? '';
  } catch (error) {
    const err = error as Error;
    return {
      missing: `no training manifest at ${uri} (${err.name}): stage the data first (\`scones stage\`)`,
    };
  }
  try {
    const lines = parseManifest(text, uri);
    const classCounts: number[] = [];
    const classNames: string[] = [];
    for (const line of lines) {
      classCounts[line.classIndex] = (classCounts[line.classIndex] ?? 0) + 1;
      classNames[line.classIndex] ??= line.path.split('/')[0] ?? `class${line.classIndex}`;
    }
    return {
      baseline: {
        uri,
        classCounts: Array.from(classCounts, (n) => n ?? 0),
        classNames: Array.from(classNames, (name, i) => name ?? `class${i}`),
      },
    };
  } catch (error) {
    return { missing: (error as Error).message };
  }
}
