/**
 * A pending review item as the state machine's RecordReviewItem writes it (the state after
 * FilterInferences, `FilteredClassification`), read defensively: whatever is in the object, the
 * reader gets either a valid item or the reason it is not one, never an exception.
 */
import { z } from 'zod';
import { CLASS_LABELS } from '../workflow/types.ts';

const probability = z.number().min(0).max(1);

/** Fields the page needs; others (confident, review_item, ...) are kept in the raw JSON. */
const ReviewItemSchema = z
  .looseObject({
    s3_bucket: z.string().min(1),
    s3_key: z.string().min(1),
    inferences: z.array(probability).length(CLASS_LABELS.length),
    predicted_label: z.enum(CLASS_LABELS),
    predicted_index: z
      .number()
      .int()
      .min(0)
      .max(CLASS_LABELS.length - 1),
    confidence: probability,
    threshold: probability.optional(),
    decided_at: z.iso.datetime({ offset: true }).optional(),
    /** Added with end-to-end inference ids; the execution name (the item id) when absent. */
    inference_id: z.string().min(1).optional(),
  })
  .refine((item) => CLASS_LABELS[item.predicted_index] === item.predicted_label, {
    message: 'predicted_label does not match predicted_index',
    path: ['predicted_label'],
  });

export type ReviewItem = z.infer<typeof ReviewItemSchema>;

export type ParsedItem =
  | { ok: true; item: ReviewItem; json: unknown }
  | { ok: false; problem: string; json: unknown | undefined };

/** Parses the object's text; `json` is the parsed JSON even when it is not a valid item. */
export function parseReviewItem(text: string): ParsedItem {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON: ${(error as Error).message}`, json: undefined };
  }
  const parsed = ReviewItemSchema.safeParse(json);
  if (parsed.success) return { ok: true, item: parsed.data, json };
  return { ok: false, problem: z.prettifyError(parsed.error).replaceAll('\n', '; '), json };
}
