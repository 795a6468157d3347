/**
 * scripts/bench.ts: the embedded run never reaches for a service, the cluster run refuses to
 * start when one is down. Both are checked before any benchmark runs, so these are quick.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function bench(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('npx', ['tsx', 'scripts/bench.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, stderr: r.stderr.trim() };
}

describe('npm run bench and npm run bench:cluster', () => {
  // The lists grow with bench/: checked by what they must and must not hold.
  const listed = (stderr: string) => stderr.slice(stderr.indexOf('there are: ') + 11).split(', ');

  it('the embedded run has no cluster-only stage', () => {
    const r = bench(['storage']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^bench: no benchmark without services \(bench:cluster runs the cluster-only ones\) named storage; there are: /,
    );
    expect(listed(r.stderr)).toEqual(expect.arrayContaining(['parse', 'stream', 'batch']));
    expect(listed(r.stderr)).not.toContain('storage');
  }, 30_000);

  it('the cluster run names the stages it has', () => {
    const r = bench(['--cluster', 'parse']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^bench:cluster: no benchmark with a cluster part named parse; there are: /,
    );
    expect(listed(r.stderr)).toEqual(
      expect.arrayContaining(['archive', 'batch', 'latency', 'storage', 'stream']),
    );
    expect(listed(r.stderr)).not.toContain('parse');
  }, 30_000);

  it('the cluster run stops with one line when Kafka or HDFS does not answer', () => {
    const r = bench(['--cluster', 'storage'], {
      LOGLAB_KAFKA_BROKERS: '127.0.0.1:1',
      LOGLAB_HDFS_URL: 'http://127.0.0.1:1',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^bench:cluster: no Kafka broker answers at 127\.0\.0\.1:1; HDFS is not up at http:\/\/127\.0\.0\.1:1 \(.+\); start the services with `npm run cluster -- up`$/,
    );
  }, 30_000);

  it('refuses an unknown option', () => {
    expect(bench(['--charts'])).toEqual({
      status: 2,
      stderr: 'bench: unknown option --charts; see --help',
    });
  }, 30_000);
});
