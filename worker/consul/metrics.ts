// GET /v1/agent/metrics in Consul's JSON shape (hashicorp/go-metrics inmem_endpoint.go MetricsSummary):
// one interval's gauges, points, counters and samples, each list sorted by name and labels.
import { z } from 'zod';

const LabelsSchema = z.record(z.string(), z.string());

export const GaugeSchema = z.object({ Name: z.string(), Value: z.number(), Labels: LabelsSchema }).strict();
export const PointsSchema = z.object({ Name: z.string(), Points: z.array(z.number()) }).strict();
/** A counter's or a sample's aggregate: `Rate` is `Sum` per second of the interval; SumSq and LastUpdated stay hidden. */
export const SampledSchema = z
  .object({
    Name: z.string(), Count: z.number(), Rate: z.number(), Sum: z.number(), Min: z.number(), Max: z.number(),
    Mean: z.number(), Stddev: z.number(), Labels: LabelsSchema,
  })
  .strict();

export const MetricsSummarySchema = z
  .object({
    /** The interval's start in Go's time.String() form: `2025-01-02 15:04:00 +0000 UTC`. */
    Timestamp: z.string().regex(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/),
    Gauges: z.array(GaugeSchema),
    Points: z.array(PointsSchema),
    Counters: z.array(SampledSchema),
    Samples: z.array(SampledSchema),
  })
  .strict();

export type Gauge = z.infer<typeof GaugeSchema>;
export type Sampled = z.infer<typeof SampledSchema>;
export type MetricsSummary = z.infer<typeof MetricsSummarySchema>;

/** Go's time.Time.String() for a UTC instant, to the second. */
export function goTimeString(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}
