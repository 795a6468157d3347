/**
 * A batch run as the run record keeps it: the runner's counters and each job's table, without
 * the runner's own details (spill files, timings). The demo and `loglab report FILE` both store
 * their batch stage this way, so the report draws either the same.
 */
import type { RunResult } from '../batch/runner';
import type { BatchRecord } from '../report/run-record';

export function batchRecordOf(run: RunResult): BatchRecord {
  return {
    engine: run.engine,
    records: run.counters.records,
    rejects: run.counters.rejects,
    inputFiles: run.counters.inputFiles,
    inputBytes: run.counters.inputBytes,
    jobs: run.jobs.map((j) => ({
      name: j.name,
      description: j.description,
      columns: j.columns,
      rows: j.rows,
    })),
  };
}
