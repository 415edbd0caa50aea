export { planFor, planPromotion } from './plan.ts';
export { renderAction, renderPlan } from './render.ts';
export { runSteps } from './steps.ts';
export type { PlanControls, PromotionPlan, PromotionSettings, StepsResult } from './types.ts';
