/**
 * The flags of the web dashboard on both commands: a port in use, a bad port, a host that is
 * not this machine's (after the warning that a non-loopback address exposes the page) and a
 * dashboard with nowhere to draw are each one line on stderr and exit 2, before any work.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoglab } from './run-loglab';

let taken: Server;
let port: number;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as { port: number }).port;
});

afterAll(() => {
  taken.close();
});

describe('--web flags', () => {
  it('a port in use is one line and exit 2, for stream and dashboard', async () => {
    const stream = await runLoglab(['stream', '--web', '--port', String(port), '--lines', '10']);
    expect(stream).toEqual({
      code: 2,
      stdout: '',
      stderr: `loglab stream: port ${port} on 127.0.0.1 is in use; choose another with --port\n`,
    });
    const dashboard = await runLoglab(['dashboard', '-', '--web', '--port', String(port)]);
    expect(dashboard).toEqual({
      code: 2,
      stdout: '',
      stderr: `loglab dashboard: port ${port} on 127.0.0.1 is in use; choose another with --port\n`,
    });
  });

  it('a port out of range is one line and exit 2', async () => {
    const run = await runLoglab(['dashboard', '-', '--web', '--port', '70000']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'loglab dashboard: --port must be a port number from 0 to 65535, got "70000"\n',
    });
  });

  it('warns that another address exposes the page, then says when it is not ours', async () => {
    // 192.0.2.0/24 is for documentation (RFC 5737): never an address of this machine.
    const run = await runLoglab(['dashboard', '-', '--web', '--host', '192.0.2.1', '--port', '0']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'loglab dashboard: warning: --host 192.0.2.1 exposes the dashboard (and the paths and addresses of the logs) to anyone who can reach this machine on port 0\n' +
        'loglab dashboard: --host 192.0.2.1 is not an address of this machine\n',
    });
  });

  it('a dashboard with no terminal and no --web says so', async () => {
    const run = await runLoglab(['dashboard', '-']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'loglab dashboard: no terminal to draw the dashboard on: add --web to serve it as a page\n',
    });
  });

  it('the dashboard on the embedded engine without a FILE says where to look', async () => {
    const run = await runLoglab(['dashboard', '--web', '--engine', 'embedded', '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'loglab dashboard: the embedded broker lives inside one process: give a FILE or - (stdin), or use loglab stream --detect --web\n',
    );
  });
});
