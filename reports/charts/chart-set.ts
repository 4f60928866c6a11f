import type { ChartDef } from './render-chart.js';

/** The charts of one experiment, or why there are none. */
export interface ChartSet {
  experiment: string;
  charts: ChartDef[];
  /** Panels for parts of the experiment with no data: title and reason. */
  missing: { title: string; reason: string }[];
}
